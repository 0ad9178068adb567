// The pipeline planner (dashboard): a revenue target, average deal size, close rate and reps give
// the deals, leads and leads per rep needed (GET /api/analytics/plan). The form is pre-filled from
// the scope's history (a plan for a zero target returns the inputs history gives); what the server
// refuses (422) is shown next to the field it names.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import type { AnalyticsScope, PipelinePlan } from '../analytics_api';
import { formatCount } from '../analytics_format';
import { buildPlanRequest, fillDefaults, formFromPlan, kEmptyPlanner, plannerFieldOf, type PlannerErrors, type PlannerField, type PlannerForm } from '../planner';
import { formatMoney } from '../money';
import { ReportSection, useAnalytics } from './analytics_common';
import { sentence } from '../contact_fields';
import { errorText } from './contacts_common';

type Defaults = { state: 'loading' } | { state: 'ready'; plan: PipelinePlan } | { state: 'none'; message: string };

const kFields: ReadonlyArray<{ key: PlannerField; label: string; help: string; inputMode: 'decimal' | 'numeric' }> = [
  { key: 'target', label: 'Revenue target', help: 'What you want to win.', inputMode: 'decimal' },
  { key: 'average', label: 'Average deal size', help: 'Blank: the average won deal of the period.', inputMode: 'decimal' },
  { key: 'closeRate', label: 'Close rate (%)', help: 'Blank: the win rate of the period.', inputMode: 'decimal' },
  { key: 'reps', label: 'Reps', help: 'Blank: the active reps.', inputMode: 'numeric' },
];

export function PlannerSection({ scopeKey, query }: { scopeKey: string; query: AnalyticsScope }) {
  const analytics = useAnalytics();
  const [defaults, setDefaults] = useState<Defaults>({ state: 'loading' });
  const [form, setForm] = useState<PlannerForm>(kEmptyPlanner);
  const [errors, setErrors] = useState<PlannerErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [plan, setPlan] = useState<PipelinePlan | null>(null);
  const [busy, setBusy] = useState(false);
  const currency = useRef('USD');
  /** Fields the user typed in: history's defaults leave them alone. */
  const touched = useRef(new Set<PlannerField>());
  const queryRef = useRef(query);
  queryRef.current = query;

  // History's inputs for this scope: a plan of a zero target.
  useEffect(() => {
    let live = true;
    setDefaults({ state: 'loading' });
    setPlan(null);
    analytics.plan(queryRef.current, { target_minor: 0 }).then(
      (p) => {
        if (!live) return;
        currency.current = p.currency || currency.current;
        setDefaults({ state: 'ready', plan: p });
        setForm((f) => fillDefaults(f, formFromPlan(p, f.target), touched.current));
      },
      (e: unknown) => {
        if (!live) return;
        setDefaults({ state: 'none', message: errorText(e) });
      },
    );
    return () => {
      live = false;
    };
  }, [analytics, scopeKey]);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const built = buildPlanRequest(form, currency.current);
    setFormError(null);
    if (!built.ok) {
      setErrors(built.errors);
      setPlan(null);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const p = await analytics.plan(queryRef.current, built.request);
      setPlan(p);
    } catch (err) {
      setPlan(null);
      const field = err instanceof ApiError ? plannerFieldOf(err.field) : null;
      if (field) setErrors({ [field]: sentence(err instanceof Error ? err.message : 'Invalid.') });
      else setFormError(`No plan: ${errorText(err)}.`);
    } finally {
      setBusy(false);
    }
  };

  const history = defaults.state === 'ready' ? defaults.plan : null;
  const note =
    defaults.state === 'loading'
      ? 'Reading the defaults from history…'
      : defaults.state === 'none'
        ? `History gives no defaults here (${defaults.message}); enter every figure.`
        : `Pre-filled from ${[history!.average_from_history && 'the average won deal', history!.close_rate_from_history && 'the win rate', history!.reps_from_workspace && 'the active reps'].filter(Boolean).join(', ') || 'the workspace'}.`;

  return (
    <ReportSection id="planner" title="Pipeline planner" note="How many deals and leads a revenue target takes.">
      <form class="planner-form" onSubmit={submit} aria-label="Pipeline planner" noValidate>
        {formError && (
          <p class="banner banner-error" role="alert">
            {formError}
          </p>
        )}
        <div class="form-grid">
          {kFields.map((f) => {
            const id = `planner-${f.key}`;
            const error = errors[f.key];
            return (
              <div class="field" key={f.key}>
                <label for={id}>
                  {f.label}
                  {(f.key === 'target' || f.key === 'average') && <span class="muted"> ({currency.current})</span>}
                </label>
                <input
                  id={id}
                  type="text"
                  inputMode={f.inputMode}
                  autocomplete="off"
                  value={form[f.key]}
                  placeholder={f.key === 'target' ? '100000' : ''}
                  aria-invalid={error ? 'true' : undefined}
                  aria-describedby={error ? `${id}-error` : `${id}-help`}
                  onInput={(e) => {
                    touched.current.add(f.key);
                    const value = e.currentTarget.value;
                    setForm((x) => ({ ...x, [f.key]: value }));
                  }}
                />
                {error ? (
                  <p id={`${id}-error`} class="field-error" data-field={f.key} role="alert">
                    {error}
                  </p>
                ) : (
                  <p id={`${id}-help`} class="field-help">
                    {f.help}
                  </p>
                )}
              </div>
            );
          })}
        </div>
        <div class="button-row">
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Planning…' : 'Plan'}
          </button>
        </div>
        <p class="muted section-help" role="status">
          {note}
        </p>
      </form>
      {plan && (
        <div class="plan-result" data-testid="plan-result" role="status">
          <ul class="tiles tiles-small">
            <li class="tile" data-plan="deals_needed">
              <span class="tile-label">Deals needed</span>
              <span class="tile-value">{formatCount(plan.result.deals_needed)}</span>
            </li>
            <li class="tile" data-plan="leads_needed">
              <span class="tile-label">Leads needed</span>
              <span class="tile-value">{formatCount(plan.result.leads_needed)}</span>
            </li>
            <li class="tile" data-plan="leads_per_rep">
              <span class="tile-label">Leads per rep</span>
              <span class="tile-value">{formatCount(plan.result.leads_per_rep)}</span>
            </li>
          </ul>
          <p class="muted section-help">
            To win {formatMoney(plan.input.target_minor, plan.currency)} at {formatMoney(plan.input.average_deal_minor, plan.currency)} a deal takes{' '}
            {formatCount(plan.result.deals_needed)} deals; at a {plan.input.close_rate_bp / 100}% close rate that is {formatCount(plan.result.leads_needed)} leads, or{' '}
            {formatCount(plan.result.leads_per_rep)} for each of {formatCount(plan.input.reps)} {plan.input.reps === 1 ? 'rep' : 'reps'}.
          </p>
        </div>
      )}
    </ReportSection>
  );
}
