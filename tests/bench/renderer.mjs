// What the benchmarks read of Chromium's memory from Linux's /proc.

import { readdirSync, readFileSync } from 'node:fs';

// The processes this one started, directly or not: Chromium's browser, renderers, GPU process. Linux /proc.
function descendants() {
  const parent = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch { /* gone */ }
  }
  const mine = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = parent.get(p) ?? 0, hops++) if (p === process.pid) return true;
    return false;
  };
  return [...parent.keys()].filter((pid) => pid !== process.pid && mine(pid));
}

// CPU time (user + system, in seconds) so far of every thread of the Chromium processes this one started,
// in three groups: the renderers' workers (DedicatedWorker threads), the renderers' main threads (the
// page's thread), and everything else (the browser process reading files, raster, GPU, V8's helpers).
// Two readings around a load say where its CPU went; on a machine with few cores, a load whose CPU is
// near cores x seconds is bound by the total, not by any one thread. Linux /proc only; null elsewhere.
export function chromiumCpu() {
  try {
    const tick = 100; // USER_HZ: /proc reports CPU time in 1/100 s on Linux.
    const out = { workers: 0, page: 0, other: 0 };
    for (const pid of descendants()) {
      let renderer = false;
      try { renderer = readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer'); } catch { continue; }
      let tasks = [];
      try { tasks = readdirSync(`/proc/${pid}/task`); } catch { continue; }
      for (const tid of tasks) {
        try {
          const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          const seconds = (Number(fields[11]) + Number(fields[12])) / tick;
          const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          const group = !renderer ? 'other' : name.startsWith('DedicatedWorker') ? 'workers' : Number(tid) === pid ? 'page' : 'other';
          out[group] += seconds;
        } catch { /* gone */ }
      }
    }
    return out;
  } catch {
    return null;
  }
}

// Resident memory of the largest Chromium renderer started by this process (only one page is open at a time: its
// renderer holds the page, its workers and their wasm memories, which the JS heap does not count). Linux /proc
// only; null elsewhere.
export function rendererRss() {
  try {
    let best = null;
    for (const pid of descendants()) {
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
        const kbRss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
        if (kbRss && (best == null || kbRss * 1024 > best)) best = kbRss * 1024;
      } catch { /* gone */ }
    }
    return best;
  } catch {
    return null;
  }
}
