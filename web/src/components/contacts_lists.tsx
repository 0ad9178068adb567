// Contacts: the people (/persons) and organizations (/organizations) lists with text search and
// sort kept in the URL (?q=acme&sort=-updated_at), pages read with the API's cursor ("Load more"),
// and "+ Person" / "+ Organization" dialogs that open the new record's page.

import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, type Id, type Organization, type Person } from '../api';
import { kContactSorts, parseSort, primaryValue, sentence } from '../contact_fields';
import { formatDay, utcDay } from '../format';
import { NameDirectory } from '../names';
import { navigate } from '../router';
import { AppLink, LoadMore, PagedState, errorText, type Paged, organizationPath, personPath, useDirectory, usePaged } from './contacts_common';
import { Avatar, Dialog, EmptyState, useApp } from './ui';

const kPageSize = 25;
const kSearchDelayMillis = 250;

type Kind = 'persons' | 'organizations';

function listUrl(kind: Kind, q: string, sort: string): string {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (sort !== 'name') params.set('sort', sort);
  const text = params.toString();
  return `/${kind}${text ? `?${text}` : ''}`;
}

export function ContactsTabs({ current }: { current: Kind }) {
  return (
    <nav class="tabs" aria-label="Contacts">
      <AppLink href="/persons" class={`tab${current === 'persons' ? ' tab-active' : ''}`} current={current === 'persons'}>
        People
      </AppLink>
      <AppLink href="/organizations" class={`tab${current === 'organizations' ? ' tab-active' : ''}`} current={current === 'organizations'}>
        Organizations
      </AppLink>
    </nav>
  );
}

/** The search box and sort select of a list page; the text reaches the URL after a short pause. */
function ListControls({ kind, q, sort }: { kind: Kind; q: string; sort: string }) {
  const [text, setText] = useState(q);
  const typed = useRef(false);
  useEffect(() => {
    // The URL changed elsewhere (back/forward, a link): follow it.
    if (!typed.current) setText(q);
  }, [q]);
  useEffect(() => {
    if (!typed.current) return;
    const timer = setTimeout(() => {
      typed.current = false;
      navigate(listUrl(kind, text.trim(), sort), { replace: true });
    }, kSearchDelayMillis);
    return () => clearTimeout(timer);
  }, [text, kind, sort]);
  const what = kind === 'persons' ? 'people' : 'organizations';
  return (
    <div class="toolbar list-toolbar" role="search">
      <div class="field field-inline">
        <label for={`${kind}-search`}>Search</label>
        <input
          id={`${kind}-search`}
          type="search"
          placeholder={`Search ${what} by name`}
          value={text}
          onInput={(e) => {
            typed.current = true;
            setText(e.currentTarget.value);
          }}
        />
      </div>
      <div class="field field-inline">
        <label for={`${kind}-sort`}>Sort</label>
        <select id={`${kind}-sort`} value={sort} onChange={(e) => navigate(listUrl(kind, text.trim(), e.currentTarget.value), { replace: true })}>
          {kContactSorts.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

export function PersonsPage({ search }: { search: URLSearchParams }) {
  const { api } = useApp();
  const q = (search.get('q') ?? '').trim();
  const sort = parseSort(search.get('sort'));
  const dir = useDirectory();
  const names = useMemo(() => new NameDirectory(api), [api]);
  const [, setNamesRead] = useState(0);
  const [creating, setCreating] = useState(false);
  const list = usePaged<Person>(`${q}|${sort}`, (cursor) => api.persons({ q, sort, limit: kPageSize, cursor }));

  useEffect(() => {
    let live = true;
    const orgIds = list.items.map((p) => p.org_id).filter((id): id is Id => id !== null);
    void names.load(orgIds, []).then(() => live && setNamesRead((n) => n + 1));
    return () => {
      live = false;
    };
  }, [list.items, names]);

  const today = utcDay(new Date());
  return (
    <ContactsList
      kind="persons"
      q={q}
      sort={sort}
      list={list}
      label="People"
      one="person"
      many="people"
      add="+ Person"
      emptyTitle={q ? `No people match “${q}”` : 'No people yet'}
      emptyAdd="Add a person"
      emptyText="People you sell to appear here with their emails, phones and deals."
      onAdd={() => setCreating(true)}
      dialog={creating && <NewPersonDialog onClose={() => setCreating(false)} />}
    >
    <table class="data-table" data-testid="persons-table">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Organization</th>
          <th scope="col" class="hide-narrow">
            Email
          </th>
          <th scope="col" class="hide-narrow">
            Phone
          </th>
          <th scope="col" class="hide-narrow">
            Owner
          </th>
          <th scope="col" class="hide-narrow">
            Updated
          </th>
        </tr>
      </thead>
      <tbody>
        {list.items.map((p) => {
          const owner = p.owner_id === null ? null : dir.users.get(p.owner_id) ?? null;
          const orgName = p.org_id === null ? null : names.organization(p.org_id);
          return (
            <tr key={p.id} data-person-id={p.id}>
              <th scope="row">
                <AppLink href={personPath(p.id)} class="record-title">
                  {p.name}
                </AppLink>
              </th>
              <td>{p.org_id !== null && <AppLink href={organizationPath(p.org_id)}>{orgName ?? `Organization #${p.org_id}`}</AppLink>}</td>
              <td class="hide-narrow">{primaryValue(p.emails) ?? <span class="muted">—</span>}</td>
              <td class="hide-narrow">{primaryValue(p.phones) ?? <span class="muted">—</span>}</td>
              <td class="hide-narrow">{owner ? <OwnerCell id={owner.id} name={owner.name} /> : <span class="muted">—</span>}</td>
              <td class="hide-narrow">{formatDay(p.updated_at.slice(0, 10), today)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
    </ContactsList>
  );
}

/**
 * The frame of a contacts list page: the tabs and the add button, the search and sort controls, and
 * the list's states — loading or failed, empty (with or without a search), the table (`children`)
 * with how many it shows, and "Load more".
 */
function ContactsList<T>({
  kind,
  q,
  sort,
  list,
  label,
  one,
  many,
  add,
  emptyTitle,
  emptyAdd,
  emptyText,
  onAdd,
  dialog,
  children,
}: {
  kind: Kind;
  q: string;
  sort: string;
  list: Paged<T>;
  label: string;
  one: string;
  many: string;
  add: string;
  emptyTitle: string;
  emptyAdd: string;
  emptyText: string;
  onAdd: () => void;
  dialog: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <main class="page contacts-page">
      <header class="page-header">
        <div>
          <h1>Contacts</h1>
          <ContactsTabs current={kind} />
        </div>
        <button type="button" class="button button-primary" onClick={onAdd}>
          {add}
        </button>
      </header>
      <ListControls kind={kind} q={q} sort={sort} />
      <section class="panel" aria-label={label}>
        <PagedState list={list} what={many} />
        {list.status === 'ready' && list.items.length === 0 && (
          <EmptyState
            title={emptyTitle}
            action={q ? { label: 'Clear the search', onClick: () => navigate(listUrl(kind, '', sort)) } : { label: emptyAdd, onClick: onAdd }}
          >
            {q ? 'Search looks at names. Try fewer letters or another spelling.' : emptyText}
          </EmptyState>
        )}
        {list.status === 'ready' && list.items.length > 0 && children}
        {list.status === 'ready' && list.items.length > 0 && (
          <p class="list-status muted" data-testid="list-status">
            Showing {list.items.length} {list.items.length === 1 ? one : many}
            {list.hasMore ? '; more below' : ''}
          </p>
        )}
        <LoadMore list={list} what={many} />
      </section>
      {dialog}
    </main>
  );
}

function OwnerCell({ id, name }: { id: Id; name: string }) {
  return (
    <span class="owner-cell">
      <Avatar id={id} name={name} />
      <span>{name}</span>
    </span>
  );
}

export function OrganizationsPage({ search }: { search: URLSearchParams }) {
  const { api } = useApp();
  const q = (search.get('q') ?? '').trim();
  const sort = parseSort(search.get('sort'));
  const dir = useDirectory();
  const [creating, setCreating] = useState(false);
  const list = usePaged<Organization>(`${q}|${sort}`, (cursor) => api.listOrganizations({ q, sort, limit: kPageSize, cursor }));
  const today = utcDay(new Date());
  return (
    <ContactsList
      kind="organizations"
      q={q}
      sort={sort}
      list={list}
      label="Organizations"
      one="organization"
      many="organizations"
      add="+ Organization"
      emptyTitle={q ? `No organizations match “${q}”` : 'No organizations yet'}
      emptyAdd="Add an organization"
      emptyText="Companies you sell to appear here with their people and deals."
      onAdd={() => setCreating(true)}
      dialog={creating && <NewOrganizationDialog onClose={() => setCreating(false)} />}
    >
    <table class="data-table" data-testid="organizations-table">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col" class="hide-narrow">
            Address
          </th>
          <th scope="col" class="hide-narrow">
            Owner
          </th>
          <th scope="col" class="hide-narrow">
            Updated
          </th>
        </tr>
      </thead>
      <tbody>
        {list.items.map((o) => {
          const owner = o.owner_id === null ? null : dir.users.get(o.owner_id) ?? null;
          return (
            <tr key={o.id} data-org-id={o.id}>
              <th scope="row">
                <AppLink href={organizationPath(o.id)} class="record-title">
                  {o.name}
                </AppLink>
              </th>
              <td class="hide-narrow">{o.address ?? <span class="muted">—</span>}</td>
              <td class="hide-narrow">{owner ? <OwnerCell id={owner.id} name={owner.name} /> : <span class="muted">—</span>}</td>
              <td class="hide-narrow">{formatDay(o.updated_at.slice(0, 10), today)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
    </ContactsList>
  );
}

// ---- New records ---------------------------------------------------------------------------------

type PersonField = 'name' | 'email' | 'phone' | 'org';

function NewPersonDialog({ onClose }: { onClose: () => void }) {
  const { api } = useApp();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [phone, setPhone] = useState('');
  const [orgText, setOrgText] = useState('');
  const [orgOptions, setOrgOptions] = useState<Organization[]>([]);
  const [errors, setErrors] = useState<Partial<Record<PersonField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const text = orgText.trim();
    if (!text) {
      setOrgOptions([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      api.organizations(text, 8).then(
        (page) => live && setOrgOptions(page.items),
        () => undefined,
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, orgText]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!name.trim()) {
      setErrors({ name: 'Enter a name.' });
      return;
    }
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      let orgId: Id | undefined;
      const text = orgText.trim();
      if (text) {
        const same = (o: Organization) => o.name.toLowerCase() === text.toLowerCase();
        const org = orgOptions.find(same) ?? (await api.organizations(text, 20)).items.find(same);
        if (!org) {
          setErrors({ org: `No organization is named “${text}”. Pick one from the suggestions or leave it empty.` });
          setBusy(false);
          return;
        }
        orgId = org.id;
      }
      const person = await api.createPerson({
        name: name.trim(),
        ...(email.trim() ? { emails: [{ value: email.trim(), primary: true }] } : {}),
        ...(phone.trim() ? { phones: [{ value: phone.trim(), primary: true }] } : {}),
        ...(orgId !== undefined ? { org_id: orgId } : {}),
      });
      onClose();
      navigate(personPath(person.id));
    } catch (err) {
      setBusy(false);
      const field = err instanceof ApiError ? err.field ?? '' : '';
      const message = err instanceof Error ? sentence(err.message) : 'Invalid.';
      if (field === 'name') setErrors({ name: message });
      else if (field.startsWith('emails')) setErrors({ email: message });
      else if (field.startsWith('phones')) setErrors({ phone: message });
      else if (field === 'org_id') setErrors({ org: message });
      else setFormError(`The person was not added: ${errorText(err)}.`);
    }
  };

  const input = (field: PersonField, label: string, value: string, set: (v: string) => void, type = 'text', extra: Record<string, unknown> = {}) => (
    <div class="field">
      <label for={`new-person-${field}`}>{label}</label>
      <input
        id={`new-person-${field}`}
        type={type}
        value={value}
        aria-invalid={errors[field] ? 'true' : undefined}
        aria-describedby={errors[field] ? `new-person-${field}-error` : undefined}
        onInput={(e) => set(e.currentTarget.value)}
        {...extra}
      />
      {errors[field] && (
        <p id={`new-person-${field}-error`} class="field-error" data-field={field}>
          {errors[field]}
        </p>
      )}
    </div>
  );

  return (
    <Dialog title="New person" onClose={onClose}>
      <form class="form" onSubmit={submit} noValidate>
        {formError && (
          <p class="banner banner-error" role="alert">
            {formError}
          </p>
        )}
        {input('name', 'Name', name, setName, 'text', { autofocus: true, maxLength: 500 })}
        {input('email', 'Email (optional)', email, setEmail, 'email', { autocomplete: 'off' })}
        {input('phone', 'Phone (optional)', phone, setPhone, 'tel', { autocomplete: 'off' })}
        {input('org', 'Organization (optional)', orgText, setOrgText, 'text', { list: 'new-person-org-options', autocomplete: 'off' })}
        <datalist id="new-person-org-options">
          {orgOptions.map((o) => (
            <option key={o.id} value={o.name} />
          ))}
        </datalist>
        <div class="button-row button-row-end">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add person'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function NewOrganizationDialog({ onClose }: { onClose: () => void }) {
  const { api } = useApp();
  const [name, setName] = useState('');
  const [address, setAddress] = useState('');
  const [errors, setErrors] = useState<{ name?: string; address?: string }>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!name.trim()) {
      setErrors({ name: 'Enter a name.' });
      return;
    }
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      const org = await api.createOrganization({ name: name.trim(), ...(address.trim() ? { address: address.trim() } : {}) });
      onClose();
      navigate(organizationPath(org.id));
    } catch (err) {
      setBusy(false);
      const field = err instanceof ApiError ? err.field : null;
      const message = err instanceof Error ? sentence(err.message) : 'Invalid.';
      if (field === 'name' || field === 'address') setErrors({ [field]: message });
      else setFormError(`The organization was not added: ${errorText(err)}.`);
    }
  };

  return (
    <Dialog title="New organization" onClose={onClose}>
      <form class="form" onSubmit={submit} noValidate>
        {formError && (
          <p class="banner banner-error" role="alert">
            {formError}
          </p>
        )}
        <div class="field">
          <label for="new-org-name">Name</label>
          <input
            id="new-org-name"
            type="text"
            autofocus
            maxLength={500}
            value={name}
            aria-invalid={errors.name ? 'true' : undefined}
            aria-describedby={errors.name ? 'new-org-name-error' : undefined}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          {errors.name && (
            <p id="new-org-name-error" class="field-error" data-field="name">
              {errors.name}
            </p>
          )}
        </div>
        <div class="field">
          <label for="new-org-address">Address (optional)</label>
          <textarea
            id="new-org-address"
            rows={3}
            value={address}
            aria-invalid={errors.address ? 'true' : undefined}
            aria-describedby={errors.address ? 'new-org-address-error' : undefined}
            onInput={(e) => setAddress(e.currentTarget.value)}
          />
          {errors.address && (
            <p id="new-org-address-error" class="field-error" data-field="address">
              {errors.address}
            </p>
          )}
        </div>
        <div class="button-row button-row-end">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add organization'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
