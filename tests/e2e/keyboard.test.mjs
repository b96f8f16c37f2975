// Keyboard, sorting and a job's lifecycle: the ways an investigator moves through the events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEST_TIMEOUT_MS, WAIT_MS, CORPUS, corpusFile, useHarness, pickFiles, dropFiles, loadSample, waitReady, openJobs,
  assertCleanSession, jobs,
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

test('a screen reader hears which event the arrows selected, though the focus stays in the search box', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  await pickFiles(page, [corpusFile(CORPUS.transcribe)]);
  await waitReady(page);
  const said = page.locator('[data-testid=selection-said]');
  // A live region, there before anything is selected: one added with its text would not be read out.
  assert.equal(await said.getAttribute('aria-live'), 'polite');
  assert.equal(await said.innerText(), '');
  const before = await said.elementHandle();
  await page.locator('[data-testid=search]').focus();
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => /^StartTranscriptionJob by \S+, \d{4}-\d\d-\d\dT[\d:.]+Z$/.test(
    document.querySelector('[data-testid=selection-said]')?.textContent ?? ''), null, { timeout: WAIT_MS });
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => /^GetTranscriptionJob by \S+, \d{4}-[\d:.T-]+Z$/.test(
    document.querySelector('[data-testid=selection-said]')?.textContent ?? ''), null, { timeout: WAIT_MS });
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'search');
  // The same element all along, the detail panel appearing before it.
  assert.ok(await before.evaluate((el) => el.isConnected), 'the live region was replaced');
  // A search that leaves the selected event out says so.
  await page.keyboard.type('event:StartTranscriptionJob');
  await page.waitForFunction(() => /^GetTranscriptionJob by \S+, \S+Z, left out by the search and time range$/.test(
    document.querySelector('[data-testid=selection-said]')?.textContent ?? ''), null, { timeout: WAIT_MS });
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelector('[data-testid=selection-said]')?.textContent === '', null, { timeout: WAIT_MS });
  assertCleanSession(s);
});

test('from the search box the arrows go into the rows it found; Esc with nothing selected clears the search', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  await pickFiles(page, [corpusFile(CORPUS.transcribe)]);
  await waitReady(page);
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('/');
  await page.keyboard.type('my-first');
  await page.locator('[data-testid=status][data-events-shown="2"][data-searching=false]').waitFor({ timeout: WAIT_MS });
  await page.keyboard.press('ArrowDown');
  await page.locator('[data-testid=event-detail]').waitFor({ timeout: WAIT_MS });
  assert.equal(await detailName(page), 'StartTranscriptionJob');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.querySelector('[data-testid=event-detail] h2')?.innerText.startsWith('GetTranscriptionJob'), null, { timeout: WAIT_MS });
  // Typing goes on where it was: the box kept the focus.
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'search');

  // Out of the box: Esc takes the selection away first, then the search.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('Escape');
  await page.locator('[data-testid=event-detail]').waitFor({ state: 'detached', timeout: WAIT_MS });
  assert.equal(await page.locator('[data-testid=search]').inputValue(), 'my-first');
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => document.querySelector('[data-testid=search]')?.value === '', null, { timeout: WAIT_MS });
  assertCleanSession(s);
});

test('with files loaded, leaving the page asks first, and staying keeps what was loaded', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  const kept = await page.locator('[data-testid=status]').getAttribute('data-events-kept');
  await page.locator('[data-testid=event-row]').first().click();
  // Back, as a person undoing a filter might press it: the browser asks before the loaded logs are lost.
  const asked = page.waitForEvent('dialog', { timeout: WAIT_MS });
  page.goBack().catch(() => {});
  const dialog = await asked;
  assert.equal(dialog.type(), 'beforeunload');
  // The harness dismisses it (stay on the page): everything is still there.
  await page.waitForTimeout(300);
  assert.equal(await page.locator('[data-testid=status]').getAttribute('data-events-kept'), kept);
  assert.ok(await page.locator('[data-testid=event-row]').count() > 0);
  assert.deepEqual(s.dialogs.map((d) => d.type), ['beforeunload']);
  s.dialogs.length = 0;
  assertCleanSession(s);
});

// The selected row, drawn and inside both the table's scrolling box and the window.
async function selectedRowInView(page) {
  await page.waitForFunction(() => {
    const row = document.querySelector('[data-testid=event-row][aria-selected=true]');
    const box = document.querySelector('[role=table]');
    if (!row || !box) return false;
    const r = row.getBoundingClientRect();
    const v = box.getBoundingClientRect();
    return r.top >= v.top && r.bottom <= v.bottom + 1 && r.top >= 0 && r.bottom <= window.innerHeight + 1;
  }, null, { timeout: WAIT_MS, polling: 50 });
}

test('the selected row is brought into view: by a shared link, back from a job, and after many arrow presses', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage({ contextOptions: { viewport: { width: 1280, height: 800 } } });
  const { page } = s;
  await loadSample(page);
  await waitReady(page);
  // A late event of the sample, far below the first screen of rows.
  const ids = await page.evaluate(() => [...document.querySelectorAll('[data-testid=event-row]')].map((r) => r.dataset.eventId));
  const kept = Number(await page.locator('[data-testid=status]').getAttribute('data-events-kept'));
  assert.ok(kept > 300, `${kept} events`);

  // Down the rows from the first: the row moved to stays on the screen, not below the window.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  for (let k = 0; k < 45; k++) await page.keyboard.press('ArrowDown');
  await selectedRowInView(page);
  const chosen = await page.locator('[data-testid=event-row][aria-selected=true]').getAttribute('data-event-id');
  assert.ok(!ids.slice(0, 10).includes(chosen), 'the selection went past the first rows');

  // A link naming an event far down: opened, the same data loaded, its row is in view.
  await page.evaluate(() => { const box = document.querySelector('[role=table]'); box.scrollTop = box.scrollHeight; });
  // Once the table's last row is drawn (rows exist only where the table is scrolled to).
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=event-row]')];
    return rows.length > 0 && rows[rows.length - 1].getAttribute('aria-rowindex') === document.querySelector('[role=table]').getAttribute('aria-rowcount');
  }, null, { timeout: WAIT_MS });
  const far = await page.evaluate(() => {
    const rows = [...document.querySelectorAll('[data-testid=event-row]')];
    return rows[rows.length - 3].dataset.eventId;
  });
  const other = await h.openPage({ contextOptions: { viewport: { width: 1280, height: 800 } } });
  await other.page.evaluate((id) => { location.hash = `event=${id}`; }, far);
  await other.page.reload({ waitUntil: 'load' });
  await other.page.locator('[data-testid=status][data-state=idle]').waitFor({ timeout: WAIT_MS });
  await loadSample(other.page);
  await waitReady(other.page);
  await other.page.locator(`[data-testid=event-row][aria-selected=true][data-event-id="${far}"]`).waitFor({ timeout: WAIT_MS });
  await selectedRowInView(other.page);
  assertCleanSession(other);

  // A step chosen in a job's life, then back to the events: that event's row is in view.
  await openJobs(page);
  const job = page.locator('[data-testid=job]').last();
  await job.locator('button').first().click();
  await job.locator('[data-testid=job-event] button').last().click();
  const step = await page.locator('[data-testid=event-detail] h2').innerText();
  await page.locator('[data-testid=events-tab]').click();
  await selectedRowInView(page);
  const row = page.locator('[data-testid=event-row][aria-selected=true]');
  assert.ok(step.startsWith(await row.getAttribute('data-event-name')), `${step} is the selected row`);
  assertCleanSession(s);
});

test('column headers sort the table, a second click reverses; ties keep time order', { timeout: TEST_TIMEOUT_MS }, async () => {
  // Tall, so that a job of dozens of events is all in view (a sort of 20 or fewer is stable anyway).
  const s = await h.openPage({ contextOptions: { viewport: { width: 1280, height: 2400 } } });
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

  // Among equal names the table keeps time order. The events of a few jobs, all in view (a sort of 20 or
  // fewer is stable anyway): sorted by name, each name's events come in the order they had by time.
  await openJobs(page);
  const all = await jobs(page);
  const within = (prefix) => all.filter((j) => j.name.startsWith(prefix)).reduce((n, j) => n + Number(j.events), 0);
  const prefix = all.flatMap((j) => [...j.name].map((_, i) => j.name.slice(0, i + 1))).find((p) => within(p) > 25 && within(p) <= 60);
  assert.ok(prefix, 'the sample should hold jobs whose names share a start, with 26 to 60 events');
  await page.locator('[data-testid=events-tab]').click();
  await page.locator('[data-testid=column-header][data-column=time]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=column-header][data-column=time]')?.getAttribute('aria-sort') === 'ascending', null, { timeout: WAIT_MS });
  await page.locator('[data-testid=search]').fill(`job:"${prefix}*"`);
  await page.locator(`[data-testid=status][data-events-shown="${within(prefix)}"]`).waitFor({ timeout: WAIT_MS });
  const rows = async () => page.locator('[data-testid=event-row]').evaluateAll((els) => els.map((r) => [r.getAttribute('data-event-name'), r.getAttribute('data-event-id')]));
  const byTime = await rows();
  assert.equal(byTime.length, within(prefix), 'every row in view');
  const inJob = [...new Set(byTime.map(([n]) => n))];
  assert.ok(inJob.length >= 2, `names: ${inJob}`);
  await header.click();
  await page.waitForFunction(() => document.querySelector('[data-testid=column-header][data-column=event]')?.getAttribute('aria-sort') === 'ascending', null, { timeout: WAIT_MS });
  const byName = await rows();
  assert.notDeepEqual(byName, byTime);
  const ofName = (name, list) => list.filter(([n]) => n === name).map(([, id]) => id);
  for (const name of inJob) assert.deepEqual(ofName(name, byName), ofName(name, byTime), name);
  assertCleanSession(s);
});

// The Transcribe documentation's example picked, the Jobs tab open: the session, its page and the job's line.
async function openDocumentationJob() {
  const s = await h.openPage();
  const { page } = s;
  await pickFiles(page, [corpusFile(CORPUS.transcribe)]);
  await waitReady(page);
  await openJobs(page);
  return { s, page, job: page.locator('[data-testid=job][data-job-name="my-first-transcription-job"]') };
}

test('opening a job shows its lifecycle, oldest first', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { s, page, job } = await openDocumentationJob();
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

test('by keyboard, a job opens, a step shows its event and Escape closes it, the focus staying on what was pressed', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { s, page, job } = await openDocumentationJob();
  const focused = () => page.evaluate(() => {
    const a = document.activeElement;
    return a === document.body ? 'body' : `${a.className} ${a.textContent.trim().slice(0, 60)}`;
  });
  await job.locator('.job-head').focus();
  const head = await focused();
  await page.keyboard.press('Enter');
  await job.locator('[data-testid=job-event]').first().waitFor({ timeout: WAIT_MS });
  assert.equal(await focused(), head, 'the job\'s button keeps the focus as it opens');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const step = await focused();
  assert.match(step, /^step .*GetTranscriptionJob/);
  await page.keyboard.press('Enter');
  await page.locator('[data-testid=event-detail]').waitFor({ timeout: WAIT_MS });
  assert.equal(await detailName(page), 'GetTranscriptionJob');
  assert.equal(await focused(), step, 'the step keeps the focus as its event shows');
  await page.keyboard.press('Escape');
  await page.locator('[data-testid=event-detail]').waitFor({ state: 'detached', timeout: WAIT_MS });
  assert.equal(await focused(), step, 'the step keeps the focus as the detail closes');
  assertCleanSession(s);
});

test('the jobs follow the search: those with a shown event are listed, each still told whole', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  await openJobs(page);
  await page.locator('[data-testid=job]').first().waitFor({ timeout: WAIT_MS });
  const all = await jobs(page);
  assert.equal(await page.locator('[data-testid=jobs-count]').innerText(), `${all.length} jobs and resources`);
  // Bob's calls only: the jobs he touched, and every event of each.
  const box = page.locator('[data-testid=search]');
  await box.fill('user:bob');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=job]').length < n, all.length, { timeout: WAIT_MS });
  const touched = await jobs(page);
  assert.ok(touched.length > 0, 'bob touched some jobs');
  assert.equal(await page.locator('[data-testid=jobs-count]').innerText(),
    `${touched.length} of ${all.length} jobs and resources, with events the search shows`);
  for (const job of touched) {
    assert.equal(job.events, all.find((j) => j.name === job.name && j.kind === job.kind).events, `${job.name} keeps all its events`);
    const item = page.locator(`[data-testid=job][data-job-name="${job.name}"][data-job-kind="${job.kind}"]`);
    await item.locator('button').first().click();
    await item.locator('[data-testid=job-event]').first().waitFor({ timeout: WAIT_MS });
    assert.match(await item.locator('ol.lifecycle').innerText(), /\bbob\b/, `${job.name} has a step by bob`);
    await item.locator('button').first().click();
  }
  // And not one job more: with the search gone, the jobs left out have no step by bob.
  await box.fill('');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=job]').length === n, all.length, { timeout: WAIT_MS });
  for (const job of all.filter((j) => !touched.some((t) => t.name === j.name && t.kind === j.kind))) {
    const item = page.locator(`[data-testid=job][data-job-name="${job.name}"][data-job-kind="${job.kind}"]`);
    await item.locator('button').first().click();
    await item.locator('[data-testid=job-event]').first().waitFor({ timeout: WAIT_MS });
    assert.doesNotMatch(await item.locator('ol.lifecycle').innerText(), /\bbob\b/, `${job.name}, not listed, has no step by bob`);
    await item.locator('button').first().click();
  }
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
    'touched from 2 source addresses: 192.0.2.1 (alice), 203.0.113.66 (mallory)',
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
  // The header says what the times count from.
  assert.match(await page.locator('[data-testid=column-header][data-column=time]').innerText(), /since the first shown/);
  // Newest first, they still count from the earliest shown event, not from the top row.
  await page.locator('[data-testid=column-header][data-column=time]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=column-header][data-column=time]')?.getAttribute('aria-sort') === 'descending', null, { timeout: WAIT_MS });
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=event-row]')[0]?.querySelector('[role=cell]')?.innerText === '+00:03:26', null, { timeout: WAIT_MS });
  assert.equal((await cells())[0], '+00:03:26');
  assertCleanSession(s);
});
