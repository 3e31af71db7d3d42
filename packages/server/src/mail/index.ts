// The SMTP transport and the outbox worker loop, exported as `@orderdesk/server/mail`.
export * from './smtp-transport.ts';
export * from './mail-worker.ts';
