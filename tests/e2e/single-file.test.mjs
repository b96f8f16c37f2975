// The single-file page (dist/trailscope.html) opened from disk, as on an air-gapped laptop: it starts,
// parses in workers, loads a log, and makes no request but for its own file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  TEST_TIMEOUT_MS, WAIT_MS, CORPUS, corpusFile, distDir, launchBrowser, pickFiles, loadSample, waitReady, status,
  countWorkerAnswers, workerAnswers,
} from './harness.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('trailscope.html opened from disk loads a log and the sample, in workers, with no network', { timeout: TEST_TIMEOUT_MS }, async () => {
  const file = path.join(distDir(), 'trailscope.html');
  assert.ok(existsSync(file), `${file} is missing: cargo xtask dist writes it`);
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests = [];
  const messages = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => messages.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await countWorkerAnswers(page);
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.locator('[data-testid=status][data-state=idle]').waitFor({ timeout: WAIT_MS });

  await pickFiles(page, [corpusFile(CORPUS.transcribe)]);
  await waitReady(page);
  const st = await status(page);
  assert.equal(st.filesOk, 1, JSON.stringify(st));
  assert.equal(st.eventsKept, 2, JSON.stringify(st));
  await loadSample(page);
  await waitReady(page);
  assert.ok((await status(page)).eventsKept > 2);
  const answers = await workerAnswers(page);
  assert.ok(answers.n >= 2 && answers.ms > 0, `parsed in workers: ${JSON.stringify(answers)}; console: ${JSON.stringify(messages)}`);
  const foreign = requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(foreign, [], 'no request leaves the page');
  assert.deepEqual(errors, []);
  await context.close();
});
