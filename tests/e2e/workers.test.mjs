// Loading many files through the pool of parsing workers: exact counts against the generator's truth for the
// file picker, a drop and the folder picker; show-all-events; the jobs view; cancelling a load; the progress bar.
//
// Needs TRAILSCOPE_GENERATED (a folder of generated deliveries with truth.json; cargo xtask test sets it). The
// cancel and progress tests make a larger set themselves with the generator (release profile: the first run
// compiles it, then a run takes a couple of seconds).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, linkSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  TEST_TIMEOUT_MS, startHarness, generatedSet, generateSet, pickFiles, pickFolder, dropFiles, setShowAllEvents,
  waitReady, status, fileErrors, openJobs, jobs, expectSome, assertCleanSession, assertNoEgress, recordProgress,
  progressSamples, fileBytes, workerAnswers, cancelAtOnce,
} from './harness.mjs';

// A load of the 200,000-event set takes seconds; leave room for a slow machine.
const BIG_LOAD_MS = 180_000;
const BIG_EVENTS = 200_000;
const BIG_FILES = 100;

let h;
let gen;   // the TRAILSCOPE_GENERATED set
let big;   // the larger set made here, for cancel and progress
let tmp;
before(async () => {
  // Fails (never skips) when TRAILSCOPE_GENERATED is missing or incomplete.
  gen = generatedSet();
  assert.equal(gen.files.length, 100, `TRAILSCOPE_GENERATED=${gen.dir} should hold 100 delivery files; truth.json lists ${gen.files.length}`);
  tmp = mkdtempSync(path.join(tmpdir(), 'trailscope-workers-'));
  big = generateSet(path.join(tmp, 'big'), BIG_EVENTS, BIG_FILES, { profile: 'release' });
  console.log(`# generated ${BIG_EVENTS} events in ${BIG_FILES} files (${(big.bytes / 1e6).toFixed(1)} MB gzipped) in ${big.seconds.toFixed(1)} s`);
  h = await startHarness();
}, { timeout: 900_000 });
after(async () => {
  await h?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// Opens a page. The page starts its workers as soon as it opens, before any file is given.
async function openCounting() {
  return h.openPage();
}

// Asserts that workers did the parsing of the load that just finished: the page holds workers
// (page.workers()) and they answered for files, saying they spent time on them.
async function assertUsedWorkers(s, what) {
  assert.ok(s.page.workers().length >= 1, `${what}: page.workers() is empty after the load`);
  const answers = await workerAnswers(s.page);
  assert.ok(answers.n >= 1 && answers.ms > 0, `${what}: no worker answered for a file it parsed: ${JSON.stringify(answers)}`);
}

function assertTranscribeCounts(st, truth, what) {
  const got = { filesOk: st.filesOk, filesFailed: st.filesFailed, eventsTotal: st.eventsTotal, eventsKept: st.eventsKept, duplicates: st.duplicates };
  const want = { filesOk: 100, filesFailed: 0, eventsTotal: truth.n_records, eventsKept: truth.n_transcribe, duplicates: truth.n_duplicates_transcribe };
  assert.deepEqual(got, want, `${what}: status counts differ from truth.json; status: ${JSON.stringify(st)}`);
}

test('100 generated files picked through file-input: exact counts, show-all-events, jobs, parsed in workers', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const s = await openCounting();
  const { page } = s;
  await pickFiles(page, gen.files);
  await waitReady(page, { timeout: BIG_LOAD_MS });
  const st = await status(page);
  assert.deepEqual(await fileErrors(page), [], 'no file should fail or be skipped');
  assertTranscribeCounts(st, gen.truth, 'picked');
  await assertUsedWorkers(s, 'picked');
  assertNoEgress(s.requests, s.origin);
  await expectSome(page, '[data-testid=event-row]');

  await openJobs(page);
  await expectSome(page, '[data-testid=job]');
  const js = await jobs(page);
  const byKind = {};
  for (const j of js) byKind[j.kind] = (byKind[j.kind] ?? 0) + 1;
  t.diagnostic(`jobs listed: ${js.length} ${JSON.stringify(byKind)}; truth n_jobs: ${gen.truth.n_jobs}`);
  assert.equal(new Set(js.map((j) => `${j.kind}/${j.name}`)).size, js.length, 'the jobs view lists a job twice');
  // Streaming sessions are one-off calls, not resources with a life: the jobs view leaves them out, as
  // the generator's truth does.
  assert.equal(byKind.stream ?? 0, 0, 'streaming sessions are not jobs');
  assert.equal(js.length, gen.truth.n_jobs, `jobs listed (${JSON.stringify(byKind)}) differ from truth.json n_jobs`);

  await setShowAllEvents(page, true);
  await waitReady(page, { timeout: BIG_LOAD_MS });
  const all = await status(page);
  assert.deepEqual(await fileErrors(page), [], 'no file should fail or be skipped with show-all-events');
  assert.deepEqual(
    { filesOk: all.filesOk, filesFailed: all.filesFailed, eventsTotal: all.eventsTotal, eventsKept: all.eventsKept, duplicates: all.duplicates },
    { filesOk: 100, filesFailed: 0, eventsTotal: gen.truth.n_records, eventsKept: gen.truth.n_distinct_all, duplicates: gen.truth.n_duplicates_all },
    `show-all-events: status counts differ from truth.json; status: ${JSON.stringify(all)}`,
  );
  assertCleanSession(s);
});

test('show-all-events ticked before picking keeps the workers the page started: none stops, none starts', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await openCounting();
  const { page } = s;
  const readers = await page.evaluate(() => Math.min(8, Math.max(1, navigator.hardwareConcurrency || 1)));
  const deadline = Date.now() + 30_000;
  while (page.workers().length < readers && Date.now() < deadline) await page.waitForTimeout(50);
  const before = page.workers();
  assert.equal(before.length, readers, `the page should start one reading worker per core (${readers}) as it opens`);
  const started = [];
  const closed = [];
  page.on('worker', (w) => started.push(w.url()));
  for (const w of before) w.on('close', () => closed.push(w.url()));

  // A person who wants every event ticks the box first, then picks the files: the warmed workers read them.
  await setShowAllEvents(page, true);
  await pickFiles(page, gen.files);
  await waitReady(page, { timeout: BIG_LOAD_MS });
  const all = await status(page);
  assert.deepEqual(await fileErrors(page), [], 'no file should fail or be skipped');
  assert.deepEqual(
    { filesOk: all.filesOk, eventsTotal: all.eventsTotal, eventsKept: all.eventsKept, duplicates: all.duplicates },
    { filesOk: 100, eventsTotal: gen.truth.n_records, eventsKept: gen.truth.n_distinct_all, duplicates: gen.truth.n_duplicates_all },
    `show-all-events ticked first: status counts differ from truth.json; status: ${JSON.stringify(all)}`,
  );
  assert.deepEqual({ started, closed }, { started: [], closed: [] }, 'ticking show-all-events with nothing loading restarted the workers');
  await assertUsedWorkers(s, 'show-all-events ticked first');
  assertCleanSession(s);
});

test('the same 100 files dropped on drop-zone give the same counts', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await openCounting();
  const { page } = s;
  await dropFiles(page, gen.files.map((f) => ({ name: path.basename(f), bytes: fileBytes(f) })));
  await waitReady(page, { timeout: BIG_LOAD_MS });
  assert.deepEqual(await fileErrors(page), [], 'no file should fail or be skipped');
  assertTranscribeCounts(await status(page), gen.truth, 'dropped');
  await assertUsedWorkers(s, 'dropped');
  await expectSome(page, '[data-testid=event-row]');
  assertCleanSession(s);
});

test('the folder picker (folder-input, webkitdirectory) given the folder gives the same counts', { timeout: TEST_TIMEOUT_MS }, async () => {
  // A folder holding exactly the 100 deliveries (TRAILSCOPE_GENERATED also holds truth.json, which is no delivery).
  const dir = mkdtempSync(path.join(tmp, 'folder-'));
  for (const f of gen.files) {
    const to = path.join(dir, path.basename(f));
    try { linkSync(f, to); } catch { copyFileSync(f, to); }
  }
  const s = await openCounting();
  const { page } = s;
  await pickFolder(page, dir, gen.files.length);
  await waitReady(page, { timeout: BIG_LOAD_MS });
  assert.deepEqual(await fileErrors(page), [], 'no file should fail or be skipped');
  assertTranscribeCounts(await status(page), gen.truth, 'folder');
  await assertUsedWorkers(s, 'folder');
  await expectSome(page, '[data-testid=event-row]');
  assertCleanSession(s);
});

// 2,000 small deliveries, made once: a pick whose files' sizes are asked over many slices.
let many;
function manySmallFiles() {
  many ??= generateSet(path.join(tmp, 'many'), 20000, 2000, { profile: 'release' });
  return many;
}

// A page whose every timer waits at least 5 s. A hidden tab runs timers once a second at most (once a minute
// after five minutes), while the workers' answers still come at once; and the picked files' sizes are asked
// in slices, each after a timer, so with these timers a pick of thousands has a slice's timer pending for
// seconds at a time.
// `window.__sizesAsked` counts the files' sizes the page has asked for.
function openWithSlowTimers() {
  return h.openPage({
    beforeLoad: async (_context, page) => page.addInitScript(() => {
      const timer = window.setTimeout.bind(window);
      window.setTimeout = (f, ms, ...rest) => timer(f, Math.max(Number(ms) || 0, 5000), ...rest);
      window.__sizesAsked = 0;
      const size = Object.getOwnPropertyDescriptor(Blob.prototype, 'size');
      Object.defineProperty(Blob.prototype, 'size', {
        ...size,
        get() {
          window.__sizesAsked++;
          return size.get.call(this);
        },
      });
    }),
  });
}

// Picks the 2,000 small files on a page with slow timers, runs `act(page)` while the page is still asking
// their sizes (its next slice waiting on a timer), and returns the status once `filesOk` files are loaded,
// none failed.
async function actWhileSizing(act, filesOk) {
  const set = manySmallFiles();
  const s = await openWithSlowTimers();
  const { page } = s;
  await pickFiles(page, set.files);
  const asked = await page.evaluate(() => window.__sizesAsked);
  assert.ok(asked > 0 && asked < set.files.length, `the page should be asking the picked files' sizes: ${asked} asked of ${set.files.length}`);
  await act(page, set);
  await page.waitForFunction((want) => {
    const el = document.querySelector('[data-testid=status]');
    return el?.getAttribute('data-state') === 'ready' && Number(el.getAttribute('data-files-ok')) >= want;
  }, filesOk, { timeout: 90_000, polling: 50 });
  assert.deepEqual(await fileErrors(page), []);
  return { set, s, st: await status(page) };
}

test("a pick of 2,000 files loads while the page's timers are slowed, as in a hidden tab", { timeout: TEST_TIMEOUT_MS }, async () => {
  // A load that needed a timer for each slice of picked files' sizes would take minutes.
  const set = manySmallFiles();
  const s = await openWithSlowTimers();
  const { page } = s;
  await pickFiles(page, set.files);
  await waitReady(page, { timeout: 60_000 });
  assert.deepEqual(await fileErrors(page), []);
  const st = await status(page);
  assert.deepEqual(
    { filesOk: st.filesOk, eventsTotal: st.eventsTotal, eventsKept: st.eventsKept },
    { filesOk: 2000, eventsTotal: set.truth.n_records, eventsKept: set.truth.n_transcribe },
  );
  assertCleanSession(s);
});

test('the same 2,000 files picked again while their sizes are still asked: both picks load, each event kept once', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { set, s, st } = await actWhileSizing((page, set) => page.locator('[data-testid=file-input]').setInputFiles(set.files), 4000);
  const { n_records: records, n_transcribe: kept, n_duplicates_transcribe: dup } = set.truth;
  // The second pick's Transcribe records are all kept already: each is a duplicate.
  assert.deepEqual(
    { filesOk: st.filesOk, eventsTotal: st.eventsTotal, eventsKept: st.eventsKept, duplicates: st.duplicates },
    { filesOk: 4000, eventsTotal: 2 * records, eventsKept: kept, duplicates: kept + 2 * dup },
  );
  assertCleanSession(s);
});

test('show-all-events ticked while the picked files\' sizes are still asked: every file is read with every event kept', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { set, s, st } = await actWhileSizing((page) => page.locator('[data-testid=show-all-events]').check(), 2000);
  assert.deepEqual(
    { filesOk: st.filesOk, eventsTotal: st.eventsTotal, eventsKept: st.eventsKept, duplicates: st.duplicates },
    { filesOk: 2000, eventsTotal: set.truth.n_records, eventsKept: set.truth.n_distinct_all, duplicates: set.truth.n_duplicates_all },
  );
  assertCleanSession(s);
});

test('cancel early in a pick of 2,000 files, while their sizes are asked: each file has its outcome, nothing changes after; picked again, all load', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const set = manySmallFiles();
  const s = await h.openPage();
  const { page } = s;
  await pickFiles(page, set.files);
  await cancelAtOnce(page);
  await page.locator('[data-testid=status][data-state=ready]').waitFor();
  const first = await status(page);
  const skipped = (await fileErrors(page)).filter((e) => e.kind === 'skipped');
  t.diagnostic(`after cancel: files-ok ${first.filesOk}, skipped ${skipped.length}`);
  assert.equal(first.filesOk + first.filesFailed + skipped.length, 2000, JSON.stringify(first));
  assert.ok(skipped.length > 0, 'the cancel should have landed before every file was read');
  for (const e of skipped) assert.match(e.text, /cancel/i);
  // Sizing that went on would hand out files, and the status would move.
  await page.waitForTimeout(1500);
  assert.deepEqual(await status(page), first, 'nothing changes after cancel');

  await pickFiles(page, set.files);
  await waitReady(page, { timeout: 60_000 });
  const again = await status(page);
  assert.equal(again.filesOk, first.filesOk + 2000, JSON.stringify(again));
  assert.equal(again.eventsKept, set.truth.n_transcribe, JSON.stringify(again));
  assert.deepEqual(await fileErrors(page), [], 'the files cancelled, picked again and read, are no longer listed as not read');
  assertCleanSession(s);
});

test('show all after a cancel reads only the files that were read, the others stay listed as not read; a cancelled re-read loses none', { timeout: 4 * BIG_LOAD_MS }, async (t) => {
  const s = await openCounting();
  const { page } = s;
  await pickFiles(page, big.files);
  // Clicked in the frame that first shows five files read: a click from outside the page, waiting for the
  // button to be still, could land once the whole load (half a second here) was done.
  const clicked = await page.evaluate(() => new Promise((resolve) => {
    const tick = () => {
      const read = Number(document.querySelector('[data-testid=status]')?.getAttribute('data-files-ok') ?? 0);
      const cancel = document.querySelector('[data-testid=cancel]');
      if (read >= 5 && cancel) {
        cancel.click();
        resolve(true);
      } else if (!cancel && read >= 5) {
        resolve(false);
      } else {
        requestAnimationFrame(tick);
      }
    };
    tick();
  }));
  assert.ok(clicked, 'the load was cancelled while files were still loading');
  await waitReady(page, { timeout: BIG_LOAD_MS });
  const cut = await status(page);
  const notRead = (await fileErrors(page)).map((e) => `${e.kind} ${e.file} ${e.text}`).sort();
  t.diagnostic(`after cancel: ${JSON.stringify(cut)}, ${notRead.length} not read`);
  assert.ok(notRead.length > 0 && cut.filesOk + notRead.length === BIG_FILES, JSON.stringify({ cut, notRead: notRead.slice(0, 3) }));

  // Every event of the files read, and no other file.
  await setShowAllEvents(page, true);
  await waitReady(page, { timeout: BIG_LOAD_MS });
  const all = await status(page);
  t.diagnostic(`show all: ${JSON.stringify(all)}`);
  assert.deepEqual({ filesOk: all.filesOk, eventsTotal: all.eventsTotal }, { filesOk: cut.filesOk, eventsTotal: cut.eventsTotal },
    'ticking show all reads the files that were read, not those cancelled');
  assert.ok(all.eventsKept > cut.eventsKept, JSON.stringify(all));
  assert.deepEqual((await fileErrors(page)).map((e) => `${e.kind} ${e.file} ${e.text}`).sort(), notRead, 'the cancelled files are still listed');

  // Cancelled in the first frame that shows its progress (a re-read of a few files is soon done), a
  // re-read leaves files unread again...
  const landed = await page.evaluate(() => new Promise((resolve) => {
    document.querySelector('[data-testid=show-all-events]').click();
    let frames = 0;
    const tick = () => {
      const cancel = document.querySelector('[data-testid=cancel]');
      if (cancel) {
        cancel.click();
        resolve(true);
      } else if (++frames > 600) {
        resolve(false);
      } else {
        requestAnimationFrame(tick);
      }
    };
    tick();
  }));
  assert.ok(landed, 'the cancel should land while the re-read goes on');
  await page.locator('[data-testid=status][data-state=ready]').waitFor({ timeout: BIG_LOAD_MS });
  const partial = await status(page);
  assert.ok((await fileErrors(page)).length > notRead.length, `the re-read should have been cut short: ${JSON.stringify(partial)}`);
  t.diagnostic(`re-read cancelled: ${JSON.stringify(partial)}`);
  // ...but they were read before: the next change of what is kept reads every one of them.
  await setShowAllEvents(page, true);
  await waitReady(page, { timeout: BIG_LOAD_MS });
  await setShowAllEvents(page, false);
  await waitReady(page, { timeout: BIG_LOAD_MS });
  const back = await status(page);
  assert.deepEqual({ filesOk: back.filesOk, eventsTotal: back.eventsTotal, eventsKept: back.eventsKept, duplicates: back.duplicates },
    { filesOk: cut.filesOk, eventsTotal: cut.eventsTotal, eventsKept: cut.eventsKept, duplicates: cut.duplicates },
    `after a cancelled re-read, the files read before are all read again: ${JSON.stringify(back)}`);
  assert.deepEqual((await fileErrors(page)).map((e) => `${e.kind} ${e.file} ${e.text}`).sort(), notRead);
  assertCleanSession(s);
});

// Cancels a load of the big set at the moment `when` resolves, checks what is left, then loads the same files
// again and checks that the end state is the one of a single full load.
async function cancelAndReload(t, when, label) {
  const s = await openCounting();
  const { page } = s;
  const truth = big.truth;
  await pickFiles(page, big.files);
  await when(page);
  let clicked = true;
  try {
    await page.locator('[data-testid=cancel]').click({ timeout: 10_000 });
  } catch (e) {
    clicked = false;
    t.diagnostic(`${label}: the cancel click did not land (${String(e).split('\n')[0]})`);
  }
  await waitReady(page, { timeout: BIG_LOAD_MS });
  assert.equal(await page.locator('[data-testid=progress]').count(), 0, `${label}: progress still shown after ready`);
  const st = await status(page);
  const errs = await fileErrors(page);
  const skipped = errs.filter((e) => e.kind === 'skipped');
  const finishedFirst = skipped.length === 0 && st.filesOk === BIG_FILES;
  if (finishedFirst || !clicked) {
    t.diagnostic(`${label}: THE LOAD FINISHED BEFORE THE CANCEL CLICK LANDED; checking the counts of a full load`);
  }
  t.diagnostic(`${label}: after cancel: files-ok ${st.filesOk}, failed ${st.filesFailed}, skipped ${skipped.length}, ` +
    `total ${st.eventsTotal}, kept ${st.eventsKept}/${truth.n_transcribe}, duplicates ${st.duplicates}`);

  assert.equal(st.filesOk + st.filesFailed + skipped.length, BIG_FILES,
    `${label}: files-ok + files-failed + skipped lines should be ${BIG_FILES}: ${JSON.stringify(st)}; lines: ${JSON.stringify(errs.slice(0, 5))}`);
  assert.deepEqual(errs.filter((e) => e.kind !== 'skipped'), [], `${label}: valid files should not fail when a load is cancelled`);
  for (const e of skipped) assert.match(e.text, /cancel/i, `${label}: skipped line should say the load was cancelled: ${JSON.stringify(e)}`);
  assert.ok(st.eventsKept <= truth.n_transcribe, `${label}: events-kept ${st.eventsKept} > n_transcribe ${truth.n_transcribe}`);
  assert.ok(st.eventsTotal <= truth.n_records, `${label}: events-total ${st.eventsTotal} > n_records ${truth.n_records}`);
  if (finishedFirst) {
    assert.equal(st.eventsKept, truth.n_transcribe, `${label}: full load: events-kept`);
    assert.equal(st.eventsTotal, truth.n_records, `${label}: full load: events-total`);
  }
  if (st.eventsKept > 0) await expectSome(page, '[data-testid=event-row]');

  // Load the same files again: every file is read this time; dedupe makes the end state the one of a single
  // full load.
  await pickFiles(page, big.files);
  await waitReady(page, { timeout: BIG_LOAD_MS });
  const again = await status(page);
  const errsAgain = await fileErrors(page);
  t.diagnostic(`${label}: after loading again: ${JSON.stringify(again)}`);
  assert.equal(again.filesOk, st.filesOk + BIG_FILES, `${label}: files-ok after loading again should be ${st.filesOk} + ${BIG_FILES}: ${JSON.stringify(again)}`);
  assert.equal(again.filesFailed, st.filesFailed, `${label}: files-failed after loading again: ${JSON.stringify(again)}`);
  // Read now, they are no longer listed as not read.
  assert.deepEqual(errsAgain, [], `${label}: the cancelled files, loaded again, should not be listed as not read`);
  assert.equal(again.eventsKept, truth.n_transcribe, `${label}: events-kept after loading again should be n_transcribe: ${JSON.stringify(again)}`);
  assert.equal(again.eventsTotal, st.eventsTotal + truth.n_records, `${label}: events-total after loading again: ${JSON.stringify(again)}`);
  // Every Transcribe record of the second pass whose eventID is already kept is a duplicate: the first pass's
  // kept events once each, and the set's own duplicate deliveries.
  assert.equal(again.duplicates, st.duplicates + st.eventsKept + truth.n_duplicates_transcribe,
    `${label}: duplicates after loading again should be ${st.duplicates} + ${st.eventsKept} + ${truth.n_duplicates_transcribe}: ${JSON.stringify(again)}`);
  await expectSome(page, '[data-testid=event-row]');
  await assertUsedWorkers(s, label);
  assertCleanSession(s);
}

test('cancel as soon as progress shows: consistent counts; loading the same files again completes', { timeout: 2 * BIG_LOAD_MS }, async (t) => {
  await cancelAndReload(t, async (page) => {
    await page.locator('[data-testid=progress]').waitFor({ state: 'visible' });
  }, 'cancel at first progress');
});

test('cancel once some files are read: what was read stays, rows rendered; loading again completes', { timeout: 2 * BIG_LOAD_MS }, async (t) => {
  await cancelAndReload(t, async (page) => {
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=status]')?.getAttribute('data-files-ok') ?? 0) >= 1,
      null, { polling: 'raf', timeout: BIG_LOAD_MS });
  }, 'cancel after first files');
});

test('progress: numeric value and max, 0 <= value <= max, max grows to the total bytes picked; first rows show while loading', { timeout: BIG_LOAD_MS + 60_000 }, async (t) => {
  const s = await openCounting();
  const { page } = s;
  await recordProgress(page);
  // The first Transcribe events should be in the table while the rest still loads: noted, in the page,
  // the first time rows are drawn while the status says loading and some files are not read yet.
  await page.evaluate((n) => {
    window.__tsEarlyRows = null;
    const look = () => {
      const st = document.querySelector('[data-testid=status]');
      const rows = document.querySelectorAll('[data-testid=event-row]').length;
      const filesOk = Number(st?.getAttribute('data-files-ok') ?? 0);
      if (window.__tsEarlyRows == null && rows > 0 && st?.getAttribute('data-state') === 'loading' && filesOk < n) {
        window.__tsEarlyRows = { rows, filesOk, shown: st.getAttribute('data-events-shown') };
      }
    };
    new MutationObserver(look).observe(document.documentElement, { subtree: true, childList: true, attributes: true });
  }, big.files.length);
  await pickFiles(page, big.files);
  // Read once from outside too, while loading.
  const bar = page.locator('[data-testid=progress]');
  await bar.waitFor({ state: 'visible' });
  const live = await bar.evaluate((el) => ({ value: el.getAttribute('value'), max: el.getAttribute('max') })).catch(() => null);
  await waitReady(page, { timeout: BIG_LOAD_MS });
  const samples = await progressSamples(page);
  t.diagnostic(`${samples.length} distinct progress states seen; first ${JSON.stringify(samples[0])}, last ${JSON.stringify(samples[samples.length - 1])}; read live: ${JSON.stringify(live)}`);
  assert.ok(samples.length >= 1, 'progress was never seen while loading');
  const check = (p, where) => {
    assert.match(String(p.value), /^\d+$/, `progress value is not a number: ${JSON.stringify(p)} (${where})`);
    assert.match(String(p.max), /^\d+$/, `progress max is not a number: ${JSON.stringify(p)} (${where})`);
    const value = Number(p.value);
    const max = Number(p.max);
    assert.ok(value >= 0 && value <= max, `progress out of range: ${JSON.stringify(p)} (${where})`);
    // The page asks files their size between the workers' answers, so the total may grow at first.
    assert.ok(max <= big.bytes, `progress max is more than the ${big.bytes} bytes picked: ${JSON.stringify(p)} (${where})`);
    return [value, max];
  };
  if (live) check(live, 'read while loading');
  let previous = [-1, -1];
  for (const [i, p] of samples.entries()) {
    const [value, max] = check(p, `state ${i}`);
    if (i > 0) assert.ok(value >= previous[0], `progress went backwards: ${previous[0]} then ${value} (state ${i})`);
    if (i > 0) assert.ok(max >= previous[1], `the total went down: ${previous[1]} then ${max} (state ${i})`);
    previous = [value, max];
  }
  assert.equal(previous[1], big.bytes, `the last progress seen should count all ${big.bytes} bytes picked: ${JSON.stringify(samples.at(-1))}`);
  const early = await page.evaluate(() => window.__tsEarlyRows);
  t.diagnostic(`first rows while loading: ${JSON.stringify(early)}`);
  assert.ok(early, `no event rows were drawn while files were still loading (the first results should show before the last file is read)`);
  assert.ok(Number(early.shown) > 0 && Number(early.shown) < big.truth.n_transcribe,
    `while loading, the table should show some but not yet all ${big.truth.n_transcribe} Transcribe events: ${JSON.stringify(early)}`);
  assertTranscribeCounts(await status(page), big.truth, 'progress load');
  assertCleanSession(s);
});

test('past the memory the tab sets aside for events, later events are counted and not kept, said plainly; Transcribe only, all fit', { timeout: 2 * BIG_LOAD_MS }, async () => {
  // A device that says it has 256 MB (navigator.deviceMemory, the least a browser says) gets a small budget,
  // so the 200,000 events of the larger set, every one kept, go past it.
  const s = await h.openPage({
    beforeLoad: (context) => context.addInitScript(() => {
      Object.defineProperty(Navigator.prototype, 'deviceMemory', { get: () => 0.25, configurable: true });
      // What each hand-out of files asks the reading workers to keep.
      window.__keepAll = [];
      const post = Worker.prototype.postMessage;
      Worker.prototype.postMessage = function (message, ...rest) {
        if (Array.isArray(message?.files)) window.__keepAll.push(message.keepAll);
        return post.call(this, message, ...rest);
      };
    }),
  });
  const { page } = s;
  await setShowAllEvents(page, true);
  await pickFiles(page, big.files);
  await waitReady(page, { timeout: BIG_LOAD_MS });
  const all = await status(page);
  assert.deepEqual(await fileErrors(page), [], 'every file is read, past the budget too');
  assert.equal(all.filesOk, BIG_FILES);
  assert.equal(all.eventsTotal, big.truth.n_records, 'every record is still counted');
  assert.ok(all.overBudget > 0 && all.eventsKept > 0 && all.eventsKept < big.truth.n_distinct_all,
    `some events kept and the rest held back: ${JSON.stringify(all)}`);
  assert.equal(all.eventsKept + all.duplicates + all.overBudget, all.eventsTotal,
    `every record is kept, a duplicate, or held back: ${JSON.stringify(all)}`);
  assert.match(all.text, new RegExp(`${all.overBudget} not kept: memory full`));
  const said = await page.locator('[data-testid=memory-full]').textContent();
  assert.match(said, /memory this tab sets aside for events is full/);
  assert.ok(said.includes(`${all.eventsKept} events kept, ${all.overBudget} records more read and not kept`), said);
  assert.match(said, /To see them, reload the page and load fewer files at a time, or untick "Show all events"\./);
  assert.equal(all.eventsShown, all.eventsKept, 'the events kept are all shown');
  // Once full, the files handed out are read for counting: the first hand-outs kept every event, later ones not.
  const keepAll = await page.evaluate(() => window.__keepAll);
  assert.equal(keepAll[0], true, `hand-outs: ${JSON.stringify(keepAll)}`);
  assert.ok(keepAll.includes(false), `no hand-out was read for counting only once the memory was full: ${JSON.stringify(keepAll)}`);
  assert.equal(keepAll.indexOf(true, keepAll.indexOf(false)), -1, `kept every event again after full: ${JSON.stringify(keepAll)}`);
  await expectSome(page, '[data-testid=event-row]');

  // What the line advises: with Transcribe events only, all of them fit, and the line goes.
  await setShowAllEvents(page, false);
  await waitReady(page, { timeout: BIG_LOAD_MS });
  const transcribe = await status(page);
  assert.deepEqual(
    { eventsKept: transcribe.eventsKept, duplicates: transcribe.duplicates, overBudget: transcribe.overBudget },
    { eventsKept: big.truth.n_transcribe, duplicates: big.truth.n_duplicates_transcribe, overBudget: 0 },
    `Transcribe only: ${JSON.stringify(transcribe)}`,
  );
  assert.equal(await page.locator('[data-testid=memory-full]').count(), 0);
  assertCleanSession(s);
});

// A device that says it has 256 MB (navigator.deviceMemory, the least a browser says): the page's budget is
// 0.3 of it, and one file's kept events may cost half of that (`engine::keep_bytes`), and with every event
// kept, other services' only up to a quarter (`engine::keep_all_bytes`), as the budget reckons an event: its
// text and 900 B.
const SMALL_KEEP_ALL_BYTES = Math.floor(Math.floor(0.25 * 0.3 * 2 ** 30) / 4);
const SMALL_KEEP_BYTES = 2 * SMALL_KEEP_ALL_BYTES;

/** A page on that device, with one core: one worker reads the files, in the order given. */
function openSmallDeviceOneCore() {
  return h.openPage({
    beforeLoad: async (context, page) => {
      await context.addInitScript(() => {
        Object.defineProperty(Navigator.prototype, 'deviceMemory', { get: () => 0.25, configurable: true });
      });
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency: 1 });
    },
  });
}

/** A record of a pipeline's JSON Lines: a Transcribe poll, or an S3 read padded to weigh more. */
function pipelineRecord(i, transcribe) {
  return JSON.stringify({
    eventVersion: '1.09',
    userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::111122223333:assumed-role/pipeline/s${i % 50}` },
    eventTime: '2026-03-02T08:00:00Z',
    eventSource: transcribe ? 'transcribe.amazonaws.com' : 's3.amazonaws.com',
    eventName: transcribe ? 'GetTranscriptionJob' : 'GetObject',
    awsRegion: 'eu-west-1',
    requestParameters: transcribe ? { transcriptionJobName: `call-${i}` } : { bucketName: 'audio', key: `calls/${i}.wav`, note: 'x'.repeat(300) },
    eventID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  });
}

/** The index of the record whose event brings what those kept cost to `limit`: the last one kept. */
function lastKeptWithin(records, limit) {
  const EVENT_COST = 900;
  let held = 0;
  let last = 0;
  while (held + records[last].length + EVENT_COST < limit) held += records[last++].length + EVENT_COST;
  return last;
}

test('a file of Transcribe events larger than one file may keep: the first kept, the rest counted, the file not lost', { timeout: TEST_TIMEOUT_MS }, async () => {
  // One file's kept events, Transcribe ones too, may cost half the budget at most (`engine::keep_bytes`):
  // 40,265,318 bytes on a device that says 256 MB. Without that limit a file of gigabytes of Transcribe
  // calls (a pipeline's polls, an export of Transcribe events alone) ended the worker that held them, and
  // the whole file failed.
  const records = Array.from({ length: 50_000 }, (_, i) => pipelineRecord(i, true));
  // Every record up to the one that reaches the limit.
  const last = lastKeptWithin(records, SMALL_KEEP_BYTES);
  const large = path.join(tmp, 'polls.jsonl');
  const small = path.join(tmp, 'after.json');
  writeFileSync(large, records.join('\n') + '\n');
  // A file after it, read by the same worker (one core), is kept: the limit is one file's.
  writeFileSync(small, JSON.stringify({ Records: [{
    eventVersion: '1.09', eventTime: '2026-03-02T09:00:00Z', eventSource: 'transcribe.amazonaws.com',
    eventName: 'DeleteTranscriptionJob', awsRegion: 'eu-west-1', requestParameters: { transcriptionJobName: 'call-1' },
    eventID: '11111111-0000-4000-8000-000000000001',
  }] }));
  const s = await openSmallDeviceOneCore();
  const { page } = s;
  await pickFiles(page, [large, small]);
  await waitReady(page, { timeout: BIG_LOAD_MS });
  const st = await status(page);
  assert.deepEqual(await fileErrors(page), [], 'the large file is read, not lost');
  assert.equal(st.filesOk, 2);
  assert.equal(st.eventsTotal, records.length + 1);
  assert.equal(st.eventsKept, last + 1 + 1, `kept: the large file's first ${last + 1} records, and the small file's`);
  assert.equal(st.overBudget, records.length - (last + 1));
  assert.match(st.text, new RegExp(`${st.overBudget} not kept: files too large to keep whole`));
  const said = await page.locator('[data-testid=memory-full]').textContent();
  assert.equal(said, "One file's events may take at most 38 MB of this tab's memory; past that, the rest of a file was only " +
    `counted: ${st.eventsKept} events kept, ${st.overBudget} records more read and not kept. To see them, load such a file in parts.`);
  for (const [text, n] of [[`call-${last}`, 1], [`call-${last + 1}`, 0], ['event:DeleteTranscriptionJob', 1]]) {
    await page.locator('[data-testid=search]').fill(text);
    await page.locator(`[data-testid=status][data-events-shown="${n}"]`).waitFor({ timeout: 30_000 });
  }
  assertCleanSession(s);
});

test('a file larger than one file may keep, every event kept: its Transcribe events all, the rest counted, the file not lost', { timeout: TEST_TIMEOUT_MS }, async () => {
  // With every event kept, other services' events of one file may cost a quarter of the budget
  // (`engine::keep_all_bytes`): 20,132,659 bytes on a device that says 256 MB, which a 40 MB file of JSON
  // Lines goes past. Without the limit a worker held every event of a file until it answered, and a file
  // of gigabytes ended it, and the file with it.
  const records = [];
  for (let i = 0, bytes = 0; bytes < 40e6; i++) {
    records.push(pipelineRecord(i, i % 10 === 3));
    bytes += records[i].length + 1;
  }
  // Every record up to the one that reaches the limit, then the Transcribe ones.
  const last = lastKeptWithin(records, SMALL_KEEP_ALL_BYTES);
  const isTranscribe = (r) => r.includes('"transcribe.amazonaws.com"');
  const expectKept = last + 1 + records.slice(last + 1).filter(isTranscribe).length;
  const large = path.join(tmp, 'large.jsonl');
  const small = path.join(tmp, 'small.json');
  writeFileSync(large, records.join('\n') + '\n');
  // A file after it, read by the same worker (one core), keeps every event again: the limit is one file's.
  writeFileSync(small, JSON.stringify({ Records: [1, 2].map((k) => ({
    eventVersion: '1.09', eventTime: '2026-03-02T09:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'PutObject',
    awsRegion: 'eu-west-1', eventID: `11111111-0000-4000-8000-00000000000${k}`,
  })) }));
  const s = await openSmallDeviceOneCore();
  const { page } = s;
  await setShowAllEvents(page, true);
  await pickFiles(page, [large, small]);
  await waitReady(page, { timeout: BIG_LOAD_MS });
  const st = await status(page);
  assert.deepEqual(await fileErrors(page), [], 'the large file is read, not lost');
  assert.equal(st.filesOk, 2);
  assert.equal(st.eventsTotal, records.length + 2);
  assert.equal(st.eventsKept, expectKept + 2, `kept: the large file's first ${last + 1} records, its Transcribe ones after, both of the small file`);
  assert.equal(st.overBudget, records.length - expectKept);
  assert.match(st.text, new RegExp(`${st.overBudget} not kept: files too large to keep whole`));
  const said = await page.locator('[data-testid=memory-full]').textContent();
  assert.equal(said, "One file's events may take at most 38 MB of this tab's memory, and past 19 MB only its Transcribe events " +
    `are kept; past that, the rest of a file was only counted: ${st.eventsKept} events kept, ${st.overBudget} records more read and not kept. ` +
    'To see them, load such a file in parts, or untick "Show all events".');
  for (const [text, n] of [
    ['event:GetTranscriptionJob', records.filter(isTranscribe).length],
    ['event:PutObject', 2],
    ['event:GetObject', last + 1 - records.slice(0, last + 1).filter(isTranscribe).length],
  ]) {
    await page.locator('[data-testid=search]').fill(text);
    await page.locator(`[data-testid=status][data-events-shown="${n}"]`).waitFor({ timeout: 30_000 });
  }
  assertCleanSession(s);
});
