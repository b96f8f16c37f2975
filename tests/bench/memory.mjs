// Browser benchmark for `cargo xtask bench`: peak memory while the built page loads a large gzipped delivery
// set (about 2 GB of gzip by default), Transcribe events only. The renderer process holds the page, its
// workers and all their wasm memories, so its peak resident size, sampled every 100 ms from /proc while
// loading, bounds "JS heap + wasm memory of all workers". Printed in MB and in bytes per kept event.
//
// Environment: TRAILSCOPE_DIST, TRAILSCOPE_MEMORY_SET (a folder made by the generate example),
// TRAILSCOPE_CHROMIUM. Linux only (reads /proc).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { distDir, startServer, launchBrowser } from '../e2e/harness.mjs';
import { rendererRss } from './renderer.mjs';

const dir = process.env.TRAILSCOPE_MEMORY_SET;
if (!dir) throw new Error('TRAILSCOPE_MEMORY_SET is not set');
const truth = JSON.parse(readFileSync(path.join(dir, 'truth.json'), 'utf8'));
const files = readdirSync(dir).filter((n) => n.endsWith('.gz')).map((n) => path.join(dir, n));
const gzBytes = files.reduce((sum, f) => sum + statSync(f).size, 0);

// The renderer's resident bytes, or 0 where /proc cannot tell.
const rss = () => rendererRss() ?? 0;

const server = await startServer(distDir());
const browser = await launchBrowser();
try {
  const page = await (await browser.newContext()).newPage();
  await page.goto(server.url, { waitUntil: 'load' });
  await page.locator('[data-testid=status][data-state=idle]').waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1000);
  const idle = rss();
  let peak = idle;
  const sampler = setInterval(() => { peak = Math.max(peak, rss()); }, 100);
  const started = Date.now();
  await page.locator('[data-testid=file-input]').setInputFiles(files);
  await page.waitForFunction((n) => {
    const el = document.querySelector('[data-testid=status]');
    return el?.getAttribute('data-state') === 'ready' && Number(el.getAttribute('data-files-ok')) + document.querySelectorAll('[data-testid=file-error]').length >= n;
  }, files.length, { timeout: 3_600_000, polling: 500 });
  const seconds = (Date.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, rss());
  const st = await page.locator('[data-testid=status]').evaluate((el) => ({ ...el.dataset }));
  const kept = Number(st.eventsKept);
  const mb = (b) => `${(b / 1e6).toFixed(0)} MB`;
  console.log('');
  console.log(`peak memory loading ${files.length} files, ${mb(gzBytes)} of gzip, ${Number(st.eventsTotal).toLocaleString('en')} records ` +
    `(truth ${truth.n_records.toLocaleString('en')}), ${kept.toLocaleString('en')} Transcribe events kept, in ${seconds.toFixed(0)} s:`);
  console.log(`  renderer (page + workers + wasm memories): idle ${mb(idle)}, peak ${mb(peak)}, ` +
    `peak over idle ${((peak - idle) / Math.max(kept, 1)).toFixed(0)} bytes per kept event; ` +
    `the gzip read was ${(gzBytes / Math.max(peak - idle, 1)).toFixed(1)}x the memory it took`);
  if (Number(st.eventsTotal) !== truth.n_records || kept !== truth.n_transcribe) {
    console.log(`MISMATCH counts: ${JSON.stringify(st)} against truth records ${truth.n_records}, kept ${truth.n_transcribe}`);
    process.exitCode = 1;
  }
} finally {
  await browser.close().catch(() => {});
  await server.close();
}
