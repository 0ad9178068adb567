import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import {
  backoffDelay,
  kFirstRetryMillis,
  kLingerMillis,
  kMaxRetryMillis,
  kStaleMillis,
  LiveConnection,
  parseBoardVersions,
  type BoardVersions,
  type LiveStatus,
  type LiveTimers,
} from './live';

/** Timers that run only when the test advances the clock. */
class FakeTimers implements LiveTimers {
  now = 0;
  private next = 1;
  private tasks = new Map<number, { at: number; run: () => void }>();

  setTimeout(run: () => void, millis: number): unknown {
    const id = this.next++;
    this.tasks.set(id, { at: this.now + millis, run });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.tasks.delete(handle as number);
  }

  random(): number {
    return 0.5; // no jitter: 0.8 + 0.4 * 0.5 = 1
  }

  /** Delays of the timers waiting now, soonest first. */
  pending(): number[] {
    return [...this.tasks.values()].map((t) => t.at - this.now).sort((a, b) => a - b);
  }

  async advance(millis: number): Promise<void> {
    const until = this.now + millis;
    for (;;) {
      const due = [...this.tasks.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.tasks.delete(due[0]);
      this.now = due[1].at;
      due[1].run();
      await flush();
    }
    this.now = until;
    await flush();
  }
}

/** Lets pending promise callbacks and stream reads run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setTimeout(r, 0));
}

interface FakeStream {
  send(text: string): void;
  close(): void;
  aborted: boolean;
}

/** An `open` that hands out controllable event streams, or fails as told. */
function fakeServer() {
  const streams: FakeStream[] = [];
  const failures: unknown[] = [];
  let opens = 0;
  const open = async (signal: AbortSignal): Promise<Response> => {
    opens++;
    const failure = failures.shift();
    if (failure !== undefined) throw failure;
    const encoder = new TextEncoder();
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
    });
    const stream: FakeStream = {
      aborted: false,
      send: (text) => controller.enqueue(encoder.encode(text)),
      close: () => controller.close(),
    };
    signal.addEventListener('abort', () => {
      stream.aborted = true;
      try {
        controller.error(new DOMException('aborted', 'AbortError'));
      } catch {
        // already closed
      }
    });
    streams.push(stream);
    return new Response(body, { headers: { 'Content-Type': 'text/event-stream' } });
  };
  return {
    open,
    streams,
    failNext: (e: unknown) => failures.push(e),
    get opens() {
      return opens;
    },
  };
}

const boards = (versions: Record<string, number>) => `event: boards\ndata: ${JSON.stringify({ versions })}\n\n`;

function setup() {
  const timers = new FakeTimers();
  const server = fakeServer();
  const live = new LiveConnection(server.open, timers);
  const statuses: LiveStatus[] = [];
  live.watchStatus((s) => statuses.push(s));
  const received: BoardVersions[] = [];
  return { timers, server, live, statuses, received, listen: (v: BoardVersions) => received.push(v) };
}

describe('parseBoardVersions', () => {
  it('reads pipeline ids and versions', () => {
    expect(parseBoardVersions('{"versions":{"1":1207,"2":88}}')).toEqual(
      new Map([
        [1, 1207],
        [2, 88],
      ]),
    );
    expect(parseBoardVersions('{"versions":{}}')).toEqual(new Map());
  });

  it('refuses malformed data and skips malformed entries', () => {
    expect(parseBoardVersions('not json')).toBeNull();
    expect(parseBoardVersions('null')).toBeNull();
    expect(parseBoardVersions('{"versions":[1,2]}')).toBeNull();
    expect(parseBoardVersions('{}')).toBeNull();
    expect(parseBoardVersions('{"versions":{"x":1,"0":2,"3":"4","5":6}}')).toEqual(new Map([[5, 6]]));
  });
});

describe('backoffDelay', () => {
  it('doubles from one second up to the cap, with ±20 % jitter', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 40].map((n) => backoffDelay(n, mid))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(backoffDelay(0, () => 0)).toBe(kFirstRetryMillis * 0.8);
    expect(backoffDelay(1, () => 1)).toBe(2400);
    expect(backoffDelay(10, () => 1)).toBe(kMaxRetryMillis);
  });
});

describe('LiveConnection', () => {
  it('opens one stream for its subscribers and passes them every boards event', async () => {
    const { server, live, statuses, received, listen } = setup();
    const other: BoardVersions[] = [];
    live.subscribe(listen);
    live.subscribe((v) => other.push(v));
    await flush();
    expect(server.opens).toBe(1);
    expect(live.status).toBe('connecting');
    expect(live.versions).toBeNull();

    const stream = server.streams[0]!;
    stream.send('event: boards\ndata: {"versions":{"1":5');
    await flush();
    expect(received).toEqual([]);
    stream.send(',"2":7}}\n\n: keep-alive\n\nevent: other\ndata: x\n\n');
    await flush();
    expect(received).toEqual([
      new Map([
        [1, 5],
        [2, 7],
      ]),
    ]);
    expect(other).toHaveLength(1);
    expect(live.status).toBe('live');
    expect(live.versions?.get(1)).toBe(5);
    expect(statuses).toEqual(['connecting', 'live']);
  });

  it('reconnects with growing delays and resets them once events flow again', async () => {
    const { timers, server, live, statuses, received, listen } = setup();
    live.subscribe(listen);
    await flush();
    server.streams[0]!.send(boards({ 1: 1 }));
    await flush();
    server.streams[0]!.close(); // the server went away
    await flush();
    expect(live.status).toBe('reconnecting');
    expect(live.versions).toBeNull();
    expect(timers.pending()).toEqual([1000]);

    server.failNext(new ApiError(0, 'unreachable', 'down'));
    server.failNext(new ApiError(503, 'http', 'starting'));
    await timers.advance(1000);
    expect(server.opens).toBe(2);
    expect(timers.pending()).toEqual([2000]);
    await timers.advance(2000);
    expect(server.opens).toBe(3);
    expect(timers.pending()).toEqual([4000]);
    await timers.advance(4000);
    expect(server.opens).toBe(4);

    server.streams[1]!.send(boards({ 1: 2 }));
    await flush();
    expect(live.status).toBe('live');
    expect(received.map((v) => v.get(1))).toEqual([1, 2]);
    server.streams[1]!.close();
    await flush();
    expect(timers.pending()).toEqual([1000]); // back to the first delay
    expect(statuses).toEqual(['connecting', 'live', 'reconnecting', 'live', 'reconnecting']);
  });

  it('treats a silent stream as dead and reconnects', async () => {
    const { timers, server, live, listen } = setup();
    live.subscribe(listen);
    await flush();
    server.streams[0]!.send(boards({ 1: 1 }));
    await flush();
    await timers.advance(kStaleMillis - 1000);
    server.streams[0]!.send(': keep-alive\n\n'); // a comment keeps it alive
    await flush();
    await timers.advance(kStaleMillis - 1000);
    expect(server.streams[0]!.aborted).toBe(false);
    await timers.advance(1000);
    expect(server.streams[0]!.aborted).toBe(true);
    expect(live.status).toBe('reconnecting');
    await timers.advance(1000);
    expect(server.opens).toBe(2);
  });

  it('stops for good when the token is refused', async () => {
    const { timers, server, live, listen } = setup();
    server.failNext(new ApiError(401, 'unauthorized', 'no'));
    live.subscribe(listen);
    await flush();
    expect(live.status).toBe('stopped');
    expect(timers.pending()).toEqual([]);
    await timers.advance(60_000);
    expect(server.opens).toBe(1);
  });

  it('keeps the stream across a quick unsubscribe and subscribe, and closes it after the last leaves', async () => {
    const { timers, server, live, listen } = setup();
    const off = live.subscribe(listen);
    await flush();
    server.streams[0]!.send(boards({ 1: 1 }));
    await flush();
    off();
    await timers.advance(kLingerMillis / 2);
    const off2 = live.subscribe(listen);
    await timers.advance(kLingerMillis * 2);
    expect(server.opens).toBe(1);
    expect(server.streams[0]!.aborted).toBe(false);
    off2();
    off2(); // a second call does nothing
    await timers.advance(kLingerMillis);
    expect(server.streams[0]!.aborted).toBe(true);
    expect(live.status).toBe('idle');
    expect(timers.pending()).toEqual([]);

    live.subscribe(listen); // opens again
    await flush();
    expect(server.opens).toBe(2);
  });

  it('stop() closes at once and cancels a waiting reconnection', async () => {
    const { timers, server, live, listen } = setup();
    live.subscribe(listen);
    await flush();
    server.streams[0]!.close();
    await flush();
    expect(timers.pending()).toEqual([1000]);
    live.stop();
    expect(live.status).toBe('idle');
    expect(timers.pending()).toEqual([]);
    await timers.advance(5000);
    expect(server.opens).toBe(1);
  });

  it('retryNow() skips the wait when a reconnection is due', async () => {
    const { timers, server, live, listen } = setup();
    live.subscribe(listen);
    await flush();
    server.streams[0]!.close();
    await flush();
    live.retryNow();
    await flush();
    expect(server.opens).toBe(2);
    expect(timers.pending().some((d) => d === 1000)).toBe(false);
  });
});
