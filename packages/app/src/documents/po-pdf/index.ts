export * from './read-po-pdf.ts';
export * from './po-accuracy.ts';
