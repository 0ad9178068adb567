// Browser tests of the settings page (/settings): the pipelines and stages editor and the lost
// reasons, run by run.mjs on a fresh demo workspace (pipeline 1 "Sales" with 7 stages and deals in
// each, pipeline 2 "Partnerships") signed in as the demo admin.

import { join } from 'node:path';

import {
  assertEqual,
  fail,
  kBoardReady,
  signInAt,
  waitForApi,
  waitUntil,
} from './support.mjs';

/** Status of a request with the admin's token (t.api throws on any error status). */
async function statusOf(t, method, path) {
  const res = await fetch(`${t.baseUrl}${path}`, { method, headers: { Authorization: `Bearer ${t.token}` } });
  await res.arrayBuffer();
  return res.status;
}

async function stagesFromApi(t, pipelineId) {
  return (await t.api.get(`/api/stages?pipeline_id=${pipelineId}&limit=500`)).items;
}

async function countDeals(t, stageId) {
  return (await t.api.get(`/api/deals?stage_id=${stageId}&limit=500`)).items.length;
}

/** Stage ids in the editor, top to bottom. */
function shownStages(page) {
  return page.locator('[data-stage-row]').evaluateAll((els) => els.map((e) => Number(e.dataset.stageRow)));
}

function shownReasons(page) {
  return page.locator('[data-reason-row]').evaluateAll((els) => els.map((e) => Number(e.dataset.reasonRow)));
}

/** Drags a row by its handle with the mouse and drops it at `to()` (read after the press). */
async function dragRow(page, rowSelector, to) {
  const handle = page.locator(`${rowSelector} [data-sort-handle]`);
  await handle.scrollIntoViewIfNeeded();
  const box = await handle.boundingBox();
  if (!box) fail(`no box for the handle of ${rowSelector}`);
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x, y + 6, { steps: 2 });
  const target = await to();
  await page.mouse.move(x, target, { steps: 15 });
  await page.mouse.up();
}

/** A y just above the bottom edge of a row: dropping there places the dragged row after it. */
async function lowerEdgeOf(page, rowSelector) {
  const box = await page.locator(rowSelector).boundingBox();
  if (!box) fail(`no box for ${rowSelector}`);
  return box.y + box.height - 4;
}

async function boardColumnNames(t, pipelineId) {
  const { page } = t;
  await page.goto(`${t.baseUrl}/board/${pipelineId}`);
  await page.locator(kBoardReady).first().waitFor();
  return page.locator('.column .column-title').allTextContents();
}

export const tests = [
  {
    name: 'stage-editor-reorder-by-drag-and-keyboard',
    async run(t) {
      const { page } = t;
      const before = await stagesFromApi(t, 1);
      const [a, b, c] = before;
      await signInAt(t, '/settings');
      await page.locator(`[data-stage-row="${a.id}"]`).waitFor();
      assertEqual(await shownStages(page), before.map((s) => s.id), 'stages in the editor');

      // Drag the first stage below the third.
      const patched = waitForApi(page, 'PATCH', `/api/stages/${a.id}`);
      await dragRow(page, `[data-stage-row="${a.id}"]`, () => lowerEdgeOf(page, `[data-stage-row="${c.id}"]`));
      const response = await patched;
      assertEqual(response.status(), 200, 'reorder status');
      assertEqual(JSON.parse(response.request().postData()), { order: 2 }, 'reorder request');
      assertEqual(response.request().headers()['if-match'], `"${a.version}"`, 'If-Match of the reorder');
      const expected = [b, c, a, ...before.slice(3)];
      await waitUntil(async () => JSON.stringify(await shownStages(page)) === JSON.stringify(expected.map((s) => s.id)), 'the new order in the editor');
      const stored = await stagesFromApi(t, 1);
      assertEqual(stored.map((s) => s.id), expected.map((s) => s.id), 'stage order in the API');
      assertEqual(stored.map((s) => s.order), stored.map((_, i) => i), 'orders numbered 0..n-1');
      await page.screenshot({ path: join(t.artifacts, 'settings.png'), fullPage: false });

      // The board shows the columns in the new order, also after a reload.
      assertEqual(await boardColumnNames(t, 1), expected.map((s) => s.name), 'board columns after the reorder');
      await page.reload();
      await page.locator(kBoardReady).first().waitFor();
      assertEqual(await page.locator('.column .column-title').allTextContents(), expected.map((s) => s.name), 'board columns after reload');

      // From the keyboard: the moved stage's "up" button, focus staying on it.
      await page.goto(`${t.baseUrl}/settings?pipeline=1`);
      const up = page.getByRole('button', { name: `Move ${a.name} up` });
      await up.focus();
      const keyed = waitForApi(page, 'PATCH', `/api/stages/${a.id}`);
      await page.keyboard.press('Enter');
      assertEqual(JSON.parse((await keyed).request().postData()), { order: 1 }, 'keyboard reorder request');
      const afterKeys = [b, a, c, ...before.slice(3)].map((s) => s.id);
      await waitUntil(async () => JSON.stringify(await shownStages(page)) === JSON.stringify(afterKeys), 'the order after the keyboard move');
      await waitUntil(() => page.evaluate((id) => document.activeElement?.closest('[data-stage-row]')?.getAttribute('data-stage-row') === String(id), a.id), 'focus on the moved stage');
      assertEqual((await stagesFromApi(t, 1)).map((s) => s.id), afterKeys, 'stage order in the API after the keyboard move');
    },
  },
  {
    name: 'delete-stage-with-deals-moves-them',
    async run(t) {
      const { page } = t;
      const stages = await stagesFromApi(t, 1);
      const doomed = stages[1];
      const target = stages[2];
      const doomedDeals = await countDeals(t, doomed.id);
      const targetDeals = await countDeals(t, target.id);
      if (doomedDeals === 0) fail(`stage ${doomed.name} has no deals`);

      await signInAt(t, '/settings?pipeline=1');
      await page.getByRole('button', { name: `Delete stage ${doomed.name}` }).click();
      const dialog = page.getByRole('dialog', { name: `Delete stage “${doomed.name}”?` });
      await dialog.getByTestId('stage-deal-count').filter({ hasText: `has ${doomedDeals} deals` }).waitFor();
      // Only the pipeline's other stages are offered.
      const options = await dialog.getByLabel('Move its deals to').locator('option').allTextContents();
      assertEqual(options, ['Choose a stage…', ...stages.filter((s) => s.id !== doomed.id).map((s) => s.name)], 'target choices');

      // Without a target nothing is sent.
      let sent = 0;
      page.on('request', (r) => {
        if (r.method() === 'DELETE') sent++;
      });
      await dialog.getByRole('button', { name: 'Delete stage' }).click();
      await dialog.getByText('Choose the stage that receives the deals.').waitFor();
      assertEqual(sent, 0, 'DELETE requests without a target');

      await dialog.getByLabel('Move its deals to').selectOption(String(target.id));
      await page.screenshot({ path: join(t.artifacts, 'settings-delete-stage.png') });
      const deleted = waitForApi(page, 'DELETE', `/api/stages/${doomed.id}`);
      await dialog.getByRole('button', { name: 'Move deals and delete' }).click();
      const response = await deleted;
      assertEqual(response.status(), 200, 'delete status');
      assertEqual(new URL(response.url()).searchParams.get('move_deals_to'), String(target.id), 'move_deals_to of the request');
      await dialog.waitFor({ state: 'detached' });
      await page.locator(`[data-stage-row="${doomed.id}"]`).waitFor({ state: 'detached' });

      assertEqual(await statusOf(t, 'GET', `/api/stages/${doomed.id}`), 404, 'the deleted stage in the API');
      assertEqual(await countDeals(t, target.id), targetDeals + doomedDeals, 'deals of the target stage');
      assertEqual(
        (await stagesFromApi(t, 1)).map((s) => s.id),
        stages.filter((s) => s.id !== doomed.id).map((s) => s.id),
        'stages left in the API',
      );
      assertEqual(await boardColumnNames(t, 1), stages.filter((s) => s.id !== doomed.id).map((s) => s.name), 'board columns');
    },
  },
  {
    name: 'pipeline-from-template-stage-fields-and-delete',
    async run(t) {
      const { page } = t;
      const templates = (await t.api.get('/api/stage-templates')).items;
      const five = templates.find((x) => x.key === '5-stage');
      await signInAt(t, '/settings');
      await page.getByRole('button', { name: '+ New pipeline' }).click();
      const dialog = page.getByRole('dialog', { name: 'New pipeline' });
      await dialog.getByLabel('Name').fill('Channel partners');
      await dialog.getByLabel('Stages').selectOption('5-stage');
      assertEqual(await dialog.locator('.template-preview li strong').allTextContents(), five.stages.map((s) => s.name), 'template preview');
      const created = waitForApi(page, 'POST', '/api/pipelines');
      await dialog.getByRole('button', { name: 'Create pipeline' }).click();
      const pipeline = await (await created).json();
      await waitUntil(async () => new URL(page.url()).searchParams.get('pipeline') === String(pipeline.id), 'the new pipeline selected');
      await page.locator('[data-stage-row]').first().waitFor();
      const stages = await stagesFromApi(t, pipeline.id);
      assertEqual(stages.map((s) => s.name), five.stages.map((s) => s.name), 'stages from the template in the API');
      assertEqual(await shownStages(page), stages.map((s) => s.id), 'stages from the template in the editor');

      // Rename.
      await page.getByLabel('Pipeline name').fill('Channel partners EMEA');
      await page.getByRole('button', { name: 'Rename' }).click();
      await page.getByRole('navigation', { name: 'Pipelines' }).getByRole('link', { name: 'Channel partners EMEA' }).waitFor();
      assertEqual((await t.api.get(`/api/pipelines/${pipeline.id}`)).name, 'Channel partners EMEA', 'name in the API');

      // Stage fields: an out-of-range probability is caught in the browser; then saved for real.
      const first = page.locator(`[data-stage-row="${stages[0].id}"]`);
      let patches = 0;
      page.on('request', (r) => {
        if (r.method() === 'PATCH' && new URL(r.url()).pathname === `/api/stages/${stages[0].id}`) patches++;
      });
      await first.getByLabel('Probability %').fill('150');
      await first.getByRole('button', { name: 'Save stage' }).click();
      await first.locator('.field-error[data-field="probability"]').filter({ hasText: 'Must be between 0 and 100.' }).waitFor();
      assertEqual(patches, 0, 'requests sent with probability 150');
      await first.getByLabel('Name').fill('Lead in');
      await first.getByLabel('Probability %').fill('35');
      await first.getByLabel('Rotting days').fill('');
      await first.locator('summary').click();
      await first.getByLabel('Playbook for Prospecting').fill('Call within a day. Exit when a meeting is booked.');
      const saved = waitForApi(page, 'PATCH', `/api/stages/${stages[0].id}`);
      await first.getByRole('button', { name: 'Save stage' }).click();
      assertEqual(
        JSON.parse((await saved).request().postData()),
        { name: 'Lead in', probability: 35, rotting_days: null, playbook: 'Call within a day. Exit when a meeting is booked.' },
        'stage save request',
      );
      await first.getByRole('button', { name: 'Save stage' }).waitFor({ state: 'detached' });
      const stored = await t.api.get(`/api/stages/${stages[0].id}`);
      assertEqual(
        { name: stored.name, probability: stored.probability, rotting: stored.rotting_days, playbook: stored.playbook },
        { name: 'Lead in', probability: 35, rotting: null, playbook: 'Call within a day. Exit when a meeting is booked.' },
        'the stage in the API',
      );

      // Add a stage at the end.
      await page.getByLabel('New stage').fill('Signed');
      await page.getByLabel('Probability %').last().fill('95');
      const added = waitForApi(page, 'POST', '/api/stages');
      await page.getByRole('button', { name: 'Add stage' }).click();
      const stage = await (await added).json();
      await page.locator(`[data-stage-row="${stage.id}"]`).waitFor();
      const all = await stagesFromApi(t, pipeline.id);
      assertEqual({ last: all[all.length - 1].name, probability: all[all.length - 1].probability, count: all.length }, { last: 'Signed', probability: 95, count: 6 }, 'stages after adding');

      // A pipeline with deals cannot be deleted: the refusal is explained.
      await page.getByRole('navigation', { name: 'Pipelines' }).getByRole('link', { name: 'Sales' }).click();
      await waitUntil(async () => (await page.getByLabel('Pipeline name').inputValue()) === 'Sales', 'the Sales pipeline selected');
      await page.getByRole('button', { name: 'Delete pipeline' }).click();
      let confirm = page.getByRole('dialog', { name: 'Delete the pipeline “Sales”?' });
      const refused = waitForApi(page, 'DELETE', '/api/pipelines/1');
      await confirm.getByRole('button', { name: 'Delete pipeline' }).click();
      assertEqual((await refused).status(), 409, 'status of deleting a pipeline with deals');
      await confirm.getByTestId('delete-pipeline-error').filter({ hasText: '“Sales” still has deals, so it can\'t be deleted.' }).waitFor();
      await page.screenshot({ path: join(t.artifacts, 'settings-pipeline-has-deals.png') });
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      await confirm.waitFor({ state: 'detached' });
      assertEqual((await t.api.get('/api/pipelines/1')).name, 'Sales', 'Sales is still there');

      // The empty new pipeline can be deleted.
      await page.getByRole('navigation', { name: 'Pipelines' }).getByRole('link', { name: 'Channel partners EMEA' }).click();
      await page.locator(`[data-stage-row="${stage.id}"]`).waitFor();
      await page.getByRole('button', { name: 'Delete pipeline' }).click();
      confirm = page.getByRole('dialog', { name: 'Delete the pipeline “Channel partners EMEA”?' });
      const gone = waitForApi(page, 'DELETE', `/api/pipelines/${pipeline.id}`);
      await confirm.getByRole('button', { name: 'Delete pipeline' }).click();
      assertEqual((await gone).status(), 200, 'delete status');
      await page.getByRole('navigation', { name: 'Pipelines' }).getByRole('link', { name: 'Channel partners EMEA' }).waitFor({ state: 'detached' });
      assertEqual(await statusOf(t, 'GET', `/api/pipelines/${pipeline.id}`), 404, 'the deleted pipeline in the API');

      // Phone width: nothing wider than the screen.
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (overflow > 0) fail(`the settings page is ${overflow}px wider than a phone screen`);
      await page.screenshot({ path: join(t.artifacts, 'settings-phone.png') });
    },
  },
  {
    name: 'lost-reasons-add-reorder-deactivate-delete',
    async run(t) {
      const { page } = t;
      const before = (await t.api.get('/api/lost-reasons?limit=500')).items;
      await signInAt(t, '/settings');
      await page.locator('[data-reason-row]').first().waitFor();
      assertEqual(await shownReasons(page), before.map((r) => r.id), 'reasons in the editor');

      // Add: it goes last.
      await page.getByLabel('New lost reason').fill('Budget frozen');
      const created = waitForApi(page, 'POST', '/api/lost-reasons');
      await page.getByRole('button', { name: 'Add reason' }).click();
      const added = await (await created).json();
      await page.locator(`[data-reason-row="${added.id}"]`).waitFor();
      let ids = [...before.map((r) => r.id), added.id];
      assertEqual(await shownReasons(page), ids, 'reasons after adding');

      // Move it up with the keyboard, then drag the first reason below the third.
      await page.getByRole('button', { name: 'Move Budget frozen up' }).focus();
      await page.keyboard.press('Enter');
      ids = [...ids.slice(0, -2), added.id, ids[ids.length - 2]];
      await waitUntil(async () => JSON.stringify((await t.api.get('/api/lost-reasons?limit=500')).items.map((r) => r.id)) === JSON.stringify(ids), 'the keyboard move in the API');
      await waitUntil(async () => JSON.stringify(await shownReasons(page)) === JSON.stringify(ids), 'the keyboard move in the editor');

      await dragRow(page, `[data-reason-row="${ids[0]}"]`, () => lowerEdgeOf(page, `[data-reason-row="${ids[2]}"]`));
      ids = [ids[1], ids[2], ids[0], ...ids.slice(3)];
      await waitUntil(async () => JSON.stringify((await t.api.get('/api/lost-reasons?limit=500')).items.map((r) => r.id)) === JSON.stringify(ids), 'the dragged order in the API');
      await waitUntil(async () => JSON.stringify(await shownReasons(page)) === JSON.stringify(ids), 'the dragged order in the editor');
      const orders = (await t.api.get('/api/lost-reasons?limit=500')).items.map((r) => r.order);
      assertEqual(orders, orders.map((_, i) => i), 'orders numbered 0..n-1');

      // Rename.
      const renamed = page.locator(`[data-reason-row="${added.id}"]`);
      await renamed.getByLabel(/Label of lost reason/).fill('Budget frozen this year');
      await renamed.getByRole('button', { name: 'Save' }).click();
      await renamed.getByRole('button', { name: 'Save' }).waitFor({ state: 'detached' });
      assertEqual((await t.api.get(`/api/lost-reasons/${added.id}`)).label, 'Budget frozen this year', 'label in the API');

      // Deactivate: still listed, marked inactive, no longer offered when a deal is lost.
      const bad = before.find((r) => r.label === 'Bad timing') ?? before[0];
      await page.getByRole('button', { name: `Deactivate ${bad.label}` }).click();
      await page.locator(`[data-reason-row="${bad.id}"] .badge-inactive`).waitFor();
      assertEqual((await t.api.get(`/api/lost-reasons/${bad.id}`)).active, false, 'active in the API');
      await page.screenshot({ path: join(t.artifacts, 'settings-lost-reasons.png') });

      // Delete.
      await page.getByRole('button', { name: 'Delete Budget frozen this year' }).click();
      const confirm = page.getByRole('dialog', { name: 'Delete “Budget frozen this year”?' });
      const deleted = waitForApi(page, 'DELETE', `/api/lost-reasons/${added.id}`);
      await confirm.getByRole('button', { name: 'Delete reason' }).click();
      assertEqual((await deleted).status(), 200, 'delete status');
      await page.locator(`[data-reason-row="${added.id}"]`).waitFor({ state: 'detached' });
      assertEqual(await statusOf(t, 'GET', `/api/lost-reasons/${added.id}`), 404, 'the deleted reason in the API');

      // The board's lost dialog offers the active reasons in the new order.
      await page.goto(`${t.baseUrl}/board/1`);
      const board = await t.api.get('/api/pipelines/1/board?cards=1');
      const card = board.stages[0].cards[0];
      await page.getByRole('button', { name: `Move or close ${card.title}` }).click();
      await page.getByRole('button', { name: 'Mark as lost…' }).click();
      const lost = page.getByRole('dialog', { name: `Mark “${card.title}” as lost` });
      await lost.locator('input[name="lost-reason"]').first().waitFor();
      const offered = await lost.locator('label.choice').allTextContents();
      const active = (await t.api.get('/api/lost-reasons?limit=500')).items.filter((r) => r.active).map((r) => r.label);
      assertEqual(offered, [...active, 'Another reason'], 'reasons offered when marking lost');
    },
  },
];
