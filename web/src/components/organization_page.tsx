// An organization's page (/organizations/{id}): name and address saved with PATCH and If-Match
// (changed fields only; a 422 next to its field, a 412 offered as "load their version"), then its
// people, deals and activities.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Activity, type ApiClient, type Deal, type Id, type Organization, type Person } from '../api';
import { organizationChanges, organizationDraft, primaryValue, sentence, type OrganizationDraft } from '../contact_fields';
import { ActivityRows, AppLink, ContactLoader, DealRows, LoadMore, PagedState, RecordPage, RecordSection, SaveBanners, SaveButtons, errorText, personPath, useDirectory, usePaged } from './contacts_common';
import { useApp, useNotify } from './ui';

const kListPage = 20;


const readOrganization = (api: ApiClient, id: Id) => api.organization(id);

export function OrganizationPage({ orgId }: { orgId: Id }) {
  return (
    <ContactLoader
      id={orgId}
      read={readOrganization}
      noun="organization"
      back="Back to organizations"
      render={(org) => <OrganizationView key={orgId} initial={org} />}
    />
  );
}

type Field = 'name' | 'address';

function OrganizationView({ initial }: { initial: Organization }) {
  const { api } = useApp();
  const notify = useNotify();
  const dir = useDirectory();
  const [org, setOrg] = useState(initial);
  const [draft, setDraft] = useState<OrganizationDraft>(() => organizationDraft(initial));
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [conflict, setConflict] = useState(false);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  const persons = usePaged<Person>(`org-persons|${org.id}`, (cursor) => api.persons({ org_id: org.id, sort: 'name', limit: kListPage, cursor }));
  const deals = usePaged<Deal>(`org-deals|${org.id}`, (cursor) => api.findDeals({ org_id: org.id, sort: '-updated_at', limit: kListPage, cursor }));
  const activities = usePaged<Activity>(`org-activities|${org.id}`, (cursor) => api.activities({ org_id: org.id, sort: '-due_date', limit: kListPage, cursor }));

  const dirty = Object.keys(organizationChanges(org, draft)).length > 0;

  useEffect(() => {
    if (Object.keys(errors).length > 0) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setFormError(null);
    if (!draft.name.trim()) {
      setErrors({ name: 'Enter a name.' });
      return;
    }
    const patch = organizationChanges(org, draft);
    if (Object.keys(patch).length === 0) return;
    setBusy(true);
    setErrors({});
    try {
      const saved = await api.updateOrganization(org.id, org.version, patch);
      setOrg(saved);
      setDraft(organizationDraft(saved));
      setConflict(false);
      notify(`Saved “${saved.name}”.`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && (err.field === 'name' || err.field === 'address')) {
        setErrors({ [err.field]: sentence(err.message) });
      } else if (err instanceof ApiError && err.status === 412) {
        setConflict(true);
      } else {
        setFormError(`Not saved: ${errorText(err)}.`);
      }
    } finally {
      setBusy(false);
    }
  };

  const reloadTheirs = async () => {
    try {
      const fresh = await api.organization(org.id);
      setOrg(fresh);
      setDraft(organizationDraft(fresh));
      setErrors({});
      setConflict(false);
    } catch (e) {
      setFormError(`Couldn't load the current version: ${errorText(e)}.`);
    }
  };

  const owner = org.owner_id === null ? null : dir.users.get(org.owner_id) ?? null;

  return (
    <RecordPage
      crumb={{ href: '/organizations', label: 'Organizations' }}
      name={org.name}
      subtitle={org.address ?? 'No address'}
      owner={owner}
      detailsId="org-details-title"
      details={
        <form class="form" ref={formRef} onSubmit={save} noValidate>
          <SaveBanners noun="organization" conflict={conflict} formError={formError} onReload={reloadTheirs} />
          <div class="field">
            <label for="org-name">Name</label>
            <input
              id="org-name"
              type="text"
              maxLength={500}
              value={draft.name}
              aria-invalid={errors.name ? 'true' : undefined}
              aria-describedby={errors.name ? 'org-name-error' : undefined}
              onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
            />
            {errors.name && (
              <p id="org-name-error" class="field-error" data-field="name">
                {errors.name}
              </p>
            )}
          </div>
          <div class="field">
            <label for="org-address">Address</label>
            <textarea
              id="org-address"
              rows={3}
              value={draft.address}
              aria-invalid={errors.address ? 'true' : undefined}
              aria-describedby={errors.address ? 'org-address-error' : undefined}
              onInput={(e) => setDraft({ ...draft, address: e.currentTarget.value })}
            />
            {errors.address && (
              <p id="org-address-error" class="field-error" data-field="address">
                {errors.address}
              </p>
            )}
          </div>
          <SaveButtons
            busy={busy}
            dirty={dirty}
            onDiscard={() => {
              setDraft(organizationDraft(org));
              setErrors({});
              setFormError(null);
            }}
          />
        </form>
      }
    >
      <RecordSection id="org-persons-title" title="People">
        <PagedState list={persons} what="people" />
        {persons.status === 'ready' &&
          (persons.items.length === 0 ? (
            <p class="section-empty">No people at this organization yet.</p>
          ) : (
            <ul class="record-list" data-testid="person-list">
              {persons.items.map((p) => (
                <li key={p.id} class="record-row" data-person-id={p.id}>
                  <div class="record-main">
                    <AppLink href={personPath(p.id)} class="record-title">
                      {p.name}
                    </AppLink>
                    <span class="record-meta">{[primaryValue(p.emails), primaryValue(p.phones)].filter(Boolean).join(' · ')}</span>
                  </div>
                </li>
              ))}
            </ul>
          ))}
        <LoadMore list={persons} what="people" />
      </RecordSection>
      <RecordSection id="org-deals-title" title="Deals">
        <DealRows list={deals} dir={dir} />
      </RecordSection>
      <RecordSection id="org-activities-title" title="Activities">
        <ActivityRows list={activities} />
      </RecordSection>
    </RecordPage>
  );
}
