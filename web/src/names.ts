// Names of organizations and persons for lists that carry only ids, fetched once per id.

import type { ApiClient, Id } from './api';

const kParallelFetches = 6;

export class NameDirectory {
  private readonly orgs = new Map<Id, string | null>();
  private readonly persons = new Map<Id, string | null>();

  constructor(private readonly api: ApiClient) {}

  organization(id: Id): string | null {
    return this.orgs.get(id) ?? null;
  }

  person(id: Id): string | null {
    return this.persons.get(id) ?? null;
  }

  /** Fetches the names not known yet; a name that cannot be read stays unknown (null). */
  async load(orgIds: Iterable<Id>, personIds: Iterable<Id>): Promise<void> {
    const jobs: Array<() => Promise<void>> = [];
    for (const id of new Set(orgIds)) {
      if (this.orgs.has(id)) continue;
      jobs.push(async () => {
        this.orgs.set(id, await this.api.organization(id).then((o) => o.name, () => null));
      });
    }
    for (const id of new Set(personIds)) {
      if (this.persons.has(id)) continue;
      jobs.push(async () => {
        this.persons.set(id, await this.api.person(id).then((p) => p.name, () => null));
      });
    }
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) await jobs[next++]!();
    };
    await Promise.all(Array.from({ length: Math.min(kParallelFetches, jobs.length) }, worker));
  }
}
