// An incremental parser for `text/event-stream` bodies (the HTML standard's server-sent events
// format, https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
//
// The UI reads GET /api/events with fetch rather than EventSource, which cannot tell a refused
// session (401) from a dropped connection, and feeds the decoded text here chunk by chunk, in
// whatever pieces the network delivers: a line, a field or even a CR LF pair may be split across
// chunks. Pure: no I/O, no timers.

export interface ServerSentEvent {
  /** The `event:` field; "message" when the event has none. */
  type: string;
  /** The `data:` lines joined with "\n". */
  data: string;
  /** The last event id seen so far on the stream (the `id:` field), "" when none. */
  lastEventId: string;
}

export interface SseChunkResult {
  events: ServerSentEvent[];
  /** Comment lines (": keep-alive") in this chunk, without the colon and one leading space. */
  comments: string[];
  /** A `retry:` field's reconnection time in milliseconds, when this chunk set one. */
  retry: number | null;
}

export class SseParser {
  /** Text of the line being received (no line ending seen yet). */
  private pending = '';
  /** The previous chunk ended in "\r": a "\n" starting the next chunk belongs to it. */
  private afterCr = false;
  private atStart = true;
  private eventType = '';
  private data: string[] = [];
  private hasData = false;
  private lastEventId = '';

  /** Parses the next piece of the stream and returns what it completed. */
  push(chunk: string): SseChunkResult {
    const out: SseChunkResult = { events: [], comments: [], retry: null };
    let text = chunk;
    if (this.atStart && text.length > 0) {
      this.atStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // one leading BOM is ignored
    }
    let i = 0;
    if (this.afterCr && text.length > 0) {
      if (text[0] === '\n') i = 1;
      this.afterCr = false;
    }
    let start = i;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c !== '\n' && c !== '\r') continue;
      this.line(this.pending + text.slice(start, i), out);
      this.pending = '';
      if (c === '\r') {
        if (i + 1 < text.length) {
          if (text[i + 1] === '\n') i++;
        } else {
          this.afterCr = true;
        }
      }
      start = i + 1;
    }
    if (start < text.length) this.pending += text.slice(start);
    return out;
  }

  /**
   * The stream ended: an event without its closing blank line is dropped, as the standard says.
   * The parser can then be reused for a new connection (the last event id is kept).
   */
  end(): void {
    this.pending = '';
    this.afterCr = false;
    this.atStart = true;
    this.resetEvent();
  }

  private resetEvent(): void {
    this.eventType = '';
    this.data = [];
    this.hasData = false;
  }

  private line(line: string, out: SseChunkResult): void {
    if (line === '') {
      // Dispatch: an event with no data is not dispatched, and its type is forgotten.
      if (this.hasData) {
        out.events.push({ type: this.eventType || 'message', data: this.data.join('\n'), lastEventId: this.lastEventId });
      }
      this.resetEvent();
      return;
    }
    if (line[0] === ':') {
      out.comments.push(line.slice(line[1] === ' ' ? 2 : 1));
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value[0] === ' ') value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        this.hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) out.retry = Number(value);
        break;
      default:
        break; // unknown fields are ignored
    }
  }
}
