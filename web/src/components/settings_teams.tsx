// The teams of Settings → "Users & teams" (admins): each team renamed in place, its manager changed
// as soon as one is chosen, its members counted, and deleted after a confirmation (its members are
// then without a team and its quotas are gone); and a form to add a team. A user joins a team from
// their row in the users table.

import { useEffect, useRef, useState } from 'preact/hooks';
import type { Id, Team, User } from '../api';
import { plural } from '../format';
import { checkNewTeam, kTeamServerFields, managerChoices, memberCounts, refusalOf, teamIdOf, type NewTeamField, type NewTeamForm } from '../users_admin';
import type { FieldErrors } from '../account_forms';
import { Dialog, useApp, useNotify } from './ui';

interface TeamsEditorProps {
  teams: Team[];
  users: User[];
  onSaved: (team: Team) => void;
  onDeleted: (team: Team) => void;
  onStale: () => void;
}

export function TeamsEditor({ teams, users, onSaved, onDeleted, onStale }: TeamsEditorProps) {
  const notify = useNotify();
  const [deleting, setDeleting] = useState<Team | null>(null);
  const counts = memberCounts(users);
  return (
    <div class="teams-editor">
      {teams.length === 0 ? (
        <div class="section-empty" data-empty>
          <strong>No teams yet</strong>
          <span>A team groups reps under a manager, for the dashboard's team view and team quotas. Add one below.</span>
        </div>
      ) : (
        <div class="table-scroll">
          <table class="data-table teams-table">
            <thead>
              <tr>
                <th scope="col">Team</th>
                <th scope="col">Manager</th>
                <th scope="col" class="num">
                  Members
                </th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {teams.map((t) => (
                <TeamRow key={t.id} team={t} users={users} members={counts.get(t.id) ?? 0} onSaved={onSaved} onStale={onStale} onDelete={() => setDeleting(t)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3 class="subsection-title">Add a team</h3>
      <AddTeamForm users={users} onAdded={onSaved} />
      {deleting && (
        <DeleteTeamDialog
          team={deleting}
          members={counts.get(deleting.id) ?? 0}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            notify(`Deleted the team “${deleting.name}”.`);
            onDeleted(deleting);
            setDeleting(null);
          }}
          onStale={onStale}
        />
      )}
    </div>
  );
}

function ManagerOptions({ users, current }: { users: User[]; current: Id | null }) {
  return (
    <>
      <option value="">No manager</option>
      {managerChoices(users, current).map((u) => (
        <option key={u.id} value={String(u.id)}>
          {u.active ? u.name : `${u.name} (inactive)`}
        </option>
      ))}
    </>
  );
}

type TeamRowField = 'name' | 'manager';

interface TeamRowProps {
  team: Team;
  users: User[];
  members: number;
  onSaved: (team: Team) => void;
  onStale: () => void;
  onDelete: () => void;
}

function TeamRow({ team, users, members, onSaved, onStale, onDelete }: TeamRowProps) {
  const { api } = useApp();
  const notify = useNotify();
  const [name, setName] = useState(team.name);
  const [manager, setManager] = useState(team.manager_id === null ? '' : String(team.manager_id));
  const [errors, setErrors] = useState<FieldErrors<TeamRowField | 'row'>>({});
  const [busy, setBusy] = useState(false);
  const id = `team-${team.id}`;

  useEffect(() => setName(team.name), [team.name]);
  useEffect(() => setManager(team.manager_id === null ? '' : String(team.manager_id)), [team.manager_id]);

  const patch = async (change: { name?: string; manager_id?: Id | null }, field: TeamRowField, done: (t: Team) => string) => {
    setBusy(true);
    setErrors({});
    try {
      const saved = await api.updateTeam(team.id, team.version, change);
      onSaved(saved);
      notify(done(saved));
    } catch (e) {
      setManager(team.manager_id === null ? '' : String(team.manager_id));
      const refusal = refusalOf(e, kTeamServerFields);
      setErrors({ [refusal.field ?? (field === 'name' ? 'name' : 'row')]: refusal.message });
      if (refusal.stale) onStale();
    } finally {
      setBusy(false);
    }
  };

  const rename = (e: Event) => {
    e.preventDefault();
    if (busy || name.trim() === team.name) return;
    if (!name.trim()) {
      setErrors({ name: 'Enter the team’s name.' });
      return;
    }
    void patch({ name: name.trim() }, 'name', (t) => `Renamed to “${t.name}”.`);
  };

  const dirty = name !== team.name;
  const described = (field: TeamRowField | 'row') => (errors[field] ? `${id}-${field}-error` : undefined);
  const errorLine = (field: TeamRowField | 'row') =>
    errors[field] && (
      <p id={`${id}-${field}-error`} class="field-error" role="alert" data-field={field}>
        {errors[field]}
      </p>
    );

  return (
    <tr data-team-id={team.id}>
      <th scope="row">
        <form class="team-name-form" onSubmit={rename} noValidate aria-label={`Rename the team ${team.name}`}>
          <input
            id={`${id}-name`}
            type="text"
            maxLength={200}
            aria-label={`Name of the team ${team.name}`}
            value={name}
            aria-invalid={errors.name ? 'true' : undefined}
            aria-describedby={described('name')}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          {dirty && (
            <>
              <button type="submit" class="button button-primary button-small" disabled={busy}>
                Rename
              </button>
              <button type="button" class="button button-small" onClick={() => setName(team.name)}>
                Discard
              </button>
            </>
          )}
        </form>
        {errorLine('name')}
      </th>
      <td>
        <select
          id={`${id}-manager`}
          aria-label={`Manager of ${team.name}`}
          value={manager}
          disabled={busy}
          aria-invalid={errors.manager ? 'true' : undefined}
          aria-describedby={described('manager')}
          onChange={(e) => {
            const next = e.currentTarget.value;
            setManager(next);
            void patch({ manager_id: teamIdOf(next) }, 'manager', (t) => {
              const who = users.find((u) => u.id === t.manager_id)?.name;
              return who ? `${who} manages ${t.name} now.` : `${t.name} has no manager now.`;
            });
          }}
        >
          <ManagerOptions users={users} current={team.manager_id} />
        </select>
        {errorLine('manager')}
      </td>
      <td class="num">{members}</td>
      <td>
        <button type="button" class="button button-small button-lost" aria-label={`Delete the team ${team.name}`} onClick={onDelete}>
          Delete
        </button>
        {errorLine('row')}
      </td>
    </tr>
  );
}

const kEmptyTeam: NewTeamForm = { name: '', manager: '' };

function AddTeamForm({ users, onAdded }: { users: User[]; onAdded: (team: Team) => void }) {
  const { api } = useApp();
  const notify = useNotify();
  const [form, setForm] = useState<NewTeamForm>(kEmptyTeam);
  const [errors, setErrors] = useState<FieldErrors<NewTeamField>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const showErrors = (found: FieldErrors<NewTeamField>) => {
    setErrors(found);
    const first = (['name', 'manager'] as const).find((f) => found[f]);
    if (first) formRef.current?.querySelector<HTMLElement>(`#new-team-${first}`)?.focus();
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const checked = checkNewTeam(form);
    setFormError(null);
    if (!checked.ok) {
      showErrors(checked.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const team = await api.createTeam(checked.input);
      onAdded(team);
      setForm(kEmptyTeam);
      notify(`Added the team “${team.name}”.`);
    } catch (err) {
      const refusal = refusalOf(err, kTeamServerFields);
      if (refusal.field) showErrors({ [refusal.field]: refusal.message });
      else setFormError(`The team was not added: ${refusal.message}`);
    } finally {
      setBusy(false);
    }
  };

  const attrs = (field: NewTeamField) => ({
    id: `new-team-${field}`,
    'aria-invalid': errors[field] ? ('true' as const) : undefined,
    'aria-describedby': errors[field] ? `new-team-${field}-error` : undefined,
  });
  const fieldError = (field: NewTeamField) =>
    errors[field] && (
      <p id={`new-team-${field}-error`} class="field-error" data-field={field}>
        {errors[field]}
      </p>
    );

  return (
    <form class="add-row" ref={formRef} onSubmit={submit} noValidate aria-label="Add a team">
      <div class="field field-grow">
        <label for="new-team-name">Team name</label>
        <input {...attrs('name')} type="text" maxLength={200} value={form.name} onInput={(e) => setForm((f) => ({ ...f, name: e.currentTarget.value }))} />
        {fieldError('name')}
      </div>
      <div class="field field-grow">
        <label for="new-team-manager">Manager</label>
        <select {...attrs('manager')} value={form.manager} onChange={(e) => setForm((f) => ({ ...f, manager: e.currentTarget.value }))}>
          <ManagerOptions users={users} current={null} />
        </select>
        {fieldError('manager')}
      </div>
      <button type="submit" class="button" disabled={busy}>
        {busy ? 'Adding…' : 'Add team'}
      </button>
      {formError && (
        <p class="banner banner-error add-row-error" role="alert">
          {formError}
        </p>
      )}
    </form>
  );
}

function DeleteTeamDialog({
  team,
  members,
  onClose,
  onDeleted,
  onStale,
}: {
  team: Team;
  members: number;
  onClose: () => void;
  onDeleted: () => void;
  onStale: () => void;
}) {
  const { api } = useApp();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.deleteTeam(team.id, team.version);
      onDeleted();
    } catch (err) {
      setBusy(false);
      const refusal = refusalOf(err, {});
      setError(`Not deleted: ${refusal.message}`);
      if (refusal.stale) onStale();
    }
  };
  return (
    <Dialog title={`Delete the team “${team.name}”?`} onClose={onClose}>
      <form class="form" onSubmit={submit}>
        <p>
          {members === 0 ? 'It has no members.' : members === 1 ? 'Its member is left without a team.' : `Its ${plural(members, 'member')} are left without a team.`}{' '}
          The team's quotas are deleted with it; the deals of its members stay as they are.
        </p>
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
            {busy ? 'Deleting…' : 'Delete team'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
