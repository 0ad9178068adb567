// "+ Deal": a new deal in a stage of the board. Input mistakes the browser can see (no title, an
// amount that is not a number) are shown at once; everything else is the server's to judge, and
// its 422 names the field the message is shown next to. Nothing is added until the server has
// created the deal.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Deal, type DealCreate, type Id, type MoneyTotal, type Organization, type Stage } from '../api';
import { isKnownCurrency, parseMoneyInput } from '../money';
import { Dialog, useApp } from './ui';

type Field = 'title' | 'value' | 'currency' | 'stage' | 'org';

/** Server field names (docs/api.md) → the form's fields. */
const kServerFields: Record<string, Field> = {
  title: 'title',
  value_minor: 'value',
  currency: 'currency',
  stage_id: 'stage',
  pipeline_id: 'stage',
  org_id: 'org',
};

const kCommonCurrencies = ['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'CHF', 'JPY', 'SEK', 'NOK', 'DKK', 'PLN', 'INR', 'BRL', 'MXN', 'SGD', 'ZAR'];

const kOrgSearchDelayMillis = 200;

function sentence(message: string): string {
  const s = message.trim();
  if (!s) return s;
  const capital = s[0]!.toUpperCase() + s.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** The board's currencies first (most deals first), then common ones. */
export function currencyChoices(totals: readonly MoneyTotal[]): string[] {
  const counts = new Map<string, number>();
  for (const t of totals) counts.set(t.currency, (counts.get(t.currency) ?? 0) + t.count);
  const used = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([c]) => c);
  return [...new Set([...used, ...kCommonCurrencies])].filter(isKnownCurrency);
}

interface Props {
  stages: Stage[];
  stageId: Id;
  /** The board's totals: their currencies are offered first and the most used is the default. */
  currencies: MoneyTotal[];
  onClose: () => void;
  onCreated: (deal: Deal, orgName: string | null) => void;
}

export function NewDealDialog({ stages, stageId, currencies, onClose, onCreated }: Props) {
  const { api } = useApp();
  const [choices] = useState(() => currencyChoices(currencies));
  const [title, setTitle] = useState('');
  const [value, setValue] = useState('');
  const [currency, setCurrency] = useState(choices[0] ?? 'USD');
  const [stage, setStage] = useState(stageId);
  const [orgText, setOrgText] = useState('');
  const [orgOptions, setOrgOptions] = useState<Organization[]>([]);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

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
    }, kOrgSearchDelayMillis);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, orgText]);

  /** The organization named in the field: undefined when none is asked for, null when unknown. */
  const resolveOrg = async (): Promise<Organization | null | undefined> => {
    const text = orgText.trim();
    if (!text) return undefined;
    const same = (o: Organization) => o.name.toLowerCase() === text.toLowerCase();
    const known = orgOptions.find(same);
    if (known) return known;
    const page = await api.organizations(text, 20);
    return page.items.find(same) ?? null;
  };

  const focusFirstError = (fields: Partial<Record<Field, string>>) => {
    const order: Field[] = ['title', 'value', 'currency', 'stage', 'org'];
    const first = order.find((f) => fields[f]);
    if (first) formRef.current?.querySelector<HTMLElement>(`#deal-${first}`)?.focus();
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found: Partial<Record<Field, string>> = {};
    if (!title.trim()) found.title = 'Enter a title.';
    const input: DealCreate = { title: title.trim(), stage_id: stage, currency };
    if (value.trim()) {
      const parsed = parseMoneyInput(value, currency);
      if (parsed.ok) input.value_minor = parsed.minor;
      else found.value = parsed.message;
    }
    setFormError(null);
    if (Object.keys(found).length > 0) {
      setErrors(found);
      focusFirstError(found);
      return;
    }
    setBusy(true);
    setErrors({});
    let orgName: string | null = null;
    try {
      const org = await resolveOrg();
      if (org === null) {
        const fields = { org: `No organization is named “${orgText.trim()}”. Pick one from the suggestions or leave it empty.` };
        setErrors(fields);
        setBusy(false);
        focusFirstError(fields);
        return;
      }
      if (org) {
        input.org_id = org.id;
        orgName = org.name;
      }
      const deal = await api.createDeal(input);
      onCreated(deal, orgName);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.field && kServerFields[err.field]) {
        const fields = { [kServerFields[err.field]!]: sentence(err.message) };
        setErrors(fields);
        focusFirstError(fields);
      } else if (err instanceof ApiError && err.unreachable) {
        setFormError("The server can't be reached, so the deal was not added. Try again.");
      } else {
        setFormError(`The deal was not added: ${err instanceof Error ? sentence(err.message) : 'unknown error.'}`);
      }
    }
  };

  const describe = (field: Field) => (errors[field] ? `deal-${field}-error` : undefined);
  const fieldError = (field: Field) =>
    errors[field] ? (
      <p id={`deal-${field}-error`} class="field-error" data-field={field}>
        {errors[field]}
      </p>
    ) : null;

  return (
    <Dialog title="New deal" onClose={onClose}>
      <form class="form" ref={formRef} onSubmit={submit} noValidate>
        {formError && (
          <p class="banner banner-error" role="alert">
            {formError}
          </p>
        )}
        <div class="field">
          <label for="deal-title">Title</label>
          <input
            id="deal-title"
            type="text"
            required
            autofocus
            maxLength={500}
            value={title}
            aria-invalid={errors.title ? 'true' : undefined}
            aria-describedby={describe('title')}
            onInput={(e) => setTitle(e.currentTarget.value)}
          />
          {fieldError('title')}
        </div>
        <div class="field-row">
          <div class="field field-grow">
            <label for="deal-value">Value</label>
            <input
              id="deal-value"
              type="text"
              inputMode="decimal"
              autocomplete="off"
              placeholder="0"
              value={value}
              aria-invalid={errors.value ? 'true' : undefined}
              aria-describedby={describe('value')}
              onInput={(e) => setValue(e.currentTarget.value)}
            />
            {fieldError('value')}
          </div>
          <div class="field">
            <label for="deal-currency">Currency</label>
            <select
              id="deal-currency"
              value={currency}
              aria-invalid={errors.currency ? 'true' : undefined}
              aria-describedby={describe('currency')}
              onChange={(e) => setCurrency(e.currentTarget.value)}
            >
              {choices.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
            {fieldError('currency')}
          </div>
        </div>
        <div class="field">
          <label for="deal-stage">Stage</label>
          <select
            id="deal-stage"
            value={String(stage)}
            aria-invalid={errors.stage ? 'true' : undefined}
            aria-describedby={describe('stage')}
            onChange={(e) => setStage(Number(e.currentTarget.value))}
          >
            {stages.map((s) => (
              <option key={s.id} value={String(s.id)}>
                {s.name}
              </option>
            ))}
          </select>
          {fieldError('stage')}
        </div>
        <div class="field">
          <label for="deal-org">
            Organization <span class="muted">(optional)</span>
          </label>
          <input
            id="deal-org"
            type="text"
            list="deal-org-options"
            autocomplete="off"
            value={orgText}
            aria-invalid={errors.org ? 'true' : undefined}
            aria-describedby={describe('org')}
            onInput={(e) => setOrgText(e.currentTarget.value)}
          />
          <datalist id="deal-org-options">
            {orgOptions.map((o) => (
              <option key={o.id} value={o.name} />
            ))}
          </datalist>
          {fieldError('org')}
        </div>
        <div class="button-row button-row-end">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add deal'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
