// A real-world folder: logs mixed with images, macOS litter, digests and notes. Every file gets its
// outcome; the logs load.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  TEST_TIMEOUT_MS, CORPUS, corpusFile, useHarness, pickFolder, waitReady, status, fileErrors, tinyPng,
  assertCleanSession,
} from './harness.mjs';

const h = useHarness();

test('a folder with unrelated files: logs load, the rest each get a reason', { timeout: TEST_TIMEOUT_MS }, async () => {
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

  const s = await h.openPage();
  const { page } = s;
  await pickFolder(page, dir, 6);
  await waitReady(page);
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
  assertCleanSession(s);
});
