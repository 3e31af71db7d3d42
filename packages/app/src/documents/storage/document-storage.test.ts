import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DiskDocumentStorage,
  MemoryDocumentStorage,
  defaultDocumentsDir,
  type DocumentStorage,
} from './document-storage.ts';

const root = mkdtempSync(join(tmpdir(), 'orderdesk-storage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.each<[string, () => DocumentStorage]>([
  ['disk', () => new DiskDocumentStorage(join(root, 'docs'))],
  ['memory', () => new MemoryDocumentStorage()],
])('%s document storage', (_name, make) => {
  it('puts, gets, replaces and deletes by key', async () => {
    const storage = make();
    const bytes = new Uint8Array([1, 2, 3, 0, 255]);
    await storage.put('ven_1/doc_1', bytes);
    expect(await storage.get('ven_1/doc_1')).toEqual(bytes);
    await storage.put('ven_1/doc_1', new Uint8Array([9]));
    expect(await storage.get('ven_1/doc_1')).toEqual(new Uint8Array([9]));
    expect(await storage.get('ven_1/doc_2')).toBeUndefined();
    await storage.delete('ven_1/doc_1');
    expect(await storage.get('ven_1/doc_1')).toBeUndefined();
    await storage.delete('ven_1/doc_1');
  });

  it('refuses keys that could leave its root', async () => {
    const storage = make();
    for (const key of ['../x', 'a/../../x', '/etc/passwd', 'a//b', '', 'a/b.', 'a\\b']) {
      await expect(storage.put(key, new Uint8Array([1]))).rejects.toThrow(RangeError);
    }
  });
});

describe('the disk storage', () => {
  it('leaves no temporary file behind', async () => {
    const storage = new DiskDocumentStorage(join(root, 'clean'));
    await storage.put('v/d', new Uint8Array(1000));
    expect(readdirSync(join(root, 'clean', 'v'))).toEqual(['d']);
  });

  it('defaults to documents/ beside the SQLite file, else ./data/documents', () => {
    expect(defaultDocumentsDir('sqlite:/srv/orderdesk/orderdesk.db')).toBe(
      '/srv/orderdesk/documents',
    );
    expect(defaultDocumentsDir('sqlite::memory:')).toBe(join('data', 'documents'));
    expect(defaultDocumentsDir('postgres://db/orderdesk')).toBe(join('data', 'documents'));
  });
});
