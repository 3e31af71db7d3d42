#!/usr/bin/env node
// Runs the compiled bundle (packages/cli/dist, built by `npm run build`, so by `npm ci`) while it
// is up to date: dist/build.json names every source file it was built from and when the build
// started, and a source changed since then (or gone) means the bundle is stale. Then, or without
// a bundle, or with ORDERDESK_FROM_SOURCES=1, it runs the TypeScript sources through tsx — so an
// edit takes effect at once, and a test that spawns this command never runs an old build.
import { readFileSync, statSync } from 'node:fs';

const ROOT = new URL('../../../', import.meta.url);
const DIST = new URL('../dist/', import.meta.url);

function bundleIsCurrent() {
  if (process.env.ORDERDESK_FROM_SOURCES === '1') return false;
  try {
    const { builtAt, sources } = JSON.parse(readFileSync(new URL('build.json', DIST), 'utf8'));
    return sources.every((source) => statSync(new URL(source, ROOT)).mtimeMs < builtAt);
  } catch {
    return false;
  }
}

if (bundleIsCurrent()) {
  await import(new URL('orderdesk.js', DIST).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
