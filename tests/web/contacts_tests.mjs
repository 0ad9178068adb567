// Browser tests of the contact pages (/persons, /organizations and their detail pages), run by
// run.mjs on a fresh demo workspace (120 people, 60 organizations) signed in as the demo admin.

import { join } from 'node:path';

import {
  assertEqual,
  fail,
  signInAt,
  waitForApi,
  waitUntil,
} from './support.mjs';

const kPageSize = 25;

/** Ids in the list table, top to bottom. */
function shownIds(page, kind) {
  const attr = kind === 'persons' ? 'personId' : 'orgId';
  return page.locator(`[data-testid="${kind}-table"] tbody tr`).evaluateAll((rows, a) => rows.map((r) => Number(r.dataset[a])), attr);
}

/** Every record of a list from the API, in the order `sort` gives, following the cursor. */
async function allFromApi(t, kind, query) {
  const ids = [];
  let cursor = null;
  do {
    const page = await t.api.get(`/api/${kind}?limit=100&${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    ids.push(...page.items.map((x) => x.id));
    cursor = page.next_cursor;
  } while (cursor);
  return ids;
}

async function waitForIds(page, kind, expected, what) {
  await waitUntil(async () => JSON.stringify(await shownIds(page, kind)) === JSON.stringify(expected), what);
}

export const tests = [
  {
    name: 'contacts-search-sort-and-paging',
    async run(t) {
      const { page } = t;
      await signInAt(t, '/persons');
      const byName = await allFromApi(t, 'persons', 'sort=name');
      if (byName.length <= 2 * kPageSize) fail(`the demo has only ${byName.length} people; the test needs more than two pages`);

      // First page, then "Load more" until the end: the whole list in the API's order.
      await waitForIds(page, 'persons', byName.slice(0, kPageSize), 'the first page of people');
      const more = page.getByRole('button', { name: 'Load more people' });
      let pages = 1;
      while (await more.count()) {
        await more.click();
        pages++;
        await waitForIds(page, 'persons', byName.slice(0, Math.min(byName.length, pages * kPageSize)), `page ${pages} of people`);
      }
      assertEqual(await shownIds(page, 'persons'), byName, 'every person, in name order');
      await page.screenshot({ path: join(t.artifacts, 'contacts-persons.png') });

      // Sort: newest first, in the URL.
      await page.getByLabel('Sort').selectOption('-created_at');
      const newest = await allFromApi(t, 'persons', 'sort=-created_at');
      await waitForIds(page, 'persons', newest.slice(0, kPageSize), 'the newest people first');
      assertEqual(new URL(page.url()).searchParams.get('sort'), '-created_at', 'sort in the URL');

      // Search: what the API finds for the same text and sort, and it survives a reload.
      await page.getByLabel('Search').fill('an');
      const found = await allFromApi(t, 'persons', 'q=an&sort=-created_at');
      if (found.length === 0 || found.length >= byName.length) fail(`"an" matches ${found.length} people; pick another word`);
      await waitForIds(page, 'persons', found.slice(0, kPageSize), 'the people matching "an"');
      await waitUntil(async () => new URL(page.url()).searchParams.get('q') === 'an', 'the search in the URL');
      await page.reload();
      await waitForIds(page, 'persons', found.slice(0, kPageSize), 'the search after reload');
      assertEqual(await page.getByLabel('Search').inputValue(), 'an', 'search box after reload');

      // Nothing found: a designed empty state with a way back.
      await page.getByLabel('Search').fill('zzqqxx');
      await page.getByRole('heading', { name: 'No people match “zzqqxx”' }).waitFor();
      await page.getByRole('button', { name: 'Clear the search' }).click();
      await waitForIds(page, 'persons', newest.slice(0, kPageSize), 'the list after clearing the search');

      // Organizations: the other tab, paged the same way.
      await page.getByRole('navigation', { name: 'Contacts' }).getByRole('link', { name: 'Organizations' }).click();
      const orgs = await allFromApi(t, 'organizations', 'sort=name');
      await waitForIds(page, 'organizations', orgs.slice(0, kPageSize), 'the first page of organizations');
      await page.getByRole('button', { name: 'Load more organizations' }).click();
      await waitForIds(page, 'organizations', orgs.slice(0, 2 * kPageSize), 'two pages of organizations');
      await page.getByLabel('Search').fill(' Foods');
      const foods = await allFromApi(t, 'organizations', 'q=Foods&sort=name');
      await waitForIds(page, 'organizations', foods.slice(0, kPageSize), 'organizations matching "Foods"');
    },
  },
  {
    name: 'contacts-create-person-and-organization',
    async run(t) {
      const { page } = t;
      await signInAt(t, '/organizations');
      await page.getByRole('button', { name: '+ Organization' }).click();
      let dialog = page.getByRole('dialog', { name: 'New organization' });
      await dialog.getByLabel('Name').fill('Kestrel Robotics');
      await dialog.getByLabel('Address (optional)').fill('12 Dock Road, Bristol');
      const orgCreated = waitForApi(page, 'POST', '/api/organizations');
      await dialog.getByRole('button', { name: 'Add organization' }).click();
      const org = await (await orgCreated).json();
      await waitUntil(async () => new URL(page.url()).pathname === `/organizations/${org.id}`, 'the new organization page');
      assertEqual(await page.locator('[data-testid="record-name"]').textContent(), 'Kestrel Robotics', 'organization page title');
      await page.getByText('No people at this organization yet.').waitFor();

      await page.goto(`${t.baseUrl}/persons`);
      await page.getByRole('button', { name: '+ Person' }).click();
      dialog = page.getByRole('dialog', { name: 'New person' });
      await dialog.getByLabel('Name').fill('Imogen Hart');
      await dialog.getByLabel('Email (optional)').fill('imogen@kestrel.example');
      await dialog.getByLabel('Organization (optional)').fill('Kestrel Robotics');
      const personCreated = waitForApi(page, 'POST', '/api/persons');
      await dialog.getByRole('button', { name: 'Add person' }).click();
      const person = await (await personCreated).json();
      await waitUntil(async () => new URL(page.url()).pathname === `/persons/${person.id}`, 'the new person page');
      const stored = await t.api.get(`/api/persons/${person.id}`);
      assertEqual(
        { name: stored.name, email: stored.emails[0]?.value, primary: stored.emails[0]?.primary, org: stored.org_id },
        { name: 'Imogen Hart', email: 'imogen@kestrel.example', primary: true, org: org.id },
        'the person in the API',
      );

      // The organization's page lists its new person, linking to the person's page.
      await page.getByRole('link', { name: 'Kestrel Robotics' }).first().click();
      await waitUntil(async () => new URL(page.url()).pathname === `/organizations/${org.id}`, 'the organization page');
      await page.locator(`[data-testid="person-list"] [data-person-id="${person.id}"]`).getByRole('link', { name: 'Imogen Hart' }).click();
      await waitUntil(async () => new URL(page.url()).pathname === `/persons/${person.id}`, 'the person page from the organization');

      // Records that do not exist get a designed page, not a blank one.
      await page.goto(`${t.baseUrl}/persons/999999`);
      await page.getByRole('heading', { name: 'No such person' }).waitFor();
      await page.goto(`${t.baseUrl}/organizations/999999`);
      await page.getByRole('heading', { name: 'No such organization' }).waitFor();
    },
  },
  {
    name: 'person-invalid-email-shows-error-and-saves-nothing',
    async run(t) {
      const { page } = t;
      const first = (await t.api.get('/api/persons?limit=1&sort=name')).items[0];
      const before = await t.api.get(`/api/persons/${first.id}`);
      if (before.emails.length === 0) fail('the first person has no email');
      await signInAt(t, `/persons/${first.id}`);
      await page.getByLabel('Name', { exact: true }).waitFor();

      // Two changes, one of them invalid: the server refuses both and names the email.
      await page.getByLabel('Name', { exact: true }).fill(`${before.name} Jr.`);
      await page.getByLabel('Email 1', { exact: true }).fill('not-an-email');
      const rejected = waitForApi(page, 'PATCH', `/api/persons/${first.id}`);
      await page.getByRole('button', { name: 'Save changes' }).click();
      const response = await rejected;
      assertEqual(response.status(), 422, 'save status');
      assertEqual((await response.json()).error.field, 'emails[0].value', 'field named by the server');
      assertEqual(response.request().headers()['if-match'], `"${before.version}"`, 'If-Match of the save');

      const error = page.locator('.field-error[data-field="emails[0]"]');
      await error.waitFor();
      assertEqual(await error.textContent(), 'Is not an email address.', 'error next to the email');
      const input = page.getByLabel('Email 1', { exact: true });
      assertEqual(await input.getAttribute('aria-invalid'), 'true', 'email marked invalid');
      assertEqual(await input.getAttribute('aria-describedby'), await error.getAttribute('id'), 'email described by its error');
      await waitUntil(() => input.evaluate((el) => el === document.activeElement), 'focus on the invalid email');
      await page.screenshot({ path: join(t.artifacts, 'person-invalid-email.png') });
      const after = await t.api.get(`/api/persons/${first.id}`);
      assertEqual(after, before, 'the person in the API after the refused save');

      // An empty name is caught before anything is sent.
      let sent = 0;
      const count = (r) => {
        if (r.method() === 'PATCH' && new URL(r.url()).pathname === `/api/persons/${first.id}`) sent++;
      };
      page.on('request', count);
      await page.getByLabel('Name', { exact: true }).fill('  ');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.locator('.field-error[data-field="name"]').filter({ hasText: 'Enter a name.' }).waitFor();
      assertEqual(sent, 0, 'requests sent with an empty name');
      page.off('request', count);

      // Fixed: both changes are saved, and a second phone is added.
      await page.getByLabel('Name', { exact: true }).fill(`${before.name} Jr.`);
      await page.getByLabel('Email 1', { exact: true }).fill('fixed@example.com');
      await page.getByRole('button', { name: '+ Add phone' }).click();
      const phoneIndex = before.phones.length + 1;
      await page.getByLabel(`Phone ${phoneIndex}`, { exact: true }).fill('+44 20 7946 0000');
      const saved = waitForApi(page, 'PATCH', `/api/persons/${first.id}`);
      await page.getByRole('button', { name: 'Save changes' }).click();
      assertEqual((await saved).status(), 200, 'save status after the fix');
      await page.locator('[data-testid="record-name"]').filter({ hasText: `${before.name} Jr.` }).waitFor();
      const fixed = await t.api.get(`/api/persons/${first.id}`);
      assertEqual(
        { name: fixed.name, email: fixed.emails[0].value, phones: fixed.phones.map((p) => p.value) },
        { name: `${before.name} Jr.`, email: 'fixed@example.com', phones: [...before.phones.map((p) => p.value), '+44 20 7946 0000'] },
        'the person after the fix',
      );

      // Changed elsewhere meanwhile: the save is refused (412) and their version can be loaded.
      await t.api.patch(`/api/persons/${first.id}`, { name: 'Renamed Elsewhere' });
      await page.getByLabel('Name', { exact: true }).fill('My Edit');
      const stale = waitForApi(page, 'PATCH', `/api/persons/${first.id}`);
      await page.getByRole('button', { name: 'Save changes' }).click();
      assertEqual((await stale).status(), 412, 'status of a stale save');
      await page.getByRole('alert').filter({ hasText: 'Someone else changed this person' }).waitFor();
      assertEqual((await t.api.get(`/api/persons/${first.id}`)).name, 'Renamed Elsewhere', 'the other change is kept');
      await page.getByRole('button', { name: 'Load their version' }).click();
      await waitUntil(async () => (await page.getByLabel('Name', { exact: true }).inputValue()) === 'Renamed Elsewhere', 'their version in the form');
    },
  },
  {
    name: 'organization-page-people-deals-and-edit',
    async run(t) {
      const { page } = t;
      // An organization with people and deals.
      const orgs = (await t.api.get('/api/organizations?limit=100&sort=name')).items;
      let pick = null;
      for (const o of orgs) {
        const persons = await t.api.get(`/api/persons?org_id=${o.id}&sort=name&limit=20`);
        const deals = await t.api.get(`/api/deals?org_id=${o.id}&sort=-updated_at&limit=20`);
        if (persons.items.length >= 2 && deals.items.length >= 1) {
          pick = { org: o, persons: persons.items, deals: deals.items };
          break;
        }
      }
      if (!pick) fail('no organization with two people and a deal');
      const { org } = pick;
      await signInAt(t, `/organizations/${org.id}`);

      const people = page.locator('[data-testid="person-list"] [data-person-id]');
      await people.first().waitFor();
      assertEqual(await people.evaluateAll((els) => els.map((e) => Number(e.dataset.personId))), pick.persons.map((p) => p.id), 'people of the organization');
      const deals = page.locator('[data-testid="deal-list"] [data-deal-id]');
      await deals.first().waitFor();
      assertEqual(await deals.evaluateAll((els) => els.map((e) => Number(e.dataset.dealId))), pick.deals.map((d) => d.id), 'deals of the organization');
      const firstDeal = pick.deals[0];
      assertEqual(
        await page.locator(`[data-testid="deal-list"] [data-deal-id="${firstDeal.id}"] a`).getAttribute('href'),
        `/deals/${firstDeal.id}`,
        'deal link',
      );
      await page.locator('[data-testid="activity-list"] [data-activity-id]').first().waitFor();
      await page.screenshot({ path: join(t.artifacts, 'organization-page.png') });

      // Address saved with If-Match; the header follows.
      await page.getByLabel('Address').fill('1 Harbour Way, Portsmouth');
      const saved = waitForApi(page, 'PATCH', `/api/organizations/${org.id}`);
      await page.getByRole('button', { name: 'Save changes' }).click();
      const response = await saved;
      assertEqual(response.status(), 200, 'save status');
      assertEqual(JSON.parse(response.request().postData()), { address: '1 Harbour Way, Portsmouth' }, 'only the changed field is sent');
      await page.locator('.record-subtitle').filter({ hasText: '1 Harbour Way, Portsmouth' }).waitFor();
      assertEqual((await t.api.get(`/api/organizations/${org.id}`)).address, '1 Harbour Way, Portsmouth', 'address in the API');

      // A person's page from here lists that person's deals.
      const person = pick.persons[0];
      await people.filter({ hasText: person.name }).getByRole('link', { name: person.name }).click();
      await waitUntil(async () => new URL(page.url()).pathname === `/persons/${person.id}`, 'the person page');
      const theirs = await t.api.get(`/api/deals?person_id=${person.id}&sort=-updated_at&limit=20`);
      if (theirs.items.length > 0) {
        const rows = page.locator('[data-testid="deal-list"] [data-deal-id]');
        await rows.first().waitFor();
        assertEqual(await rows.evaluateAll((els) => els.map((e) => Number(e.dataset.dealId))), theirs.items.map((d) => d.id), "the person's deals");
      } else {
        await page.getByText('No deals yet.').waitFor();
      }

      // Phone width: nothing wider than the screen.
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (overflow > 0) fail(`the person page is ${overflow}px wider than a phone screen`);
    },
  },
];
