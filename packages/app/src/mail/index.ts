// The mail worker and the outbox's administration (issue 10).
export * from './mail-transport.ts';
export * from './mail-render.ts';
export * from './mail-attachments.ts';
export * from './drain-outbox.ts';
export * from './mail.schemas.ts';
export * from './dead-letters.ts';
