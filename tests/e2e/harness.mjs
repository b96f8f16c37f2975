// End-to-end harness for trailscope: a static file server for the built page, a headless Debian Chromium
// driven by playwright-core, and helpers that touch the page only through the data-testid names of
// /work/shared/UI-CONTRACT.md.
//
// Environment:
//   TRAILSCOPE_DIST    absolute path of the built page (index.html, boot.js, *.js, *.wasm, styles). Required.
//   TRAILSCOPE_CORPUS  folder of real sample files; defaults to ../shared/corpus/real relative to the repo root.
//   TRAILSCOPE_CHROMIUM  browser binary; defaults to /usr/bin/chromium.
//   TRAILSCOPE_GENERATED folder of generated deliveries with their truth.json (generatedSet()); required by the
//                        tests that use it.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, statSync, createReadStream, mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { before, after } from 'node:test';

export const WAIT_MS = 30_000;
export const TEST_TIMEOUT_MS = 180_000;

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..', '..');

// ---------------------------------------------------------------------------------------------
// Inputs: the built page and the real corpus

export function distDir() {
  const dir = process.env.TRAILSCOPE_DIST;
  if (!dir) {
    throw new Error('TRAILSCOPE_DIST is not set: set it to the absolute path of the built page ' +
      '(the folder holding index.html, boot.js, the *.js glue and the *.wasm), e.g. ' +
      'TRAILSCOPE_DIST=$PWD/dist node --test --test-concurrency=1 tests/e2e/');
  }
  const abs = path.resolve(dir);
  if (!existsSync(path.join(abs, 'index.html'))) {
    throw new Error(`TRAILSCOPE_DIST=${dir}: no index.html there; build the page first (trunk build --release --offline)`);
  }
  return abs;
}

export function corpusDir() {
  const dir = process.env.TRAILSCOPE_CORPUS
    ? path.resolve(process.env.TRAILSCOPE_CORPUS)
    : path.resolve(REPO_ROOT, '..', 'shared', 'corpus', 'real');
  const probe = path.join(dir, CORPUS.transcribe);
  if (!existsSync(probe)) {
    throw new Error(`real sample corpus not found: ${probe} does not exist. ` +
      'Set TRAILSCOPE_CORPUS to the folder holding the real CloudTrail samples (see its SOURCES.md).');
  }
  return dir;
}

export const CORPUS = {
  transcribe: 'amazon-transcribe-developer-guide__monitoring-transcribe-cloud-trail.example.json',
  trailscraperGz: 'trailscraper__111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz',
  digest: 'integrations__test-cloudtrail-digest-json.log',
  badJson: 'cloudgrep__bad_cloudtrail.json',
};

export function corpusFile(name) {
  return path.join(corpusDir(), name);
}

// ---------------------------------------------------------------------------------------------
// Static file server (node:http only)

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.gz': 'application/gzip',
};

export async function startServer(root) {
  const hits = [];
  const server = createServer((req, res) => {
    hits.push({ method: req.method, url: req.url });
    const send404 = () => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end('not found\n');
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' });
      res.end('method not allowed\n');
      return;
    }
    let rel;
    try {
      rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      send404();
      return;
    }
    let file = path.resolve(root, '.' + rel);
    if (file !== root && !file.startsWith(root + path.sep)) {
      send404();
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = path.join(file, 'index.html');
      if (!statSync(file).isFile()) throw new Error('not a file');
    } catch {
      send404();
      return;
    }
    const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, {
      'content-type': type,
      'content-length': statSync(file).size,
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: origin + '/',
    hits,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

// A second server on another port: another origin. It records whatever reaches it; the page must never reach it.
export async function startCanary() {
  const hits = [];
  const server = createServer((req, res) => {
    hits.push({ method: req.method, url: req.url });
    res.writeHead(200, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' });
    res.end('canary\n');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    hits,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Browser

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
];

export async function launchBrowser() {
  const executablePath = process.env.TRAILSCOPE_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`${executablePath} not found: install Debian's chromium (apt-get install -y chromium). ` +
      'Never run `npx playwright install`.');
  }
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

// Starts the server over TRAILSCOPE_DIST and the browser. `root` is only for validating the harness itself.
// A harness for the tests of one file: started before them, closed after them. Use its openPage() and
// origin as the harness's own.
export function useHarness() {
  let harness;
  before(async () => {
    harness = await startHarness();
  });
  after(async () => {
    await harness?.close();
  });
  return new Proxy({}, { get: (_, key) => harness?.[key] });
}

// Counts, from outside the page, the answers its workers send for files and samples they parsed, and the
// milliseconds they say they spent: `workerAnswers(page)` reads them. Call before the page is opened.
export async function countWorkerAnswers(page) {
  await page.addInitScript(() => {
    const Base = window.Worker;
    window.__workerAnswers = { n: 0, ms: 0 };
    window.Worker = class extends Base {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', (e) => {
          if (e.data?.kind === 'done') {
            window.__workerAnswers.n++;
            window.__workerAnswers.ms += e.data.ms || 0;
          }
        });
      }
    };
  });
}

export async function workerAnswers(page) {
  return page.evaluate(() => window.__workerAnswers ?? { n: 0, ms: 0 });
}

export async function startHarness({ root } = {}) {
  const server = await startServer(root ?? distDir());
  let browser;
  try {
    browser = await launchBrowser();
  } catch (e) {
    await server.close();
    throw e;
  }
  const contexts = [];
  const h = {
    server,
    browser,
    origin: server.origin,
    // Opens a fresh page (own context: no shared storage) at the server root and waits for the app to mount.
    // contextOptions go to browser.newContext; beforeLoad(context, page) runs before the page is opened
    // (to route its requests, or emulate fewer cores).
    async openPage({ contextOptions = {}, beforeLoad = null } = {}) {
      const context = await browser.newContext(contextOptions);
      contexts.push(context);
      const page = await context.newPage();
      if (beforeLoad) await beforeLoad(context, page);
      page.setDefaultTimeout(WAIT_MS);
      page.setDefaultNavigationTimeout(WAIT_MS);
      const s = { page, context, origin: server.origin, requests: [], console: [], consoleErrors: [], pageErrors: [], dialogs: [] };
      page.on('request', (r) => s.requests.push({ method: r.method(), url: r.url(), type: r.resourceType() }));
      page.on('console', (m) => {
        const entry = { type: m.type(), text: m.text() };
        s.console.push(entry);
        if (entry.type === 'error') s.consoleErrors.push(entry.text);
      });
      page.on('pageerror', (e) => s.pageErrors.push(String(e?.stack || e)));
      page.on('dialog', (d) => {
        s.dialogs.push({ type: d.type(), message: d.message() });
        d.dismiss().catch(() => {});
      });
      page.on('worker', (w) => {
        // Requests of dedicated workers already arrive through page.on('request'); keep their errors too.
        w.on('console', (m) => {
          const entry = { type: m.type(), text: `[worker] ${m.text()}` };
          s.console.push(entry);
          if (entry.type === 'error') s.consoleErrors.push(entry.text);
        });
      });
      await countWorkerAnswers(page);
      await page.goto(server.url, { waitUntil: 'load' });
      try {
        await page.locator('[data-testid=status][data-state=idle]').waitFor({ state: 'visible', timeout: WAIT_MS });
      } catch (e) {
        const st = await page.locator('[data-testid=status]').first().evaluate((el) => el.outerHTML).catch(() => '(no [data-testid=status] element)');
        throw new Error(`the app did not mount (status visible with data-state="idle") within ${WAIT_MS} ms; ` +
          `status: ${st}; page errors: ${JSON.stringify(s.pageErrors)}; console errors: ${JSON.stringify(s.consoleErrors)}`);
      }
      return s;
    },
    // openPage(), with the built-in sample then loaded and read.
    async openWithSample(options) {
      const s = await h.openPage(options);
      await loadSample(s.page);
      await waitReady(s.page);
      return s;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      await server.close();
    },
  };
  return h;
}

// ---------------------------------------------------------------------------------------------
// Actions. Each one first marks the page so that waitReady() waits for *this* action's outcome and not
// for a "ready" left over from a previous load.

async function mark(page, newFiles) {
  await page.evaluate((newFiles) => {
    const outcomes = () => {
      const ok = Number(document.querySelector('[data-testid=status]')?.getAttribute('data-files-ok') ?? 0) || 0;
      return ok + document.querySelectorAll('[data-testid=file-error]').length;
    };
    const snap = () => {
      const el = document.querySelector('[data-testid=status]');
      const a = {};
      if (el) for (const at of el.attributes) if (at.name.startsWith('data-')) a[at.name] = at.value;
      a.fileErrors = document.querySelectorAll('[data-testid=file-error]').length;
      return JSON.stringify(a);
    };
    const prev = window.__tsMark;
    prev?.observer?.disconnect();
    // A file given again after its loading was cancelled takes the place of its "not read" line: at
    // least this many outcomes, once every given file has one.
    const cancelled = [...document.querySelectorAll('[data-testid=file-error][data-kind=skipped]')]
      .filter((x) => /cancel/i.test(x.textContent)).length;
    const m = {
      snapshot: snap(),
      snap,
      outcomes,
      expectOutcomes: newFiles == null ? null : outcomes() + newFiles - cancelled,
      sawBusy: false,
    };
    m.observer = new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'attributes' && r.attributeName === 'data-state') {
          if (r.oldValue && r.oldValue !== 'ready') m.sawBusy = true;
          if (r.target.getAttribute('data-state') !== 'ready') m.sawBusy = true;
        }
      }
    });
    m.observer.observe(document.documentElement, { subtree: true, attributes: true, attributeFilter: ['data-state'], attributeOldValue: true });
    // Diagnostics only: did the file input fire input/change for this action?
    m.inputEvents = [];
    for (const inp of document.querySelectorAll('[data-testid=file-input]')) {
      for (const t of ['input', 'change']) inp.addEventListener(t, () => m.inputEvents.push(`${t} (${inp.files?.length ?? 0} files)`), { once: true });
    }
    window.__tsMark = m;
  }, newFiles ?? null);
}

export async function pickFiles(page, paths) {
  await mark(page, paths.length);
  await page.locator('[data-testid=file-input]').setInputFiles(paths);
}

// files: [{ name, bytes }] where bytes is a Buffer / Uint8Array / string.
export async function dropFiles(page, files) {
  await mark(page, files.length);
  const payload = files.map((f) => ({
    name: f.name,
    b64: Buffer.from(typeof f.bytes === 'string' ? Buffer.from(f.bytes, 'utf8') : f.bytes).toString('base64'),
  }));
  const dt = await page.evaluateHandle((payload) => {
    const dt = new DataTransfer();
    for (const { name, b64 } of payload) {
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], name, { lastModified: Date.now() }));
    }
    return dt;
  }, payload);
  const zone = page.locator('[data-testid=drop-zone]').first();
  await zone.dispatchEvent('dragenter', { dataTransfer: dt });
  await zone.dispatchEvent('dragover', { dataTransfer: dt });
  await zone.dispatchEvent('drop', { dataTransfer: dt });
  await dt.dispose();
}

// Drops files and folders from disk as the operating system does (Chromium's own drag, through the DevTools
// protocol): the page gets real entries, so a dropped folder is walked as a person's would be. nFiles: how
// many files the drop holds, folders walked.
export async function dropPaths(page, paths, nFiles) {
  await mark(page, nFiles);
  await dragFromDisk(page, paths);
}

// The drag of dropPaths alone, without marking the page for waitReady (the browser benchmark times it).
export async function dragFromDisk(page, paths) {
  const box = await page.locator('[data-testid=drop-zone]').first().boundingBox();
  const cdp = await page.context().newCDPSession(page);
  try {
    const data = { items: [], files: paths, dragOperationsMask: 1 };
    const at = { x: box.x + Math.min(box.width / 2, 200), y: box.y + Math.min(box.height / 2, 200) };
    for (const type of ['dragEnter', 'dragOver', 'drop']) {
      await cdp.send('Input.dispatchDragEvent', { type, ...at, data });
    }
  } finally {
    await cdp.detach().catch(() => {});
  }
}

export async function loadSample(page) {
  await mark(page, null);
  await page.locator('[data-testid=load-sample]').click();
}

// Clicks cancel in the very frame it appears, so that it lands early in the load.
export async function cancelAtOnce(page) {
  await page.waitForFunction(() => {
    const cancel = document.querySelector('[data-testid=cancel]');
    cancel?.click();
    return cancel != null;
  }, null, { polling: 'raf' });
}

export async function setShowAllEvents(page, on) {
  await mark(page, null);
  const box = page.locator('[data-testid=show-all-events]');
  if (on) await box.check();
  else await box.uncheck();
}

// Waits until the status says ready for the latest marked action: the state is "ready", the status or the
// file-error lines changed since the action (or a non-ready state was seen), and, for file loads, every
// file given has its outcome (files-ok + file-error lines).
export async function waitReady(page, { timeout = WAIT_MS } = {}) {
  try {
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid=status]');
      if (!el || el.getAttribute('data-state') !== 'ready') return false;
      const m = window.__tsMark;
      if (!m) return true;
      if (m.expectOutcomes != null && m.outcomes() < m.expectOutcomes) return false;
      return m.sawBusy || m.snap() !== m.snapshot;
    }, null, { timeout, polling: 50 });
  } catch (e) {
    const info = await page.evaluate(() => {
      const el = document.querySelector('[data-testid=status]');
      const m = window.__tsMark;
      return {
        status: el ? el.outerHTML.slice(0, 600) : '(no status element)',
        statusText: el?.textContent?.trim().slice(0, 300),
        expectOutcomes: m?.expectOutcomes,
        outcomes: m?.outcomes(),
        sawBusy: m?.sawBusy,
        changed: m ? m.snap() !== m.snapshot : undefined,
        fileInputEvents: m?.inputEvents,
        fileErrors: [...document.querySelectorAll('[data-testid=file-error]')].map((x) => `${x.getAttribute('data-file')} [${x.getAttribute('data-kind')}] ${x.textContent.trim()}`),
      };
    }).catch((err) => ({ evaluateFailed: String(err) }));
    throw new Error(`page did not become ready for the last action within ${timeout} ms: ${JSON.stringify(info, null, 1)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading what the user sees

export async function status(page) {
  return page.locator('[data-testid=status]').evaluate((el) => {
    const out = {};
    for (const [k, v] of Object.entries(el.dataset)) {
      out[k] = v !== '' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    }
    out.text = el.textContent.trim();
    return out;
  });
}

export async function fileErrors(page) {
  return page.locator('[data-testid=file-error]').evaluateAll((els) => els.map((el) => ({
    file: el.getAttribute('data-file'),
    kind: el.getAttribute('data-kind'),
    text: el.textContent.trim(),
  })));
}

export async function eventRows(page) {
  return page.locator('[data-testid=event-row]').evaluateAll((els) => els.map((el) => ({
    id: el.getAttribute('data-event-id'),
    name: el.getAttribute('data-event-name'),
    text: el.textContent,
  })));
}

export async function openJobs(page) {
  await page.locator('[data-testid=jobs-tab]').click();
}

export async function jobs(page) {
  return page.locator('[data-testid=job]').evaluateAll((els) => els.map((el) => ({
    name: el.getAttribute('data-job-name'),
    kind: el.getAttribute('data-job-kind'),
    status: el.getAttribute('data-status'),
    events: el.getAttribute('data-events'),
    text: el.textContent,
  })));
}

// ---------------------------------------------------------------------------------------------
// Checks

// Fails if any request other than a GET of a URL on the page's own origin happened (data: and blob: are fine).
export function assertNoEgress(requests, origin) {
  const bad = requests.filter((r) => {
    let u;
    try {
      u = new URL(r.url);
    } catch {
      return true;
    }
    if (u.protocol === 'data:' || u.protocol === 'blob:') return false;
    return r.method !== 'GET' || u.origin !== origin;
  });
  assert.deepEqual(bad, [], `requests other than GET to ${origin} happened: ${JSON.stringify(bad, null, 1)}`);
}

// The end of every test: nothing left the tab, no uncaught exception, no dialog.
export function assertCleanSession(s) {
  assertNoEgress(s.requests, s.origin);
  assert.deepEqual(s.pageErrors, [], `uncaught errors in the page: ${s.pageErrors.join('\n')}`);
  assert.deepEqual(s.dialogs, [], `a dialog opened: ${JSON.stringify(s.dialogs)}`);
}

// ---------------------------------------------------------------------------------------------
// Bad inputs, created at test time

function crc32(buf) {
  let c = ~0 >>> 0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (~c) >>> 0;
}

function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

// A valid 1x1 RGBA PNG.
export function tinyPng() {
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0); // width
  ihdr.writeUInt32BE(1, 4); // height
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  const raw = Buffer.from([0, 0xff, 0x99, 0x00, 0xff]); // filter 0 + one orange pixel
  return Buffer.concat([sig, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

// Writes the bad inputs into a fresh temp folder; returns { dir, files: { name: absPath }, cleanup }.
export function makeBadInputs() {
  const dir = mkdtempSync(path.join(tmpdir(), 'trailscope-e2e-'));
  const gz = readFileSync(corpusFile(CORPUS.trailscraperGz));
  const contents = {
    'truncated.json.gz': gz.subarray(0, Math.floor(gz.length / 2)),
    'image.json': tinyPng(),
    'empty.json': Buffer.alloc(0),
    'not-records.json': Buffer.from('{"Records": {}}', 'utf8'),
    'invalid.json': Buffer.from('{"Records": [ {"eventVersion": "1.08", ', 'utf8'),
    'deep.json': Buffer.from('['.repeat(100000) + ']'.repeat(100000), 'utf8'),
  };
  const files = {};
  for (const [name, bytes] of Object.entries(contents)) {
    files[name] = path.join(dir, name);
    writeFileSync(files[name], bytes);
  }
  return { dir, files, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function fileBytes(p) {
  return readFileSync(p);
}

// Polls until document.querySelectorAll(selector).length === n; fails with the count actually shown.
export async function expectCount(page, selector, n, { timeout = WAIT_MS } = {}) {
  try {
    await page.waitForFunction(([sel, n]) => document.querySelectorAll(sel).length === n, [selector, n], { timeout, polling: 50 });
  } catch {
    const got = await page.evaluate((sel) => document.querySelectorAll(sel).length, selector).catch(() => '?');
    assert.fail(`expected ${n} × ${selector} on the page, found ${got} after ${timeout} ms`);
  }
}

// Polls until some element matching selector exists; fails with a clear message.
export async function expectSome(page, selector, { timeout = WAIT_MS } = {}) {
  try {
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length > 0, selector, { timeout, polling: 50 });
  } catch {
    assert.fail(`expected at least one ${selector} on the page, found none after ${timeout} ms`);
  }
}

// Polls until the text of the first element matching selector contains every string; fails with the text shown.
export async function expectTextContains(page, selector, strings, { timeout = WAIT_MS } = {}) {
  try {
    await page.waitForFunction(([sel, strs]) => {
      const el = document.querySelector(sel);
      return !!el && strs.every((s) => el.textContent.includes(s));
    }, [selector, strings], { timeout, polling: 50 });
  } catch {
    const got = await page.evaluate((sel) => document.querySelector(sel)?.textContent ?? '(no such element)', selector).catch(() => '?');
    assert.fail(`${selector} should contain ${JSON.stringify(strings)}; it shows: ${JSON.stringify(got.slice(0, 2000))}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Generated delivery sets (the generator's own truth gives exact counts)

// The set named by TRAILSCOPE_GENERATED: { dir, truth, files: [absolute paths, in truth.files order], bytes }.
// A missing variable, folder, truth.json or listed file fails clearly: these tests never skip.
export function generatedSet(dir = process.env.TRAILSCOPE_GENERATED) {
  if (!dir) {
    throw new Error('TRAILSCOPE_GENERATED is not set: set it to a folder of generated deliveries with their truth.json, ' +
      'made by `cargo run -q -p trailscope-core --example generate -- target/e2e-generated 20000 100` ' +
      '(cargo xtask test sets it).');
  }
  return readGeneratedSet(path.resolve(dir));
}

export function readGeneratedSet(dir) {
  const truthPath = path.join(dir, 'truth.json');
  if (!existsSync(truthPath)) {
    throw new Error(`generated set ${dir}: ${truthPath} does not exist; generate it with ` +
      `\`cargo run -q -p trailscope-core --example generate -- ${dir} EVENTS FILES\``);
  }
  const truth = JSON.parse(readFileSync(truthPath, 'utf8'));
  for (const key of ['files', 'n_records', 'n_transcribe', 'n_duplicates_transcribe', 'n_distinct_all', 'n_duplicates_all', 'n_jobs']) {
    if (!(key in truth)) throw new Error(`${truthPath}: no "${key}"`);
  }
  const files = truth.files.map((name) => path.join(dir, name));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) throw new Error(`generated set ${dir}: ${missing.length} files listed in truth.json are missing, e.g. ${missing[0]}`);
  const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
  return { dir, truth, files, bytes };
}

// Runs the generator into a fresh folder `dir` (removed first): `cargo run -q --<profile> -p trailscope-core
// --example generate -- dir events files`. Returns readGeneratedSet(dir) and the seconds it took.
export function generateSet(dir, events, files, { profile = 'release' } = {}) {
  rmSync(dir, { recursive: true, force: true });
  const profileArgs = profile === 'release' ? ['--release'] : ['--profile', profile];
  const started = Date.now();
  const r = spawnSync('cargo', ['run', '-q', ...profileArgs, '-p', 'trailscope-core', '--example', 'generate', '--', dir, String(events), String(files)],
    { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error || r.status !== 0) {
    throw new Error(`generating ${events} events in ${files} files into ${dir} failed (${r.error ?? `exit ${r.status}`}): ${r.stderr}`);
  }
  return { ...readGeneratedSet(dir), seconds: (Date.now() - started) / 1000 };
}

// Like pickFiles, through the folder picker (`folder-input`, webkitdirectory). `nFiles` is how many files the
// folder holds (every one of them gets an outcome).
export async function pickFolder(page, dir, nFiles) {
  await mark(page, nFiles);
  await page.locator('[data-testid=folder-input]').setInputFiles(dir);
}

// Records every state of `progress` from now on (in the page, at each DOM change): read them with
// progressSamples(). Each sample is { value, max, visible } with value/max as the raw attribute strings.
export async function recordProgress(page) {
  await page.evaluate(() => {
    window.__tsProgress?.observer.disconnect();
    const r = { samples: [] };
    const take = () => {
      const el = document.querySelector('[data-testid=progress]');
      if (!el) return;
      const s = { value: el.getAttribute('value'), max: el.getAttribute('max') };
      const last = r.samples[r.samples.length - 1];
      if (!last || last.value !== s.value || last.max !== s.max) r.samples.push(s);
    };
    r.observer = new MutationObserver(take);
    r.observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ['value', 'max'] });
    take();
    window.__tsProgress = r;
  });
}

export async function progressSamples(page) {
  return page.evaluate(() => window.__tsProgress?.samples ?? []);
}

// Sum of the sizes of files on disk.
export function totalSize(paths) {
  return paths.reduce((sum, f) => sum + statSync(f).size, 0);
}
