// Loading data: the built-in sample, the documentation's Transcribe example, and loading it twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  TEST_TIMEOUT_MS, WAIT_MS, CORPUS, corpusFile, useHarness, pickFiles, dropFiles, waitReady, status, fileErrors,
  eventRows, openJobs, jobs, expectCount, expectSome, expectTextContains, assertCleanSession, loadSample,
  setShowAllEvents,
} from './harness.mjs';

const h = useHarness();

test('the built-in sample loads, shows events and jobs, nothing leaves the tab', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  const st = await status(page);
  assert.ok(st.filesOk > 0, `data-files-ok should be > 0: ${JSON.stringify(st)}`);
  assert.equal(st.filesFailed, 0, `data-files-failed should be 0: ${JSON.stringify(st)}; file errors: ${JSON.stringify(await fileErrors(page))}`);
  assert.ok(st.eventsKept > 0, `data-events-kept should be > 0: ${JSON.stringify(st)}`);
  assert.ok(st.eventsTotal >= st.eventsKept, `data-events-total should be >= data-events-kept: ${JSON.stringify(st)}`);
  await expectSome(page, '[data-testid=event-row]');

  await openJobs(page);
  await expectSome(page, '[data-testid=job]');
  const js = await jobs(page);
  for (const j of js) {
    assert.ok(j.kind, `job without data-job-kind: ${JSON.stringify(j)}`);
    assert.ok(j.status, `job without data-status: ${JSON.stringify(j)}`);
  }
  assertCleanSession(s);
});

test('picking the Transcribe documentation example shows its two events, the detail and the job', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  await pickFiles(page, [corpusFile(CORPUS.transcribe)]);
  await waitReady(page);
  const st = await status(page);
  assert.equal(st.state, 'ready');
  assert.equal(st.filesOk, 1, `files-ok: ${JSON.stringify(st)}; file errors: ${JSON.stringify(await fileErrors(page))}`);
  assert.equal(st.eventsTotal, 2, `events-total: ${JSON.stringify(st)}`);
  assert.equal(st.eventsKept, 2, `events-kept: ${JSON.stringify(st)}`);
  assert.equal(st.duplicates, 0, `duplicates: ${JSON.stringify(st)}`);
  assert.deepEqual(await fileErrors(page), []);

  await expectCount(page, '[data-testid=event-row]', 2);
  const names = (await eventRows(page)).map((r) => r.name).sort();
  assert.deepEqual(names, ['GetTranscriptionJob', 'StartTranscriptionJob']);

  await page.locator('[data-testid=event-row][data-event-name=GetTranscriptionJob]').click();
  await expectTextContains(page, '[data-testid=event-detail]', [
    '"transcriptFileUri"',
    's3://DOC-EXAMPLE-BUCKET/my-first-transcription-job.json',
  ]);

  await openJobs(page);
  await expectCount(page, '[data-testid=job]', 1);
  const [job] = await jobs(page);
  assert.deepEqual(
    { name: job.name, kind: job.kind, status: job.status, events: job.events },
    { name: 'my-first-transcription-job', kind: 'transcription', status: 'COMPLETED', events: '2' },
  );
  assertCleanSession(s);
});

test('loading the same file a second time adds no events: both records count as duplicates', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  await pickFiles(page, [corpusFile(CORPUS.transcribe)]);
  await waitReady(page);
  const first = await status(page);
  assert.equal(first.filesOk, 1, `after the first pick: ${JSON.stringify(first)}`);
  assert.equal(first.eventsKept, 2, `after the first pick: ${JSON.stringify(first)}`);

  await pickFiles(page, [corpusFile(CORPUS.transcribe)]);
  await waitReady(page);
  const st = await status(page);
  assert.equal(st.filesOk, 2, `files-ok after the second pick: ${JSON.stringify(st)}`);
  assert.equal(st.eventsKept, 2, `events-kept after the second pick: ${JSON.stringify(st)}`);
  assert.equal(st.duplicates, 2, `duplicates after the second pick: ${JSON.stringify(st)}`);
  assert.equal(st.duplicatesDiffering, 0, 'the same records again: none unlike the copy kept');
  assert.doesNotMatch(st.text, /unlike/);
  assert.deepEqual(await fileErrors(page), []);
  await expectCount(page, '[data-testid=event-row]', 2);
  assertCleanSession(s);
});

test('a second copy of an event that differs from the first is said apart from the repeated deliveries', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  const original = JSON.parse(readFileSync(corpusFile(CORPUS.transcribe), 'utf8'));
  const changed = structuredClone(original);
  changed.Records[0].sourceIPAddress = '198.51.100.66';
  await pickFiles(page, [corpusFile(CORPUS.transcribe)]);
  await waitReady(page);
  await page.locator('[data-testid=file-input]').setInputFiles([
    { name: 'again.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(original)) },
    { name: 'changed.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(changed)) },
  ]);
  await page.locator('[data-testid=status][data-state=ready][data-files-ok="3"]').waitFor();
  const st = await status(page);
  assert.equal(st.eventsKept, 2, JSON.stringify(st));
  assert.equal(st.duplicates, 4, JSON.stringify(st));
  // Re-serialised, the copy read again differs from the file's own text in spacing only: the same record.
  // The changed one differs in its address, and is said apart.
  assert.equal(st.duplicatesDiffering, 1, JSON.stringify(st));
  // Named, so that a person can search for it.
  assert.match(st.text, new RegExp(`4 duplicates dropped \\(1 unlike the copy kept: eventID ${original.Records[0].eventID}\\)`));
  // The copy read first stays.
  assert.equal(await page.locator('[data-testid=event-row]').filter({ hasText: '198.51.100.66' }).count(), 0);
  assertCleanSession(s);
});

test('of two copies that differ, the one from the file given first stays, even when its worker answers last', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  const original = JSON.parse(readFileSync(corpusFile(CORPUS.transcribe), 'utf8'));
  const changed = structuredClone(original);
  changed.Records[0].sourceIPAddress = '198.51.100.66';
  // The first file given also holds 30,000 records of another service, so that its worker answers after
  // the second file's: the order of the answers must not decide which copy is kept.
  const filler = Array.from({ length: 30000 }, (_, i) => ({
    eventVersion: '1.08', eventTime: '2026-03-02T08:00:00Z', eventSource: 's3.amazonaws.com', eventName: 'GetObject',
    awsRegion: 'us-east-1', sourceIPAddress: '192.0.2.9', eventID: `filler-${i}`, requestParameters: { bucketName: 'b', key: `k/${i}` },
  }));
  changed.Records.push(...filler);
  await page.locator('[data-testid=file-input]').setInputFiles([
    { name: 'a-changed.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(changed)) },
    { name: 'b-original.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(original)) },
  ]);
  await page.locator('[data-testid=status][data-state=ready][data-files-ok="2"]').waitFor({ timeout: WAIT_MS });
  const st = await status(page);
  assert.equal(st.eventsKept, 2, JSON.stringify(st));
  assert.equal(st.duplicatesDiffering, 1, JSON.stringify(st));
  // The first file's copy, with its address, is the one shown.
  await expectCount(page, '[data-testid=event-row]', 2);
  assert.equal(await page.locator('[data-testid=event-row]').filter({ hasText: '198.51.100.66' }).count(), 1);
  // And searched for: the index reads the copy kept.
  await page.locator('[data-testid=search]').fill('ip:198.51.100.66');
  await page.locator('[data-testid=status][data-events-shown="1"][data-searching=false]').waitFor({ timeout: WAIT_MS });
  await page.locator('[data-testid=search]').fill('198.51.100.66');
  await page.locator('[data-testid=status][data-events-shown="1"][data-searching=false]').waitFor({ timeout: WAIT_MS });
  assertCleanSession(s);
});

test('an open job stays open, and the only one open, when files with newer jobs load', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  await openJobs(page);
  const second = page.locator('[data-testid=job]').nth(1);
  const name = await second.getAttribute('data-job-name');
  await second.locator('.job-head').click();
  const open = page.locator('[data-testid=job]:has(.job-head[aria-expanded=true])');
  await expectCount(page, '[data-testid=job]:has(.job-head[aria-expanded=true])', 1);
  // A job started after every job of the sample: it comes first in the list, newest first.
  const later = JSON.parse(readFileSync(corpusFile(CORPUS.transcribe), 'utf8'));
  for (const [i, r] of later.Records.entries()) {
    r.eventTime = `2031-01-01T00:00:0${i}Z`;
    r.eventID = `later-${i}`;
    if (r.requestParameters?.transcriptionJobName) r.requestParameters.transcriptionJobName = 'later-job';
  }
  const kept = (await status(page)).eventsKept;
  await page.locator('[data-testid=file-input]').setInputFiles([
    { name: 'later.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(later)) },
  ]);
  await page.waitForFunction((kept) => {
    const el = document.querySelector('[data-testid=status]');
    return el.dataset.state === 'ready' && Number(el.dataset.eventsKept) > kept;
  }, kept, { timeout: 30_000 });
  assert.equal(await page.locator('[data-testid=job]').first().getAttribute('data-job-name'), 'later-job');
  await expectCount(page, '[data-testid=job]:has(.job-head[aria-expanded=true])', 1);
  assert.equal(await open.getAttribute('data-job-name'), name);
  assertCleanSession(s);
});

test('the Jobs tab tells a reused name\'s two jobs apart, another role by its ARN, a filter as created, a refused start as such', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  const call = (eventName, role, session, time, request, response = null, errorCode = undefined) => ({
    eventVersion: '1.08',
    userIdentity: {
      type: 'AssumedRole',
      arn: `arn:aws:sts::111122223333:assumed-role/${role}/${session}`,
      sessionContext: { sessionIssuer: { userName: role } },
    },
    eventTime: time,
    eventSource: 'transcribe.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: '192.0.2.1',
    ...(errorCode ? { errorCode } : {}),
    requestParameters: request,
    responseElements: response,
    eventID: `${eventName}-${role}-${time}`,
    recipientAccountId: '111122223333',
  });
  const job = { transcriptionJobName: 'nightly' };
  const status = (s) => ({ transcriptionJob: { transcriptionJobName: 'nightly', transcriptionJobStatus: s } });
  const records = [
    call('StartTranscriptionJob', 'Pipeline', 'worker', '2026-03-02T08:00:00Z', job, status('IN_PROGRESS')),
    // Another role, whose session has the pipeline's name.
    call('GetTranscriptionJob', 'Intruder', 'worker', '2026-03-02T08:01:00Z', job, status('FAILED')),
    call('DeleteTranscriptionJob', 'Pipeline', 'worker', '2026-03-02T08:02:00Z', job),
    // Logged in the delete's second, after it: the job is still deleted.
    call('GetTranscriptionJob', 'Pipeline', 'worker', '2026-03-02T08:02:00Z', job, status('FAILED')),
    call('StartTranscriptionJob', 'Pipeline', 'worker', '2026-03-02T09:00:00Z', job, status('IN_PROGRESS')),
    call('GetTranscriptionJob', 'Pipeline', 'worker', '2026-03-02T09:05:00Z', job, status('COMPLETED')),
    // Another role's start of the name in use, refused.
    call('StartTranscriptionJob', 'Intruder', 'mallory', '2026-03-02T09:01:00Z', job, null, 'ConflictException'),
    call('CreateVocabularyFilter', 'Pipeline', 'worker', '2026-03-02T07:00:00Z', { vocabularyFilterName: 'profanity' }),
    // A start Transcribe refused: no job was made, and the page says why.
    { ...call('StartTranscriptionJob', 'Pipeline', 'worker', '2026-03-02T06:00:00Z', { transcriptionJobName: 'rejected' }, null, 'BadRequestException'),
      errorMessage: 'The <media> format is not supported.' },
  ];
  await dropFiles(page, [{ name: 'reused.json', bytes: JSON.stringify({ Records: records }) }]);
  await waitReady(page);
  await openJobs(page);
  await expectCount(page, '[data-testid=job]', 4);
  const listed = await page.locator('[data-testid=job]').evaluateAll((els) => els.map((el) => ({
    name: el.getAttribute('data-job-name'),
    life: el.getAttribute('data-job-life'),
    status: el.getAttribute('data-status'),
    events: el.getAttribute('data-events'),
    head: el.querySelector('button')?.textContent ?? '',
    text: el.textContent,
  })));
  const [second, first, filter, rejected] = listed;
  assert.deepEqual(
    listed.map(({ name, life, status, events }) => ({ name, life, status, events })),
    [
      { name: 'nightly', life: '2', status: 'COMPLETED', events: '3' },
      { name: 'nightly', life: '1', status: 'DELETED', events: '4' },
      { name: 'profanity', life: '1', status: 'CREATED', events: '1' },
      { name: 'rejected', life: '1', status: 'START REFUSED', events: '1' },
    ],
  );
  assert.match(rejected.text, /BadRequestException: The <media> format is not supported\./);
  assert.match(second.text, /a start by another identity than worker refused: mallory \(ConflictException\)/);
  assert.match(second.head, /use 2 of 2/);
  assert.match(first.head, /use 1 of 2/);
  assert.doesNotMatch(filter.head, /use \d/);
  assert.match(first.text, /another identity than worker: arn:aws:sts::111122223333:assumed-role\/Intruder\/worker/);
  assert.doesNotMatch(second.text, /read or deleted by another identity/);
  assertCleanSession(s);
});

test('a sample event stays the sample\'s copy when a changed copy and the sample again load, and show-all reads all again', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  // A StartTranscriptionJob of the sample, picked from its rows.
  await page.locator('[data-testid=search]').fill('event:StartTranscriptionJob');
  await page.locator('[data-testid=status][data-searching=false]').waitFor({ timeout: WAIT_MS });
  const id = await page.locator('[data-testid=event-row]').first().getAttribute('data-event-id');
  assert.ok(id, 'a sample event with an eventID');
  const row = () => page.locator(`[data-testid=event-row][data-event-id="${id}"]`);
  const ip = async () => (await row().innerText()).match(/\d+\.\d+\.\d+\.\d+/)?.[0];
  await page.locator('[data-testid=search]').fill(`eventID:${id}`);
  await expectCount(page, '[data-testid=event-row]', 1);
  const sampleIp = await ip();
  assert.ok(sampleIp && sampleIp !== '203.0.113.77', sampleIp);
  const changed = {
    eventVersion: '1.08', eventTime: '2026-03-02T08:00:00Z', eventSource: 'transcribe.amazonaws.com',
    eventName: 'StartTranscriptionJob', awsRegion: 'us-east-1', sourceIPAddress: '203.0.113.77', eventID: id,
    requestParameters: { transcriptionJobName: 'changed' }, recipientAccountId: '111122223333',
  };
  await dropFiles(page, [{ name: 'changed.json', bytes: JSON.stringify({ Records: [changed] }) }]);
  await waitReady(page);
  await loadSample(page);
  await waitReady(page);
  await setShowAllEvents(page, true);
  await waitReady(page);
  // Given first, the sample's copy stays through every reading.
  await expectCount(page, '[data-testid=event-row]', 1);
  assert.equal(await ip(), sampleIp);
  assert.match((await status(page)).text, new RegExp(`1 unlike the copy kept: eventID ${id}\\)`));
  assertCleanSession(s);
});

test('an open job stays open when its start, in a file of its own, loads after its polls', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  const call = (eventName, time, status) => ({
    eventVersion: '1.08', userIdentity: { type: 'IAMUser', userName: 'alice', arn: 'arn:aws:iam::111122223333:user/alice' },
    eventTime: time, eventSource: 'transcribe.amazonaws.com', eventName, awsRegion: 'us-east-1', sourceIPAddress: '192.0.2.1',
    requestParameters: { transcriptionJobName: 'nightly' },
    responseElements: { transcriptionJob: { transcriptionJobName: 'nightly', transcriptionJobStatus: status } },
    eventID: `${eventName}-${time}`, recipientAccountId: '111122223333',
  });
  await dropFiles(page, [{ name: 'polls.json', bytes: JSON.stringify({ Records: [call('GetTranscriptionJob', '2026-03-02T09:00:00Z', 'COMPLETED')] }) }]);
  await waitReady(page);
  await openJobs(page);
  const head = page.locator('[data-testid=job][data-job-name=nightly] .job-head');
  await head.click();
  assert.equal(await head.getAttribute('aria-expanded'), 'true');
  await dropFiles(page, [{ name: 'start.json', bytes: JSON.stringify({ Records: [call('StartTranscriptionJob', '2026-03-02T08:00:00Z', 'IN_PROGRESS')] }) }]);
  await waitReady(page);
  await page.locator('[data-testid=job][data-job-name=nightly][data-events="2"]').waitFor({ timeout: WAIT_MS });
  assert.equal(await head.getAttribute('aria-expanded'), 'true', 'the job is still open');
  await expectCount(page, '[data-testid=job-event]', 2);
  // And closes with one click.
  await head.click();
  assert.equal(await head.getAttribute('aria-expanded'), 'false');
  assertCleanSession(s);
});
