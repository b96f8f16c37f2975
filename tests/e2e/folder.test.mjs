// A real-world folder: logs mixed with images, macOS litter, digests and notes. Every file gets its
// outcome; the logs load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  TEST_TIMEOUT_MS, CORPUS, corpusFile, useHarness, pickFolder, dropPaths, generateSet, waitReady, status, fileErrors, tinyPng,
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

test('a dropped folder of 300 deliveries in nested folders: every one read, with the generator\'s counts', { timeout: TEST_TIMEOUT_MS }, async () => {
  // Three folders of a hundred: readEntries hands a folder out a hundred entries at a time, and the files
  // of each batch join the load as soon as the browser has them.
  const dir = mkdtempSync(path.join(tmpdir(), 'trailscope-drop-'));
  const gen = generateSet(path.join(dir, 'gen'), 6000, 300);
  const root = path.join(dir, 'AWSLogs');
  gen.files.forEach((file, i) => {
    const sub = path.join(root, ['111111111111', '222222222222', '333333333333'][i % 3], 'CloudTrail', 'us-east-1');
    mkdirSync(sub, { recursive: true });
    copyFileSync(file, path.join(sub, path.basename(file)));
  });
  const s = await h.openPage();
  const { page } = s;
  await dropPaths(page, [root], gen.files.length);
  await waitReady(page);
  const st = await status(page);
  assert.deepEqual(await fileErrors(page), []);
  assert.deepEqual(
    { filesOk: st.filesOk, eventsTotal: st.eventsTotal, eventsKept: st.eventsKept, duplicates: st.duplicates },
    { filesOk: 300, eventsTotal: gen.truth.n_records, eventsKept: gen.truth.n_transcribe, duplicates: gen.truth.n_duplicates_transcribe },
  );
  assertCleanSession(s);
});
