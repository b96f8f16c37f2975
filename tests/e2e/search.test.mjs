// The search box: typed queries update data-events-shown and the rows; an unknown field is a visible hint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEST_TIMEOUT_MS, WAIT_MS, CORPUS, corpusFile, useHarness, pickFiles, dropFiles, waitReady, assertCleanSession, status,
} from './harness.mjs';

const h = useHarness();

async function search(page, text) {
  await page.locator('[data-testid=search]').fill(text);
}

async function expectShown(page, n) {
  await page.locator(`[data-testid=status][data-events-shown="${n}"]`).waitFor({ timeout: WAIT_MS });
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=event-row]').length === n, n, { timeout: WAIT_MS });
}

test('a star alone asks for a value, which a JSON null is not', { timeout: TEST_TIMEOUT_MS }, async () => {
  const record = (id, name, response) => ({
    eventVersion: '1.08',
    eventTime: `2026-03-02T08:00:0${id}Z`,
    eventSource: 'transcribe.amazonaws.com',
    eventName: name,
    awsRegion: 'eu-west-1',
    requestParameters: { transcriptionJobName: 'call-1' },
    ...(response === undefined ? {} : { responseElements: response }),
    eventID: `00000000-0000-4000-8000-00000000000${id}`,
  });
  const records = [
    record(1, 'StartTranscriptionJob', { transcriptionJob: { transcriptionJobStatus: 'IN_PROGRESS' } }),
    // CloudTrail writes a null where a call answered nothing.
    record(2, 'TagResource', null),
    record(3, 'GetTranscriptionJob'),
  ];
  const s = await h.openPage();
  const { page } = s;
  await dropFiles(page, [{ name: 'nulls.json', bytes: JSON.stringify({ Records: records }) }]);
  await waitReady(page);
  await expectShown(page, 3);
  const names = () => page.locator('[data-testid=event-row]').evaluateAll((rows) => rows.map((r) => r.dataset.eventName).sort());
  for (const [text, want] of [
    ['responseElements:*', ['StartTranscriptionJob']],
    ['-responseElements:*', ['GetTranscriptionJob', 'TagResource']],
    ['responseElements:null', ['TagResource']],
  ]) {
    await search(page, text);
    await expectShown(page, want.length);
    assert.deepEqual(await names(), want, text);
  }
  assertCleanSession(s);
});

test('queries narrow the table and data-events-shown follows', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  await pickFiles(page, [corpusFile(CORPUS.transcribe)]);
  await waitReady(page);
  await expectShown(page, 2);
  assert.equal(
    await page.locator('[data-testid=summary]').innerText(),
    '2022-03-07T15:03:45Z to 2022-03-07T15:07:11Z · 1 account · 1 region · 0 errors · most frequent: GetTranscriptionJob (1), StartTranscriptionJob (1) · top identities: my-user-name (2)',
  );
  const cases = [
    ['event:GetTranscriptionJob', 1],
    ['-event:GetTranscriptionJob', 1],
    ['time:>2022-03-07T15:05', 1],
    ['ip:127.0.0.0/8', 2],
    ['ip:10.0.0.0/8', 0],
    ['my-first-transcription', 2],
    ['TRANSCRIPTFILEURI', 1],
    ['user:my-user-name status:COMPLETED', 1],
    ['requestParameters.languageCode:en-US', 1],
    // A star alone asks for a value: no call here failed, only the start names a language, both a status.
    ['error:*', 0],
    ['-error:*', 2],
    ['requestParameters.languageCode:*', 1],
    ['status:*', 2],
    // NOT leaves the next term out, as other search boxes take it; AND is what terms do already.
    ['NOT event:GetTranscriptionJob', 1],
    ['user:my-user-name AND event:GetTranscriptionJob', 1],
    // A field the language does not know: its value is looked for as text (and the field is named below).
    ['usr:my-user-name', 2],
    ['', 2],
  ];
  for (const [text, n] of cases) {
    await search(page, text);
    await expectShown(page, n);
  }
  const only = page.locator('[data-testid=event-row]');
  await search(page, 'event:GetTranscriptionJob');
  await expectShown(page, 1);
  assert.equal(await only.first().getAttribute('data-event-name'), 'GetTranscriptionJob');

  // An unknown field is said, not silently turned into an empty table.
  await search(page, 'colour:red');
  await expectShown(page, 0);
  const body = await page.locator('body').innerText();
  assert.match(body, /unknown field "colour"/);
  // Read out by a screen reader as it comes: inside a live region that was there before it.
  assert.equal(await page.locator('[data-testid=search-hints]').evaluate((el) => el.closest('[aria-live]')?.getAttribute('aria-live')), 'polite');
  // OR, as other search boxes take it, is said to be left out rather than searched as the word "or".
  await search(page, 'event:GetTranscriptionJob OR event:StartTranscriptionJob');
  await expectShown(page, 0);
  assert.match(await page.locator('[data-testid=search-hints]').innerText(), /OR: every term must hold, so OR is left out/);
  await search(page, 'GetTranscriptionJob OR');
  await expectShown(page, 1);
  assertCleanSession(s);
});

test('the view lives in the URL hash: a shared link restores the search and the selected event', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  await pickFiles(page, [corpusFile(CORPUS.transcribe)]);
  await waitReady(page);
  await search(page, 'event:GetTranscriptionJob');
  await expectShown(page, 1);
  await page.locator('[data-testid=event-row]').first().click();
  await page.locator('[data-testid=event-detail]').waitFor({ timeout: WAIT_MS });
  await page.waitForFunction(() => location.hash.includes('event='), null, { timeout: WAIT_MS });
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /q=event%3AGetTranscriptionJob/);
  assert.match(hash, /event=607b9532-1423-41c7-b048-ec2641693c47/);

  // A colleague opens the link and loads the same file.
  const other = await h.openPage();
  await other.page.evaluate((hash) => { location.hash = hash; }, hash);
  await other.page.reload({ waitUntil: 'load' });
  await other.page.locator('[data-testid=status][data-state=idle]').waitFor({ timeout: WAIT_MS });
  await pickFiles(other.page, [corpusFile(CORPUS.transcribe)]);
  await waitReady(other.page);
  await expectShown(other.page, 1);
  assert.equal(await other.page.locator('[data-testid=search]').inputValue(), 'event:GetTranscriptionJob');
  await other.page.locator('[data-testid=event-detail]').waitFor({ timeout: WAIT_MS });
  assert.match(await other.page.locator('[data-testid=event-detail]').innerText(), /"eventName": "GetTranscriptionJob"/);
  assertCleanSession(s);
  assertCleanSession(other);
});

test('a search that matches nothing says so, and the message goes once events show again', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  const kept = (await status(page)).eventsKept;
  assert.equal(await page.locator('[data-testid=no-match]').count(), 0, 'no message while events show');
  await search(page, 'user:nobody-at-all');
  await expectShown(page, 0);
  assert.equal(await page.locator('[data-testid=no-match]').innerText(), 'No event matches the search and time range.');
  await search(page, '');
  await page.locator(`[data-testid=status][data-events-shown="${kept}"]`).waitFor({ timeout: WAIT_MS });
  assert.equal(await page.locator('[data-testid=no-match]').count(), 0);
  assertCleanSession(s);
});

test('facets: a click includes a value, Alt-click excludes one; the facet keeps showing the others', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  const values = page.locator('[data-testid=facet-value][data-facet=event]');
  const first = values.first();
  const name = await first.getAttribute('data-value');
  const count = Number(await first.getAttribute('data-count'));
  const others = await values.count();
  assert.ok(others > 1);
  await first.click();
  await page.locator(`[data-testid=status][data-events-shown="${count}"]`).waitFor({ timeout: WAIT_MS });
  assert.equal(await page.locator('[data-testid=search]').inputValue(), `event:${name}`);
  // Its own facet still lists the other event names with their counts, to switch to.
  assert.equal(await values.count(), others);

  const second = values.nth(1);
  const name2 = await second.getAttribute('data-value');
  await page.locator('[data-testid=search]').fill('');
  const kept = (await status(page)).eventsKept;
  await page.locator(`[data-testid=status][data-events-shown="${kept}"]`).waitFor({ timeout: WAIT_MS });
  const count2 = Number(await values.nth(1).getAttribute('data-count'));
  await values.nth(1).click({ modifiers: ['Alt'] });
  await page.locator(`[data-testid=status][data-events-shown="${kept - count2}"]`).waitFor({ timeout: WAIT_MS });
  assert.equal(await page.locator('[data-testid=search]').inputValue(), `-event:${name2}`);
  assertCleanSession(s);
});

test('facets: clicking another value switches to it, and a chosen value clicked again is taken back out', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  const kept = (await status(page)).eventsKept;
  const box = page.locator('[data-testid=search]');
  const value = (facet, name) => page.locator(`[data-testid=facet-value][data-facet=${facet}][data-value="${name}"]`);
  const shown = (n) => page.locator(`[data-testid=status][data-events-shown="${n}"][data-searching=false]`).waitFor({ timeout: WAIT_MS });
  // Failed jobs: the status facet marks FAILED as chosen and offers the other statuses.
  await search(page, 'status:FAILED');
  const statuses = page.locator('[data-testid=facet-value][data-facet=status]');
  await page.locator('[data-testid=facet-value][data-facet=status][data-state=included]').waitFor({ timeout: WAIT_MS });
  const offered = await statuses.evaluateAll((els) => els.map((e) => [e.dataset.value, Number(e.dataset.count), e.dataset.state ?? '']));
  assert.deepEqual(offered.filter(([, , state]) => state).map(([name, , state]) => [name, state]), [['FAILED', 'included']]);
  const [other, otherCount] = offered.find(([name]) => name !== 'FAILED');
  // The count a value shows is what clicking it shows: the search switches to it.
  await value('status', other).click();
  await shown(otherCount);
  assert.equal(await box.inputValue(), `status:${other}`);
  assert.equal(await value('status', other).getAttribute('data-state'), 'included');
  assert.equal(await value('status', other).getAttribute('aria-pressed'), 'true');
  assert.equal(await value('status', 'FAILED').getAttribute('data-state'), null);
  // Clicked again: out of the search, everything shows.
  await value('status', other).click();
  await shown(kept);
  assert.equal(await box.inputValue(), '');

  // Left out, then clicked as it is marked (struck through): the exclusion is taken back out, and the
  // rest of the search stays.
  const region = await page.locator('[data-testid=facet-value][data-facet=region]').first().getAttribute('data-value');
  const regionCount = Number(await value('region', region).getAttribute('data-count'));
  await value('region', region).click({ modifiers: ['Alt'] });
  await shown(kept - regionCount);
  assert.equal(await value('region', region).getAttribute('data-state'), 'excluded');
  assert.equal(await value('region', region).getAttribute('aria-pressed'), 'false');
  await value('region', region).click();
  await shown(kept);
  assert.equal(await box.inputValue(), '');
  assert.equal(await value('region', region).getAttribute('data-state'), null);
  // Clicked once more, it is asked for.
  await value('region', region).click();
  await shown(regionCount);
  assert.equal(await box.inputValue(), `region:${region}`);
  // Alt-click on the value asked for leaves it out instead; Alt-click again takes it out of the search.
  await value('region', region).click({ modifiers: ['Alt'] });
  await shown(kept - regionCount);
  assert.equal(await box.inputValue(), `-region:${region}`);
  await value('region', region).click({ modifiers: ['Alt'] });
  await shown(kept);
  assert.equal(await box.inputValue(), '');

  // A value the search names that no event holds is still listed, with 0, to be taken back out there.
  await search(page, 'user:nobody-here');
  await shown(0);
  assert.equal(await value('user', 'nobody-here').getAttribute('data-count'), '0');
  assert.equal(await value('user', 'nobody-here').getAttribute('data-state'), 'included');
  await value('user', 'nobody-here').click();
  await shown(kept);
  assert.equal(await box.inputValue(), '');
  assertCleanSession(s);
});

test('with free text in the search, a chosen value\'s facet still counts the others that hold the text', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  const kept = (await status(page)).eventsKept;
  await search(page, 'eu-central-1');
  const values = page.locator('[data-testid=facet-value][data-facet=event]');
  // The text is in some records, not all: wait for its answer, then read the event facet.
  await page.waitForFunction((kept) => {
    const shown = Number(document.querySelector('[data-testid=status]')?.getAttribute('data-events-shown'));
    return shown > 0 && shown < kept && !document.querySelector('[data-testid=status][data-searching=true]');
  }, kept, { timeout: WAIT_MS });
  const read = () => values.evaluateAll((els) => els.map((e) => `${e.getAttribute('data-value')}=${e.getAttribute('data-count')}`));
  const before = await read();
  assert.ok(before.length > 2, `the event facet lists several names: ${before}`);
  const [name, count] = before[1].split('=');
  await values.nth(1).click();
  assert.equal(await page.locator('[data-testid=search]').inputValue(), `eu-central-1 event:${name}`);
  await page.locator(`[data-testid=status][data-events-shown="${count}"]`).waitFor({ timeout: WAIT_MS });
  // Its own facet counts every other name as the word alone did, not just the chosen one.
  await page.waitForFunction((want) => {
    const got = [...document.querySelectorAll('[data-testid=facet-value][data-facet=event]')]
      .map((e) => `${e.getAttribute('data-value')}=${e.getAttribute('data-count')}`);
    return JSON.stringify(got) === JSON.stringify(want);
  }, before, { timeout: WAIT_MS });
  assertCleanSession(s);
});

test('a word typed letter by letter, and taken back, shows what the whole word shows', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  const box = page.locator('[data-testid=search]');
  // The answer to what is in the box once its search is over: the count and the event facet.
  const settled = async (text) => {
    await page.waitForFunction((text) => {
      const st = document.querySelector('[data-testid=status]');
      return document.querySelector('[data-testid=search]').value === text && st.getAttribute('data-searching') === 'false';
    }, text, { timeout: WAIT_MS });
    await page.waitForTimeout(100);
    return page.evaluate(() => ({
      shown: Number(document.querySelector('[data-testid=status]').getAttribute('data-events-shown')),
      facet: [...document.querySelectorAll('[data-testid=facet-value][data-facet=event]')]
        .map((e) => `${e.getAttribute('data-value')}=${e.getAttribute('data-count')}`).join(' '),
    }));
  };
  const word = 'transcribe.eu';
  const whole = {};
  for (const text of [word.slice(0, 5), word]) {
    // Typed whole after a word it does not narrow: an answer over every row, to compare with.
    await box.fill('zzzz');
    await settled('zzzz');
    await box.fill(text);
    whole[text] = await settled(text);
  }
  assert.ok(whole[word].shown > 0 && whole[word].shown < whole[word.slice(0, 5)].shown, JSON.stringify(whole));

  await box.fill('');
  await settled('');
  let last = Infinity;
  for (let n = 1; n <= word.length; n++) {
    await box.pressSequentially(word[n - 1]);
    const now = await settled(word.slice(0, n));
    assert.ok(now.shown <= last, `${word.slice(0, n)}: ${now.shown} after ${last}`);
    last = now.shown;
    if (n === 5) assert.deepEqual(now, whole[word.slice(0, 5)]);
  }
  assert.deepEqual(await settled(word), whole[word]);
  // Taking letters back widens the answer again.
  for (let n = word.length - 1; n >= 5; n--) await box.press('Backspace');
  assert.deepEqual(await settled(word.slice(0, 5)), whole[word.slice(0, 5)]);
  assertCleanSession(s);
});

test('a JSON path looks into lists: a tag\'s key finds the events that set it', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  await search(page, 'event:TagResource');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=event-row]')];
    return rows.length > 0 && rows.every((r) => r.dataset.eventName === 'TagResource');
  }, null, { timeout: WAIT_MS });
  const tagged = Number(await page.locator('[data-testid=status]').getAttribute('data-events-shown'));
  // Each TagResource of the sample sets two tags in a list: the path reaches the list's elements.
  await search(page, 'requestParameters.tags.key:cost-center');
  await page.locator(`[data-testid=status][data-events-shown="${tagged}"]`).waitFor({ timeout: WAIT_MS });
  const names = await page.locator('[data-testid=event-row]').evaluateAll((rows) => [...new Set(rows.map((r) => r.dataset.eventName))]);
  assert.deepEqual(names, ['TagResource']);
  await search(page, 'requestParameters.tags.key:no-such-tag');
  await expectShown(page, 0);
  assertCleanSession(s);
});

test('the detail panel says when the search leaves its event out of the table', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  await pickFiles(page, [corpusFile(CORPUS.transcribe)]);
  await waitReady(page);
  await expectShown(page, 2);
  await page.locator('[data-testid=event-row][data-event-name=GetTranscriptionJob]').click();
  const detail = page.locator('[data-testid=event-detail]');
  await detail.waitFor({ timeout: WAIT_MS });
  assert.equal(await page.locator('[data-testid=detail-outside]').count(), 0, 'no note while the event shows');
  await search(page, 'event:StartTranscriptionJob');
  await expectShown(page, 1);
  // The person still reads the event they chose, and is told the table no longer holds it.
  assert.match(await detail.innerText(), /"eventName": "GetTranscriptionJob"/);
  await page.locator('[data-testid=detail-outside]').waitFor({ timeout: WAIT_MS });
  await search(page, '');
  await expectShown(page, 2);
  await page.locator('[data-testid=detail-outside]').waitFor({ state: 'detached', timeout: WAIT_MS });
  assertCleanSession(s);
});

test('a facet with more values than it lists opens to all of them, and a value found there can be chosen', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  const listed = () => page.locator('[data-testid=facet-value][data-facet=user]').count();
  const more = page.locator('[data-testid=facet-more][data-facet=user]');
  assert.equal(await listed(), 8);
  const total = Number((await more.innerText()).match(/\d+/)[0]);
  assert.ok(total > 8, await more.innerText());
  assert.equal(await more.getAttribute('aria-expanded'), 'false');
  await more.click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=facet-value][data-facet=user]').length === n, total, { timeout: WAIT_MS });
  assert.equal(await more.getAttribute('aria-expanded'), 'true');
  // The least frequent identity, beyond the first eight: its count is what choosing it shows.
  const last = page.locator('[data-testid=facet-value][data-facet=user]').last();
  const [name, count] = [await last.getAttribute('data-value'), Number(await last.getAttribute('data-count'))];
  await last.click();
  await page.locator(`[data-testid=status][data-events-shown="${count}"][data-searching=false]`).waitFor({ timeout: WAIT_MS });
  assert.equal(await page.locator('[data-testid=search]').inputValue(), name.includes(' ') ? `user:"${name}"` : `user:${name}`);
  await more.click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=facet-value][data-facet=user]').length <= 9, null, { timeout: WAIT_MS });
  assertCleanSession(s);
});

test('Back and Forward step through the searches made, with the event selected in each, and the loaded logs stay', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  const kept = (await status(page)).eventsKept;
  const box = page.locator('[data-testid=search]');
  const searchIs = (v) => page.waitForFunction((v) => document.querySelector('[data-testid=search]').value === v, v, { timeout: WAIT_MS });
  await search(page, 'event:StartTranscriptionJob');
  const started = (await status(page)).eventsShown;
  assert.ok(started > 1 && started < kept);
  const first = page.locator('[data-testid=event-row]').first();
  const id = await first.getAttribute('data-event-id');
  await first.click();
  await page.waitForFunction((id) => location.hash.includes(`event=${id}`), id, { timeout: WAIT_MS });
  // A facet's click is a step of its own, however soon it comes after typing.
  await page.locator('[data-testid=facet-value][data-facet=region]').first().click();
  await page.waitForFunction(() => location.hash.includes('region'), null, { timeout: WAIT_MS });
  const withRegion = await box.inputValue();
  // Typed letter by letter after a pause: one step, not one per letter.
  await page.waitForTimeout(1100);
  await box.press('End');
  await box.pressSequentially(' -error:*', { delay: 40 });
  await page.waitForFunction(() => location.hash.includes('error'), null, { timeout: WAIT_MS });

  await page.goBack();
  await searchIs(withRegion);
  await page.goBack();
  await searchIs('event:StartTranscriptionJob');
  await page.locator(`[data-testid=status][data-events-shown="${started}"]`).waitFor({ timeout: WAIT_MS });
  // That step's event is selected again.
  await page.locator(`[data-testid=event-row][data-event-id="${id}"][aria-selected=true]`).waitFor({ timeout: WAIT_MS });
  await page.goBack();
  await searchIs('');
  await page.locator(`[data-testid=status][data-events-shown="${kept}"]`).waitFor({ timeout: WAIT_MS });
  await page.goForward();
  await page.locator(`[data-testid=status][data-events-shown="${started}"]`).waitFor({ timeout: WAIT_MS });
  assert.equal(await box.inputValue(), 'event:StartTranscriptionJob');
  // A change right after stepping back is a new step: the one Back came to is still there behind it.
  await page.locator('[data-testid=facet-value][data-facet=user]').first().click();
  await page.waitForFunction(() => location.hash.includes('user'), null, { timeout: WAIT_MS });
  await page.goBack();
  await searchIs('event:StartTranscriptionJob');
  // Still the same page, with the sample loaded: stepping back never left it.
  assert.equal((await status(page)).eventsKept, kept);
  assertCleanSession(s);
});

test('ticking "Show all events" keeps the selected event selected once the files are read again', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  const row = page.locator('[data-testid=event-row]').nth(3);
  const id = await row.getAttribute('data-event-id');
  await row.click();
  await page.waitForFunction((id) => location.hash.includes(`event=${id}`), id, { timeout: WAIT_MS });
  const kept = (await status(page)).eventsKept;
  await page.locator('[data-testid=show-all-events]').check();
  await page.waitForFunction((kept) => {
    const el = document.querySelector('[data-testid=status]');
    return el.dataset.state === 'ready' && Number(el.dataset.eventsKept) > kept;
  }, kept, { timeout: WAIT_MS });
  await page.waitForFunction((id) => document.querySelector('[data-testid=event-detail]')?.innerText.includes(`"eventID": "${id}"`), id, { timeout: WAIT_MS });
  assert.ok((await page.evaluate(() => location.hash)).includes(`event=${id}`));
  assertCleanSession(s);
});

// The n-th minute's ListTranscriptionJobs by the IAM user `user` (n below 10): a caller for the user facet.
const listedBy = (user, n) => ({
  eventVersion: '1.08',
  userIdentity: { type: 'IAMUser', userName: user },
  eventTime: `2026-03-02T08:0${n}:00Z`,
  eventSource: 'transcribe.amazonaws.com',
  eventName: 'ListTranscriptionJobs',
  awsRegion: 'us-east-1',
  sourceIPAddress: '192.0.2.1',
  eventID: `00000000-0000-0000-0000-00000000000${n}`,
  recipientAccountId: '111122223333',
});

test('a facet value holding a star is marked chosen once clicked, and a second click takes it out', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  await dropFiles(page, [{ name: 'stars.json', bytes: JSON.stringify({ Records: [listedBy('bot*1', 1), listedBy('bot-two', 2), listedBy('alice', 3)] }) }]);
  await waitReady(page);
  const box = page.locator('[data-testid=search]');
  const starred = page.locator('[data-testid=facet-value][data-facet=user][data-value="bot*1"]');
  await starred.click();
  // A wildcard that matches the value itself, and no other (bot-two is not bot*1).
  await page.locator('[data-testid=status][data-events-shown="1"][data-searching=false]').waitFor({ timeout: WAIT_MS });
  assert.equal(await box.inputValue(), 'user:bot*1');
  assert.equal(await starred.getAttribute('data-state'), 'included');
  assert.equal(await starred.getAttribute('aria-pressed'), 'true');
  await starred.click();
  await page.locator('[data-testid=status][data-events-shown="3"][data-searching=false]').waitFor({ timeout: WAIT_MS });
  assert.equal(await box.inputValue(), '');
  assert.equal(await starred.getAttribute('data-state'), null);
  assertCleanSession(s);
});

test('a chosen value marks each spelling it matches: user:bob marks both Bob and bob', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  await dropFiles(page, [{ name: 'case.json', bytes: JSON.stringify({ Records: [listedBy('Bob', 1), listedBy('Bob', 2), listedBy('bob', 3), listedBy('alice', 4)] }) }]);
  await waitReady(page);
  const value = (name) => page.locator(`[data-testid=facet-value][data-facet=user][data-value="${name}"]`);
  await value('bob').click();
  // Terms match whatever the case: three events, and both spellings marked as chosen.
  await page.locator('[data-testid=status][data-events-shown="3"][data-searching=false]').waitFor({ timeout: WAIT_MS });
  assert.equal(await page.locator('[data-testid=search]').inputValue(), 'user:bob');
  assert.equal(await value('bob').getAttribute('data-state'), 'included');
  assert.equal(await value('Bob').getAttribute('data-state'), 'included');
  assert.equal(await value('alice').getAttribute('data-state'), null);
  // Either one clicked takes the term out.
  await value('Bob').click();
  await page.locator('[data-testid=status][data-events-shown="4"][data-searching=false]').waitFor({ timeout: WAIT_MS });
  assert.equal(await page.locator('[data-testid=search]').inputValue(), '');
  assertCleanSession(s);
});
