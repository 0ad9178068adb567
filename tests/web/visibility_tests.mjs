// Browser tests of who sees which deals, run by run.mjs. Each test gets `t`: {page, context,
// browser, baseUrl, email, password (the admin's), token, api (JSON client with the admin's token),
// artifacts} on a fresh demo workspace.
//
// Reps see the deals they own, managers those of the members of the teams they lead, admins every
// deal; a pipeline's "Who sees its deals" (visibility) shares its deals further. A deal a user may
// not see is absent from the board, its counts and totals, and its page is "not found". Each user
// signs in in a browser context of their own.

import { join } from 'node:path';

import { assertEqual, cardSel, fail, kBoardReady, kWaitMillis, shownCount, shownIds, signInAt, waitForApi, waitUntil } from './support.mjs';

const kViewport = { width: 1280, height: 800 };

/** Creates a user as the admin and gives them `password` with a reset code, as their admin would. */
async function userWithPassword(t, input, password) {
  const user = await t.api.post('/api/users', input);
  const { code } = await t.api.post(`/api/users/${user.id}/password-reset`);
  const res = await fetch(`${t.baseUrl}/api/auth/password-reset`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code, new_password: password }),
  });
  if (res.status !== 200) fail(`setting the password of ${input.email} → ${res.status} ${await res.text()}`);
  return { ...user, password };
}

/** Signs `user` in at `path` in a browser context of its own; the caller closes `context`. */
async function signInElsewhere(t, user, path, ready) {
  const context = await t.browser.newContext({ viewport: kViewport });
  context.setDefaultTimeout(kWaitMillis);
  try {
    const page = await context.newPage();
    await signInAt(t, path, ready, page, { email: user.email, password: user.password });
    return { context, page };
  } catch (e) {
    await context.close();
    throw e;
  }
}

export const tests = [
  {
    name: 'visibility-reps-and-managers-see-their-deals-until-the-pipeline-is-shared-with-everyone',
    async run(t) {
      const { page } = t;
      // A team led by Nora with Reza in it; Owen is in no team.
      const nora = await userWithPassword(t, { name: 'Nora Lead', email: 'nora.lead@example.com', role: 'manager' }, 'nora leads the north team');
      const team = await t.api.post('/api/teams', { name: 'North', manager_id: nora.id });
      const reza = await userWithPassword(
        t,
        { name: 'Reza Insider', email: 'reza.insider@example.com', role: 'rep', team_id: team.id },
        'reza sells in the north',
      );
      const owen = await userWithPassword(t, { name: 'Owen Outsider', email: 'owen.outsider@example.com', role: 'rep' }, 'owen sells on his own');

      // A pipeline of one stage with one deal of each rep.
      const pipeline = await t.api.post('/api/pipelines', { name: 'Field sales' });
      assertEqual(pipeline.visibility, 'owners', 'visibility of a new pipeline');
      const stage = await t.api.post('/api/stages', { pipeline_id: pipeline.id, name: 'Talking' });
      const rezasDeal = await t.api.post('/api/deals', { title: 'Reza’s own deal', stage_id: stage.id, owner_id: reza.id });
      const owensDeal = await t.api.post('/api/deals', { title: 'Owen’s own deal', stage_id: stage.id, owner_id: owen.id });
      assertEqual([rezasDeal.owner_id, owensDeal.owner_id], [reza.id, owen.id], 'owners of the deals');
      const board = `/board/${pipeline.id}`;

      // (a) Reza sees his own deal only, counted alone; Owen's deal page is "not found" to him. The
      // settings show him the pipeline read-only, and who can change it.
      const asReza = await signInElsewhere(t, reza, board, kBoardReady);
      try {
        const rezaPage = asReza.page;
        await rezaPage.locator(cardSel(rezasDeal.id)).waitFor();
        assertEqual(await shownIds(rezaPage, stage.id), [rezasDeal.id], 'cards Reza sees');
        assertEqual(await shownCount(rezaPage, stage.id), 1, 'the column count Reza sees');
        await rezaPage.screenshot({ path: join(t.artifacts, 'visibility-rep-board.png') });

        const refused = waitForApi(rezaPage, 'GET', `/api/deals/${owensDeal.id}`);
        await rezaPage.goto(`${t.baseUrl}/deals/${owensDeal.id}`);
        assertEqual((await refused).status(), 404, 'Owen’s deal asked for by Reza');
        await rezaPage.getByRole('heading', { name: "This deal doesn't exist" }).waitFor();
        if ((await rezaPage.locator('main').textContent()).includes(owensDeal.title)) fail('Reza reads the title of Owen’s deal');

        await rezaPage.goto(`${t.baseUrl}/settings?pipeline=${pipeline.id}`);
        const note = rezaPage.getByTestId('settings-admins-only');
        await waitUntil(async () => (await note.textContent()).includes('Ask Ada Admin'), 'the admins named to a rep');
        if (!(await note.textContent()).startsWith('Only admins change pipelines, stages and lost reasons.')) fail(`a rep reads: ${await note.textContent()}`);
        const visibility = rezaPage.getByLabel('Who sees its deals');
        assertEqual(await visibility.inputValue(), 'owners', 'the visibility a rep reads');
        assertEqual(await visibility.isDisabled(), true, 'the visibility select disabled for a rep');
        assertEqual(await rezaPage.getByLabel('Pipeline name').isDisabled(), true, 'the pipeline name disabled for a rep');
        assertEqual(await rezaPage.getByRole('button', { name: '+ New pipeline' }).count(), 0, 'new pipeline buttons shown to a rep');
        assertEqual(await rezaPage.getByRole('form', { name: 'Add a stage' }).count(), 0, 'stage forms shown to a rep');
        await rezaPage.screenshot({ path: join(t.artifacts, 'visibility-rep-settings.png'), fullPage: true });
        await rezaPage.goto(`${t.baseUrl}${board}`);
        await rezaPage.locator(cardSel(rezasDeal.id)).waitFor();

        // (b) Nora, who leads Reza's team, sees his deal and not Owen's.
        const asNora = await signInElsewhere(t, nora, board, kBoardReady);
        try {
          await asNora.page.locator(cardSel(rezasDeal.id)).waitFor();
          assertEqual(await shownIds(asNora.page, stage.id), [rezasDeal.id], 'cards Nora sees');
          assertEqual(await shownCount(asNora.page, stage.id), 1, 'the column count Nora sees');
        } finally {
          await asNora.context.close();
        }

        // (c) The admin shares the pipeline with everyone in its settings.
        await signInAt(t, `/settings?pipeline=${pipeline.id}`);
        const select = page.getByLabel('Who sees its deals');
        assertEqual(await select.inputValue(), 'owners', 'the visibility the admin reads');
        assertEqual(
          await select.locator('option').allTextContents(),
          ['Their owners (and their managers)', "The owner's team", 'Everyone'],
          'the visibility choices',
        );
        const { version } = await t.api.get(`/api/pipelines/${pipeline.id}`);
        const shared = waitForApi(page, 'PATCH', `/api/pipelines/${pipeline.id}`);
        await select.selectOption('everyone');
        const sharedResponse = await shared;
        assertEqual(sharedResponse.status(), 200, 'status of the visibility change');
        assertEqual(JSON.parse(sharedResponse.request().postData()), { visibility: 'everyone' }, 'the visibility change as sent');
        assertEqual(sharedResponse.request().headers()['if-match'], `"${version}"`, 'If-Match of the visibility change');
        await page.getByText('The deals of “Field sales” are now seen by everyone.').waitFor();
        await page.getByTestId('pipeline-visibility-help').getByText('Every user sees every deal of this pipeline.').waitFor();
        assertEqual((await t.api.get(`/api/pipelines/${pipeline.id}`)).visibility, 'everyone', 'the visibility in the API');
        await page.screenshot({ path: join(t.artifacts, 'visibility-settings.png') });

        // Reza's board, read again, now has both deals.
        await rezaPage.reload();
        await rezaPage.locator(cardSel(owensDeal.id)).waitFor();
        const ascending = (x, y) => x - y;
        assertEqual((await shownIds(rezaPage, stage.id)).sort(ascending), [rezasDeal.id, owensDeal.id].sort(ascending), 'cards Reza sees once shared');
        assertEqual(await shownCount(rezaPage, stage.id), 2, 'the column count Reza sees once shared');
        await rezaPage.screenshot({ path: join(t.artifacts, 'visibility-rep-board-shared.png') });
      } finally {
        await asReza.context.close();
      }
    },
  },
];
