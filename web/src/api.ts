// The REST API client: typed records mirroring docs/api.md and one function per route the UI uses.
//
// Every failure becomes an ApiError: `status` 0 means the server could not be reached; otherwise it
// is the HTTP status with the server's error body ({error: {code, message, field}}). A 401 also
// calls the client's onUnauthorized hook so the app can return to the sign-in screen.

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
  version: number;
  created_at: Instant;
  updated_at: Instant;
}

export interface Pipeline {
  id: Id;
  name: string;
  order: number;
  active: boolean;
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
  /** Called on every 401 (missing, unknown or revoked token). */
  onUnauthorized: (() => void) | null = null;

  constructor(
    private token: string | null,
    private readonly baseUrl = '',
  ) {}

  setToken(token: string | null): void {
    this.token = token;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.token) headers['Authorization'] = `Bearer ${this.token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'unreachable', 'The Pipedeck server cannot be reached.');
    }
    const text = await response.text().catch(() => '');
    let parsed: unknown = null;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (!response.ok) {
      if (response.status === 401) this.onUnauthorized?.();
      if (isErrorBody(parsed)) {
        const e = parsed.error;
        throw new ApiError(response.status, e.code, e.message, e.field ?? null);
      }
      // A proxy or a server that is starting answers without the API's error body.
      const unreachable = response.status === 502 || response.status === 503 || response.status === 504;
      throw new ApiError(
        unreachable ? 0 : response.status,
        unreachable ? 'unreachable' : 'http',
        unreachable
          ? 'The Pipedeck server cannot be reached.'
          : `The server answered ${response.status} ${response.statusText}.`,
      );
    }
    return parsed as T;
  }

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
}
