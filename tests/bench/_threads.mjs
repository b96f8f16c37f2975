// Experiment: per-thread CPU of Chromium during one Transcribe-only load.
import { readdirSync, readFileSync } from 'node:fs';
import { startServer, launchBrowser, generatedSet } from '../e2e/harness.mjs';
function descendants() {
  const parent = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try { const stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); parent.set(Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])); } catch {}
  }
  const mine = (pid) => { for (let p = pid, h = 0; p > 1 && h < 64; p = parent.get(p) ?? 0, h++) if (p === process.pid) return true; return false; };
  return [...parent.keys()].filter((pid) => pid !== process.pid && mine(pid));
}
function snap() {
  const out = new Map();
  for (const pid of descendants()) {
    let type = 'browser';
    try { const m = /--type=([a-z-]+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8')); if (m) type = m[1]; } catch { continue; }
    let tasks = []; try { tasks = readdirSync(`/proc/${pid}/task`); } catch { continue; }
    for (const tid of tasks) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const k = `${type}:${Number(tid) === pid ? 'MAIN' : name}`;
        out.set(k, (out.get(k) || 0) + (Number(f[11]) + Number(f[12])) / 100);
      } catch {}
    }
  }
  return out;
}
const set = generatedSet();
const server = await startServer(process.env.TRAILSCOPE_DIST);
const browser = await launchBrowser();
for (let run = 0; run < 3; run++) {
  const context = await browser.newContext(); const page = await context.newPage();
  await page.addInitScript(() => {
    const Base = window.Worker; window.__log = []; let n = 0;
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__log.push(['LONG', e.startTime, e.duration]); }).observe({ entryTypes: ['longtask'] });
    document.addEventListener('change', () => window.__log.push(['change', performance.now()]), true);
    window.Worker = class extends Base { constructor(...a) { super(...a); const id = n++; this.addEventListener('message', (e) => window.__log.push([`w${id}:${e.data?.kind}`, performance.now(), e.data?.ms])); const post = this.postMessage.bind(this); this.postMessage = (m, t) => { window.__log.push([`to w${id}`, performance.now(), m?.files?.length]); return post(m, t); }; } };
  });
  await page.goto(server.url, { waitUntil: 'load' });
  await page.locator('[data-testid=status][data-state=idle]').waitFor({ state: 'visible', timeout: 60000 });
  await page.waitForTimeout(4000);
  const before = snap(); const t0 = Date.now(); const p0 = await page.evaluate(() => performance.now());
  await page.locator('[data-testid=file-input]').setInputFiles(set.files);
  await page.waitForFunction((n) => { const el = document.querySelector('[data-testid=status]'); return el?.getAttribute('data-state') === 'ready' && Number(el.getAttribute('data-files-ok')) >= n; }, set.files.length, { timeout: 120000, polling: 50 });
  const ms = Date.now() - t0; const after = snap();
  const log = await page.evaluate(() => window.__log);
  const evs = log.filter(([, t]) => t >= p0 - 1).map(([k, t, x]) => `${k}@${(t - p0).toFixed(0)}${x != null ? '(' + (typeof x === 'number' ? x.toFixed ? x.toFixed(0) : x : '') + ')' : ''}`);
  const sums = {}; for (const [k, t, x] of log) if (t >= p0 && /done/.test(k)) sums[k] = (sums[k] || 0) + (x || 0);
  console.log(JSON.stringify(sums), log.filter(([k, t]) => k === 'LONG' && t >= p0 - 200).map(([, t, d]) => `long@${(t - p0).toFixed(0)}+${d.toFixed(0)}`).join(' '), 'last done', Math.max(...log.filter(([k]) => /done/.test(k)).map(([, t]) => t - p0)).toFixed(0));
  const rows = [...after].map(([k, v]) => [k, v - (before.get(k) || 0)]).filter(([, d]) => d > 0.005).sort((a, b) => b[1] - a[1]);
  console.log(`run ${run}: ${ms} ms, total ${rows.reduce((s, [, d]) => s + d, 0).toFixed(2)} s`);
  for (const [k, d] of rows) console.log('  ', d.toFixed(2).padStart(6), k);
  await context.close();
}
await browser.close(); server.close?.();
