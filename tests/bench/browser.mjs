// Browser benchmark for `cargo xtask bench`: the built page loading every file of a generated set through
// `file-input`, timed from setInputFiles to data-state="ready" (best of 3, each in a fresh page), Transcribe
// events only and with show-all-events ticked. The files are picked two seconds after the page's reading
// workers say they are ready, as a person picking files gives them time to be (and the browser time to
// finish optimising their code); one row picks them as the page opens. Beside it
// `gzip -dc FILES | jq ... | wc -l` on the same files (best of 2). Checks the page's counts against
// truth.json: prints MISMATCH and exits 1 when they differ. Beside them, the native command line on one
// core and on all, and the core's ingest alone as a wasm module in a Chromium worker, for wasm against native.
// Also prints the page's memory after a load and the gzipped size of the page's code.
//
// Environment: TRAILSCOPE_DIST (the built page) and TRAILSCOPE_GENERATED (the set, e.g. 200,000 events in 100
// files: `cargo run -q --release -p trailscope-core --example generate -- target/bench-generated 200000 100`),
// TRAILSCOPE_GENERATED_MANY (optional: the same number of events in many small files, e.g. 4,000, as a trail
// of quiet accounts delivers them; its rows time the page with them picked and with their folder dropped
// from disk, and jq on them, so the cost per file shows),
// TRAILSCOPE_CHROMIUM (defaults to /usr/bin/chromium), TRAILSCOPE_CLI and TRAILSCOPE_WASM_INGEST (their rows
// are left out when missing). Plain node script: `node tests/bench/browser.mjs`.

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { REPO_ROOT, distDir, generatedSet, startServer, launchBrowser, dragFromDisk } from '../e2e/harness.mjs';
import { chromiumCpu, rendererRss } from './renderer.mjs';

const BROWSER_RUNS = 3;
const JQ_RUNS = 2;
const PICK_AFTER_MS = 2000;
const LOAD_TIMEOUT_MS = 600_000;
const JQ_FILTER = 'select(.Records) | .Records[] | select(.eventSource=="transcribe.amazonaws.com" or .eventSource=="transcribestreaming.amazonaws.com")';

const log = (...a) => console.error('#', ...a);
const mismatches = [];

// One load in a fresh page. Returns { seconds, status, heap, workers }.
async function browserRun(browser, url, set, showAll, workers = null, atOnce = false, drop = null) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // Counts the page's workers that said they are ready (wasm compiled, warmed up and listening), and sums
    // the time each answer says its worker spent on its file (and, of it, waiting for file slices), from
    // outside the page: the page itself is not changed.
    await page.addInitScript(() => {
      const Base = window.Worker;
      window.__benchReadyWorkers = 0;
      // When the page hears of the picked files: before it, the browser builds the file list (with
      // thousands of files, a second or more here, most of it the test driver's own work).
      // The file input's only: ticking show-all also fires a change, before the files are picked.
      document.addEventListener('change', (e) => {
        if (e.target?.matches?.('[data-testid=file-input]')) window.__benchChangeAt ??= performance.now();
      }, true);
      // The page's tasks over 50 ms: while one runs, the tab answers no click or key.
      window.__benchLongTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__benchLongTasks.push([e.startTime, e.duration]);
      }).observe({ entryTypes: ['longtask'] });
      window.__benchWorkerMs = 0;
      window.__benchSliceMs = 0;
      window.Worker = class extends Base {
        constructor(...args) {
          super(...args);
          this.addEventListener('message', (e) => {
            if (e.data?.kind === 'ready') window.__benchReadyWorkers++;
            if (e.data?.kind === 'done') {
              window.__benchWorkerMs += e.data.ms || 0;
              window.__benchSliceMs += e.data.readMs || 0;
            }
          });
        }
      };
    });
    if (workers != null) {
      // The page starts one reading worker per navigator.hardwareConcurrency: one, for wasm on one core.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency: workers });
    }
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e?.stack || e)));
    await page.goto(url, { waitUntil: 'load' });
    await page.locator('[data-testid=status][data-state=idle]').waitFor({ state: 'visible', timeout: 60_000 });
    if (!atOnce) {
      // A person opens the page and then picks files, which takes longer than the page takes to start its
      // reading workers (one per core, at most 8) and warm them up. The browser goes on optimising the code
      // that warm-up ran, on the same cores, for about a second more (picked at once, a load here took
      // 1.5-1.9 s instead of 1.3-1.4 s): the timed pick comes two seconds after the last worker is ready.
      await page.waitForFunction(() => window.__benchReadyWorkers >= Math.min(8, Math.max(1, navigator.hardwareConcurrency || 1)),
        null, { timeout: 60_000, polling: 20 });
      await page.waitForTimeout(PICK_AFTER_MS);
    }
    if (showAll) {
      // Ticked first, then the files are picked. (With nothing loaded yet the page does not return to "ready"
      // after the tick; the timed load below waits for the outcome of every picked file.)
      await page.locator('[data-testid=show-all-events]').check();
    }
    // Record, in the page, the moment every picked file has its outcome and the status says ready.
    const expected = set.files.length;
    await page.evaluate((expected) => {
      const done = () => {
        const el = document.querySelector('[data-testid=status]');
        if (!el || el.getAttribute('data-state') !== 'ready') return false;
        const ok = Number(el.getAttribute('data-files-ok') ?? 0) || 0;
        return ok + document.querySelectorAll('[data-testid=file-error]').length >= expected;
      };
      window.__benchReadyAt = null;
      const observer = new MutationObserver(() => {
        if (window.__benchReadyAt == null && done()) {
          window.__benchReadyAt = performance.now();
          observer.disconnect();
        }
      });
      observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
    }, expected);
    const cpuBefore = chromiumCpu();
    const t0 = await page.evaluate(() => performance.now());
    if (drop) {
      // The folder `drop` dropped from disk as the operating system drops it (Chromium's own drag, through
      // the DevTools protocol): the page walks its entries rather than reading a picker's file list.
      await dragFromDisk(page, [drop]);
    } else {
      await page.locator('[data-testid=file-input]').setInputFiles(set.files);
    }
    await page.waitForFunction(() => window.__benchReadyAt != null, null, { timeout: LOAD_TIMEOUT_MS, polling: 100 });
    const cpuAfter = chromiumCpu();
    const readyAt = await page.evaluate(() => window.__benchReadyAt);
    const changeAt = await page.evaluate(() => window.__benchChangeAt);
    // The longest the page's thread was busy in one go once the page had the files (a drop has no change
    // event: from the drop). The task that builds a picked file list, before, is the browser's own.
    const heardAt = changeAt ?? t0;
    const longestTask = await page.evaluate((from) => Math.max(0, ...window.__benchLongTasks
      .filter(([start, duration]) => start + duration > from).map(([start, duration]) => start + duration - Math.max(start, from))), heardAt);
    const status = await page.locator('[data-testid=status]').evaluate((el) => {
      const out = {};
      for (const [k, v] of Object.entries(el.dataset)) out[k] = /^-?\d+$/.test(v) ? Number(v) : v;
      return out;
    });
    status.fileErrors = await page.locator('[data-testid=file-error]').count();
    if (pageErrors.length) {
      const line = `MISMATCH uncaught errors in the page: ${pageErrors.join("\n")}`;
      console.log(line);
      mismatches.push(line);
    }

    const { workerMs, sliceMs } = await page.evaluate(() => ({ workerMs: window.__benchWorkerMs, sliceMs: window.__benchSliceMs }));
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name) => metrics.find((m) => m.name === name)?.value;
    return {
      seconds: (readyAt - t0) / 1000,
      beforeChange: changeAt == null ? null : (changeAt - t0) / 1000,
      longestTask,
      workerSeconds: workerMs == null ? null : workerMs / 1000,
      sliceSeconds: sliceMs == null ? null : sliceMs / 1000,
      status,
      heap: { used: metric('JSHeapUsedSize'), total: metric('JSHeapTotalSize') },
      workers: page.workers().length,
      workersAsked: workers,
      rendererRss: rendererRss(),
      // Read when the page noticed it was ready, give or take the 100 ms of polling.
      cpu: cpuBefore && cpuAfter && Object.fromEntries(Object.keys(cpuAfter).map((k) => [k, cpuAfter[k] - cpuBefore[k]])),
    };
  } finally {
    await context.close().catch(() => {});
  }
}

function checkCounts(status, truth, showAll, label) {
  const want = {
    filesOk: truth.files.length,
    filesFailed: 0,
    fileErrors: 0,
    eventsTotal: truth.n_records,
    eventsKept: showAll ? truth.n_distinct_all : truth.n_transcribe,
    duplicates: showAll ? truth.n_duplicates_all : truth.n_duplicates_transcribe,
  };
  for (const [k, v] of Object.entries(want)) {
    if (status[k] !== v) {
      const line = `MISMATCH ${label}: ${k} = ${status[k]}, truth.json says ${v} (status: ${JSON.stringify(status)})`;
      console.log(line);
      mismatches.push(line);
    }
  }
}

function jqRun(files) {
  const started = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', `set -o pipefail; gzip -dc "$@" | jq -c '${JQ_FILTER}' | wc -l`, 'bench', ...files],
    { encoding: 'utf8', maxBuffer: 1 << 20 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.error || r.status !== 0) throw new Error(`gzip -dc | jq failed (${r.error ?? `exit ${r.status}`}): ${r.stderr}`);
  return { seconds, lines: Number(r.stdout.trim()) };
}

// The command line (the same core, native) on the same files, for the wasm-against-native ratio measured in
// the same run. Built by `cargo xtask bench` before this script; skipped with a note when it is missing.
function nativeRun(cli, files, threads) {
  const started = process.hrtime.bigint();
  const r = spawnSync(cli, ['scan', '--quiet', '--threads', String(threads), ...files], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.error || r.status !== 0) throw new Error(`${cli} failed (${r.error ?? `exit ${r.status}`}): ${r.stderr}`);
  return { seconds };
}

// The core's ingest alone (crates/core/examples/wasm_ingest.rs, built for wasm32-wasip1), in a Chromium
// worker on one core: every file in path order into one store, as `trailscope scan --threads 1` does, timed
// inside the worker. Best of WASM_CORE_PASSES passes in the same worker (its first pass is also when the
// browser optimises the code). Served from a server of its own: the page's policy allows no other module.
const WASM_CORE_PASSES = 8;
async function wasmCoreRun(browser, wasmPath, files) {
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? '/');
    if (url === '/core.wasm') {
      res.setHeader('content-type', 'application/wasm');
      res.end(readFileSync(wasmPath));
    } else if (url.startsWith('/file/')) {
      res.end(readFileSync(files[Number(url.slice(6))]));
    } else {
      res.setHeader('content-type', 'text/html');
      res.end('<!doctype html><title>wasm ingest</title>');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    return await page.evaluate(async ({ origin, n, passes }) => {
      // Errors go back as a message: a rejection in an async handler never reaches the page's onerror.
      const source = `onmessage = async () => { try {
        const files = await Promise.all(Array.from({ length: ${n} }, async (_, i) =>
          new Uint8Array(await (await fetch('${origin}/file/' + i)).arrayBuffer())));
        let memory;
        // The few WASI calls std makes: no environment, a clock, output dropped, exit as an error.
        const wasi = {
          environ_sizes_get: (count, size) => { new Uint32Array(memory.buffer, count, 1)[0] = 0; new Uint32Array(memory.buffer, size, 1)[0] = 0; return 0; },
          environ_get: () => 0,
          clock_time_get: (id, precision, at) => { new BigUint64Array(memory.buffer, at, 1)[0] = BigInt(Math.round(performance.now() * 1e6)); return 0; },
          fd_write: () => 52,
          proc_exit: (code) => { throw new Error('exit ' + code); },
        };
        const { instance } = await WebAssembly.instantiateStreaming(fetch('${origin}/core.wasm'), { wasi_snapshot_preview1: wasi });
        const e = instance.exports;
        memory = e.memory;
        const at = files.map((f) => { const p = e.alloc(f.length); new Uint8Array(e.memory.buffer, p, f.length).set(f); return [p, f.length]; });
        const passes = [];
        for (let k = 0; k < ${passes}; k++) {
          const t = performance.now();
          let records = 0;
          for (const [p, len] of at) records += e.ingest(p, len);
          const kept = e.finish();
          passes.push({ seconds: (performance.now() - t) / 1000, records, kept });
        }
        postMessage(passes);
      } catch (error) { postMessage({ error: String(error) }); } };`;
      const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
      return await new Promise((resolve, reject) => {
        worker.onmessage = (e) => (e.data?.error ? reject(new Error(`wasm ingest: ${e.data.error}`)) : resolve(e.data));
        worker.onerror = (e) => reject(new Error(e.message));
        worker.postMessage(0);
      });
    }, { origin, n: files.length, passes: WASM_CORE_PASSES });
  } finally {
    await context.close().catch(() => {});
    await new Promise((resolve) => server.close(resolve));
  }
}

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
const mb = (n) => (n == null ? '?' : `${(n / 1e6).toFixed(1)} MB`);

async function main() {
  const dist = distDir();
  const set = generatedSet();
  const { truth } = set;
  const decoded = set.files.reduce((sum, f) => sum + gunzipSync(readFileSync(f)).length, 0);
  log(`${set.files.length} files from ${set.dir}: ${mb(set.bytes)} gzipped, ${mb(decoded)} decoded; ` +
    `${truth.n_records} records, ${truth.n_transcribe} Transcribe events`);

  const manySet = process.env.TRAILSCOPE_GENERATED_MANY ? generatedSet(process.env.TRAILSCOPE_GENERATED_MANY) : null;
  const server = await startServer(dist);
  let browser;
  const results = {};
  try {
    browser = await launchBrowser();
    const cases = [
      ['transcribe', false, null, 'browser, Transcribe only'],
      ['atOnce', false, null, 'browser, picked as the page opens', true],
      ['all', true, null, 'browser, all events kept'],
      ['one', false, 1, 'browser, 1 worker'],
    ];
    for (const [key, showAll, workers, label, atOnce = false] of cases) {
      let best = null;
      for (let i = 0; i < BROWSER_RUNS; i++) {
        const run = await browserRun(browser, server.url, set, showAll, workers, atOnce);
        log(`${label}: run ${i + 1}: ${run.seconds.toFixed(2)} s`);
        checkCounts(run.status, truth, showAll, `${label} (run ${i + 1})`);
        if (!best || run.seconds < best.seconds) best = run;
      }
      results[key] = { label, ...best };
    }
    if (manySet) {
      // The same files in a folder of their own (without truth.json), to drop whole.
      const folder = path.join(mkdtempSync(path.join(tmpdir(), 'trailscope-bench-')), 'AWSLogs');
      mkdirSync(folder);
      for (const f of manySet.files) copyFileSync(f, path.join(folder, path.basename(f)));
      for (const [key, drop, label] of [['many', null, 'picked'], ['manyDropped', folder, 'dropped']]) {
        let best = null;
        for (let i = 0; i < BROWSER_RUNS; i++) {
          const run = await browserRun(browser, server.url, manySet, false, null, false, drop);
          log(`browser, ${manySet.files.length} files ${label}, Transcribe only: run ${i + 1}: ${run.seconds.toFixed(2)} s`);
          checkCounts(run.status, manySet.truth, false, `${manySet.files.length} files ${label} (run ${i + 1})`);
          if (!best || run.seconds < best.seconds) best = run;
        }
        results[key] = { label: `browser, ${manySet.files.length} small files, ${label}`, ...best };
      }
      rmSync(path.dirname(folder), { recursive: true, force: true });
    }
    const wasmCore = process.env.TRAILSCOPE_WASM_INGEST ||
      path.join(REPO_ROOT, 'target', 'wasm32-wasip1', 'release', 'examples', 'wasm_ingest.wasm');
    if (existsSync(wasmCore)) {
      const passes = await wasmCoreRun(browser, wasmCore, set.files);
      passes.forEach((p, i) => log(`wasm ingest alone, 1 core: pass ${i + 1}: ${p.seconds.toFixed(2)} s`));
      for (const p of passes) {
        if (p.records !== truth.n_records || p.kept !== truth.n_transcribe) {
          const line = `MISMATCH wasm ingest alone: ${p.records} records and ${p.kept} kept, truth.json says ${truth.n_records} and ${truth.n_transcribe}`;
          console.log(line);
          mismatches.push(line);
        }
      }
      const best = passes.reduce((a, b) => (b.seconds < a.seconds ? b : a));
      results.core = { label: 'wasm ingest alone, 1 core', seconds: best.seconds };
    } else {
      log(`no wasm ingest module at ${wasmCore} (cargo build --release -p trailscope-core --example wasm_ingest ` +
        '--target wasm32-wasip1): its row is left out');
    }
  } finally {
    await browser?.close().catch(() => {});
    await server.close();
  }

  let jq = null;
  for (let i = 0; i < JQ_RUNS; i++) {
    const run = jqRun(set.files);
    log(`gzip -dc | jq: run ${i + 1}: ${run.seconds.toFixed(2)} s, ${run.lines} lines`);
    if (!jq || run.seconds < jq.seconds) jq = run;
  }
  results.jq = { label: 'gzip -dc | jq', ...jq };

  const cli = process.env.TRAILSCOPE_CLI || path.join(REPO_ROOT, 'target', 'release', 'trailscope');
  const native = {};
  if (existsSync(cli)) {
    for (const [key, threads] of [['one', 1], ['all', availableParallelism()]]) {
      let best = null;
      for (let i = 0; i < JQ_RUNS; i++) {
        const run = nativeRun(cli, set.files, threads);
        log(`native, ${threads} thread(s): run ${i + 1}: ${run.seconds.toFixed(2)} s`);
        if (!best || run.seconds < best.seconds) best = run;
      }
      native[key] = { label: key === 'one' ? 'native, 1 core' : `native, ${threads} cores`, ...best };
    }
  } else {
    log(`no native command line at ${cli} (cargo build --release -p trailscope-cli): its rows are left out`);
  }

  // The table.
  const rows = [results.transcribe, results.atOnce, results.all, results.one, results.core, native.one, native.all, results.jq]
    .filter(Boolean);
  console.log('');
  console.log(`${set.files.length} files, ${mb(set.bytes)} gzipped, ${mb(decoded)} of decoded JSON; best of ${BROWSER_RUNS} (browser) / ${JQ_RUNS} (jq)`);
  console.log(`${'run'.padEnd(38)} ${'seconds'.padStart(8)} ${'MB/s'.padStart(8)} ${'vs jq'.padStart(8)}`);
  for (const r of rows) {
    console.log(`${r.label.padEnd(38)} ${r.seconds.toFixed(2).padStart(8)} ${(decoded / 1e6 / r.seconds).toFixed(1).padStart(8)} ${`${(jq.seconds / r.seconds).toFixed(2)}x`.padStart(8)}`);
  }
  console.log('(MB/s: decoded JSON per second; vs jq: gzip -dc | jq seconds / these seconds, above 1 is faster than jq)');
  // wasm on one core against native on one core, both end to end on the same files in this run: the page
  // with a single reading worker, and the command line with one thread.
  if (native.one) {
    const ratio = native.one.seconds / results.one.seconds;
    console.log(`wasm / native, one core each: ${ratio.toFixed(2)}x (goal 0.6x)` +
      (results.one.workerSeconds ? `; the worker's own time: ${(native.one.seconds / results.one.workerSeconds).toFixed(2)}x` : '') +
      (results.one.sliceSeconds != null ? ` (${results.one.sliceSeconds.toFixed(2)} s of it waiting for the browser to hand over file slices)` : ''));
    // The core's ingest into one store on both sides, without the page; the command also starts, reads the
    // files from disk, indexes the kept events and prints its summary (with 10,000 kept, a small part).
    if (results.core) {
      console.log(`wasm / native, the ingest alone (in a Chromium worker; the whole command line): ${(native.one.seconds / results.core.seconds).toFixed(2)}x`);
    }
  }
  if (manySet && results.many) {
    // The same kind of load over many small files: what each file costs beyond its bytes.
    let jqMany = null;
    for (let i = 0; i < JQ_RUNS; i++) {
      const run = jqRun(manySet.files);
      log(`gzip -dc | jq, ${manySet.files.length} files: run ${i + 1}: ${run.seconds.toFixed(2)} s`);
      if (!jqMany || run.seconds < jqMany.seconds) jqMany = run;
    }
    const decodedMany = manySet.files.reduce((sum, f) => sum + gunzipSync(readFileSync(f)).length, 0);
    console.log('');
    console.log(`${manySet.files.length} files, ${mb(manySet.bytes)} gzipped, ${mb(decodedMany)} of decoded JSON, ` +
      `${manySet.truth.n_records} records (${(manySet.bytes / manySet.files.length / 1024).toFixed(1)} KiB a file)`);
    for (const r of [results.many, results.manyDropped, { label: `gzip -dc | jq, ${manySet.files.length} files`, ...jqMany }]) {
      console.log(`${r.label.padEnd(38)} ${r.seconds.toFixed(2).padStart(8)} ${(decodedMany / 1e6 / r.seconds).toFixed(1).padStart(8)} ${`${(jqMany.seconds / r.seconds).toFixed(2)}x`.padStart(8)}`);
    }
    if (results.many.beforeChange != null) {
      console.log(`of the picked load's ${results.many.seconds.toFixed(2)} s, ${results.many.beforeChange.toFixed(2)} s passed before the page heard of the files ` +
        `(the browser building the file list; ${results.transcribe.beforeChange?.toFixed(2)} s with ${set.files.length} files)`);
    }
    console.log(`the page per file beyond the ${set.files.length}-file load: ` +
      `${(1000 * (results.many.seconds - results.transcribe.seconds) / (manySet.files.length - set.files.length)).toFixed(2)} ms`);
  }
  const jqExpected = truth.n_transcribe + truth.n_duplicates_transcribe;
  console.log(`jq printed ${jq.lines} Transcribe records; truth: ${truth.n_transcribe} distinct + ${truth.n_duplicates_transcribe} duplicate copies = ${jqExpected}` +
    (jq.lines === jqExpected ? '' : ' (differs: jq does not dedupe and reads the records as written)'));

  console.log('');
  // Where each best run's CPU went, beside what the cores could give in its time: near 100 %, the load is
  // bound by the CPU it needs in all (workers, page, browser), not by any one thread waiting for another.
  const cores = availableParallelism();
  console.log(`CPU during the load (best run; Chromium's threads from /proc, ${cores} cores):`);
  for (const r of [results.transcribe, results.atOnce, results.all, results.one, results.many, results.manyDropped].filter((r) => r?.cpu)) {
    const total = r.cpu.workers + r.cpu.page + r.cpu.other;
    console.log(`  ${r.label.padEnd(38)} workers ${r.cpu.workers.toFixed(2)} s, page's thread ${r.cpu.page.toFixed(2)} s, ` +
      `rest of the browser ${r.cpu.other.toFixed(2)} s: ${total.toFixed(2)} s, ${(100 * total / (cores * r.seconds)).toFixed(0)} % of the cores`);
  }
  console.log('');
  console.log('the page\'s longest task once it had the files (best run; the tab answers no input meanwhile):');
  for (const r of [results.transcribe, results.atOnce, results.all, results.one, results.many, results.manyDropped].filter((r) => r?.longestTask != null)) {
    console.log(`  ${r.label.padEnd(38)} ${r.longestTask.toFixed(0).padStart(6)} ms`);
  }
  console.log('');
  console.log('page memory after the load (best run, after a GC):');
  for (const r of [results.transcribe, results.all]) {
    console.log(`  ${r.label.padEnd(28)} JS heap used ${mb(r.heap.used)} (of ${mb(r.heap.total)}; Performance.getMetrics, ` +
      `main thread, wasm memory not included), workers ${r.workers}, renderer RSS ${mb(r.rendererRss)}`);
  }

  console.log('');
  // What a first visit downloads; the sample's worker is fetched only when someone asks for the sample.
  console.log('page code, gzip -9 (the sample\'s worker is fetched only on demand and not counted):');
  let total = 0;
  for (const name of readdirSync(dist).filter((n) => /\.(wasm|js|css|html)$/.test(n) && n !== 'trailscope.html').sort()) {
    const raw = readFileSync(path.join(dist, name));
    const gz = gzipSync(raw, { level: 9 }).length;
    const onDemand = name.startsWith('tools');
    if (!onDemand) total += gz;
    console.log(`  ${name.padEnd(24)} ${String(raw.length).padStart(9)} B -> ${String(gz).padStart(8)} B gzipped (${kb(gz)})${onDemand ? ', on demand' : ''}`);
  }
  console.log(`  ${'first visit'.padEnd(24)} ${''.padStart(9)}      ${String(total).padStart(8)} B gzipped (${kb(total)}); goal < 400 KB: ${total < 400_000 ? 'met' : 'NOT met'}`);

  if (mismatches.length) {
    console.log('');
    console.log(`MISMATCH: ${mismatches.length} count(s) differ from truth.json (see above)`);
    process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e?.stack || String(e));
  process.exitCode = 2;
});
