// Browser tests of the deal page's "History of changes" (the deal's audit log), run by run.mjs.
// Each test gets `t`: {page, context, browser, baseUrl, email, password, token, api, artifacts} on
// a fresh demo workspace (pipeline 1 "Sales" with deals in every stage), signed in as Ada Admin.

import { join } from 'node:path';

import { assertEqual, fail, signInAt, waitForApi, waitUntil } from './support.mjs';

function field(page, name) {
  return page.locator(`.deal-field[data-field="${name}"]`);
}

/** Opens the inline editor of `name`, fills the input labelled `label` and saves. */
async function editField(page, name, label, text) {
  await page.getByRole('button', { name: `Edit ${label.toLowerCase()}` }).click();
  await page.getByLabel(label, { exact: true }).fill(text);
  const saved = waitForApi(page, 'PATCH', new URL(page.url()).pathname.replace('/deals/', '/api/deals/'));
  await field(page, name).getByRole('button', { name: 'Save' }).click();
  assertEqual((await saved).status(), 200, `status of the ${label} edit`);
  await field(page, name).locator('form').waitFor({ state: 'detached' });
}

/** `minor` units of `currency` as en-US shows money, as the page does in this browser. */
function money(minor, currency) {
  const f = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  const digits = f.resolvedOptions().maximumFractionDigits;
  return f.format(minor / 10 ** digits);
}

/** The entries shown: who, what, when (as sent) and each change's text, newest first. */
function shownEntries(page) {
  return page.locator('.audit-entry').evaluateAll((els) =>
    els.map((e) => ({
      id: Number(e.dataset.auditId),
      who: e.querySelector('.audit-who')?.textContent,
      what: e.querySelector('.audit-what')?.textContent,
      at: e.querySelector('time')?.getAttribute('datetime'),
      changes: [...e.querySelectorAll('.audit-change')].map((c) => c.textContent),
    })),
  );
}

export const tests = [
  {
    name: 'deal-history-of-changes-shows-edits-newest-first',
    async run(t) {
      const { page } = t;
      const board = await t.api.get('/api/pipelines/1/board?cards=20');
      const { stage, cards } = board.stages[1];
      const target = board.stages[2].stage;
      const deal = await t.api.get(`/api/deals/${cards[0].id}`);
      await signInAt(t, `/deals/${deal.id}`, '.deal-title');

      // Title, then value, edited on the page.
      const title = `${deal.title} (renewal)`;
      await editField(page, 'title', 'Title', title);
      await editField(page, 'value', 'Value', '4,321.50');
      const stored = await t.api.get(`/api/deals/${deal.id}`);
      assertEqual({ title: stored.title, value: stored.value_minor }, { title, value: 432150 }, 'the deal after the edits');

      // The history: the value change above the title change, each by the admin, before → after.
      await page.getByRole('tab', { name: 'History of changes' }).click();
      assertEqual(await page.getByRole('tab', { name: 'History of changes' }).getAttribute('aria-selected'), 'true', 'the history tab selected');
      await page.locator('.audit-entry').first().waitFor();
      const log = (await t.api.get(`/api/deals/${deal.id}/audit?limit=500`)).items;
      let shown = await shownEntries(page);
      assertEqual(shown.slice(0, 2), [
        {
          id: log[0].id,
          who: 'Ada Admin',
          what: 'changed',
          at: log[0].at,
          changes: [`Value: ${money(deal.value_minor, deal.currency)} → ${money(432150, deal.currency)}`],
        },
        { id: log[1].id, who: 'Ada Admin', what: 'changed', at: log[1].at, changes: [`Title: ${deal.title} → ${title}`] },
      ], 'the two newest entries');
      assertEqual(shown.map((e) => e.id), log.slice(0, shown.length).map((e) => e.id), 'every entry, newest first');
      const created = shown[shown.length - 1];
      assertEqual(created.what, 'created', 'the oldest entry');
      if (!created.changes.includes(`Title: ${deal.title}`)) fail(`the creation lists ${JSON.stringify(created.changes)}`);
      await page.screenshot({ path: join(t.artifacts, 'deal-history.png'), fullPage: true });

      // A move on the stage bar shows up at the top at once, stage ids read as the stages' names.
      const moved = waitForApi(page, 'POST', `/api/deals/${deal.id}/move`);
      await page.locator('.stage-bar').getByRole('button', { name: target.name }).click();
      assertEqual((await moved).status(), 200, 'status of the move');
      await waitUntil(
        async () => JSON.stringify((await shownEntries(page))[0]?.changes) === JSON.stringify([`Stage: ${stage.name} → ${target.name}`]),
        'the move at the top of the history',
      );

      // More changes than a page: "Load more" follows the cursor to the oldest entry.
      for (let i = 1; i <= 20; i++) await t.api.patch(`/api/deals/${deal.id}`, { source: `Campaign ${i}` });
      const all = (await t.api.get(`/api/deals/${deal.id}/audit?limit=500`)).items;
      // The page follows them live; once it shows the last one, the history reads nothing by itself.
      await waitUntil(async () => (await field(page, 'source').textContent()).includes('Campaign 20'), 'the last change on the page');
      await page.getByRole('tab', { name: 'Timeline' }).click();
      await page.getByRole('tab', { name: 'History of changes' }).click();
      await waitUntil(async () => (await shownEntries(page))[0]?.id === all[0].id, 'the newest entry after the edits');
      assertEqual((await shownEntries(page))[0].changes, ['Source: Campaign 19 → Campaign 20'], 'the newest change');
      assertEqual((await shownEntries(page)).length, 20, 'entries on the first page');
      const more = page.waitForResponse((r) => {
        const url = new URL(r.url());
        return url.pathname === `/api/deals/${deal.id}/audit` && url.searchParams.has('cursor');
      });
      await page.getByRole('button', { name: 'Load more changes' }).click();
      assertEqual(new URL((await more).url()).searchParams.get('cursor'), String(all[19].id), 'the cursor of the second page');
      await waitUntil(async () => (await shownEntries(page)).length === all.length, 'every entry after "Load more"');
      shown = await shownEntries(page);
      assertEqual(shown.map((e) => e.id), all.map((e) => e.id), 'the whole log, newest first');
      assertEqual(await page.getByRole('button', { name: 'Load more changes' }).count(), 0, '"Load more" at the end of the log');
    },
  },
];
