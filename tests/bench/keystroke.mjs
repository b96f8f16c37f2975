// Browser benchmark for `cargo xtask bench`: with a million events loaded in the built page ("show all
// events" ticked over a generated set), the time from a keystroke in the search box to the table showing
// the new rows (the next frame painted after data-events-shown changed), for field terms, a facet click and
// free text (first rows and whole answer). Also the page's memory once loaded. Prints figures only.
//
// Environment: TRAILSCOPE_DIST (the built page), TRAILSCOPE_KEYSTROKE_SET (a folder made by
// `cargo run --release -p trailscope-core --example generate -- DIR 1000000 200`), TRAILSCOPE_CHROMIUM.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { distDir, startServer, launchBrowser } from '../e2e/harness.mjs';
import { rendererRss } from './renderer.mjs';

const dir = process.env.TRAILSCOPE_KEYSTROKE_SET;
if (!dir) throw new Error('TRAILSCOPE_KEYSTROKE_SET is not set');
const truth = JSON.parse(readFileSync(path.join(dir, 'truth.json'), 'utf8'));
const files = readdirSync(dir).filter((n) => n.endsWith('.gz')).map((n) => path.join(dir, n));
const log = (...a) => console.error('#', ...a);

const server = await startServer(distDir());
const browser = await launchBrowser();
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(server.url, { waitUntil: 'load' });
  await page.locator('[data-testid=status][data-state=idle]').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid=show-all-events]').check();
  const started = Date.now();
  await page.locator('[data-testid=file-input]').setInputFiles(files);
  await page.waitForFunction((n) => {
    const el = document.querySelector('[data-testid=status]');
    return el?.getAttribute('data-state') === 'ready' && Number(el.getAttribute('data-files-ok')) + document.querySelectorAll('[data-testid=file-error]').length >= n;
  }, files.length, { timeout: Number(process.env.TRAILSCOPE_KEYSTROKE_TIMEOUT_MS ?? 1_800_000), polling: 250 }).catch(async (e) => {
    const st = await page.locator("[data-testid=status]").evaluate((el) => el.outerHTML);
    throw new Error(`the load did not finish: ${st}`);
  });
  const kept = Number(await page.locator('[data-testid=status]').getAttribute('data-events-kept'));
  log(`loaded ${kept} events from ${files.length} files in ${((Date.now() - started) / 1000).toFixed(1)} s (truth: ${truth.n_distinct_all})`);

  // Types `text` into the search box as one input event and times it to the frame that shows the answer.
  // `until` is 'first' (rows shown, even while a search over the JSON goes on) or 'done'.
  const keystroke = (text, until) => page.evaluate(async ({ text, until }) => {
    const input = document.querySelector('[data-testid=search]');
    const status = document.querySelector('[data-testid=status]');
    const before = `${status.dataset.eventsShown}/${status.dataset.searching}`;
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    const t0 = performance.now();
    input.value = text;
    input.dispatchEvent(new InputEvent('input', { bubbles: true }));
    const ready = () => `${status.dataset.eventsShown}/${status.dataset.searching}` !== before
      && (until === 'first' || status.dataset.searching === 'false');
    while (!ready()) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (performance.now() - t0 > 120_000) break;
    }
    await frame();
    return { ms: performance.now() - t0, shown: Number(status.dataset.eventsShown) };
  }, { text, until });

  // Best of three per case, each typed from its starting text.
  const measure = async (list) => {
    for (const [label, text, until, from = ''] of list) {
      const best = [];
      for (let i = 0; i < 3; i++) {
        if ((await page.locator('[data-testid=search]').inputValue()) !== from) await keystroke(from, 'done');
        best.push(await keystroke(text, until));
      }
      best.sort((a, b) => a.ms - b.ms);
      console.log(`  ${label.padEnd(28)} ${best[0].ms.toFixed(0).padStart(7)} ms  ${String(best[0].shown).padStart(8)} rows  (${text || '(empty)'})`);
    }
  };

  const cases = [
    ['field terms', 'user:alice status:FAILED', 'done'],
    ['field terms, one more key', 'user:alice status:FAILED -event:GetTranscriptionJob', 'done'],
    ['CIDR and negation', 'ip:198.51.100.0/24 -error:*', 'done'],
    ['free text, first rows', 'accessdenied', 'first'],
    ['free text, whole answer', 'accessdenie', 'done'],
    ['free text, a common name', 'alice', 'done'],
    ['free text, three letters', 'kms', 'done'],
    // Typing on: the last answer's rows are the only ones looked at.
    ['free text, typed on (alic+e)', 'alice', 'done', 'alic'],
    ['free text, typed on (km+s)', 'kms', 'done', 'km'],
    ['JSON path, whole answer', 'requestParameters.languageCode:de-DE', 'done'],
    ['cleared, all rows back', '', 'done', 'user:alice'],
  ];

  console.log('');
  console.log(`keystroke to table updated, ${kept} events loaded in Chromium:`);
  await measure(cases);

  const cdp = await context.newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
  const rss = rendererRss() ?? 0;
  console.log(`  memory after load: JS heap ${(heap / 1e6).toFixed(0)} MB (page thread), renderer RSS ${(rss / 1e6).toFixed(0)} MB ` +
    `(page, workers and wasm memories), ${(rss / kept).toFixed(0)} bytes per kept event`);
  await context.close();
} finally {
  await browser.close().catch(() => {});
  await server.close();
}
