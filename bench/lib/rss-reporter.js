// Preloaded into a child (`node --import ./bench/lib/rss-reporter.js …`): on exit, writes the
// process's peak resident set size in kB to the file named by BENCH_RSS_FILE. Plain JS so it
// runs before tsx is registered, and needs no /usr/bin/time.
//
// The peak is VmHWM of /proc/self/status: the high-water mark of this program's own memory.
// Not getrusage's maxRSS: Linux carries that over fork and exec, so a child of a large bench
// process (1.2 GB after the search scenario's catalogs) would report the parent's size.
import { readFileSync, writeFileSync } from 'node:fs';

function peakKb() {
  try {
    const hwm = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]);
  } catch {
    // not Linux: fall back to getrusage
  }
  return process.resourceUsage().maxRSS;
}

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      writeFileSync(file, String(peakKb()));
    } catch {
      // the bench reports a missing figure
    }
  });
}
