// A reading worker that stops (a trap in its wasm: a panic, or memory the tab could not give it), reading
// workers that never start (their code will not load, or a policy refuses them), and the sample's worker
// stopping: the load still ends, what a stopped worker was reading says so, and every other file loads.
// Needs TRAILSCOPE_GENERATED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  TEST_TIMEOUT_MS, WAIT_MS, useHarness, generatedSet, pickFiles, loadSample, waitReady, status, fileErrors,
  recordProgress, progressSamples, totalSize,
} from './harness.mjs';

const h = useHarness();

// Worker code (for the traps below) that hands each message to \`listener\`, the source of a function of the
// event, in place of the worker's own handler, which the worker sets as \`onmessage\` and \`listener\` calls as
// \`handler\`.
function onEachMessage(listener) {
  return `
  let handler = null;
  Object.defineProperty(self, 'onmessage', {
    configurable: true,
    get() { return handler; },
    set(h) {
      handler = h;
      self.addEventListener('message', ${listener});
    },
  });`;
}

// Appended to the worker's code: the worker's message handler, as the worker sets it, is wrapped so that a
// batch of files holding one whose name has `stops-the-reader` goes to the worker without that file, and a
// moment later a promise is rejected with nothing to handle it, as a trap does in the callback where the
// worker parses what it read: the worker may answer some files of the batch first, and the rest are never
// answered. Every worker started carries it, the replacements too.
const TRAP = `
;(() => {${onEachMessage(`(e) => {
    // The tools' worker stops on the built-in sample and on SQL.
    if (e.data?.sample || e.data?.sql) {
      setTimeout(() => { Promise.reject(new Error('RuntimeError: unreachable (simulated trap)')); }, 20);
      return;
    }
    const files = e.data?.files || [];
    if (!files.some((f) => String(f.name).includes('stops-the-reader'))) return handler.call(self, e);
    const rest = files.filter((f) => !String(f.name).includes('stops-the-reader'));
    handler.call(self, new MessageEvent('message', { data: { ...e.data, files: rest } }));
    setTimeout(() => { Promise.reject(new Error('RuntimeError: unreachable (simulated trap)')); }, 20);
  }`)}
})();
`;

// Counts the workers the page starts, from outside it.
async function countWorkers(page) {
  await page.addInitScript(() => {
    const Base = window.Worker;
    window.__workersStarted = 0;
    window.Worker = class extends Base {
      constructor(...args) {
        super(...args);
        window.__workersStarted++;
      }
    };
  });
}

// Serves the page's script whose path matches `script` with `code` appended.
async function appendTo(context, script, code) {
  await context.route(script, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: (await response.text()) + code });
  });
}

// The generated set with a copy of its first file named `stops-the-reader` in the middle (so that the worker
// holding it holds files before and after it too), opened in a page whose reading workers carry TRAP and
// are counted. Returns { s, files }.
async function openWithCulprit(gen, dir) {
  const culprit = path.join(dir, 'stops-the-reader.json.gz');
  copyFileSync(gen.files[0], culprit);
  const files = [...gen.files.slice(0, 50), culprit, ...gen.files.slice(50)];
  const s = await h.openPage({
    contextOptions: { serviceWorkers: 'block' },
    beforeLoad: async (context, page) => {
      await countWorkers(page);
      await appendTo(context, /\/worker\.js$/, TRAP);
    },
  });
  return { s, files };
}

test('a worker that stops on a file: that file fails with why, the other files it held load', { timeout: TEST_TIMEOUT_MS }, async () => {
  const gen = generatedSet();
  const dir = mkdtempSync(path.join(tmpdir(), 'trailscope-crash-'));
  try {
    const { s, files } = await openWithCulprit(gen, dir);
    const { page } = s;
    await pickFiles(page, files);
    await waitReady(page, { timeout: 120_000 });
    const st = await status(page);
    const errors = await fileErrors(page);
    const { truth } = gen;
    assert.deepEqual(
      { filesOk: st.filesOk, filesFailed: st.filesFailed, eventsTotal: st.eventsTotal, eventsKept: st.eventsKept, duplicates: st.duplicates },
      { filesOk: 100, filesFailed: 1, eventsTotal: truth.n_records, eventsKept: truth.n_transcribe, duplicates: truth.n_duplicates_transcribe },
      `status: ${JSON.stringify(st)}; errors: ${JSON.stringify(errors)}`,
    );
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0].file, 'stops-the-reader.json.gz');
    assert.equal(errors[0].kind, 'error');
    assert.match(errors[0].text, /stopped the page's file reader/);
    assert.match(errors[0].text, /simulated trap/);
    // The two workers of the page (two cores or more here), and one in place of each that stopped: the first
    // with the culprit among its files, the second with the culprit alone.
    const started = await page.evaluate(() => window.__workersStarted);
    assert.ok(started >= 4, `workers started: ${started}`);
    // The workers' own reports of the trap reach the developer tools; nothing else went wrong.
    assert.deepEqual(s.pageErrors.filter((e) => !/simulated trap/.test(e)), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Appended to the worker's code: a worker reading a file whose name has `stops-the-reader` in slices (a file
// too large to read ahead) throws from inside its wasm once it has reported that file's progress twice, as a
// trap in the middle of a large file does: the call it makes to time the next slice throws, and nothing in
// the wasm catches it.
const TRAP_MID_FILE = `
;(() => {
  const culprits = new Set();${onEachMessage(`(e) => {
    for (const f of e.data?.files || []) if (String(f.name).includes('stops-the-reader')) culprits.add(f.id);
    handler.call(self, e);
  }`)}
  let reports = 0;
  let armed = false;
  const post = self.postMessage.bind(self);
  self.postMessage = (message, transfer) => {
    if (message?.kind === 'progress' && culprits.has(message.id) && ++reports === 2) armed = true;
    return post(message, transfer);
  };
  const now = Date.now;
  Date.now = () => {
    if (armed) throw new Error('RuntimeError: unreachable (simulated trap in a large file)');
    return now();
  };
})();
`;

// A delivery larger than the worker reads ahead (16 MiB), so that it is read in slices with progress: one
// generated file's records, over and over.
function largeDelivery(dir, gen, name) {
  const records = JSON.parse(gunzipSync(readFileSync(gen.files[0])).toString()).Records;
  const many = [];
  while (JSON.stringify(many).length < 20 << 20) many.push(...records);
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify({ Records: many }));
  return file;
}

test('a worker that stops in the middle of a large file: that file fails, the progress bar counts its bytes once', { timeout: TEST_TIMEOUT_MS }, async () => {
  const gen = generatedSet();
  const dir = mkdtempSync(path.join(tmpdir(), 'trailscope-crash-'));
  try {
    const culprit = largeDelivery(dir, gen, 'stops-the-reader-large.json');
    const others = gen.files.slice(0, 20);
    const files = [...others.slice(0, 10), culprit, ...others.slice(10)];
    const s = await h.openPage({
      contextOptions: { serviceWorkers: 'block' },
      beforeLoad: (context) => appendTo(context, /\/worker\.js$/, TRAP_MID_FILE),
    });
    const { page } = s;
    await recordProgress(page);
    await pickFiles(page, files);
    await waitReady(page, { timeout: 120_000 });
    const st = await status(page);
    const errors = await fileErrors(page);
    assert.equal(st.filesOk, others.length, JSON.stringify(st));
    assert.equal(st.filesFailed, 1, JSON.stringify(st));
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0].file, 'stops-the-reader-large.json');
    assert.match(errors[0].text, /stopped the page's file reader \(.*simulated trap in a large file\)\), twice/);
    // The other files' events, exactly: their records, and the Transcribe ones among them.
    const expected = others.map((f) => JSON.parse(gunzipSync(readFileSync(f)).toString()).Records);
    assert.equal(st.eventsTotal, expected.reduce((n, r) => n + r.length, 0), JSON.stringify(st));
    // The bar's total grows to every byte picked as the files' sizes are asked, and what it shows done never
    // passes it nor goes back: the slices read before each stop count once.
    const total = totalSize(files);
    const samples = (await progressSamples(page)).filter((p) => p.max != null).map((p) => [Number(p.value), Number(p.max)]);
    assert.ok(samples.length > 0, 'the progress bar showed');
    assert.equal(samples[samples.length - 1][1], total, JSON.stringify(samples));
    for (const [value, max] of samples) assert.ok(value <= max && max <= total, JSON.stringify(samples));
    for (let i = 1; i < samples.length; i++) assert.ok(samples[i][0] >= samples[i - 1][0], JSON.stringify(samples));
    assert.deepEqual(s.pageErrors.filter((e) => !/simulated trap/.test(e)), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cancel right after a worker stops: the counts add up, and the files load again in full', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const gen = generatedSet();
  const dir = mkdtempSync(path.join(tmpdir(), 'trailscope-crash-'));
  try {
    const { s, files } = await openWithCulprit(gen, dir);
    const { page } = s;
    const before = await page.evaluate(() => window.__workersStarted);
    await pickFiles(page, files);
    // A worker in place of one that stopped: the files it held are back in the queue.
    await page.waitForFunction((n) => window.__workersStarted > n, before, { timeout: WAIT_MS, polling: 5 });
    let clicked = true;
    try {
      await page.locator('[data-testid=cancel]').click({ timeout: 5_000 });
    } catch (e) {
      clicked = false;
      t.diagnostic(`the cancel click did not land (${String(e).split('\n')[0]})`);
    }
    await waitReady(page, { timeout: 120_000 });
    assert.equal(await page.locator('[data-testid=progress]').count(), 0, 'progress still shown after ready');
    const st = await status(page);
    const errors = await fileErrors(page);
    const skipped = errors.filter((e) => e.kind === 'skipped');
    t.diagnostic(`cancel ${clicked ? 'clicked' : 'missed'}: ${JSON.stringify(st)}, skipped ${skipped.length}`);
    // The culprit, back in the queue, waits for the replacement to start: the load is still going.
    assert.ok(clicked && skipped.length > 0, 'the cancel landed while files were still to read');
    // Every file is counted once: loaded, failed (only the culprit can), or skipped as cancelled.
    assert.equal(st.filesOk + st.filesFailed + skipped.length, files.length, JSON.stringify({ st, errors: errors.slice(0, 5) }));
    for (const e of errors.filter((e) => e.kind !== 'skipped')) assert.equal(e.file, 'stops-the-reader.json.gz', JSON.stringify(e));
    for (const e of skipped) assert.match(e.text, /cancel/i, JSON.stringify(e));
    assert.ok(st.eventsKept <= gen.truth.n_transcribe && st.eventsTotal <= gen.truth.n_records, JSON.stringify(st));
    // The files again, without the culprit: every one loads, and dedupe makes it one full load.
    await pickFiles(page, gen.files);
    await waitReady(page, { timeout: 120_000 });
    const again = await status(page);
    assert.equal(again.filesOk, st.filesOk + gen.files.length, JSON.stringify(again));
    assert.equal(again.eventsKept, gen.truth.n_transcribe, JSON.stringify(again));
    assert.equal(again.eventsTotal, st.eventsTotal + gen.truth.n_records, JSON.stringify(again));
    assert.deepEqual(s.pageErrors.filter((e) => !/simulated trap/.test(e)), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Opens the page as `beforeLoad` arranges (its reading workers unable to start), picks three files and
// checks that each fails with a text matching `reason` and that none loads. Returns the session.
async function expectEveryFileFails(beforeLoad, reason) {
  const gen = generatedSet();
  const s = await h.openPage({ contextOptions: { serviceWorkers: 'block' }, beforeLoad });
  const { page } = s;
  const files = gen.files.slice(0, 3);
  await pickFiles(page, files);
  await waitReady(page);
  const st = await status(page);
  const errors = await fileErrors(page);
  assert.equal(st.filesOk, 0, JSON.stringify(st));
  assert.equal(st.filesFailed, 3, JSON.stringify(st));
  assert.deepEqual(errors.map((e) => e.file).sort(), files.map((f) => path.basename(f)).sort());
  for (const e of errors) assert.match(e.text, reason, JSON.stringify(e));
  return s;
}

test('reading workers whose code will not load: each file says why, and the load ends', { timeout: TEST_TIMEOUT_MS }, async () => {
  await expectEveryFileFails(async (context) => {
    await context.route(/\/worker_bg\.wasm$/, (route) =>
      route.fulfill({ status: 200, contentType: 'application/wasm', body: 'this is not WebAssembly' }));
  }, /file reader would not start/);
});

test('a policy that forbids the page its workers: each file says why, and the load ends', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await expectEveryFileFails(async (context) => {
    // A host (or an extension) that sends a policy of its own beside the page's: workers only from the
    // page's origin, so the page's blob: workers are refused.
    await context.route((url) => url.pathname === '/' || url.pathname.endsWith('/index.html'), async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': "worker-src 'self'" } });
    });
  }, /file reader would not start \(the browser would not run it\)/);
  assert.deepEqual(s.pageErrors, []);
});

test('the worker making the sample and the SQL stops: each says why, and files still load', { timeout: TEST_TIMEOUT_MS }, async () => {
  const gen = generatedSet();
  const s = await h.openPage({
    contextOptions: { serviceWorkers: 'block' },
    beforeLoad: (context) => appendTo(context, /\/tools\.js$/, TRAP),
  });
  const { page } = s;
  await loadSample(page);
  await waitReady(page);
  const errors = await fileErrors(page);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.equal(errors[0].file, 'built-in sample');
  assert.match(errors[0].text, /worker that makes the sample and the SQL stopped \(.*simulated trap\)/);
  // The reading workers are not the sample's: picked files load as ever.
  await pickFiles(page, gen.files.slice(0, 2));
  await waitReady(page);
  const st = await status(page);
  assert.equal(st.filesOk, 2, JSON.stringify(st));
  assert.equal((await fileErrors(page)).length, 1);
  // Copy as SQL starts a new tools' worker, which stops too: the panel says so instead of waiting forever.
  await page.locator('[data-testid=copy-sql]').click();
  const sqlError = page.locator('[data-testid=sql-error]');
  await sqlError.waitFor({ timeout: WAIT_MS });
  assert.match(await sqlError.textContent(), /worker that makes the sample and the SQL stopped \(.*simulated trap\)/);
  assert.deepEqual(s.pageErrors.filter((e) => !/simulated trap/.test(e)), []);
});

test('the page\'s own code will not load: the page says why, not a blank page', { timeout: TEST_TIMEOUT_MS }, async () => {
  const context = await h.browser.newContext({ serviceWorkers: 'block' });
  try {
    // What a browser without WebAssembly SIMD meets: a module it cannot compile.
    await context.route(/\/page_bg\.wasm$/, (route) =>
      route.fulfill({ status: 200, contentType: 'application/wasm', body: Buffer.from('not a module') }));
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(h.server.url, { waitUntil: 'load' });
    const line = page.locator('[data-testid=page-error]');
    await line.waitFor({ timeout: WAIT_MS });
    assert.match(await line.textContent(), /^trailscope cannot run in this browser \(.+\)\. It needs WebAssembly with SIMD/);
    assert.equal(await line.getAttribute('role'), 'alert');
    assert.equal(await page.locator('[data-testid=status]').count(), 0);
    assert.deepEqual(pageErrors, [], 'the failure is said on the page, not left uncaught');
  } finally {
    await context.close();
  }
});

test('a trap in the page: the page says it stopped and how to start again', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage({ contextOptions: { serviceWorkers: 'block' } });
  const { page } = s;
  assert.equal(await page.locator('[data-testid=page-error]').count(), 0);
  // A real trap, uncaught in a task of the page, as one in its own wasm reaches the page: a module of one
  // function that runs `unreachable`, which is what a panic in the page's code (built to abort) executes.
  await page.evaluate(() => setTimeout(() => {
    const bytes = new Uint8Array([
      0, 97, 115, 109, 1, 0, 0, 0, // "\0asm", version 1
      1, 4, 1, 0x60, 0, 0, // a type: no parameters, no results
      3, 2, 1, 0, // one function of that type
      7, 5, 1, 1, 0x66, 0, 0, // exported as "f"
      10, 5, 1, 3, 0, 0, 0x0b, // its body: unreachable, end
    ]);
    new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.f();
  }, 0));
  const line = page.locator('[data-testid=page-error]');
  await line.waitFor({ timeout: WAIT_MS });
  assert.match(await line.textContent(), /^trailscope stopped \(unreachable\): .* Reload it to start again; your files never left this machine\.$/);
  assert.equal(s.pageErrors.length, 1, JSON.stringify(s.pageErrors));
  assert.match(s.pageErrors[0], /RuntimeError/);
});
