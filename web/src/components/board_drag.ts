// Dragging cards with pointer events (mouse and pen; touch scrolls the board, and the card's
// actions button moves it instead). A press on a card becomes a drag after it moves a few pixels;
// while dragging, the element under the pointer decides the target: a column ([data-stage-id],
// with the slot among its other cards from their vertical middles) or a drop zone
// ([data-drop-zone="won"|"lost"]). Escape or a drop elsewhere cancels. Near the edges of the board
// ([data-board-scroller]) or of a column's list ([data-column-list]) the view scrolls.
//
// The drag preview follows the pointer by a style write on each move, not a render; the page
// re-renders only when the target changes.

import { useEffect, useRef, useState } from 'preact/hooks';
import type { Id } from '../api';
import { dropIndex } from '../drop_index';

export type DropTarget =
  | { kind: 'stage'; stageId: Id; slot: number }
  | { kind: 'won' }
  | { kind: 'lost' };

export interface DragView {
  dealId: Id;
  fromStageId: Id;
  width: number;
  height: number;
  target: DropTarget | null;
}

export interface DragHandlers {
  onDrop: (dealId: Id, fromStageId: Id, target: DropTarget) => void;
}

const kStartDistance = 5;
const kEdge = 48;
const kMaxScrollStep = 16;

function sameTarget(a: DropTarget | null, b: DropTarget | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.kind !== b.kind) return false;
  return a.kind !== 'stage' || (b.kind === 'stage' && a.stageId === b.stageId && a.slot === b.slot);
}

/** The drop target under (x, y) for the card `dealId`, which is hidden while it is dragged. */
export function dropTargetAt(x: number, y: number, dealId: Id): DropTarget | null {
  const el = document.elementFromPoint(x, y);
  if (!el) return null;
  const zone = el.closest<HTMLElement>('[data-drop-zone]');
  if (zone) return zone.dataset['dropZone'] === 'won' ? { kind: 'won' } : { kind: 'lost' };
  const column = el.closest<HTMLElement>('[data-stage-id]');
  if (!column) return null;
  const middles: number[] = [];
  for (const card of column.querySelectorAll<HTMLElement>('[data-column-list] [data-deal-id]')) {
    if (Number(card.dataset['dealId']) === dealId || card.hidden) continue;
    const r = card.getBoundingClientRect();
    middles.push(r.top + r.height / 2);
  }
  return { kind: 'stage', stageId: Number(column.dataset['stageId']), slot: dropIndex(middles, y) };
}

/** How far to scroll when the pointer is at `p` within [start, end]: negative near start. */
function edgeStep(p: number, start: number, end: number): number {
  if (end - start < 3 * kEdge) return 0;
  if (p < start + kEdge) return -Math.ceil(((start + kEdge - p) / kEdge) * kMaxScrollStep);
  if (p > end - kEdge) return Math.ceil(((p - (end - kEdge)) / kEdge) * kMaxScrollStep);
  return 0;
}

interface Press {
  pointerId: number;
  dealId: Id;
  fromStageId: Id;
  startX: number;
  startY: number;
  card: HTMLElement;
}

interface Active extends Press {
  offsetX: number;
  offsetY: number;
  x: number;
  y: number;
  target: DropTarget | null;
}

export function useCardDrag(handlers: DragHandlers) {
  const [drag, setDrag] = useState<DragView | null>(null);
  const ghostRef = useRef<HTMLDivElement>(null);
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;
  const press = useRef<Press | null>(null);
  const active = useRef<Active | null>(null);
  const frame = useRef(0);
  const cleanupRef = useRef<(() => void) | null>(null);

  useEffect(() => () => cleanupRef.current?.(), []);

  const placeGhost = () => {
    const a = active.current;
    const ghost = ghostRef.current;
    if (a && ghost) ghost.style.transform = `translate(${a.x - a.offsetX}px, ${a.y - a.offsetY}px) rotate(2deg)`;
  };

  const retarget = () => {
    const a = active.current;
    if (!a) return;
    const target = dropTargetAt(a.x, a.y, a.dealId);
    if (sameTarget(target, a.target)) return;
    a.target = target;
    setDrag((d) => (d ? { ...d, target } : d));
  };

  const autoScroll = () => {
    frame.current = 0;
    const a = active.current;
    if (!a) return;
    let scrolled = false;
    const under = document.elementFromPoint(a.x, a.y);
    const list = under?.closest<HTMLElement>('[data-column-list]');
    if (list) {
      const r = list.getBoundingClientRect();
      const dy = edgeStep(a.y, r.top, r.bottom);
      if (dy !== 0 && list.scrollHeight > list.clientHeight) {
        const before = list.scrollTop;
        list.scrollTop += dy;
        scrolled ||= list.scrollTop !== before;
      }
    }
    const board = document.querySelector<HTMLElement>('[data-board-scroller]');
    if (board) {
      const r = board.getBoundingClientRect();
      const dx = edgeStep(a.x, r.left, r.right);
      if (dx !== 0 && board.scrollWidth > board.clientWidth) {
        const before = board.scrollLeft;
        board.scrollLeft += dx;
        scrolled ||= board.scrollLeft !== before;
      }
    }
    if (scrolled) {
      retarget();
      frame.current = requestAnimationFrame(autoScroll);
    }
  };

  const finish = (drop: boolean) => {
    const a = active.current;
    cleanupRef.current?.();
    if (!a) return;
    const target = drop ? dropTargetAt(a.x, a.y, a.dealId) : null;
    active.current = null;
    document.body.classList.remove('is-dragging');
    setDrag(null);
    if (target) handlersRef.current.onDrop(a.dealId, a.fromStageId, target);
  };

  const onPointerMove = (e: PointerEvent) => {
    const p = press.current;
    if (!p || e.pointerId !== p.pointerId) return;
    if (!active.current) {
      if (Math.hypot(e.clientX - p.startX, e.clientY - p.startY) < kStartDistance) return;
      const r = p.card.getBoundingClientRect();
      active.current = {
        ...p,
        offsetX: p.startX - r.left,
        offsetY: p.startY - r.top,
        x: e.clientX,
        y: e.clientY,
        target: null,
      };
      document.body.classList.add('is-dragging');
      const target = dropTargetAt(e.clientX, e.clientY, p.dealId);
      active.current.target = target;
      setDrag({ dealId: p.dealId, fromStageId: p.fromStageId, width: r.width, height: r.height, target });
      return;
    }
    const a = active.current;
    a.x = e.clientX;
    a.y = e.clientY;
    placeGhost();
    retarget();
    if (!frame.current) frame.current = requestAnimationFrame(autoScroll);
  };

  const onPointerUp = (e: PointerEvent) => {
    if (press.current && e.pointerId === press.current.pointerId) finish(true);
  };
  const onPointerCancel = () => finish(false);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && active.current) {
      e.preventDefault();
      e.stopPropagation();
      finish(false);
    }
  };

  /** To be attached to the board: starts a press on a card (not on its buttons). */
  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0 || e.pointerType === 'touch' || press.current) return;
    const target = e.target as Element | null;
    // A card's title link ([data-card-link]) may start a drag; a click on it opens the deal.
    if (!target || target.closest('button, a:not([data-card-link]), input, select, textarea, label')) return;
    const card = target.closest<HTMLElement>('[data-column-list] [data-deal-id]');
    const column = card?.closest<HTMLElement>('[data-stage-id]');
    if (!card || !column) return;
    e.preventDefault(); // no text selection while dragging
    press.current = {
      pointerId: e.pointerId,
      dealId: Number(card.dataset['dealId']),
      fromStageId: Number(column.dataset['stageId']),
      startX: e.clientX,
      startY: e.clientY,
      card,
    };
    window.addEventListener('pointermove', onPointerMove);
    window.addEventListener('pointerup', onPointerUp);
    window.addEventListener('pointercancel', onPointerCancel);
    window.addEventListener('blur', onPointerCancel);
    window.addEventListener('keydown', onKeyDown, true);
    cleanupRef.current = () => {
      window.removeEventListener('pointermove', onPointerMove);
      window.removeEventListener('pointerup', onPointerUp);
      window.removeEventListener('pointercancel', onPointerCancel);
      window.removeEventListener('blur', onPointerCancel);
      window.removeEventListener('keydown', onKeyDown, true);
      if (frame.current) cancelAnimationFrame(frame.current);
      frame.current = 0;
      press.current = null;
      cleanupRef.current = null;
    };
  };

  /** The preview's position for its first render; later moves write it directly. */
  const ghostTransform = (): string => {
    const a = active.current;
    return a ? `translate(${a.x - a.offsetX}px, ${a.y - a.offsetY}px) rotate(2deg)` : 'none';
  };

  return { drag, ghostRef, ghostTransform, onPointerDown };
}
