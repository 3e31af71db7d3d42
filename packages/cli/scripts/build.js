// Compiles the `orderdesk` command (and so the server) into packages/cli/dist, for `npm start`
// and the `orderdesk` bin: one ESM bundle of src/main.ts with the workspace packages
// (@orderdesk/*) inside and the npm dependencies left to node_modules (but for a few pure
// JavaScript ones: BUNDLED below), plus the worker-thread entries beside it, and
// scripts/entry.js as dist/orderdesk.js, which loads main.js (what `npm start` runs). Run by
// `npm run build` (so by `npm ci`, through `prepare`); about a second.
//
// dist/ is flat — entries and shared chunks in one folder — because the code finds its worker
// modules next to itself (`siblingModule(import.meta.url, 'worker-host')`,
// `new URL('./pdf-text.worker.js', import.meta.url)`), whichever chunk it lands in. Splitting
// keeps one copy of each module across the entries (an AppError thrown in a task is the class
// the worker host checks with instanceof) and puts what is loaded with `await import()` in
// chunks of its own, so it costs nothing until it is used.
//
// dist/build.json lists the source files of the bundle and when the build started:
// bin/orderdesk.js runs the bundle only while none of them is newer (else the sources, by tsx).
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const CLI = dirname(dirname(fileURLToPath(import.meta.url)));
const ROOT = dirname(dirname(CLI));
const DIST = join(CLI, 'dist');
const WORKSPACES = ['core', 'store', 'app', 'server', 'cli'];

/**
 * npm dependencies compiled into the bundle instead of loaded from node_modules, for start-up:
 * every command loads them, and Node loads a package's modules file by file (kysely's ESM
 * build alone is ~280 files: resolved, read and compiled one by one, ~150 ms of the main
 * thread's start-up on a busy host; zod's, ~95 files, loaded by the main thread and again by
 * the price-list parser thread). Only packages whose objects never meet another package's
 * copy: zod together with fastify-type-provider-zod, the one dependency that reads our schemas
 * with a zod of its own (zod keeps its registry per copy): bundled, both use the bundle's one
 * copy. Not the native or optional ones (better-sqlite3, argon2, pg). The CommonJS ones
 * (commander, yaml, @fastify/error) find Node's built-ins through the banner's `require`.
 */
const BUNDLED = new Set([
  'kysely',
  'luxon',
  'yaml',
  'commander',
  'zod',
  'fastify-type-provider-zod',
]);

/** Every other npm dependency of the bundled packages (and their subpaths) stays external. */
function externals() {
  const names = new Set();
  for (const pkg of WORKSPACES) {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'packages', pkg, 'package.json'), 'utf8'));
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
      for (const name of Object.keys(manifest[field] ?? {})) {
        if (!name.startsWith('@orderdesk/') && !BUNDLED.has(name)) names.add(name);
      }
    }
  }
  // tsx is imported (dynamically) only when the code runs as TypeScript: never from dist.
  names.add('tsx');
  return [...names].flatMap((name) => [name, `${name}/*`]);
}

const started = Date.now();
const result = await build({
  entryPoints: {
    main: join(CLI, 'src/main.ts'),
    'worker-host': join(ROOT, 'packages/app/src/shared/uploads/worker-host.ts'),
    'price-list-parse.worker': join(
      ROOT,
      'packages/app/src/price-lists/price-list-parse.worker.ts',
    ),
    'pdf-text.worker': join(ROOT, 'packages/app/src/documents/po-pdf/pdf-text.worker.js'),
  },
  outdir: DIST,
  write: false,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  external: externals(),
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  // A `require` for the bundled CommonJS packages (esbuild renames any of the sources' own).
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  metafile: true,
  absWorkingDir: ROOT,
  logLevel: 'warning',
});

// What the bundle depends on besides its sources: this script, the package manifests (which
// dependencies stay external) and those of the packages compiled in (an update of one within
// its range changes no workspace manifest).
const ENTRY = join(CLI, 'scripts/entry.js');
const sources = [
  ...Object.keys(result.metafile.inputs).filter((path) => !path.startsWith('node_modules/')),
  relative(ROOT, fileURLToPath(import.meta.url)),
  relative(ROOT, ENTRY),
  ...WORKSPACES.map((pkg) => `packages/${pkg}/package.json`),
  ...[...BUNDLED].map((name) => `node_modules/${name}/package.json`),
].sort();

// Written over the previous build file by file, each atomically (a temporary file renamed):
// chunks first, then the entries that import them, then build.json. Chunks are named by their
// content, and those of earlier builds stay a day: a process started from the previous build
// still finds the chunks it loads on first use, and one starting meanwhile runs either build.
mkdirSync(DIST, { recursive: true });
const writeAtomically = (path, contents) => {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
};
const isChunk = (path) => basename(path).startsWith('chunk-');
const ordered = [
  ...result.outputFiles.filter((f) => isChunk(f.path)),
  ...result.outputFiles.filter((f) => !isChunk(f.path)),
];
for (const file of ordered) writeAtomically(file.path, file.contents);
writeAtomically(join(DIST, 'orderdesk.js'), readFileSync(ENTRY));
writeAtomically(
  join(DIST, 'build.json'),
  `${JSON.stringify({ builtAt: started, sources }, null, 1)}\n`,
);
const current = new Set(result.outputFiles.map((f) => basename(f.path)));
for (const name of readdirSync(DIST)) {
  if (current.has(name) || name === 'build.json' || name === 'orderdesk.js') continue;
  const path = join(DIST, name);
  if (started - statSync(path).mtimeMs > 24 * 3600_000) rmSync(path, { force: true });
}

const bytes = result.outputFiles
  .filter((f) => f.path.endsWith('.js'))
  .reduce((sum, f) => sum + f.contents.byteLength, 0);
process.stdout.write(
  `packages/cli/dist: ${sources.length} source files, ${(bytes / 1e6).toFixed(1)} MB of JavaScript, ${Date.now() - started} ms\n`,
);
