// What the benchmarks read of Chromium's memory from Linux's /proc.

import { readdirSync, readFileSync } from 'node:fs';

// Resident memory of the largest Chromium renderer started by this process (only one page is open at a time: its
// renderer holds the page, its workers and their wasm memories, which the JS heap does not count). Linux /proc
// only; null elsewhere.
export function rendererRss() {
  try {
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
    let best = null;
    for (const pid of parent.keys()) {
      if (pid === process.pid || !mine(pid)) continue;
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
