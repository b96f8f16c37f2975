// What a first visit downloads: the page's code stays under 400 KB gzipped, and the built-in sample's
// worker (which carries the data generator) is fetched only when someone asks for the sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { TEST_TIMEOUT_MS, distDir, useHarness, loadSample, waitReady, status } from './harness.mjs';

const h = useHarness();

// The bytes a visit fetched from the page's own server, gzipped as a static host would send them.
function fetched(requests, origin) {
  const names = new Set();
  for (const r of requests) {
    if (!r.url.startsWith(origin)) continue;
    const name = new URL(r.url).pathname.replace(/^\//, '') || 'index.html';
    names.add(name);
  }
  const sizes = {};
  for (const name of names) {
    sizes[name] = gzipSync(readFileSync(path.join(distDir(), name)), { level: 9 }).length;
  }
  return sizes;
}

const total = (sizes) => Object.values(sizes).reduce((a, b) => a + b, 0);

test('a first visit downloads under 400 KB gzipped, and the sample only when asked', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  // The reading workers start as the page opens; wait until they have fetched their module.
  const deadline = Date.now() + 30_000;
  while (!s.requests.some((r) => r.url.endsWith('/worker_bg.wasm')) && Date.now() < deadline) await page.waitForTimeout(100);
  await page.waitForTimeout(1000);
  // The service worker's script is fetched by the browser, not by the page, so the page's requests do
  // not list it: a first visit downloads it all the same.
  const first = { ...fetched(s.requests, s.origin), 'sw.js': gzipSync(readFileSync(path.join(distDir(), 'sw.js')), { level: 9 }).length };
  assert.ok(first['page_bg.wasm'] && first['worker_bg.wasm'], `the visit should fetch the page and the worker: ${JSON.stringify(first)}`);
  assert.ok(!Object.keys(first).some((n) => n.startsWith('tools')), `the sample's worker is fetched before it is asked for: ${JSON.stringify(first)}`);
  assert.ok(total(first) < 400_000, `a first visit downloads ${total(first)} B gzipped: ${JSON.stringify(first)}`);

  await loadSample(page);
  await waitReady(page);
  const after = fetched(s.requests, s.origin);
  assert.ok(after['tools_bg.wasm'], `asking for the sample fetches its worker: ${JSON.stringify(after)}`);
  const st = await status(page);
  assert.ok(st.eventsKept > 100, `the sample loads: ${JSON.stringify(st)}`);
});
