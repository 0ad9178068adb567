// The app: sign-in with an API token, the top bar and the routes.
//
// Session states: "checking" (a stored token is being verified with GET /api/users/me),
// "signed-out", "unreachable" (the check could not reach the server) and "ready". Any 401 from any
// request returns to "signed-out" with the reason shown.

import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiClient, ApiError, type User } from '../api';
import { storeToken, storedToken } from '../session';
import { boardPath, isModifiedClick, navigate, parseRoute, useLocation } from '../router';
import { AppContext, Avatar, EmptyState, ErrorState, NoticeProvider, Spinner, useApp } from './ui';
import { BoardPage } from './board';
import { DealPage } from './deal_page';
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
  const api = useMemo(() => new ApiClient(storedToken()), []);
  const [session, setSession] = useState<Session>(() =>
    storedToken() ? { state: 'checking' } : { state: 'signed-out', reason: null },
  );

  const signOut = useCallback(
    (reason: string | null) => {
      storeToken(null);
      api.setToken(null);
      setSession({ state: 'signed-out', reason });
    },
    [api],
  );

  useEffect(() => {
    api.onUnauthorized = () => signOut('Your session has ended: the token is no longer valid. Sign in again.');
  }, [api, signOut]);

  const check = useCallback(() => {
    setSession({ state: 'checking' });
    api.me().then(
      (user) => setSession({ state: 'ready', user }),
      (e: unknown) => {
        if (e instanceof ApiError && e.status === 401) return; // onUnauthorized has signed out
        const problem = e instanceof ApiError && !e.unreachable ? e.message : null;
        setSession({ state: 'unreachable', problem });
      },
    );
  }, [api]);

  useEffect(() => {
    if (storedToken()) check();
  }, [check]);

  const signedIn = useCallback(
    (token: string, user: User) => {
      storeToken(token);
      api.setToken(token);
      setSession({ state: 'ready', user });
    },
    [api],
  );

  let content;
  switch (session.state) {
    case 'checking':
      content = (
        <main class="page-center">
          <Spinner label="Signing in…" />
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
              <button type="button" class="button button-quiet" onClick={() => signOut(null)}>
                Sign in with another token
              </button>
            </p>
          </div>
        </main>
      );
      break;
    case 'signed-out':
      content = <SignIn reason={session.reason} onSignedIn={signedIn} />;
      break;
    case 'ready':
      content = (
        <AppContext.Provider value={{ api, user: session.user }}>
          <Shell onSignOut={() => signOut(null)} />
        </AppContext.Provider>
      );
      break;
  }
  return <NoticeProvider>{content}</NoticeProvider>;
}

function SignIn({ reason, onSignedIn }: { reason: string | null; onSignedIn: (token: string, user: User) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const value = token.trim();
    if (!value) {
      setError('Enter your API token.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const user = await new ApiClient(value).me();
      onSignedIn(value, user);
    } catch (e) {
      setBusy(false);
      if (e instanceof ApiError && e.status === 401) setError('That token is not valid. Check it and try again.');
      else if (e instanceof ApiError && e.unreachable) setError("Can't reach the Pipedeck server. Try again in a moment.");
      else setError(e instanceof Error ? e.message : 'Sign-in failed.');
    }
  };

  return (
    <main class="page-center">
      <form class="sign-in" onSubmit={submit} noValidate>
        <h1 class="brand brand-large">Pipedeck</h1>
        <p class="muted">Sign in with your API token.</p>
        {reason && (
          <p class="banner banner-warning" role="status">
            {reason}
          </p>
        )}
        <div class="field">
          <label for="sign-in-token">API token</label>
          <input
            id="sign-in-token"
            autofocus
            name="token"
            type="password"
            autocomplete="off"
            spellcheck={false}
            placeholder="pd_…"
            value={token}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? 'sign-in-error' : 'sign-in-help'}
            onInput={(e) => setToken(e.currentTarget.value)}
          />
          {error ? (
            <p id="sign-in-error" class="field-error" role="alert">
              {error}
            </p>
          ) : (
            <p id="sign-in-help" class="field-help">
              <code>pipedeck init</code> prints the first admin's token; <code>pipedeck token create</code> makes more.
            </p>
          )}
        </div>
        <button type="submit" class="button button-primary button-block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
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

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const { user } = useApp();
  const location = useLocation();
  const route = parseRoute(location.pathname);

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
          <Avatar id={user.id} name={user.name} />
          <span class="topbar-user-name" data-testid="user-name">
            {user.name}
          </span>
          <button type="button" class="button button-quiet" onClick={onSignOut}>
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
