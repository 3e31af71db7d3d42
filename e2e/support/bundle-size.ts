// The JavaScript a first visit loads: every script the browser fetched from the app, sized as
// gzip -9 of the built file in packages/web/dist (what a compressing proxy would send).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ROOT } from './web-server.ts';

export interface ScriptSize {
  path: string;
  bytes: number;
  gzipBytes: number;
}

export function scriptSizes(paths: readonly string[]): ScriptSize[] {
  return [...new Set(paths)].map((path) => {
    const text = readFileSync(join(ROOT, 'packages/web/dist', path));
    return { path, bytes: text.length, gzipBytes: gzipSync(text, { level: 9 }).length };
  });
}
