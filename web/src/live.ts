// Live updates: one `GET /api/events` stream per tab, shared by every page that wants to know when
// a board changed (docs/api.md, "Events").
//
// The stream is read with fetch, which sends the session cookie and lets a 401 (the session ended)
// be told apart from a dropped connection, as EventSource cannot, and parsed by SseParser. Each `boards` event carries every pipeline's board version; pages subscribe and
// compare the version of the pipeline they show with the one they last read.
//
// The stream opens with the first subscriber and closes a moment after the last one leaves (so
// that going from one page to the next keeps it), or at once on stop() (sign-out). When it drops
// (network, server restart, no byte for kStaleMillis although the server sends a keep-alive
// comment every 15 s) it reconnects after a growing, jittered delay; a 401 stops it for good (the
// API client signs the user out).

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type ApiClient, type Id } from './api';
import { SseParser } from './sse';

/** Pipeline id → board version, from the latest `boards` event. */
export type BoardVersions = ReadonlyMap<Id, number>;

/**
 * "idle": no page asked for the stream; "connecting": the first connection is being made;
 * "live": events are arriving; "reconnecting": the stream dropped and will be opened again;
 * "stopped": refused (signed out) — no more attempts.
 */
export type LiveStatus = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'stopped';

/** The versions in a `boards` event's data (`{"versions":{"1":1207}}`), or null when malformed. */
export function parseBoardVersions(data: string): Map<Id, number> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const versions = (parsed as { versions?: unknown }).versions;
  if (typeof versions !== 'object' || versions === null || Array.isArray(versions)) return null;
  const out = new Map<Id, number>();
  for (const [key, value] of Object.entries(versions)) {
    if (!/^[1-9][0-9]{0,17}$/.test(key) || typeof value !== 'number' || !Number.isFinite(value)) continue;
    out.set(Number(key), value);
  }
  return out;
}

export const kFirstRetryMillis = 1_000;
export const kMaxRetryMillis = 30_000;
/** No byte for this long (the server sends a comment every 15 s) means the stream is dead. */
export const kStaleMillis = 40_000;
/** How long the stream stays open after its last subscriber left. */
export const kLingerMillis = 1_500;

/** The delay before reconnection attempt `attempt` (0-based): 1 s, 2 s, 4 s … 30 s, ±20 %. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(kMaxRetryMillis, kFirstRetryMillis * 2 ** Math.min(attempt, 16));
  const jitter = 0.8 + 0.4 * random();
  return Math.round(Math.min(kMaxRetryMillis, base * jitter));
}

export interface LiveTimers {
  setTimeout(run: () => void, millis: number): unknown;
  clearTimeout(handle: unknown): void;
  random(): number;
}

const kBrowserTimers: LiveTimers = {
  setTimeout: (run, millis) => globalThis.setTimeout(run, millis),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  random: () => Math.random(),
};

/** Opens the event stream; rejects with an ApiError (status 0: unreachable) when it cannot. */
export type OpenEvents = (signal: AbortSignal) => Promise<Response>;

type VersionsListener = (versions: BoardVersions) => void;
type StatusListener = (status: LiveStatus) => void;

export class LiveConnection {
  private statusNow: LiveStatus = 'idle';
  private latest: BoardVersions | null = null;
  private readonly subscribers = new Set<VersionsListener>();
  private readonly statusListeners = new Set<StatusListener>();
  private controller: AbortController | null = null;
  private retryTimer: unknown = null;
  private staleTimer: unknown = null;
  private lingerTimer: unknown = null;
  private attempt = 0;

  constructor(
    private readonly open: OpenEvents,
    private readonly timers: LiveTimers = kBrowserTimers,
  ) {}

  get status(): LiveStatus {
    return this.statusNow;
  }

  /** The versions of the latest event while the stream is live; null otherwise. */
  get versions(): BoardVersions | null {
    return this.statusNow === 'live' ? this.latest : null;
  }

  /** Calls `listener` with every `boards` event; opens the stream if it is not open. */
  subscribe(listener: VersionsListener): () => void {
    this.subscribers.add(listener);
    if (this.lingerTimer !== null) {
      this.timers.clearTimeout(this.lingerTimer);
      this.lingerTimer = null;
    }
    if (this.statusNow === 'idle' || this.statusNow === 'stopped') this.start();
    return () => {
      if (!this.subscribers.delete(listener) || this.subscribers.size > 0) return;
      if (this.lingerTimer !== null) this.timers.clearTimeout(this.lingerTimer);
      this.lingerTimer = this.timers.setTimeout(() => {
        this.lingerTimer = null;
        if (this.subscribers.size === 0) this.halt('idle');
      }, kLingerMillis);
    };
  }

  /** Calls `listener` on every status change (it does not open the stream). */
  watchStatus(listener: StatusListener): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Closes the stream now and forgets the subscribers (sign-out). */
  stop(): void {
    this.subscribers.clear();
    if (this.lingerTimer !== null) this.timers.clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    this.halt('idle');
  }

  /** Reconnects at once when a reconnection is waiting (the browser came back online). */
  retryNow(): void {
    if (this.retryTimer === null) return;
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    void this.connect();
  }

  private start(): void {
    this.attempt = 0;
    this.setStatus('connecting');
    void this.connect();
  }

  private halt(status: 'idle' | 'stopped'): void {
    const controller = this.controller;
    this.controller = null;
    controller?.abort();
    for (const timer of [this.retryTimer, this.staleTimer]) if (timer !== null) this.timers.clearTimeout(timer);
    this.retryTimer = null;
    this.staleTimer = null;
    this.latest = null;
    this.setStatus(status);
  }

  private setStatus(status: LiveStatus): void {
    if (status === this.statusNow) return;
    this.statusNow = status;
    for (const listener of [...this.statusListeners]) listener(status);
  }

  private armStaleTimer(controller: AbortController): void {
    if (this.staleTimer !== null) this.timers.clearTimeout(this.staleTimer);
    this.staleTimer = this.timers.setTimeout(() => {
      this.staleTimer = null;
      if (this.controller === controller) controller.abort();
    }, kStaleMillis);
  }

  private async connect(): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    const parser = new SseParser();
    const current = () => this.controller === controller;
    try {
      const response = await this.open(controller.signal);
      if (!current()) {
        controller.abort();
        return;
      }
      const body = response.body;
      if (!body) throw new Error('the event stream has no body');
      const reader = body.getReader();
      const decoder = new TextDecoder();
      this.armStaleTimer(controller);
      for (;;) {
        const { value, done } = await reader.read();
        if (!current()) {
          void reader.cancel().catch(() => undefined);
          return;
        }
        if (done) break;
        this.armStaleTimer(controller);
        const { events } = parser.push(decoder.decode(value, { stream: true }));
        for (const event of events) {
          if (event.type !== 'boards') continue;
          const versions = parseBoardVersions(event.data);
          if (!versions) continue;
          this.attempt = 0;
          this.latest = versions;
          this.setStatus('live');
          for (const listener of [...this.subscribers]) listener(versions);
        }
      }
    } catch (e) {
      if (!current()) return;
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
        this.halt('stopped');
        return;
      }
    }
    if (!current()) return;
    // The stream ended or failed: try again later.
    this.controller = null;
    if (this.staleTimer !== null) this.timers.clearTimeout(this.staleTimer);
    this.staleTimer = null;
    this.setStatus('reconnecting');
    const delay = backoffDelay(this.attempt++, this.timers.random);
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }
}

const connections = new WeakMap<ApiClient, LiveConnection>();

/** The tab's one live connection for this API client (its session). */
export function liveFor(api: ApiClient): LiveConnection {
  let live = connections.get(api);
  if (!live) {
    live = new LiveConnection((signal) => api.openEvents(signal));
    connections.set(api, live);
    const connection = live;
    if (typeof window !== 'undefined') window.addEventListener('online', () => connection.retryNow());
  }
  return live;
}

/**
 * Subscribes the calling component to `boards` events while it is mounted; `onVersions` may change
 * between renders (the latest one is called). Returns the connection.
 */
export function useLiveVersions(api: ApiClient, onVersions: VersionsListener): LiveConnection {
  const live = liveFor(api);
  const callback = useRef(onVersions);
  callback.current = onVersions;
  useEffect(() => live.subscribe((versions) => callback.current(versions)), [live]);
  return live;
}

/** The live connection's status, re-rendering when it changes. */
export function useLiveStatus(api: ApiClient): LiveStatus {
  const live = liveFor(api);
  const [status, setStatus] = useState(live.status);
  useEffect(() => {
    setStatus(live.status);
    return live.watchStatus(setStatus);
  }, [live]);
  return status;
}
