import { readFileSync } from 'node:fs';
import { repoPath } from '@orderdesk/app';

/** OrderDesk's version, from the root package.json. */
export const VERSION: string = (
  JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as {
    version: string;
  }
).version;
