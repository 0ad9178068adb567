// Helpers shared by the browser test modules (`*_tests.mjs`). run.mjs only loads files ending in
// `_tests.mjs`, so this module is not run as tests itself.

export const kPollMillis = 100;
export const kWaitMillis = 10_000;

export function fail(message) {
  throw new Error(message);
}

export function assertEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`);
}

/**
 * Polls `probe` every `pollMillis` until it returns a truthy value (returned) or `millis` pass
 * (throws `what`).
 */
export async function waitUntil(probe, what, millis = kWaitMillis, pollMillis = kPollMillis) {
  const deadline = Date.now() + millis;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
      last = value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) fail(`timed out after ${millis} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, pollMillis));
  }
}

/** What the app shows once signed in, on any page. */
export const kSignedIn = '[data-testid="user-name"]';
/** What the board shows once loaded. */
export const kBoardReady = '.column[data-stage-id]';

/** Fills the sign-in form shown in `page` with `email` and `password` and submits it. */
export async function submitSignIn(page, email, password) {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/**
 * Signs in at `path` (the app keeps the URL) in `page` as the admin (`t.email`, `t.password`), or
 * as `as.email` with `as.password`, and waits for `ready`.
 */
export async function signInAt(t, path, ready = kSignedIn, page = t.page, as = { email: t.email, password: t.password }) {
  await page.goto(`${t.baseUrl}${path}`);
  await submitSignIn(page, as.email, as.password);
  await page.locator(ready).first().waitFor();
}

/** Signs in on the board (`/`) in `page` and waits for its columns. */
export function signInToBoard(t, page = t.page) {
  return signInAt(t, '/', kBoardReady, page);
}

/** The response to the page's next `method` request to `path`. */
export function waitForApi(page, method, path) {
  return page.waitForResponse((r) => r.request().method() === method && new URL(r.url()).pathname === path, { timeout: kWaitMillis });
}

// The board.

export const columnSel = (stageId) => `.column[data-stage-id="${stageId}"]`;
export const cardSel = (dealId) => `[data-column-list] [data-deal-id="${dealId}"]`;

/** The ids of the cards shown in a column, top to bottom. */
export function shownIds(page, stageId) {
  return page
    .locator(`${columnSel(stageId)} [data-column-list] [data-deal-id]`)
    .evaluateAll((els) => els.filter((e) => !e.hidden).map((e) => Number(e.dataset.dealId)));
}

export async function shownCount(page, stageId) {
  return Number(await page.locator(`${columnSel(stageId)} .column-count`).getAttribute('data-count'));
}

/**
 * Drags the card `dealId` with the mouse: press on it, move a little to start the drag, then to the
 * point `to()` returns (read once the drag has started, so drop zones exist), and release.
 */
export async function dragCard(page, dealId, to, { screenshot } = {}) {
  const card = page.locator(cardSel(dealId));
  await card.scrollIntoViewIfNeeded();
  const box = await card.boundingBox();
  if (!box) fail(`card ${dealId} has no box`);
  const x = box.x + box.width / 2;
  const y = box.y + Math.min(20, box.height / 2);
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 6, y + 6, { steps: 2 });
  await page.locator('.drag-ghost').waitFor();
  const target = await to();
  await page.mouse.move(target.x, target.y, { steps: 12 });
  if (screenshot) await page.screenshot({ path: screenshot });
  await page.mouse.up();
}

/** A point just inside the top edge of the card `dealId`: dropping there lands before it. */
export async function topEdgeOf(page, dealId) {
  const box = await page.locator(cardSel(dealId)).boundingBox();
  if (!box) fail(`card ${dealId} has no box`);
  return { x: box.x + box.width / 2, y: box.y + 4 };
}
