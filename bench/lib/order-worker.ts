// Fills a SQLite order list in a worker thread (fillSqliteInWorker).
import { workerData } from 'node:worker_threads';
import { fillSqlite, type Parties } from './order-data.ts';

const { file, parties, n } = workerData as { file: string; parties: Parties; n: number };
fillSqlite(file, parties, n);
