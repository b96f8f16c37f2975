// Columns a person can resize: drag the grip at a header's right edge, or focus it and use the arrows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_TIMEOUT_MS, useHarness, status, assertCleanSession } from './harness.mjs';

const h = useHarness();

const width = (page, column) =>
  page.locator(`[data-testid=column-header][data-column=${column}]`).evaluate((el) => el.getBoundingClientRect().width);
const cellWidth = (page, column) =>
  page.locator(`[data-testid=event-row] .c-${column}`).first().evaluate((el) => el.getBoundingClientRect().width);

test('dragging a header grip or pressing the arrows on it resizes the column, header and cells alike', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openWithSample();
  const { page } = s;
  const before = await width(page, 'event');
  const sortBefore = await page.locator('[data-testid=column-header][data-column=event]').getAttribute('aria-sort');

  const grip = page.locator('[data-testid=column-resize][data-column=event]');
  const box = await grip.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 60, box.y + box.height / 2, { steps: 6 });
  await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2, { steps: 6 });
  await page.mouse.up();
  const dragged = await width(page, 'event');
  assert.ok(Math.abs(dragged - (before + 120)) <= 3, `dragging 120 px right: ${before} -> ${dragged}`);
  assert.ok(Math.abs((await cellWidth(page, 'event')) - dragged) <= 1, 'the cells follow the header');
  // Dragging the grip does not sort.
  assert.equal(await page.locator('[data-testid=column-header][data-column=event]').getAttribute('aria-sort'), sortBefore);

  await grip.focus();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  const keyed = await width(page, 'event');
  assert.ok(Math.abs(keyed - (dragged - 32)) <= 3, `two ArrowLeft presses: ${dragged} -> ${keyed}`);
  // The arrows resized the column rather than moving the selection.
  assert.equal(await page.locator('[data-testid=event-detail]').count(), 0);

  // Never narrower than the grip can be grabbed again.
  for (let i = 0; i < 30; i++) await page.keyboard.press('ArrowLeft');
  assert.ok((await width(page, 'event')) >= 40, 'a column keeps a usable width');
  assert.ok((await status(page)).eventsShown > 0);
  assertCleanSession(s);
});
