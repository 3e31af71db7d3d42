import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { AppContext } from '../../context.ts';

/**
 * Where the bytes of documents live, by key. One interface so that an S3-compatible store can
 * replace the disk later without touching the use cases; the database row holds the key.
 */
export interface DocumentStorage {
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The bytes under `key`, or undefined when there are none. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
}

const KEY_PATTERN = /^[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_-]+)*$/;

/** Keys are ids joined by `/`: nothing a caller passes can climb out of the root. */
function checkKey(key: string): void {
  if (!KEY_PATTERN.test(key) || key.length > 300) {
    throw new RangeError(`Not a document storage key: ${JSON.stringify(key)}`);
  }
}

/** Documents as files under one directory (the data directory's `documents/` by default). */
export class DiskDocumentStorage implements DocumentStorage {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    checkKey(key);
    const path = resolve(this.root, ...key.split('/'));
    if (!path.startsWith(this.root + sep)) throw new RangeError(`Key escapes the root: ${key}`);
    return path;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Written aside then renamed: a reader never sees half a file, a crash leaves no stub.
    const temporary = join(dirname(path), `.${randomBytes(8).toString('hex')}.part`);
    try {
      await writeFile(temporary, bytes, { flag: 'wx' });
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}

/** Documents in memory: for tests and throwaway demos. */
export class MemoryDocumentStorage implements DocumentStorage {
  private readonly files = new Map<string, Uint8Array>();

  async put(key: string, bytes: Uint8Array): Promise<void> {
    checkKey(key);
    this.files.set(key, new Uint8Array(bytes));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.files.get(key);
  }

  async delete(key: string): Promise<void> {
    this.files.delete(key);
  }
}

/** The default directory: `documents/` beside a SQLite database file, else `./data/documents`. */
export function defaultDocumentsDir(databaseUrl: string | undefined): string {
  const file = databaseUrl?.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : '';
  if (file && file !== ':memory:' && !file.startsWith('file::memory:')) {
    return join(dirname(file), 'documents');
  }
  return join('data', 'documents');
}

const storages = new WeakMap<AppContext, DocumentStorage>();

/** Makes `storage` the document storage of the use cases run with `ctx`. */
export function useDocumentStorage(ctx: AppContext, storage: DocumentStorage): void {
  storages.set(ctx, storage);
}

/**
 * The document storage of `ctx`: the one installed by its host, else the disk under
 * DOCUMENTS_DIR or the default directory of its database — the same place for the server, the
 * worker and the CLI, so whichever process stores a file, the others find it.
 */
export function documentStorageOf(ctx: AppContext): DocumentStorage {
  let storage = storages.get(ctx);
  if (!storage) {
    storage = new DiskDocumentStorage(
      ctx.config.DOCUMENTS_DIR ?? defaultDocumentsDir(ctx.config.DATABASE_URL),
    );
    storages.set(ctx, storage);
  }
  return storage;
}
