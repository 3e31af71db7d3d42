// Guards for uploaded files, shared by every reader of an upload (price lists, Excel order
// templates, mail attachments): limits, zip/XLSX inspection before inflating, a bounded
// streaming XLSX reader, a CSV pre-parser guard, and the worker-thread runner.
export * from './upload-limits.ts';
export * from './zip-directory.ts';
export * from './xlsx-inspect.ts';
export * from './xlsx-reader.ts';
export * from './csv-guard.ts';
export * from './worker-runner.ts';
