// Browser tests of the agenda (/agenda), run by run.mjs. Each test gets `t`: {page, context,
// baseUrl, token, api (JSON client with the admin's token), artifacts} on a fresh demo workspace,
// signed in as the demo admin — who owns no deals or activities there, so each test makes its own
// through the API first.

import { join } from 'node:path';

import {
  assertEqual,
  fail,
  signInAt,
  waitForApi,
  waitUntil,
} from './support.mjs';

/** The UTC day `offset` days from now, "YYYY-MM-DD" (the API's days are UTC). */
function utcDay(offset = 0) {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

const section = (name) => `[data-section="${name}"]`;
const row = (name, id) => `${section(name)} [data-activity-id="${id}"]`;

/** Ids of the activities shown in a section, top to bottom. */
function shownActivities(page, name) {
  return page.locator(`${section(name)} [data-activity-id]`).evaluateAll((els) => els.map((e) => Number(e.dataset.activityId)));
}

async function newDeal(t, title) {
  const board = await t.api.get('/api/pipelines/1/board?cards=0');
  return t.api.post('/api/deals', { title, stage_id: board.stages[1].stage.id, value_minor: 480000, currency: 'USD' });
}

export const tests = [
  {
    name: 'agenda-mark-done-and-reschedule',
    async run(t) {
      const { page } = t;
      const me = await t.api.get('/api/users/me');
      await signInAt(t, '/agenda');

      // The demo admin has nothing planned: every section shows its designed empty state.
      for (const [name, text] of [
        ['overdue', 'Nothing overdue'],
        ['today', 'Nothing due today'],
        ['upcoming', 'Nothing planned ahead'],
        ['no-next-activity', 'Every open deal has a next activity'],
      ]) {
        await page.locator(`${section(name)} [data-empty]`).filter({ hasText: text }).waitFor();
      }

      const deal = await newDeal(t, 'Agenda test: Northwind renewal');
      const overdue = await t.api.post('/api/activities', { subject: 'Call back about pricing', type: 'call', due_date: utcDay(-2), deal_id: deal.id });
      const today = await t.api.post('/api/activities', { subject: 'Send the proposal', type: 'email', due_date: utcDay(0), deal_id: deal.id });
      const later = await t.api.post('/api/activities', { subject: 'Quarterly review', type: 'meeting', due_date: utcDay(3), due_time: '15:00', deal_id: deal.id });
      const idle = await newDeal(t, 'Agenda test: Harbor pilot');
      // Someone else's activity stays off this agenda.
      await t.api.post('/api/activities', { subject: 'Not mine', due_date: utcDay(0), deal_id: deal.id, owner_id: me.id + 1 });

      await page.reload();
      await page.locator(row('overdue', overdue.id)).waitFor();
      assertEqual(await shownActivities(page, 'overdue'), [overdue.id], 'overdue section');
      assertEqual(await shownActivities(page, 'today'), [today.id], 'today section');
      assertEqual(await shownActivities(page, 'upcoming'), [later.id], 'upcoming section');
      const text = await page.locator(row('upcoming', later.id)).textContent();
      for (const part of ['Meeting', 'Quarterly review', '15:00 UTC', deal.title]) {
        if (!text.includes(part)) fail(`the upcoming row "${text}" lacks "${part}"`);
      }
      const link = page.locator(`${row('overdue', overdue.id)} a.agenda-deal`);
      await waitUntil(async () => (await link.textContent()) === deal.title, 'the deal title on the overdue row');
      assertEqual(await link.getAttribute('href'), `/deals/${deal.id}`, 'link to the deal page');
      await page.locator(`${section('no-next-activity')} [data-deal-id="${idle.id}"]`).waitFor();
      await page.screenshot({ path: join(t.artifacts, 'agenda.png') });

      // Mark done: the row leaves, the API has it done, and the request named the version.
      const patched = waitForApi(page, 'PATCH', `/api/activities/${overdue.id}`);
      await page.getByRole('button', { name: 'Mark “Call back about pricing” as done' }).click();
      const response = await patched;
      assertEqual(response.status(), 200, 'mark done status');
      assertEqual(JSON.parse(response.request().postData()), { done: true }, 'mark done body');
      assertEqual(response.request().headers()['if-match'], '"1"', 'If-Match of mark done');
      await page.locator(`[data-activity-id="${overdue.id}"]`).waitFor({ state: 'detached' });
      await page.locator(`${section('overdue')} [data-empty]`).filter({ hasText: 'Nothing overdue' }).waitFor();
      const done = await t.api.get(`/api/activities/${overdue.id}`);
      assertEqual({ done: done.done, hasDoneAt: done.done_at !== null }, { done: true, hasDoneAt: true }, 'the activity in the API');

      // Reschedule today's activity to five days ahead: it moves to Upcoming, after the review.
      const target = utcDay(5);
      await page.getByRole('button', { name: 'Reschedule “Send the proposal”' }).click();
      const form = page.getByRole('form', { name: 'Reschedule “Send the proposal”' });
      await form.getByLabel('New due date').fill(target);
      const moved = waitForApi(page, 'PATCH', `/api/activities/${today.id}`);
      await form.getByRole('button', { name: 'Save date' }).click();
      const movedResponse = await moved;
      assertEqual(movedResponse.status(), 200, 'reschedule status');
      assertEqual(JSON.parse(movedResponse.request().postData()), { due_date: target }, 'reschedule body');
      await waitUntil(async () => JSON.stringify(await shownActivities(page, 'upcoming')) === JSON.stringify([later.id, today.id]), 'the rescheduled activity in Upcoming');
      await page.locator(`${section('today')} [data-empty]`).waitFor();
      assertEqual((await t.api.get(`/api/activities/${today.id}`)).due_date, target, 'due date in the API');

      // The same after a reload: nothing here was only on screen.
      await page.reload();
      await page.locator(row('upcoming', today.id)).waitFor();
      assertEqual(await shownActivities(page, 'overdue'), [], 'overdue after reload');
      assertEqual(await shownActivities(page, 'today'), [], 'today after reload');
      assertEqual(await shownActivities(page, 'upcoming'), [later.id, today.id], 'upcoming after reload');
    },
  },
  {
    name: 'agenda-plan-activity-for-deal-without-one',
    async run(t) {
      const { page } = t;
      const deal = await newDeal(t, 'Agenda test: Bluebird expansion');
      const planned = await newDeal(t, 'Agenda test: already planned');
      await t.api.post('/api/activities', { subject: 'Demo', due_date: utcDay(1), deal_id: planned.id });

      await signInAt(t, '/agenda');
      const idleRow = page.locator(`${section('no-next-activity')} [data-deal-id="${deal.id}"]`);
      await idleRow.waitFor();
      if ((await page.locator(`${section('no-next-activity')} [data-deal-id="${planned.id}"]`).count()) !== 0) fail('a deal with a next activity is listed');
      assertEqual(await idleRow.getByRole('link', { name: deal.title }).getAttribute('href'), `/deals/${deal.id}`, 'link to the deal');

      await idleRow.getByRole('button', { name: `Plan an activity for “${deal.title}”` }).click();
      const form = page.getByRole('form', { name: `Plan an activity for “${deal.title}”` });
      // A subject is needed; nothing is sent without one.
      let posted = 0;
      page.on('request', (r) => {
        if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/activities') posted++;
      });
      await form.getByRole('button', { name: 'Plan activity' }).click();
      await form.locator('.field-error[data-field="subject"]').filter({ hasText: 'Enter a subject.' }).waitFor();
      assertEqual(posted, 0, 'requests sent for an empty subject');

      const due = utcDay(2);
      await form.getByLabel('Type').selectOption('meeting');
      await form.getByLabel('Subject').fill('Kickoff meeting');
      await form.getByLabel('Due date').fill(due);
      await form.getByLabel('Time (UTC, optional)').fill('10:30');
      const created = waitForApi(page, 'POST', '/api/activities');
      await form.getByRole('button', { name: 'Plan activity' }).click();
      const response = await created;
      assertEqual(response.status(), 201, 'create status');
      const activity = await response.json();

      // The deal leaves the list and the new activity shows under Upcoming with its deal.
      await idleRow.waitFor({ state: 'detached' });
      await page.locator(`${section('no-next-activity')} [data-empty]`).filter({ hasText: 'Every open deal has a next activity' }).waitFor();
      await page.locator(row('upcoming', activity.id)).filter({ hasText: 'Kickoff meeting' }).waitFor();

      const stored = await t.api.get(`/api/activities?deal_id=${deal.id}`);
      assertEqual(
        stored.items.map((a) => ({ subject: a.subject, type: a.type, due_date: a.due_date, due_time: a.due_time, owner: a.owner_id, done: a.done })),
        [{ subject: 'Kickoff meeting', type: 'meeting', due_date: due, due_time: '10:30', owner: (await t.api.get('/api/users/me')).id, done: false }],
        'the planned activity in the API',
      );
      assertEqual((await t.api.get(`/api/deals/${deal.id}`)).next_activity_date, due, 'next activity date of the deal');
      const idle = await t.api.get('/api/deals?owner_id=1&status=open&has_next_activity=false');
      if (idle.items.some((d) => d.id === deal.id)) fail('the API still lists the deal without a next activity');

      await page.reload();
      await page.locator(row('upcoming', activity.id)).waitFor();
      assertEqual(await page.locator(`${section('no-next-activity')} [data-deal-id]`).count(), 0, 'deals without next activity after reload');

      // Activities that cannot be read: each section says so and offers another try.
      await page.route('**/api/activities?**', (route) => route.abort('connectionrefused'));
      await page.reload();
      await page.locator(`${section('upcoming')} [role="alert"]`).filter({ hasText: "Can't load these activities" }).waitFor();
      await page.locator(`${section('no-next-activity')} [data-empty]`).waitFor();
      await page.unroute('**/api/activities?**');
      // One "Try again" reads every section again.
      await page.locator(section('today')).getByRole('button', { name: 'Try again' }).click();
      await page.locator(row('upcoming', activity.id)).waitFor();
      await page.locator(`${section('overdue')} [data-empty]`).waitFor();
      await page.locator(`${section('today')} [data-empty]`).waitFor();

      // Phone width: one column, nothing wider than the screen.
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (overflow > 0) fail(`the agenda is ${overflow}px wider than a phone screen`);
      await page.screenshot({ path: join(t.artifacts, 'agenda-phone.png') });
    },
  },
];
