import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Files the program reads from the repository (the web app's build, the example profiles, the
// root package.json, the bench) are found from the repository root, not relative to the module
// that reads them: the same code runs from its sources (packages/*/src, tsx) and from the
// compiled bundle (packages/cli/dist), whose modules sit at another depth.

let root: string | undefined;

/**
 * The repository root: the nearest folder above this module whose package.json is named
 * "orderdesk".
 *
 * @example
 * readFileSync(join(repoRoot(), 'package.json'), 'utf8');
 */
export function repoRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isRootManifest(manifest)) return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`No package.json named "orderdesk" above ${fileURLToPath(import.meta.url)}`);
    }
    dir = parent;
  }
}

function isRootManifest(path: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown }).name === 'orderdesk';
  } catch {
    return false;
  }
}

/** A path inside the repository, from its root: `repoPath('examples', 'profiles')`. */
export function repoPath(...segments: string[]): string {
  return join(repoRoot(), ...segments);
}
