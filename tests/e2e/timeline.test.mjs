// The timeline: dragging across it narrows the shown events to that time range; clearing brings them back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_TIMEOUT_MS, WAIT_MS, useHarness, loadSample, waitReady, status, assertCleanSession } from './harness.mjs';

const h = useHarness();

test('brushing the timeline sets the time range; the table and counts follow', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  await loadSample(page);
  await waitReady(page);
  const before = await status(page);
  assert.equal(before.eventsShown, before.eventsKept);

  const box = await page.locator('[data-testid=timeline]').boundingBox();
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.3, y, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(() => {
    const el = document.querySelector('[data-testid=status]');
    return Number(el.getAttribute('data-events-shown')) < Number(el.getAttribute('data-events-kept'));
  }, null, { timeout: WAIT_MS });
  const narrowed = await status(page);
  assert.ok(narrowed.eventsShown > 0 && narrowed.eventsShown < narrowed.eventsKept, JSON.stringify(narrowed));
  const rows = await page.locator('[data-testid=event-row]').count();
  assert.ok(rows > 0, 'rows of the range are shown');

  await page.locator('[data-testid=clear-range]').click();
  await page.locator(`[data-testid=status][data-events-shown="${before.eventsKept}"]`).waitFor({ timeout: WAIT_MS });
  assertCleanSession(s);
});
