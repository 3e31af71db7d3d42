// The compiled command's entry: build.js copies it to packages/cli/dist/orderdesk.js, beside
// the bundle (main.js). `npm start` runs it, and so does bin/orderdesk.js while the bundle is
// current.
//
// Loading the server creates tens of MB of objects that all stay (modules, schemas, routes).
// V8 takes that survival rate as a sign to grow its young generation to the maximum (2 × 16 MB
// semi-spaces) and keeps it so while the server idles: a third of its memory at rest. So while
// `serve` starts, the young generation does not grow. It may again a few seconds after the
// server listens (the bundle's top-level await ends there): the in-process jobs' first pass
// (profiles, holiday calendars) is over by then, and a loaded server keeps V8's usual
// garbage-collection behaviour. A growth factor set on the command line is left alone.
//
// The old generation: on a machine with gigabytes of memory V8 lets it grow to up to 4× what
// the last full collection kept before the next one. Under the submission load the server
// keeps ~50 MB and its heap then swung to ~140 MB before each collection (a 260 MB peak RSS,
// issue 12 wants < 200 MB). `serve` grows it by 20% instead: a full collection every ~10 s
// under load (a few ms each, mostly concurrent), peak RSS ~195 MB. A --heap-growing-percent
// on the command line is left alone.
import { setFlagsFromString } from 'node:v8';

const DEFAULT_GROWTH_FACTOR = 2; // V8's --semi-space-growth-factor
const SETTLE_MS = 5_000;
const tuned = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) =>
  a.includes('semi-space'),
);
const steady = process.argv[2] === 'serve' && !tuned;

if (steady) setFlagsFromString('--semi-space-growth-factor=1');
const HEAP_GROWING_PERCENT = 20;
const oldTuned = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) =>
  a.includes('heap-growing-percent'),
);
if (process.argv[2] === 'serve' && !oldTuned) {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
try {
  await import('./main.js');
} finally {
  if (steady) {
    const grow = () => setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH_FACTOR}`);
    setTimeout(grow, SETTLE_MS).unref();
  }
}
