// Browser tests of the import and export page (/import), run by run.mjs on a fresh demo workspace
// (pipeline 1 "Sales" with the 7-stage template, pipeline 2 "Partnerships") signed in as the
// demo admin. What the UI shows is checked against what the API then holds: a dry run must leave
// nothing behind, the real import must make exactly the rows it reported.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { assertEqual, fail, kSignedIn, signInAt, signInToBoard, waitUntil } from './support.mjs';

const kImportPath = '/api/deals/import';

/**
 * A deals export as Pipedrive writes it, made messy the way real files are: a byte order mark,
 * CRLF line ends, a title quoted because it holds a comma, quotes and a line break, a money
 * value with a thousands separator, a column nobody recognises (with a colon in its name), one
 * row with an impossible date and one with a stage the pipeline does not have. Rows as a
 * spreadsheet numbers them: header 1, Zephyr 2, Globex 3 (two lines), Initech 4, Umbrella 5, Hooli 6.
 */
const kGlobexTitle = 'Globex, Inc. — "phase 2"\nexpansion';
const kPipedriveDeals =
  '\uFEFF' +
  [
    'Deal - ID,Deal - Title,Deal - Value,Deal - Currency,Deal - Pipeline,Deal - Stage,Deal - Expected close date,Organization - Name,Person - Name,Deal - Owner,Lead source: channel',
    '9001,Zephyr Labs renewal,"12,500.00",EUR,Sales,Qualification,2026-09-30,Zephyr Labs Import Co,Quinn Importer,maya.patel@example.com,Webinar',
    `9002,"Globex, Inc. — ""phase 2""\nexpansion",8000,EUR,Sales,Proposal/quote,2026-10-15,Globex Import Ltd,,jonas.becker@example.com,Referral`,
    '9003,Initech pilot,4200,EUR,Sales,Prospecting,2026-13-45,Initech Import GmbH,,,Cold call',
    '9004,Umbrella rollout,3100,EUR,Sales,Dreaming,2026-11-01,Umbrella Import AG,,,Trade show',
    '9005,Hooli upsell,990,EUR,Sales,Closing,2026-12-01,Zephyr Labs Import Co,Quinn Importer,,Webinar',
  ].join('\r\n') +
  '\r\n';

const kRecognised = [
  ['Deal - ID', 'external_id'],
  ['Deal - Title', 'title'],
  ['Deal - Value', 'value'],
  ['Deal - Currency', 'currency'],
  ['Deal - Pipeline', 'pipeline'],
  ['Deal - Stage', 'stage'],
  ['Deal - Expected close date', 'expected_close_date'],
  ['Organization - Name', 'organization'],
  ['Person - Name', 'person'],
  ['Deal - Owner', 'owner'],
  ['Lead source: channel', ''],
];

/** A small RFC 4180 reader for checking downloaded files (independent of the UI's own). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}

/** The mapping as the page shows it: [column, chosen field ("" = don't import)] in file order. */
function shownMapping(page) {
  return page
    .locator('[data-testid="import-mapping"] tbody tr')
    .evaluateAll((rows) => rows.map((r) => [r.dataset.column, r.querySelector('select').value]));
}

/** The preview's or report's figures by key. */
async function shownFigures(page, testId) {
  const pairs = await page
    .locator(`[data-testid="${testId}"] [data-figure]`)
    .evaluateAll((tiles) => tiles.map((t) => [t.dataset.figure, Number(t.dataset.value)]));
  return Object.fromEntries(pairs);
}

/** The error table under `testId`: [row, column, problem]. */
function shownErrors(page, testId) {
  return page
    .locator(`[data-testid="${testId}"] [data-testid="import-errors"] tbody tr`)
    .evaluateAll((rows) => rows.map((r) => Array.from(r.cells, (c) => c.textContent.trim())));
}

/** The next POST to the deals import route, with its query read. */
function nextImport(page) {
  return page
    .waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === kImportPath, { timeout: 15_000 })
    .then((response) => {
      const url = new URL(response.url());
      return { response, dryRun: url.searchParams.get('dry_run'), maps: url.searchParams.getAll('map') };
    });
}

async function dealsNamed(t, q) {
  return (await t.api.get(`/api/deals?q=${encodeURIComponent(q)}&limit=500`)).items;
}

async function dealCount(t) {
  let count = 0;
  let cursor = null;
  do {
    const page = await t.api.get(`/api/deals?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    count += page.items.length;
    cursor = page.next_cursor;
  } while (cursor);
  return count;
}

/** The whole page in one picture: the page scrolls inside the app, so the viewport grows for it. */
async function screenshotTall(page, name, t) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: size.width, height: 2400 });
  await page.screenshot({ path: join(t.artifacts, name) });
  await page.setViewportSize(size);
}

async function waitForFigures(page, testId, expected, what) {
  await waitUntil(async () => JSON.stringify(await shownFigures(page, testId)) === JSON.stringify(expected), what);
}

export const tests = [
  {
    name: 'import-pipedrive-deals-dry-run-mapping-import-and-export',
    async run(t) {
      const { page } = t;
      const before = await dealCount(t);

      // From the main navigation.
      await signInToBoard(t);
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Import & export' }).click();
      await page.getByRole('heading', { name: 'Import & export', level: 1 }).waitFor();
      if (!(await page.getByRole('radio', { name: 'Deals' }).isChecked())) fail('Deals is not the default object');

      // Step 1 → 2: the file goes up as a dry run, as it is.
      const checked = nextImport(page);
      await page.getByLabel('Choose a CSV file').setInputFiles({ name: 'pipedrive-deals.csv', mimeType: 'text/csv', buffer: Buffer.from(kPipedriveDeals) });
      const first = await checked;
      assertEqual(first.response.status(), 200, 'dry run status');
      assertEqual([first.dryRun, first.maps], ['true', []], 'first dry run: no mapping');
      assertEqual(first.response.request().headers()['content-type'], 'text/csv', 'upload content type');

      await page.locator('[data-testid="import-detected"][data-detected="pipedrive"]').waitFor();
      await page.getByText('The columns look like a Pipedrive export.').waitFor();
      assertEqual(await shownMapping(page), kRecognised, 'recognised mapping');
      const titleSample = page.locator('[data-testid="import-mapping"] tr[data-column="Deal - Title"] .mapping-sample');
      assertEqual(await titleSample.textContent(), 'Zephyr Labs renewal', 'sample value of the title column');
      await waitForFigures(page, 'import-preview', { rows: 5, created: 3, updated: 0, failed: 2, linked_created: 3 }, 'dry-run figures');
      const errors = await shownErrors(page, 'import-preview');
      assertEqual(errors.map((e) => e.slice(0, 2)), [['4', 'Deal - Expected close date'], ['5', 'Deal - Stage']], 'dry-run errors');
      if (!errors[0][2].includes('2026-13-45')) fail(`the date error does not quote the value: ${errors[0][2]}`);
      if (!errors[1][2].includes('Dreaming')) fail(`the stage error does not name the stage: ${errors[1][2]}`);
      await page.getByText('2 rows would be refused').waitFor();
      await page.getByRole('button', { name: 'Import 3 rows' }).waitFor();
      await screenshotTall(page, 'import-dry-run.png', t);

      // The dry run left nothing behind: no deal, no organization, no person.
      assertEqual(await dealCount(t), before, 'deals after the dry run');
      assertEqual((await dealsNamed(t, 'Zephyr Labs renewal')).length, 0, 'Zephyr deal after the dry run');
      assertEqual((await t.api.get('/api/organizations?q=Zephyr%20Labs%20Import&limit=10')).items.length, 0, 'organizations after the dry run');
      assertEqual((await t.api.get('/api/persons?q=Quinn%20Importer&limit=10')).items.length, 0, 'persons after the dry run');

      // Not importing the close date: the bad-date row goes in, the preview follows.
      let rerun = nextImport(page);
      await page.getByLabel('“Deal - Expected close date” imports into').selectOption('');
      let again = await rerun;
      assertEqual([again.dryRun, again.maps], ['true', ['Deal - Expected close date:']], 'dry run with the close date ignored');
      await waitForFigures(page, 'import-preview', { rows: 5, created: 4, updated: 0, failed: 1, linked_created: 4 }, 'figures without the close date');
      assertEqual((await shownErrors(page, 'import-preview')).map((e) => e.slice(0, 2)), [['5', 'Deal - Stage']], 'errors without the close date');
      await page.locator('tr[data-column="Deal - Expected close date"] .mapping-chosen').waitFor();

      // A column nobody recognised, with a colon in its name, into the deal's source.
      rerun = nextImport(page);
      await page.getByLabel('“Lead source: channel” imports into').selectOption('source');
      again = await rerun;
      assertEqual(again.maps, ['Deal - Expected close date:', 'Lead source: channel:source'], 'mapping of the second re-run');
      await page.locator('[data-testid="import-mapping"] tr[data-column="Lead source: channel"][data-field="source"]').waitFor();
      await waitForFigures(page, 'import-preview', { rows: 5, created: 4, updated: 0, failed: 1, linked_created: 4 }, 'figures with the source');
      assertEqual(await dealCount(t), before, 'deals after three dry runs');

      // Step 3: the import, with the same mapping.
      const imported = nextImport(page);
      await page.getByRole('button', { name: 'Import 4 rows' }).click();
      const real = await imported;
      assertEqual([real.response.status(), real.dryRun, real.maps], [200, 'false', again.maps], 'the import request');
      await page.getByTestId('import-done').waitFor();
      await waitForFigures(page, 'import-report', { rows: 5, created: 4, updated: 0, failed: 1, linked_created: 4 }, 'report figures');
      assertEqual((await shownErrors(page, 'import-report')).map((e) => e.slice(0, 2)), [['5', 'Deal - Stage']], 'report errors');
      await page.getByText('1 row was refused').waitFor();
      const boardLink = page.getByRole('link', { name: 'Open the board' });
      assertEqual(await boardLink.getAttribute('href'), '/', 'link to the imported deals');
      await screenshotTall(page, 'import-report.png', t);

      // The API holds exactly the reported rows, as the file and the mapping said.
      assertEqual(await dealCount(t), before + 4, 'deals after the import');
      const [zephyr] = await dealsNamed(t, 'Zephyr Labs renewal');
      if (!zephyr) fail('the Zephyr deal was not imported');
      const stages = (await t.api.get('/api/stages?pipeline_id=1&limit=500')).items;
      assertEqual(
        [zephyr.value_minor, zephyr.currency, stages.find((s) => s.id === zephyr.stage_id)?.name, zephyr.expected_close_date, zephyr.source],
        [1250000, 'EUR', 'Qualification', null, 'Webinar'],
        'the Zephyr deal',
      );
      const org = await t.api.get(`/api/organizations/${zephyr.org_id}`);
      assertEqual(org.name, 'Zephyr Labs Import Co', 'organization made for the Zephyr deal');
      const globex = (await dealsNamed(t, 'Globex')).filter((d) => d.title === kGlobexTitle);
      assertEqual(globex.length, 1, 'the Globex deal with its quoted title');
      assertEqual((await dealsNamed(t, 'Initech pilot')).length, 1, 'the row whose bad date was not imported');
      assertEqual((await dealsNamed(t, 'Umbrella rollout')).length, 0, 'the row with an unknown stage');

      // Export: CSV with the columns import reads, downloaded under the server's name.
      const csvDownload = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download CSV of deals' }).click();
      const csvFile = await csvDownload;
      assertEqual(csvFile.suggestedFilename(), 'deals.csv', 'CSV download name');
      const csv = parseCsv(await readFile(await csvFile.path(), 'utf8'));
      const header = csv[0];
      for (const column of ['id', 'title', 'value', 'currency', 'pipeline', 'stage', 'expected_close_date', 'source', 'owner', 'organization', 'person']) {
        if (!header.includes(column)) fail(`the CSV export has no ${column} column: ${header.join(',')}`);
      }
      const col = (name) => header.indexOf(name);
      const zephyrRow = csv.find((r) => r[col('id')] === String(zephyr.id));
      if (!zephyrRow) fail('the CSV export has no row for the Zephyr deal');
      assertEqual(
        ['title', 'value', 'currency', 'pipeline', 'stage', 'source', 'owner', 'organization'].map((c) => zephyrRow[col(c)]),
        ['Zephyr Labs renewal', '12500.00', 'EUR', 'Sales', 'Qualification', 'Webinar', 'maya.patel@example.com', 'Zephyr Labs Import Co'],
        'the Zephyr row of the CSV export',
      );
      const globexRow = csv.find((r) => r[col('id')] === String(globex[0].id));
      assertEqual(globexRow?.[col('title')], kGlobexTitle, 'the quoted title in the CSV export');
      assertEqual(csv.length - 1, before + 4, 'rows in the CSV export');

      // JSON: the API's records.
      const jsonDownload = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download JSON of deals' }).click();
      const jsonFile = await jsonDownload;
      assertEqual(jsonFile.suggestedFilename(), 'deals.json', 'JSON download name');
      const records = JSON.parse(await readFile(await jsonFile.path(), 'utf8'));
      const zephyrRecord = records.find((d) => d.id === zephyr.id);
      assertEqual([zephyrRecord?.title, zephyrRecord?.value_minor, zephyrRecord?.stage_id], [zephyr.title, zephyr.value_minor, zephyr.stage_id], 'the Zephyr record of the JSON export');

      // The link goes to the board, where the deal shows.
      await boardLink.click();
      await page.locator('.column[data-stage-id]').first().waitFor();
      await page.getByText('Zephyr Labs renewal').first().waitFor();
    },
  },
  {
    name: 'import-file-refused-then-mapped-by-hand',
    async run(t) {
      const { page } = t;
      const before = await dealCount(t);
      await signInAt(t, '/import?object=deals', kSignedIn);

      // An empty file is not CSV: the server's message, nothing imported, no import button.
      let checked = nextImport(page);
      await page.getByLabel('Choose a CSV file').setInputFiles({ name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.alloc(0) });
      assertEqual((await checked).response.status(), 422, 'status for an empty file');
      const problem = page.getByTestId('import-problem');
      await problem.getByText('The file can’t be read as CSV').waitFor();
      assertEqual(await problem.getAttribute('data-field'), 'csv', 'field of the empty-file problem');

      // A spreadsheet of its own (no title column), dropped onto the page: refused as a whole,
      // with the server's words, and its columns listed for mapping by hand.
      const ownSheet = 'Opportunity,Worth,Next step\r\nKestrel Robotics fleet deal,"1,000",Call\r\nOsprey Marine refit,20,\r\n';
      checked = nextImport(page);
      await page.getByTestId('import-drop').evaluate((zone, text) => {
        const data = new DataTransfer();
        data.items.add(new File([text], 'own-sheet.csv', { type: 'text/csv' }));
        zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      }, ownSheet);
      const refused = await checked;
      assertEqual(refused.response.status(), 422, 'status for a file without a title column');
      const body = await refused.response.json();
      await page.getByTestId('import-file-name').getByText('own-sheet.csv').waitFor();
      await problem.getByText('The columns don’t fit').waitFor();
      assertEqual(await problem.getAttribute('data-field'), 'columns', 'field of the missing-title problem');
      const message = await page.getByTestId('import-problem-message').textContent();
      if (!message.toLowerCase().includes(body.error.message.toLowerCase().slice(0, 30))) fail(`the server's message is not shown: ${message}`);
      if (!/title/.test(message)) fail(`the message does not name the title: ${message}`);
      assertEqual(await shownMapping(page), [['Opportunity', ':recognised'], ['Worth', ':recognised'], ['Next step', ':recognised']], 'columns listed from the file');
      if (!(await page.getByTestId('import-run').isDisabled())) fail('the import button is enabled for a refused file');
      assertEqual(await dealCount(t), before, 'deals after the refused file');
      await screenshotTall(page, 'import-refused.png', t);

      // Mapping the title by hand makes the file acceptable.
      checked = nextImport(page);
      await page.getByLabel('“Opportunity” imports into').selectOption('title');
      const accepted = await checked;
      assertEqual([accepted.response.status(), accepted.maps], [200, ['Opportunity:title']], 'dry run with the title mapped');
      await page.getByTestId('import-problem').waitFor({ state: 'detached' });
      assertEqual(await shownMapping(page), [['Opportunity', 'title'], ['Worth', ''], ['Next step', '']], 'mapping once accepted');
      checked = nextImport(page);
      await page.getByLabel('“Worth” imports into').selectOption('value');
      assertEqual((await checked).maps, ['Opportunity:title', 'Worth:value'], 'dry run with the value mapped');
      await waitForFigures(page, 'import-preview', { rows: 2, created: 2, updated: 0, failed: 0, linked_created: 0 }, 'figures of the own sheet');
      await page.getByText('No row has a problem.').waitFor();

      // Choosing the title for another column takes it from the first one, and says so.
      checked = nextImport(page);
      await page.getByLabel('“Next step” imports into').selectOption('title');
      assertEqual((await checked).maps, ['Opportunity:', 'Worth:value', 'Next step:title'], 'title moved to another column');
      await page.getByText('“Opportunity” is no longer imported').waitFor();
      checked = nextImport(page);
      await page.getByRole('button', { name: 'Reset to the recognised columns' }).click();
      assertEqual([(await checked).response.status()], [422], 'status after resetting to the recognised columns');
      await problem.getByText('The columns don’t fit').waitFor();
      checked = nextImport(page);
      await page.getByLabel('“Opportunity” imports into').selectOption('title');
      await checked;
      checked = nextImport(page);
      await page.getByLabel('“Worth” imports into').selectOption('value');
      await checked;
      assertEqual(await dealCount(t), before, 'deals before the import');

      const imported = nextImport(page);
      await page.getByRole('button', { name: 'Import 2 rows' }).click();
      assertEqual((await imported).dryRun, 'false', 'the import is not a dry run');
      await page.getByTestId('import-done').waitFor();
      await waitForFigures(page, 'import-report', { rows: 2, created: 2, updated: 0, failed: 0, linked_created: 0 }, 'report of the own sheet');
      const [kestrel] = await dealsNamed(t, 'Kestrel Robotics fleet deal');
      assertEqual(kestrel?.value_minor, 100000, 'value of the imported deal');
      assertEqual(await dealCount(t), before + 2, 'deals after the import');

      // Another file starts again at step 1.
      await page.getByRole('button', { name: 'Import another file' }).click();
      await page.getByLabel('Choose a CSV file').waitFor({ state: 'attached' });
      assertEqual(await page.getByTestId('import-problem').count(), 0, 'no problem shown after starting again');
    },
  },
];
