// Pipedeck's Pipedrive-compatible API (/v1, /api/v1, /api/v2) driven by Pipedrive's official npm
// client against a real server over loopback: the current release (`pipedrive`, v1 and v2
// namespaces) and the last release that still has the v1 deal, pipeline and stage methods
// (`pipedrive-v31`), as scripts written for Pipedrive use them.
//
//   PIPEDECK_BINARY=build/pipedeck node --test tests/pipedrive/client_test.mjs
//
// Each test file run gets one workspace: a temp dir, `pipedeck init --template 5-stage`,
// `pipedeck serve --port 0`. Bad requests are checked to answer Pipedrive's error envelope with a
// 4xx naming the field, and to change nothing (read back).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { v1, v2 } from 'pipedrive';
import { v1 as legacyV1 } from 'pipedrive-v31';

const binary = process.env.PIPEDECK_BINARY;
if (!binary) throw new Error('PIPEDECK_BINARY must name the pipedeck executable');

const kStartMillis = 15_000;

function run(argv) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${argv.join(' ')} exited ${code}:\n${out}`))));
  });
}

function serve(db) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['serve', '--db', db, '--port', '0', '--bind', '127.0.0.1', '--quiet'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pipedeck serve did not start within ${kStartMillis} ms:\n${out}`));
    }, kStartMillis);
    const onData = (d) => {
      out += d;
      const m = /Listening on (http:\/\/[0-9.]+:[0-9]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pipedeck serve exited ${code}:\n${out}`));
    });
  });
}

let dir, server, url, token;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pipedeck-pipedrive-'));
  const db = join(dir, 'workspace.db');
  const out = await run(['init', '--db', db, '--template', '5-stage', '--admin-name', 'Ada Admin', '--admin-email', 'ada@example.com']);
  token = /API token: (\S+)/.exec(out)[1];
  ({ child: server, url } = await serve(db));
});

after(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

const config = (version, basePath) => new version.Configuration({ apiKey: token, basePath });

/** Raw HTTP for what a client library would hide: status codes, headers, the exact body. */
async function http(method, path, { body, headers = {} } = {}) {
  const res = await fetch(url + path, {
    method,
    headers: { 'x-api-token': token, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** The rejection of `promise`: the client rejects a non-2xx answer with the parsed error body. */
async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected the request to fail');
}

const kV1Time = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;
const kV2Time = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('authentication', () => {
  test('the token is read from x-api-token, ?api_token= and Authorization: Bearer', async () => {
    for (const [path, headers] of [
      ['/v1/users/me', {}],
      [`/api/v1/users/me?api_token=${token}`, { 'x-api-token': '' }],
      ['/api/v2/pipelines', { 'x-api-token': '', Authorization: `Bearer ${token}` }],
    ]) {
      const r = await http('GET', path, { headers });
      assert.equal(r.status, 200, path);
      assert.equal(r.body.success, true, path);
    }
  });

  test('a missing or unknown token is a 401 in the error envelope', async () => {
    for (const token of ['', 'pd_not_a_token']) {
      const r = await http('GET', '/api/v1/deals', { headers: { 'x-api-token': token } });
      assert.equal(r.status, 401);
      assert.equal(r.body.success, false);
      assert.match(r.body.error, /unauthorized/);
      assert.equal(r.body.data, null);
      assert.equal(typeof r.body.error_info, 'string');
    }
    const client = new v1.UsersApi(new v1.Configuration({ apiKey: 'pd_wrong', basePath: `${url}/api/v1` }));
    const e = await rejection(client.getCurrentUser());
    assert.equal(e.success, false);
  });
});

describe('v1 with the client releases scripts were written for', () => {
  let pipelines, stages, deals, users;
  before(() => {
    const cfg = config(legacyV1, `${url}/api/v1`);
    pipelines = new legacyV1.PipelinesApi(cfg);
    stages = new legacyV1.StagesApi(cfg);
    deals = new legacyV1.DealsApi(cfg);
    users = new v1.UsersApi(config(v1, `${url}/v1`)); // the current client, at /v1
  });

  test('the current user', async () => {
    const me = await users.getCurrentUser();
    assert.equal(me.success, true);
    assert.equal(me.data.email, 'ada@example.com');
    assert.equal(me.data.is_you, true);
    assert.equal(me.data.default_currency, 'USD');
    assert.match(me.data.created, kV1Time);
  });

  test('pipelines and stages: list, add, update, get, delete', async () => {
    const list = await pipelines.getPipelines();
    assert.equal(list.data.length, 1);
    assert.equal(list.data[0].name, 'Sales');
    assert.equal(list.data[0].order_nr, 1);

    const added = await pipelines.addPipeline({ PipelineRequest: { name: 'Renewals' } });
    assert.equal(added.data.name, 'Renewals');
    const renamed = await pipelines.updatePipeline({ id: added.data.id, PipelineRequest1: { name: 'Renewals 2027' } });
    assert.equal(renamed.data.name, 'Renewals 2027');

    const stage = await stages.addStage({ AddStageRequest: { name: 'Quote', pipeline_id: added.data.id, deal_probability: 40, rotten_flag: true, rotten_days: 14 } });
    assert.equal(stage.data.name, 'Quote');
    assert.equal(stage.data.deal_probability, 40);
    assert.equal(stage.data.rotten_days, 14);
    assert.equal(stage.data.pipeline_name, 'Renewals 2027');
    const of = await stages.getStages({ pipeline_id: added.data.id });
    assert.deepEqual(of.data.map((s) => s.id), [stage.data.id]);
    const changed = await stages.updateStage({ id: stage.data.id, UpdateStageRequest: { name: 'Quoted', deal_probability: 50 } });
    assert.equal(changed.data.name, 'Quoted');
    assert.equal((await stages.getStage({ id: stage.data.id })).data.deal_probability, 50);

    assert.deepEqual(await stages.deleteStage({ id: stage.data.id }), { success: true, data: { id: stage.data.id }, additional_data: null });
    assert.equal((await pipelines.deletePipeline({ id: added.data.id })).data.id, added.data.id);
    const gone = await rejection(pipelines.getPipeline({ id: added.data.id }));
    assert.equal(gone.success, false);
    assert.match(gone.error, /pipeline/i);
  });

  test('deals: add, get, update to won, search, list by stage and pipeline, delete', async () => {
    const [first] = (await stages.getStages({})).data;
    const created = await deals.addDeal({ AddDealRequest: { title: 'Big deal', value: '1000.5', currency: 'EUR', stage_id: first.id, expected_close_date: '2027-01-15' } });
    const id = created.data.id;
    assert.equal(created.data.title, 'Big deal');
    assert.equal(created.data.value, 1000.5);
    assert.equal(created.data.currency, 'EUR');
    assert.equal(created.data.status, 'open');
    assert.equal(created.data.user_id.email, 'ada@example.com');
    assert.equal(created.data.user_id.value, created.data.user_id.id);
    assert.equal(created.data.stage_id, first.id);
    assert.equal(created.data.formatted_value, '€1,000.50');
    assert.match(created.data.add_time, kV1Time);
    assert.equal(created.data.won_time, null);

    const cleared = await deals.updateDeal({ id, UpdateDealRequest: { expected_close_date: null } });
    assert.equal(cleared.data.expected_close_date, null); // null clears; absent leaves alone
    assert.equal(cleared.data.value, 1000.5);
    const won = await deals.updateDeal({ id, UpdateDealRequest: { status: 'won', title: 'Big deal (signed)' } });
    assert.equal(won.data.status, 'won');
    assert.equal(won.data.title, 'Big deal (signed)');
    assert.match(won.data.won_time, kV1Time);
    assert.equal(won.data.close_time, won.data.won_time);

    const found = await deals.searchDeals({ term: 'signed' });
    assert.deepEqual(found.data.items.map((i) => i.item.id), [id]);
    assert.equal(found.data.items[0].item.stage.id, first.id);

    const open = await deals.addDeal({ AddDealRequest: { title: 'Open one', value: 200, stage_id: first.id } });
    const inStage = await stages.getStageDeals({ id: first.id, everyone: 1 });
    assert.deepEqual(inStage.data.map((d) => d.id), [open.data.id]); // open deals only
    const inPipeline = await pipelines.getPipelineDeals({ id: first.pipeline_id });
    assert.deepEqual(inPipeline.data.map((d) => d.id), [open.data.id]); // the caller's by default

    assert.deepEqual((await deals.deleteDeal({ id })).data, { id });
    const gone = await rejection(deals.getDeal({ id }));
    assert.equal(gone.success, false);
    await deals.deleteDeal({ id: open.data.id });
  });

  test('offset pagination: start, limit, more_items_in_collection, next_start', async () => {
    const made = [];
    for (let i = 0; i < 5; i++) made.push((await deals.addDeal({ AddDealRequest: { title: `Page deal ${i}` } })).data.id);
    const seen = [];
    let start = 0;
    for (;;) {
      const page = await deals.getDeals({ start, limit: 2, status: 'open' });
      seen.push(...page.data.map((d) => d.id));
      const p = page.additional_data.pagination;
      assert.equal(p.start, start);
      assert.equal(p.limit, 2);
      if (!p.more_items_in_collection) break;
      start = p.next_start;
    }
    assert.deepEqual(seen, made);
    const newestFirst = await deals.getDeals({ status: 'open', sort: 'id DESC', limit: 1 });
    assert.equal(newestFirst.data[0].id, made[4]);
    for (const id of made) await deals.deleteDeal({ id });
  });
});

describe('v2 with the current client', () => {
  let deals, stages, pipelines;
  before(() => {
    const cfg = config(v2, `${url}/api/v2`);
    deals = new v2.DealsApi(cfg);
    stages = new v2.StagesApi(cfg);
    pipelines = new v2.PipelinesApi(cfg);
  });

  test('deals: add, patch to lost, get, cursor pages, delete', async () => {
    const [pipeline] = (await pipelines.getPipelines()).data;
    const ordered = (await stages.getStages({ pipeline_id: pipeline.id, sort_by: 'order_nr' })).data;
    assert.equal(ordered.length, 5);
    assert.deepEqual(ordered.map((s) => s.order_nr), [1, 2, 3, 4, 5]);

    const me = (await new v1.UsersApi(config(v1, `${url}/api/v1`)).getCurrentUser()).data;
    const created = await deals.addDeal({ AddDealRequest: { title: 'V2 deal', value: 1200, currency: 'USD', stage_id: ordered[1].id } });
    const id = created.data.id;
    assert.equal(created.data.owner_id, me.id);
    assert.equal(created.data.pipeline_id, pipeline.id);
    assert.match(created.data.add_time, kV2Time);
    assert.equal(created.data.is_deleted, false);

    const lost = await deals.updateDeal({ id, UpdateDealRequest: { status: 'lost', lost_reason: 'No budget', stage_id: ordered[2].id } });
    assert.equal(lost.data.status, 'lost');
    assert.equal(lost.data.lost_reason, 'No budget');
    assert.equal(lost.data.stage_id, ordered[2].id);
    assert.match(lost.data.lost_time, kV2Time);
    const reopened = await deals.updateDeal({ id, UpdateDealRequest: { status: 'open' } });
    assert.equal(reopened.data.status, 'open');
    assert.equal(reopened.data.lost_reason, null);

    const more = [];
    for (let i = 0; i < 4; i++) more.push((await deals.addDeal({ AddDealRequest: { title: `V2 page ${i}` } })).data.id);
    const seen = [];
    let cursor;
    do {
      const page = await deals.getDeals({ limit: 2, cursor, status: 'open', sort_by: 'id', sort_direction: 'asc' });
      seen.push(...page.data.map((d) => d.id));
      cursor = page.additional_data.next_cursor ?? undefined;
    } while (cursor);
    assert.deepEqual(seen, [id, ...more]);

    assert.deepEqual((await deals.deleteDeal({ id })).data, { id });
    for (const d of more) await deals.deleteDeal({ id: d });
    const gone = await rejection(deals.getDeal({ id }));
    assert.equal(gone.success, false);
  });
});

describe('persons, organizations, activities and notes', () => {
  test('v1 (31.x client): an organization, its person, a deal, an activity done, a note', async () => {
    const cfg = config(legacyV1, `${url}/v1`);
    const orgs = new legacyV1.OrganizationsApi(cfg);
    const persons = new legacyV1.PersonsApi(cfg);
    const activities = new legacyV1.ActivitiesApi(cfg);
    const deals = new legacyV1.DealsApi(cfg);
    const notes = new v1.NotesApi(config(v1, `${url}/v1`)); // notes stay in the current client's v1

    const org = (await orgs.addOrganization({ AddOrganizationRequest: { name: 'Initech', address: '4120 Freidrich Lane, Austin' } })).data;
    assert.equal(org.name, 'Initech');
    assert.equal(org.address, '4120 Freidrich Lane, Austin');
    assert.equal(org.owner_id.email, 'ada@example.com');
    const person = (await persons.addPerson({ AddPersonRequest: { name: 'Peter Gibbons', org_id: org.id, email: [{ value: 'peter@initech.example', primary: true, label: 'work' }], phone: ['+1 555 0100'] } })).data;
    assert.equal(person.first_name, 'Peter');
    assert.equal(person.last_name, 'Gibbons');
    assert.equal(person.org_id.value, org.id);
    assert.equal(person.org_name, 'Initech');
    assert.deepEqual(person.email, [{ label: 'work', value: 'peter@initech.example', primary: true }]);
    assert.deepEqual(person.phone, [{ label: 'work', value: '+1 555 0100', primary: true }]);
    const renamed = (await persons.updatePerson({ id: person.id, UpdatePersonRequest: { name: 'Peter J. Gibbons' } })).data;
    assert.equal(renamed.name, 'Peter J. Gibbons');
    assert.equal(renamed.email[0].value, 'peter@initech.example'); // untouched
    assert.deepEqual((await persons.getPersons({ start: 0, limit: 10 })).data.map((p) => p.id), [person.id]);

    const deal = (await deals.addDeal({ AddDealRequest: { title: 'TPS reports', person_id: person.id, org_id: org.id } })).data;
    assert.equal(deal.person_id.value, person.id);
    assert.equal(deal.person_name, 'Peter J. Gibbons');
    assert.equal(deal.org_id.name, 'Initech');

    const call = (await activities.addActivity({ AddActivityRequest: { subject: 'Discovery call', type: 'call', deal_id: deal.id, due_date: '2027-02-01', due_time: '09:30', duration: '00:45' } })).data;
    assert.equal(call.type, 'call');
    assert.equal(call.due_time, '09:30');
    assert.equal(call.duration, '00:45');
    assert.equal(call.done, false);
    assert.equal(call.person_id, person.id); // taken from the deal
    assert.equal(call.marked_as_done_time, '');
    const done = (await activities.updateActivity({ id: call.id, UpdateActivityRequest: { done: 1 } })).data;
    assert.equal(done.done, true);
    assert.match(done.marked_as_done_time, kV1Time);
    const listed = await activities.getActivities({ user_id: 0, done: 1, start: 0, limit: 10 });
    assert.deepEqual(listed.data.map((a) => a.id), [call.id]);

    const note = (await notes.addNote({ AddNoteRequest: { content: '<p>Wants the new cover sheets</p>', deal_id: deal.id, pinned_to_deal_flag: 1 } })).data;
    assert.equal(note.deal.title, 'TPS reports');
    assert.equal(note.pinned_to_deal_flag, true);
    assert.equal(note.user.is_you, true);
    const edited = (await notes.updateNote({ id: note.id, NoteRequest: { content: '<p>Cover sheets, both</p>' } })).data;
    assert.equal(edited.content, '<p>Cover sheets, both</p>');
    assert.deepEqual((await notes.getNotes({ deal_id: deal.id })).data.map((n) => n.id), [note.id]);
    assert.equal((await notes.deleteNote({ id: note.id })).success, true);

    assert.equal((await activities.deleteActivity({ id: call.id })).data.id, call.id);
    await deals.deleteDeal({ id: deal.id });
    assert.equal((await persons.deletePerson({ id: person.id })).data.id, person.id);
    assert.equal((await orgs.deleteOrganization({ id: org.id })).data.id, org.id);
  });

  test('v2 (current client): persons with emails, organizations with an address, activities with participants', async () => {
    const cfg = config(v2, `${url}/api/v2`);
    const orgs = new v2.OrganizationsApi(cfg);
    const persons = new v2.PersonsApi(cfg);
    const activities = new v2.ActivitiesApi(cfg);
    const org = (await orgs.addOrganization({ AddOrganizationRequest: { name: 'Globex', address: { value: '1 Globex Way' } } })).data;
    assert.deepEqual(org.address, { value: '1 Globex Way' });
    assert.equal(typeof org.owner_id, 'number');
    const person = (await persons.addPerson({ AddPersonRequest: { name: 'Hank Scorpio', org_id: org.id, emails: [{ value: 'hank@globex.example', primary: true, label: 'work' }] } })).data;
    assert.equal(person.org_id, org.id);
    assert.deepEqual(person.emails, [{ label: 'work', value: 'hank@globex.example', primary: true }]);
    assert.match(person.add_time, kV2Time);
    const patched = (await persons.updatePerson({ id: person.id, UpdatePersonRequest: { org_id: null } })).data;
    assert.equal(patched.org_id, null);
    const ofOrg = await persons.getPersons({ org_id: org.id });
    assert.deepEqual(ofOrg.data, []);

    const meeting = (await activities.addActivity({ AddActivityRequest: { subject: 'Kick-off', type: 'meeting', due_date: '2027-03-01', due_time: '14:00', participants: [{ person_id: person.id, primary: true }] } })).data;
    assert.equal(meeting.person_id, person.id);
    assert.deepEqual(meeting.participants, [{ person_id: person.id, primary: true }]);
    assert.equal(meeting.duration, null);
    const moved = (await activities.updateActivity({ id: meeting.id, AddActivityRequest: { due_date: '2027-03-02', done: true } })).data;
    assert.equal(moved.due_date, '2027-03-02');
    assert.equal(moved.done, true);
    assert.match(moved.marked_as_done_time, kV2Time);
    const page = await activities.getActivities({ person_id: person.id, limit: 5 });
    assert.deepEqual(page.data.map((a) => a.id), [meeting.id]);
    assert.equal(page.additional_data.next_cursor, null);

    await activities.deleteActivity({ id: meeting.id });
    await persons.deletePerson({ id: person.id });
    await orgs.deleteOrganization({ id: org.id });
  });

  test('deals summary per currency, with the weighted values', async () => {
    const deals = new v1.DealsApi(config(v1, `${url}/api/v1`));
    const stagesApi = new legacyV1.StagesApi(config(legacyV1, `${url}/api/v1`));
    const stages = (await stagesApi.getStages({})).data; // 5-stage template
    const made = [];
    const add = async (body) => made.push((await http('POST', '/api/v1/deals', { body })).body.data.id);
    await add({ title: 'S1', value: 1000, currency: 'USD', stage_id: stages[0].id }); // stage probability
    await add({ title: 'S2', value: 500, currency: 'USD', stage_id: stages[1].id, probability: 50 });
    await add({ title: 'S3', value: 200, currency: 'EUR', stage_id: stages[0].id });
    const summary = (await deals.getDealsSummary({ status: 'open' })).data;
    const firstWeighted = Math.round((1000 * stages[0].deal_probability) / 100);
    assert.equal(summary.total_count, 3);
    assert.deepEqual(summary.values_total.USD, { value: 1500, count: 2, value_converted: 1500, value_formatted: '$1,500', value_converted_formatted: '$1,500' });
    assert.equal(summary.values_total.EUR.value, 200);
    assert.equal(summary.weighted_values_total.USD.value, firstWeighted + 250);
    assert.equal(summary.total_currency_converted_value, 1500);
    assert.equal(summary.total_weighted_currency_converted_value, firstWeighted + 250);
    const ofStage = (await deals.getDealsSummary({ status: 'open', stage_id: stages[1].id })).data;
    assert.equal(ofStage.total_count, 1);
    for (const id of made) await http('DELETE', `/api/v1/deals/${id}`);
  });
});

describe('bad input gets a 4xx naming the field and changes nothing', () => {
  let deal;
  before(async () => {
    deal = (await http('POST', '/api/v1/deals', { body: { title: 'Steady', value: 300 } })).body.data;
  });

  const unchanged = async () => {
    const now = (await http('GET', `/api/v1/deals/${deal.id}`)).body.data;
    assert.equal(now.title, 'Steady');
    assert.equal(now.value, 300);
    assert.equal(now.status, 'open');
    assert.equal(now.update_time, deal.update_time);
  };

  for (const [what, method, path, body, field] of [
    ['a value that is not a number', 'PUT', 'v1', { value: 'lots' }, 'value'],
    ['a negative value', 'PATCH', 'v2', { value: -5 }, 'value'],
    ['more decimals than the currency has', 'PUT', 'v1', { value: 1.234 }, 'value'],
    ['lost without a reason, with a title', 'PUT', 'v1', { status: 'lost', title: 'Changed' }, 'lost_reason'],
    ['an unknown status', 'PATCH', 'v2', { status: 'paused' }, 'status'],
    ['an unknown stage', 'PUT', 'v1', { stage_id: 999999, title: 'Changed' }, 'stage_id'],
    ['a probability over 100', 'PUT', 'v1', { probability: 101 }, 'probability'],
    ['a date that is not a date', 'PATCH', 'v2', { expected_close_date: '15/01/2027' }, 'expected_close_date'],
  ]) {
    test(what, async () => {
      const prefix = path === 'v1' ? '/api/v1' : '/api/v2';
      const r = await http(method, `${prefix}/deals/${deal.id}`, { body });
      assert.ok(r.status >= 400 && r.status < 500, `status ${r.status}`);
      assert.equal(r.body.success, false);
      assert.equal(r.body.data, null);
      assert.equal(r.body.field, field);
      assert.match(r.body.error, new RegExp(field));
      await unchanged();
    });
  }

  test('malformed JSON, a missing title and wrong query parameters', async () => {
    const before = (await http('GET', '/api/v1/deals?limit=500')).body.data.length;
    let r = await http('POST', '/api/v1/deals', { body: '{"title": ' });
    assert.equal(r.status, 400);
    assert.equal(r.body.success, false);
    r = await http('POST', '/api/v2/deals', { body: { value: 10 } });
    assert.equal(r.status, 422);
    assert.equal(r.body.field, 'title');
    assert.equal((await http('GET', '/api/v1/deals?limit=500')).body.data.length, before);
    r = await http('GET', '/api/v1/deals?limit=501');
    assert.equal(r.body.field, 'limit');
    r = await http('GET', '/api/v1/deals?status=paused');
    assert.equal(r.body.field, 'status');
    r = await http('GET', '/api/v2/deals?cursor=garbage');
    assert.equal(r.body.field, 'cursor');
    await unchanged();
  });

  test('persons, activities and notes refuse bad fields and change nothing', async () => {
    const person = (await http('POST', '/api/v1/persons', { body: { name: 'Milton' } })).body.data;
    for (const [path, body, field] of [
      [`/api/v1/persons/${person.id}`, { email: [{ label: 'work' }] }, 'email[0].value'],
      [`/api/v1/persons/${person.id}`, { org_id: 'acme' }, 'org_id'],
      [`/api/v1/persons/${person.id}`, { name: '' }, 'name'],
    ]) {
      const r = await http('PUT', path, { body });
      assert.equal(r.body.success, false, JSON.stringify(body));
      assert.equal(r.body.field, field);
    }
    const now = (await http('GET', `/api/v1/persons/${person.id}`)).body.data;
    assert.equal(now.name, 'Milton');
    assert.equal(now.update_time, person.update_time);

    const activitiesBefore = (await http('GET', '/api/v1/activities?user_id=0')).body.data.length;
    for (const [body, field] of [
      [{ subject: 'Call', type: 'lunch' }, 'type'],
      [{ subject: 'Call', due_time: '25:00' }, 'due_time'],
      [{ subject: 'Call', deal_id: 999999 }, 'deal_id'],
      [{ type: 'call' }, 'subject'],
    ]) {
      const r = await http('POST', '/api/v1/activities', { body });
      assert.equal(r.body.success, false, JSON.stringify(body));
      assert.equal(r.body.field, field);
    }
    assert.equal((await http('GET', '/api/v1/activities?user_id=0')).body.data.length, activitiesBefore);
    const r = await http('POST', '/api/v1/notes', { body: { content: 'Orphan' } });
    assert.equal(r.body.field, 'deal_id');
    await http('DELETE', `/api/v1/persons/${person.id}`);
  });

  test('unknown ids and routes answer 404 in the envelope; other methods 405', async () => {
    let r = await http('GET', '/api/v1/deals/999999');
    assert.equal(r.status, 404);
    assert.equal(r.body.success, false);
    r = await http('GET', '/api/v2/nothing-here');
    assert.equal(r.status, 404);
    assert.equal(r.body.success, false);
    r = await http('PATCH', `/api/v1/deals/${deal.id}`, { body: { title: 'x' } });
    assert.equal(r.status, 405);
    assert.equal(r.body.success, false);
    await unchanged();
  });
});
