// Pipedeck's Pipedrive-compatible API (/v1, /api/v1, /api/v2) driven by Pipedrive's official npm
// client against a real server over loopback, as scripts written for Pipedrive use it:
//   - `pipedrive` (33.x, the current release): v2, and the v1 methods it still has (users, notes,
//     deal summary, deals of a stage or pipeline); it sends the token as the `x-api-token` header.
//   - `pipedrive-v26` (26.0.0): v1 CRUD of pipelines, stages, deals, persons, organizations,
//     activities and notes; it sends the token as the `?api_token=` query parameter. A full
//     scenario runs through it (pipeline with stages, organization, persons, deals across stages,
//     moves, won/lost with a reason, activities with one overdue, notes, pages, filters, updates,
//     deletes, and a missing title, an unknown stage and a bad token), and checks on the wire that
//     every request carried its token in the query and nowhere else.
//
//   PIPEDECK_BINARY=build/pipedeck node --test tests/pipedrive/client_test.mjs
//
// Each test file run gets one workspace: a temp dir, `pipedeck init --template 5-stage`,
// `pipedeck serve --port 0`. Bad requests are checked to answer Pipedrive's error envelope with a
// 4xx naming the field, and to change nothing (read back).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import diagnostics_channel from 'node:diagnostics_channel';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { v1, v2 } from 'pipedrive';
import { v1 as v26 } from 'pipedrive-v26'; // 26.x: v1 CRUD, the token sent as ?api_token=

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

describe('v1 with the 26.x client: pipelines, stages and deals in detail', () => {
  let pipelines, stages, deals, users;
  before(() => {
    const cfg = config(v26, `${url}/api/v1`);
    pipelines = new v26.PipelinesApi(cfg);
    stages = new v26.StagesApi(cfg);
    deals = new v26.DealsApi(cfg);
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

describe('a full v1 scenario with the 26.x client, its token in ?api_token=', () => {
  // What the 26.x client put on the wire (its own User-Agent tells its requests apart): method,
  // path with query, headers, and the status the server answered.
  const kUserAgent = 'Pipedrive-SDK-Javascript-26.0.0';
  const wire = [];
  const sent = new WeakMap();
  const onStart = ({ request }) => {
    const headers = request.getHeaders();
    if (headers['user-agent'] !== kUserAgent) return;
    const entry = { method: request.method, path: request.path, headers, status: undefined };
    sent.set(request, entry);
    wire.push(entry);
  };
  const onFinish = ({ request, response }) => {
    const entry = sent.get(request);
    if (entry) entry.status = response.statusCode;
  };
  const lastStatus = () => wire.at(-1).status;

  const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const yesterday = day(-1);
  const today = day(0);
  const nextWeek = day(7);

  let users, pipelines, stages, deals, persons, orgs, activities, notes;
  let me, pipeline, discovery, proposal, negotiation, contract, org, wesker, jill;
  let lab, security, vaccines, catering, overdue, upcoming, introCall, dealNote, personNote, orgNote;
  const paged = [];

  before(() => {
    diagnostics_channel.subscribe('http.client.request.start', onStart);
    diagnostics_channel.subscribe('http.client.response.finish', onFinish);
    const cfg = config(v26, `${url}/v1`); // the 26.x client's own base path is .../v1
    users = new v26.UsersApi(cfg);
    pipelines = new v26.PipelinesApi(cfg);
    stages = new v26.StagesApi(cfg);
    deals = new v26.DealsApi(cfg);
    persons = new v26.PersonsApi(cfg);
    orgs = new v26.OrganizationsApi(cfg);
    activities = new v26.ActivitiesApi(cfg);
    notes = new v26.NotesApi(cfg);
  });

  after(() => {
    diagnostics_channel.unsubscribe('http.client.request.start', onStart);
    diagnostics_channel.unsubscribe('http.client.response.finish', onFinish);
  });

  test('the token travels as ?api_token= and is accepted', async () => {
    me = (await users.getCurrentUser()).data;
    assert.equal(me.email, 'ada@example.com');
    const request = wire.at(-1);
    assert.equal(request.path, `/v1/users/me?api_token=${token}`);
    assert.equal(request.headers['x-api-token'], undefined);
    assert.equal(request.headers.authorization, undefined);
    assert.equal(request.status, 200);
  });

  test('a pipeline with four stages', async () => {
    pipeline = (await pipelines.addPipeline({ PipelineRequest: { name: 'Enterprise' } })).data;
    assert.equal(lastStatus(), 201);
    assert.equal(pipeline.name, 'Enterprise');
    const add = async (name, deal_probability, rotten_days) =>
      (await stages.addStage({ AddStageRequest: { name, pipeline_id: pipeline.id, deal_probability, ...(rotten_days ? { rotten_flag: true, rotten_days } : {}) } })).data;
    discovery = await add('Discovery', 10);
    proposal = await add('Proposal', 40, 14);
    negotiation = await add('Negotiation', 70);
    contract = await add('Contract', 90);
    assert.deepEqual([discovery, proposal, negotiation, contract].map((s) => s.order_nr), [1, 2, 3, 4]);
    assert.equal(proposal.rotten_flag, true);
    assert.equal(proposal.rotten_days, 14);
    assert.equal(contract.pipeline_name, 'Enterprise');

    proposal = (await stages.updateStage({ id: proposal.id, UpdateStageRequest: { name: 'Proposal sent', deal_probability: 50 } })).data;
    assert.equal(proposal.name, 'Proposal sent');
    assert.equal(proposal.deal_probability, 50);
    assert.equal(proposal.rotten_days, 14); // untouched
    const listed = (await stages.getStages({ pipeline_id: pipeline.id })).data;
    assert.deepEqual(listed.map((s) => s.name), ['Discovery', 'Proposal sent', 'Negotiation', 'Contract']);

    const renamed = (await pipelines.updatePipeline({ id: pipeline.id, PipelineRequest1: { name: 'Enterprise 2027' } })).data;
    assert.equal(renamed.name, 'Enterprise 2027');
    assert.equal((await pipelines.getPipeline({ id: pipeline.id })).data.name, 'Enterprise 2027');
    assert.ok((await pipelines.getPipelines()).data.some((p) => p.id === pipeline.id));
  });

  test('an organization and two persons in it', async () => {
    org = (await orgs.addOrganization({ AddOrganizationRequest: { name: 'Umbrella Corp', address: '1 Raccoon St' } })).data;
    assert.equal(org.owner_id.id, me.id);
    wesker = (await persons.addPerson({ AddPersonRequest: { name: 'Albert Wesker', org_id: org.id, email: ['wesker@umbrella.example'], phone: ['+1 555 0101'] } })).data;
    jill = (await persons.addPerson({ AddPersonRequest: { name: 'Jill Valentine', org_id: org.id, email: [{ value: 'jill@umbrella.example', primary: true, label: 'work' }] } })).data;
    assert.equal(lastStatus(), 201);
    assert.equal(wesker.org_id.value, org.id);
    assert.equal(wesker.org_name, 'Umbrella Corp');
    assert.deepEqual(wesker.email, [{ label: 'work', value: 'wesker@umbrella.example', primary: true }]);
    assert.equal(jill.first_name, 'Jill');
    assert.equal(jill.last_name, 'Valentine');
    assert.equal((await persons.getPerson({ id: jill.id })).data.email[0].value, 'jill@umbrella.example');
    assert.equal((await orgs.getOrganization({ id: org.id })).data.address, '1 Raccoon St');
  });

  test('deals across the stages, moved stage by stage', async () => {
    const add = async (body) => (await deals.addDeal({ AddDealRequest: body })).data;
    lab = await add({ title: 'Umbrella: lab equipment', value: 50000, stage_id: discovery.id, person_id: wesker.id, org_id: org.id });
    security = await add({ title: 'Umbrella: security', value: '12000.50', currency: 'EUR', stage_id: proposal.id, person_id: jill.id, org_id: org.id });
    vaccines = await add({ title: 'Umbrella: vaccines', value: 250000, stage_id: negotiation.id, org_id: org.id, probability: 80 });
    catering = await add({ title: 'Umbrella: catering', value: 900, pipeline_id: pipeline.id }); // its first stage
    assert.equal(catering.stage_id, discovery.id);
    assert.equal(lab.pipeline_id, pipeline.id);
    assert.equal(lab.person_name, 'Albert Wesker');
    assert.equal(lab.org_name, 'Umbrella Corp');
    assert.equal(security.value, 12000.5);
    assert.equal(security.formatted_value, '€12,000.50');
    assert.equal(security.weighted_value, 6000.25); // the stage's 50 %
    assert.equal(vaccines.weighted_value, 200000); // the deal's own 80 %
    assert.equal(lab.stage_order_nr, 1);

    lab = (await deals.updateDeal({ id: lab.id, UpdateDealRequest: { stage_id: proposal.id } })).data;
    assert.equal(lab.stage_order_nr, 2);
    lab = (await deals.updateDeal({ id: lab.id, UpdateDealRequest: { stage_id: negotiation.id } })).data;
    assert.equal(lab.stage_id, negotiation.id);
    assert.equal(lab.stage_order_nr, 3);
    assert.match(lab.stage_change_time, kV1Time);
    assert.equal(lab.value, 50000); // a move changes nothing else

    const inStage = async (stage) => (await stages.getStageDeals({ id: stage.id })).data.map((d) => d.id);
    assert.deepEqual(await inStage(discovery), [catering.id]);
    assert.deepEqual(await inStage(proposal), [security.id]);
    assert.deepEqual(await inStage(negotiation), [lab.id, vaccines.id]);
    assert.deepEqual(await inStage(contract), []);
    const inPipeline = (await pipelines.getPipelineDeals({ id: pipeline.id })).data;
    assert.deepEqual(inPipeline.map((d) => d.id).sort((a, b) => a - b), [lab.id, security.id, vaccines.id, catering.id]);
  });

  test('won, and lost with a reason', async () => {
    vaccines = (await deals.updateDeal({ id: vaccines.id, UpdateDealRequest: { stage_id: contract.id, status: 'won' } })).data;
    assert.equal(vaccines.status, 'won');
    assert.equal(vaccines.stage_id, contract.id);
    assert.equal(vaccines.active, false);
    assert.match(vaccines.won_time, kV1Time);
    assert.equal(vaccines.close_time, vaccines.won_time);
    assert.equal(vaccines.lost_time, null);

    catering = (await deals.updateDeal({ id: catering.id, UpdateDealRequest: { status: 'lost', lost_reason: 'Went with a local caterer' } })).data;
    assert.equal(catering.status, 'lost');
    assert.equal(catering.lost_reason, 'Went with a local caterer');
    assert.match(catering.lost_time, kV1Time);
    assert.equal(catering.won_time, null);

    assert.deepEqual((await stages.getStageDeals({ id: contract.id })).data, []); // open deals only
    assert.deepEqual((await deals.getDeals({ status: 'won', stage_id: contract.id })).data.map((d) => d.id), [vaccines.id]);
    assert.deepEqual((await deals.getDeals({ status: 'lost', stage_id: discovery.id })).data.map((d) => d.id), [catering.id]);
    const summary = (await deals.getDealsSummary({ status: 'won', pipeline_id: pipeline.id })).data;
    assert.equal(summary.total_count, 1);
    assert.equal(summary.values_total.USD.value, 250000);
  });

  test('activities on the deals, one of them overdue', async () => {
    const add = async (body) => (await activities.addActivity({ AddActivityRequest: body })).data;
    overdue = await add({ subject: 'Send the revised quote', type: 'task', deal_id: lab.id, due_date: yesterday });
    upcoming = await add({ subject: 'Contract review', type: 'meeting', deal_id: lab.id, due_date: nextWeek, due_time: '10:00', duration: '01:00' });
    introCall = await add({ subject: 'Intro call', type: 'call', deal_id: security.id, due_date: yesterday, done: 1 });
    assert.equal(lastStatus(), 201);
    assert.equal(overdue.done, false);
    assert.equal(overdue.person_id, wesker.id); // taken from the deal
    assert.equal(overdue.org_id, org.id);
    assert.equal(overdue.user_id, me.id);
    assert.equal(upcoming.due_time, '10:00');
    assert.equal(upcoming.duration, '01:00');
    assert.equal(introCall.done, true);
    assert.match(introCall.marked_as_done_time, kV1Time);

    // Overdue: not done and due before today.
    const late = await activities.getActivities({ user_id: 0, done: 0, end_date: yesterday });
    assert.deepEqual(late.data.map((a) => a.id), [overdue.id]);
    const ahead = await activities.getActivities({ user_id: 0, done: 0, start_date: today });
    assert.deepEqual(ahead.data.map((a) => a.id), [upcoming.id]);
    const done = await activities.getActivities({ user_id: me.id, done: 1 });
    assert.deepEqual(done.data.map((a) => a.id), [introCall.id]);
    assert.equal((await deals.getDeal({ id: lab.id })).data.next_activity_date, yesterday);

    const handled = (await activities.updateActivity({ id: overdue.id, UpdateActivityRequest: { done: 1 } })).data;
    assert.equal(handled.done, true);
    assert.equal(handled.subject, 'Send the revised quote'); // untouched
    assert.equal((await deals.getDeal({ id: lab.id })).data.next_activity_date, nextWeek);
    assert.deepEqual((await activities.getActivities({ user_id: 0, done: 0, end_date: yesterday })).data, []);
    assert.equal((await activities.getActivity({ id: upcoming.id })).data.subject, 'Contract review');
  });

  test('notes on a deal, a person and the organization', async () => {
    dealNote = (await notes.addNote({ AddNoteRequest: { content: '<p>Needs sign-off from R&amp;D</p>', deal_id: lab.id, pinned_to_deal_flag: 1 } })).data;
    personNote = (await notes.addNote({ AddNoteRequest: { content: 'Prefers email', person_id: jill.id } })).data;
    orgNote = (await notes.addNote({ AddNoteRequest: { content: 'Pays net 60', org_id: org.id } })).data;
    assert.equal(lastStatus(), 201);
    assert.equal(dealNote.deal.title, 'Umbrella: lab equipment');
    assert.equal(dealNote.pinned_to_deal_flag, true);
    assert.equal(personNote.person.name, 'Jill Valentine');
    assert.equal(orgNote.organization.name, 'Umbrella Corp');
    assert.equal(orgNote.user.is_you, true);

    assert.deepEqual((await notes.getNotes({ deal_id: lab.id })).data.map((n) => n.id), [dealNote.id]);
    assert.deepEqual((await notes.getNotes({ person_id: jill.id })).data.map((n) => n.id), [personNote.id]);
    assert.ok((await notes.getNotes({ org_id: org.id })).data.some((n) => n.id === orgNote.id));
    const edited = (await notes.updateNote({ id: personNote.id, NoteRequest: { content: 'Prefers email, mornings' } })).data;
    assert.equal(edited.content, 'Prefers email, mornings');
    assert.equal(edited.person_id, jill.id); // untouched
    assert.equal((await notes.getNote({ id: personNote.id })).data.content, 'Prefers email, mornings');
  });

  test('offset pages and list filters', async () => {
    for (let i = 0; i < 5; i++) {
      paged.push((await deals.addDeal({ AddDealRequest: { title: `Umbrella: page ${i}`, stage_id: contract.id } })).data.id);
    }
    const seen = [];
    const starts = [];
    let start = 0;
    for (;;) {
      const page = await deals.getDeals({ stage_id: contract.id, status: 'open', start, limit: 2 });
      starts.push(start);
      seen.push(...page.data.map((d) => d.id));
      const p = page.additional_data.pagination;
      assert.equal(p.start, start);
      assert.equal(p.limit, 2);
      if (!p.more_items_in_collection) break;
      assert.equal(p.next_start, start + 2);
      start = p.next_start;
    }
    assert.deepEqual(starts, [0, 2, 4]);
    assert.deepEqual(seen, paged);
    const newest = await deals.getDeals({ stage_id: contract.id, status: 'open', sort: 'id DESC', limit: 1 });
    assert.equal(newest.data[0].id, paged[4]);

    const people = await persons.getPersons({ start: 0, limit: 1 });
    assert.equal(people.data.length, 1);
    assert.equal(people.additional_data.pagination.more_items_in_collection, true);
    assert.equal(people.additional_data.pagination.next_start, 1);

    const mine = await deals.getDeals({ owned_by_you: 1, stage_id: negotiation.id });
    assert.deepEqual(mine.data.map((d) => d.id), [lab.id]);
    const byUser = await deals.getDeals({ user_id: me.id, stage_id: proposal.id, status: 'all_not_deleted' });
    assert.deepEqual(byUser.data.map((d) => d.id), [security.id]);
    assert.deepEqual((await deals.getDeals({ status: 'deleted' })).data, []);

    const ofWesker = await deals.searchDeals({ term: 'Umbrella', person_id: wesker.id });
    assert.deepEqual(ofWesker.data.items.map((i) => i.item.id), [lab.id]);
    const wonOfOrg = await deals.searchDeals({ term: 'Umbrella', organization_id: org.id, status: 'won' });
    assert.deepEqual(wonOfOrg.data.items.map((i) => i.item.id), [vaccines.id]);
    const exact = await deals.searchDeals({ term: 'Umbrella: security', exact_match: true });
    assert.deepEqual(exact.data.items.map((i) => i.item.id), [security.id]);

    const saved = await rejection(deals.getDeals({ filter_id: 7 }));
    assert.equal(lastStatus(), 422);
    assert.equal(saved.field, 'filter_id');
  });

  test('updates change only the fields sent', async () => {
    const before = (await deals.getDeal({ id: security.id })).data;
    const after = (await deals.updateDeal({ id: security.id, UpdateDealRequest: { value: 15000, expected_close_date: '2027-06-30' } })).data;
    assert.equal(after.value, 15000);
    assert.equal(after.currency, 'EUR');
    assert.equal(after.expected_close_date, '2027-06-30');
    for (const field of ['title', 'stage_id', 'status', 'add_time']) assert.equal(after[field], before[field], field);
    assert.equal(after.person_id.value, jill.id);

    const phoned = (await persons.updatePerson({ id: wesker.id, UpdatePersonRequest: { phone: [{ value: '+1 555 0199', label: 'mobile' }] } })).data;
    assert.deepEqual(phoned.phone, [{ label: 'mobile', value: '+1 555 0199', primary: true }]);
    assert.equal(phoned.email[0].value, 'wesker@umbrella.example');
    assert.equal(phoned.name, 'Albert Wesker');
    const moved = (await orgs.updateOrganization({ id: org.id, UpdateOrganizationRequest: { address: '2 Arklay Rd' } })).data;
    assert.equal(moved.address, '2 Arklay Rd');
    assert.equal(moved.name, 'Umbrella Corp');
    const rescheduled = (await activities.updateActivity({ id: upcoming.id, UpdateActivityRequest: { due_time: '11:30' } })).data;
    assert.equal(rescheduled.due_time, '11:30');
    assert.equal(rescheduled.due_date, nextWeek);
    assert.equal(rescheduled.duration, '01:00');
  });

  const dealCount = async () => (await deals.getDeals({ limit: 500 })).data.length;

  test('a deal without a title is refused, naming title, and nothing is added', async () => {
    const count = await dealCount();
    const e = await rejection(deals.addDeal({ AddDealRequest: { value: 10, stage_id: discovery.id } }));
    assert.equal(lastStatus(), 422);
    assert.equal(e.success, false);
    assert.equal(e.field, 'title');
    assert.match(e.error, /title/);
    assert.equal(e.data, null);
    assert.equal(await dealCount(), count);
  });

  test('an unknown stage is refused, naming stage_id, and changes nothing', async () => {
    const count = await dealCount();
    let e = await rejection(deals.addDeal({ AddDealRequest: { title: 'Nowhere', stage_id: 999999 } }));
    assert.equal(lastStatus(), 422);
    assert.equal(e.field, 'stage_id');
    assert.equal(await dealCount(), count);

    const before = (await deals.getDeal({ id: security.id })).data;
    e = await rejection(deals.updateDeal({ id: security.id, UpdateDealRequest: { stage_id: 999999, title: 'Changed' } }));
    assert.equal(lastStatus(), 422);
    assert.equal(e.success, false);
    assert.equal(e.field, 'stage_id');
    assert.match(e.error, /stage_id/);
    const now = (await deals.getDeal({ id: security.id })).data;
    assert.equal(now.title, before.title);
    assert.equal(now.stage_id, before.stage_id);
    assert.equal(now.update_time, before.update_time);
  });

  test('a bad token is a 401 and changes nothing', async () => {
    const cfg = new v26.Configuration({ apiKey: 'pd_wrong', basePath: `${url}/v1` });
    const intruder = new v26.DealsApi(cfg);
    const count = await dealCount();
    for (const attempt of [
      () => intruder.getDeals({}),
      () => intruder.addDeal({ AddDealRequest: { title: 'Intruder' } }),
      () => intruder.updateDeal({ id: security.id, UpdateDealRequest: { title: 'Hijacked' } }),
      () => intruder.deleteDeal({ id: security.id }),
    ]) {
      const e = await rejection(attempt());
      assert.equal(lastStatus(), 401);
      assert.equal(wire.at(-1).path.includes('api_token=pd_wrong'), true);
      assert.equal(e.success, false);
      assert.equal(e.errorCode, 401);
      assert.match(e.error, /unauthorized/);
    }
    assert.equal(await dealCount(), count);
    assert.equal((await deals.getDeal({ id: security.id })).data.title, 'Umbrella: security');
  });

  test('deletes: a stage or pipeline with deals is refused; then everything goes, and answers 404', async () => {
    let e = await rejection(stages.deleteStage({ id: negotiation.id }));
    assert.equal(lastStatus(), 409);
    assert.equal(e.success, false);
    e = await rejection(pipelines.deletePipeline({ id: pipeline.id }));
    assert.equal(lastStatus(), 409);
    assert.equal((await stages.getStage({ id: negotiation.id })).data.name, 'Negotiation');

    for (const n of [dealNote, personNote, orgNote]) assert.deepEqual((await notes.deleteNote({ id: n.id })).success, true);
    for (const a of [overdue, upcoming, introCall]) assert.deepEqual((await activities.deleteActivity({ id: a.id })).data, { id: a.id });
    for (const d of [lab, security, vaccines, catering, ...paged.map((id) => ({ id }))]) {
      assert.deepEqual(await deals.deleteDeal({ id: d.id }), { success: true, data: { id: d.id }, additional_data: null });
    }
    for (const p of [wesker, jill]) assert.equal((await persons.deletePerson({ id: p.id })).data.id, p.id);
    assert.equal((await orgs.deleteOrganization({ id: org.id })).data.id, org.id);
    for (const s of [discovery, proposal, negotiation, contract]) assert.equal((await stages.deleteStage({ id: s.id })).data.id, s.id);
    assert.equal((await pipelines.deletePipeline({ id: pipeline.id })).data.id, pipeline.id);

    for (const gone of [
      () => deals.getDeal({ id: lab.id }),
      () => persons.getPerson({ id: wesker.id }),
      () => orgs.getOrganization({ id: org.id }),
      () => activities.getActivity({ id: overdue.id }),
      () => notes.getNote({ id: dealNote.id }),
      () => stages.getStage({ id: contract.id }),
      () => pipelines.getPipeline({ id: pipeline.id }),
    ]) {
      const e = await rejection(gone());
      assert.equal(lastStatus(), 404, wire.at(-1).path);
      assert.equal(e.success, false);
    }
  });

  test('every request the 26.x client sent carried its token as ?api_token= and no token header', () => {
    assert.ok(wire.length > 50, `${wire.length} requests`);
    assert.deepEqual([...new Set(wire.map((r) => r.method))].sort(), ['DELETE', 'GET', 'POST', 'PUT']);
    for (const r of wire) {
      const query = new URLSearchParams(r.path.slice(r.path.indexOf('?') + 1));
      assert.ok([token, 'pd_wrong'].includes(query.get('api_token')), r.path);
      assert.equal(r.headers['x-api-token'], undefined, r.path);
      assert.equal(r.headers.authorization, undefined, r.path);
      if (r.method === 'POST' || r.method === 'PUT') assert.equal(r.headers['content-type'], 'application/json', r.path);
    }
    assert.ok(wire.every((r) => r.status !== undefined));
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
  test('v1 (26.x client): an organization, its person, a deal, an activity done, a note', async () => {
    const cfg = config(v26, `${url}/v1`);
    const orgs = new v26.OrganizationsApi(cfg);
    const persons = new v26.PersonsApi(cfg);
    const activities = new v26.ActivitiesApi(cfg);
    const deals = new v26.DealsApi(cfg);
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
    const stagesApi = new v26.StagesApi(config(v26, `${url}/api/v1`));
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
    // Created lost without a reason: refused as a whole, no open deal left behind.
    r = await http('POST', '/api/v1/deals', { body: { title: 'Half made', status: 'lost' } });
    assert.equal(r.status, 422);
    assert.equal(r.body.field, 'lost_reason');
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

describe('visibility: a rep reaches only what they may see, through either client', () => {
  test("a rep's token lists and reads their own deals; another rep's deal is 404 and absent from lists", async () => {
    // Two reps and a deal each, made through the native API with the admin's token.
    const addRep = async (name, email) => {
      const user = await http('POST', '/api/users', { body: { name, email, role: 'rep' } });
      assert.equal(user.status, 201);
      const issued = await http('POST', `/api/users/${user.body.id}/tokens`, { body: { name: 'pipedrive script' } });
      assert.equal(issued.status, 201);
      return { id: user.body.id, token: issued.body.token };
    };
    const rita = await addRep('Rita Rep', 'rita.visibility@example.com');
    const ravi = await addRep('Ravi Rep', 'ravi.visibility@example.com');
    const own = await http('POST', '/api/deals', { body: { title: 'Rita visibility deal', owner_id: rita.id } });
    const other = await http('POST', '/api/deals', { body: { title: 'Ravi visibility deal', owner_id: ravi.id } });
    assert.equal(own.status, 201);
    assert.equal(other.status, 201);

    const asRita = (version, basePath) => new version.Configuration({ apiKey: rita.token, basePath });
    const v1Deals = new v26.DealsApi(asRita(v26, `${url}/v1`));
    const v2Deals = new v2.DealsApi(asRita(v2, `${url}/api/v2`));

    assert.equal((await v1Deals.getDeal({ id: own.body.id })).data.title, 'Rita visibility deal');
    const hidden = await rejection(v1Deals.getDeal({ id: other.body.id }));
    assert.equal(hidden.success, false);
    const hiddenV2 = await rejection(v2Deals.getDeal({ id: other.body.id }));
    assert.equal(hiddenV2.success, false);
    const updateOther = await rejection(v2Deals.updateDeal({ id: other.body.id, UpdateDealRequest: { title: 'Taken over' } }));
    assert.equal(updateOther.success, false);

    const listed = (await v1Deals.getDeals({ limit: 500 })).data.map((d) => d.id);
    assert.ok(listed.includes(own.body.id));
    assert.ok(!listed.includes(other.body.id));
    const listedV2 = (await v2Deals.getDeals({ limit: 500 })).data.map((d) => d.id);
    assert.deepEqual(listedV2, [own.body.id]);

    // Nothing changed on Ravi's deal.
    const after = await http('GET', `/api/deals/${other.body.id}`);
    assert.equal(after.body.title, 'Ravi visibility deal');
    assert.equal(after.body.version, 1);
  });
});
