// Quota attainment on the dashboard: a progress bar per quota that applies today, with the share of
// its period already gone as the "expected by now" mark and, for revenue quotas, the pipeline
// coverage. Admins and managers also get a small editor: the workspace's quotas, a form to add one
// (POST /api/quotas, a 422 next to its field) and delete.

import { useState } from 'preact/hooks';
import { ApiError } from '../api';
import type { AnalyticsScope, Quota, QuotaMetric, QuotaPeriod, QuotaScope, QuotaStatus } from '../analytics_api';
import { formatDate } from '../analytics_period';
import { formatNumber, formatRate } from '../analytics_format';
import { buildQuota, emptyQuotaForm, formatQuotaAmount, kQuotaMetrics, kQuotaPeriods, kQuotaScopes, metricLabel, periodLabel, quotaFieldOf, type QuotaErrors, type QuotaField, type QuotaForm } from '../quota_form';
import { canManage, Empty, LoadState, ReportSection, useAnalytics, useLoad, type ScopeOptions } from './analytics_common';
import { BarList, LegendItem, type BarRow } from './charts';
import { sentence } from '../contact_fields';
import { errorText } from './contacts_common';
import { useApp, useNotify } from './ui';

export function QuotasSection({
  scopeKey,
  query,
  today,
  currency,
  options,
}: {
  scopeKey: string;
  query: AnalyticsScope;
  today: string;
  currency: string | null;
  options: ScopeOptions;
}) {
  const { user } = useApp();
  const analytics = useAnalytics();
  const statuses = useLoad(scopeKey, () => analytics.quotas(query));
  const list = statuses.data ?? [];
  const manager = canManage(user.role);
  return (
    <ReportSection id="quotas" title="Quota attainment" note="Quotas in force today for this scope: achieved so far, and how much of the period has gone (the mark).">
      {statuses.status !== 'ready' ? (
        <LoadState load={statuses} what="the quotas" compact />
      ) : list.length === 0 ? (
        <Empty title="No quotas apply to this scope">{manager ? 'Add one below.' : 'An admin or a manager can set quotas.'}</Empty>
      ) : (
        <BarList
          chart="quotas"
          rows={list.map(quotaRow)}
          legend={
            <>
              <LegendItem kind="chart-bar chart-bar-success">On pace</LegendItem>
              <LegendItem kind="chart-bar chart-bar-warning">Behind</LegendItem>
              <LegendItem kind="marker">Expected by now</LegendItem>
            </>
          }
        />
      )}
      {manager && <QuotaEditor today={today} currency={currency ?? 'USD'} options={options} onChanged={statuses.reload} />}
    </ReportSection>
  );
}

function quotaRow(s: QuotaStatus): BarRow {
  const q = s.quota;
  const attained = s.attainment === null ? 0 : s.attainment * 100;
  const expected = s.expected_by_now === null ? null : s.expected_by_now * 100;
  const behind = expected !== null && attained < expected;
  const label = `${s.subject_name} · ${periodLabel(q.period)} ${metricLabel(q.metric).toLowerCase()}`;
  const coverage = q.metric === 'won_value' ? `coverage ${s.coverage === null ? 'n/a' : `${formatNumber(s.coverage, 1)}×`}` : null;
  return {
    key: q.id,
    label,
    bar: {
      value: attained,
      marker: expected,
      tone: attained >= 100 ? 'success' : behind ? 'warning' : 'success',
      label: `${label}: ${formatRate(s.attainment, 0)} of ${formatQuotaAmount(q, q.target)} (${formatQuotaAmount(q, s.achieved)}); ${formatRate(s.expected_by_now, 0)} of the period has gone${coverage ? `; ${coverage}` : ''}`,
    },
    figures: (
      <>
        <strong>{formatRate(s.attainment, 0)}</strong>{' '}
        <span class="muted">
          {formatQuotaAmount(q, s.achieved)} of {formatQuotaAmount(q, q.target)}
          {coverage ? ` · ${coverage}` : ''}
        </span>
      </>
    ),
  };
}

function subjectName(q: Quota, options: ScopeOptions): string {
  if (q.scope === 'company') return 'Company';
  if (q.scope === 'user') return options.users.find((u) => u.id === q.user_id)?.name ?? `User #${q.user_id}`;
  return options.teams.find((t) => t.id === q.team_id)?.name ?? `Team #${q.team_id}`;
}

function QuotaEditor({ today, currency, options, onChanged }: { today: string; currency: string; options: ScopeOptions; onChanged: () => void }) {
  const analytics = useAnalytics();
  const notify = useNotify();
  const [version, setVersion] = useState(0);
  const quotas = useLoad(`quotas|${version}`, () => analytics.quotaList());
  const [form, setForm] = useState<QuotaForm>(() => emptyQuotaForm(currency, today));
  const [errors, setErrors] = useState<QuotaErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const set = <K extends QuotaField>(key: K, value: QuotaForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const changed = () => {
    setVersion((n) => n + 1);
    onChanged();
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const built = buildQuota(form);
    setFormError(null);
    if (!built.ok) {
      setErrors(built.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      await analytics.createQuota(built.input);
      notify('Quota added.');
      setForm((f) => ({ ...f, target: '' }));
      changed();
    } catch (err) {
      const field = err instanceof ApiError ? quotaFieldOf(err.field) : null;
      if (field) setErrors({ [field]: sentence(err instanceof Error ? err.message : 'Invalid.') });
      else setFormError(`Not added: ${errorText(err)}.`);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (q: Quota) => {
    try {
      await analytics.deleteQuota(q.id, q.version);
      notify('Quota deleted.');
      changed();
    } catch (err) {
      notify(`Couldn't delete the quota: ${errorText(err)}.`, 'error');
    }
  };

  const fieldError = (f: QuotaField) =>
    errors[f] ? (
      <p id={`quota-${f}-error`} class="field-error" data-field={f}>
        {errors[f]}
      </p>
    ) : null;
  const invalid = (f: QuotaField) => ({ 'aria-invalid': errors[f] ? ('true' as const) : undefined, 'aria-describedby': errors[f] ? `quota-${f}-error` : undefined });

  return (
    <details class="quota-editor">
      <summary>Manage quotas</summary>
      {quotas.status !== 'ready' ? (
        <LoadState load={quotas} what="the quotas" compact />
      ) : quotas.data && quotas.data.items.length > 0 ? (
        <ul class="record-list">
          {quotas.data.items.map((q) => (
            <li key={q.id} class="record-row" data-quota-id={q.id}>
              <div class="record-main">
                <span class="record-title">
                  {subjectName(q, options)}: {formatQuotaAmount(q, q.target)} {periodLabel(q.period).toLowerCase()}
                </span>
                <span class="record-meta">
                  {metricLabel(q.metric)} · from {formatDate(q.starts_on)}
                  {q.ends_on ? ` until ${formatDate(q.ends_on)}` : ''}
                  {q.pipeline_id ? ` · ${options.pipelines.find((p) => p.id === q.pipeline_id)?.name ?? `pipeline #${q.pipeline_id}`}` : ''}
                </span>
              </div>
              <button type="button" class="button button-small button-lost" onClick={() => void remove(q)} aria-label={`Delete the quota ${subjectName(q, options)} ${formatQuotaAmount(q, q.target)}`}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No quotas yet.</p>
      )}
      <form class="quota-form" onSubmit={submit} aria-label="New quota" noValidate>
        {formError && (
          <p class="banner banner-error" role="alert">
            {formError}
          </p>
        )}
        <div class="form-grid">
          <div class="field">
            <label for="quota-scope">For</label>
            <select id="quota-scope" value={form.scope} onChange={(e) => set('scope', e.currentTarget.value as QuotaScope)} {...invalid('scope')}>
              {kQuotaScopes.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
            {fieldError('scope')}
          </div>
          {form.scope === 'user' && (
            <div class="field">
              <label for="quota-user">Rep</label>
              <select id="quota-user" value={form.userId} onChange={(e) => set('userId', e.currentTarget.value)} {...invalid('userId')}>
                <option value="">Pick a rep…</option>
                {options.users
                  .filter((u) => u.active)
                  .map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.name}
                    </option>
                  ))}
              </select>
              {fieldError('userId')}
            </div>
          )}
          {form.scope === 'team' && (
            <div class="field">
              <label for="quota-team">Team</label>
              <select id="quota-team" value={form.teamId} onChange={(e) => set('teamId', e.currentTarget.value)} {...invalid('teamId')}>
                <option value="">{options.teams.length ? 'Pick a team…' : 'No teams yet'}</option>
                {options.teams.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </select>
              {fieldError('teamId')}
            </div>
          )}
          <div class="field">
            <label for="quota-period">Repeats</label>
            <select id="quota-period" value={form.period} onChange={(e) => set('period', e.currentTarget.value as QuotaPeriod)} {...invalid('period')}>
              {kQuotaPeriods.map((p) => (
                <option key={p.value} value={p.value}>
                  {p.label}
                </option>
              ))}
            </select>
            {fieldError('period')}
          </div>
          <div class="field">
            <label for="quota-metric">Counts</label>
            <select id="quota-metric" value={form.metric} onChange={(e) => set('metric', e.currentTarget.value as QuotaMetric)} {...invalid('metric')}>
              {kQuotaMetrics.map((m) => (
                <option key={m.value} value={m.value}>
                  {m.label}
                </option>
              ))}
            </select>
            {fieldError('metric')}
          </div>
          <div class="field">
            <label for="quota-target">Target</label>
            <input id="quota-target" type="text" inputMode="decimal" value={form.target} onInput={(e) => set('target', e.currentTarget.value)} {...invalid('target')} />
            {fieldError('target')}
          </div>
          {form.metric === 'won_value' && (
            <div class="field">
              <label for="quota-currency">Currency</label>
              <input id="quota-currency" type="text" maxLength={3} class="input-currency" value={form.currency} onInput={(e) => set('currency', e.currentTarget.value.toUpperCase())} {...invalid('currency')} />
              {fieldError('currency')}
            </div>
          )}
          <div class="field">
            <label for="quota-pipeline">Pipeline</label>
            <select id="quota-pipeline" value={form.pipelineId} onChange={(e) => set('pipelineId', e.currentTarget.value)} {...invalid('pipelineId')}>
              <option value="">All pipelines</option>
              {options.pipelines.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
            {fieldError('pipelineId')}
          </div>
          <div class="field">
            <label for="quota-starts">Starts on</label>
            <input id="quota-starts" type="date" value={form.startsOn} onInput={(e) => set('startsOn', e.currentTarget.value)} {...invalid('startsOn')} />
            {fieldError('startsOn')}
          </div>
        </div>
        <div class="button-row">
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add quota'}
          </button>
        </div>
      </form>
    </details>
  );
}
