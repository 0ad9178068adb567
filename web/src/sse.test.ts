import { describe, expect, it } from 'vitest';
import { SseParser, type ServerSentEvent } from './sse';

/** Feeds `chunks` in order and collects every event. */
function parse(chunks: string[], parser = new SseParser()): { events: ServerSentEvent[]; comments: string[]; retries: number[] } {
  const events: ServerSentEvent[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  for (const chunk of chunks) {
    const r = parser.push(chunk);
    events.push(...r.events);
    comments.push(...r.comments);
    if (r.retry !== null) retries.push(r.retry);
  }
  return { events, comments, retries };
}

const kBoards = 'event: boards\ndata: {"versions":{"1":1207,"2":88}}\n\n';

describe('SseParser', () => {
  it('parses the server’s boards event', () => {
    expect(parse([kBoards]).events).toEqual([{ type: 'boards', data: '{"versions":{"1":1207,"2":88}}', lastEventId: '' }]);
  });

  it('gives the same events however the stream is split', () => {
    const stream = `: hello\n\n${kBoards}data: a\ndata: b\n\n${kBoards}`;
    const whole = parse([stream]);
    expect(whole.events).toHaveLength(3);
    for (let size = 1; size <= 7; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < stream.length; i += size) chunks.push(stream.slice(i, i + size));
      expect(parse(chunks)).toEqual(whole);
    }
    // Every split point into two pieces, too.
    for (let at = 0; at <= stream.length; at++) {
      expect(parse([stream.slice(0, at), stream.slice(at)])).toEqual(whole);
    }
  });

  it('accepts CR LF, CR and LF line endings, also split between chunks', () => {
    const expected = [{ type: 'boards', data: 'x', lastEventId: '' }];
    expect(parse(['event: boards\r\ndata: x\r\n\r\n']).events).toEqual(expected);
    expect(parse(['event: boards\rdata: x\r\r']).events).toEqual(expected);
    expect(parse(['event: boards\r', '\ndata: x\r', '\n\r', '\n']).events).toEqual(expected);
    // A CR at the end of a chunk followed by a chunk that does not start with LF.
    expect(parse(['event: boards\r', 'data: x\r', '\r']).events).toEqual(expected);
  });

  it('holds an event back until its blank line arrives', () => {
    const parser = new SseParser();
    expect(parser.push('event: boards\ndata: {"versions":{}}\n').events).toEqual([]);
    expect(parser.push('\n').events).toEqual([{ type: 'boards', data: '{"versions":{}}', lastEventId: '' }]);
  });

  it('joins data lines with LF and defaults the type to "message"', () => {
    expect(parse(['data: one\ndata:two\ndata\n\n']).events).toEqual([{ type: 'message', data: 'one\ntwo\n', lastEventId: '' }]);
  });

  it('removes one space after the colon only', () => {
    expect(parse(['data:  two spaces\n\n']).events[0]?.data).toBe(' two spaces');
  });

  it('does not dispatch an event without data, and forgets its type', () => {
    expect(parse(['event: boards\n\ndata: x\n\n']).events).toEqual([{ type: 'message', data: 'x', lastEventId: '' }]);
  });

  it('dispatches "data:" with an empty value', () => {
    expect(parse(['data:\n\n']).events).toEqual([{ type: 'message', data: '', lastEventId: '' }]);
  });

  it('reports comments such as the keep-alive line', () => {
    const r = parse([': keep-alive\n\n', ':x\n']);
    expect(r.events).toEqual([]);
    expect(r.comments).toEqual(['keep-alive', 'x']);
  });

  it('ignores unknown fields and keeps the last event id', () => {
    expect(parse(['foo: bar\nid: 7\ndata: a\n\ndata: b\n\n']).events).toEqual([
      { type: 'message', data: 'a', lastEventId: '7' },
      { type: 'message', data: 'b', lastEventId: '7' },
    ]);
  });

  it('reads retry only when it is all digits', () => {
    expect(parse(['retry: 2500\n', 'retry: soon\n', 'retry: 1e3\n']).retries).toEqual([2500]);
  });

  it('skips one byte order mark at the start of the stream', () => {
    expect(parse(['\ufeffdata: x\n\n']).events).toEqual([{ type: 'message', data: 'x', lastEventId: '' }]);
    expect(parse(['', '\ufeffdata: x\n\n']).events[0]?.data).toBe('x');
  });

  it('drops an unfinished event at the end of the stream and starts clean after end()', () => {
    const parser = new SseParser();
    parser.push('event: boards\ndata: half');
    parser.end();
    expect(parser.push('data: whole\n\n').events).toEqual([{ type: 'message', data: 'whole', lastEventId: '' }]);
  });

  it('handles text without any line ending as one pending line', () => {
    const parser = new SseParser();
    expect(parser.push('data: a').events).toEqual([]);
    expect(parser.push('bc').events).toEqual([]);
    expect(parser.push('\n\n').events).toEqual([{ type: 'message', data: 'abc', lastEventId: '' }]);
  });
});
