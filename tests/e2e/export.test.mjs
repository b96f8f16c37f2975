// Export: exactly the shown events, as JSON Lines of the original records and as CSV that a spreadsheet
// shows but never runs. Files are made in the page; nothing is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  TEST_TIMEOUT_MS, WAIT_MS, CORPUS, corpusFile, useHarness, pickFiles, dropFiles, waitReady, status,
  assertCleanSession,
} from './harness.mjs';

const h = useHarness();

const hostile = {
  eventVersion: '1.08',
  userIdentity: { type: 'IAMUser', userName: '@mallory', accountId: '111122223333' },
  eventTime: '2022-03-07T16:00:00Z',
  eventSource: 'transcribe.amazonaws.com',
  eventName: 'StartTranscriptionJob',
  awsRegion: 'us-west-2',
  sourceIPAddress: '+203.0.113.9',
  userAgent: '=HYPERLINK("http://attacker.example/","click me")',
  requestParameters: { transcriptionJobName: '-2+3', languageCode: 'en-US' },
  responseElements: { transcriptionJob: { transcriptionJobName: '-2+3', transcriptionJobStatus: 'IN_PROGRESS' } },
  eventID: 'a0a0a0a0-0000-4000-8000-000000000001',
  eventType: 'AwsApiCall',
  recipientAccountId: '111122223333',
};

async function download(page, testid) {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: WAIT_MS }), page.locator(`[data-testid=${testid}]`).click()]);
  return readFileSync(await file.path(), 'utf8');
}

test('exports hold exactly the shown events; CSV cells that look like formulas are neutralised', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  await pickFiles(page, [corpusFile(CORPUS.transcribe)]);
  await waitReady(page);
  await dropFiles(page, [{ name: 'hostile.json', bytes: JSON.stringify({ Records: [hostile] }) }]);
  await waitReady(page);
  assert.equal((await status(page)).eventsShown, 3);

  const lines = (await download(page, 'export-jsonl')).trimEnd().split('\n');
  assert.equal(lines.length, 3);
  const ids = lines.map((l) => JSON.parse(l).eventID).sort();
  assert.deepEqual(ids, ['607b9532-1423-41c7-b048-ec2641693c47', 'a0a0a0a0-0000-4000-8000-000000000001', 'cdc4b7ed-e171-4cef-975a-ad829d4123e8']);
  // The original record, untouched but for white space.
  assert.deepEqual(JSON.parse(lines.find((l) => l.includes('a0a0a0a0'))), hostile);

  const file = await download(page, 'export-csv');
  // UTF-8's byte order mark first, so a spreadsheet reads names beyond ASCII as they are written.
  assert.ok(file.startsWith('\uFEFF'), `the CSV starts with ${JSON.stringify(file.slice(0, 8))}`);
  const csv = file.slice(1);
  const rows = csv.trimEnd().split('\r\n');
  assert.equal(rows.length, 4, csv);
  assert.match(rows[0], /^time,event,resource,status,identity,source_ip,region,error,user_agent,event_id$/);
  const row = rows.find((r) => r.includes('a0a0a0a0'));
  assert.ok(row.includes(`"'=HYPERLINK(""http://attacker.example/"",""click me"")"`), row);
  assert.ok(row.includes(`'@mallory`), row);
  assert.ok(row.includes(`'+203.0.113.9`), row);
  for (const cell of row.split(',')) assert.doesNotMatch(cell, /^"?[=+\-@\t\r]/, `cell ${cell} would run as a formula`);

  // Narrowed by a search, the export follows.
  await page.locator('[data-testid=search]').fill('event:GetTranscriptionJob');
  await page.locator('[data-testid=status][data-events-shown="1"]').waitFor({ timeout: WAIT_MS });
  const one = (await download(page, 'export-jsonl')).trimEnd().split('\n');
  assert.equal(one.length, 1);
  assert.equal(JSON.parse(one[0]).eventName, 'GetTranscriptionJob');
  assertCleanSession(s);
});
