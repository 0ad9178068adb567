// A small mark that says whether the page follows other users' changes: "Live" while the event
// stream delivers, "Reconnecting…" while it is down (the page then shows what it last read).

import { useLiveStatus } from '../live';
import { useApp } from './ui';

const kText = {
  idle: null,
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  stopped: null,
} as const;

const kTitle = {
  connecting: 'Connecting to live updates',
  live: "Live: other people's changes show up here within seconds",
  reconnecting: "Live updates are interrupted; trying to reconnect. Reload to see the latest for sure.",
} as const;

export function LiveIndicator() {
  const { api } = useApp();
  const status = useLiveStatus(api);
  const text = kText[status];
  if (text === null) return null;
  const title = kTitle[status as keyof typeof kTitle];
  return (
    <span class={`live-indicator live-${status}`} data-live-status={status} role="status" title={title}>
      <span class="live-dot" aria-hidden="true" />
      <span class="sr-only">Live updates: </span>
      {text}
    </span>
  );
}
