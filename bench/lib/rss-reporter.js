// Preloaded into a child (`node --import ./bench/lib/rss-reporter.js …`): on exit, writes the
// process's peak resident set size in kB to the file named by BENCH_RSS_FILE. Plain JS so it
// runs before tsx is registered, and needs no /usr/bin/time.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    try {
      writeFileSync(file, String(process.resourceUsage().maxRSS));
    } catch {
      // the bench reports a missing figure
    }
  });
}
