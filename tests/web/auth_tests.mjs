// Browser tests of signing in, run by run.mjs. Each test gets `t`: {page, context, browser,
// baseUrl, email, password (the admin's, from `pipedeck init`), token, api (JSON client with the
// admin's token), artifacts} on a fresh demo workspace, whose reps include Maya Patel.
//
// The UI signs in with email and password: the server keeps the session and the browser an
// HttpOnly cookie; the page holds only the session's CSRF token, in memory.

import { join } from 'node:path';

import { assertEqual, fail, kBoardReady, kSignedIn, signInAt, submitSignIn, waitForApi, waitUntil } from './support.mjs';

const kSessionCookie = 'pipedeck_session';
const kRepEmail = 'maya.patel@example.com';

/** The session cookie the browser holds for the test's site, or undefined. */
async function sessionCookie(t, context = t.context) {
  return (await context.cookies(t.baseUrl)).find((c) => c.name === kSessionCookie);
}

/** The status of a GET from the page itself: with whatever cookie the browser holds. */
function statusFromPage(page, path) {
  return page.evaluate(async (p) => (await fetch(p)).status, path);
}

function emailField(page) {
  return page.getByLabel('Email', { exact: true });
}

export const tests = [
  {
    name: 'auth-wrong-password-sign-in-reload-and-sign-out',
    async run(t) {
      const { page } = t;
      await page.goto(`${t.baseUrl}/`);

      // A wrong password: the server's message, and no session.
      const refused = waitForApi(page, 'POST', '/api/auth/sign-in');
      await submitSignIn(page, t.email, 'not the password');
      assertEqual((await refused).status(), 401, 'sign-in with a wrong password');
      await page.getByRole('alert').getByText('The email or the password is wrong.').waitFor();
      await page.screenshot({ path: join(t.artifacts, 'sign-in-refused.png') });
      assertEqual(await sessionCookie(t), undefined, 'session cookie after the refused sign-in');
      assertEqual(await statusFromPage(page, '/api/users/me'), 401, 'GET /api/users/me after the refused sign-in');

      // The right one signs in and goes on to the board.
      const accepted = waitForApi(page, 'POST', '/api/auth/sign-in');
      await submitSignIn(page, t.email, t.password);
      const signedIn = await (await accepted).json();
      await page.locator(kBoardReady).first().waitFor();
      assertEqual(await page.locator(kSignedIn).textContent(), 'Ada Admin', 'signed-in user');

      // The session's secret is an HttpOnly, SameSite=Lax cookie that scripts cannot read, and
      // neither it nor the CSRF token is kept in the page's storage.
      const cookie = (await sessionCookie(t)) ?? fail('no session cookie after signing in');
      assertEqual({ httpOnly: cookie.httpOnly, sameSite: cookie.sameSite }, { httpOnly: true, sameSite: 'Lax' }, 'session cookie flags');
      const visible = await page.evaluate(() => document.cookie);
      if (visible.includes(kSessionCookie)) fail(`document.cookie shows the session cookie: ${visible}`);
      const stored = await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }]));
      if (stored.includes(cookie.value) || stored.includes(signedIn.csrf_token)) fail(`the session is kept in the page's storage: ${stored}`);

      // A change made with the cookie alone, without the session's CSRF token, is refused.
      const forged = await page.evaluate(async () => {
        const res = await fetch('/api/deals', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"title":"Forged"}' });
        return res.status;
      });
      assertEqual(forged, 403, 'POST /api/deals without X-CSRF-Token');

      // A reload stays signed in: the page asks the server for the cookie's session.
      const asked = waitForApi(page, 'GET', '/api/auth/session');
      await page.reload();
      assertEqual((await asked).status(), 200, 'GET /api/auth/session after the reload');
      await page.locator(kBoardReady).first().waitFor();
      assertEqual(await page.locator(kSignedIn).textContent(), 'Ada Admin', 'signed-in user after the reload');

      // Sign-out ends the session on the server, with the CSRF token, and shows the sign-in form.
      const out = waitForApi(page, 'POST', '/api/auth/sign-out');
      await page.getByRole('button', { name: 'Sign out' }).click();
      const outResponse = await out;
      assertEqual(outResponse.status(), 200, 'sign-out');
      assertEqual(outResponse.request().headers()['x-csrf-token'], signedIn.csrf_token, 'X-CSRF-Token of the sign-out');
      await emailField(page).waitFor();
      assertEqual(await statusFromPage(page, '/api/users/me'), 401, 'GET /api/users/me after signing out');
      assertEqual(await sessionCookie(t), undefined, 'session cookie after signing out');
      await page.reload();
      await emailField(page).waitFor();
      assertEqual(await page.locator(kSignedIn).count(), 0, 'signed in after signing out and reloading');

      // Failures in a row lock the account for a while, in the server's words.
      let status = 0;
      for (let attempt = 1; attempt <= 6 && status !== 429; attempt++) {
        const response = waitForApi(page, 'POST', '/api/auth/sign-in');
        await submitSignIn(page, t.email, `guess number ${attempt}`);
        status = (await response).status();
      }
      assertEqual(status, 429, 'sign-in after repeated failures');
      await page.getByRole('alert').getByText('Too many failed sign-ins for this account; try again in 15 minutes.').waitFor();
    },
  },
  {
    name: 'auth-change-password-on-the-account-page',
    async run(t) {
      const { page } = t;
      const newPassword = 'a brand new passphrase';
      const accepted = waitForApi(page, 'POST', '/api/auth/sign-in');
      await signInAt(t, '/');
      const { csrf_token: csrfToken } = await (await accepted).json();

      // The user's name in the top bar leads to the account page.
      await page.getByRole('link', { name: 'Your account' }).click();
      await page.getByRole('heading', { name: 'Your account' }).waitFor();
      assertEqual(new URL(page.url()).pathname, '/account', 'URL of the account page');
      assertEqual(await page.getByTestId('account-email').textContent(), t.email, 'email on the account page');

      const current = page.getByLabel('Current password', { exact: true });
      const next = page.getByLabel('New password', { exact: true });
      const repeat = page.getByLabel('Repeat new password', { exact: true });
      const change = page.getByRole('button', { name: 'Change password' });
      // The page shows an error a moment after the response that brought it: wait for the mark.
      const errorOf = async (field) => {
        await waitUntil(async () => (await field.getAttribute('aria-invalid')) === 'true', 'the field with the error marked invalid');
        return page.locator(`#${await field.getAttribute('aria-describedby')}`).textContent();
      };
      let posted = 0;
      page.on('request', (r) => {
        if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/auth/password') posted++;
      });

      // The new password typed twice differently: caught here, nothing sent.
      await current.fill(t.password);
      await next.fill(newPassword);
      await repeat.fill(`${newPassword}!`);
      await change.click();
      assertEqual(await errorOf(repeat), 'The two new passwords differ. Type the same one twice.', 'error beside the repeated password');
      assertEqual(posted, 0, 'requests sent for differing new passwords');

      // A wrong current password: the server's 422, beside that field.
      await current.fill('not my password');
      await repeat.fill(newPassword);
      const wrong = waitForApi(page, 'POST', '/api/auth/password');
      await change.click();
      assertEqual((await wrong).status(), 422, 'password change with a wrong current password');
      assertEqual(await errorOf(current), 'The current password is wrong.', 'error beside the current password');

      // A new password the server's rules refuse: its message beside the new password.
      await current.fill(t.password);
      await next.fill('too short');
      await repeat.fill('too short');
      const short = waitForApi(page, 'POST', '/api/auth/password');
      await change.click();
      assertEqual((await short).status(), 422, 'password change to a short password');
      assertEqual(await errorOf(next), 'The password needs at least 10 characters.', 'error beside the new password');

      // Another browser signed in as the same user: the change will end its session.
      const other = await t.browser.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        const otherPage = await other.newPage();
        await signInAt(t, '/agenda', kSignedIn, otherPage);

        await next.fill(newPassword);
        await repeat.fill(newPassword);
        const changed = waitForApi(page, 'POST', '/api/auth/password');
        await change.click();
        const changedResponse = await changed;
        assertEqual(changedResponse.status(), 200, 'password change');
        assertEqual(changedResponse.request().headers()['x-csrf-token'], csrfToken, 'X-CSRF-Token of the password change');
        await page.getByText('Your password has been changed.').waitFor();
        assertEqual([await current.inputValue(), await next.inputValue(), await repeat.inputValue()], ['', '', ''], 'the form after the change');
        await page.screenshot({ path: join(t.artifacts, 'account-password-changed.png') });

        // This session stays signed in; the other browser's next request finds its session ended.
        await page.reload();
        await page.getByRole('heading', { name: 'Your account' }).waitFor();
        await otherPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();
        await otherPage.getByText('Your session has ended. Sign in again.').waitFor();
        await emailField(otherPage).waitFor();
      } finally {
        await other.close();
      }

      // After signing out, the old password no longer signs in; the new one does.
      await page.getByRole('button', { name: 'Sign out' }).click();
      const old = waitForApi(page, 'POST', '/api/auth/sign-in');
      await submitSignIn(page, t.email, t.password);
      assertEqual((await old).status(), 401, 'sign-in with the old password');
      await page.getByRole('alert').getByText('The email or the password is wrong.').waitFor();
      await submitSignIn(page, t.email, newPassword);
      await page.getByRole('heading', { name: 'Your account' }).waitFor();
      assertEqual(await page.locator(kSignedIn).textContent(), 'Ada Admin', 'signed in with the new password');
    },
  },
  {
    name: 'auth-reset-code-lets-a-rep-set-a-password',
    async run(t) {
      const { page } = t;
      const password = 'maya sets her own passphrase';
      const users = await t.api.get('/api/users?limit=500');
      const maya = users.items.find((u) => u.email === kRepEmail) ?? fail(`no ${kRepEmail} in the demo workspace`);
      // The admin makes a one-time code for Maya (shown to the admin once).
      const reset = await t.api.post(`/api/users/${maya.id}/password-reset`);

      await page.goto(`${t.baseUrl}/`);
      const haveCode = page.getByRole('button', { name: 'Have a reset code from your admin?' });
      await haveCode.click();
      await page.getByRole('button', { name: 'Back to sign-in' }).click();
      await emailField(page).waitFor();
      await haveCode.click();

      const code = page.getByLabel('Reset code', { exact: true });
      const next = page.getByLabel('New password', { exact: true });
      const repeat = page.getByLabel('Repeat new password', { exact: true });
      const set = page.getByRole('button', { name: 'Set password' });

      // A code the server does not know: its message beside the code.
      await code.fill('0'.repeat(64));
      await next.fill(password);
      await repeat.fill(password);
      const unknown = waitForApi(page, 'POST', '/api/auth/password-reset');
      await set.click();
      assertEqual((await unknown).status(), 422, 'reset with an unknown code');
      await page.locator('#reset-code-error').getByText('This reset code is unknown, used or expired').waitFor();

      // The admin's code, pasted with spaces around it.
      await code.fill(`  ${reset.code} `);
      const done = waitForApi(page, 'POST', '/api/auth/password-reset');
      await set.click();
      assertEqual((await done).status(), 200, 'reset with the admin’s code');
      await page.getByText('Password set; sign in with it.').waitFor();
      await page.screenshot({ path: join(t.artifacts, 'password-reset-done.png') });

      await submitSignIn(page, kRepEmail, password);
      await page.locator(kSignedIn).waitFor();
      assertEqual(await page.locator(kSignedIn).textContent(), 'Maya Patel', 'the user in the top bar');

      // The code worked once.
      const again = await fetch(`${t.baseUrl}/api/auth/password-reset`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ code: reset.code, new_password: 'another long passphrase' }),
      });
      assertEqual(again.status, 422, 'the code used a second time');
    },
  },
];
