// A real-world folder: logs mixed with images, macOS litter, digests and notes. Every file gets its
// outcome; the logs load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, copyFileSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  TEST_TIMEOUT_MS, CORPUS, corpusFile, useHarness, pickFolder, dropPaths, dragFromDisk, cancelAtOnce, generateSet, waitReady, status, fileErrors, tinyPng,
  assertCleanSession,
} from './harness.mjs';

const h = useHarness();

// The folder of the tests below: two logs deep in AWSLogs/, a digest, and three files that are no logs.
function realWorldFolder() {
  const dir = mkdtempSync(path.join(tmpdir(), 'trailscope-folder-'));
  const logs = path.join(dir, 'AWSLogs', '111111111111', 'CloudTrail', 'eu-central-1', '2017', '12', '11');
  mkdirSync(logs, { recursive: true });
  copyFileSync(corpusFile(CORPUS.trailscraperGz), path.join(logs, CORPUS.trailscraperGz.split('__')[1]));
  copyFileSync(corpusFile(CORPUS.transcribe), path.join(logs, 'transcribe.json'));
  const digests = path.join(dir, 'AWSLogs', '111111111111', 'CloudTrail-Digest');
  mkdirSync(digests, { recursive: true });
  copyFileSync(corpusFile(CORPUS.digest), path.join(digests, 'digest.json'));
  writeFileSync(path.join(dir, '.DS_Store'), Buffer.concat([Buffer.from([0, 0, 0, 1]), Buffer.from('Bud1'), Buffer.alloc(64)]));
  writeFileSync(path.join(dir, 'diagram.png'), tinyPng());
  writeFileSync(path.join(dir, 'notes.txt'), 'Remember to rotate the keys.\n');
  return dir;
}

async function assertRealWorldFolder(page) {
  const st = await status(page);
  assert.equal(st.filesOk, 2, JSON.stringify(st));
  assert.equal(st.eventsTotal, 4, JSON.stringify(st));
  assert.equal(st.eventsKept, 2, JSON.stringify(st));
  const errors = await fileErrors(page);
  const byName = Object.fromEntries(errors.map((e) => [path.basename(e.file), e]));
  assert.equal(errors.length, 4, JSON.stringify(errors));
  assert.equal(byName['digest.json'].kind, 'skipped');
  assert.match(byName['digest.json'].text, /digest/i);
  assert.match(byName['.DS_Store'].text, /DS_Store/);
  assert.match(byName['diagram.png'].text, /PNG/);
  assert.match(byName['notes.txt'].text, /not a CloudTrail log/);
  assert.equal(st.filesFailed, 3);
  return errors;
}

test('a folder with unrelated files: logs load, the rest each get a reason', { timeout: TEST_TIMEOUT_MS }, async () => {
  const dir = realWorldFolder();
  const s = await h.openPage();
  const { page } = s;
  await pickFolder(page, dir, 6);
  await waitReady(page);
  await assertRealWorldFolder(page);
  assertCleanSession(s);
});

test('the same folder dropped from disk: walked into its subfolders, each file named by its path', { timeout: TEST_TIMEOUT_MS }, async () => {
  const dir = realWorldFolder();
  const s = await h.openPage();
  const { page } = s;
  await dropPaths(page, [dir], 6);
  await waitReady(page);
  const errors = await assertRealWorldFolder(page);
  // Named as inside the dropped folder, so a person can tell which account's digest was skipped.
  const folder = path.basename(dir);
  const digest = errors.find((e) => path.basename(e.file) === 'digest.json');
  assert.equal(digest.file, `${folder}/AWSLogs/111111111111/CloudTrail-Digest/digest.json`);
  assertCleanSession(s);
});

// The generator's deliveries in AWSLogs/<account>/CloudTrail/us-east-1/<day>/, over three accounts and `days`
// days: the files of each batch join the load as soon as the browser has them.
function nestedFolder(events, files, days = 1) {
  const dir = mkdtempSync(path.join(tmpdir(), 'trailscope-drop-'));
  const gen = generateSet(path.join(dir, 'gen'), events, files);
  const root = path.join(dir, 'AWSLogs');
  const placed = gen.files.map((file, i) => {
    const account = ['111111111111', '222222222222', '333333333333'][i % 3];
    const sub = path.join(root, account, 'CloudTrail', 'us-east-1', String(Math.floor(i / 3) % days).padStart(3, '0'));
    mkdirSync(sub, { recursive: true });
    const to = path.join(sub, path.basename(file));
    copyFileSync(file, to);
    return to;
  });
  return { gen, root, placed };
}

// Drops `paths` from disk and checks that the generator's deliveries all load with its counts, and how many
// workers came and went meanwhile (the walker of a dropped folder is one).
async function dropAndCount(s, paths, gen, expectWalkers) {
  const { page } = s;
  const walkers = await workersThatCameAndWent(page, async () => {
    await dropPaths(page, paths, gen.files.length);
    await waitReady(page);
  });
  assert.equal(walkers, expectWalkers, 'workers that walked the folder');
  const st = await status(page);
  assert.deepEqual(await fileErrors(page), []);
  assert.deepEqual(
    { filesOk: st.filesOk, eventsTotal: st.eventsTotal, eventsKept: st.eventsKept, duplicates: st.duplicates },
    { filesOk: gen.files.length, eventsTotal: gen.truth.n_records, eventsKept: gen.truth.n_transcribe, duplicates: gen.truth.n_duplicates_transcribe },
  );
}

// Counts the workers that start and stop while `action` runs: the walker of a dropped folder is one (the
// reading workers run as long as the page).
async function workersThatCameAndWent(page, action) {
  const seen = [];
  const onWorker = (w) => {
    const one = { closed: false };
    seen.push(one);
    w.on('close', () => { one.closed = true; });
  };
  page.on('worker', onWorker);
  try {
    await action();
  } finally {
    page.off('worker', onWorker);
  }
  return seen.filter((w) => w.closed).length;
}

// Chromium gives a dropped folder's handle, and the page walks it in a worker of its own; a browser without
// file system handles (Firefox, Safari) gets the folder as entries, walked on the page's thread; and a folder
// whose handle the worker cannot walk (a plain object in its place, or none: the browser's answer for an
// item without one) is walked as entries too.
const HANDLES = {
  'in a worker through its handle': { walkers: 1, script: null },
  'as entries where the browser has no handles': {
    walkers: 0,
    script: () => { delete DataTransferItem.prototype.getAsFileSystemHandle; },
  },
  'as entries where the worker cannot walk the handle': {
    walkers: 1,
    script: () => { DataTransferItem.prototype.getAsFileSystemHandle = async () => ({ kind: 'directory', name: 'AWSLogs' }); },
  },
  'as entries where the browser gives no handle for it': {
    walkers: 1,
    script: () => { DataTransferItem.prototype.getAsFileSystemHandle = async () => null; },
  },
};
for (const [how, { walkers: expectWalkers, script }] of Object.entries(HANDLES)) {
  test(`a dropped folder of 300 deliveries in nested folders, walked ${how}: every one read, with the generator's counts`, { timeout: TEST_TIMEOUT_MS }, async () => {
    const { gen, root } = nestedFolder(6000, 300);
    const beforeLoad = script && (async (_context, page) => { await page.addInitScript(script); });
    const s = await h.openPage({ beforeLoad });
    await dropAndCount(s, [root], gen, expectWalkers);
    assertCleanSession(s);
  });
}

test('files dropped from disk beside a folder: the folder walked in a worker, the files as entries, every one read once', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { gen, root, placed } = nestedFolder(6000, 300);
  // The last hundred deliveries leave the folder and are dropped beside it.
  const looseDir = path.join(path.dirname(root), 'loose');
  mkdirSync(looseDir);
  const loose = placed.slice(200).map((from) => {
    const to = path.join(looseDir, path.basename(from));
    renameSync(from, to);
    return to;
  });
  const s = await h.openPage();
  await dropAndCount(s, [root, ...loose], gen, 1);
  assertCleanSession(s);
});

test('cancel while a dropped folder is walked: no file joins afterwards; dropping it again loads it all', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  // A folder a day, as a trail delivers them: each folder is one more wait on the browser, so the walk
  // outlasts the first files' reading.
  const { gen, root } = nestedFolder(20000, 2000, 300);
  const s = await h.openPage();
  const { page } = s;
  await dragFromDisk(page, [root]);
  await cancelAtOnce(page);
  await page.locator('[data-testid=status][data-state=ready]').waitFor({ state: 'visible' });
  const first = await status(page);
  const errors = await fileErrors(page);
  t.diagnostic(`after cancel: ${JSON.stringify(first)}, ${errors.length} lines`);
  assert.ok(errors.every((e) => e.kind === 'skipped' && /cancel/i.test(e.text)), JSON.stringify(errors.slice(0, 3)));
  assert.ok(first.filesOk + errors.length < gen.files.length, 'the walk should have been stopped before it found every file');
  // A walk that went on would add files (and a busy state) after the cancel.
  await page.waitForTimeout(1500);
  assert.deepEqual(await status(page), first, 'nothing joins the load after cancel');
  assert.equal(await page.locator('[data-testid=progress]').count(), 0);

  await dropPaths(page, [root], gen.files.length);
  await waitReady(page, { timeout: 120_000 });
  const again = await status(page);
  assert.equal(again.filesOk, first.filesOk + gen.files.length, JSON.stringify(again));
  assert.equal(again.eventsKept, gen.truth.n_transcribe, JSON.stringify(again));
  assert.equal(again.eventsTotal, first.eventsTotal + gen.truth.n_records, JSON.stringify(again));
  assertCleanSession(s);
});
