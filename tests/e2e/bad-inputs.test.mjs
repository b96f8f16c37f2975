// A drop of good, skipped and broken files: every file gets exactly one outcome, each failure says why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEST_TIMEOUT_MS, CORPUS, corpusFile, startHarness, dropFiles, setShowAllEvents, waitReady, status, fileErrors,
  expectCount, assertCleanSession, makeBadInputs, fileBytes,
} from './harness.mjs';

let h;
let bad;
before(async () => {
  bad = makeBadInputs();
  h = await startHarness();
});
after(async () => {
  await h?.close();
  bad?.cleanup();
});

test('a mixed drop: 2 files read, the digest skipped, every broken file reported with its reason', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  const real = [CORPUS.transcribe, CORPUS.trailscraperGz, CORPUS.digest, CORPUS.badJson];
  const drop = [
    ...real.map((name) => ({ name, bytes: fileBytes(corpusFile(name)) })),
    ...Object.entries(bad.files).map(([name, p]) => ({ name, bytes: fileBytes(p) })),
  ];
  assert.equal(drop.length, 10);
  await dropFiles(page, drop);
  await waitReady(page);

  const st = await status(page);
  const errs = await fileErrors(page);
  const expectedKinds = {
    [CORPUS.digest]: 'skipped',
    [CORPUS.badJson]: 'error',
    'truncated.json.gz': 'error',
    'image.json': 'error',
    'empty.json': 'error',
    'not-records.json': 'error',
    'invalid.json': 'error',
    'deep.json': 'error',
  };
  const shown = Object.fromEntries(errs.map((e) => [e.file, e.kind]));
  assert.deepEqual(shown, expectedKinds, `file-error lines shown: ${JSON.stringify(errs, null, 1)}`);
  assert.equal(errs.length, Object.keys(expectedKinds).length, `one file-error line per file: ${JSON.stringify(errs, null, 1)}`);
  // Their count comes first, since the list scrolls once long.
  assert.equal(await page.locator('[data-testid=files-not-loaded]').innerText(), `Not loaded: ${errs.length} files`);

  assert.equal(st.state, 'ready');
  assert.equal(st.filesOk, 2, `files-ok: ${JSON.stringify(st)}`);
  const errorLines = errs.filter((e) => e.kind === 'error').length;
  assert.equal(st.filesFailed, errorLines, `files-failed should equal the ${errorLines} error lines: ${JSON.stringify(st)}`);
  // Every file given is counted in the status line, the digest too.
  assert.match(st.text, new RegExp(`^2 files read, ${errorLines} failed, 1 skipped · `), st.text);
  assert.equal(st.eventsTotal, 4, `events-total: ${JSON.stringify(st)}`);
  assert.equal(st.eventsKept, 2, `events-kept: ${JSON.stringify(st)}`);

  const reason = (file) => errs.find((e) => e.file === file)?.text ?? '';
  for (const e of errs) assert.ok(e.text.length > 0, `empty reason for ${e.file}`);
  assert.match(reason('image.json'), /PNG/i, 'the PNG file\'s reason should say it is a PNG');
  assert.match(reason('truncated.json.gz'), /gzip/i, 'the truncated gzip\'s reason should mention gzip');
  assert.match(reason('truncated.json.gz'), /end|truncat/i, 'the truncated gzip\'s reason should say it ends early / is truncated');
  assert.match(reason('empty.json'), /empty/i, 'the empty file\'s reason should say it is empty');

  await expectCount(page, '[data-testid=event-row]', 2);

  // Show every service: the page reads the same files again and keeps all 4 records.
  await setShowAllEvents(page, true);
  await waitReady(page);
  const all = await status(page);
  assert.equal(all.eventsKept, 4, `events-kept with show-all-events: ${JSON.stringify(all)}`);
  assert.equal(all.filesOk, 2, `files-ok must still describe the same 2 files: ${JSON.stringify(all)}`);
  assert.equal(all.eventsTotal, 4, `events-total must still describe the same files: ${JSON.stringify(all)}`);
  await expectCount(page, '[data-testid=event-row]', 4);
  assertCleanSession(s);
});
