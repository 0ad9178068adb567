// The REST API client: typed records mirroring docs/api.md and one function per route the UI uses.
//
// The browser signs in with email and password (POST /api/auth/sign-in): the server sets an
// HttpOnly session cookie, which every same-origin fetch sends, and answers the session's CSRF
// token. The client keeps that token in memory only and sends it as X-CSRF-Token with every request
// that is not a GET, as the server requires of requests signed in by the cookie.
//
// Every failure becomes an ApiError: `status` 0 means the server could not be reached; otherwise it
// is the HTTP status with the server's error body ({error: {code, message, field}}). A 401 while
// signed in also calls the client's onUnauthorized hook so the app can return to the sign-in screen.

export type Id = number;
/** UTC instant, ISO 8601: "2026-11-23T12:09:15Z". */
export type Instant = string;
/** Calendar date: "YYYY-MM-DD". */
export type DateString = string;

export type Role = 'admin' | 'manager' | 'rep';
export type DealStatus = 'open' | 'won' | 'lost';

export interface User {
  id: Id;
  name: string;
  email: string;
  role: Role;
  active: boolean;
  team_id: Id | null;
  version: number;
  created_at: Instant;
  updated_at: Instant;
}

/**
 * Who sees a pipeline's deals besides those who see every record of their owners (the owner, the
 * managers of the owner's teams, admins): "team" adds the reps of the owner's team, "everyone"
 * every user.
 */
export type PipelineVisibility = 'owners' | 'team' | 'everyone';

export interface Pipeline {
  id: Id;
  name: string;
  order: number;
  active: boolean;
  visibility: PipelineVisibility;
  version: number;
  created_at: Instant;
  updated_at: Instant;
}

export interface Stage {
  id: Id;
  pipeline_id: Id;
  name: string;
  order: number;
  probability: number;
  rotting_days: number | null;
  playbook: string | null;
  version: number;
  created_at: Instant;
  updated_at: Instant;
}

export interface Organization {
  id: Id;
  name: string;
  address: string | null;
  owner_id: Id | null;
  version: number;
  created_at: Instant;
  updated_at: Instant;
}

export interface ContactPoint {
  value: string;
  label: string | null;
  primary: boolean;
}

export interface Person {
  id: Id;
  name: string;
  emails: ContactPoint[];
  phones: ContactPoint[];
  org_id: Id | null;
  owner_id: Id | null;
  version: number;
  created_at: Instant;
  updated_at: Instant;
}

export interface Deal {
  id: Id;
  title: string;
  value_minor: number;
  currency: string;
  pipeline_id: Id;
  stage_id: Id;
  status: DealStatus;
  lost_reason: string | null;
  expected_close_date: DateString | null;
  owner_id: Id | null;
  person_id: Id | null;
  org_id: Id | null;
  source: string | null;
  position: number;
  /** The deal's own override (0–100), or null to follow the stage. */
  probability: number | null;
  next_activity_date: DateString | null;
  last_activity_at: Instant | null;
  stage_changed_at: Instant;
  closed_at: Instant | null;
  version: number;
  created_at: Instant;
  updated_at: Instant;
}

export interface LostReason {
  id: Id;
  label: string;
  order: number;
  active: boolean;
  version: number;
  created_at: Instant;
  updated_at: Instant;
}

export type StageEventKind = 'created' | 'stage_changed' | 'won' | 'lost' | 'reopened';

export interface StageEvent {
  id: Id;
  deal_id: Id;
  kind: StageEventKind;
  at: Instant;
  user_id: Id | null;
  from_pipeline_id: Id | null;
  to_pipeline_id: Id | null;
  from_stage_id: Id | null;
  to_stage_id: Id | null;
  from_status: DealStatus | null;
  to_status: DealStatus | null;
  lost_reason: string | null;
}

export interface MoneyTotal {
  currency: string;
  count: number;
  value_minor: number;
  weighted_minor: number;
}

/** A deal as the board shows it: names resolved, flags computed by the server for "now". */
export interface BoardCard {
  id: Id;
  title: string;
  value_minor: number;
  currency: string;
  org_id: Id | null;
  org_name: string | null;
  person_id: Id | null;
  person_name: string | null;
  owner_id: Id | null;
  owner_name: string | null;
  next_activity_date: DateString | null;
  overdue: boolean;
  no_next_activity: boolean;
  rotting: boolean;
  /** Effective probability: the deal's override, else the stage's. */
  probability: number;
  position: number;
  version: number;
}

export interface BoardColumn {
  stage: Stage;
  /** All open deals of the stage after the owner/text filters, not only `cards`. */
  deal_count: number;
  totals: MoneyTotal[];
  /** The first N open deals by position. */
  cards: BoardCard[];
}

export interface Board {
  pipeline: Pipeline;
  stages: BoardColumn[];
}

/** A browser session: POST /api/auth/sign-in and GET /api/auth/session. */
export interface AuthSession {
  user: User;
  /** Sent back as X-CSRF-Token with every request that is not a GET. */
  csrf_token: string;
  expires_at: Instant;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface ApiErrorBody {
  code: string;
  message: string;
  field: string | null;
}

export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get unreachable(): boolean {
    return this.status === 0;
  }
}

export interface BoardQuery {
  cards?: number;
  owner_id?: Id | null;
  q?: string;
}

export interface StageCardsQuery {
  limit?: number;
  cursor?: string | null;
  owner_id?: Id | null;
  q?: string;
}

export interface DealListQuery {
  stage_id?: Id;
  pipeline_id?: Id;
  owner_id?: Id | null;
  status?: DealStatus;
  sort?: string;
  limit?: number;
  cursor?: string | null;
  q?: string;
}

export interface DealCreate {
  title: string;
  stage_id: Id;
  value_minor?: number;
  currency?: string;
  org_id?: Id;
}

export type LostInput = { lost_reason: string } | { lost_reason_id: Id };

// ---- Agenda, contacts and settings (types) ----------------------------------------------------

export type ActivityType = 'call' | 'meeting' | 'email' | 'task' | 'deadline';

export interface Activity {
  id: Id;
  type: ActivityType;
  subject: string;
  due_date: DateString;
  /** "HH:MM" (UTC), or null for an all-day activity. */
  due_time: string | null;
  duration_minutes: number;
  done: boolean;
  done_at: Instant | null;
  deal_id: Id | null;
  person_id: Id | null;
  org_id: Id | null;
  owner_id: Id | null;
  note: string;
  /** Not done and its due moment (the time if set, else the end of the day, UTC) has passed. */
  overdue: boolean;
  version: number;
  created_at: Instant;
  updated_at: Instant;
}

export interface ActivityQuery {
  owner_id?: Id;
  deal_id?: Id;
  person_id?: Id;
  org_id?: Id;
  done?: boolean;
  due_from?: DateString;
  due_to?: DateString;
  sort?: string;
  limit?: number;
  cursor?: string | null;
}

export interface ActivityCreate {
  subject: string;
  type?: ActivityType;
  due_date?: DateString;
  due_time?: string | null;
  duration_minutes?: number;
  deal_id?: Id;
  person_id?: Id;
  org_id?: Id;
  owner_id?: Id;
  note?: string;
}

export type ActivityPatch = Partial<Pick<Activity, 'subject' | 'type' | 'due_date' | 'due_time' | 'done' | 'note'>>;

/** The deals list with the filters the contact pages and the agenda use. */
export interface DealFilter extends DealListQuery {
  person_id?: Id;
  org_id?: Id;
  has_next_activity?: boolean;
}

export interface ContactListQuery {
  q?: string;
  sort?: string;
  limit?: number;
  cursor?: string | null;
  org_id?: Id;
  owner_id?: Id;
}

export interface ContactPointInput {
  value: string;
  label?: string | null;
  primary?: boolean;
}

export interface PersonInput {
  name?: string;
  emails?: ContactPointInput[];
  phones?: ContactPointInput[];
  org_id?: Id | null;
  owner_id?: Id | null;
}

export interface OrganizationInput {
  name?: string;
  address?: string | null;
  owner_id?: Id | null;
}

export interface StageTemplate {
  key: string;
  title: string;
  stages: Array<{ name: string; probability: number; rotting_days: number | null; playbook: string }>;
}

export interface PipelineInput {
  name?: string;
  template?: string;
  active?: boolean;
  visibility?: PipelineVisibility;
}

export interface StageInput {
  name?: string;
  /** 0-based place among the pipeline's stages; the server renumbers the others. */
  order?: number;
  probability?: number;
  rotting_days?: number | null;
  playbook?: string | null;
}

export interface LostReasonInput {
  label?: string;
  order?: number;
  active?: boolean;
}

export interface Deleted {
  id: Id;
  deleted: boolean;
}

function ifMatch(version: number): Record<string, string> {
  return { 'If-Match': `"${version}"` };
}

function flag(value: boolean | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}

// ---- end of agenda, contacts and settings (types) ------------------------------------------------

// ---- Deal page and events (types) -------------------------------------------------------------

export interface Note {
  id: Id;
  content: string;
  deal_id: Id | null;
  person_id: Id | null;
  org_id: Id | null;
  user_id: Id | null;
  pinned: boolean;
  version: number;
  created_at: Instant;
  updated_at: Instant;
}

export interface NoteCreate {
  content: string;
  deal_id?: Id;
  person_id?: Id;
  org_id?: Id;
}

/** One entry of GET /api/deals/{id}/timeline, newest first. */
export type TimelineItem =
  | { kind: 'activity'; at: Instant; data: Activity }
  | { kind: 'note'; at: Instant; data: Note }
  | { kind: 'stage_event'; at: Instant; data: StageEvent };

/** The fields of a deal a PATCH may change; null clears an optional one. */
export type DealPatch = Partial<
  Pick<
    Deal,
    | 'title'
    | 'value_minor'
    | 'currency'
    | 'stage_id'
    | 'expected_close_date'
    | 'owner_id'
    | 'person_id'
    | 'org_id'
    | 'source'
    | 'probability'
  >
>;

// ---- end of deal page and events (types) ------------------------------------------------------

// ---- Import and export (types) ----------------------------------------------------------------

/** What a CSV file holds: the {object} of POST /api/{object}/import and GET /api/{object}/export. */
export type ImportObject = 'deals' | 'persons' | 'organizations' | 'activities' | 'notes';

/** A column of the imported file and the field it fills; null: the column is not imported. */
export interface ImportColumn {
  column: string;
  field: string | null;
}

/** A row that was not imported. `row` as a spreadsheet numbers it (the header is row 1); `column` is "" for the whole row. */
export interface ImportRowError {
  row: number;
  column: string;
  reason: string;
}

/** The answer of POST /api/{object}/import, dry run or not: the same report either way. */
export interface ImportReport {
  object: ImportObject;
  dry_run: boolean;
  /** The export the header looks like: "pipedrive", "hubspot", "pipedeck", or "" when unclear. */
  detected: string;
  /** Every column of the header, in file order. */
  columns: ImportColumn[];
  /** Every field the object takes (what a column may be mapped to). */
  fields: string[];
  ignored_columns: string[];
  rows: number;
  created: number;
  updated: number;
  failed: number;
  /** Organizations and persons created because rows named ones that did not exist. */
  linked_created: number;
  /** In row order, at most 1000; `errors_omitted` counts the rest. */
  errors: ImportRowError[];
  errors_omitted: number;
}

export type ExportFormat = 'csv' | 'json';

/** A file the server sent for saving: its bytes and its Content-Disposition header (the name to save it under), if any. */
export interface Download {
  blob: Blob;
  disposition: string | null;
}

// ---- end of import and export (types) ---------------------------------------------------------

// ---- Users, teams and the audit log (types) ---------------------------------------------------

/** A sales team; its members are the users whose `team_id` names it. */
export interface Team {
  id: Id;
  name: string;
  manager_id: Id | null;
  version: number;
  created_at: Instant;
  updated_at: Instant;
}

/** The fields of a user an admin sets; PATCH sends only those that change. */
export interface UserInput {
  name?: string;
  email?: string;
  role?: Role;
  active?: boolean;
  team_id?: Id | null;
}

export interface TeamInput {
  name?: string;
  manager_id?: Id | null;
}

/** An API token as listed: the secret itself is never listed, only its first characters. */
export interface ApiToken {
  id: Id;
  user_id: Id;
  name: string;
  prefix: string;
  created_at: Instant;
  last_used_at: Instant | null;
}

/** A token just created: `token` is its secret, answered this once only. */
export interface NewApiToken extends ApiToken {
  token: string;
}

/** POST /api/users/{id}/password-reset: a one-time code, answered this once only. */
export interface PasswordResetCode {
  user_id: Id;
  code: string;
  expires_at: Instant;
}

export type AuditAction = 'create' | 'update' | 'delete';

/** One field of an audit entry. Values are text; "" is no value (and every `before` of a create). */
export interface AuditChange {
  field: string;
  before: string;
  after: string;
}

/** Who changed which record when, and how; the log is read newest first. */
export interface AuditEntry {
  id: Id;
  at: Instant;
  user_id: Id;
  action: AuditAction;
  object: string;
  record_id: Id;
  changes: AuditChange[];
}

// ---- end of users, teams and the audit log (types) --------------------------------------------

type Query = Record<string, string | number | null | undefined>;

function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function isErrorBody(value: unknown): value is { error: ApiErrorBody } {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === 'object' && error !== null && 'message' in error;
}

export class ApiClient {
  /** Called on every 401 while signed in (the session ended, expired or was never valid). */
  onUnauthorized: (() => void) | null = null;

  /** The session's CSRF token; null while signed out. Kept in memory only, never stored. */
  private csrfToken: string | null = null;

  constructor(private readonly baseUrl = '') {}

  get signedIn(): boolean {
    return this.csrfToken !== null;
  }

  /** Starts (the session's CSRF token) or ends (null) the signed-in state of this client. */
  setSession(csrfToken: string | null): void {
    this.csrfToken = csrfToken;
  }

  async request<T>(method: string, path: string, body?: unknown, extraHeaders?: Record<string, string>): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json', ...extraHeaders };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await this.send(method, path, headers, body === undefined ? undefined : JSON.stringify(body));
    return (await this.readJson(response)) as T;
  }

  /**
   * `method` with the session cookie and, unless it is a GET, the CSRF token; rejects with
   * ApiError(0) when the server cannot be reached.
   */
  private async send(method: string, path: string, headers: Record<string, string>, body?: BodyInit): Promise<Response> {
    const withSession: Record<string, string> = { ...headers };
    if (this.csrfToken && method !== 'GET') withSession['X-CSRF-Token'] = this.csrfToken;
    try {
      return await fetch(this.baseUrl + path, { method, headers: withSession, body, credentials: 'same-origin' });
    } catch {
      throw new ApiError(0, 'unreachable', 'The Pipedeck server cannot be reached.');
    }
  }

  /** The JSON body of a successful response, or the ApiError of a failed one. */
  private async readJson(response: Response): Promise<unknown> {
    const text = await response.text().catch(() => '');
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (!response.ok) throw this.failure(response, parsed);
    return parsed;
  }

  private failure(response: Response, parsed: unknown): ApiError {
    // Signed out, a 401 is an answer (a wrong password, no session yet), not a session that ended.
    if (response.status === 401 && this.signedIn) this.onUnauthorized?.();
    if (isErrorBody(parsed)) {
      const e = parsed.error;
      return new ApiError(response.status, e.code, e.message, e.field ?? null);
    }
    // A proxy or a server that is starting answers without the API's error body.
    const unreachable = response.status === 502 || response.status === 503 || response.status === 504;
    return new ApiError(
      unreachable ? 0 : response.status,
      unreachable ? 'unreachable' : 'http',
      unreachable ? 'The Pipedeck server cannot be reached.' : `The server answered ${response.status} ${response.statusText}.`,
    );
  }

  // ---- Sign-in and passwords -------------------------------------------------------------------

  /** The session of the cookie; a 401 when there is none (or it ended). */
  session(): Promise<AuthSession> {
    return this.request('GET', '/api/auth/session');
  }

  /** 401: wrong email or password; 429: too many failures; 422: an empty field. */
  signIn(email: string, password: string): Promise<AuthSession> {
    return this.request('POST', '/api/auth/sign-in', { email, password });
  }

  /** Ends the session of the cookie; the server clears the cookie. */
  signOut(): Promise<{ signed_out: boolean }> {
    return this.request('POST', '/api/auth/sign-out', {});
  }

  /** The caller's other sessions end, this one stays. 422 names current_password or new_password. */
  changePassword(currentPassword: string, newPassword: string): Promise<{ password_changed: boolean }> {
    return this.request('POST', '/api/auth/password', { current_password: currentPassword, new_password: newPassword });
  }

  /** Sets a password with an admin's reset code (no session needed). 422 names code or new_password. */
  completePasswordReset(code: string, newPassword: string): Promise<{ password_changed: boolean }> {
    return this.request('POST', '/api/auth/password-reset', { code, new_password: newPassword });
  }

  // ---- end of sign-in and passwords --------------------------------------------------------------

  me(): Promise<User> {
    return this.request('GET', '/api/users/me');
  }

  users(): Promise<Page<User>> {
    return this.request('GET', `/api/users${queryString({ limit: 500, sort: 'name' })}`);
  }

  pipelines(): Promise<Page<Pipeline>> {
    return this.request('GET', `/api/pipelines${queryString({ limit: 500 })}`);
  }

  board(pipelineId: Id, query: BoardQuery = {}): Promise<Board> {
    return this.request(
      'GET',
      `/api/pipelines/${pipelineId}/board${queryString({
        cards: query.cards,
        owner_id: query.owner_id,
        q: query.q,
      })}`,
    );
  }

  /** A stage's open deals as board cards, by position, a page at a time (with the board's filters). */
  stageCards(stageId: Id, query: StageCardsQuery = {}): Promise<Page<BoardCard>> {
    return this.request(
      'GET',
      `/api/stages/${stageId}/cards${queryString({
        limit: query.limit,
        cursor: query.cursor,
        owner_id: query.owner_id,
        q: query.q,
      })}`,
    );
  }

  deals(query: DealListQuery): Promise<Page<Deal>> {
    return this.request('GET', `/api/deals${queryString({ ...query })}`);
  }

  deal(id: Id): Promise<Deal> {
    return this.request('GET', `/api/deals/${id}`);
  }

  createDeal(input: DealCreate): Promise<Deal> {
    return this.request('POST', '/api/deals', input);
  }

  /** `index`: 0-based among the target stage's open cards without the moved one; omitted → last. */
  moveDeal(id: Id, stageId: Id, index: number | null): Promise<Deal> {
    const body: { stage_id: Id; index?: number } = { stage_id: stageId };
    if (index !== null) body.index = index;
    return this.request('POST', `/api/deals/${id}/move`, body);
  }

  markWon(id: Id): Promise<Deal> {
    return this.request('POST', `/api/deals/${id}/won`, {});
  }

  markLost(id: Id, input: LostInput): Promise<Deal> {
    return this.request('POST', `/api/deals/${id}/lost`, input);
  }

  dealHistory(id: Id): Promise<{ items: StageEvent[] }> {
    return this.request('GET', `/api/deals/${id}/history`);
  }

  lostReasons(): Promise<Page<LostReason>> {
    return this.request('GET', `/api/lost-reasons${queryString({ limit: 500 })}`);
  }

  organizations(q: string, limit = 10): Promise<Page<Organization>> {
    return this.request('GET', `/api/organizations${queryString({ q, limit, sort: 'name' })}`);
  }

  organization(id: Id): Promise<Organization> {
    return this.request('GET', `/api/organizations/${id}`);
  }

  person(id: Id): Promise<Person> {
    return this.request('GET', `/api/persons/${id}`);
  }

  // ---- Agenda, contacts and settings (methods) --------------------------------------------------

  activities(query: ActivityQuery): Promise<Page<Activity>> {
    return this.request('GET', `/api/activities${queryString({ ...query, done: flag(query.done) })}`);
  }

  createActivity(input: ActivityCreate): Promise<Activity> {
    return this.request('POST', '/api/activities', input);
  }

  updateActivity(id: Id, version: number, patch: ActivityPatch): Promise<Activity> {
    return this.request('PATCH', `/api/activities/${id}`, patch, ifMatch(version));
  }

  findDeals(query: DealFilter): Promise<Page<Deal>> {
    return this.request(
      'GET',
      `/api/deals${queryString({ ...query, has_next_activity: flag(query.has_next_activity) })}`,
    );
  }

  persons(query: ContactListQuery): Promise<Page<Person>> {
    return this.request('GET', `/api/persons${queryString({ ...query })}`);
  }

  createPerson(input: PersonInput & { name: string }): Promise<Person> {
    return this.request('POST', '/api/persons', input);
  }

  updatePerson(id: Id, version: number, patch: PersonInput): Promise<Person> {
    return this.request('PATCH', `/api/persons/${id}`, patch, ifMatch(version));
  }

  listOrganizations(query: ContactListQuery): Promise<Page<Organization>> {
    return this.request('GET', `/api/organizations${queryString({ ...query })}`);
  }

  createOrganization(input: OrganizationInput & { name: string }): Promise<Organization> {
    return this.request('POST', '/api/organizations', input);
  }

  updateOrganization(id: Id, version: number, patch: OrganizationInput): Promise<Organization> {
    return this.request('PATCH', `/api/organizations/${id}`, patch, ifMatch(version));
  }

  stageTemplates(): Promise<{ items: StageTemplate[] }> {
    return this.request('GET', '/api/stage-templates');
  }

  createPipeline(input: PipelineInput & { name: string }): Promise<Pipeline> {
    return this.request('POST', '/api/pipelines', input);
  }

  /** Admins only, like every change to pipelines, stages and lost reasons; others get a 403. */
  updatePipeline(id: Id, version: number, patch: PipelineInput): Promise<Pipeline> {
    return this.request('PATCH', `/api/pipelines/${id}`, patch, ifMatch(version));
  }

  deletePipeline(id: Id, version: number): Promise<Deleted> {
    return this.request('DELETE', `/api/pipelines/${id}`, undefined, ifMatch(version));
  }

  stages(pipelineId: Id): Promise<Page<Stage>> {
    return this.request('GET', `/api/stages${queryString({ pipeline_id: pipelineId, limit: 500 })}`);
  }

  allStages(): Promise<Page<Stage>> {
    return this.request('GET', `/api/stages${queryString({ limit: 500 })}`);
  }

  createStage(input: StageInput & { pipeline_id: Id; name: string }): Promise<Stage> {
    return this.request('POST', '/api/stages', input);
  }

  updateStage(id: Id, version: number, patch: StageInput): Promise<Stage> {
    return this.request('PATCH', `/api/stages/${id}`, patch, ifMatch(version));
  }

  /** `moveDealsTo`: the stage of the same pipeline that receives the stage's deals (required when it has any). */
  deleteStage(id: Id, version: number, moveDealsTo: Id | null): Promise<Deleted> {
    return this.request('DELETE', `/api/stages/${id}${queryString({ move_deals_to: moveDealsTo })}`, undefined, ifMatch(version));
  }

  createLostReason(input: LostReasonInput & { label: string }): Promise<LostReason> {
    return this.request('POST', '/api/lost-reasons', input);
  }

  updateLostReason(id: Id, version: number, patch: LostReasonInput): Promise<LostReason> {
    return this.request('PATCH', `/api/lost-reasons/${id}`, patch, ifMatch(version));
  }

  deleteLostReason(id: Id, version: number): Promise<Deleted> {
    return this.request('DELETE', `/api/lost-reasons/${id}`, undefined, ifMatch(version));
  }

  // ---- end of agenda, contacts and settings (methods) -------------------------------------------

  // ---- Deal page and events (methods) -----------------------------------------------------------

  /** PATCH /api/deals/{id} for `version` only: a stale version is a 412 and changes nothing. */
  updateDeal(id: Id, version: number, patch: DealPatch): Promise<Deal> {
    return this.request('PATCH', `/api/deals/${id}`, patch, ifMatch(version));
  }

  /** Moves the deal (at `version`) to `stageId`; `index` null → last of the stage. */
  moveDealAt(id: Id, version: number, stageId: Id, index: number | null): Promise<Deal> {
    const body: { stage_id: Id; index?: number } = { stage_id: stageId };
    if (index !== null) body.index = index;
    return this.request('POST', `/api/deals/${id}/move`, body, ifMatch(version));
  }

  markWonAt(id: Id, version: number): Promise<Deal> {
    return this.request('POST', `/api/deals/${id}/won`, {}, ifMatch(version));
  }

  markLostAt(id: Id, version: number, input: LostInput): Promise<Deal> {
    return this.request('POST', `/api/deals/${id}/lost`, input, ifMatch(version));
  }

  reopenAt(id: Id, version: number): Promise<Deal> {
    return this.request('POST', `/api/deals/${id}/reopen`, {}, ifMatch(version));
  }

  dealTimeline(id: Id): Promise<{ items: TimelineItem[] }> {
    return this.request('GET', `/api/deals/${id}/timeline`);
  }

  createNote(input: NoteCreate): Promise<Note> {
    return this.request('POST', '/api/notes', input);
  }

  /**
   * Opens GET /api/events (server-sent events) with the session cookie; live.ts reads the body.
   * Rejects with an ApiError like request() (a 401 signs out), or with the abort error when
   * `signal` aborts.
   */
  async openEvents(signal: AbortSignal): Promise<Response> {
    // Signed out: no request, and no second sign-out with a "session ended" reason.
    if (!this.signedIn) throw new ApiError(401, 'unauthorized', 'Not signed in.');
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/api/events`, {
        headers: { Accept: 'text/event-stream' },
        credentials: 'same-origin',
        cache: 'no-store',
        signal,
      });
    } catch (e) {
      if (signal.aborted) throw e;
      throw new ApiError(0, 'unreachable', 'The Pipedeck server cannot be reached.');
    }
    if (!response.ok) throw this.failure(response, await response.json().catch(() => null));
    return response;
  }

  // ---- end of deal page and events (methods) ----------------------------------------------------

  // ---- Import and export (methods) --------------------------------------------------------------

  /**
   * POST /api/{object}/import with `file` as the body, as it is (text/csv). `query` is the
   * dry_run and map parameters (import_export.ts builds it). A file the server cannot import at
   * all is a 422 ApiError whose `field` is "csv", "columns" or "mapping"; one over the body limit
   * a 413.
   */
  async importCsv(object: ImportObject, file: Blob, query: string): Promise<ImportReport> {
    const headers = { Accept: 'application/json', 'Content-Type': 'text/csv' };
    const response = await this.send('POST', `/api/${object}/import${query}`, headers, file);
    return (await this.readJson(response)) as ImportReport;
  }

  /** GET /api/{object}/export: every record as a CSV file (re-importable) or a JSON array. */
  async exportFile(object: ImportObject, format: ExportFormat): Promise<Download> {
    const accept = format === 'csv' ? 'text/csv' : 'application/json';
    const response = await this.send('GET', `/api/${object}/export${queryString({ format })}`, { Accept: accept });
    if (!response.ok) throw this.failure(response, await response.json().catch(() => null));
    let blob: Blob;
    try {
      blob = await response.blob();
    } catch {
      throw new ApiError(0, 'unreachable', 'The download was cut off before the end.');
    }
    return { blob, disposition: response.headers.get('Content-Disposition') };
  }

  // ---- end of import and export (methods) -------------------------------------------------------

  // ---- Users, teams and the audit log (methods) -------------------------------------------------

  /** Admins only, like every change to users and teams below; others get a 403. */
  createUser(input: UserInput & { name: string; email: string }): Promise<User> {
    return this.request('POST', '/api/users', input);
  }

  /** 409 when the change would leave no active admin, or the email is another user's. */
  updateUser(id: Id, version: number, patch: UserInput): Promise<User> {
    return this.request('PATCH', `/api/users/${id}`, patch, ifMatch(version));
  }

  /** Deactivates the user and revokes their tokens; 409 for oneself and for the last active admin. */
  deactivateUser(id: Id, version: number): Promise<User> {
    return this.request('DELETE', `/api/users/${id}`, undefined, ifMatch(version));
  }

  startPasswordReset(userId: Id): Promise<PasswordResetCode> {
    return this.request('POST', `/api/users/${userId}/password-reset`, {});
  }

  tokens(userId: Id): Promise<Page<ApiToken>> {
    return this.request('GET', `/api/users/${userId}/tokens`);
  }

  /** An empty name gets the server's default name. */
  createToken(userId: Id, name: string): Promise<NewApiToken> {
    return this.request('POST', `/api/users/${userId}/tokens`, { name });
  }

  revokeToken(userId: Id, tokenId: Id): Promise<Deleted> {
    return this.request('DELETE', `/api/users/${userId}/tokens/${tokenId}`);
  }

  teams(): Promise<Page<Team>> {
    return this.request('GET', `/api/teams${queryString({ limit: 500, sort: 'name' })}`);
  }

  createTeam(input: TeamInput & { name: string }): Promise<Team> {
    return this.request('POST', '/api/teams', input);
  }

  updateTeam(id: Id, version: number, patch: TeamInput): Promise<Team> {
    return this.request('PATCH', `/api/teams/${id}`, patch, ifMatch(version));
  }

  /** Its members are left without a team; its quotas are deleted. */
  deleteTeam(id: Id, version: number): Promise<Deleted> {
    return this.request('DELETE', `/api/teams/${id}`, undefined, ifMatch(version));
  }

  /** The deal's audit log, newest first, a page at a time (any user who can read the deal). */
  dealAudit(dealId: Id, cursor: string | null, limit: number): Promise<Page<AuditEntry>> {
    return this.request('GET', `/api/deals/${dealId}/audit${queryString({ limit, cursor })}`);
  }

  // ---- end of users, teams and the audit log (methods) ------------------------------------------
}
