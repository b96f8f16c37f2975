// Offline: after one visit, the page reloads and works with the network off (its service worker serves
// the page's own files from its cache).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEST_TIMEOUT_MS, WAIT_MS, useHarness, loadSample, waitReady, status, expectSome, assertNoEgress,
} from './harness.mjs';

const h = useHarness();

test('with the network off, a reload still shows the page and the sample loads', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page, context } = s;
  // Wait until the service worker controls the page, i.e. the page's files are cached.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
  });
  await context.setOffline(true);
  await page.reload({ waitUntil: 'load' });
  await page.locator('[data-testid=status][data-state=idle]').waitFor({ state: 'visible', timeout: WAIT_MS });
  await loadSample(page);
  await waitReady(page);
  const st = await status(page);
  assert.ok(st.filesOk > 0 && st.eventsKept > 0, `the sample should load offline: ${JSON.stringify(st)}`);
  await expectSome(page, '[data-testid=event-row]');
  assertNoEgress(s.requests, s.origin);
  await context.setOffline(false);
});
