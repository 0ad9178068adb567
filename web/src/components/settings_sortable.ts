// Reordering a list by dragging a row's handle (pointer events: mouse, pen and touch). A press on
// an element with [data-sort-handle] inside a row [data-sort-id] becomes a drag after a few pixels;
// while dragging, the list is shown in the order the drop would give (the row follows the pointer
// from slot to slot), Escape cancels, and releasing calls onDrop with the row's new index when it
// changed. The same moves are offered from the keyboard by the rows' move up/down buttons.

import { useEffect, useRef, useState } from 'preact/hooks';
import { dragSlot, moveId } from '../reorder';

const kStartDistance = 4;

export interface Sortable {
  /** The ids in the order to show: the dragged row at its would-be place while dragging. */
  order: number[];
  /** The id of the row being dragged, if any. */
  draggingId: number | null;
  /** To be attached to the list element (the rows' container). */
  onPointerDown: (e: PointerEvent) => void;
}

interface Press {
  pointerId: number;
  id: number;
  startX: number;
  startY: number;
  active: boolean;
  /** The slot last rendered; -1 before the first. */
  shown: number;
  slot: number;
}

export function useSortable(ids: readonly number[], onDrop: (id: number, toIndex: number) => void, disabled = false): Sortable {
  const [drag, setDrag] = useState<{ id: number; slot: number } | null>(null);
  const press = useRef<Press | null>(null);
  const listRef = useRef<HTMLElement | null>(null);
  const idsRef = useRef(ids);
  idsRef.current = ids;
  const onDropRef = useRef(onDrop);
  onDropRef.current = onDrop;
  const cleanup = useRef<(() => void) | null>(null);

  useEffect(() => () => cleanup.current?.(), []);

  const slotAt = (id: number, y: number): number => {
    const list = listRef.current;
    if (!list) return 0;
    const middles: number[] = [];
    for (const row of list.querySelectorAll<HTMLElement>('[data-sort-id]')) {
      if (Number(row.dataset['sortId']) === id) continue;
      const r = row.getBoundingClientRect();
      middles.push(r.top + r.height / 2);
    }
    return dragSlot(middles, y);
  };

  const finish = (drop: boolean) => {
    const p = press.current;
    cleanup.current?.();
    cleanup.current = null;
    press.current = null;
    document.body.classList.remove('is-sorting');
    setDrag(null);
    if (!p || !p.active || !drop) return;
    const from = idsRef.current.indexOf(p.id);
    if (from >= 0 && p.slot !== from) onDropRef.current(p.id, p.slot);
  };

  const onPointerDown = (e: PointerEvent) => {
    if (disabled || e.button !== 0 || press.current) return;
    const target = e.target as Element | null;
    const handle = target?.closest<HTMLElement>('[data-sort-handle]');
    const row = handle?.closest<HTMLElement>('[data-sort-id]');
    if (!handle || !row) return;
    e.preventDefault();
    listRef.current = e.currentTarget as HTMLElement;
    const id = Number(row.dataset['sortId']);
    press.current = { pointerId: e.pointerId, id, startX: e.clientX, startY: e.clientY, active: false, shown: -1, slot: idsRef.current.indexOf(id) };

    const move = (ev: PointerEvent) => {
      const p = press.current;
      if (!p || ev.pointerId !== p.pointerId) return;
      if (!p.active) {
        if (Math.hypot(ev.clientX - p.startX, ev.clientY - p.startY) < kStartDistance) return;
        p.active = true;
        document.body.classList.add('is-sorting');
      }
      ev.preventDefault();
      p.slot = slotAt(p.id, ev.clientY);
      if (p.slot !== p.shown) {
        p.shown = p.slot;
        setDrag({ id: p.id, slot: p.slot });
      }
    };
    const up = (ev: PointerEvent) => {
      if (press.current && ev.pointerId === press.current.pointerId) finish(true);
    };
    const cancel = () => finish(false);
    const key = (ev: KeyboardEvent) => {
      if (ev.key === 'Escape' && press.current?.active) {
        ev.preventDefault();
        finish(false);
      }
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
    window.addEventListener('pointercancel', cancel);
    window.addEventListener('keydown', key, true);
    cleanup.current = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      window.removeEventListener('pointercancel', cancel);
      window.removeEventListener('keydown', key, true);
    };
  };

  const order = drag ? moveId(ids, drag.id, drag.slot) : ids.slice();
  return { order, draggingId: drag?.id ?? null, onPointerDown };
}
