// Browser tests of live updates (GET /api/events), run by run.mjs. Each test gets `t`: {page,
// context, browser, baseUrl, token, api, artifacts} on a fresh demo workspace (pipeline 1 "Sales":
// 7 stages, 10–21 open deals each). A second browser context plays the other user.

import { join } from 'node:path';

import {
  assertEqual,
  cardSel,
  columnSel,
  dragCard,
  fail,
  kWaitMillis,
  shownCount,
  shownIds,
  signInToBoard,
  topEdgeOf,
  waitForApi,
  waitUntil as pollUntil,
} from './support.mjs';

const kPollMillis = 50;
/** The bound: open boards show another user's change within 2 s, without reload. */
const kLiveMillis = 2_000;

/** Polls more often than the other modules: the live bound is measured with these waits. */
function waitUntil(probe, what, millis = kWaitMillis) {
  return pollUntil(probe, what, millis, kPollMillis);
}

function liveStatus(page) {
  return page.locator('[data-live-status]').first().getAttribute('data-live-status', { timeout: 1_000 });
}

async function waitLive(page) {
  await waitUntil(async () => (await liveStatus(page)) === 'live', 'the live indicator to say "Live"');
}

/** Marks the window: a page load (reload) would drop the mark. */
async function markWindow(page) {
  await page.evaluate(() => {
    window.__pipedeckNoReload = true;
  });
}

async function assertNotReloaded(page) {
  assertEqual(await page.evaluate(() => window.__pipedeckNoReload === true), true, 'the page was not reloaded');
}

/** A second user's browser: its own context, signed in on the board. */
async function otherUser(t, errors) {
  const context = await t.browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(kWaitMillis);
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`context B: ${e}`));
  await signInToBoard(t, page);
  return { context, page };
}

/** Waits for `probe` within the live bound and returns how long it took from `since`. */
async function seenWithin(probe, what, since) {
  await waitUntil(probe, `${what} (live update)`, kLiveMillis + 500);
  const took = Date.now() - since;
  if (took > kLiveMillis) fail(`${what} took ${took} ms, more than ${kLiveMillis} ms`);
  return took;
}

export const tests = [
  {
    name: 'live-update-from-a-second-browser',
    async run(t) {
      const { page } = t;
      const errors = [];
      await signInToBoard(t);
      await waitLive(page);
      await markWindow(page);
      const board = await t.api.get('/api/pipelines/1/board?cards=20');
      const [from, to] = board.stages;
      const moved = from.cards[0];

      const b = await otherUser(t, errors);
      try {
        // B moves a card by dragging it, in its own browser.
        const response = waitForApi(b.page, 'POST', `/api/deals/${moved.id}/move`);
        await dragCard(b.page, moved.id, () => topEdgeOf(b.page, to.cards[0].id));
        assertEqual((await response).status(), 200, "B's move");
        const movedAt = Date.now();
        const tookMove = await seenWithin(
          async () => (await shownIds(page, to.stage.id))[0] === moved.id && !(await shownIds(page, from.stage.id)).includes(moved.id),
          `A to show deal ${moved.id} at the top of ${to.stage.name}`,
          movedAt,
        );
        await waitUntil(async () => (await shownCount(page, from.stage.id)) === from.deal_count - 1, "A's count of the old stage");
        assertEqual(await shownCount(page, to.stage.id), to.deal_count + 1, "A's count of the new stage");

        // B creates a deal (through the API, as another client would).
        const title = 'Live test: created elsewhere';
        const created = await t.api.post('/api/deals', { title, stage_id: from.stage.id, value_minor: 99_900, currency: 'USD' });
        const createdAt = Date.now();
        const tookCreate = await seenWithin(
          async () => (await shownIds(page, from.stage.id))[0] === created.id,
          `A to show the new deal ${created.id}`,
          createdAt,
        );
        const text = await page.locator(cardSel(created.id)).textContent();
        if (!text.includes(title) || !text.includes('$999.00')) fail(`the new card shows "${text}"`);

        // B edits a deal's title and value.
        const edited = to.cards[1];
        await t.api.patch(`/api/deals/${edited.id}`, { title: 'Live test: renamed elsewhere', value_minor: 123_400 });
        const editedAt = Date.now();
        const tookEdit = await seenWithin(
          async () => ((await page.locator(cardSel(edited.id)).textContent()) ?? '').includes('Live test: renamed elsewhere'),
          `A to show the new title of deal ${edited.id}`,
          editedAt,
        );
        if (!(await page.locator(cardSel(edited.id)).textContent()).includes('$1,234.00')) fail('the edited value is not shown');

        await assertNotReloaded(page);
        await page.screenshot({ path: join(t.artifacts, 'live-board.png') });
        console.log(`     live updates seen after ${tookMove} ms (move), ${tookCreate} ms (create), ${tookEdit} ms (edit)`);
        if (errors.length) fail(errors.join('\n'));
      } finally {
        await b.context.close();
      }
    },
  },
  {
    name: 'live-update-waits-for-a-drag-and-keeps-loaded-pages',
    async run(t) {
      const { page } = t;
      await signInToBoard(t);
      await waitLive(page);
      await markWindow(page);
      const board = await t.api.get('/api/pipelines/1/board?cards=20');
      // A column with more than 20 deals: load them all first; a live update must keep them.
      const long = board.stages.find((c) => c.deal_count > c.cards.length) ?? fail('no stage with more deals than cards');
      // "Load more" until every card is shown. Scrolling the button into view also shows the
      // column's sentinel, which may load the rest first and remove the button: a click that
      // finds no button is fine.
      await waitUntil(async () => {
        if ((await shownIds(page, long.stage.id)).length === long.deal_count) return true;
        const more = page.locator(`${columnSel(long.stage.id)} .load-more:not([disabled])`);
        if (await more.count()) await more.click({ timeout: 1_000 }).catch(() => {});
        return false;
      }, `all ${long.deal_count} cards of ${long.stage.name}`);

      const [from, to] = board.stages.filter((c) => c.stage.id !== long.stage.id);
      const dragged = from.cards[0];
      // A starts dragging a card and holds it.
      const card = page.locator(cardSel(dragged.id));
      await card.scrollIntoViewIfNeeded();
      const box = await card.boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + 20);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 + 8, box.y + 28, { steps: 2 });
      await page.locator('.drag-ghost').waitFor();

      // Meanwhile another user adds a deal to the long stage.
      const title = 'Live test: arrives after the drop';
      const created = await t.api.post('/api/deals', { title, stage_id: long.stage.id });
      await page.waitForTimeout(1_500);
      assertEqual(await page.locator('.drag-ghost').count(), 1, 'the drag is still under way');
      if ((await shownIds(page, long.stage.id)).includes(created.id)) fail('the board was re-read during the drag');

      // The drop goes through; the waiting update follows right after.
      const moved = waitForApi(page, 'POST', `/api/deals/${dragged.id}/move`);
      const target = await topEdgeOf(page, to.cards[0].id);
      await page.mouse.move(target.x, target.y, { steps: 10 });
      await page.mouse.up();
      assertEqual((await moved).status(), 200, 'move status');
      await waitUntil(async () => (await shownIds(page, long.stage.id))[0] === created.id, 'the new deal after the drop', kLiveMillis + 1_000);
      assertEqual((await shownIds(page, to.stage.id))[0], dragged.id, 'the dropped card stays where it was dropped');
      // The loaded pages are kept: the column shows as many cards as before (the board route
      // gives at most 100 per column), the new one on top.
      assertEqual((await shownIds(page, long.stage.id)).length, Math.min(long.deal_count, 100), 'cards shown in the long stage');
      assertEqual(await shownCount(page, long.stage.id), long.deal_count + 1, 'count of the long stage');
      await assertNotReloaded(page);
    },
  },
  {
    name: 'live-stream-reconnects-one-per-tab-and-stops-on-sign-out',
    async run(t) {
      const { page } = t;
      const opened = [];
      const failed = [];
      page.on('request', (r) => {
        if (new URL(r.url()).pathname === '/api/events') opened.push(r);
      });
      page.on('requestfailed', (r) => {
        if (new URL(r.url()).pathname === '/api/events') failed.push(r);
      });
      // The first two attempts fail as if the server were down; then the stream comes through.
      let refused = 0;
      await page.route('**/api/events', (route) => {
        if (refused < 2) {
          refused++;
          return route.abort('connectionrefused');
        }
        return route.continue();
      });
      await signInToBoard(t);
      await waitUntil(async () => (await liveStatus(page)) === 'reconnecting', 'the indicator to say "Reconnecting…"');
      await page.screenshot({ path: join(t.artifacts, 'live-reconnecting.png') });
      await waitUntil(async () => (await liveStatus(page)) === 'live', 'the stream to come back', 10_000);
      assertEqual(opened.length, 3, 'event stream requests (two refused, one through)');
      await markWindow(page);

      // A change made while the stream was down is shown once it is back; changes after it too.
      const board = await t.api.get('/api/pipelines/1/board?cards=20');
      const stage = board.stages[2];
      const created = await t.api.post('/api/deals', { title: 'Live test: after reconnecting', stage_id: stage.stage.id });
      await seenWithin(async () => (await shownIds(page, stage.stage.id))[0] === created.id, 'the deal created after reconnecting', Date.now());

      // Board → deal page → board keeps the one stream of the tab.
      const dealId = stage.cards[0].id;
      await page.locator(`${cardSel(dealId)} .card-link`).click();
      await page.locator('.deal-title').waitFor();
      await waitLive(page);
      // The breadcrumb ("Sales board"): the nav's "Dashboard" also matches /board/.
      await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: /board/ }).click();
      await page.locator(columnSel(stage.stage.id)).waitFor();
      await waitLive(page);
      assertEqual(opened.length, 3, 'event stream requests after moving between pages');
      await assertNotReloaded(page);

      // Signing out closes it and nothing opens another.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Email', { exact: true }).waitFor();
      await waitUntil(async () => failed.length === 3, 'the stream to be closed after sign-out', 5_000);
      await page.waitForTimeout(2_500);
      assertEqual(opened.length, 3, 'event stream requests after sign-out');
    },
  },
];
