// Browser tests of Settings → "Users & teams" (/settings?section=users), run by run.mjs. Each test
// gets `t`: {page, context, browser, baseUrl, email, password (the admin's), token, api (JSON client
// with the admin's token), artifacts} on a fresh demo workspace: admin Ada Admin, reps such as Maya
// Patel, manager Olivia Grant, teams Enterprise and Mid-market.

import { join } from 'node:path';

import { assertEqual, fail, kSignedIn, signInAt, submitSignIn, waitForApi, waitUntil } from './support.mjs';

const kManagerEmail = 'olivia.grant@example.com';
const kRepEmail = 'maya.patel@example.com';

/** Signs the admin in on the settings and follows the settings' own link to "Users & teams". */
async function openUsersAndTeams(t) {
  const { page } = t;
  await signInAt(t, '/settings');
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Users & teams' }).click();
  await page.locator('.users-table').waitFor();
  assertEqual(new URL(page.url()).search, '?section=users', 'URL of the users and teams');
}

async function userByEmail(t, email) {
  return (await t.api.get('/api/users?limit=500')).items.find((u) => u.email === email) ?? fail(`no user ${email}`);
}

/** The text of the error that `field` names as its description, once it is marked invalid. */
async function errorBeside(page, field) {
  await waitUntil(async () => (await field.getAttribute('aria-invalid')) === 'true', 'the field marked invalid');
  return page.locator(`#${await field.getAttribute('aria-describedby')}`).textContent();
}

export const tests = [
  {
    name: 'users-admin-adds-a-rep-who-signs-in-with-a-reset-code-and-joins-a-team',
    async run(t) {
      const { page, context } = t;
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.baseUrl });
      await openUsersAndTeams(t);

      // The admin adds a rep.
      const addUser = page.getByRole('form', { name: 'Add a user' });
      await addUser.getByLabel('Name', { exact: true }).fill('Rita Rivera');
      await addUser.getByLabel('Email', { exact: true }).fill('rita.rivera@example.com');
      await addUser.getByLabel('Role', { exact: true }).selectOption('rep');
      const added = waitForApi(page, 'POST', '/api/users');
      await addUser.getByRole('button', { name: 'Add user' }).click();
      const addedResponse = await added;
      assertEqual(addedResponse.status(), 201, 'status of the new user');
      assertEqual(
        JSON.parse(addedResponse.request().postData()),
        { name: 'Rita Rivera', email: 'rita.rivera@example.com', role: 'rep', team_id: null },
        'the new user as sent',
      );
      const rita = await addedResponse.json();
      const row = page.locator(`tr[data-user-id="${rita.id}"]`);
      await row.waitFor();
      assertEqual(await page.getByLabel('Role of Rita Rivera').inputValue(), 'rep', 'role shown for the new user');
      assertEqual(await addUser.getByLabel('Name', { exact: true }).inputValue(), '', 'the form after adding');
      const stored = await t.api.get(`/api/users/${rita.id}`);
      assertEqual(
        { name: stored.name, role: stored.role, active: stored.active, team: stored.team_id },
        { name: 'Rita Rivera', role: 'rep', active: true, team: null },
        'the new user in the API',
      );

      // "Reset password": a one-time code, shown once in a dialog with its expiry, and copied.
      const made = waitForApi(page, 'POST', `/api/users/${rita.id}/password-reset`);
      await page.getByRole('button', { name: 'Reset password of Rita Rivera' }).click();
      const reset = await (await made).json();
      const dialog = page.getByRole('dialog', { name: 'Reset code for Rita Rivera' });
      const codeField = dialog.getByLabel('Reset code', { exact: true });
      await codeField.waitFor();
      assertEqual(await codeField.inputValue(), reset.code, 'the code in the dialog');
      await dialog.getByText('Have a reset code from your admin?').waitFor();
      await dialog.locator(`time[datetime="${reset.expires_at}"]`).waitFor();
      await dialog.getByRole('button', { name: 'Copy' }).click();
      await dialog.getByText('Copied.').waitFor();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      assertEqual(copied, reset.code, 'the code on the clipboard');
      await page.screenshot({ path: join(t.artifacts, 'users-reset-code.png') });
      await dialog.getByRole('button', { name: 'Done' }).click();
      await dialog.waitFor({ state: 'detached' });

      // Rita, in a browser of her own, sets a password with the code and signs in with it.
      const password = 'rita picks a long passphrase';
      const other = await t.browser.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        const ritaPage = await other.newPage();
        await ritaPage.goto(`${t.baseUrl}/`);
        await ritaPage.getByRole('button', { name: 'Have a reset code from your admin?' }).click();
        await ritaPage.getByLabel('Reset code', { exact: true }).fill(copied);
        await ritaPage.getByLabel('New password', { exact: true }).fill(password);
        await ritaPage.getByLabel('Repeat new password', { exact: true }).fill(password);
        const redeemed = waitForApi(ritaPage, 'POST', '/api/auth/password-reset');
        await ritaPage.getByRole('button', { name: 'Set password' }).click();
        assertEqual((await redeemed).status(), 200, 'status of the code redeemed');
        await ritaPage.getByText('Password set; sign in with it.').waitFor();
        await submitSignIn(ritaPage, 'rita.rivera@example.com', password);
        await ritaPage.locator(kSignedIn).waitFor();
        assertEqual(await ritaPage.locator(kSignedIn).textContent(), 'Rita Rivera', 'the user in the top bar');

        // A rep's "Users & teams" says only admins manage users, and who they are.
        await ritaPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
        await ritaPage.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Users & teams' }).click();
        const onlyAdmins = ritaPage.getByTestId('users-admins-only');
        await waitUntil(async () => (await onlyAdmins.textContent()).includes('Ask Ada Admin'), 'the admins named to a rep');
        if (!(await onlyAdmins.textContent()).startsWith('Only admins add users')) fail(`a rep reads: ${await onlyAdmins.textContent()}`);
        assertEqual(await ritaPage.locator('.users-table').count(), 0, 'users tables shown to a rep');
      } finally {
        await other.close();
      }

      // The admin adds a team managed by Olivia Grant and puts Rita in it.
      const olivia = await userByEmail(t, kManagerEmail);
      const addTeam = page.getByRole('form', { name: 'Add a team' });
      await addTeam.getByLabel('Team name').fill('Inbound');
      await addTeam.getByLabel('Manager').selectOption(String(olivia.id));
      const teamAdded = waitForApi(page, 'POST', '/api/teams');
      await addTeam.getByRole('button', { name: 'Add team' }).click();
      const teamResponse = await teamAdded;
      assertEqual(teamResponse.status(), 201, 'status of the new team');
      const team = await teamResponse.json();
      assertEqual({ name: team.name, manager: team.manager_id }, { name: 'Inbound', manager: olivia.id }, 'the new team');
      const teamRow = page.locator(`tr[data-team-id="${team.id}"]`);
      await teamRow.waitFor();
      assertEqual(await page.getByLabel('Manager of Inbound').inputValue(), String(olivia.id), 'manager shown for the new team');

      const joined = waitForApi(page, 'PATCH', `/api/users/${rita.id}`);
      await page.getByLabel('Team of Rita Rivera').selectOption(String(team.id));
      const joinedResponse = await joined;
      assertEqual(joinedResponse.status(), 200, 'status of the team change');
      assertEqual(JSON.parse(joinedResponse.request().postData()), { team_id: team.id }, 'the team change as sent');
      assertEqual(joinedResponse.request().headers()['if-match'], `"${rita.version}"`, 'If-Match of the team change');
      assertEqual((await t.api.get(`/api/users/${rita.id}`)).team_id, team.id, 'Rita’s team in the API');
      assertEqual((await t.api.get(`/api/users?team_id=${team.id}`)).items.map((u) => u.id), [rita.id], 'members of the team in the API');
      await waitUntil(async () => (await teamRow.locator('td.num').textContent()) === '1', 'one member counted');
      await page.screenshot({ path: join(t.artifacts, 'users-and-teams.png'), fullPage: true });
    },
  },
  {
    name: 'users-duplicate-email-beside-the-field-and-conflicts-in-the-server-words',
    async run(t) {
      const { page } = t;
      await openUsersAndTeams(t);
      const before = (await t.api.get('/api/users?limit=500')).items;

      // An email another user has: the server's 409 beside the email field, and nobody added.
      const addUser = page.getByRole('form', { name: 'Add a user' });
      const email = addUser.getByLabel('Email', { exact: true });
      await addUser.getByLabel('Name', { exact: true }).fill('Second Maya');
      await email.fill(kRepEmail.toUpperCase());
      const refused = waitForApi(page, 'POST', '/api/users');
      await addUser.getByRole('button', { name: 'Add user' }).click();
      const refusedResponse = await refused;
      assertEqual(refusedResponse.status(), 409, 'status of a taken email');
      assertEqual((await refusedResponse.json()).error.field, 'email', 'field the server names');
      const maya = before.find((u) => u.email === kRepEmail);
      assertEqual(await errorBeside(page, email), `Email is already used by user ${maya.id}.`, 'error beside the email');
      assertEqual(await addUser.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), null, 'the name is not marked');
      assertEqual(await page.evaluate(() => document.activeElement?.id), 'new-user-email', 'focus on the email');
      await page.screenshot({ path: join(t.artifacts, 'users-duplicate-email.png') });
      const after = (await t.api.get('/api/users?limit=500')).items;
      assertEqual(after.map((u) => u.id), before.map((u) => u.id), 'users after the refused add');

      // Empty fields are caught here, nothing sent.
      let posted = 0;
      page.on('request', (r) => {
        if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/users') posted++;
      });
      await addUser.getByLabel('Name', { exact: true }).fill('');
      await email.fill('');
      await addUser.getByRole('button', { name: 'Add user' }).click();
      assertEqual(await errorBeside(page, addUser.getByLabel('Name', { exact: true })), 'Enter the user’s name.', 'error beside an empty name');
      assertEqual(await errorBeside(page, email), 'Enter the email they will sign in with.', 'error beside an empty email');
      assertEqual(posted, 0, 'requests sent for empty fields');

      // The admin cannot deactivate themself: the server's words in the dialog, nothing changed.
      const me = await t.api.get('/api/users/me');
      await page.getByRole('button', { name: `Deactivate ${me.name}` }).click();
      const confirm = page.getByRole('dialog', { name: `Deactivate ${me.name}?` });
      const selfRefused = waitForApi(page, 'DELETE', `/api/users/${me.id}`);
      await confirm.getByRole('button', { name: 'Deactivate' }).click();
      assertEqual((await selfRefused).status(), 409, 'status of deactivating oneself');
      await confirm.getByTestId('deactivate-error').getByText('You cannot deactivate yourself.').waitFor();
      await confirm.getByRole('button', { name: 'Cancel' }).click();
      assertEqual((await t.api.get(`/api/users/${me.id}`)).active, true, 'the admin after the refusal');

      // Nor make themself, the last active admin, a rep: the server's words beside the role.
      const role = page.getByLabel(`Role of ${me.name}`);
      const demoted = waitForApi(page, 'PATCH', `/api/users/${me.id}`);
      await role.selectOption('rep');
      assertEqual((await demoted).status(), 409, 'status of demoting the last admin');
      assertEqual(await errorBeside(page, role), `User ${me.id} is the last active admin; make another user admin first.`, 'error beside the role');
      await waitUntil(async () => (await role.inputValue()) === 'admin', 'the role shown back as admin');
      assertEqual((await t.api.get(`/api/users/${me.id}`)).role, 'admin', 'the admin’s role after the refusal');

      // Another user is deactivated after the confirmation, and reactivated.
      await page.getByRole('button', { name: 'Deactivate Maya Patel' }).click();
      const deactivated = waitForApi(page, 'DELETE', `/api/users/${maya.id}`);
      await page.getByRole('dialog', { name: 'Deactivate Maya Patel?' }).getByRole('button', { name: 'Deactivate' }).click();
      assertEqual((await deactivated).status(), 200, 'status of the deactivation');
      const mayaRow = page.locator(`tr[data-user-id="${maya.id}"]`);
      await mayaRow.getByText('Inactive', { exact: true }).waitFor();
      assertEqual((await t.api.get(`/api/users/${maya.id}`)).active, false, 'Maya after the deactivation');
      const reactivated = waitForApi(page, 'PATCH', `/api/users/${maya.id}`);
      await page.getByRole('button', { name: 'Reactivate Maya Patel' }).click();
      assertEqual(JSON.parse((await reactivated).request().postData()), { active: true }, 'the reactivation as sent');
      await mayaRow.getByText('Active', { exact: true }).waitFor();
      assertEqual((await t.api.get(`/api/users/${maya.id}`)).active, true, 'Maya after the reactivation');
    },
  },
  {
    name: 'users-teams-renamed-manager-changed-and-deleted',
    async run(t) {
      const { page } = t;
      await openUsersAndTeams(t);
      const teams = (await t.api.get('/api/teams?limit=500')).items;
      const midMarket = teams.find((x) => x.name === 'Mid-market') ?? fail('no team Mid-market in the demo workspace');
      const members = (await t.api.get(`/api/users?team_id=${midMarket.id}`)).items;
      const olivia = await userByEmail(t, kManagerEmail);
      const row = page.locator(`tr[data-team-id="${midMarket.id}"]`);

      // A name another team has (whatever the case): the server's words beside the name.
      const name = page.getByLabel('Name of the team Mid-market');
      await name.fill('ENTERPRISE');
      const taken = waitForApi(page, 'PATCH', `/api/teams/${midMarket.id}`);
      await row.getByRole('button', { name: 'Rename' }).click();
      assertEqual((await taken).status(), 409, 'status of a taken team name');
      assertEqual(await errorBeside(page, name), 'Name is already taken by another team.', 'error beside the team name');

      // Renamed: the users' team choices follow.
      await name.fill('Mid-market EMEA');
      const renamed = waitForApi(page, 'PATCH', `/api/teams/${midMarket.id}`);
      await name.press('Enter');
      assertEqual(JSON.parse((await renamed).request().postData()), { name: 'Mid-market EMEA' }, 'the rename as sent');
      await row.getByRole('button', { name: 'Rename' }).waitFor({ state: 'detached' });
      assertEqual((await t.api.get(`/api/teams/${midMarket.id}`)).name, 'Mid-market EMEA', 'the name in the API');
      const memberTeam = page.getByLabel(`Team of ${members[0].name}`);
      assertEqual(await memberTeam.locator('option:checked').textContent(), 'Mid-market EMEA', 'a member’s team after the rename');

      // A manager chosen is saved at once.
      const managed = waitForApi(page, 'PATCH', `/api/teams/${midMarket.id}`);
      await page.getByLabel('Manager of Mid-market EMEA').selectOption(String(olivia.id));
      assertEqual(JSON.parse((await managed).request().postData()), { manager_id: olivia.id }, 'the manager change as sent');
      await waitUntil(async () => (await t.api.get(`/api/teams/${midMarket.id}`)).manager_id === olivia.id, 'the manager in the API');

      // Deleted after the confirmation: its members are left without a team.
      await page.getByRole('button', { name: 'Delete the team Mid-market EMEA' }).click();
      const confirm = page.getByRole('dialog', { name: 'Delete the team “Mid-market EMEA”?' });
      await confirm.getByText(`Its ${members.length} members are left without a team.`).waitFor();
      const deleted = waitForApi(page, 'DELETE', `/api/teams/${midMarket.id}`);
      await confirm.getByRole('button', { name: 'Delete team' }).click();
      assertEqual((await deleted).status(), 200, 'status of the delete');
      await row.waitFor({ state: 'detached' });
      for (const m of members) assertEqual((await t.api.get(`/api/users/${m.id}`)).team_id, null, `team of ${m.name} after the delete`);
      await waitUntil(async () => (await memberTeam.inputValue()) === '', 'the members shown without a team');
    },
  },
  {
    name: 'users-api-token-secret-shown-once-then-revoked',
    async run(t) {
      const { page } = t;
      await openUsersAndTeams(t);
      const maya = await userByEmail(t, kRepEmail);

      await page.getByRole('button', { name: 'API tokens of Maya Patel' }).click();
      const panel = page.getByRole('group', { name: 'API tokens of Maya Patel' });
      await panel.getByText('No API tokens.', { exact: false }).waitFor();
      await panel.getByLabel('Name of a new token').fill('Spreadsheet sync');
      const created = waitForApi(page, 'POST', `/api/users/${maya.id}/tokens`);
      await panel.getByRole('button', { name: 'Create token' }).click();
      const token = await (await created).json();
      assertEqual(await panel.getByLabel('New token', { exact: true }).inputValue(), token.token, 'the secret shown');
      const tokenRow = panel.locator(`tr[data-token-id="${token.id}"]`);
      await tokenRow.waitFor();
      assertEqual(await tokenRow.locator('code').textContent(), `${token.prefix}…`, 'the prefix listed');
      assertEqual(await tokenRow.locator('td').nth(2).textContent(), 'Never', 'last use of a new token');

      // The secret works as Maya's token.
      const asMaya = await fetch(`${t.baseUrl}/api/users/me`, { headers: { Authorization: `Bearer ${token.token}` } });
      assertEqual((await asMaya.json()).id, maya.id, 'the user of the new token');

      // Shown once: closed and opened again, the list has the token but not its secret.
      await page.getByRole('button', { name: 'API tokens of Maya Patel' }).click();
      await panel.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'API tokens of Maya Patel' }).click();
      await panel.locator(`tr[data-token-id="${token.id}"]`).waitFor();
      assertEqual(await panel.getByLabel('New token', { exact: true }).count(), 0, 'secret fields after reopening');
      if ((await panel.textContent()).includes(token.token)) fail('the secret is shown again');

      // Revoked after the confirmation: gone from the list, refused by the server.
      await panel.getByRole('button', { name: 'Revoke token Spreadsheet sync' }).click();
      const revoked = waitForApi(page, 'DELETE', `/api/users/${maya.id}/tokens/${token.id}`);
      await page.getByRole('dialog', { name: 'Revoke the token “Spreadsheet sync”?' }).getByRole('button', { name: 'Revoke token' }).click();
      assertEqual((await revoked).status(), 200, 'status of the revocation');
      await panel.locator(`tr[data-token-id="${token.id}"]`).waitFor({ state: 'detached' });
      const refused = await fetch(`${t.baseUrl}/api/users/me`, { headers: { Authorization: `Bearer ${token.token}` } });
      assertEqual(refused.status, 401, 'the revoked token');
    },
  },
];
