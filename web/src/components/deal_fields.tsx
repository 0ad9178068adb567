// The deal page's details: every field with an inline editor. One editor is open at a time; it
// saves with PATCH /api/deals/{id} at the deal's version (the page's `save`), and shows next to
// its inputs what the browser or the server found wrong — in which case nothing was saved.

import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Deal, DealPatch, Id, Organization, Person, Stage, User } from '../api';
import {
  closeDatePatch,
  effectiveProbability,
  probabilityPatch,
  textPatch,
  valuePatch,
  type DealField,
  type PatchResult,
} from '../deal_page_logic';
import { formatMoney, isKnownCurrency, minorToInput } from '../money';
import { isModifiedClick, navigate } from '../router';
import { organizationPath, personPath } from './contacts_common';
import { currencyChoices } from './deal_form';
import { Avatar, useApp, useNotify } from './ui';

export type SaveResult = { ok: true } | { ok: false; field: DealField; message: string };

export interface DetailsProps {
  deal: Deal;
  stage: Stage | null;
  users: User[];
  personName: string | null;
  orgName: string | null;
  editing: DealField | null;
  onEdit: (field: DealField | null) => void;
  /** Saves the patch at the deal's current version; the result says where an error goes. */
  save: (field: DealField, patch: DealPatch) => Promise<SaveResult>;
  /** A person or organization picked in an editor, so that its name shows at once. */
  onPicked: (kind: 'person' | 'org', id: Id, name: string) => void;
}

const kLabels: Record<DealField, string> = {
  title: 'Title',
  value: 'Value',
  close: 'Expected close date',
  owner: 'Owner',
  person: 'Person',
  org: 'Organization',
  source: 'Source',
  probability: 'Probability',
};

const kSearchDelayMillis = 200;

/** An in-app link: a plain click navigates without a page load; modified clicks stay the browser's. */
export function InAppLink({ href, children, class: className }: { href: string; children: ComponentChildren; class?: string }) {
  return (
    <a
      href={href}
      class={className}
      onClick={(e) => {
        if (isModifiedClick(e)) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

const dateFormat = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', dateStyle: 'medium' });

export function formatDate(date: string): string {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(ms) ? date : dateFormat.format(new Date(ms));
}

const inputId = (field: DealField) => `deal-edit-${field}`;
const errorId = (field: DealField) => `deal-edit-${field}-error`;

/** Submitting an editor: the browser's check, then the save; an error stays next to the field. */
function useEditor(field: DealField, props: DetailsProps) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const live = useRef(true);
  useEffect(
    () => () => {
      live.current = false;
    },
    [],
  );
  const submit = async (result: PatchResult | Promise<PatchResult>) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    const checked = await result;
    if (!checked.ok) {
      if (live.current) {
        setBusy(false);
        setError(checked.message);
      }
      return;
    }
    const saved = await props.save(field, checked.patch);
    if (!live.current) return;
    setBusy(false);
    if (saved.ok) props.onEdit(null);
    else setError(saved.message);
  };
  const invalid = error !== null;
  const describedBy = invalid ? errorId(field) : undefined;
  return { error, busy, submit, invalid, describedBy };
}

interface FrameProps {
  field: DealField;
  error: string | null;
  busy: boolean;
  onSubmit: () => void;
  onCancel: () => void;
  children: ComponentChildren;
  extra?: ComponentChildren;
}

function EditorFrame({ field, error, busy, onSubmit, onCancel, children, extra }: FrameProps) {
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('input, select, textarea')?.focus();
  }, []);
  // After a rejected save, focus goes back to the field the message is about.
  useEffect(() => {
    if (error) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [error]);
  return (
    <form
      ref={formRef}
      class="deal-editor"
      data-editor={field}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          e.stopPropagation();
          onCancel();
        }
      }}
    >
      {children}
      {error && (
        <p id={errorId(field)} class="field-error" data-field={field} role="alert">
          {error}
        </p>
      )}
      <div class="button-row">
        <button type="submit" class="button button-primary button-small" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
        <button type="button" class="button button-small" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        {extra}
      </div>
    </form>
  );
}

function TextEditor({ field, props }: { field: 'title' | 'source'; props: DetailsProps }) {
  const [text, setText] = useState((field === 'title' ? props.deal.title : props.deal.source) ?? '');
  const ed = useEditor(field, props);
  return (
    <EditorFrame field={field} error={ed.error} busy={ed.busy} onSubmit={() => void ed.submit(textPatch(field, text))} onCancel={() => props.onEdit(null)}>
      <div class="field">
        <label for={inputId(field)}>{kLabels[field]}</label>
        <input
          id={inputId(field)}
          type="text"
          maxLength={500}
          value={text}
          aria-invalid={ed.invalid ? 'true' : undefined}
          aria-describedby={ed.describedBy}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </div>
    </EditorFrame>
  );
}

function ValueEditor({ props }: { props: DetailsProps }) {
  const { deal } = props;
  const [text, setText] = useState(deal.value_minor === 0 ? '' : minorToInput(deal.value_minor, deal.currency));
  const [currency, setCurrency] = useState(deal.currency);
  const [choices] = useState(() => {
    const list = currencyChoices([{ currency: deal.currency, count: 1, value_minor: 0, weighted_minor: 0 }]);
    return isKnownCurrency(deal.currency) || list.includes(deal.currency) ? list : [deal.currency, ...list];
  });
  const ed = useEditor('value', props);
  return (
    <EditorFrame field="value" error={ed.error} busy={ed.busy} onSubmit={() => void ed.submit(valuePatch(text, currency))} onCancel={() => props.onEdit(null)}>
      <div class="field-row">
        <div class="field field-grow">
          <label for={inputId('value')}>Value</label>
          <input
            id={inputId('value')}
            type="text"
            inputMode="decimal"
            autocomplete="off"
            placeholder="0"
            value={text}
            aria-invalid={ed.invalid ? 'true' : undefined}
            aria-describedby={ed.describedBy}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label for="deal-edit-currency">Currency</label>
          <select id="deal-edit-currency" value={currency} onChange={(e) => setCurrency(e.currentTarget.value)}>
            {choices.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
      </div>
    </EditorFrame>
  );
}

function CloseDateEditor({ props }: { props: DetailsProps }) {
  const [text, setText] = useState(props.deal.expected_close_date ?? '');
  const ed = useEditor('close', props);
  return (
    <EditorFrame
      field="close"
      error={ed.error}
      busy={ed.busy}
      onSubmit={() => void ed.submit(closeDatePatch(text))}
      onCancel={() => props.onEdit(null)}
      extra={
        props.deal.expected_close_date !== null && (
          <button type="button" class="button button-small button-quiet" disabled={ed.busy} onClick={() => void ed.submit(closeDatePatch(''))}>
            Remove date
          </button>
        )
      }
    >
      <div class="field">
        <label for={inputId('close')}>Expected close date</label>
        <input
          id={inputId('close')}
          type="date"
          value={text}
          aria-invalid={ed.invalid ? 'true' : undefined}
          aria-describedby={ed.describedBy}
          onInput={(e) => setText(e.currentTarget.value)}
        />
      </div>
    </EditorFrame>
  );
}

function OwnerEditor({ props }: { props: DetailsProps }) {
  const { deal, users } = props;
  const [owner, setOwner] = useState(deal.owner_id === null ? '' : String(deal.owner_id));
  const ed = useEditor('owner', props);
  const choices = users.filter((u) => u.active || u.id === deal.owner_id);
  return (
    <EditorFrame
      field="owner"
      error={ed.error}
      busy={ed.busy}
      onSubmit={() =>
        void ed.submit(owner === '' ? { ok: false, message: 'Choose the owner.' } : { ok: true, patch: { owner_id: Number(owner) } })
      }
      onCancel={() => props.onEdit(null)}
    >
      <div class="field">
        <label for={inputId('owner')}>Owner</label>
        <select
          id={inputId('owner')}
          value={owner}
          aria-invalid={ed.invalid ? 'true' : undefined}
          aria-describedby={ed.describedBy}
          onChange={(e) => setOwner(e.currentTarget.value)}
        >
          {owner === '' && (
            <option value="" disabled>
              Choose the owner
            </option>
          )}
          {choices.map((u) => (
            <option key={u.id} value={String(u.id)}>
              {u.name}
            </option>
          ))}
        </select>
      </div>
    </EditorFrame>
  );
}

type Named = Pick<Person, 'id' | 'name'> | Pick<Organization, 'id' | 'name'>;

/** A person or an organization, typed by name with suggestions; empty removes the link. */
function LookupEditor({ kind, props }: { kind: 'person' | 'org'; props: DetailsProps }) {
  const { api } = useApp();
  const field: DealField = kind;
  const current = kind === 'person' ? props.personName : props.orgName;
  const [text, setText] = useState(current ?? '');
  const [options, setOptions] = useState<Named[]>([]);
  const ed = useEditor(field, props);
  const noun = kind === 'person' ? 'person' : 'organization';

  const search = (q: string, limit: number): Promise<Named[]> =>
    kind === 'person'
      ? api.persons({ q, limit, sort: 'name' }).then((p) => p.items)
      : api.organizations(q, limit).then((p) => p.items);

  useEffect(() => {
    const q = text.trim();
    if (!q || q === current) {
      setOptions([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      search(q, 8).then(
        (items) => live && setOptions(items),
        () => undefined,
      );
    }, kSearchDelayMillis);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text]);

  const resolve = async (): Promise<PatchResult> => {
    const q = text.trim();
    const key = kind === 'person' ? 'person_id' : 'org_id';
    if (!q) return { ok: true, patch: { [key]: null } };
    const currentId = kind === 'person' ? props.deal.person_id : props.deal.org_id;
    if (current !== null && currentId !== null && q === current) return { ok: true, patch: { [key]: currentId } };
    const same = (o: Named) => o.name.toLowerCase() === q.toLowerCase();
    let found = options.find(same);
    if (!found) {
      try {
        found = (await search(q, 20)).find(same);
      } catch {
        return { ok: false, message: `The ${noun}s could not be searched: the server can't be reached. Try again.` };
      }
    }
    if (!found) return { ok: false, message: `No ${noun} is named “${q}”. Pick one from the suggestions, or leave it empty to remove it.` };
    props.onPicked(kind, found.id, found.name);
    return { ok: true, patch: { [key]: found.id } };
  };

  const listId = `deal-edit-${field}-options`;
  return (
    <EditorFrame
      field={field}
      error={ed.error}
      busy={ed.busy}
      onSubmit={() => void ed.submit(resolve())}
      onCancel={() => props.onEdit(null)}
      extra={
        current !== null && (
          <button
            type="button"
            class="button button-small button-quiet"
            disabled={ed.busy}
            onClick={() => void ed.submit({ ok: true, patch: { [kind === 'person' ? 'person_id' : 'org_id']: null } })}
          >
            Remove {noun}
          </button>
        )
      }
    >
      <div class="field">
        <label for={inputId(field)}>{kLabels[field]}</label>
        <input
          id={inputId(field)}
          type="text"
          list={listId}
          autocomplete="off"
          placeholder={`Type a ${noun}'s name`}
          value={text}
          aria-invalid={ed.invalid ? 'true' : undefined}
          aria-describedby={ed.describedBy}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <datalist id={listId}>
          {options.map((o) => (
            <option key={o.id} value={o.name} />
          ))}
        </datalist>
      </div>
    </EditorFrame>
  );
}

function ProbabilityEditor({ props }: { props: DetailsProps }) {
  const { deal, stage } = props;
  const [text, setText] = useState(deal.probability === null ? '' : String(deal.probability));
  const ed = useEditor('probability', props);
  return (
    <EditorFrame
      field="probability"
      error={ed.error}
      busy={ed.busy}
      onSubmit={() => void ed.submit(probabilityPatch(text))}
      onCancel={() => props.onEdit(null)}
      extra={
        deal.probability !== null && (
          <button type="button" class="button button-small button-quiet" disabled={ed.busy} onClick={() => void ed.submit({ ok: true, patch: { probability: null } })}>
            Clear override
          </button>
        )
      }
    >
      <div class="field">
        <label for={inputId('probability')}>Probability (%)</label>
        <input
          id={inputId('probability')}
          type="number"
          inputMode="numeric"
          min={0}
          max={100}
          step={1}
          placeholder={stage ? `${stage.probability} (from the stage)` : ''}
          value={text}
          aria-invalid={ed.invalid ? 'true' : undefined}
          aria-describedby={ed.invalid ? errorId('probability') : 'deal-edit-probability-help'}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <p id="deal-edit-probability-help" class="field-help">
          Empty follows the stage{stage ? ` (${stage.name}: ${stage.probability} %)` : ''}.
        </p>
      </div>
    </EditorFrame>
  );
}

function Row({
  field,
  props,
  children,
  editor,
  aside,
}: {
  field: DealField;
  props: DetailsProps;
  children: ComponentChildren;
  editor: () => ComponentChildren;
  aside?: ComponentChildren;
}) {
  const editing = props.editing === field;
  const label = kLabels[field];
  // When the editor closes (saved or cancelled), focus returns to the row's Edit button.
  const editButton = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(editing);
  useEffect(() => {
    if (wasEditing.current && !editing) editButton.current?.focus();
    wasEditing.current = editing;
  }, [editing]);
  return (
    <div class={`deal-field${editing ? ' is-editing' : ''}`} data-field={field}>
      <dt>{label}</dt>
      <dd>
        {editing ? (
          editor()
        ) : (
          <div class="deal-field-view">
            <span class="deal-field-value">{children}</span>
            <span class="deal-field-actions">
              {aside}
              <button
                ref={editButton}
                type="button"
                class="button button-quiet button-small deal-field-edit"
                aria-label={`Edit ${label.toLowerCase()}`}
                disabled={props.editing !== null}
                onClick={() => props.onEdit(field)}
              >
                Edit
              </button>
            </span>
          </div>
        )}
      </dd>
    </div>
  );
}

function Empty({ children }: { children: ComponentChildren }) {
  return <span class="muted">{children}</span>;
}

export function DealDetails(props: DetailsProps) {
  const { deal, stage, users, personName, orgName } = props;
  const owner = users.find((u) => u.id === deal.owner_id) ?? null;
  const probability = effectiveProbability(deal, stage);
  const [clearing, setClearing] = useState(false);
  const notify = useNotify();
  return (
    <dl class="deal-fields">
      <Row field="title" props={props} editor={() => <TextEditor field="title" props={props} />}>
        {deal.title}
      </Row>
      <Row field="value" props={props} editor={() => <ValueEditor props={props} />}>
        <span class="deal-money">{formatMoney(deal.value_minor, deal.currency)}</span>
      </Row>
      <Row field="close" props={props} editor={() => <CloseDateEditor props={props} />}>
        {deal.expected_close_date ? (
          <time dateTime={deal.expected_close_date}>{formatDate(deal.expected_close_date)}</time>
        ) : (
          <Empty>Not set</Empty>
        )}
      </Row>
      <Row field="owner" props={props} editor={() => <OwnerEditor props={props} />}>
        {deal.owner_id === null ? (
          <Empty>No owner</Empty>
        ) : (
          <span class="deal-owner">
            <Avatar id={deal.owner_id} name={owner?.name ?? null} />
            {owner?.name ?? `User ${deal.owner_id}`}
          </span>
        )}
      </Row>
      <Row field="person" props={props} editor={() => <LookupEditor kind="person" props={props} />}>
        <LinkedRecord id={deal.person_id} name={personName} href={personPath} noun="person" />
      </Row>
      <Row field="org" props={props} editor={() => <LookupEditor kind="org" props={props} />}>
        <LinkedRecord id={deal.org_id} name={orgName} href={organizationPath} noun="organization" />
      </Row>
      <Row field="source" props={props} editor={() => <TextEditor field="source" props={props} />}>
        {deal.source ?? <Empty>Not set</Empty>}
      </Row>
      <Row
        field="probability"
        props={props}
        editor={() => <ProbabilityEditor props={props} />}
        aside={
          deal.probability !== null && (
            <button
              type="button"
              class="button button-quiet button-small"
              aria-label="Clear probability override"
              disabled={props.editing !== null || clearing}
              onClick={async () => {
                setClearing(true);
                const saved = await props.save('probability', { probability: null });
                setClearing(false);
                if (!saved.ok) notify(`The override was not cleared: ${saved.message}`, 'error');
              }}
            >
              Clear
            </button>
          )
        }
      >
        {probability.value === null ? (
          <Empty>Unknown</Empty>
        ) : (
          <>
            {probability.value} %{' '}
            <span class="muted">
              {probability.source === 'override' ? '(set for this deal)' : `(from the stage${stage ? ` ${stage.name}` : ''})`}
            </span>
          </>
        )}
      </Row>
    </dl>
  );
}

// A linked person or organization: a link to its page, its name once known (the id until then).
function LinkedRecord({ id, name, href, noun }: { id: Id | null; name: string | null; href: (id: Id) => string; noun: string }) {
  if (id === null) return <Empty>{`No ${noun}`}</Empty>;
  const fallback = `${noun.charAt(0).toUpperCase()}${noun.slice(1)} ${id}`;
  return (
    <InAppLink href={href(id)} class="deal-link">
      {name ?? fallback}
    </InAppLink>
  );
}
