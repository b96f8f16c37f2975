// Hostile content in a log: markup in field values is shown as text, never run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  TEST_TIMEOUT_MS, CORPUS, corpusFile, startHarness, pickFiles, waitReady, status, fileErrors, eventRows,
  openJobs, jobs, expectCount, expectTextContains, assertCleanSession,
} from './harness.mjs';

const JOB = '<img src=x onerror="window.__pwned=1">';
const AGENT = '<script>window.__pwned=2</script>';

let h;
let dir;
let hostileFile;
before(async () => {
  const doc = JSON.parse(readFileSync(corpusFile(CORPUS.transcribe), 'utf8'));
  const rec = structuredClone(doc.Records.find((r) => r.eventName === 'StartTranscriptionJob'));
  rec.eventID = '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9';
  rec.userAgent = AGENT;
  rec.requestParameters.transcriptionJobName = JOB;
  rec.responseElements.transcriptionJob.transcriptionJobName = JOB;
  dir = mkdtempSync(path.join(tmpdir(), 'trailscope-e2e-hostile-'));
  hostileFile = path.join(dir, 'hostile.json');
  writeFileSync(hostileFile, JSON.stringify({ Records: [rec] }, null, 2));
  h = await startHarness();
});
after(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('markup in a job name and a user agent is shown literally and never executed', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  await pickFiles(page, [hostileFile]);
  await waitReady(page);
  const st = await status(page);
  assert.equal(st.filesOk, 1, `files-ok: ${JSON.stringify(st)}; file errors: ${JSON.stringify(await fileErrors(page))}`);
  assert.equal(st.eventsKept, 1, `events-kept: ${JSON.stringify(st)}`);

  await expectCount(page, '[data-testid=event-row]', 1);
  const [row] = await eventRows(page);
  assert.equal(row.name, 'StartTranscriptionJob');
  assert.ok(row.text.includes('<img src=x'), `the row should show the job name literally; it shows: ${JSON.stringify(row.text)}`);

  await page.locator('[data-testid=event-row]').first().click();
  await expectTextContains(page, '[data-testid=event-detail]', [AGENT, '<img src=x onerror=']);

  const inTable = await page.evaluate(() => ({
    imgsInRows: document.querySelectorAll('[data-testid=event-row] img').length,
    imgsInDetail: document.querySelectorAll('[data-testid=event-detail] img').length,
    imgX: document.querySelectorAll('img[src="x"]').length,
    tableImgs: [...document.querySelectorAll('table img, [role=grid] img, [role=table] img')].length,
    injectedScripts: [...document.querySelectorAll('script')].filter((sc) => sc.textContent.includes('__pwned')).length,
  }));
  assert.deepEqual(inTable, { imgsInRows: 0, imgsInDetail: 0, imgX: 0, tableImgs: 0, injectedScripts: 0 },
    'markup from the log became elements');

  await openJobs(page);
  await expectCount(page, '[data-testid=job]', 1);
  const [job] = await jobs(page);
  assert.equal(job.name, JOB, 'data-job-name should hold the job name unchanged');
  assert.ok(job.text.includes('<img src=x'), `the job should show its name literally; it shows: ${JSON.stringify(job.text)}`);
  const jobImgs = await page.evaluate(() => document.querySelectorAll('[data-testid=job] img, img[src="x"]').length);
  assert.equal(jobImgs, 0, 'markup from the log became an img in the jobs view');

  // Give a would-be onerror handler a moment to fire before checking.
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => typeof window.__pwned), 'undefined', 'window.__pwned was set: log content ran as code');
  assertCleanSession(s);
});
