// Scale and hostile sizes: a 2 GB file streams through (the tab neither crashes nor holds it), 10,000 tiny
// files each get their outcome, and a 1 MB field is cut in the table but whole in the detail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, openSync, writeSync, closeSync, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  WAIT_MS, useHarness, pickFiles, pickFolder, waitReady, status, fileErrors, dropFiles, assertCleanSession,
} from './harness.mjs';

const h = useHarness();

const s3Record = (i) => JSON.stringify({
  eventVersion: '1.09',
  userIdentity: { type: 'AWSService', invokedBy: 'transcribe.amazonaws.com' },
  eventTime: '2026-03-02T08:00:00Z',
  eventSource: 's3.amazonaws.com',
  eventName: 'GetObject',
  awsRegion: 'us-east-1',
  sourceIPAddress: 'transcribe.amazonaws.com',
  userAgent: 'transcribe.amazonaws.com',
  requestParameters: { bucketName: 'call-recordings', key: `2026/03/02/call-${i}.wav` },
  responseElements: null,
  eventID: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  eventType: 'AwsApiDataEvent',
  recipientAccountId: '111122223333',
});

test('a 2 GB file streams through the workers: counted, not held', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'trailscope-2gb-'));
  const file = path.join(dir, 'big.jsonl');
  const fd = openSync(file, 'w');
  // 4 MiB blocks of JSON Lines until past 2 GiB; the user agent mentions Transcribe, so the prefilter must
  // read each record in full to rule it out.
  const lines = [];
  let n = 0;
  let block = '';
  while (block.length < 4 << 20) {
    const line = s3Record(n++) + '\n';
    lines.push(line);
    block += line;
  }
  const perBlock = n;
  const buffer = Buffer.from(block);
  let written = 0;
  let blocks = 0;
  while (written < 2 ** 31 + 1) {
    writeSync(fd, buffer);
    written += buffer.length;
    blocks += 1;
  }
  closeSync(fd);
  assert.ok(statSync(file).size > 2 ** 31);
  try {
    const s = await h.openPage();
    const { page } = s;
    await pickFiles(page, [file]);
    await waitReady(page, { timeout: 540_000 });
    const st = await status(page);
    assert.equal(st.filesOk, 1, `${JSON.stringify(st)} ${JSON.stringify(await fileErrors(page))}`);
    assert.equal(st.eventsTotal, perBlock * blocks);
    assert.equal(st.eventsKept, 0);
    assertCleanSession(s);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('10,000 tiny files in a folder: every one read', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'trailscope-10k-'));
  for (let i = 0; i < 10_000; i++) {
    writeFileSync(path.join(dir, `f${i}.json`), `{"Records":[${s3Record(i)}]}`);
  }
  try {
    const s = await h.openPage();
    const { page } = s;
    await pickFolder(page, dir, 10_000);
    await waitReady(page, { timeout: 540_000 });
    const st = await status(page);
    assert.equal(st.filesOk, 10_000, JSON.stringify(st));
    assert.equal(st.filesFailed, 0);
    assert.equal(st.eventsTotal, 10_000);
    assertCleanSession(s);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a 1 MB field and hidden characters: cut and revealed in the table, whole in the detail', { timeout: 120_000 }, async () => {
  const huge = 'A'.repeat(1 << 20);
  const record = {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', userName: 'eve\u202Egnp.exe' },
    eventTime: '2026-03-02T08:00:00Z',
    eventSource: 'transcribe.amazonaws.com',
    eventName: 'StartTranscriptionJob',
    awsRegion: 'us-east-1',
    sourceIPAddress: '192.0.2.7',
    userAgent: huge,
    requestParameters: { transcriptionJobName: `job\u200Bone-${huge.slice(0, 300)}` },
    eventID: 'b1b1b1b1-0000-4000-8000-000000000001',
    recipientAccountId: '111122223333',
  };
  const s = await h.openPage();
  const { page } = s;
  await dropFiles(page, [{ name: 'huge.json', bytes: JSON.stringify({ Records: [record] }) }]);
  await waitReady(page);
  const row = page.locator('[data-testid=event-row]').first();
  const text = await row.innerText();
  assert.match(text, /eve⟨U\+202E⟩gnp\.exe/, 'the right-to-left override is shown, not obeyed');
  assert.match(text, /job⟨U\+200B⟩one/, 'the zero-width space is shown');
  assert.match(text, /… \(\+\d+ characters\)/, 'the long resource name is cut visibly');
  assert.ok(text.length < 5000, `the row holds ${text.length} characters`);
  await row.click();
  const detail = await page.locator('[data-testid=event-detail]').innerText();
  assert.ok(detail.includes(huge), 'the detail shows the whole field');
  assertCleanSession(s);
});
