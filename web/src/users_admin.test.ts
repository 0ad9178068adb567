import { describe, expect, it } from 'vitest';
import { ApiError, type Team, type User } from './api';
import {
  activeAdminNames,
  checkNewTeam,
  checkNewUser,
  kTeamServerFields,
  kUserServerFields,
  managerChoices,
  memberCounts,
  orList,
  refusalOf,
  teamIdOf,
  teamLabel,
  withRecord,
} from './users_admin';

function user(id: number, name: string, extra: Partial<User> = {}): User {
  return {
    id,
    name,
    email: `${name.toLowerCase().replace(/ /g, '.')}@example.com`,
    role: 'rep',
    active: true,
    team_id: null,
    version: 1,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...extra,
  };
}

const teams: Team[] = [
  { id: 1, name: 'Enterprise', manager_id: 7, version: 1, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' },
  { id: 2, name: 'Mid-market', manager_id: null, version: 1, created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' },
];

describe('checkNewUser', () => {
  it('trims the name and email and sends the role and team', () => {
    expect(checkNewUser({ name: '  Rita Rep ', email: ' rita@example.com ', role: 'manager', team: '2' })).toEqual({
      ok: true,
      input: { name: 'Rita Rep', email: 'rita@example.com', role: 'manager', team_id: 2 },
    });
  });

  it('sends no team as null', () => {
    const checked = checkNewUser({ name: 'Rita', email: 'rita@example.com', role: 'rep', team: '' });
    expect(checked.ok && checked.input.team_id).toBeNull();
  });

  it('names every empty field and leaves the email’s form to the server', () => {
    expect(checkNewUser({ name: ' ', email: '', role: 'rep', team: '' })).toEqual({
      ok: false,
      errors: { name: 'Enter the user’s name.', email: 'Enter the email they will sign in with.' },
    });
    expect(checkNewUser({ name: 'Rita', email: 'not an email', role: 'rep', team: '' }).ok).toBe(true);
  });
});

describe('checkNewTeam', () => {
  it('trims the name and sends the manager', () => {
    expect(checkNewTeam({ name: ' Inbound ', manager: '7' })).toEqual({ ok: true, input: { name: 'Inbound', manager_id: 7 } });
    expect(checkNewTeam({ name: 'Inbound', manager: '' })).toEqual({ ok: true, input: { name: 'Inbound', manager_id: null } });
  });

  it('needs a name', () => {
    expect(checkNewTeam({ name: '  ', manager: '7' })).toEqual({ ok: false, errors: { name: 'Enter the team’s name.' } });
  });
});

describe('teamIdOf', () => {
  it('reads a select’s value', () => {
    expect([teamIdOf('12'), teamIdOf(''), teamIdOf('0'), teamIdOf('x')]).toEqual([12, null, null, null]);
  });
});

describe('refusalOf', () => {
  it('puts a 422 naming a field of the form beside it', () => {
    expect(refusalOf(new ApiError(422, 'invalid', 'must be one of: admin, manager, rep', 'role'), kUserServerFields)).toEqual({
      field: 'role',
      message: 'Must be one of: admin, manager, rep.',
      stale: false,
    });
    expect(refusalOf(new ApiError(422, 'invalid', 'no team with id 99', 'team_id'), kUserServerFields).field).toBe('team');
  });

  it('puts a 409 naming a field beside it too: an email in use, a team name taken', () => {
    expect(refusalOf(new ApiError(409, 'conflict', 'email is already used by user 2', 'email'), kUserServerFields)).toEqual({
      field: 'email',
      message: 'Email is already used by user 2.',
      stale: false,
    });
    expect(refusalOf(new ApiError(409, 'conflict', 'name is already taken by another team', 'name'), kTeamServerFields).field).toBe('name');
  });

  it('keeps for the whole form what names no field of it', () => {
    expect(refusalOf(new ApiError(409, 'conflict', 'you cannot deactivate yourself', 'active'), kUserServerFields)).toEqual({
      field: null,
      message: 'You cannot deactivate yourself.',
      stale: false,
    });
    expect(refusalOf(new ApiError(403, 'forbidden', 'only admins can change users'), kUserServerFields).field).toBeNull();
  });

  it('tells a stale version and an unreachable server apart', () => {
    expect(refusalOf(new ApiError(412, 'precondition_failed', 'version 3 is not current'), kUserServerFields).stale).toBe(true);
    expect(refusalOf(new ApiError(0, 'unreachable', 'The Pipedeck server cannot be reached.'), kUserServerFields)).toEqual({
      field: null,
      message: "Can't reach the Pipedeck server. Try again in a moment.",
      stale: false,
    });
  });
});

describe('reading the lists', () => {
  const users = [
    user(1, 'Ada Admin', { role: 'admin' }),
    user(2, 'Maya Patel', { team_id: 1 }),
    user(3, 'Jonas Becker', { team_id: 1, active: false }),
    user(5, 'Daniel Okafor', { team_id: 2 }),
    user(8, 'Old Admin', { role: 'admin', active: false }),
  ];

  it('names a user’s team', () => {
    expect([teamLabel(teams, 1), teamLabel(teams, null), teamLabel(teams, 9)]).toEqual(['Enterprise', 'No team', 'Team #9']);
  });

  it('counts every member of a team, active or not', () => {
    expect(memberCounts(users)).toEqual(
      new Map([
        [1, 2],
        [2, 1],
      ]),
    );
  });

  it('offers active users as managers, and keeps an inactive current one', () => {
    expect(managerChoices(users, null).map((u) => u.id)).toEqual([1, 2, 5]);
    expect(managerChoices(users, 3).map((u) => u.id)).toEqual([1, 2, 3, 5]);
  });

  it('replaces or adds a record in name order', () => {
    const renamed = { ...users[1]!, name: 'Zoe Patel' };
    expect(withRecord(users, renamed).map((u) => u.name)).toEqual(['Ada Admin', 'Daniel Okafor', 'Jonas Becker', 'Old Admin', 'Zoe Patel']);
    expect(withRecord(teams, { ...teams[0]!, id: 3, name: 'Inbound' }).map((t) => t.name)).toEqual(['Enterprise', 'Inbound', 'Mid-market']);
  });

  it('names the active admins', () => {
    expect(activeAdminNames(users)).toEqual(['Ada Admin']);
    expect(orList(['Ada'])).toBe('Ada');
    expect(orList(['Ada', 'Bo'])).toBe('Ada or Bo');
    expect(orList(['Ada', 'Bo', 'Cy'])).toBe('Ada, Bo or Cy');
    expect(orList([])).toBe('');
  });
});
