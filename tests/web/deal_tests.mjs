// Browser tests of the deal page (/deals/{id}), run by run.mjs. Each test gets `t`: {page,
// context, browser, baseUrl, token, api, artifacts} on a fresh demo workspace (pipeline 1
// "Sales": 7 stages, 10–21 open deals each).

import { join } from 'node:path';

import {
  assertEqual,
  cardSel,
  fail,
  kBoardReady,
  signInAt,
  signInToBoard,
  waitForApi,
  waitUntil,
} from './support.mjs';

async function openDeal(t, dealId) {
  await signInAt(t, `/deals/${dealId}`, '.deal-title');
}

/** A deal of the demo workspace that is open, in the middle of pipeline 1, with a person and an organization. */
async function pickDeal(t) {
  const board = await t.api.get('/api/pipelines/1/board?cards=20');
  const stage = board.stages[2];
  const card = stage.cards.find((c) => c.person_id !== null && c.org_id !== null) ?? stage.cards[0];
  return { board, stage, deal: await t.api.get(`/api/deals/${card.id}`) };
}

function field(page, name) {
  return page.locator(`.deal-field[data-field="${name}"]`);
}

async function startEdit(page, name, label) {
  await page.getByRole('button', { name: `Edit ${label}` }).click();
  await field(page, name).locator('form.deal-editor').waitFor();
}

async function history(t, dealId) {
  return (await t.api.get(`/api/deals/${dealId}/history`)).items;
}

export const tests = [
  {
    name: 'deal-page-opens-from-the-board-and-drag-still-works',
    async run(t) {
      const { page } = t;
      await signInToBoard(t);
      const board = await t.api.get('/api/pipelines/1/board?cards=20');
      const [from, to] = board.stages;

      // Pressing on the title and moving drags the card; the page stays on the board.
      const dragged = from.cards[0];
      const link = page.locator(`${cardSel(dragged.id)} .card-link`);
      const box = await link.boundingBox();
      const target = await page.locator(cardSel(to.cards[0].id)).boundingBox();
      const moved = waitForApi(page, 'POST', `/api/deals/${dragged.id}/move`);
      await page.mouse.move(box.x + 10, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + 18, box.y + box.height / 2 + 8, { steps: 2 });
      await page.locator('.drag-ghost').waitFor();
      await page.mouse.move(target.x + target.width / 2, target.y + 4, { steps: 12 });
      await page.mouse.up();
      assertEqual((await moved).status(), 200, 'move by dragging the title');
      await page.waitForTimeout(300);
      assertEqual(new URL(page.url()).pathname, '/board/1', 'still on the board after the drag');
      assertEqual((await t.api.get(`/api/deals/${dragged.id}`)).stage_id, to.stage.id, 'stage after the drag');

      // A click without movement opens the deal page; its link back returns to the board.
      const opened = from.cards[1];
      await page.locator(`${cardSel(opened.id)} .card-link`).click();
      await page.locator('.deal-title').waitFor();
      assertEqual(new URL(page.url()).pathname, `/deals/${opened.id}`, 'deal page URL');
      assertEqual(await page.locator('.deal-title').textContent(), opened.title, 'deal page title');
      assertEqual(await page.locator('.stage-step.is-current .stage-step-name').textContent(), from.stage.name, 'current stage in the bar');
      await page.getByRole('link', { name: 'Sales board' }).click();
      await page.locator(cardSel(opened.id)).waitFor();

      // The keyboard reaches the link too.
      await page.locator(`${cardSel(opened.id)} .card-link`).focus();
      await page.keyboard.press('Enter');
      await page.locator('.deal-title').waitFor();
      assertEqual(new URL(page.url()).pathname, `/deals/${opened.id}`, 'deal page URL from the keyboard');
    },
  },
  {
    name: 'deal-page-inline-edits-validation-and-conflict',
    async run(t) {
      const { page } = t;
      const { deal } = await pickDeal(t);
      await openDeal(t, deal.id);

      // Linked person and organization are links to their pages.
      const person = await t.api.get(`/api/persons/${deal.person_id}`);
      const org = await t.api.get(`/api/organizations/${deal.org_id}`);
      assertEqual(await field(page, 'person').getByRole('link').getAttribute('href'), `/persons/${person.id}`, 'person link');
      // Names arrive after the deal itself: wait for them rather than read the first paint.
      const linkText = (kind) => field(page, kind).getByRole('link').textContent();
      await waitUntil(async () => (await linkText('person')) === person.name, `person name ${person.name}`);
      await waitUntil(async () => (await linkText('org')) === org.name, `organization name ${org.name}`);
      assertEqual(await field(page, 'org').getByRole('link').getAttribute('href'), `/organizations/${org.id}`, 'organization link');
      assertEqual(await field(page, 'org').getByRole('link').textContent(), org.name, 'organization name');

      // An invalid value: the server's 422 is shown next to the field, and nothing is saved.
      await startEdit(page, 'value', 'value');
      await page.getByLabel('Value', { exact: true }).fill('-250');
      const rejected = waitForApi(page, 'PATCH', `/api/deals/${deal.id}`);
      await field(page, 'value').getByRole('button', { name: 'Save' }).click();
      const response = await rejected;
      assertEqual(response.status(), 422, 'PATCH status');
      assertEqual((await response.json()).error.field, 'value_minor', 'field named by the server');
      const error = field(page, 'value').locator('.field-error[data-field="value"]');
      await error.waitFor();
      assertEqual(await error.textContent(), 'Must not be negative.', 'error next to the value');
      const input = page.getByLabel('Value', { exact: true });
      assertEqual(await input.getAttribute('aria-invalid'), 'true', 'value marked invalid');
      assertEqual(await input.getAttribute('aria-describedby'), await error.getAttribute('id'), 'value described by its error');
      await page.screenshot({ path: join(t.artifacts, 'deal-page-error.png') });
      const unchanged = await t.api.get(`/api/deals/${deal.id}`);
      assertEqual({ value: unchanged.value_minor, version: unchanged.version }, { value: deal.value_minor, version: deal.version }, 'deal after the rejected edit');

      // Fixing it saves it (value and currency together).
      await input.fill('2,500.75');
      await page.getByLabel('Currency').selectOption('EUR');
      const saved = waitForApi(page, 'PATCH', `/api/deals/${deal.id}`);
      await field(page, 'value').getByRole('button', { name: 'Save' }).click();
      assertEqual((await saved).request().headers()['if-match'], `"${deal.version}"`, 'If-Match of the edit');
      await field(page, 'value').locator('form').waitFor({ state: 'detached' });
      let stored = await t.api.get(`/api/deals/${deal.id}`);
      assertEqual({ value: stored.value_minor, currency: stored.currency }, { value: 250075, currency: 'EUR' }, 'value after the fix');
      if (!(await field(page, 'value').textContent()).includes('2,500.75')) fail('the new value is not shown');

      // Probability: out of range is refused next to the field; an override is saved and cleared.
      await startEdit(page, 'probability', 'probability');
      await page.getByLabel('Probability (%)').fill('150');
      await field(page, 'probability').getByRole('button', { name: 'Save' }).click();
      await field(page, 'probability').locator('.field-error[data-field="probability"]').waitFor();
      assertEqual((await t.api.get(`/api/deals/${deal.id}`)).probability, null, 'probability after the refused edit');
      await page.getByLabel('Probability (%)').fill('35');
      await field(page, 'probability').getByRole('button', { name: 'Save' }).click();
      await field(page, 'probability').locator('form').waitFor({ state: 'detached' });
      assertEqual((await t.api.get(`/api/deals/${deal.id}`)).probability, 35, 'probability override');
      if (!(await field(page, 'probability').textContent()).includes('35 %')) fail('the override is not shown');
      await page.getByRole('button', { name: 'Clear probability override' }).click();
      await waitUntil(async () => (await t.api.get(`/api/deals/${deal.id}`)).probability === null, 'the override to be cleared');
      await waitUntil(async () => (await field(page, 'probability').textContent()).includes('from the stage'), 'the stage probability shown');

      // Expected close date, source and owner.
      await startEdit(page, 'close', 'expected close date');
      await page.getByLabel('Expected close date').fill('2027-03-31');
      await field(page, 'close').getByRole('button', { name: 'Save' }).click();
      await field(page, 'close').locator('form').waitFor({ state: 'detached' });
      await startEdit(page, 'source', 'source');
      await page.getByLabel('Source', { exact: true }).fill('Trade fair');
      await page.getByLabel('Source', { exact: true }).press('Enter');
      await field(page, 'source').locator('form').waitFor({ state: 'detached' });
      const users = (await t.api.get('/api/users')).items;
      const newOwner = users.find((u) => u.id !== deal.owner_id && u.active);
      await startEdit(page, 'owner', 'owner');
      await page.getByLabel('Owner', { exact: true }).selectOption(String(newOwner.id));
      await field(page, 'owner').getByRole('button', { name: 'Save' }).click();
      await field(page, 'owner').locator('form').waitFor({ state: 'detached' });
      stored = await t.api.get(`/api/deals/${deal.id}`);
      assertEqual(
        { close: stored.expected_close_date, source: stored.source, owner: stored.owner_id },
        { close: '2027-03-31', source: 'Trade fair', owner: newOwner.id },
        'fields after the edits',
      );
      if (!(await field(page, 'owner').textContent()).includes(newOwner.name)) fail('the new owner is not shown');

      // Organization: a name that matches none is refused; another organization is saved.
      const other = (await t.api.get('/api/organizations?limit=5&sort=name')).items.find((o) => o.id !== deal.org_id);
      await startEdit(page, 'org', 'organization');
      await page.getByLabel('Organization', { exact: true }).fill('No Such Company Ltd');
      await field(page, 'org').getByRole('button', { name: 'Save' }).click();
      await field(page, 'org').locator('.field-error[data-field="org"]').waitFor();
      assertEqual((await t.api.get(`/api/deals/${deal.id}`)).org_id, deal.org_id, 'organization after the refused edit');
      await page.getByLabel('Organization', { exact: true }).fill(other.name);
      await field(page, 'org').getByRole('button', { name: 'Save' }).click();
      await field(page, 'org').locator('form').waitFor({ state: 'detached' });
      assertEqual((await t.api.get(`/api/deals/${deal.id}`)).org_id, other.id, 'organization after the edit');
      assertEqual(await field(page, 'org').getByRole('link').getAttribute('href'), `/organizations/${other.id}`, 'new organization link');

      // Someone else changes the deal while the title editor is open: saving is refused (412),
      // the page says so and shows the other change; saving again applies the edit.
      await startEdit(page, 'title', 'title');
      await page.getByLabel('Title', { exact: true }).fill('Edited in the browser');
      await t.api.patch(`/api/deals/${deal.id}`, { source: 'Changed elsewhere' });
      const refused = waitForApi(page, 'PATCH', `/api/deals/${deal.id}`);
      await field(page, 'title').getByRole('button', { name: 'Save' }).click();
      assertEqual((await refused).status(), 412, 'status of the stale edit');
      await page.locator('.deal-conflict').waitFor();
      await waitUntil(async () => (await field(page, 'source').textContent()).includes('Changed elsewhere'), 'the other change shown');
      assertEqual((await t.api.get(`/api/deals/${deal.id}`)).title, deal.title, 'title after the refused edit');
      await field(page, 'title').getByRole('button', { name: 'Save' }).click();
      await field(page, 'title').locator('form').waitFor({ state: 'detached' });
      stored = await t.api.get(`/api/deals/${deal.id}`);
      assertEqual({ title: stored.title, source: stored.source }, { title: 'Edited in the browser', source: 'Changed elsewhere' }, 'deal after saving again');
      assertEqual(await page.locator('.deal-title').textContent(), 'Edited in the browser', 'page heading');

      // With no editor open, changes made elsewhere show up by themselves (live updates).
      await t.api.patch(`/api/deals/${deal.id}`, { title: 'Renamed by a colleague' });
      await waitUntil(async () => (await page.locator('.deal-title').textContent()) === 'Renamed by a colleague', 'the live title', 4_000);
    },
  },
  {
    name: 'deal-page-stage-bar-moves-and-history',
    async run(t) {
      const { page } = t;
      const { board, deal } = await pickDeal(t);
      await openDeal(t, deal.id);
      const target = board.stages[4].stage;
      const moved = waitForApi(page, 'POST', `/api/deals/${deal.id}/move`);
      await page.locator('.stage-bar').getByRole('button', { name: target.name }).click();
      const response = await moved;
      assertEqual(response.status(), 200, 'move status');
      assertEqual(response.request().headers()['if-match'], `"${deal.version}"`, 'If-Match of the move');
      await waitUntil(async () => (await page.locator('.stage-step.is-current .stage-step-name').textContent()) === target.name, 'the bar to show the new stage');
      assertEqual(await page.locator('.stage-step.is-current button').getAttribute('aria-current'), 'step', 'current step marked');

      const events = await history(t, deal.id);
      const last = events[events.length - 1];
      assertEqual(
        { kind: last.kind, from: last.from_stage_id, to: last.to_stage_id },
        { kind: 'stage_changed', from: deal.stage_id, to: target.id },
        'last stage event',
      );
      assertEqual((await t.api.get(`/api/deals/${deal.id}`)).stage_id, target.id, 'stage in the API');
      const fromName = board.stages.find((c) => c.stage.id === deal.stage_id).stage.name;
      await page.locator('.timeline-item[data-kind="stage_event"]').filter({ hasText: `Moved from ${fromName} to ${target.name}` }).first().waitFor();

      // The board shows it there too.
      await page.getByRole('link', { name: 'Sales board' }).click();
      await page.locator(`.column[data-stage-id="${target.id}"] ${cardSel(deal.id)}`).waitFor();
    },
  },
  {
    name: 'deal-page-timeline-note-and-activity',
    async run(t) {
      const { page } = t;
      const { deal } = await pickDeal(t);
      await openDeal(t, deal.id);
      await page.locator('.timeline, .deal-timeline .state-empty').first().waitFor();

      // A note, with text that looks like markup: it is shown as text.
      const note = 'Spoke with procurement. <b>Budget</b> approved & signed off.';
      await page.getByLabel('Note', { exact: true }).fill(note);
      const notePost = waitForApi(page, 'POST', '/api/notes');
      await page.getByRole('button', { name: 'Add note' }).click();
      assertEqual((await notePost).status(), 201, 'note status');
      const noteItem = page.locator('.timeline-item[data-kind="note"]').filter({ hasText: 'Spoke with procurement.' });
      await noteItem.waitFor();
      assertEqual(await noteItem.locator('.timeline-text').textContent(), note, 'note text');
      assertEqual(await noteItem.locator('b').count(), 0, 'no markup from the note');
      assertEqual(await page.getByLabel('Note', { exact: true }).inputValue(), '', 'note field cleared');

      // An activity: an empty subject is refused before sending; then one is added.
      await page.getByRole('button', { name: 'Activity', exact: true }).click();
      await page.getByRole('button', { name: 'Add activity' }).click();
      await page.locator('.field-error[data-field="subject"]').waitFor();
      await page.getByLabel('Type').selectOption('meeting');
      await page.getByLabel('Subject').fill('Contract walkthrough');
      await page.getByLabel('Due date').fill('2030-01-15');
      await page.getByLabel('Time (UTC, optional)').fill('14:30');
      const activityPost = waitForApi(page, 'POST', '/api/activities');
      await page.getByRole('button', { name: 'Add activity' }).click();
      const created = await (await activityPost).json();
      assertEqual(
        { type: created.type, subject: created.subject, due_date: created.due_date, due_time: created.due_time, deal: created.deal_id, person: created.person_id, org: created.org_id },
        { type: 'meeting', subject: 'Contract walkthrough', due_date: '2030-01-15', due_time: '14:30', deal: deal.id, person: deal.person_id, org: deal.org_id },
        'the created activity',
      );
      const activityItem = page.locator(`.timeline-item[data-kind="activity"][data-id="${created.id}"]`);
      await activityItem.waitFor();
      if (!(await activityItem.textContent()).includes('Contract walkthrough')) fail('the activity subject is not shown');
      // Newest first: the planned activity (due 2030) is above the note.
      const kinds = await page.locator('.timeline-item').evaluateAll((els) => els.map((e) => `${e.dataset.kind}:${e.dataset.id}`));
      if (kinds.indexOf(`activity:${created.id}`) > kinds.findIndex((k) => k.startsWith('note:'))) fail(`timeline order: ${kinds.join(', ')}`);
      const timeline = await t.api.get(`/api/deals/${deal.id}/timeline`);
      if (!timeline.items.some((i) => i.kind === 'note' && i.data.content === note)) fail('the note is not in the timeline API');
      assertEqual((await t.api.get(`/api/deals/${deal.id}`)).next_activity_date !== null, true, 'the deal has a next activity');

      // Mark it done from the timeline.
      const done = waitForApi(page, 'PATCH', `/api/activities/${created.id}`);
      await activityItem.getByRole('button', { name: 'Mark “Contract walkthrough” as done' }).click();
      assertEqual((await done).status(), 200, 'mark done status');
      await waitUntil(async () => (await activityItem.locator('.timeline-state').getAttribute('data-state')) === 'done', 'the activity shown as done');
      assertEqual((await t.api.get(`/api/activities/${created.id}`)).done, true, 'activity done in the API');
    },
  },
  {
    name: 'deal-page-lost-with-reason-won-and-reopen',
    async run(t) {
      const { page } = t;
      const { deal } = await pickDeal(t);
      await openDeal(t, deal.id);
      const reason = 'Budget moved to next year';

      await page.getByRole('button', { name: 'Lost…' }).click();
      const dialog = page.getByRole('dialog', { name: `Mark “${deal.title}” as lost` });
      await dialog.waitFor();
      await dialog.getByLabel('Another reason').check();
      await dialog.getByLabel('Reason', { exact: true }).fill(reason);
      const lost = waitForApi(page, 'POST', `/api/deals/${deal.id}/lost`);
      await dialog.getByRole('button', { name: 'Mark as lost' }).click();
      assertEqual((await lost).status(), 200, 'lost status');
      await dialog.waitFor({ state: 'detached' });
      await waitUntil(async () => (await page.locator('.status-badge').getAttribute('data-status')) === 'lost', 'the lost badge');
      if (!(await page.locator('.deal-subline').textContent()).includes(reason)) fail('the lost reason is not shown');
      let stored = await t.api.get(`/api/deals/${deal.id}`);
      assertEqual({ status: stored.status, reason: stored.lost_reason }, { status: 'lost', reason }, 'deal after lost');
      assertEqual(await page.locator('.stage-bar button').first().isDisabled(), true, 'stage bar disabled while closed');
      await page.locator('.timeline-item[data-kind="stage_event"]').filter({ hasText: `Marked as lost: ${reason}` }).waitFor();

      const reopened = waitForApi(page, 'POST', `/api/deals/${deal.id}/reopen`);
      await page.getByRole('button', { name: 'Reopen' }).click();
      assertEqual((await reopened).status(), 200, 'reopen status');
      await waitUntil(async () => (await page.locator('.status-badge').getAttribute('data-status')) === 'open', 'the open badge');
      stored = await t.api.get(`/api/deals/${deal.id}`);
      assertEqual({ status: stored.status, stage: stored.stage_id }, { status: 'open', stage: deal.stage_id }, 'deal after reopen');
      const kinds = (await history(t, deal.id)).map((e) => e.kind);
      assertEqual(kinds.slice(-2), ['lost', 'reopened'], 'last stage events');

      // Won, then reopened again.
      await page.getByRole('button', { name: 'Won', exact: true }).click();
      await waitUntil(async () => (await page.locator('.status-badge').getAttribute('data-status')) === 'won', 'the won badge');
      assertEqual((await t.api.get(`/api/deals/${deal.id}`)).status, 'won', 'status after won');
      await page.getByRole('button', { name: 'Reopen' }).click();
      await waitUntil(async () => (await page.locator('.status-badge').getAttribute('data-status')) === 'open', 'open again');

      // The artifacts: the deal page at 1280 px and at phone width (without the notices).
      await page.getByRole('button', { name: 'Activity', exact: true }).click();
      while ((await page.locator('.notice').count()) > 0) {
        await page.locator('.notice .icon-button').first().click({ timeout: 1_000 }).catch(() => undefined); // it may time out by itself
      }
      await page.screenshot({ path: join(t.artifacts, 'deal-page.png'), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.locator('.deal-page-inner').evaluate((el) => el.scrollWidth - el.clientWidth);
      if (overflow > 1) fail(`the deal page is ${overflow} px wider than a phone screen`);
      await page.screenshot({ path: join(t.artifacts, 'deal-page-phone.png'), fullPage: true });
    },
  },
  {
    name: 'deal-page-not-found-and-unreachable',
    async run(t) {
      const { page } = t;
      await signInAt(t, '/deals/987654', '.deal-page .state');
      await page.getByRole('heading', { name: "This deal doesn't exist" }).waitFor();
      await page.screenshot({ path: join(t.artifacts, 'deal-not-found.png') });
      await page.getByRole('button', { name: 'Go to the board' }).click();
      await page.locator(kBoardReady).first().waitFor();

      const { deal } = await pickDeal(t);
      await page.route('**/api/deals/**', (route) => route.abort('connectionrefused'));
      await page.goto(`${t.baseUrl}/deals/${deal.id}`);
      await page.getByRole('heading', { name: "Can't reach the Pipedeck server" }).waitFor();
      await page.unroute('**/api/deals/**');
      await page.getByRole('button', { name: 'Try again' }).click();
      await page.locator('.deal-title').waitFor();
      assertEqual(await page.locator('.deal-title').textContent(), deal.title, 'the deal after trying again');
    },
  },
];
