// A reading worker that stops (a trap in its wasm: a panic, or memory the tab could not give it), reading
// workers that never start (their code will not load, or a policy refuses them), and the sample's worker
// stopping: the load still ends, what a stopped worker was reading says so, and every other file loads.
// Needs TRAILSCOPE_GENERATED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_TIMEOUT_MS, WAIT_MS, useHarness, generatedSet, pickFiles, loadSample, waitReady, status, fileErrors } from './harness.mjs';

const h = useHarness();

// Appended to the worker's code: the worker's message handler, as the worker sets it, is wrapped so that a
// batch of files holding one whose name has `stops-the-reader` goes to the worker without that file, and a
// moment later a promise is rejected with nothing to handle it, as a trap does in the callback where the
// worker parses what it read: the worker may answer some files of the batch first, and the rest are never
// answered. Every worker started carries it, the replacements too.
const TRAP = `
;(() => {
  let handler = null;
  Object.defineProperty(self, 'onmessage', {
    configurable: true,
    get() { return handler; },
    set(h) {
      handler = h;
      self.addEventListener('message', (e) => {
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
      });
    },
  });
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

test('a worker that stops on a file: that file fails with why, the other files it held load', { timeout: TEST_TIMEOUT_MS }, async () => {
  const gen = generatedSet();
  const dir = mkdtempSync(path.join(tmpdir(), 'trailscope-crash-'));
  try {
    const culprit = path.join(dir, 'stops-the-reader.json.gz');
    copyFileSync(gen.files[0], culprit);
    // In the middle, so that the worker holding it holds files before and after it too.
    const files = [...gen.files.slice(0, 50), culprit, ...gen.files.slice(50)];
    const s = await h.openPage({
      contextOptions: { serviceWorkers: 'block' },
      beforeLoad: async (context, page) => {
        await countWorkers(page);
        await context.route(/\/worker\.js$/, async (route) => {
          const response = await route.fetch();
          await route.fulfill({ response, body: (await response.text()) + TRAP });
        });
      },
    });
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
    beforeLoad: async (context) => {
      await context.route(/\/tools\.js$/, async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, body: (await response.text()) + TRAP });
      });
    },
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
