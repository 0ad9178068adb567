// The board page: a pipeline's stages as columns of deal cards, filtered by owner and text (kept in
// the URL: /board/1?owner=3&q=acme), with drag and drop, won/lost drop zones, a keyboard route for
// the same actions, "+ Deal", and columns that load more cards on demand.
//
// Writes are optimistic: the card moves at once, the request follows, and a failure puts the card
// back with a notice. Counts and totals are then replaced by the server's (a board read with no
// cards) once no write is pending, so estimates never stay on screen.

import type { VNode } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type BoardCard, type Deal, type Id, type LostInput, type Pipeline, type User } from '../api';
import {
  boardFromResponse,
  hasMore,
  insertCard,
  locateCard,
  moveCard,
  removeCard,
  setColumnLoading,
  appendCards,
  unloadCard,
  updateCard,
  withSummaries,
  type BoardState,
  type Column,
} from '../board_state';
import { followedCard, moveIndexAfter } from '../drop_index';
import { plural, utcDay } from '../format';
import { formatMoney } from '../money';
import { boardPath, navigate } from '../router';
import { useCardDrag, type DragView, type DropTarget } from './board_drag';
import { useLiveBoard } from './board_live';
import { LiveIndicator } from './live_indicator';
import { CardView } from './card';
import { CardActionsDialog, LostDialog, type MovePlace } from './card_dialogs';
import { NewDealDialog } from './deal_form';
import { EmptyState, ErrorState, Spinner, useApp, useNotify } from './ui';

/** Cards per column in the first read; "load more" reads pages of kPageSize after them. */
const kFirstCards = 20;
const kPageSize = 50;
/** The largest `limit` of a page (docs/api.md). */
const kMaxPageSize = 500;
/** Pages read to find a card's place in a stage's full order when the board is filtered. */
const kOrderPageSize = 500;
const kMaxOrderPages = 20;

type DialogState =
  | { kind: 'actions'; card: BoardCard; stageId: Id }
  | { kind: 'lost'; card: BoardCard }
  | { kind: 'new'; stageId: Id | null }
  | null;

type LoadState = 'loading' | 'ready' | 'error' | 'not-found';

function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.unreachable ? "the server can't be reached" : e.message;
  return e instanceof Error ? e.message : 'something went wrong';
}

function parseOwner(search: URLSearchParams): Id | null {
  const v = search.get('owner');
  return v && /^[1-9][0-9]{0,17}$/.test(v) ? Number(v) : null;
}

export function BoardPage({ pipelineId, search }: { pipelineId: Id; search: URLSearchParams }) {
  const { api } = useApp();
  const notify = useNotify();
  const ownerId = parseOwner(search);
  const q = (search.get('q') ?? '').trim();
  const filtered = ownerId !== null || q !== '';

  const [pipelines, setPipelines] = useState<Pipeline[] | null>(null);
  const [users, setUsers] = useState<User[]>([]);
  const [board, setBoard] = useState<BoardState | null>(null);
  const [loadState, setLoadState] = useState<LoadState>('loading');
  const [updating, setUpdating] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [dialog, setDialog] = useState<DialogState>(null);

  // Async handlers read the latest values through refs, not the render that created them.
  const boardRef = useRef(board);
  boardRef.current = board;
  const queryKey = `${pipelineId}|${ownerId ?? ''}|${q}`;
  const queryKeyRef = useRef(queryKey);
  queryKeyRef.current = queryKey;
  const pendingWrites = useRef(0);
  const readSeq = useRef(0);

  useEffect(() => {
    let live = true;
    api.pipelines().then(
      (page) => live && setPipelines(page.items),
      () => live && setPipelines([]),
    );
    api.users().then(
      (page) => live && setUsers(page.items),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api]);

  const shownPipeline = useRef<Id | null>(null);
  useEffect(() => {
    const seq = ++readSeq.current;
    if (shownPipeline.current !== pipelineId) {
      setBoard(null);
      setLoadState('loading');
    } else {
      setUpdating(true);
    }
    api.board(pipelineId, { cards: kFirstCards, owner_id: ownerId, q }).then(
      (b) => {
        if (seq !== readSeq.current) return;
        shownPipeline.current = pipelineId;
        setBoard(boardFromResponse(b));
        setLoadState('ready');
        setUpdating(false);
      },
      (e: unknown) => {
        if (seq !== readSeq.current) return;
        setUpdating(false);
        if (e instanceof ApiError && e.status === 401) return;
        shownPipeline.current = null;
        setBoard(null);
        setLoadState(e instanceof ApiError && e.status === 404 ? 'not-found' : 'error');
      },
    );
  }, [api, pipelineId, ownerId, q, attempt]);

  /** Replaces estimated counts and totals with the server's once no write is pending. */
  const refreshSummaries = useCallback(() => {
    if (pendingWrites.current > 0) return;
    const key = queryKeyRef.current;
    api.board(pipelineId, { cards: 0, owner_id: ownerId, q }).then(
      (fresh) => {
        if (pendingWrites.current > 0 || key !== queryKeyRef.current) return;
        setBoard((s) => (s ? withSummaries(s, fresh) : s));
      },
      () => undefined,
    );
  }, [api, pipelineId, ownerId, q]);

  const write = useCallback(
    async <T,>(run: () => Promise<T>): Promise<T> => {
      pendingWrites.current++;
      try {
        return await run();
      } finally {
        pendingWrites.current--;
        refreshSummaries();
      }
    },
    [refreshSummaries],
  );

  /** Ids of the stage's open deals in position order, read until `untilId` shows up. */
  const stageOrder = useCallback(
    async (stageId: Id, untilId: Id): Promise<Id[]> => {
      const ids: Id[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < kMaxOrderPages; page++) {
        const res = await api.deals({ stage_id: stageId, status: 'open', sort: 'position', limit: kOrderPageSize, cursor });
        for (const d of res.items) ids.push(d.id);
        if (ids.includes(untilId) || !res.next_cursor) break;
        cursor = res.next_cursor;
      }
      return ids;
    },
    [api],
  );

  const moveDeal = useCallback(
    (dealId: Id, toStageId: Id, place: MovePlace) =>
      write(async () => {
        const state = boardRef.current;
        const from = state && locateCard(state, dealId);
        const target = state?.columns.find((c) => c.stage.id === toStageId);
        if (!state || !from || !target) return;
        const source = state.columns[from.column]!;
        const visibleIds = target.cards.map((c) => c.id);
        const othersCount = visibleIds.filter((id) => id !== dealId).length;
        const slot = place === 'top' ? 0 : place === 'bottom' ? othersCount : place;
        if (source.stage.id === toStageId && slot === from.index) return;
        const afterId = place === 'bottom' ? null : followedCard(visibleIds, dealId, slot);
        const goesPastLoaded = place === 'bottom' && hasMore(target);
        setBoard((s) => {
          if (!s) return s;
          const moved = moveCard(s, dealId, toStageId, slot);
          return goesPastLoaded ? unloadCard(moved, dealId) : moved;
        });
        try {
          let index: number | null;
          if (place === 'bottom') index = null;
          else if (afterId === null) index = 0;
          else if (!filtered) index = slot; // the loaded cards are a prefix of the stage's order
          else index = moveIndexAfter(await stageOrder(toStageId, afterId), dealId, afterId) ?? slot;
          const deal = await api.moveDeal(dealId, toStageId, index);
          setBoard((s) =>
            s
              ? updateCard(s, dealId, {
                  position: deal.position,
                  version: deal.version,
                  probability: deal.probability ?? target.stage.probability,
                })
              : s,
          );
        } catch (e) {
          setBoard((s) => {
            if (!s) return s;
            return locateCard(s, dealId)
              ? moveCard(s, dealId, source.stage.id, from.index)
              : insertCard(s, source.stage.id, from.card, from.index);
          });
          notify(`Couldn't move “${from.card.title}”: ${errorText(e)}. It is back where it was.`, 'error');
        }
      }),
    [api, write, stageOrder, filtered, notify],
  );

  const markWon = useCallback(
    (dealId: Id) =>
      write(async () => {
        const state = boardRef.current;
        const from = state && locateCard(state, dealId);
        if (!state || !from) return;
        const stageId = state.columns[from.column]!.stage.id;
        setBoard((s) => (s ? removeCard(s, dealId) : s));
        try {
          await api.markWon(dealId);
          notify(`“${from.card.title}” marked as won.`);
        } catch (e) {
          setBoard((s) => (s ? insertCard(s, stageId, from.card, from.index) : s));
          notify(`Couldn't mark “${from.card.title}” as won: ${errorText(e)}.`, 'error');
        }
      }),
    [api, write, notify],
  );

  /** Called by the lost dialog; errors go back to it to be shown next to the reason. */
  const markLost = useCallback(
    (dealId: Id, input: LostInput) =>
      write(async () => {
        const deal = await api.markLost(dealId, input);
        setBoard((s) => (s ? removeCard(s, dealId) : s));
        notify(`“${deal.title}” marked as lost.`);
      }),
    [api, write, notify],
  );

  const dealCreated = useCallback(
    (deal: Deal) => {
      const state = boardRef.current;
      const column = state?.columns.find((c) => c.stage.id === deal.stage_id);
      const matches = (ownerId === null || deal.owner_id === ownerId) && (q === '' || deal.title.toLowerCase().includes(q.toLowerCase()));
      notify(
        matches || !column
          ? `Deal “${deal.title}” added${column ? ` to ${column.stage.name}` : ''}.`
          : `Deal “${deal.title}” added; the filters hide it.`,
      );
      setDialog(null);
      if (!column || !matches) {
        refreshSummaries();
        return;
      }
      // New deals go to the top of their stage (docs/api.md): the server's card for it (names and
      // flags as the board shows them) is among the stage's first cards. The summaries are read
      // once it is on the board (write).
      const key = queryKeyRef.current;
      void write(async () => {
        try {
          const page = await api.stageCards(deal.stage_id, { limit: 5, owner_id: ownerId, q });
          const card = page.items.find((c) => c.id === deal.id);
          if (card && key === queryKeyRef.current) setBoard((s) => (s ? insertCard(s, deal.stage_id, card, 0) : s));
        } catch {
          // The counts still follow (write); the card shows with the board's next read.
        }
      });
    },
    [api, write, ownerId, q, notify, refreshSummaries],
  );

  const loadMore = useCallback(
    async (stageId: Id) => {
      const state = boardRef.current;
      const column = state?.columns.find((c) => c.stage.id === stageId);
      if (!column || column.loading || !hasMore(column)) return;
      const key = queryKeyRef.current;
      setBoard((s) => (s ? setColumnLoading(s, stageId, true) : s));
      try {
        // The server's board cards of the stage, by position (docs/api.md). Pages are read from
        // the start of the stage: the first one covers the loaded cards and a page more, then the
        // cursors are followed, and cards already on the board are skipped.
        const first = column.nextCursor === undefined;
        const page = await api.stageCards(stageId, {
          owner_id: ownerId,
          q,
          limit: first ? Math.min(kMaxPageSize, column.cards.length + kPageSize) : kPageSize,
          cursor: first ? null : column.nextCursor ?? null,
        });
        if (key !== queryKeyRef.current) return;
        setBoard((s) => (s ? appendCards(s, stageId, page.items, page.next_cursor) : s));
      } catch (e) {
        if (key !== queryKeyRef.current) return;
        setBoard((s) => (s ? setColumnLoading(s, stageId, false, `Couldn't load more: ${errorText(e)}.`) : s));
      }
    },
    [api, ownerId, q],
  );

  const onDrop = useCallback(
    (dealId: Id, _fromStageId: Id, target: DropTarget) => {
      if (target.kind === 'stage') void moveDeal(dealId, target.stageId, target.slot);
      else if (target.kind === 'won') void markWon(dealId);
      else {
        const found = boardRef.current && locateCard(boardRef.current, dealId);
        if (found) setDialog({ kind: 'lost', card: found.card });
      }
    },
    [moveDeal, markWon],
  );

  const { drag, ghostRef, ghostTransform, onPointerDown } = useCardDrag({ onDrop });

  // Live updates: other users' changes re-read the board (board_live.ts).
  useLiveBoard({
    api,
    pipelineId,
    ownerId,
    q,
    firstCards: kFirstCards,
    boardRef,
    queryKeyRef,
    setBoard,
    busy: () => pendingWrites.current > 0 || drag !== null || document.body.classList.contains('is-dragging'),
  });

  // Alt+arrows on a card's actions button: up/down within the stage, left/right to the top of
  // the previous/next stage. Focus follows the card.
  const onKeyDown = useCallback(
    (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const button = (e.target as Element | null)?.closest?.('.card-actions');
      const cardEl = button?.closest<HTMLElement>('[data-deal-id]');
      const state = boardRef.current;
      if (!cardEl || !state) return;
      const dealId = Number(cardEl.dataset['dealId']);
      const at = locateCard(state, dealId);
      if (!at) return;
      const column = state.columns[at.column]!;
      let stageId = column.stage.id;
      let place: MovePlace;
      if (e.key === 'ArrowUp') place = at.index - 1;
      else if (e.key === 'ArrowDown') place = at.index + 1;
      else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        const next = state.columns[at.column + (e.key === 'ArrowLeft' ? -1 : 1)];
        if (!next) return;
        stageId = next.stage.id;
        place = 'top';
      } else return;
      e.preventDefault();
      if (typeof place === 'number' && (place < 0 || place >= column.cards.length)) return;
      void moveDeal(dealId, stageId, place);
      const stageName = state.columns.find((c) => c.stage.id === stageId)!.stage.name;
      notify(`Moved “${at.card.title}” to ${stageName}, position ${typeof place === 'number' ? place + 1 : 1}.`);
      requestAnimationFrame(() =>
        document.querySelector<HTMLElement>(`[data-column-list] [data-deal-id="${dealId}"] .card-actions`)?.focus(),
      );
    },
    [moveDeal, notify],
  );

  const openActions = useCallback((card: BoardCard) => {
    const found = boardRef.current && locateCard(boardRef.current, card.id);
    if (found) setDialog({ kind: 'actions', card, stageId: boardRef.current!.columns[found.column]!.stage.id });
  }, []);
  const openNew = useCallback((stageId: Id | null) => setDialog({ kind: 'new', stageId }), []);
  const closeDialog = useCallback(() => setDialog(null), []);

  const setFilters = useCallback(
    (owner: Id | null, text: string) => {
      const params = new URLSearchParams();
      if (owner !== null) params.set('owner', String(owner));
      if (text.trim()) params.set('q', text.trim());
      const query = params.toString();
      navigate(boardPath(pipelineId) + (query ? `?${query}` : ''), { replace: true });
    },
    [pipelineId],
  );

  const today = utcDay(new Date());
  const draggedCard = drag && board ? locateCard(board, drag.dealId)?.card ?? null : null;

  let body;
  if (loadState === 'loading') body = <Spinner label="Loading the board…" />;
  else if (loadState === 'not-found') {
    body = (
      <EmptyState title="This pipeline doesn't exist" action={{ label: 'Go to the first pipeline', onClick: () => navigate('/') }}>
        It may have been deleted. Pick another pipeline above.
      </EmptyState>
    );
  } else if (loadState === 'error' || !board) {
    body = (
      <ErrorState title="Can't load the board" action={{ label: 'Try again', onClick: () => setAttempt((n) => n + 1) }}>
        The Pipedeck server did not answer. Check that it is running, then try again.
      </ErrorState>
    );
  } else if (board.columns.length === 0) {
    body = (
      <EmptyState title="This pipeline has no stages">
        Add stages to “{board.pipeline.name}” to put deals on its board.
      </EmptyState>
    );
  } else {
    body = (
      <div class="board-scroller" data-board-scroller onPointerDown={onPointerDown} onKeyDown={onKeyDown}>
        <div class="board-columns">
          {board.columns.map((column) => (
            <ColumnView
              key={column.stage.id}
              column={column}
              today={today}
              drag={drag}
              filtered={filtered}
              onActions={openActions}
              onAdd={openNew}
              onLoadMore={loadMore}
            />
          ))}
        </div>
      </div>
    );
  }

  const currentPipeline = pipelines?.find((p) => p.id === pipelineId) ?? board?.pipeline ?? null;
  useEffect(() => {
    document.title = currentPipeline ? `${currentPipeline.name} · Board · Pipedeck` : 'Board · Pipedeck';
  }, [currentPipeline?.name]);

  return (
    <main class="board-page" aria-busy={loadState === 'loading' || updating}>
      <BoardToolbar
        pipelineId={pipelineId}
        pipelines={pipelines ?? (currentPipeline ? [currentPipeline] : [])}
        users={users}
        ownerId={ownerId}
        q={q}
        updating={updating}
        canAdd={!!board && board.columns.length > 0}
        onFilters={setFilters}
        onAdd={() => openNew(null)}
      />
      {body}
      {drag && (
        <>
          <div class="drop-zones" aria-hidden="true">
            <div class={`drop-zone drop-zone-won${drag.target?.kind === 'won' ? ' is-over' : ''}`} data-drop-zone="won">
              Won
            </div>
            <div class={`drop-zone drop-zone-lost${drag.target?.kind === 'lost' ? ' is-over' : ''}`} data-drop-zone="lost">
              Lost
            </div>
          </div>
          {draggedCard && (
            <div class="drag-ghost" ref={ghostRef} style={{ width: `${drag.width}px`, transform: ghostTransform() }} aria-hidden="true">
              <CardView card={draggedCard} today={today} />
            </div>
          )}
        </>
      )}
      {dialog?.kind === 'actions' && board && (
        <CardActionsDialog
          card={dialog.card}
          stageId={dialog.stageId}
          stages={board.columns.map((c) => c.stage)}
          onClose={closeDialog}
          onMove={(stageId, place) => {
            setDialog(null);
            void moveDeal(dialog.card.id, stageId, place);
          }}
          onWon={() => {
            setDialog(null);
            void markWon(dialog.card.id);
          }}
          onLost={() => setDialog({ kind: 'lost', card: dialog.card })}
        />
      )}
      {dialog?.kind === 'lost' && (
        <LostDialog card={dialog.card} onClose={closeDialog} onSubmit={(input) => markLost(dialog.card.id, input)} onDone={closeDialog} />
      )}
      {dialog?.kind === 'new' && board && (
        <NewDealDialog
          stages={board.columns.map((c) => c.stage)}
          stageId={dialog.stageId ?? board.columns[0]!.stage.id}
          currencies={board.columns.flatMap((c) => c.totals)}
          onClose={closeDialog}
          onCreated={dealCreated}
        />
      )}
    </main>
  );
}

interface ToolbarProps {
  pipelineId: Id;
  pipelines: Pipeline[];
  users: User[];
  ownerId: Id | null;
  q: string;
  updating: boolean;
  canAdd: boolean;
  onFilters: (owner: Id | null, text: string) => void;
  onAdd: () => void;
}

const kSearchDelayMillis = 250;

function BoardToolbar({ pipelineId, pipelines, users, ownerId, q, updating, canAdd, onFilters, onAdd }: ToolbarProps) {
  const [text, setText] = useState(q);
  const sent = useRef(q);
  const known = pipelines.some((p) => p.id === pipelineId);
  // Follow the URL when it changes from outside (back/forward), not while the user types.
  useEffect(() => {
    if (q !== sent.current) {
      sent.current = q;
      setText(q);
    }
  }, [q]);
  useEffect(() => {
    if (text.trim() === sent.current) return;
    const timer = setTimeout(() => {
      sent.current = text.trim();
      onFilters(ownerId, text);
    }, kSearchDelayMillis);
    return () => clearTimeout(timer);
  }, [text, ownerId, onFilters]);

  return (
    <div class="toolbar" role="search" aria-label="Board">
      <div class="field field-inline">
        <label for="board-pipeline">Pipeline</label>
        <select
          id="board-pipeline"
          value={known ? String(pipelineId) : ''}
          onChange={(e) => navigate(boardPath(Number(e.currentTarget.value)) + location.search)}
        >
          {!known && (
            <option value="" disabled>
              Choose a pipeline
            </option>
          )}
          {pipelines.map((p) => (
            <option key={p.id} value={String(p.id)}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <div class="field field-inline">
        <label for="board-owner">Owner</label>
        <select
          id="board-owner"
          value={ownerId === null ? '' : String(ownerId)}
          onChange={(e) => {
            const v = e.currentTarget.value;
            onFilters(v ? Number(v) : null, sent.current);
          }}
        >
          <option value="">Everyone</option>
          {users.map((u) => (
            <option key={u.id} value={String(u.id)}>
              {u.name}
            </option>
          ))}
        </select>
      </div>
      <div class="field field-inline field-grow">
        <label for="board-search">Search</label>
        <input
          id="board-search"
          type="search"
          placeholder="Deal title"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              sent.current = text.trim();
              onFilters(ownerId, text);
            }
          }}
        />
      </div>
      <span class="toolbar-status" role="status">
        {updating ? 'Updating…' : ''}
      </span>
      <LiveIndicator />
      <button type="button" class="button button-primary" onClick={onAdd} disabled={!canAdd}>
        + Deal
      </button>
    </div>
  );
}

interface ColumnProps {
  column: Column;
  today: string;
  drag: DragView | null;
  filtered: boolean;
  onActions: (card: BoardCard) => void;
  onAdd: (stageId: Id) => void;
  onLoadMore: (stageId: Id) => void;
}

function ColumnView({ column, today, drag, filtered, onActions, onAdd, onLoadMore }: ColumnProps) {
  const { stage } = column;
  const listRef = useRef<HTMLDivElement>(null);
  const sentinelRef = useRef<HTMLDivElement>(null);
  const more = hasMore(column);
  const loadRef = useRef(() => undefined as void);
  loadRef.current = () => {
    if (more && !column.loading && !column.loadError) onLoadMore(stage.id);
  };

  // Scrolling near the end of the loaded cards loads the next page.
  useEffect(() => {
    const list = listRef.current;
    const sentinel = sentinelRef.current;
    if (!list || !sentinel || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && list.scrollTop > 0) loadRef.current();
      },
      { root: list, rootMargin: '0px 0px 300px 0px' },
    );
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, []);

  const isTarget = drag?.target?.kind === 'stage' && drag.target.stageId === stage.id;
  const slot = isTarget && drag.target?.kind === 'stage' ? drag.target.slot : -1;
  // The cards, with a gap where the dragged card would land; the dragged card stays mounted but
  // hidden so that its pointer sequence and focus survive.
  const items: VNode[] = [];
  let shown = 0;
  const placeholder = () => (
    <div key="drop-placeholder" class="card-placeholder" style={{ height: `${drag?.height ?? 0}px` }} aria-hidden="true" />
  );
  for (const card of column.cards) {
    const hidden = drag?.dealId === card.id;
    if (!hidden && shown++ === slot) items.push(placeholder());
    items.push(<CardView key={card.id} card={card} today={today} onActions={onActions} hidden={hidden} />);
  }
  if (slot >= shown) items.push(placeholder());
  const remaining = Math.max(0, column.dealCount - column.cards.length);

  return (
    <section class={`column${isTarget ? ' is-target' : ''}`} data-stage-id={stage.id} aria-labelledby={`stage-${stage.id}-name`}>
      <header class="column-header">
        <div class="column-title-row">
          <h2 id={`stage-${stage.id}-name`} class="column-title">
            {stage.name}
          </h2>
          <span class="column-count" data-count={column.dealCount}>
            {column.dealCount.toLocaleString()}
            <span class="sr-only"> {column.dealCount === 1 ? 'deal' : 'deals'}</span>
          </span>
          <button type="button" class="icon-button column-add" aria-label={`Add a deal to ${stage.name}`} onClick={() => onAdd(stage.id)}>
            +
          </button>
        </div>
        <Totals column={column} />
      </header>
      <div class="column-list" data-column-list ref={listRef}>
        {items}
        {column.cards.length === 0 && !isTarget && (
          <p class="column-empty">{column.dealCount > 0 ? 'No deals loaded.' : filtered ? 'No deals match the filters.' : 'No open deals in this stage.'}</p>
        )}
        {column.loadError && (
          <div class="column-error" role="alert">
            <p>{column.loadError}</p>
            <button type="button" class="button button-small" onClick={() => onLoadMore(stage.id)}>
              Try again
            </button>
          </div>
        )}
        {more && !column.loadError && (
          <button type="button" class="button button-small button-block load-more" disabled={column.loading} onClick={() => onLoadMore(stage.id)}>
            {column.loading ? 'Loading…' : `Load more (${remaining.toLocaleString()} more)`}
          </button>
        )}
        <div ref={sentinelRef} class="column-sentinel" aria-hidden="true" />
      </div>
    </section>
  );
}

function Totals({ column }: { column: Column }) {
  if (column.totals.length === 0) return <p class="column-totals muted">No value</p>;
  return (
    <ul class="column-totals" aria-label="Totals">
      {[...column.totals].sort((a, b) => b.count - a.count || a.currency.localeCompare(b.currency)).map((t) => {
        const total = formatMoney(t.value_minor, t.currency);
        const weighted = formatMoney(t.weighted_minor, t.currency);
        return (
          <li key={t.currency} title={`${plural(t.count, 'deal')}: ${total}, weighted ${weighted}`} data-currency={t.currency}>
            <span class="total-value">{formatMoney(t.value_minor, t.currency, { compact: true })}</span>
            <span class="total-weighted">
              {' · '}
              {formatMoney(t.weighted_minor, t.currency, { compact: true })} weighted
            </span>
          </li>
        );
      })}
    </ul>
  );
}
