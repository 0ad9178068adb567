#!/usr/bin/env node
// Browser tests of the web UI against the real server.
//
//   node tests/web/run.mjs --binary build/pipedeck [--artifacts DIR] [--only NAME] [--keep]
//                          [--web-dir web/dist]
// --web-dir makes the server read the UI from that directory (`pipedeck serve --web-dir`) instead
// of the copy built into the binary: for working on the UI without rebuilding the server.
//
// Each test gets its own workspace: a temp dir, `pipedeck init --demo`, `pipedeck serve --port 0`.
// When that server serves the UI itself (GET / is HTML that loads /assets/app.js) the browser
// talks to it directly; otherwise a small static server here serves web/dist and passes /api/* on
// to it. Chromium is Debian's (/usr/bin/chromium) driven by playwright-core from web/node_modules.
// Every wait is bounded. Prints one line per test and "N passed, N failed"; exits 1 on a failure.

import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const webDir = join(repo, 'web');
const distDir = join(webDir, 'dist');

const kServerStartMillis = 15_000;
const kTestMillis = 90_000;
const kActionMillis = 10_000;
const kAdminEmail = 'admin@example.com';

function parseArgs(argv) {
  const args = {
    binary: null,
    artifacts: '/tmp/pipedeck-web-artifacts',
    only: null,
    keep: false,
    webDir: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--binary') args.binary = resolve(value());
    else if (a === '--artifacts') args.artifacts = resolve(value());
    else if (a === '--only') args.only = value();
    else if (a === '--keep') args.keep = true;
    else if (a === '--web-dir') args.webDir = resolve(value());
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: node tests/web/run.mjs --binary PATH [--artifacts DIR] [--only NAME] [--keep] [--web-dir DIR]',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!args.binary) throw new Error('--binary PATH (the pipedeck executable) is required');
  return args;
}

/** Runs `cmd` to completion; rejects with its output on a non-zero exit or after `millis`. */
function run(cmd, argv, millis = 60_000) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${argv.join(' ')} took longer than ${millis} ms`));
    }, millis);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(out);
      else reject(new Error(`${cmd} ${argv.join(' ')} exited ${code}:\n${out}`));
    });
  });
}

/** Starts `pipedeck serve` and resolves once it prints its address. */
function startServer(binary, db, webDir) {
  const extra = webDir ? ['--web-dir', webDir] : [];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, ['serve', '--db', db, '--port', '0', '--bind', '127.0.0.1', '--quiet', ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pipedeck serve did not report its address within ${kServerStartMillis} ms:\n${out}`));
    }, kServerStartMillis);
    const onData = (d) => {
      out += d;
      const m = /Listening on (http:\/\/[0-9.]+:[0-9]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, url: m[1], output: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pipedeck serve exited ${code} before listening:\n${out}`));
    });
  });
}

async function stopProcess(child, millis = 5_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), millis);
  await exited;
  clearTimeout(timer);
}

const kContentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

/**
 * The UI's files from web/dist, and /api/* passed to `apiUrl`: the same contract as the server's
 * own UI route (index.html for any other path, 404 for a missing asset). The Host header goes on
 * as the browser sent it, as a reverse proxy in front of pipedeck passes it: the server refuses a
 * change signed in by cookie whose Origin is not the host it was sent to.
 */
function startStaticProxy(apiUrl) {
  const api = new URL(apiUrl);
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/api' || path.startsWith('/api/')) {
      const upstream = httpRequest(
        { host: api.hostname, port: api.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('upstream unreachable');
      });
      req.pipe(upstream);
      return;
    }
    let file = join(distDir, 'index.html');
    if (path.startsWith('/assets/')) {
      file = normalize(join(distDir, path));
      if (!file.startsWith(join(distDir, 'assets') + sep)) {
        res.writeHead(404).end();
        return;
      }
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': kContentTypes[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolvePromise({ server, url: `http://127.0.0.1:${port}` });
    });
  });
}

/** True when the pipedeck server at `url` serves the UI at "/". */
async function servesUi(url) {
  try {
    const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(3_000) });
    const text = await res.text();
    return res.ok && /text\/html/.test(res.headers.get('content-type') ?? '') && text.includes('/assets/app.js');
  } catch {
    return false;
  }
}

/** A JSON client for the test's own checks, with the admin's token. */
function apiClient(baseUrl, token) {
  const call = async (method, path, body) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(kActionMillis),
    });
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return json;
  };
  return { get: (p) => call('GET', p), post: (p, b) => call('POST', p, b ?? {}), patch: (p, b) => call('PATCH', p, b) };
}

function withTimeout(promise, millis, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${millis} ms`)), millis);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function runTest(test, args, browser, stats) {
  const dir = await mkdtemp(join(tmpdir(), 'pipedeck-web-'));
  const db = join(dir, 'pd.db');
  let server = null;
  let proxy = null;
  let context = null;
  let page = null;
  const started = Date.now();
  const pageErrors = [];
  try {
    const init = await run(args.binary, ['init', '--db', db, '--demo', '--admin-name', 'Ada Admin', '--admin-email', kAdminEmail]);
    const token = /API token: (\S+)/.exec(init)?.[1];
    if (!token) throw new Error(`no API token in the output of pipedeck init:\n${init}`);
    const password = /^Password: (\S+)/m.exec(init)?.[1];
    if (!password) throw new Error(`no password in the output of pipedeck init:\n${init}`);
    server = await startServer(args.binary, db, args.webDir);
    let baseUrl = server.url;
    let mode = 'server';
    if (!(await servesUi(server.url))) {
      proxy = await startStaticProxy(server.url);
      baseUrl = proxy.url;
      mode = 'proxy';
    }
    stats.modes.add(mode);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(kActionMillis);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    // The server sends a Content-Security-Policy with the UI; a violation is a bug in the UI.
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
    });
    // The admin signs in to the UI with `email` and `password`; `api` (the test's own checks and
    // setup) uses their API token.
    const t = {
      page,
      context,
      browser,
      baseUrl,
      email: kAdminEmail,
      password,
      token,
      api: apiClient(server.url, token),
      artifacts: args.artifacts,
    };
    await withTimeout(test.run(t), kTestMillis, test.name);
    if (pageErrors.length) throw new Error(`uncaught errors in the page:\n${pageErrors.join('\n')}`);
    stats.passed++;
    console.log(`ok   ${test.name} (${Date.now() - started} ms, ${mode})`);
  } catch (e) {
    stats.failed++;
    console.log(`FAIL ${test.name} (${Date.now() - started} ms)`);
    console.log(String(e?.stack ?? e).replace(/^/gm, '     '));
    if (pageErrors.length) console.log(`     page errors: ${pageErrors.join(' | ')}`);
    if (page) {
      const shot = join(args.artifacts, `FAILED-${test.name}.png`);
      await page.screenshot({ path: shot, fullPage: true }).then(
        () => console.log(`     screenshot: ${shot}`),
        () => undefined,
      );
    }
  } finally {
    await context?.close().catch(() => undefined);
    if (proxy) await new Promise((r) => proxy.server.close(r));
    if (server) await stopProcess(server.child);
    if (!args.keep) await rm(dir, { recursive: true, force: true });
    else console.log(`     kept ${dir}`);
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  await stat(args.binary).catch(() => {
    throw new Error(`no pipedeck binary at ${args.binary}`);
  });
  await mkdir(args.artifacts, { recursive: true });
  for (const name of await readdir(args.artifacts)) {
    if (name.startsWith('FAILED-')) await rm(join(args.artifacts, name), { force: true });
  }
  const requireFromWeb = createRequire(join(webDir, 'package.json'));
  let chromium;
  try {
    ({ chromium } = requireFromWeb('playwright-core'));
  } catch {
    throw new Error('playwright-core is not installed: run `npm ci` in web/');
  }
  // Every `*_tests.mjs` module beside this runner exports `tests`; they run in file-name order.
  const tests = [];
  for (const file of (await readdir(here)).filter((f) => f.endsWith('_tests.mjs')).sort()) {
    tests.push(...(await import(join(here, file))).tests);
  }
  const selected = tests.filter((t) => !args.only || t.name.includes(args.only));
  if (selected.length === 0) throw new Error(`no test matches ${args.only}`);

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // The machine has no network beyond loopback: Chromium's background connections stay off.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-quic',
      '--disable-sync',
      '--no-first-run',
    ],
    timeout: 30_000,
  });
  const stats = { passed: 0, failed: 0, modes: new Set() };
  let distChecked = false;
  try {
    for (const test of selected) {
      if (!distChecked) {
        // The proxy needs a built UI; the server's embedded one does not.
        distChecked = true;
        await stat(join(distDir, 'index.html')).catch(() =>
          console.log('note: web/dist is not built; tests need the server to serve the UI (npm run build in web/ otherwise)'),
        );
      }
      await runTest(test, args, browser, stats);
    }
  } finally {
    await browser.close().catch(() => undefined);
  }
  console.log(`artifacts: ${args.artifacts}`);
  console.log(`${stats.passed} passed, ${stats.failed} failed`);
  process.exitCode = stats.failed > 0 ? 1 : 0;
}

main().catch((e) => {
  console.error(`error: ${e?.message ?? e}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
