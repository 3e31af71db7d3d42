// Grows a SQLite catalog in a worker thread (growCatalogInWorker): better-sqlite3 is
// synchronous, so a load in the main thread would stop everything else the bench does while
// it runs — such as building the PostgreSQL catalogs on the other core.
import { parentPort, workerData } from 'node:worker_threads';
import { growCatalog, type CatalogDb } from './catalog-data.ts';

const { catalog, size } = workerData as { catalog: CatalogDb; size: number };
await growCatalog(catalog, size, (message) => parentPort?.postMessage({ log: message }));
