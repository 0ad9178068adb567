// The health thresholds (GET/PATCH /api/health-settings) as a form on the health page, for admins
// and managers: the numbers, the late stages (none picked: stages named proposal, quote or
// negotiation) and the lost reasons that mean "unqualified". Only changed fields are sent; a 422
// is shown next to the field it names.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Pipeline, type Stage } from '../api';
import type { HealthSettings } from '../analytics_api';
import { buildSettingsPatch, kNumberSettings, settingsFieldOf, settingsToForm, type SettingsErrors, type SettingsField, type SettingsForm } from '../health_settings';
import { sentence } from '../contact_fields';
import { errorText } from './contacts_common';
import { LoadState, useAnalytics, useLoad } from './analytics_common';
import { useApp, useNotify } from './ui';

export function HealthSettingsForm({ onSaved }: { onSaved: () => void }) {
  const analytics = useAnalytics();
  const { api } = useApp();
  const settings = useLoad('health-settings', () => analytics.healthSettings());
  const [stages, setStages] = useState<{ stages: Stage[]; pipelines: Pipeline[] }>({ stages: [], pipelines: [] });

  useEffect(() => {
    let live = true;
    Promise.all([api.allStages().then((p) => p.items, () => [] as Stage[]), api.pipelines().then((p) => p.items, () => [] as Pipeline[])]).then(([s, p]) => {
      if (live) setStages({ stages: s, pipelines: p });
    });
    return () => {
      live = false;
    };
  }, [api]);

  if (settings.status !== 'ready' || !settings.data) return <LoadState load={settings} what="the thresholds" compact />;
  return <SettingsEditor initial={settings.data} stages={stages.stages} pipelines={stages.pipelines} onSaved={onSaved} />;
}

/**
 * The form over the settings as last saved: a save adopts the server's answer as the new saved
 * state (the form stays mounted, so nothing typed meanwhile is swapped for an older read).
 */
function SettingsEditor({ initial, stages, pipelines, onSaved }: { initial: HealthSettings; stages: Stage[]; pipelines: Pipeline[]; onSaved: () => void }) {
  const analytics = useAnalytics();
  const notify = useNotify();
  const [saved, setSaved] = useState<HealthSettings>(initial);
  const [form, setForm] = useState<SettingsForm>(() => settingsToForm(initial));
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setFormError(null);
    const built = buildSettingsPatch(form, saved);
    if (!built.ok) {
      setErrors(built.errors);
      return;
    }
    setErrors({});
    if (Object.keys(built.patch).length === 0) {
      notify('Nothing changed.');
      return;
    }
    setBusy(true);
    try {
      const updated = await analytics.updateHealthSettings(built.patch);
      setSaved(updated);
      setForm(settingsToForm(updated));
      notify('Health thresholds saved.');
      onSaved();
    } catch (err) {
      const field = err instanceof ApiError ? settingsFieldOf(err.field) : null;
      if (field) setErrors({ [field]: sentence((err as ApiError).message) });
      else setFormError(`Not saved: ${errorText(err)}.`);
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (f: SettingsField) =>
    errors[f] ? (
      <p id={`hs-${f}-error`} class="field-error" data-field={f} role="alert">
        {errors[f]}
      </p>
    ) : null;
  const pipelineName = (id: number) => pipelines.find((p) => p.id === id)?.name ?? '';

  return (
    <form class="health-settings-form" onSubmit={submit} aria-label="Health thresholds" noValidate>
      {formError && (
        <p class="banner banner-error" role="alert">
          {formError}
        </p>
      )}
      <div class="form-grid">
        {kNumberSettings.map((spec) => {
          const id = `hs-${spec.key}`;
          return (
            <div class="field" key={spec.key}>
              <label for={id}>
                {spec.label}
                {spec.suffix && <span class="muted"> ({spec.suffix})</span>}
              </label>
              <input
                id={id}
                type="text"
                inputMode={spec.integer ? 'numeric' : 'decimal'}
                value={form.numbers[spec.key]}
                aria-invalid={errors[spec.key] ? 'true' : undefined}
                aria-describedby={errors[spec.key] ? `${id}-error` : `${id}-help`}
                onInput={(e) => {
                  const value = e.currentTarget.value;
                  setForm((f) => ({ ...f, numbers: { ...f.numbers, [spec.key]: value } }));
                }}
              />
              {fieldError(spec.key) ?? (
                <p id={`${id}-help`} class="field-help">
                  {spec.help}
                </p>
              )}
            </div>
          );
        })}
      </div>
      <fieldset class="fieldset" aria-describedby={errors.late_stage_ids ? 'hs-late_stage_ids-error' : undefined}>
        <legend>Late stages</legend>
        <p class="field-help">None picked: the stages whose name mentions proposal, quote or negotiation.</p>
        <div class="check-grid">
          {stages.map((s) => (
            <label key={s.id} class="choice">
              <input
                type="checkbox"
                checked={form.lateStageIds.includes(s.id)}
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  setForm((f) => ({ ...f, lateStageIds: on ? [...f.lateStageIds, s.id] : f.lateStageIds.filter((x) => x !== s.id) }));
                }}
              />
              <span>
                {s.name} <span class="muted">· {pipelineName(s.pipeline_id)}</span>
              </span>
            </label>
          ))}
        </div>
        {fieldError('late_stage_ids')}
      </fieldset>
      <div class="field">
        <label for="hs-reasons">Lost reasons that mean “unqualified” (one per line)</label>
        <textarea
          id="hs-reasons"
          rows={3}
          value={form.reasons}
          aria-invalid={errors.unqualified_reasons ? 'true' : undefined}
          aria-describedby={errors.unqualified_reasons ? 'hs-unqualified_reasons-error' : undefined}
          onInput={(e) => {
            const value = e.currentTarget.value;
            setForm((f) => ({ ...f, reasons: value }));
          }}
        />
        {fieldError('unqualified_reasons')}
      </div>
      <div class="button-row">
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save thresholds'}
        </button>
        <button
          type="button"
          class="button"
          onClick={() => {
            setForm(settingsToForm(saved));
            setErrors({});
            setFormError(null);
          }}
        >
          Reset
        </button>
      </div>
    </form>
  );
}
