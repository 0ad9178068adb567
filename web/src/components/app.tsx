// The app: the session, the top bar and the routes.
//
// Session states: "checking" (GET /api/auth/session asks whether the browser's session cookie is
// a live session), "signed-out" (the sign-in form, sign_in.tsx), "unreachable" (the check could
// not reach the server, or it failed otherwise) and "ready". Signing in gives the session's CSRF
// token, which the API client keeps in memory only: nothing of the session goes to localStorage,
// and the session's secret is the HttpOnly cookie, which scripts never see. Any 401 while signed in
// returns to "signed-out" with the reason shown; signing out ends the session on the server first.

import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiClient, ApiError, type AuthSession, type User } from '../api';
import { sentence } from '../contact_fields';
import { liveFor } from '../live';
import { boardPath, isModifiedClick, navigate, parseRoute, useLocation } from '../router';
import { AppContext, Avatar, EmptyState, ErrorState, NoticeProvider, Spinner, useApp, useNotify } from './ui';
import { AccountPage } from './account_page';
import { BoardPage } from './board';
import { DealPage } from './deal_page';
import { SignedOutScreen } from './sign_in';
// ---- Agenda, contacts and settings
import { AgendaPage } from './agenda';
import { OrganizationsPage, PersonsPage } from './contacts_lists';
import { OrganizationPage } from './organization_page';
import { PersonPage } from './person_page';
import { SettingsPage } from './settings';
// ---- Analytics
import { DashboardPage } from './dashboard';
import { HealthPage } from './health';
// ---- Import and export
import { ImportPage } from './import_page';

type Session =
  | { state: 'checking' }
  | { state: 'signed-out'; reason: string | null }
  | { state: 'unreachable'; problem: string | null }
  | { state: 'ready'; user: User };

export function App() {
  const api = useMemo(() => new ApiClient(), []);
  const [session, setSession] = useState<Session>({ state: 'checking' });

  /** Forgets the session in this tab: its CSRF token, the event stream and the signed-in pages. */
  const endSession = useCallback(
    (reason: string | null) => {
      api.setSession(null);
      liveFor(api).stop();
      setSession({ state: 'signed-out', reason });
    },
    [api],
  );

  useEffect(() => {
    api.onUnauthorized = () => endSession('Your session has ended. Sign in again.');
  }, [api, endSession]);

  const started = useCallback(
    (signedIn: AuthSession) => {
      api.setSession(signedIn.csrf_token);
      setSession({ state: 'ready', user: signedIn.user });
    },
    [api],
  );

  const check = useCallback(() => {
    setSession({ state: 'checking' });
    api.session().then(started, (e: unknown) => {
      // No cookie, or one whose session has ended: simply not signed in.
      if (e instanceof ApiError && e.status === 401) {
        setSession({ state: 'signed-out', reason: null });
        return;
      }
      const problem = e instanceof ApiError && !e.unreachable ? e.message : null;
      setSession({ state: 'unreachable', problem });
    });
  }, [api, started]);

  useEffect(() => {
    check();
  }, [check]);

  /** Ends the session on the server, then here; rejects (still signed in) when the server did not. */
  const signOut = useCallback(async () => {
    try {
      await api.signOut();
    } catch (e) {
      // The session had already ended: onUnauthorized has returned to the sign-in form.
      if (e instanceof ApiError && e.status === 401) return;
      throw e;
    }
    endSession(null);
  }, [api, endSession]);

  let content;
  switch (session.state) {
    case 'checking':
      content = (
        <main class="page-center">
          <Spinner label="Loading Pipedeck…" />
        </main>
      );
      break;
    case 'unreachable':
      content = (
        <main class="page-center">
          <div>
            {session.problem === null ? (
              <ErrorState title="Can't reach the Pipedeck server" action={{ label: 'Try again', onClick: check }}>
                Check that the server is running and that this device is online, then try again.
              </ErrorState>
            ) : (
              <ErrorState title="The Pipedeck server could not sign you in" action={{ label: 'Try again', onClick: check }}>
                It answered: {session.problem}
              </ErrorState>
            )}
            <p class="state-aside">
              <button type="button" class="button button-quiet" onClick={() => setSession({ state: 'signed-out', reason: null })}>
                Sign in again
              </button>
            </p>
          </div>
        </main>
      );
      break;
    case 'signed-out':
      content = <SignedOutScreen api={api} reason={session.reason} onSignedIn={started} />;
      break;
    case 'ready':
      content = (
        <AppContext.Provider value={{ api, user: session.user }}>
          <Shell onSignOut={signOut} />
        </AppContext.Provider>
      );
      break;
  }
  return <NoticeProvider>{content}</NoticeProvider>;
}

function NavLink({ href, active, children }: { href: string; active: boolean; children: string }) {
  return (
    <a
      href={href}
      class={`nav-link${active ? ' nav-link-active' : ''}`}
      aria-current={active ? 'page' : undefined}
      onClick={(e) => {
        if (isModifiedClick(e)) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

function Shell({ onSignOut }: { onSignOut: () => Promise<void> }) {
  const { user } = useApp();
  const notify = useNotify();
  const location = useLocation();
  const route = parseRoute(location.pathname);
  const [signingOut, setSigningOut] = useState(false);

  const signOut = () => {
    setSigningOut(true);
    onSignOut().catch((e: unknown) => {
      setSigningOut(false);
      notify(`You are still signed in: ${e instanceof Error ? sentence(e.message) : 'the server did not answer.'}`, 'error');
    });
  };

  let page;
  switch (route.name) {
    case 'home':
      page = <HomeRedirect />;
      break;
    case 'board':
      page = <BoardPage pipelineId={route.pipelineId} search={location.search} />;
      break;
    case 'deal':
      page = <DealPage key={route.dealId} dealId={route.dealId} />;
      break;
    // ---- Agenda, contacts and settings
    case 'agenda':
      page = <AgendaPage />;
      break;
    case 'persons':
      page = <PersonsPage search={location.search} />;
      break;
    case 'person':
      page = <PersonPage key={route.personId} personId={route.personId} />;
      break;
    case 'organizations':
      page = <OrganizationsPage search={location.search} />;
      break;
    case 'organization':
      page = <OrganizationPage key={route.orgId} orgId={route.orgId} />;
      break;
    case 'settings':
      page = <SettingsPage search={location.search} />;
      break;
    // ---- end of agenda, contacts and settings
    // ---- Analytics
    case 'dashboard':
      page = <DashboardPage search={location.search} />;
      break;
    case 'health':
      page = <HealthPage search={location.search} />;
      break;
    // ---- end of analytics
    case 'import': // ---- Import and export
      page = <ImportPage search={location.search} />;
      break;
    case 'account':
      page = <AccountPage />;
      break;
    case 'not-found':
      page = (
        <main class="page-center">
          <EmptyState title="Page not found" action={{ label: 'Go to the board', onClick: () => navigate('/') }}>
            There is nothing at {route.path}.
          </EmptyState>
        </main>
      );
      break;
  }

  return (
    <div class="app">
      <header class="topbar">
        <a
          href="/"
          class="brand"
          onClick={(e) => {
            if (isModifiedClick(e)) return;
            e.preventDefault();
            navigate('/');
          }}
        >
          Pipedeck
        </a>
        <nav class="nav" aria-label="Main">
          <NavLink href="/" active={route.name === 'board' || route.name === 'home'}>
            Board
          </NavLink>
          {/* ---- Agenda, contacts and settings */}
          <NavLink href="/agenda" active={route.name === 'agenda'}>
            Agenda
          </NavLink>
          <NavLink href="/persons" active={route.name === 'persons' || route.name === 'person' || route.name === 'organizations' || route.name === 'organization'}>
            Contacts
          </NavLink>
          {/* ---- Analytics */}
          <NavLink href="/dashboard" active={route.name === 'dashboard'}>
            Dashboard
          </NavLink>
          <NavLink href="/health" active={route.name === 'health'}>
            Health
          </NavLink>
          {/* ---- end of analytics */}
          <NavLink href="/import" active={route.name === 'import'}>
            Import &amp; export
          </NavLink>
          <NavLink href="/settings" active={route.name === 'settings'}>
            Settings
          </NavLink>
        </nav>
        <div class="topbar-user">
          <a
            href="/account"
            class={`topbar-account${route.name === 'account' ? ' nav-link-active' : ''}`}
            aria-label={`Your account: ${user.name}`}
            aria-current={route.name === 'account' ? 'page' : undefined}
            onClick={(e) => {
              if (isModifiedClick(e)) return;
              e.preventDefault();
              navigate('/account');
            }}
          >
            <Avatar id={user.id} name={user.name} />
            <span class="topbar-user-name" data-testid="user-name">
              {user.name}
            </span>
          </a>
          <button type="button" class="button button-quiet" disabled={signingOut} onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      {page}
    </div>
  );
}

/** "/": the board of the first pipeline, or the empty state when there is none. */
function HomeRedirect() {
  const { api } = useApp();
  const [state, setState] = useState<'loading' | 'empty' | 'error'>('loading');
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setState('loading');
    api.pipelines().then(
      (page) => {
        if (!live) return;
        const first = page.items.find((p) => p.active) ?? page.items[0];
        if (first) navigate(boardPath(first.id), { replace: true });
        else setState('empty');
      },
      () => live && setState('error'),
    );
    return () => {
      live = false;
    };
  }, [api, attempt]);

  return (
    <main class="page-center">
      {state === 'loading' && <Spinner label="Loading pipelines…" />}
      {state === 'empty' && (
        <EmptyState title="No pipelines yet">
          This workspace has no pipeline. An admin can create one from a stage template (for example
          with <code>POST /api/pipelines</code> and <code>"template": "5-stage"</code>); the board
          appears here as soon as it exists.
        </EmptyState>
      )}
      {state === 'error' && (
        <ErrorState title="Can't load the pipelines" action={{ label: 'Try again', onClick: () => setAttempt((n) => n + 1) }}>
          The server did not answer. Check that it is running, then try again.
        </ErrorState>
      )}
    </main>
  );
}
