// Browser tests of the manager's pages, run by run.mjs: the dashboard (/dashboard: tiles, charts,
// period picker in the URL, planner, quotas editor), pipeline health (/health: findings, bulk
// cleanup, snooze/unsnooze, thresholds) and the day plan on the agenda. Each test gets `t`: {page,
// context, baseUrl, token, api, artifacts} on a fresh demo workspace (`pipedeck init --demo`),
// signed in as the demo admin. Figures are checked against the API's own answers for the same
// scope, so the tests do not depend on the demo's exact numbers; what must not change is read back
// through the API.

import { join } from 'node:path';

import { assertEqual, fail, signInAt, waitForApi, waitUntil } from './support.mjs';

/** The UTC day `offset` days from now, "YYYY-MM-DD". */
function utcDay(offset = 0) {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

const count = (n) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(n);
const rate = (r) => (r === null ? 'n/a' : `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(r * 100)}%`);

const tile = (key) => `[data-tile="${key}"] .tile-value`;
const flagRow = (flag, id) => `section[data-flag="${flag}"] tr[data-deal-id="${id}"]`;

async function text(page, selector) {
  return ((await page.locator(selector).first().textContent()) ?? '').trim();
}

/** No horizontal overflow: neither the document nor the page's scrolling box is wider than the screen. */
async function assertNoOverflow(page, what) {
  const overflow = await page.evaluate(() => {
    const doc = document.documentElement.scrollWidth - document.documentElement.clientWidth;
    const main = document.querySelector('main.page');
    return Math.max(doc, main ? main.scrollWidth - main.clientWidth : 0);
  });
  if (overflow > 0) fail(`${what} is ${overflow}px wider than a phone screen`);
}

/** A screenshot of the whole page: the viewport grows to the page's scrolling box first. */
async function shootWhole(page, path) {
  const before = page.viewportSize();
  const height = await page.evaluate(() => Math.ceil(document.querySelector('main.page')?.scrollHeight ?? 800) + 60);
  await page.setViewportSize({ width: before.width, height: Math.min(Math.max(height, before.height), 8000) });
  await page.waitForTimeout(250); // charts re-measure their width
  await page.screenshot({ path });
  await page.setViewportSize(before);
}

/** Expands every finding of `flag` that shows only its worst deals. */
async function showAll(page, flag) {
  const buttons = page.locator(`section[data-flag="${flag}"] [data-show-all]`);
  while ((await buttons.count()) > 0) await buttons.first().click();
}

/** Signs in on /health and shows every deal "no next step" lists. */
async function openHealth(t, dealId) {
  await signInAt(t, '/health', 'section[data-flag="no_next_activity"] tbody tr');
  await showAll(t.page, 'no_next_activity');
  await t.page.locator(flagRow('no_next_activity', dealId)).waitFor();
}

/** An open deal of the admin with nothing planned: health flags it "no next step" at once. */
async function newDeal(t, title, stageIndex = 0) {
  const stages = (await t.api.get('/api/stages?pipeline_id=1&limit=500')).items;
  return t.api.post('/api/deals', { title, stage_id: stages[stageIndex].id, value_minor: 250_000, currency: 'USD' });
}

async function firstRep(t) {
  const users = (await t.api.get('/api/users?limit=500')).items;
  const rep = users.find((u) => u.role === 'rep' && u.active);
  if (!rep) fail('the demo has no active rep');
  return rep;
}

/** Waits for the dashboard to show the report of `label` (the API's period label). */
async function waitForPeriod(page, label) {
  await waitUntil(async () => (await page.locator('main.dashboard-page').getAttribute('data-period')) === label && !(await page.locator('main.dashboard-page[aria-busy="true"]').count()), `the dashboard of ${label}`);
}

/** The leaderboard's rows ordered as the UI sorts them by win rate, descending. */
function byWinRate(rows) {
  return [...rows].sort((a, b) => {
    if (a.win_rate === null && b.win_rate !== null) return 1;
    if (b.win_rate === null && a.win_rate !== null) return -1;
    if (a.win_rate !== null && b.win_rate !== null && a.win_rate !== b.win_rate) return b.win_rate - a.win_rate;
    if (a.won_value_minor !== b.won_value_minor) return b.won_value_minor - a.won_value_minor;
    return a.name.localeCompare(b.name);
  });
}

export const tests = [
  {
    name: 'analytics-dashboard-tiles-charts-and-period-picker',
    async run(t) {
      const { page } = t;
      const month = utcDay().slice(0, 7);
      const year = utcDay().slice(0, 4);
      const d = await t.api.get(`/api/analytics/dashboard?period=${month}`);
      const f = await t.api.get(`/api/analytics/forecast?period=${month}&months=6`);

      await signInAt(t, '/dashboard', tile('new_deals'));
      await waitForPeriod(page, d.period.label);

      // Headline tiles: all eight, each with its previous period and a change (or n/a).
      assertEqual(
        await page.locator('[data-tile]').evaluateAll((els) => els.map((e) => e.dataset.tile)),
        ['new_deals', 'won_value', 'win_rate', 'average_deal', 'cycle_mean', 'cycle_median', 'lifetime', 'velocity'],
        'tiles',
      );
      assertEqual(await text(page, tile('new_deals')), count(d.current.new_deals), 'new deals tile');
      assertEqual(await text(page, tile('win_rate')), rate(d.current.win_rate), 'win rate tile');
      for (const key of ['new_deals', 'won_value', 'win_rate', 'velocity']) {
        const change = await page.locator(`[data-tile="${key}"] [data-change]`).getAttribute('data-change');
        if (!/^([+−]?[0-9.,]+%|n\/a)$/.test(change)) fail(`the ${key} tile's change reads "${change}"`);
        if (!(await page.locator(`[data-tile="${key}"] .tile-previous`).textContent()).includes(':')) fail(`the ${key} tile has no previous figure`);
      }
      if (d.current.won_deals + d.current.lost_deals === 0) await page.locator('[data-section="tiles"] [data-empty]').filter({ hasText: 'No deals closed in this period' }).waitFor();

      // Charts: one bar per funnel step (+ won), conversion and time-in-stage rows, 12 trend months,
      // a forecast column per month, and a hidden table under the SVG charts.
      if (d.funnel_created > 0) {
        assertEqual(await page.locator('[data-chart="funnel"] svg.hbar[role="img"]').count(), d.funnel.length + 1, 'funnel bars');
      } else await page.locator('[data-section="funnel"] [data-empty]').waitFor();
      if (d.conversion.some((c) => c.entered > 0)) assertEqual(await page.locator('[data-chart="conversion"] .bar-row').count(), d.conversion.length, 'conversion rows');
      if (d.time_in_stage.some((s) => s.days.count > 0)) assertEqual(await page.locator('[data-chart="time-in-stage"] .bar-row').count(), d.time_in_stage.length, 'time in stage rows');
      if (d.trend.some((p) => p.won_deals + p.lost_deals > 0)) {
        assertEqual(await page.locator('[data-chart="win-rate-trend"] circle.chart-point').count(), d.trend.filter((p) => p.win_rate !== null).length, 'win rate points');
        assertEqual(await page.locator('[data-chart="win-rate-trend"] .sr-only tbody tr').count(), 12, 'rows of the hidden trend table');
        if (!(await page.locator('[data-chart="win-rate-trend"] svg').getAttribute('aria-label'))) fail('the trend chart has no aria-label');
      }
      await page.locator('[data-chart="forecast"], [data-section="forecast"] [data-empty]').first().waitFor();
      if (await page.locator('[data-chart="forecast"]').count()) assertEqual(await page.locator('[data-chart="forecast"] g[data-month]').count(), f.months.length, 'forecast columns');
      assertEqual(await page.locator('[data-chart="probabilities"] tbody tr').count(), f.probabilities.length, 'probability rows');
      if (d.lost.length) assertEqual(await page.locator('[data-chart="lost-reasons"] tbody tr').count(), new Set(d.lost.map((l) => l.reason)).size, 'lost reason rows');

      // Leaderboard: one row per rep, sortable by win rate.
      if (d.leaderboard.length > 1) {
        assertEqual(await page.locator('[data-chart="leaderboard"] tbody tr').count(), d.leaderboard.length, 'leaderboard rows');
        await page.locator('[data-chart="leaderboard"] button[data-sort="win_rate"]').click();
        const shown = await page.locator('[data-chart="leaderboard"] tbody tr').evaluateAll((els) => els.map((e) => Number(e.dataset.ownerId)));
        assertEqual(shown, byWinRate(d.leaderboard).map((r) => r.owner_id), 'leaderboard by win rate');
        assertEqual(await page.locator('[data-chart="leaderboard"] th[aria-sort]').getAttribute('aria-sort'), 'descending', 'aria-sort');
      }
      await shootWhole(page, join(t.artifacts, 'dashboard.png'));

      // The period picker writes the period into the URL and the figures follow.
      const y = await t.api.get(`/api/analytics/dashboard?period=${year}`);
      await page.getByLabel('Period', { exact: true }).selectOption('this-year');
      await waitUntil(() => new URL(page.url()).searchParams.get('period') === year, 'period=YYYY in the URL');
      await waitForPeriod(page, y.period.label);
      assertEqual(await text(page, tile('new_deals')), count(y.current.new_deals), 'new deals of the year');
      if (y.current.new_deals === d.current.new_deals) console.log('     note: the year and the month have as many new deals');

      // Back returns to the month.
      await page.goBack();
      await waitForPeriod(page, d.period.label);
      assertEqual(await text(page, tile('new_deals')), count(d.current.new_deals), 'new deals after Back');

      // A custom range: picked with an inclusive end, sent (and kept in the URL) with an exclusive one.
      const from = utcDay(-60);
      const through = utcDay(-31);
      const c = await t.api.get(`/api/analytics/dashboard?from=${from}&to=${utcDay(-30)}`);
      await page.getByLabel('Period', { exact: true }).selectOption('custom');
      await page.locator('#dash-from').fill(through);
      await page.locator('#dash-to').fill(from);
      await page.getByRole('button', { name: 'Apply range' }).click();
      await page.locator('.scope-range-error').filter({ hasText: 'The end date must be on or after the start date.' }).waitFor();
      if (new URL(page.url()).searchParams.has('from')) fail('a backwards range reached the URL');
      await page.locator('#dash-from').fill(from);
      await page.locator('#dash-to').fill(through);
      await page.getByRole('button', { name: 'Apply range' }).click();
      await waitUntil(() => {
        const s = new URL(page.url()).searchParams;
        return s.get('from') === from && s.get('to') === utcDay(-30) && !s.has('period');
      }, 'from/to in the URL');
      await waitForPeriod(page, c.period.label);
      assertEqual(await text(page, tile('new_deals')), count(c.current.new_deals), 'new deals of the custom range');

      // A reload (or a shared link) shows the same report.
      await page.reload();
      await waitForPeriod(page, c.period.label);
      assertEqual(await page.getByLabel('Period', { exact: true }).inputValue(), 'custom', 'picker after reload');
      assertEqual(await page.locator('#dash-to').inputValue(), through, 'inclusive end after reload');

      // The owner filter goes into the URL and the API is asked for that rep.
      const rep = await firstRep(t);
      const asked = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/analytics/dashboard' && new URL(r.url()).searchParams.get('owner_id') === String(rep.id));
      await page.getByLabel('Owner', { exact: true }).selectOption(String(rep.id));
      await asked;
      const o = await t.api.get(`/api/analytics/dashboard?from=${from}&to=${utcDay(-30)}&owner_id=${rep.id}`);
      await waitUntil(async () => (await text(page, tile('new_deals'))) === count(o.current.new_deals) && !(await page.locator('main.dashboard-page[aria-busy="true"]').count()), "the rep's new deals");
      assertEqual(new URL(page.url()).searchParams.get('owner_id'), String(rep.id), 'owner_id in the URL');

      // Phone width: nothing wider than the screen.
      await page.goto(`${t.baseUrl}/dashboard`);
      await waitForPeriod(page, d.period.label);
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForTimeout(250);
      await assertNoOverflow(page, 'the dashboard');
      await shootWhole(page, join(t.artifacts, 'dashboard-phone.png'));
    },
  },
  {
    name: 'analytics-planner-and-quotas',
    async run(t) {
      const { page } = t;
      await signInAt(t, '/dashboard', '#planner-target');
      // Defaults come from history (a plan of a zero target) as soon as it answers.
      const month = utcDay().slice(0, 7);
      const defaults = await fetch(`${t.baseUrl}/api/analytics/plan?period=${month}&target_minor=0`, { headers: { Authorization: `Bearer ${t.token}` } });
      if (defaults.ok) {
        const plan = await defaults.json();
        await waitUntil(async () => (await page.locator('#planner-reps').inputValue()) === String(plan.input.reps), 'reps pre-filled from the workspace');
      }

      // The seed example: 100,000.00 at 500.00 a deal, 80%, 10 reps → 200 deals, 250 leads, 25 each.
      await page.locator('#planner-target').fill('100000.00');
      await page.locator('#planner-average').fill('500.00');
      await page.locator('#planner-closeRate').fill('80');
      await page.locator('#planner-reps').fill('10');
      let planned = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/analytics/plan' && new URL(r.url()).searchParams.get('target_minor') === '10000000');
      await page.getByRole('button', { name: 'Plan', exact: true }).click();
      const response = await planned;
      assertEqual(response.status(), 200, 'plan status');
      const sent = new URL(response.url()).searchParams;
      assertEqual([sent.get('average_deal_minor'), sent.get('close_rate'), sent.get('reps')], ['50000', '80', '10'], 'planner parameters');
      await page.locator('[data-testid="plan-result"]').waitFor();
      assertEqual(
        [await text(page, '[data-plan="deals_needed"] .tile-value'), await text(page, '[data-plan="leads_needed"] .tile-value'), await text(page, '[data-plan="leads_per_rep"] .tile-value')],
        ['200', '250', '25'],
        'deals, leads, leads per rep',
      );

      // A close rate above 100% is the server's to refuse: its message shows next to the field.
      await page.locator('#planner-closeRate').fill('150');
      planned = waitForApi(page, 'GET', '/api/analytics/plan');
      await page.getByRole('button', { name: 'Plan', exact: true }).click();
      assertEqual((await planned).status(), 422, 'status for a 150% close rate');
      await page.locator('.field-error[data-field="closeRate"]').waitFor();
      assertEqual(await page.locator('#planner-closeRate').getAttribute('aria-invalid'), 'true', 'close rate marked invalid');
      assertEqual(await page.locator('[data-testid="plan-result"]').count(), 0, 'no result beside an error');
      // And a typo never reaches the server.
      let asked = 0;
      page.on('request', (r) => {
        if (new URL(r.url()).pathname === '/api/analytics/plan') asked++;
      });
      await page.locator('#planner-reps').fill('ten');
      await page.getByRole('button', { name: 'Plan', exact: true }).click();
      await page.locator('.field-error[data-field="reps"]').filter({ hasText: 'Enter a whole number of reps.' }).waitFor();
      assertEqual(asked, 0, 'plan requests for a typo');

      // Quotas: the admin adds a company quota; it shows in the attainment list.
      const before = (await t.api.get('/api/quotas?limit=500')).items.length;
      await page.locator('.quota-editor summary').click();
      await page.locator('#quota-target').fill('');
      await page.getByRole('button', { name: 'Add quota' }).click();
      await page.locator('.field-error[data-field="target"]').filter({ hasText: 'Enter a target.' }).waitFor();
      await page.locator('#quota-target').fill('50000');
      const created = waitForApi(page, 'POST', '/api/quotas');
      await page.getByRole('button', { name: 'Add quota' }).click();
      const createdResponse = await created;
      assertEqual(createdResponse.status(), 201, 'create quota status');
      const quota = await createdResponse.json();
      assertEqual({ scope: quota.scope, metric: quota.metric, target: quota.target, period: quota.period }, { scope: 'company', metric: 'won_value', target: 5_000_000, period: 'month' }, 'the quota');
      assertEqual((await t.api.get('/api/quotas?limit=500')).items.length, before + 1, 'quotas in the API');
      await page.locator(`[data-chart="quotas"] [data-row="${quota.id}"]`).waitFor();
      await page.locator(`[data-quota-id="${quota.id}"]`).waitFor();

      // Deleting it removes it everywhere.
      const deleted = waitForApi(page, 'DELETE', `/api/quotas/${quota.id}`);
      await page.locator(`[data-quota-id="${quota.id}"]`).getByRole('button', { name: /^Delete/ }).click();
      assertEqual((await deleted).status(), 200, 'delete quota status');
      await page.locator(`[data-chart="quotas"] [data-row="${quota.id}"]`).waitFor({ state: 'detached' });
      assertEqual((await t.api.get('/api/quotas?limit=500')).items.length, before, 'quotas after delete');
    },
  },
  {
    name: 'analytics-health-bulk-actions',
    async run(t) {
      const { page } = t;
      const me = await t.api.get('/api/users/me');
      const rep = await firstRep(t);
      const reasons = (await t.api.get('/api/lost-reasons?limit=500')).items.filter((r) => r.active);
      const a = await newDeal(t, 'Health test: Alpha renewal');
      const b = await newDeal(t, 'Health test: Bravo pilot');
      const c = await newDeal(t, 'Health test: Charlie upsell');
      const dd = await newDeal(t, 'Health test: Delta expansion');
      const e = await newDeal(t, 'Health test: Echo migration');
      const f = await newDeal(t, 'Health test: Foxtrot trial');

      await openHealth(t, f.id);
      // Each flag section shows its title, what it means and its thresholds from the settings.
      await page.locator('section[data-flag="no_next_activity"] h2').filter({ hasText: 'No next step' }).waitFor();
      if ((await page.locator('section[data-flag] ul.thresholds li').count()) === 0) fail('no thresholds shown');
      const row = page.locator(flagRow('no_next_activity', a.id));
      assertEqual(await row.getByRole('link', { name: a.title }).getAttribute('href'), `/deals/${a.id}`, 'deal link');
      if (!(await row.textContent()).includes('$2,500.00')) fail('the row lacks the deal value');

      // Select all in a finding, then clear.
      const finding = page.locator('section[data-flag="no_next_activity"] .finding').first();
      const listed = await finding.locator('tbody tr[data-deal-id]').count();
      await finding.locator('thead input[type="checkbox"]').check();
      await page.locator('.bulk-count').filter({ hasText: `${listed} ${listed === 1 ? 'deal' : 'deals'} selected` }).waitFor();
      await page.getByRole('button', { name: 'Clear', exact: true }).click();
      await page.locator('.bulk-count').filter({ hasText: 'No deals selected' }).waitFor();

      const check = (deal) => page.locator(flagRow('no_next_activity', deal.id)).getByRole('checkbox').check();
      const apply = async (n) => {
        const posted = waitForApi(page, 'POST', '/api/deals/bulk');
        await page.getByRole('button', { name: `Apply to ${n} ${n === 1 ? 'deal' : 'deals'}` }).click();
        return posted;
      };

      // Reassign two deals to a rep.
      await check(a);
      await check(b);
      await page.locator('#bulk-action').selectOption('reassign');
      await page.locator('#bulk-owner').selectOption(String(rep.id));
      let response = await apply(2);
      assertEqual(response.status(), 200, 'reassign status');
      const body = JSON.parse(response.request().postData());
      assertEqual({ action: body.action, ids: [...body.deal_ids].sort((x, y) => x - y), owner: body.owner_id }, { action: 'reassign', ids: [a.id, b.id].sort((x, y) => x - y), owner: rep.id }, 'reassign body');
      assertEqual([(await t.api.get(`/api/deals/${a.id}`)).owner_id, (await t.api.get(`/api/deals/${b.id}`)).owner_id], [rep.id, rep.id], 'owners in the API');
      // The report reloads: the rows show the new owner.
      await page.locator(`${flagRow('no_next_activity', a.id)} [data-owner-id="${rep.id}"]`).waitFor();
      await page.locator('.bulk-count').filter({ hasText: 'No deals selected' }).waitFor();

      // A last-chance activity: the deal gets its next step and leaves "no next step".
      const due = utcDay(3);
      await check(c);
      await page.locator('#bulk-action').selectOption('last_chance');
      await page.locator('#bulk-due').fill(due);
      await page.locator('#bulk-subject').fill('Last call before closing');
      response = await apply(1);
      assertEqual(response.status(), 200, 'last chance status');
      const planned = (await t.api.get(`/api/activities?deal_id=${c.id}`)).items;
      assertEqual(planned.map((x) => ({ subject: x.subject, due: x.due_date, owner: x.owner_id, done: x.done })), [{ subject: 'Last call before closing', due, owner: me.id, done: false }], 'the last-chance activity');
      await page.locator(flagRow('no_next_activity', c.id)).waitFor({ state: 'detached' });

      // Close as lost with a listed reason.
      if (reasons.length === 0) fail('the demo has no lost reasons');
      await check(dd);
      await page.locator('#bulk-action').selectOption('mark_lost');
      await page.locator('#bulk-reason').selectOption(String(reasons[0].id));
      response = await apply(1);
      assertEqual(response.status(), 200, 'mark lost status');
      const lost = await t.api.get(`/api/deals/${dd.id}`);
      assertEqual({ status: lost.status, reason: lost.lost_reason }, { status: 'lost', reason: reasons[0].label }, 'the lost deal');
      await page.locator(flagRow('no_next_activity', dd.id)).waitFor({ state: 'detached' });

      // An action the server refuses: a selected deal was won meanwhile. The error names it and
      // nothing changes, the other deal included.
      await check(e);
      await check(f);
      await t.api.post(`/api/deals/${e.id}/won`, {});
      await page.locator('#bulk-action').selectOption('reassign');
      await page.locator('#bulk-owner').selectOption(String(rep.id));
      response = await apply(2);
      if (response.status() < 400) fail(`a bulk action on a won deal answered ${response.status()}`);
      const error = page.locator('[data-testid="bulk-error"]');
      await error.waitFor();
      const message = await error.textContent();
      if (!message.includes('Nothing was changed') || !message.includes(e.title)) fail(`the error "${message}" does not name “${e.title}”`);
      await page.locator(`${flagRow('no_next_activity', e.id)}.is-refused`).waitFor();
      const [eNow, fNow] = [await t.api.get(`/api/deals/${e.id}`), await t.api.get(`/api/deals/${f.id}`)];
      assertEqual({ e: [eNow.status, eNow.owner_id], f: [fNow.status, fNow.owner_id] }, { e: ['won', me.id], f: ['open', me.id] }, 'deals after the refused action');
      await page.screenshot({ path: join(t.artifacts, 'health-bulk-error.png') });
    },
  },
  {
    name: 'analytics-health-snooze-and-thresholds',
    async run(t) {
      const { page } = t;
      const s = await newDeal(t, 'Health test: Sierra snooze');
      await openHealth(t, s.id);
      const flagName = 'No next step';

      // Snooze needs a reason; nothing is sent without one.
      await page.getByRole('button', { name: `Snooze “${s.title}” (${flagName})` }).click();
      const form = page.getByRole('form', { name: `Snooze “${s.title}”` });
      let posted = 0;
      page.on('request', (r) => {
        if (r.method() === 'POST' && new URL(r.url()).pathname === `/api/deals/${s.id}/snoozes`) posted++;
      });
      await form.getByRole('button', { name: 'Snooze' }).click();
      await form.locator('.field-error[data-field="reason"]').waitFor();
      assertEqual(posted, 0, 'snooze requests without a reason');

      const until = utcDay(7);
      await form.getByLabel('Snooze until').fill(until);
      await form.getByLabel('Why it can wait').fill('Customer is on holiday');
      const snoozed = waitForApi(page, 'POST', `/api/deals/${s.id}/snoozes`);
      await form.getByRole('button', { name: 'Snooze' }).click();
      assertEqual((await snoozed).status(), 201, 'snooze status');
      // The report reloads: the deal leaves the flag's list and shows under Snoozed.
      await page.locator(flagRow('no_next_activity', s.id)).waitFor({ state: 'detached' });
      const snoozedRow = page.locator(`[data-section="snoozed"] tr[data-deal-id="${s.id}"][data-flag="no_next_activity"]`);
      await snoozedRow.waitFor();
      if (!(await snoozedRow.textContent()).includes('Customer is on holiday')) fail('the snoozed row lacks its reason');
      const stored = (await t.api.get(`/api/deals/${s.id}/snoozes`)).items;
      assertEqual(stored.map((x) => ({ flag: x.flag, until: x.until, reason: x.reason })), [{ flag: 'no_next_activity', until, reason: 'Customer is on holiday' }], 'the snooze in the API');

      // Unsnooze: back in the flag's list, gone from the API.
      const removed = waitForApi(page, 'DELETE', `/api/deals/${s.id}/snoozes`);
      await page.getByRole('button', { name: `Unsnooze “${s.title}” (${flagName})` }).click();
      const removedResponse = await removed;
      assertEqual(removedResponse.status(), 200, 'unsnooze status');
      assertEqual(new URL(removedResponse.url()).searchParams.get('flag'), 'no_next_activity', 'flag of the unsnooze');
      await page.locator(flagRow('no_next_activity', s.id)).waitFor();
      await snoozedRow.waitFor({ state: 'detached' });
      assertEqual((await t.api.get(`/api/deals/${s.id}/snoozes`)).items, [], 'snoozes after unsnooze');
      await page.screenshot({ path: join(t.artifacts, 'health.png'), fullPage: true });

      // Thresholds (the admin may change them): only the changed field is sent.
      await page.locator('[data-section="thresholds"] summary').click();
      const field = page.locator('#hs-stuck_percentile');
      await field.waitFor();
      await field.fill('80');
      let patched = waitForApi(page, 'PATCH', '/api/health-settings');
      await page.getByRole('button', { name: 'Save thresholds' }).click();
      let patchResponse = await patched;
      assertEqual(patchResponse.status(), 200, 'thresholds status');
      assertEqual(JSON.parse(patchResponse.request().postData()), { stuck_percentile: 80 }, 'thresholds body');
      assertEqual((await t.api.get('/api/health-settings')).stuck_percentile, 80, 'stuck percentile in the API');
      await waitUntil(async () => (await page.locator('#hs-stuck_percentile').inputValue()) === '80', 'the form to show the saved 80');
      // Out of range: the server's message next to the field, and nothing stored.
      await page.locator('#hs-stuck_percentile').fill('150');
      patched = waitForApi(page, 'PATCH', '/api/health-settings');
      await page.getByRole('button', { name: 'Save thresholds' }).click();
      patchResponse = await patched;
      assertEqual(patchResponse.status(), 422, 'status of a 150th percentile');
      await page.locator('.field-error[data-field="stuck_percentile"]').waitFor();
      assertEqual((await t.api.get('/api/health-settings')).stuck_percentile, 80, 'stuck percentile after the refused change');

      // Phone width.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForTimeout(250);
      await assertNoOverflow(page, 'the health page');
      await shootWhole(page, join(t.artifacts, 'health-phone.png'));
      await page.setViewportSize({ width: 1280, height: 800 });
      await shootWhole(page, join(t.artifacts, 'health-full.png'));
    },
  },
  {
    name: 'analytics-day-plan-on-agenda',
    async run(t) {
      const { page } = t;
      const idle = await newDeal(t, 'Day plan test: Harbor pilot', 1);
      const busy = await newDeal(t, 'Day plan test: Northwind renewal', 2);
      const late = await t.api.post('/api/activities', { subject: 'Call back about pricing', type: 'call', due_date: utcDay(-2), deal_id: busy.id });
      const today = await t.api.post('/api/activities', { subject: 'Send the proposal', type: 'email', due_date: utcDay(0), deal_id: busy.id });
      const plan = await t.api.get('/api/analytics/day-plan');

      await signInAt(t, '/agenda', `[data-section="day-plan"] [data-plan-deal-id="${idle.id}"]`);
      const section = page.locator('[data-section="day-plan"]');
      await section.locator(`[data-plan-activity-id="${late.id}"][data-kind="overdue"]`).waitFor();
      await section.locator(`[data-plan-activity-id="${today.id}"][data-kind="today"]`).waitFor();
      const shownGroups = await section.locator('.day-group').count();
      const expected = plan.groups.filter((g) => g.overdue.length + g.today.length + g.needs_next_step.length > 0);
      assertEqual(shownGroups, expected.length, 'stage groups');
      const busyStage = plan.names.stages[String(busy.stage_id)];
      const heading = await section.locator(`.day-group[data-plan-stage-id="${busy.stage_id}"] h3`).textContent();
      if (!heading.includes(busyStage)) fail(`the group heading "${heading}" lacks the stage ${busyStage}`);

      // "Plan next step" opens the deal.
      const link = section.locator(`[data-plan-deal-id="${idle.id}"]`).getByRole('link', { name: `Plan the next step for “${idle.title}”` });
      assertEqual(await link.getAttribute('href'), `/deals/${idle.id}`, 'plan next step link');
      await link.click();
      await page.locator('.deal-title').filter({ hasText: idle.title }).waitFor();
      assertEqual(new URL(page.url()).pathname, `/deals/${idle.id}`, 'deal page path');
    },
  },
];
