// Keyboard, sorting and a job's lifecycle: the ways an investigator moves through the events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEST_TIMEOUT_MS, WAIT_MS, CORPUS, corpusFile, useHarness, pickFiles, dropFiles, loadSample, waitReady, openJobs,
  assertCleanSession,
} from './harness.mjs';

const h = useHarness();

const detailName = async (page) => (await page.locator('[data-testid=event-detail] h2').innerText()).split(' · ')[0];

test('/ focuses the search, Esc clears it, arrows move through the rows and the detail follows', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  await pickFiles(page, [corpusFile(CORPUS.transcribe)]);
  await waitReady(page);

  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'search');
  await page.keyboard.type('event:GetTranscriptionJob');
  await page.locator('[data-testid=status][data-events-shown="1"]').waitFor({ timeout: WAIT_MS });
  await page.keyboard.press('Escape');
  await page.locator('[data-testid=status][data-events-shown="2"]').waitFor({ timeout: WAIT_MS });
  assert.equal(await page.locator('[data-testid=search]').inputValue(), '');

  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('ArrowDown');
  await page.locator('[data-testid=event-detail]').waitFor({ timeout: WAIT_MS });
  assert.equal(await detailName(page), 'StartTranscriptionJob');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.querySelector('[data-testid=event-detail] h2')?.innerText.startsWith('GetTranscriptionJob'), null, { timeout: WAIT_MS });
  await page.keyboard.press('ArrowUp');
  await page.waitForFunction(() => document.querySelector('[data-testid=event-detail] h2')?.innerText.startsWith('StartTranscriptionJob'), null, { timeout: WAIT_MS });
  await page.keyboard.press('Escape');
  await page.locator('[data-testid=event-detail]').waitFor({ state: 'detached', timeout: WAIT_MS });
  assertCleanSession(s);
});

test('column headers sort the table, a second click reverses', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  await loadSample(page);
  await waitReady(page);
  const names = async () => page.locator('[data-testid=event-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event-name')));
  const header = page.locator('[data-testid=column-header][data-column=event]');
  await header.click();
  await page.waitForFunction(() => document.querySelector('[data-testid=column-header][data-column=event]')?.getAttribute('aria-sort') === 'ascending', null, { timeout: WAIT_MS });
  const up = await names();
  assert.deepEqual(up, [...up].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
  await header.click();
  await page.waitForFunction(() => document.querySelector('[data-testid=column-header][data-column=event]')?.getAttribute('aria-sort') === 'descending', null, { timeout: WAIT_MS });
  const down = await names();
  assert.deepEqual(down, [...down].sort((a, b) => b.toLowerCase().localeCompare(a.toLowerCase())));
  assert.notEqual(up[0], down[0]);
  assertCleanSession(s);
});

test('opening a job shows its lifecycle, oldest first', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  await pickFiles(page, [corpusFile(CORPUS.transcribe)]);
  await waitReady(page);
  await openJobs(page);
  const job = page.locator('[data-testid=job][data-job-name="my-first-transcription-job"]');
  await job.locator('button').first().click();
  await job.locator('[data-testid=job-event]').first().waitFor({ timeout: WAIT_MS });
  const steps = await job.locator('[data-testid=job-event]').evaluateAll((items) => items.map((i) => i.getAttribute('data-event-name')));
  assert.deepEqual(steps, ['StartTranscriptionJob', 'GetTranscriptionJob']);
  const text = await job.innerText();
  assert.match(text, /my-user-name/);
  assert.match(text, /s3:\/\/DOC-EXAMPLE-BUCKET\/my-media-file\.flac/);
  assert.match(text, /en-US/);
  assertCleanSession(s);
});

test('a job read and deleted by someone else, from elsewhere, says so', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  const record = (name, user, ip, time, error = '') => ({
    eventVersion: '1.08', userIdentity: { type: 'IAMUser', userName: user }, eventTime: time,
    eventSource: 'transcribe.amazonaws.com', eventName: name, awsRegion: 'us-east-1', sourceIPAddress: ip,
    ...(error ? { errorCode: error } : {}), requestParameters: { transcriptionJobName: 'call-7' },
    eventID: `${name}-${user}-${time}`, recipientAccountId: '111122223333',
  });
  const records = [
    record('StartTranscriptionJob', 'alice', '192.0.2.1', '2026-03-02T08:00:00Z'),
    record('GetTranscriptionJob', 'alice', '192.0.2.1', '2026-03-02T08:01:00Z'),
    record('GetTranscriptionJob', 'mallory', '203.0.113.66', '2026-03-02T09:00:00Z'),
    record('DeleteTranscriptionJob', 'mallory', '203.0.113.66', '2026-03-02T09:01:00Z', 'AccessDeniedException'),
  ];
  await dropFiles(page, [{ name: 'call-7.json', bytes: JSON.stringify({ Records: records }) }]);
  await waitReady(page);
  await openJobs(page);
  const job = page.locator('[data-testid=job][data-job-name="call-7"]');
  const flags = await job.locator('ul.anomalies li').allInnerTexts();
  assert.deepEqual(flags, [
    'read or deleted by another identity than alice: mallory',
    'touched from 2 source addresses',
    '1 call refused: access denied',
  ]);
  assert.equal(await job.locator('ul.anomalies').getAttribute('aria-label'), 'Worth a look');
  assertCleanSession(s);
});

test('columns can be hidden, and times shown relative to the first shown event', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  await pickFiles(page, [corpusFile(CORPUS.transcribe)]);
  await waitReady(page);
  const cells = () => page.locator('[data-testid=event-row]').first().locator('[role=cell]').allInnerTexts();
  assert.equal((await cells()).length, 8);
  assert.equal((await cells())[0], '2022-03-07T15:03:45Z');

  await page.locator('[data-testid=columns-menu]').click();
  await page.locator('[data-testid=column-toggle][data-column=ip]').uncheck();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=event-row]')[0]?.querySelectorAll('[role=cell]').length === 7, null, { timeout: WAIT_MS });
  assert.ok(!(await cells()).includes('127.0.0.1'), 'the source IP column is hidden');

  await page.locator('[data-testid=relative-time]').check();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=event-row]')[1]?.querySelector('[role=cell]')?.innerText === '+00:03:26', null, { timeout: WAIT_MS });
  assert.equal((await cells())[0], '+00:00:00');
  assertCleanSession(s);
});
