// Settings → "Users & teams" (/settings?section=users). For admins: the users with their role and
// team changed in place, deactivation and reactivation, a one-time password reset code, each
// user's API tokens, a form to add a user, and the teams (settings_teams.tsx). Everyone else reads
// that only admins manage users, and who the admins are.
//
// Changes name the version the page shows (If-Match); a 412 reads the lists again. The server's
// refusals are shown where they belong (users_admin.ts): beside the field they name, or in the row
// or dialog of the change. A reset code and a new token's secret are answered once only, so they
// are shown once, with a copy button, and never kept after their dialog or banner closes.

import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiToken, Id, NewApiToken, PasswordResetCode, Role, Team, User } from '../api';
import { formatLocalDateTime } from '../format';
import {
  activeAdminNames,
  checkNewUser,
  kEmptyNewUser,
  kRoleLabels,
  kRoleList,
  kRoleNouns,
  kUserServerFields,
  orList,
  refusalOf,
  teamIdOf,
  withRecord,
  type NewUserField,
  type NewUserForm,
} from '../users_admin';
import type { FieldErrors } from '../account_forms';
import { AppLink, errorText } from './contacts_common';
import { TeamsEditor } from './settings_teams';
import { Avatar, Dialog, ErrorState, Spinner, useApp, useNotify } from './ui';

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready' };

export function UsersAndTeams() {
  const { user } = useApp();
  return user.role === 'admin' ? <UsersAndTeamsEditor /> : <AdminsOnly />;
}

/** What a manager or a rep sees: who can make these changes for them. */
function AdminsOnly() {
  const { api } = useApp();
  const [admins, setAdmins] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    api.users().then(
      (page) => live && setAdmins(activeAdminNames(page.items)),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api]);
  return (
    <section class="panel" aria-labelledby="settings-users-title">
      <h2 id="settings-users-title" class="section-title">
        Users &amp; teams
      </h2>
      <p data-testid="users-admins-only">
        Only admins add users, change roles and teams, reset passwords and manage API tokens.
        {admins.length > 0 && ` Ask ${orList(admins)} when something here needs to change.`}
      </p>
      <p class="muted">
        To change your own password, go to <AppLink href="/account">your account</AppLink>.
      </p>
    </section>
  );
}

function UsersAndTeamsEditor() {
  const { api } = useApp();
  const [users, setUsers] = useState<User[]>([]);
  const [teams, setTeams] = useState<Team[]>([]);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  const read = async () => {
    const [u, t] = await Promise.all([api.users(), api.teams()]);
    setUsers(u.items);
    setTeams(t.items);
  };

  useEffect(() => {
    let live = true;
    setLoad({ state: 'loading' });
    read().then(
      () => live && setLoad({ state: 'ready' }),
      (e: unknown) => live && setLoad({ state: 'error', message: errorText(e) }),
    );
    return () => {
      live = false;
    };
    // `read` only depends on api.
  }, [api, attempt]);

  const reread = () => void read().catch(() => undefined);
  const savedUser = (u: User) => setUsers((list) => withRecord(list, u));

  if (load.state === 'loading') return <Spinner label="Loading users and teams…" />;
  if (load.state === 'error')
    return (
      <ErrorState title="Can't load the users and teams" action={{ label: 'Try again', onClick: () => setAttempt((n) => n + 1) }}>
        The server answered: {load.message}.
      </ErrorState>
    );

  return (
    <>
      <section class="panel" aria-labelledby="settings-users-title">
        <div class="panel-header">
          <h2 id="settings-users-title" class="section-title">
            Users <span class="count-chip">{users.length}</span>
          </h2>
        </div>
        <UsersTable users={users} teams={teams} onSaved={savedUser} onStale={reread} />
        <h3 class="subsection-title">Add a user</h3>
        <AddUserForm teams={teams} onAdded={savedUser} />
      </section>
      <section class="panel" aria-labelledby="settings-teams-title">
        <div class="panel-header">
          <h2 id="settings-teams-title" class="section-title">
            Teams <span class="count-chip">{teams.length}</span>
          </h2>
        </div>
        <TeamsEditor
          teams={teams}
          users={users}
          onSaved={(t) => setTeams((list) => withRecord(list, t))}
          onDeleted={(t) => {
            setTeams((list) => list.filter((x) => x.id !== t.id));
            // Its members are now without a team: read them as the server has them.
            reread();
          }}
          onStale={reread}
        />
      </section>
    </>
  );
}

// ---- The users ----------------------------------------------------------------------------------

function UsersTable({ users, teams, onSaved, onStale }: { users: User[]; teams: Team[]; onSaved: (u: User) => void; onStale: () => void }) {
  const [resetFor, setResetFor] = useState<User | null>(null);
  const [deactivating, setDeactivating] = useState<User | null>(null);
  const [tokensOf, setTokensOf] = useState<Id | null>(null);
  return (
    <div class="table-scroll">
      <table class="data-table users-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Team</th>
            <th scope="col">Active</th>
            <th scope="col">Last change</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <UserRows
              key={u.id}
              user={u}
              teams={teams}
              tokensOpen={tokensOf === u.id}
              onToggleTokens={() => setTokensOf((open) => (open === u.id ? null : u.id))}
              onSaved={onSaved}
              onStale={onStale}
              onReset={() => setResetFor(u)}
              onDeactivate={() => setDeactivating(u)}
            />
          ))}
        </tbody>
      </table>
      {resetFor && <ResetCodeDialog user={resetFor} onClose={() => setResetFor(null)} />}
      {deactivating && (
        <DeactivateDialog
          user={deactivating}
          onClose={() => setDeactivating(null)}
          onDone={(u) => {
            setDeactivating(null);
            onSaved(u);
          }}
          onStale={onStale}
        />
      )}
    </div>
  );
}

type RowField = 'role' | 'team';
const kRowServerFields: Readonly<Record<string, RowField>> = { role: 'role', team_id: 'team' };

interface UserRowsProps {
  user: User;
  teams: Team[];
  tokensOpen: boolean;
  onToggleTokens: () => void;
  onSaved: (u: User) => void;
  onStale: () => void;
  onReset: () => void;
  onDeactivate: () => void;
}

/** A user's row (role and team change as soon as they are chosen), and under it their tokens when open. */
function UserRows({ user, teams, tokensOpen, onToggleTokens, onSaved, onStale, onReset, onDeactivate }: UserRowsProps) {
  const { api, user: me } = useApp();
  const notify = useNotify();
  const [role, setRole] = useState<Role>(user.role);
  const [team, setTeam] = useState(user.team_id === null ? '' : String(user.team_id));
  const [errors, setErrors] = useState<FieldErrors<RowField | 'row'>>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => setRole(user.role), [user.role]);
  useEffect(() => setTeam(user.team_id === null ? '' : String(user.team_id)), [user.team_id]);

  const isMe = user.id === me.id;
  const id = `user-${user.id}`;

  const patch = async (change: { role?: Role; team_id?: Id | null; active?: boolean }, field: RowField | 'row', done: string) => {
    setBusy(true);
    setErrors({});
    try {
      const saved = await api.updateUser(user.id, user.version, change);
      onSaved(saved);
      notify(done);
    } catch (e) {
      setRole(user.role);
      setTeam(user.team_id === null ? '' : String(user.team_id));
      const refusal = refusalOf(e, kRowServerFields);
      setErrors({ [refusal.field ?? field]: refusal.message });
      if (refusal.stale) onStale();
    } finally {
      setBusy(false);
    }
  };

  const described = (field: RowField | 'row') => (errors[field] ? `${id}-${field}-error` : undefined);
  const errorLine = (field: RowField | 'row') =>
    errors[field] && (
      <p id={`${id}-${field}-error`} class="field-error" role="alert" data-field={field}>
        {errors[field]}
      </p>
    );
  const teamName = teams.find((t) => t.id === user.team_id)?.name;

  return (
    <>
      <tr class={`user-row${user.active ? '' : ' is-inactive'}`} data-user-id={user.id}>
        <th scope="row">
          <span class="user-name-cell">
            <Avatar id={user.id} name={user.name} />
            <span>
              {user.name}
              {isMe && <span class="muted"> (you)</span>}
            </span>
          </span>
        </th>
        <td>{user.email}</td>
        <td>
          <select
            id={`${id}-role`}
            aria-label={`Role of ${user.name}`}
            value={role}
            disabled={busy}
            aria-invalid={errors.role ? 'true' : undefined}
            aria-describedby={described('role')}
            onChange={(e) => {
              const next = e.currentTarget.value as Role;
              setRole(next);
              void patch({ role: next }, 'role', `${user.name} is now ${kRoleNouns[next]}.`);
            }}
          >
            {kRoleList.map((r) => (
              <option key={r} value={r}>
                {kRoleLabels[r]}
              </option>
            ))}
          </select>
          {errorLine('role')}
        </td>
        <td>
          <select
            id={`${id}-team`}
            aria-label={`Team of ${user.name}`}
            value={team}
            disabled={busy}
            aria-invalid={errors.team ? 'true' : undefined}
            aria-describedby={described('team')}
            onChange={(e) => {
              const next = e.currentTarget.value;
              setTeam(next);
              const name = teams.find((t) => String(t.id) === next)?.name;
              void patch({ team_id: teamIdOf(next) }, 'team', name ? `${user.name} is now in ${name}.` : `${user.name} is no longer in a team.`);
            }}
          >
            <option value="">No team</option>
            {teams.map((t) => (
              <option key={t.id} value={String(t.id)}>
                {t.name}
              </option>
            ))}
            {user.team_id !== null && teamName === undefined && <option value={String(user.team_id)}>Team #{user.team_id}</option>}
          </select>
          {errorLine('team')}
        </td>
        <td>{user.active ? <span class="badge badge-won">Active</span> : <span class="badge badge-inactive">Inactive</span>}</td>
        <td class="user-changed">
          <time dateTime={user.updated_at}>{formatLocalDateTime(user.updated_at)}</time>
        </td>
        <td>
          <div class="row-actions">
            <button type="button" class="button button-small" aria-label={`Reset password of ${user.name}`} onClick={onReset}>
              Reset password
            </button>
            <button
              type="button"
              class="button button-small"
              aria-label={`API tokens of ${user.name}`}
              aria-expanded={tokensOpen}
              aria-controls={`${id}-tokens`}
              onClick={onToggleTokens}
            >
              API tokens
            </button>
            {user.active ? (
              <button type="button" class="button button-small button-lost" aria-label={`Deactivate ${user.name}`} disabled={busy} onClick={onDeactivate}>
                Deactivate
              </button>
            ) : (
              <button
                type="button"
                class="button button-small"
                aria-label={`Reactivate ${user.name}`}
                disabled={busy}
                onClick={() => void patch({ active: true }, 'row', `${user.name} can sign in again.`)}
              >
                Reactivate
              </button>
            )}
          </div>
          {errorLine('row')}
        </td>
      </tr>
      {tokensOpen && (
        <tr class="user-tokens-row">
          <td colSpan={7} id={`${id}-tokens`}>
            <TokensPanel user={user} />
          </td>
        </tr>
      )}
    </>
  );
}

const kNewUserOrder: readonly NewUserField[] = ['name', 'email', 'role', 'team'];

function AddUserForm({ teams, onAdded }: { teams: Team[]; onAdded: (u: User) => void }) {
  const { api } = useApp();
  const notify = useNotify();
  const [form, setForm] = useState<NewUserForm>(kEmptyNewUser);
  const [errors, setErrors] = useState<FieldErrors<NewUserField>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const showErrors = (found: FieldErrors<NewUserField>) => {
    setErrors(found);
    const first = kNewUserOrder.find((f) => found[f]);
    if (first) formRef.current?.querySelector<HTMLElement>(`#new-user-${first}`)?.focus();
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const checked = checkNewUser(form);
    setFormError(null);
    if (!checked.ok) {
      showErrors(checked.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const created = await api.createUser(checked.input);
      onAdded(created);
      setForm(kEmptyNewUser);
      notify(`Added ${created.name}. Give them a reset code to set their password.`);
      formRef.current?.querySelector<HTMLElement>('#new-user-name')?.focus();
    } catch (err) {
      const refusal = refusalOf(err, kUserServerFields);
      if (refusal.field) showErrors({ [refusal.field]: refusal.message });
      else setFormError(`The user was not added: ${refusal.message}`);
    } finally {
      setBusy(false);
    }
  };

  const attrs = (field: NewUserField) => ({
    id: `new-user-${field}`,
    'aria-invalid': errors[field] ? ('true' as const) : undefined,
    'aria-describedby': errors[field] ? `new-user-${field}-error` : undefined,
  });
  const fieldError = (field: NewUserField) =>
    errors[field] && (
      <p id={`new-user-${field}-error`} class="field-error" data-field={field}>
        {errors[field]}
      </p>
    );
  const set = (patch: Partial<NewUserForm>) => setForm((f) => ({ ...f, ...patch }));

  return (
    <form class="form new-user-form" ref={formRef} onSubmit={submit} noValidate aria-label="Add a user">
      <p class="field-help">
        A new user has no password yet: once they are added, use “Reset password” on their row and give them the code, which they
        enter on the sign-in page.
      </p>
      <div class="form-grid">
        <div class="field">
          <label for="new-user-name">Name</label>
          <input {...attrs('name')} type="text" maxLength={200} autocomplete="off" value={form.name} onInput={(e) => set({ name: e.currentTarget.value })} />
          {fieldError('name')}
        </div>
        <div class="field">
          <label for="new-user-email">Email</label>
          <input
            {...attrs('email')}
            type="email"
            maxLength={320}
            autocomplete="off"
            spellcheck={false}
            value={form.email}
            onInput={(e) => set({ email: e.currentTarget.value })}
          />
          {fieldError('email')}
        </div>
        <div class="field">
          <label for="new-user-role">Role</label>
          <select {...attrs('role')} value={form.role} onChange={(e) => set({ role: e.currentTarget.value as Role })}>
            {kRoleList.map((r) => (
              <option key={r} value={r}>
                {kRoleLabels[r]}
              </option>
            ))}
          </select>
          {fieldError('role')}
        </div>
        <div class="field">
          <label for="new-user-team">Team</label>
          <select {...attrs('team')} value={form.team} onChange={(e) => set({ team: e.currentTarget.value })}>
            <option value="">No team</option>
            {teams.map((t) => (
              <option key={t.id} value={String(t.id)}>
                {t.name}
              </option>
            ))}
          </select>
          {fieldError('team')}
        </div>
      </div>
      {formError && (
        <p class="banner banner-error" role="alert">
          {formError}
        </p>
      )}
      <div class="button-row">
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add user'}
        </button>
      </div>
    </form>
  );
}

function DeactivateDialog({ user, onClose, onDone, onStale }: { user: User; onClose: () => void; onDone: (u: User) => void; onStale: () => void }) {
  const { api } = useApp();
  const notify = useNotify();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const saved = await api.deactivateUser(user.id, user.version);
      notify(`Deactivated ${saved.name}.`);
      onDone(saved);
    } catch (err) {
      setBusy(false);
      const refusal = refusalOf(err, {});
      setError(refusal.message);
      if (refusal.stale) onStale();
    }
  };

  return (
    <Dialog title={`Deactivate ${user.name}?`} onClose={onClose}>
      <form class="form" onSubmit={submit}>
        <p>
          They can no longer sign in or use the API, and their API tokens are revoked. Their deals, contacts and history stay as they are,
          and you can reactivate them later.
        </p>
        {error && (
          <p class="banner banner-error" role="alert" data-testid="deactivate-error">
            {error}
          </p>
        )}
        <div class="button-row button-row-end">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-lost" disabled={busy}>
            {busy ? 'Deactivating…' : 'Deactivate'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

// ---- Secrets shown once -------------------------------------------------------------------------

/**
 * A secret in a read-only field with a Copy button. Where the browser refuses the clipboard the
 * text is selected instead, for the reader to copy.
 */
function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  const [copied, setCopied] = useState<'copied' | 'refused' | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('copied');
    } catch {
      inputRef.current?.select();
      setCopied('refused');
    }
  };
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <div class="copy-row">
        <input id={id} ref={inputRef} class="secret-text" type="text" readOnly value={value} spellcheck={false} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" class="button" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p class="field-help" role="status">
        {copied === 'copied' && 'Copied.'}
        {copied === 'refused' && 'This browser does not allow copying from here: the text is selected, press Ctrl+C (⌘C on a Mac).'}
      </p>
    </div>
  );
}

type ResetState = { state: 'making' } | { state: 'error'; message: string } | { state: 'ready'; reset: PasswordResetCode };

/** Makes a reset code as it opens and shows it, once; nothing of it is kept after it closes. */
function ResetCodeDialog({ user, onClose }: { user: User; onClose: () => void }) {
  const { api } = useApp();
  const [reset, setReset] = useState<ResetState>({ state: 'making' });
  useEffect(() => {
    let live = true;
    api.startPasswordReset(user.id).then(
      (r) => live && setReset({ state: 'ready', reset: r }),
      (e: unknown) => live && setReset({ state: 'error', message: refusalOf(e, {}).message }),
    );
    return () => {
      live = false;
    };
  }, [api, user.id]);

  return (
    <Dialog title={`Reset code for ${user.name}`} onClose={onClose} class="reset-code-dialog">
      <div class="form">
        {reset.state === 'making' && <Spinner label="Making a reset code…" />}
        {reset.state === 'error' && (
          <p class="banner banner-error" role="alert">
            No reset code was made: {reset.message}
          </p>
        )}
        {reset.state === 'ready' && (
          <>
            <p>
              Give this code to {user.name}. On the sign-in page they choose “Have a reset code from your admin?”, enter the code and set a
              new password.
            </p>
            <CopyField id="reset-code-value" label="Reset code" value={reset.reset.code} />
            <p class="field-help" data-testid="reset-code-expiry">
              It works once, until <time dateTime={reset.reset.expires_at}>{formatLocalDateTime(reset.reset.expires_at)}</time>. It is shown
              only now: copy it before you close this.
            </p>
          </>
        )}
        <div class="button-row button-row-end">
          <button type="button" class={`button${reset.state === 'ready' ? ' button-primary' : ''}`} onClick={onClose}>
            {reset.state === 'ready' ? 'Done' : 'Close'}
          </button>
        </div>
      </div>
    </Dialog>
  );
}

// ---- API tokens ---------------------------------------------------------------------------------

function TokensPanel({ user }: { user: User }) {
  const { api } = useApp();
  const notify = useNotify();
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<NewApiToken | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const id = `user-${user.id}-token`;

  useEffect(() => {
    let live = true;
    setLoadError(null);
    api.tokens(user.id).then(
      (page) => live && setTokens(page.items),
      (e: unknown) => live && setLoadError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [api, user.id, attempt]);

  const create = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    setCreated(null);
    try {
      const token = await api.createToken(user.id, name.trim());
      setCreated(token);
      setTokens((list) => [...(list ?? []), token]);
      setName('');
    } catch (err) {
      const refusal = refusalOf(err, { name: 'name' });
      setError(refusal.field ? refusal.message : `No token was made: ${refusal.message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="tokens-panel" aria-label={`API tokens of ${user.name}`} role="group">
      <h3 class="subsection-title">API tokens of {user.name}</h3>
      {loadError ? (
        <ErrorState title="Can't load the tokens" action={{ label: 'Try again', onClick: () => setAttempt((n) => n + 1) }}>
          The server answered: {loadError}.
        </ErrorState>
      ) : tokens === null ? (
        <Spinner label="Loading tokens…" />
      ) : tokens.length === 0 ? (
        <p class="field-help">No API tokens. A token lets a program (an integration, a script) use the API as {user.name}.</p>
      ) : (
        <table class="data-table tokens-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Starts with</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((t) => (
              <tr key={t.id} data-token-id={t.id}>
                <th scope="row">{t.name}</th>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>
                  <time dateTime={t.created_at}>{formatLocalDateTime(t.created_at)}</time>
                </td>
                <td>{t.last_used_at ? <time dateTime={t.last_used_at}>{formatLocalDateTime(t.last_used_at)}</time> : <span class="muted">Never</span>}</td>
                <td>
                  <button type="button" class="button button-small button-lost" aria-label={`Revoke token ${t.name}`} onClick={() => setRevoking(t)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {created && (
        <div class="banner banner-success token-secret" role="status">
          <p>
            Token “{created.name}” created. Copy it now: it is not shown again.
          </p>
          <CopyField id={`${id}-secret`} label="New token" value={created.token} />
        </div>
      )}
      <form class="add-row" onSubmit={create} noValidate aria-label={`New API token for ${user.name}`}>
        <div class="field field-grow">
          <label for={`${id}-name`}>Name of a new token</label>
          <input
            id={`${id}-name`}
            type="text"
            maxLength={200}
            placeholder="For example: Spreadsheet sync"
            value={name}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? `${id}-name-error` : undefined}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          {error && (
            <p id={`${id}-name-error`} class="field-error" data-field="name">
              {error}
            </p>
          )}
        </div>
        <button type="submit" class="button" disabled={busy}>
          {busy ? 'Creating…' : 'Create token'}
        </button>
      </form>
      {revoking && (
        <RevokeTokenDialog
          user={user}
          token={revoking}
          onClose={() => setRevoking(null)}
          onRevoked={() => {
            setTokens((list) => (list ?? []).filter((t) => t.id !== revoking.id));
            if (created?.id === revoking.id) setCreated(null);
            notify(`Revoked the token “${revoking.name}”.`);
            setRevoking(null);
          }}
        />
      )}
    </div>
  );
}

function RevokeTokenDialog({ user, token, onClose, onRevoked }: { user: User; token: ApiToken; onClose: () => void; onRevoked: () => void }) {
  const { api } = useApp();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.revokeToken(user.id, token.id);
      onRevoked();
    } catch (err) {
      setBusy(false);
      setError(`Not revoked: ${refusalOf(err, {}).message}`);
    }
  };
  return (
    <Dialog title={`Revoke the token “${token.name}”?`} onClose={onClose}>
      <form class="form" onSubmit={submit}>
        <p>Programs that use it can no longer reach the API as {user.name}. This can't be undone; a new token can be made instead.</p>
        {error && (
          <p class="banner banner-error" role="alert">
            {error}
          </p>
        )}
        <div class="button-row button-row-end">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-lost" disabled={busy}>
            {busy ? 'Revoking…' : 'Revoke token'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
