// The board page's live updates: when the `boards` event (live.ts) gives the shown pipeline a
// version other than the one the board was read at, the board is read again — debounced, never
// while a card is dragged, a write is pending or a column loads more (then right after), with the
// loaded "load more" pages kept (live_board.ts).

import { useEffect, useMemo, useRef } from 'preact/hooks';
import type { ApiClient, Id } from '../api';
import type { BoardState } from '../board_state';
import { liveFor, useLiveVersions } from '../live';
import { liveCardCount, mergeLiveBoard, RefreshGate } from '../live_board';

const kDebounceMillis = 250;
const kBusyRetryMillis = 150;
const kFailureRetryMillis = 5_000;

export interface LiveBoardOptions {
  api: ApiClient;
  pipelineId: Id;
  ownerId: Id | null;
  q: string;
  /** Cards per column of the board's first read. */
  firstCards: number;
  /** The board as last rendered. */
  boardRef: { current: BoardState | null };
  /** Changes with the pipeline and the filters; a read for other filters is dropped. */
  queryKeyRef: { current: string };
  /** True while a refresh must wait (dragging, pending writes, loading more). */
  busy: () => boolean;
  setBoard: (update: (state: BoardState | null) => BoardState | null) => void;
}

export function useLiveBoard(options: LiveBoardOptions): void {
  const opts = useRef(options);
  opts.current = options;
  const live = liveFor(options.api);
  // The pipeline's board version the shown board was read at (undefined: not known), and the
  // latest version the events gave.
  const versions = useRef<{ applied: number | undefined; target: number | undefined }>({ applied: undefined, target: undefined });

  const gate = useMemo(
    () =>
      new RefreshGate({
        debounceMillis: kDebounceMillis,
        retryMillis: kBusyRetryMillis,
        failureMillis: kFailureRetryMillis,
        busy: () => {
          const o = opts.current;
          return o.busy() || !!o.boardRef.current?.columns.some((c) => c.loading);
        },
        run: async () => {
          const o = opts.current;
          const start = o.boardRef.current;
          if (!start) return true; // nothing shown yet: the page's own read is current
          const key = o.queryKeyRef.current;
          const version = versions.current.target;
          const fresh = await o.api.board(o.pipelineId, {
            cards: liveCardCount(start, o.firstCards),
            owner_id: o.ownerId,
            q: o.q,
          });
          const now = opts.current;
          if (now.queryKeyRef.current !== key) return true; // other filters: their own read
          if (now.boardRef.current !== start || now.busy()) return false;
          let applied = false;
          now.setBoard((s) => {
            if (s !== start) return s;
            applied = true;
            return mergeLiveBoard(s, fresh, now.firstCards);
          });
          if (!applied) return false;
          versions.current.applied = version;
          if (versions.current.target !== version) gateRef.current?.request();
          return true;
        },
      }),
    [],
  );
  const gateRef = useRef(gate);
  gateRef.current = gate;
  useEffect(() => () => gate.dispose(), [gate]);

  // A new pipeline is read by the page now: it is as new as the stream's current version.
  useEffect(() => {
    const known = live.versions?.get(options.pipelineId);
    versions.current = { applied: known, target: known };
  }, [live, options.pipelineId]);

  // A board that appears (first read done) after an event it may predate is read again.
  const loaded = options.boardRef.current !== null;
  useEffect(() => {
    const { applied, target } = versions.current;
    if (loaded && target !== undefined && target !== applied) gate.request();
  }, [loaded, gate]);

  useLiveVersions(options.api, (all) => {
    const version = all.get(opts.current.pipelineId);
    if (version === undefined) return; // the pipeline is gone; the page finds out on its next read
    versions.current.target = version;
    if (version !== versions.current.applied) gate.request();
  });
}
