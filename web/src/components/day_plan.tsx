// "My day" on the agenda: GET /api/analytics/day-plan grouped by the stage of each deal — the
// overdue and today's activities, and the open deals needing a next step with a quick link to plan
// one on the deal page. Admins and managers can look at a rep's day too. Its rows carry
// data-plan-* attributes, not the agenda's data-activity-id, so the two lists never get mixed up.

import { useEffect, useState } from 'preact/hooks';
import type { Activity, Deal, Id, User } from '../api';
import { nameOf, type DayPlan, type DayPlanGroup } from '../analytics_api';
import { activityTypeLabel } from '../agenda';
import { formatCount } from '../analytics_format';
import { formatDay, utcDay } from '../format';
import { formatMoney } from '../money';
import { canManage, Empty, LoadState, useAnalytics, useLoad } from './analytics_common';
import { AppLink, dealPath } from './contacts_common';
import { useApp } from './ui';

function groupTitle(plan: DayPlan, g: DayPlanGroup): { stage: string; pipeline: string } {
  if (!g.stage_id) return { stage: 'Not linked to a deal', pipeline: '' };
  return { stage: nameOf(plan.names.stages, g.stage_id, 'Stage'), pipeline: g.pipeline_id ? nameOf(plan.names.pipelines, g.pipeline_id, 'Pipeline') : '' };
}

export function DayPlanSection() {
  const { api, user } = useApp();
  const analytics = useAnalytics();
  const manager = canManage(user.role);
  const [ownerId, setOwnerId] = useState<Id>(user.id);
  const [users, setUsers] = useState<User[]>([]);
  const plan = useLoad(`day-plan|${ownerId}`, () => analytics.dayPlan(ownerId));
  const today = plan.data?.day ?? utcDay(new Date());

  useEffect(() => {
    if (!manager) return;
    let live = true;
    api.users().then(
      (p) => live && setUsers(p.items.filter((u) => u.active)),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, manager]);

  const p = plan.data;
  const total = p ? p.groups.reduce((n, g) => n + g.overdue.length + g.today.length + g.needs_next_step.length, 0) : 0;
  const mine = ownerId === user.id;
  const ownerName = mine ? 'you' : (users.find((u) => u.id === ownerId)?.name ?? `user #${ownerId}`);

  return (
    <section class="panel agenda-section day-plan" aria-labelledby="day-plan-title" data-section="day-plan" aria-busy={plan.refreshing ? 'true' : undefined}>
      <div class="panel-header">
        <h2 id="day-plan-title" class="section-title">
          {mine ? 'My day' : `${ownerName}'s day`} {p && <span class="count-chip">{formatCount(total)}</span>}
        </h2>
        <div class="button-row">
          <button type="button" class="button button-small" onClick={plan.reload} disabled={plan.status === 'loading' || plan.refreshing}>
            Refresh
          </button>
          {manager && users.length > 0 && (
            <div class="field field-inline">
              <label for="day-plan-owner">Whose day</label>
              <select id="day-plan-owner" value={ownerId} onChange={(e) => setOwnerId(Number(e.currentTarget.value))}>
                {users.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.id === user.id ? `${u.name} (me)` : u.name}
                  </option>
                ))}
              </select>
            </div>
          )}
        </div>
      </div>
      <p class="muted section-help">Overdue and today's activities and deals needing a next step, by stage.</p>
      {plan.status !== 'ready' || !p ? (
        <LoadState load={plan} what="the day plan" compact />
      ) : total === 0 ? (
        <Empty title="Nothing on the plate today">No overdue or due activities, and every open deal has a next step.</Empty>
      ) : (
        <div class="day-groups">
          {p.groups
            .filter((g) => g.overdue.length + g.today.length + g.needs_next_step.length > 0)
            .map((g) => {
              const t = groupTitle(p, g);
              return (
                <div key={`${g.pipeline_id}|${g.stage_id}`} class="day-group" data-plan-stage-id={g.stage_id ?? 0}>
                  <h3 class="agenda-day-title">
                    {t.stage}
                    {t.pipeline && <span class="day-group-pipeline"> · {t.pipeline}</span>}
                  </h3>
                  <ul class="agenda-list">
                    {g.overdue.map((a) => (
                      <DayActivity key={a.id} activity={a} today={today} overdue />
                    ))}
                    {g.today.map((a) => (
                      <DayActivity key={a.id} activity={a} today={today} overdue={false} />
                    ))}
                    {g.needs_next_step.map((d) => (
                      <NextStepDeal key={d.id} deal={d} />
                    ))}
                  </ul>
                </div>
              );
            })}
        </div>
      )}
    </section>
  );
}

function DayActivity({ activity: a, today, overdue }: { activity: Activity; today: string; overdue: boolean }) {
  return (
    <li class="agenda-item" data-kind={overdue ? 'overdue' : 'today'} data-plan-activity-id={a.id}>
      <div class="agenda-item-main">
        <div class="agenda-item-title">
          <span class={`type-chip type-${a.type}`}>{activityTypeLabel(a.type)}</span>
          <span class="agenda-subject">{a.subject}</span>
        </div>
        <div class="agenda-item-meta">
          <span class={overdue ? 'due due-overdue' : 'due'}>
            {overdue ? 'Overdue · ' : ''}
            {formatDay(a.due_date, today)}
            {a.due_time ? ` · ${a.due_time} UTC` : ''}
          </span>
          {a.deal_id !== null && (
            <>
              <span aria-hidden="true"> · </span>
              <AppLink href={dealPath(a.deal_id)}>Open deal</AppLink>
            </>
          )}
        </div>
      </div>
    </li>
  );
}

function NextStepDeal({ deal }: { deal: Deal }) {
  return (
    <li class="agenda-item" data-kind="needs-next-step" data-plan-deal-id={deal.id}>
      <div class="agenda-item-row">
        <div class="agenda-item-main">
          <AppLink href={dealPath(deal.id)} class="agenda-deal-title">
            {deal.title}
          </AppLink>
          <div class="agenda-item-meta">
            <span class="badge badge-inactive">No next step</span> <span>{formatMoney(deal.value_minor, deal.currency)}</span>
          </div>
        </div>
        <AppLink href={dealPath(deal.id)} class="button button-small" label={`Plan the next step for “${deal.title}”`}>
          Plan next step
        </AppLink>
      </div>
    </li>
  );
}
