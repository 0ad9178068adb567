// The rules of Settings → "Users & teams": the forms that add a user or a team as typed → the
// request bodies, a refusal → the field it is shown beside, and how roles, teams, members and
// token use read. No I/O; components/settings_users.tsx and settings_teams.tsx use these.
//
// The browser checks only what it can see (an empty name or email); the rest is the server's to
// judge. Besides its 422s, the server names a field in some 409s too (an email another user has, a
// team name taken, the last active admin's role), and those are shown beside that field as well.

import { ApiError, type Id, type Role, type Team, type TeamInput, type User, type UserInput } from './api';
import type { FieldErrors, FormCheck } from './account_forms';
import { sentence } from './contact_fields';

export const kRoleLabels: Readonly<Record<Role, string>> = { admin: 'Admin', manager: 'Manager', rep: 'Sales rep' };
export const kRoleList: readonly Role[] = ['admin', 'manager', 'rep'];

/** A role in a sentence: "Maya Patel is now a manager." */
export const kRoleNouns: Readonly<Record<Role, string>> = { admin: 'an admin', manager: 'a manager', rep: 'a sales rep' };

// ---- Adding a user ------------------------------------------------------------------------------

export interface NewUserForm {
  name: string;
  email: string;
  role: Role;
  /** The <select> value: a team id, or "" for none. */
  team: string;
}

export type NewUserField = keyof NewUserForm;

export const kEmptyNewUser: NewUserForm = { name: '', email: '', role: 'rep', team: '' };

/** Server field names of POST /api/users → the form's fields. */
export const kUserServerFields: Readonly<Record<string, NewUserField>> = { name: 'name', email: 'email', role: 'role', team_id: 'team' };

export type UserCreate = UserInput & { name: string; email: string };

export function checkNewUser(form: NewUserForm): FormCheck<NewUserField, UserCreate> {
  const errors: FieldErrors<NewUserField> = {};
  const name = form.name.trim();
  const email = form.email.trim();
  if (!name) errors.name = 'Enter the user’s name.';
  if (!email) errors.email = 'Enter the email they will sign in with.';
  const input: UserCreate = { name, email, role: form.role, team_id: teamIdOf(form.team) };
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, input };
}

/** A team <select>'s value as the API's team_id: "" → null. */
export function teamIdOf(value: string): Id | null {
  return /^[1-9][0-9]*$/.test(value) ? Number(value) : null;
}

// ---- Adding a team ------------------------------------------------------------------------------

export interface NewTeamForm {
  name: string;
  /** The <select> value: a user id, or "" for none. */
  manager: string;
}

export type NewTeamField = keyof NewTeamForm;

/** Server field names of POST and PATCH /api/teams → the form's fields. */
export const kTeamServerFields: Readonly<Record<string, NewTeamField>> = { name: 'name', manager_id: 'manager' };

export function checkNewTeam(form: NewTeamForm): FormCheck<NewTeamField, TeamInput & { name: string }> {
  const name = form.name.trim();
  if (!name) return { ok: false, errors: { name: 'Enter the team’s name.' } };
  return { ok: true, input: { name, manager_id: teamIdOf(form.manager) } };
}

// ---- Refusals -----------------------------------------------------------------------------------

export interface Refusal<F extends string> {
  /** The field the message is shown beside; null: for the whole form or row. */
  field: F | null;
  message: string;
  /** A 412: someone changed the record meanwhile; the caller reads it again. */
  stale: boolean;
}

/**
 * Where and how a refused change is told. A 422 or 409 naming one of `serverFields` goes beside
 * that field, in the server's words; anything else is for the whole form or row.
 */
export function refusalOf<F extends string>(error: unknown, serverFields: Readonly<Record<string, F>>): Refusal<F> {
  if (!(error instanceof ApiError)) {
    return { field: null, message: error instanceof Error && error.message ? sentence(error.message) : 'Something went wrong. Try again.', stale: false };
  }
  if (error.unreachable) return { field: null, message: "Can't reach the Pipedeck server. Try again in a moment.", stale: false };
  if (error.status === 412) {
    return { field: null, message: 'It was changed meanwhile (in another tab or by another admin); the current version is shown now. Try again if it still applies.', stale: true };
  }
  const named = (error.status === 422 || error.status === 409) && error.field !== null && Object.hasOwn(serverFields, error.field);
  return { field: named ? serverFields[error.field!]! : null, message: sentence(error.message), stale: false };
}

// ---- Reading the lists --------------------------------------------------------------------------

/** The team a user is in, by name: "No team", or "Team #4" for one this page has not read. */
export function teamLabel(teams: readonly Team[], teamId: Id | null): string {
  if (teamId === null) return 'No team';
  return teams.find((t) => t.id === teamId)?.name ?? `Team #${teamId}`;
}

/** How many users each team has (active or not), by team id. */
export function memberCounts(users: readonly User[]): Map<Id, number> {
  const counts = new Map<Id, number>();
  for (const u of users) {
    if (u.team_id !== null) counts.set(u.team_id, (counts.get(u.team_id) ?? 0) + 1);
  }
  return counts;
}

/** Who may manage a team: the active users, and the current manager even when inactive (so the choice stays shown). */
export function managerChoices(users: readonly User[], currentManager: Id | null): User[] {
  return users.filter((u) => u.active || u.id === currentManager);
}

/** The list with `changed` in place of the record of the same id, or added, kept in name order. */
export function withRecord<T extends { id: Id; name: string }>(list: readonly T[], changed: T): T[] {
  const rest = list.filter((x) => x.id !== changed.id);
  return [...rest, changed].sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
}

/** The names of the workspace's active admins, for someone who needs one. */
export function activeAdminNames(users: readonly User[]): string[] {
  return users.filter((u) => u.role === 'admin' && u.active).map((u) => u.name);
}

/** "Ada Admin", "Ada Admin or Bo Boss", "Ada Admin, Bo Boss or Cy Chief". */
export function orList(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}
