// Nothing leaves the tab: the page's Content-Security-Policy blocks requests to other origins, in the page and
// in its workers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEST_TIMEOUT_MS, WAIT_MS, startHarness, startCanary, assertNoEgress, assertCleanSession,
} from './harness.mjs';

let h;
let canary;
before(async () => {
  canary = await startCanary();
  h = await startHarness();
});
after(async () => {
  await h?.close();
  await canary?.close();
});

async function tryFetches(target, urls) {
  return target.evaluate(async (urls) => {
    const out = {};
    for (const u of urls) {
      try {
        const r = await fetch(u, { cache: 'no-store' });
        out[u] = `resolved ${r.status}`;
      } catch (e) {
        out[u] = `rejected: ${e && e.name}`;
      }
    }
    return out;
  }, urls);
}

test('fetch to another origin is refused by the Content-Security-Policy', { timeout: TEST_TIMEOUT_MS }, async () => {
  const s = await h.openPage();
  const { page } = s;
  await page.evaluate(() => {
    window.__tsViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__tsViolations.push({ blockedURI: e.blockedURI, directive: e.effectiveDirective });
    });
  });
  const urls = ['http://127.0.0.1:9/x', 'https://example.com/', `${canary.origin}/page-fetch`];
  const results = await tryFetches(page, urls);
  for (const u of urls) assert.match(results[u], /^rejected/, `fetch(${u}) should reject: ${JSON.stringify(results)}`);

  // The console says why (Chromium logs "Refused to connect to ... Content Security Policy ...").
  const deadline = Date.now() + WAIT_MS;
  while (!s.console.some((m) => /Content Security Policy/i.test(m.text)) && Date.now() < deadline) {
    await page.waitForTimeout(100);
  }
  assert.ok(s.console.some((m) => /Content Security Policy/i.test(m.text)),
    `no console message mentions "Content Security Policy"; console: ${JSON.stringify(s.console, null, 1)}`);

  const violations = await page.evaluate(() => window.__tsViolations);
  for (const u of urls) {
    assert.ok(violations.some((v) => v.blockedURI && u.startsWith(v.blockedURI.replace(/\/$/, ''))),
      `no securitypolicyviolation for ${u}: ${JSON.stringify(violations)}`);
  }
  assert.deepEqual(canary.hits, [], 'a request reached another origin');
  assertNoEgress(s.requests, s.origin);
  assert.deepEqual(s.pageErrors, []);
  assert.deepEqual(s.dialogs, []);
});

test('the page\'s workers cannot reach another origin either', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const s = await h.openWithSample();
  const { page } = s;
  const workers = page.workers();
  t.diagnostic(`workers alive after loading the sample: ${workers.length} ${JSON.stringify(workers.map((w) => w.url()))}`);
  for (const [i, w] of workers.entries()) {
    const urls = ['https://example.com/', `${canary.origin}/worker-${i}`];
    const results = await tryFetches(w, urls);
    for (const u of urls) assert.match(results[u], /^rejected/, `fetch(${u}) from worker ${w.url()} should reject: ${JSON.stringify(results)}`);
  }
  await page.waitForTimeout(300);
  assert.deepEqual(canary.hits, [], `a request reached another origin: ${JSON.stringify(canary.hits)}`);
  assertCleanSession(s);
});
