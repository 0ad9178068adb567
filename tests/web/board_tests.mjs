// Browser tests of the board, run by run.mjs. Each test gets `t`: {page, context, baseUrl, email,
// password (the admin's, to sign in to the UI), token, api (JSON client with the admin's token,
// straight to the server), artifacts} on a fresh demo workspace (pipeline 1 "Sales": 7 stages,
// 10–21 open deals each).

import { join } from 'node:path';

import {
  assertEqual,
  cardSel,
  columnSel,
  dragCard,
  fail,
  shownCount,
  shownIds,
  signInToBoard,
  submitSignIn,
  topEdgeOf,
  waitForApi,
  waitUntil,
} from './support.mjs';

async function boardFromApi(t, pipelineId = 1, cards = 20) {
  return t.api.get(`/api/pipelines/${pipelineId}/board?cards=${cards}`);
}

/** Ids of the stage's open deals in position order, from the API. */
async function stageOrder(t, stageId) {
  const page = await t.api.get(`/api/deals?stage_id=${stageId}&status=open&sort=position&limit=500`);
  return page.items.map((d) => d.id);
}

async function centerOf(locator) {
  const box = await locator.boundingBox();
  if (!box) fail('no box for the drop target');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

export const tests = [
  {
    name: 'sign-in-and-board-counts',
    async run(t) {
      const { page } = t;
      // Without a session the board's URL shows the sign-in form; a wrong password is refused.
      await page.goto(`${t.baseUrl}/board/1`);
      await submitSignIn(page, t.email, 'not the password');
      await page.getByRole('alert').getByText('The email or the password is wrong.').waitFor();

      await signInToBoard(t);
      await waitUntil(async () => new URL(page.url()).pathname === '/board/1', 'the URL /board/1');
      assertEqual(await page.locator('[data-testid="user-name"]').textContent(), 'Ada Admin', 'signed-in user');

      const board = await boardFromApi(t);
      const names = await page.locator('.column .column-title').allTextContents();
      assertEqual(names, board.stages.map((c) => c.stage.name), 'stage columns');
      for (const c of board.stages) {
        assertEqual(await shownCount(page, c.stage.id), c.deal_count, `count of ${c.stage.name}`);
        assertEqual(await shownIds(page, c.stage.id), c.cards.map((card) => card.id), `cards of ${c.stage.name}`);
      }
      // Flags and money as the API gives them, on one card.
      const sample = board.stages.flatMap((c) => c.cards).find((c) => c.overdue) ?? board.stages[0].cards[0];
      const text = await page.locator(cardSel(sample.id)).textContent();
      if (!text.includes(sample.title)) fail(`card ${sample.id} does not show its title`);
      if (sample.overdue && !text.includes('Overdue')) fail(`overdue card ${sample.id} is not marked overdue`);
      const owner = page.locator(`${cardSel(sample.id)} .avatar`);
      assertEqual(await owner.getAttribute('aria-label'), sample.owner_name, 'owner avatar label');

      // A column with more deals than cards offers the rest.
      const long = board.stages.find((c) => c.deal_count > c.cards.length);
      if (long) {
        const more = page.locator(`${columnSel(long.stage.id)} .load-more`);
        await more.click();
        await waitUntil(async () => (await shownIds(page, long.stage.id)).length === long.deal_count, `all ${long.deal_count} cards of ${long.stage.name}`);
        assertEqual(await shownIds(page, long.stage.id), await stageOrder(t, long.stage.id), `order of ${long.stage.name} after load more`);
        if (await more.count()) fail('load more is still offered after everything is loaded');
      }
      await page.screenshot({ path: join(t.artifacts, 'board-1280.png') });

      // Owner filter: counts follow the API's filtered board.
      const ownerId = board.stages[0].cards[0].owner_id;
      await page.getByLabel('Owner').selectOption(String(ownerId));
      const filtered = await t.api.get(`/api/pipelines/1/board?cards=20&owner_id=${ownerId}`);
      for (const c of filtered.stages) {
        await waitUntil(async () => (await shownCount(page, c.stage.id)) === c.deal_count, `filtered count of ${c.stage.name}`);
      }
      await page.getByLabel('Owner').selectOption('');

      // Phone width: the columns scroll sideways.
      await page.setViewportSize({ width: 390, height: 844 });
      const scrolls = await page.locator('[data-board-scroller]').evaluate((el) => el.scrollWidth > el.clientWidth + 100);
      if (!scrolls) fail('the board does not scroll horizontally at phone width');
      await page.screenshot({ path: join(t.artifacts, 'board-phone.png') });
    },
  },
  {
    name: 'drag-to-another-stage',
    async run(t) {
      const { page } = t;
      await signInToBoard(t);
      const board = await boardFromApi(t);
      const [from, to] = board.stages;
      const deal = from.cards[0];
      const firstInTarget = to.cards[0];
      const moved = waitForApi(page, 'POST', `/api/deals/${deal.id}/move`);
      await dragCard(page, deal.id, () => topEdgeOf(page, firstInTarget.id), {
        screenshot: join(t.artifacts, 'board-dragging.png'),
      });
      const response = await moved;
      assertEqual(response.status(), 200, 'move status');
      assertEqual(JSON.parse(response.request().postData()), { stage_id: to.stage.id, index: 0 }, 'move request');
      assertEqual((await shownIds(page, to.stage.id))[0], deal.id, 'first card of the target after the drop');

      await page.reload();
      await page.locator(columnSel(to.stage.id)).waitFor();
      assertEqual((await shownIds(page, to.stage.id))[0], deal.id, 'first card of the target after reload');
      if ((await shownIds(page, from.stage.id)).includes(deal.id)) fail('the card is still in its old stage after reload');
      assertEqual(await shownCount(page, from.stage.id), from.deal_count - 1, 'count of the old stage');
      assertEqual(await shownCount(page, to.stage.id), to.deal_count + 1, 'count of the new stage');

      const stored = await t.api.get(`/api/deals/${deal.id}`);
      assertEqual(stored.stage_id, to.stage.id, 'stage of the deal in the API');
      const history = await t.api.get(`/api/deals/${deal.id}/history`);
      const last = history.items[history.items.length - 1];
      assertEqual(
        { kind: last.kind, from: last.from_stage_id, to: last.to_stage_id },
        { kind: 'stage_changed', from: from.stage.id, to: to.stage.id },
        'last stage event',
      );
    },
  },
  {
    name: 'reorder-within-a-stage',
    async run(t) {
      const { page } = t;
      await signInToBoard(t);
      const board = await boardFromApi(t);
      const stage = board.stages.find((c) => c.cards.length >= 5) ?? fail('no stage with 5 cards');
      const ids = stage.cards.map((c) => c.id);
      // The first card, dropped on the top edge of the fourth, lands between the third and fourth.
      const moved = waitForApi(page, 'POST', `/api/deals/${ids[0]}/move`);
      await dragCard(page, ids[0], () => topEdgeOf(page, ids[3]));
      const response = await moved;
      assertEqual(response.status(), 200, 'move status');
      assertEqual(JSON.parse(response.request().postData()), { stage_id: stage.stage.id, index: 2 }, 'move request');
      const expected = [ids[1], ids[2], ids[0], ids[3], ids[4]];
      assertEqual((await shownIds(page, stage.stage.id)).slice(0, 5), expected, 'order after the drop');

      await page.reload();
      await page.locator(columnSel(stage.stage.id)).waitFor();
      assertEqual((await shownIds(page, stage.stage.id)).slice(0, 5), expected, 'order after reload');
      assertEqual((await stageOrder(t, stage.stage.id)).slice(0, 5), expected, 'order in the API');
      assertEqual(await shownCount(page, stage.stage.id), stage.deal_count, 'count unchanged');
    },
  },
  {
    name: 'create-deal-from-the-board',
    async run(t) {
      const { page } = t;
      await signInToBoard(t);
      const board = await boardFromApi(t);
      const stage = board.stages[1];
      const orgs = await t.api.get('/api/organizations?limit=1&sort=name');
      const org = orgs.items[0];
      const title = 'Browser test: annual renewal';

      await page.getByRole('button', { name: `Add a deal to ${stage.stage.name}` }).click();
      const dialog = page.getByRole('dialog', { name: 'New deal' });
      await dialog.waitFor();
      assertEqual(await dialog.getByLabel('Stage').inputValue(), String(stage.stage.id), 'preselected stage');
      await dialog.getByLabel('Title').fill(title);
      await dialog.getByLabel('Value').fill('12,500.50');
      await dialog.getByLabel('Currency').selectOption('USD');
      await dialog.getByLabel('Organization').fill(org.name);
      const created = waitForApi(page, 'POST', '/api/deals');
      await dialog.getByRole('button', { name: 'Add deal' }).click();
      assertEqual((await created).status(), 201, 'create status');
      await dialog.waitFor({ state: 'detached' });

      const found = await t.api.get(`/api/deals?q=${encodeURIComponent(title)}`);
      assertEqual(found.items.length, 1, 'deals with the new title');
      const deal = found.items[0];
      assertEqual(
        { stage: deal.stage_id, value: deal.value_minor, currency: deal.currency, org: deal.org_id, status: deal.status },
        { stage: stage.stage.id, value: 1250050, currency: 'USD', org: org.id, status: 'open' },
        'the created deal',
      );
      assertEqual((await shownIds(page, stage.stage.id))[0], deal.id, 'new card at the top of its stage');
      const card = page.locator(cardSel(deal.id));
      const text = await card.textContent();
      if (!text.includes(org.name) || !text.includes('$12,500.50')) fail(`the new card shows "${text}"`);
      await waitUntil(async () => (await shownCount(page, stage.stage.id)) === stage.deal_count + 1, 'the count to include the new deal');

      await page.reload();
      await page.locator(columnSel(stage.stage.id)).waitFor();
      assertEqual((await shownIds(page, stage.stage.id))[0], deal.id, 'new card at the top after reload');
    },
  },
  {
    name: 'mark-lost-with-a-reason',
    async run(t) {
      const { page } = t;
      await signInToBoard(t);
      const board = await boardFromApi(t);
      const stage = board.stages[3];
      const deal = stage.cards[0];
      const reason = 'Went with an in-house tool';

      await dragCard(page, deal.id, () => centerOf(page.locator('[data-drop-zone="lost"]')));
      const dialog = page.getByRole('dialog', { name: `Mark “${deal.title}” as lost` });
      await dialog.waitFor();
      await dialog.getByLabel('Another reason').check();
      await dialog.getByLabel('Reason', { exact: true }).fill(reason);
      await page.screenshot({ path: join(t.artifacts, 'lost-dialog.png') });
      const lost = waitForApi(page, 'POST', `/api/deals/${deal.id}/lost`);
      await dialog.getByRole('button', { name: 'Mark as lost' }).click();
      assertEqual((await lost).status(), 200, 'lost status');
      await dialog.waitFor({ state: 'detached' });
      await page.locator(cardSel(deal.id)).waitFor({ state: 'detached' });
      await waitUntil(async () => (await shownCount(page, stage.stage.id)) === stage.deal_count - 1, 'the count without the lost deal');

      const stored = await t.api.get(`/api/deals/${deal.id}`);
      assertEqual({ status: stored.status, reason: stored.lost_reason }, { status: 'lost', reason }, 'the deal in the API');
      await page.reload();
      await page.locator(columnSel(stage.stage.id)).waitFor();
      if ((await page.locator(cardSel(deal.id)).count()) !== 0) fail('the lost deal is back on the board after reload');
    },
  },
  {
    name: 'invalid-value-shows-error-and-saves-nothing',
    async run(t) {
      const { page } = t;
      await signInToBoard(t);
      const board = await boardFromApi(t);
      const stage = board.stages[0];
      const before = await t.api.get('/api/deals?limit=500&sort=id');
      const title = 'Browser test: negative value';

      await page.getByRole('button', { name: '+ Deal' }).click();
      const dialog = page.getByRole('dialog', { name: 'New deal' });
      await dialog.getByLabel('Title').fill(title);
      await dialog.getByLabel('Value').fill('-250');
      const rejected = waitForApi(page, 'POST', '/api/deals');
      await dialog.getByRole('button', { name: 'Add deal' }).click();
      const response = await rejected;
      assertEqual(response.status(), 422, 'create status');
      assertEqual((await response.json()).error.field, 'value_minor', 'field named by the server');

      const error = dialog.locator('.field-error[data-field="value"]');
      await error.waitFor();
      assertEqual(await error.textContent(), 'Must not be negative.', 'error next to the value');
      assertEqual(await dialog.getByLabel('Value').getAttribute('aria-invalid'), 'true', 'value marked invalid');
      const describedBy = await dialog.getByLabel('Value').getAttribute('aria-describedby');
      assertEqual(describedBy, await error.getAttribute('id'), 'value described by its error');
      await page.screenshot({ path: join(t.artifacts, 'new-deal-error.png') });

      // Nothing was saved and nothing was added to the board.
      const after = await t.api.get('/api/deals?limit=500&sort=id');
      assertEqual(after.items.length, before.items.length, 'number of deals');
      assertEqual((await t.api.get(`/api/deals?q=${encodeURIComponent(title)}`)).items.length, 0, 'deals with the title');
      assertEqual(await shownCount(page, stage.stage.id), stage.deal_count, 'count of the first stage');
      if ((await page.getByText(title).count()) !== 0) fail('a card with the rejected title is on the board');

      // Fixing the value saves it.
      await dialog.getByLabel('Value').fill('250');
      await dialog.getByRole('button', { name: 'Add deal' }).click();
      await dialog.waitFor({ state: 'detached' });
      assertEqual((await t.api.get(`/api/deals?q=${encodeURIComponent(title)}`)).items[0]?.value_minor, 25000, 'value after the fix');
    },
  },
  {
    name: 'won-drop-zone-and-keyboard-move',
    async run(t) {
      const { page } = t;
      await signInToBoard(t);
      const board = await boardFromApi(t);
      const stage = board.stages[4];
      const [wonDeal, keyDeal] = stage.cards;

      const won = waitForApi(page, 'POST', `/api/deals/${wonDeal.id}/won`);
      await dragCard(page, wonDeal.id, () => centerOf(page.locator('[data-drop-zone="won"]')));
      assertEqual((await won).status(), 200, 'won status');
      await page.locator(cardSel(wonDeal.id)).waitFor({ state: 'detached' });
      assertEqual((await t.api.get(`/api/deals/${wonDeal.id}`)).status, 'won', 'status in the API');

      // The same without a mouse: the card's actions button, then stage and position.
      const target = board.stages[6];
      const button = page.getByRole('button', { name: `Move or close ${keyDeal.title}` });
      await button.focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: keyDeal.title });
      await dialog.waitFor();
      await dialog.getByLabel('Stage').selectOption(String(target.stage.id));
      await dialog.getByLabel('Position').selectOption('top');
      const moved = waitForApi(page, 'POST', `/api/deals/${keyDeal.id}/move`);
      await dialog.getByRole('button', { name: 'Move', exact: true }).press('Enter');
      assertEqual(JSON.parse((await moved).request().postData()), { stage_id: target.stage.id, index: 0 }, 'move request');
      assertEqual((await shownIds(page, target.stage.id))[0], keyDeal.id, 'first card of the target stage');
      assertEqual((await t.api.get(`/api/deals/${keyDeal.id}`)).stage_id, target.stage.id, 'stage in the API');
    },
  },
  {
    name: 'failed-move-rolls-back',
    async run(t) {
      const { page } = t;
      await signInToBoard(t);
      const board = await boardFromApi(t);
      const [from, to] = board.stages;
      const deal = from.cards[0];
      await page.route(`**/api/deals/${deal.id}/move`, (route) =>
        route.fulfill({
          status: 409,
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'conflict', message: 'the deal is not open', field: null } }),
        }),
      );
      await dragCard(page, deal.id, () => topEdgeOf(page, to.cards[0].id));
      await page.getByRole('alert').filter({ hasText: `Couldn't move “${deal.title}”` }).waitFor();
      await waitUntil(async () => (await shownIds(page, from.stage.id))[0] === deal.id, 'the card back at the top of its stage');
      if ((await shownIds(page, to.stage.id)).includes(deal.id)) fail('the card stayed in the target stage');
      await waitUntil(async () => (await shownCount(page, from.stage.id)) === from.deal_count, 'the old count');
      assertEqual(await shownCount(page, to.stage.id), to.deal_count, 'the target count');
      assertEqual((await t.api.get(`/api/deals/${deal.id}`)).stage_id, from.stage.id, 'stage in the API');

      // An API that cannot be reached is an error state with a way out, not a blank page.
      await page.route('**/api/**', (route) => route.abort('connectionrefused'));
      await page.reload();
      await page.getByRole('heading', { name: "Can't reach the Pipedeck server" }).waitFor();
      await page.screenshot({ path: join(t.artifacts, 'unreachable.png') });
      await page.unroute('**/api/**');
      await page.getByRole('button', { name: 'Try again' }).click();
      await page.locator(columnSel(from.stage.id)).waitFor();
    },
  },
  {
    name: 'filtered-board-reorder-and-search',
    async run(t) {
      const { page } = t;
      await signInToBoard(t);
      // An owner and stage whose deals are interleaved with other owners' deals, so that a slot
      // on the filtered board is not the index in the stage.
      const users = (await t.api.get('/api/users')).items;
      let pick = null;
      for (const u of users) {
        const b = await t.api.get(`/api/pipelines/1/board?cards=20&owner_id=${u.id}`);
        for (const c of b.stages) {
          if (c.cards.length < 3) continue;
          const order = await stageOrder(t, c.stage.id);
          const [a, b1] = c.cards.map((x) => x.id);
          const index = order.filter((id) => id !== a).indexOf(b1) + 1;
          if (index > 1) {
            pick = { owner: u.id, stage: c, order, index };
            break;
          }
        }
        if (pick) break;
      }
      if (!pick) fail('no owner whose deals interleave with others in a stage');
      const { stage, order, index } = pick;
      const [a, b1, c1] = stage.cards.map((x) => x.id);

      await page.getByLabel('Owner').selectOption(String(pick.owner));
      await waitUntil(async () => new URL(page.url()).searchParams.get('owner') === String(pick.owner), 'the owner in the URL');
      await waitUntil(async () => JSON.stringify(await shownIds(page, stage.stage.id)) === JSON.stringify(stage.cards.map((x) => x.id)), 'the filtered cards');

      // The first card, dropped on the top edge of the third, follows the second.
      const moved = waitForApi(page, 'POST', `/api/deals/${a}/move`);
      await dragCard(page, a, () => topEdgeOf(page, c1));
      const response = await moved;
      assertEqual(JSON.parse(response.request().postData()), { stage_id: stage.stage.id, index }, 'move request with the index in the full stage');
      const after = await stageOrder(t, stage.stage.id);
      assertEqual(after.indexOf(a), after.indexOf(b1) + 1, 'moved card right after the card it follows');
      assertEqual(after.filter((id) => id !== a), order.filter((id) => id !== a), 'other cards keep their order');

      // The filter survives a reload (it is in the URL) and so does the order.
      await page.reload();
      await page.locator(columnSel(stage.stage.id)).waitFor();
      assertEqual(await page.getByLabel('Owner').inputValue(), String(pick.owner), 'owner filter after reload');
      assertEqual((await shownIds(page, stage.stage.id)).slice(0, 3), [b1, a, c1], 'filtered order after reload');

      // Text search: counts follow the API's board for the same text.
      await page.getByLabel('Owner').selectOption('');
      const word = stage.cards[0].title.split(/[\s:]+/)[0];
      await page.getByLabel('Search').fill(word);
      const searched = await t.api.get(`/api/pipelines/1/board?cards=20&q=${encodeURIComponent(word)}`);
      for (const c of searched.stages) {
        await waitUntil(async () => (await shownCount(page, c.stage.id)) === c.deal_count, `count of ${c.stage.name} for "${word}"`);
      }
      await waitUntil(async () => new URL(page.url()).searchParams.get('q') === word, 'the text in the URL');
    },
  },
  {
    name: 'keyboard-reorder-with-alt-arrows',
    async run(t) {
      const { page } = t;
      await signInToBoard(t);
      const board = await boardFromApi(t);
      const stage = board.stages.find((c) => c.cards.length >= 3);
      const [a, b, c] = stage.cards.map((x) => x.id);
      const button = page.locator(`${cardSel(a)} .card-actions`);
      await button.focus();
      const moved = waitForApi(page, 'POST', `/api/deals/${a}/move`);
      await page.keyboard.press('Alt+ArrowDown');
      assertEqual(JSON.parse((await moved).request().postData()), { stage_id: stage.stage.id, index: 1 }, 'move request');
      assertEqual((await shownIds(page, stage.stage.id)).slice(0, 3), [b, a, c], 'order after Alt+Down');
      await waitUntil(
        () => page.evaluate((id) => document.activeElement?.closest('[data-deal-id]')?.getAttribute('data-deal-id') === String(id), a),
        'focus to stay on the moved card',
      );
      assertEqual((await stageOrder(t, stage.stage.id)).slice(0, 3), [b, a, c], 'order in the API');

      const next = board.stages[board.stages.indexOf(stage) + 1];
      const across = waitForApi(page, 'POST', `/api/deals/${a}/move`);
      await page.keyboard.press('Alt+ArrowRight');
      assertEqual(JSON.parse((await across).request().postData()), { stage_id: next.stage.id, index: 0 }, 'move to the next stage');
      assertEqual((await shownIds(page, next.stage.id))[0], a, 'first card of the next stage');
    },
  },
];
