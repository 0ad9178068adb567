// The contact pages' pure logic: editable lists of emails and phones, the PATCH a person or an
// organization form sends (changed fields only), where a server error's `field` belongs in the form,
// and the list pages' sort choices.

import type { ContactPoint, ContactPointInput, Organization, OrganizationInput, Person, PersonInput } from './api';

/** One row of an emails or phones editor. `key` keeps rows apart while they are edited. */
export interface PointDraft {
  key: number;
  value: string;
  label: string;
  primary: boolean;
}

let nextKey = 1;

export function newPointDraft(primary = false): PointDraft {
  return { key: nextKey++, value: '', label: '', primary };
}

export function draftsFromPoints(points: readonly ContactPoint[]): PointDraft[] {
  return points.map((p) => ({ key: nextKey++, value: p.value, label: p.label ?? '', primary: p.primary }));
}

/**
 * The rows as the API takes them: blank rows dropped, text trimmed, and exactly one primary when
 * any row is left (the first, unless another is marked). `keys` gives the row each item came from,
 * so an error on `emails[1]` can be shown next to the right row.
 */
export function pointsFromDrafts(drafts: readonly PointDraft[]): { points: ContactPointInput[]; keys: number[] } {
  const kept = drafts.filter((d) => d.value.trim() !== '');
  const primaryAt = Math.max(0, kept.findIndex((d) => d.primary));
  return {
    points: kept.map((d, i) => ({ value: d.value.trim(), label: d.label.trim() || null, primary: i === primaryAt })),
    keys: kept.map((d) => d.key),
  };
}

function normalPoints(points: readonly ContactPointInput[]): string {
  return JSON.stringify(points.map((p) => [p.value, p.label ?? '', !!p.primary]));
}

export function samePoints(a: readonly ContactPointInput[], b: readonly ContactPointInput[]): boolean {
  return normalPoints(a) === normalPoints(b);
}

/** `drafts` with the row `key` made the only primary one. */
export function makePrimary(drafts: readonly PointDraft[], key: number): PointDraft[] {
  return drafts.map((d) => ({ ...d, primary: d.key === key }));
}

/** `drafts` without the row `key`; the first row becomes primary if the primary one was removed. */
export function removeDraft(drafts: readonly PointDraft[], key: number): PointDraft[] {
  const rest = drafts.filter((d) => d.key !== key);
  if (rest.length > 0 && !rest.some((d) => d.primary)) rest[0] = { ...rest[0]!, primary: true };
  return rest;
}

export interface PersonDraft {
  name: string;
  emails: PointDraft[];
  phones: PointDraft[];
  orgId: number | null;
}

export function personDraft(p: Person): PersonDraft {
  return { name: p.name, emails: draftsFromPoints(p.emails), phones: draftsFromPoints(p.phones), orgId: p.org_id };
}

export interface PersonChanges {
  patch: PersonInput;
  /** Row keys of the sent emails and phones, by index. */
  emailKeys: number[];
  phoneKeys: number[];
}

/** The fields of `draft` that differ from `person`: the body of the PATCH (empty when nothing changed). */
export function personChanges(person: Person, draft: PersonDraft): PersonChanges {
  const patch: PersonInput = {};
  const name = draft.name.trim();
  if (name !== person.name) patch.name = name;
  const emails = pointsFromDrafts(draft.emails);
  if (!samePoints(emails.points, person.emails)) patch.emails = emails.points;
  const phones = pointsFromDrafts(draft.phones);
  if (!samePoints(phones.points, person.phones)) patch.phones = phones.points;
  if (draft.orgId !== person.org_id) patch.org_id = draft.orgId;
  return { patch, emailKeys: emails.keys, phoneKeys: phones.keys };
}

export interface OrganizationDraft {
  name: string;
  address: string;
}

export function organizationDraft(o: Organization): OrganizationDraft {
  return { name: o.name, address: o.address ?? '' };
}

export function organizationChanges(org: Organization, draft: OrganizationDraft): OrganizationInput {
  const patch: OrganizationInput = {};
  const name = draft.name.trim();
  if (name !== org.name) patch.name = name;
  const address = draft.address.trim();
  if (address !== (org.address ?? '').trim()) patch.address = address === '' ? null : address;
  return patch;
}

/** A server error's `field`: "name" → {field: "name"}; "emails[1].value" → {field: "emails", index: 1}. */
export function parseFieldPath(path: string): { field: string; index: number | null } {
  const m = /^([a-z_]+)(?:\[(\d+)\])?/.exec(path);
  if (!m) return { field: path, index: null };
  return { field: m[1]!, index: m[2] === undefined ? null : Number(m[2]) };
}

/** A server message as a sentence: "must not be empty" → "Must not be empty." */
export function sentence(message: string): string {
  const s = message.trim();
  if (!s) return s;
  const capital = s[0]!.toUpperCase() + s.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

export interface SortChoice {
  value: string;
  label: string;
}

/** The list pages' sort choices (docs/api.md: name, created_at, updated_at; "-" for descending). */
export const kContactSorts: readonly SortChoice[] = [
  { value: 'name', label: 'Name (A–Z)' },
  { value: '-name', label: 'Name (Z–A)' },
  { value: '-created_at', label: 'Newest first' },
  { value: 'created_at', label: 'Oldest first' },
  { value: '-updated_at', label: 'Recently updated' },
  { value: 'updated_at', label: 'Least recently updated' },
];

/** The sort named in the URL when it is one of the choices, else the default (name). */
export function parseSort(value: string | null): string {
  return kContactSorts.some((s) => s.value === value) ? (value as string) : 'name';
}

/** The primary point's value, else the first one's, else null. */
export function primaryValue(points: readonly ContactPoint[]): string | null {
  return (points.find((p) => p.primary) ?? points[0])?.value ?? null;
}
