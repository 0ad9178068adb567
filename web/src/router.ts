// Client-side routes on the History API. The server answers every non-/api path with index.html,
// so each route here is also a URL that can be reloaded or shared.

import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'home' }
  | { name: 'board'; pipelineId: number }
  | { name: 'deal'; dealId: number } // ---- Deal page
  // ---- Agenda, contacts and settings
  | { name: 'agenda' }
  | { name: 'persons' }
  | { name: 'person'; personId: number }
  | { name: 'organizations' }
  | { name: 'organization'; orgId: number }
  | { name: 'settings' }
  // ---- end of agenda, contacts and settings
  // ---- Analytics
  | { name: 'dashboard' }
  | { name: 'health' }
  // ---- end of analytics
  | { name: 'import' } // ---- Import and export
  | { name: 'account' }
  | { name: 'not-found'; path: string };

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/') return { name: 'home' };
  const board = /^\/board\/([1-9][0-9]{0,17})$/.exec(path);
  if (board) return { name: 'board', pipelineId: Number(board[1]) };
  const deal = /^\/deals\/([1-9][0-9]{0,17})$/.exec(path); // ---- Deal page
  if (deal) return { name: 'deal', dealId: Number(deal[1]) };
  // ---- Agenda, contacts and settings
  if (path === '/agenda') return { name: 'agenda' };
  if (path === '/persons') return { name: 'persons' };
  if (path === '/organizations') return { name: 'organizations' };
  if (path === '/settings') return { name: 'settings' };
  const person = /^\/persons\/([1-9][0-9]{0,17})$/.exec(path);
  if (person) return { name: 'person', personId: Number(person[1]) };
  const org = /^\/organizations\/([1-9][0-9]{0,17})$/.exec(path);
  if (org) return { name: 'organization', orgId: Number(org[1]) };
  // ---- end of agenda, contacts and settings
  // ---- Analytics
  if (path === '/dashboard') return { name: 'dashboard' };
  if (path === '/health') return { name: 'health' };
  // ---- end of analytics
  if (path === '/import') return { name: 'import' }; // ---- Import and export
  if (path === '/account') return { name: 'account' };
  return { name: 'not-found', path };
}

export function boardPath(pipelineId: number): string {
  return `/board/${pipelineId}`;
}

// ---- Deal page
export function dealPath(dealId: number): string {
  return `/deals/${dealId}`;
}

const kNavigateEvent = 'pipedeck:navigate';

/** Goes to `url` (path and query) without a page load; `replace` keeps the history entry. */
export function navigate(url: string, options: { replace?: boolean } = {}): void {
  const current = location.pathname + location.search;
  if (url === current) return;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event(kNavigateEvent));
}

export interface LocationState {
  pathname: string;
  search: URLSearchParams;
}

function readLocation(): LocationState {
  return { pathname: location.pathname, search: new URLSearchParams(location.search) };
}

/** The current location, re-rendering on navigate() and on the browser's back/forward. */
export function useLocation(): LocationState {
  const [state, setState] = useState(readLocation);
  useEffect(() => {
    const update = () => setState(readLocation());
    window.addEventListener('popstate', update);
    window.addEventListener(kNavigateEvent, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(kNavigateEvent, update);
    };
  }, []);
  return state;
}

/** A click on an in-app link that the browser should leave alone (new tab, download, ...). */
export function isModifiedClick(event: MouseEvent): boolean {
  return event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
}
