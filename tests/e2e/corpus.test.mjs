// Every real sample file at once, through the real page: each shape loads with the counts the native
// corpus table (crates/core/tests/corpus.rs) expects, read off the files by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import {
  TEST_TIMEOUT_MS, corpusDir, useHarness, pickFiles, waitReady, status, fileErrors, setShowAllEvents,
  assertCleanSession,
} from './harness.mjs';

const h = useHarness();

test('the whole real corpus: 17 files read, the digest skipped, the broken JSON and SOURCES.md failed', { timeout: TEST_TIMEOUT_MS }, async () => {
  const dir = corpusDir();
  const names = readdirSync(dir).sort();
  assert.equal(names.length, 20, `the corpus should hold 19 samples and SOURCES.md: ${names}`);
  const s = await h.openPage();
  const { page } = s;
  await pickFiles(page, names.map((n) => path.join(dir, n)));
  await waitReady(page);
  const st = await status(page);
  const errors = await fileErrors(page);
  assert.equal(st.filesOk, 17, `files-ok: ${JSON.stringify(st)} ${JSON.stringify(errors)}`);
  assert.equal(st.filesFailed, 2, `files-failed: ${JSON.stringify(errors)}`);
  assert.deepEqual(
    errors.map((e) => [e.file, e.kind]).sort(),
    [
      ['SOURCES.md', 'error'],
      ['cloudgrep__bad_cloudtrail.json', 'error'],
      ['integrations__test-cloudtrail-digest-json.log', 'skipped'],
    ],
  );
  // 235 records of every service; the two Transcribe ones are the documentation's example.
  assert.equal(st.eventsTotal, 235, JSON.stringify(st));
  assert.equal(st.eventsKept, 2, JSON.stringify(st));
  assert.equal(st.duplicates, 0, JSON.stringify(st));
  // What was counted but not kept is said, per service, most first: 157 + 35 CSV rows and more are IAM, EC2...
  const notKept = await page.locator('[data-testid=not-kept]').innerText();
  assert.match(notKept, /^Counted, not kept/);
  assert.match(notKept, /iam\.amazonaws\.com \d+/);
  assert.match(notKept, /signin\.amazonaws\.com \d+/);
  // Opened, each service lists its event names with counts.
  await page.locator('[data-testid=not-kept] summary').click();
  const signin = await page.locator('[data-testid=not-kept-service][data-service="signin.amazonaws.com"]').innerText();
  assert.match(signin, /ConsoleLogin \d+/, signin);

  // Every event kept: one ConsoleLogin appears in both cloud_security_dashboard files.
  await setShowAllEvents(page, true);
  await waitReady(page);
  const all = await status(page);
  assert.equal(all.eventsTotal, 235, JSON.stringify(all));
  assert.equal(all.eventsKept, 234, JSON.stringify(all));
  assert.equal(all.duplicates, 1, JSON.stringify(all));
  assert.equal(await page.locator('[data-testid=not-kept]').count(), 0, 'with every event kept, nothing is left out');
  assertCleanSession(s);
});
