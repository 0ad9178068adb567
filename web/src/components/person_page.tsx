// A person's page (/persons/{id}): the editable details (name, emails, phones, organization) saved
// with PATCH and If-Match (only the fields that changed), the server's 422 shown next to the field
// or the very email/phone row it names, a 412 (changed elsewhere) offered as "load their version";
// then the person's deals and activities.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Activity, type ApiClient, type Deal, type Id, type Organization, type Person } from '../api';
import {
  makePrimary,
  newPointDraft,
  parseFieldPath,
  personChanges,
  personDraft,
  removeDraft,
  sentence,
  type PersonDraft,
  type PointDraft,
} from '../contact_fields';
import { ActivityRows, AppLink, ContactLoader, DealRows, RecordPage, RecordSection, SaveBanners, SaveButtons, errorText, organizationPath, useDirectory, usePaged } from './contacts_common';
import { useApp, useNotify } from './ui';

const kListPage = 20;


/** Form errors: "name", "org", "emails" / "phones" (the whole list) or "emails:<row key>" (one row). */
type Errors = Record<string, string>;

const readPerson = (api: ApiClient, id: Id) => api.person(id);

export function PersonPage({ personId }: { personId: Id }) {
  return (
    <ContactLoader
      id={personId}
      read={readPerson}
      noun="person"
      back="Back to people"
      render={(person) => <PersonView key={personId} initial={person} />}
    />
  );
}

function PersonView({ initial }: { initial: Person }) {
  const { api } = useApp();
  const notify = useNotify();
  const dir = useDirectory();
  const [person, setPerson] = useState(initial);
  const [draft, setDraft] = useState<PersonDraft>(() => personDraft(initial));
  const [org, setOrg] = useState<Organization | null>(null);
  const [orgText, setOrgText] = useState('');
  const [orgOptions, setOrgOptions] = useState<Organization[]>([]);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const deals = usePaged<Deal>(`person-deals|${person.id}`, (cursor) => api.findDeals({ person_id: person.id, sort: '-updated_at', limit: kListPage, cursor }));
  const activities = usePaged<Activity>(`person-activities|${person.id}`, (cursor) =>
    api.activities({ person_id: person.id, sort: '-due_date', limit: kListPage, cursor }),
  );

  // The organization's name for the field and the header.
  useEffect(() => {
    let live = true;
    if (person.org_id === null) {
      setOrg(null);
      setOrgText('');
      return;
    }
    api.organization(person.org_id).then(
      (o) => {
        if (!live) return;
        setOrg(o);
        setOrgText(o.name);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, person.org_id]);

  useEffect(() => {
    const text = orgText.trim();
    if (!text || text === org?.name) {
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
  }, [api, orgText, org]);

  const orgChanged = orgText.trim() !== (org?.name ?? '');
  const dirty = orgChanged || Object.keys(personChanges(person, draft).patch).length > 0;

  const focusFirstError = () => {
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
  };

  /** The organization the field names: its id, null for none, undefined when no organization has that name. */
  const resolveOrg = async (): Promise<Id | null | undefined> => {
    const text = orgText.trim();
    if (!text) return null;
    if (org && text === org.name) return org.id;
    const same = (o: Organization) => o.name.toLowerCase() === text.toLowerCase();
    const found = orgOptions.find(same) ?? (await api.organizations(text, 20)).items.find(same);
    return found?.id;
  };

  const discard = () => {
    setDraft(personDraft(person));
    setOrgText(org?.name ?? '');
    setErrors({});
    setFormError(null);
  };

  const reloadTheirs = async () => {
    try {
      const fresh = await api.person(person.id);
      setPerson(fresh);
      setDraft(personDraft(fresh));
      setErrors({});
      setFormError(null);
      setConflict(false);
    } catch (e) {
      setFormError(`Couldn't load the current version: ${errorText(e)}.`);
    }
  };

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setFormError(null);
    if (!draft.name.trim()) {
      setErrors({ name: 'Enter a name.' });
      focusFirstError();
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const orgId = await resolveOrg();
      if (orgId === undefined) {
        setErrors({ org: `No organization is named “${orgText.trim()}”. Pick one from the suggestions or leave it empty.` });
        setBusy(false);
        focusFirstError();
        return;
      }
      const changes = personChanges(person, { ...draft, orgId });
      if (Object.keys(changes.patch).length === 0) {
        setBusy(false);
        discard();
        return;
      }
      try {
        const saved = await api.updatePerson(person.id, person.version, changes.patch);
        setPerson(saved);
        setDraft(personDraft(saved));
        setConflict(false);
        notify(`Saved “${saved.name}”.`);
      } catch (err) {
        if (err instanceof ApiError && err.status === 422 && err.field) {
          const path = parseFieldPath(err.field);
          const message = sentence(err.message);
          const keys = path.field === 'emails' ? changes.emailKeys : path.field === 'phones' ? changes.phoneKeys : null;
          if (keys && path.index !== null && keys[path.index] !== undefined) setErrors({ [`${path.field}:${keys[path.index]}`]: message });
          else if (path.field === 'org_id') setErrors({ org: message });
          else if (path.field === 'name' || path.field === 'emails' || path.field === 'phones') setErrors({ [path.field]: message });
          else setFormError(`Not saved: ${err.field} ${err.message}.`);
          focusFirstError();
        } else if (err instanceof ApiError && err.status === 412) {
          setConflict(true);
        } else {
          setFormError(`Not saved: ${errorText(err)}.`);
        }
      }
    } catch (err) {
      setFormError(`Not saved: ${errorText(err)}.`);
    } finally {
      setBusy(false);
    }
  };

  const owner = person.owner_id === null ? null : dir.users.get(person.owner_id) ?? null;

  return (
    <RecordPage
      crumb={{ href: '/persons', label: 'People' }}
      name={person.name}
      subtitle={org ? <AppLink href={organizationPath(org.id)}>{org.name}</AppLink> : 'No organization'}
      owner={owner}
      detailsId="person-details-title"
      details={
        <form class="form" ref={formRef} onSubmit={save} noValidate>
          <SaveBanners noun="person" conflict={conflict} formError={formError} onReload={reloadTheirs} />
          <div class="field">
            <label for="person-name">Name</label>
            <input
              id="person-name"
              type="text"
              maxLength={500}
              value={draft.name}
              aria-invalid={errors['name'] ? 'true' : undefined}
              aria-describedby={errors['name'] ? 'person-name-error' : undefined}
              onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
            />
            {errors['name'] && (
              <p id="person-name-error" class="field-error" data-field="name">
                {errors['name']}
              </p>
            )}
          </div>
          <PointsEditor kind="emails" rows={draft.emails} errors={errors} onChange={(emails) => setDraft({ ...draft, emails })} />
          <PointsEditor kind="phones" rows={draft.phones} errors={errors} onChange={(phones) => setDraft({ ...draft, phones })} />
          <div class="field">
            <label for="person-org">Organization</label>
            <input
              id="person-org"
              type="text"
              list="person-org-options"
              autocomplete="off"
              placeholder="None"
              value={orgText}
              aria-invalid={errors['org'] ? 'true' : undefined}
              aria-describedby={errors['org'] ? 'person-org-error' : 'person-org-help'}
              onInput={(e) => setOrgText(e.currentTarget.value)}
            />
            <datalist id="person-org-options">
              {orgOptions.map((o) => (
                <option key={o.id} value={o.name} />
              ))}
            </datalist>
            {errors['org'] ? (
              <p id="person-org-error" class="field-error" data-field="org">
                {errors['org']}
              </p>
            ) : (
              <p id="person-org-help" class="field-help">
                Type a name and pick it from the suggestions; empty for none.
              </p>
            )}
          </div>
          <SaveButtons busy={busy} dirty={dirty} onDiscard={discard} />
        </form>
      }
    >
      <RecordSection id="person-deals-title" title="Deals">
        <DealRows list={deals} dir={dir} />
      </RecordSection>
      <RecordSection id="person-activities-title" title="Activities">
        <ActivityRows list={activities} />
      </RecordSection>
    </RecordPage>
  );
}

const kPointWords = {
  emails: { one: 'Email', add: '+ Add email', type: 'email', placeholder: 'name@example.com' },
  phones: { one: 'Phone', add: '+ Add phone', type: 'tel', placeholder: '+1 555 0100' },
} as const;

/** An editable list of emails or phones: value, label, which one is primary, remove, add. */
function PointsEditor({
  kind,
  rows,
  errors,
  onChange,
}: {
  kind: 'emails' | 'phones';
  rows: PointDraft[];
  errors: Errors;
  onChange: (rows: PointDraft[]) => void;
}) {
  const words = kPointWords[kind];
  const listError = errors[kind];
  const set = (key: number, patch: Partial<PointDraft>) => onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  const added = useRef<number | null>(null);
  useEffect(() => {
    if (added.current === null) return;
    document.getElementById(`${kind}-${added.current}-value`)?.focus();
    added.current = null;
  });
  return (
    <fieldset class="fieldset points" data-points={kind} aria-describedby={listError ? `${kind}-error` : undefined}>
      <legend>{words.one === 'Email' ? 'Emails' : 'Phones'}</legend>
      {rows.length === 0 && <p class="muted">None yet.</p>}
      {rows.map((row, i) => {
        const error = errors[`${kind}:${row.key}`];
        const base = `${kind}-${row.key}`;
        const n = i + 1;
        return (
          <div key={row.key} class="point-row" data-row={i}>
            <div class="point-inputs">
              <input
                id={`${base}-value`}
                type={words.type}
                class="point-value"
                aria-label={`${words.one} ${n}`}
                placeholder={words.placeholder}
                autocomplete="off"
                value={row.value}
                aria-invalid={error ? 'true' : undefined}
                aria-describedby={error ? `${base}-error` : undefined}
                onInput={(e) => set(row.key, { value: e.currentTarget.value })}
              />
              <input
                type="text"
                class="point-label"
                aria-label={`Label of ${words.one.toLowerCase()} ${n}`}
                placeholder="work"
                list={`${kind}-labels`}
                value={row.label}
                onInput={(e) => set(row.key, { label: e.currentTarget.value })}
              />
              <label class="choice point-primary">
                <input type="radio" name={`${kind}-primary`} checked={row.primary} onChange={() => onChange(makePrimary(rows, row.key))} />
                Primary<span class="sr-only"> {words.one.toLowerCase()} {n}</span>
              </label>
              <button type="button" class="icon-button" aria-label={`Remove ${words.one.toLowerCase()} ${n}`} onClick={() => onChange(removeDraft(rows, row.key))}>
                ×
              </button>
            </div>
            {error && (
              <p id={`${base}-error`} class="field-error" data-field={`${kind}[${i}]`}>
                {error}
              </p>
            )}
          </div>
        );
      })}
      <datalist id={`${kind}-labels`}>
        <option value="work" />
        <option value="home" />
        <option value="mobile" />
        <option value="other" />
      </datalist>
      {listError && (
        <p id={`${kind}-error`} class="field-error" data-field={kind}>
          {listError}
        </p>
      )}
      <div>
        <button
          type="button"
          class="button button-small"
          onClick={() => {
            const row = newPointDraft(rows.length === 0);
            added.current = row.key;
            onChange([...rows, row]);
          }}
        >
          {words.add}
        </button>
      </div>
    </fieldset>
  );
}
