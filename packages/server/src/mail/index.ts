// The SMTP transport and the outbox worker loop.
export * from './smtp-transport.ts';
export * from './mail-worker.ts';
export * from './imap-poller.ts';
export * from './worker-lock.ts';
