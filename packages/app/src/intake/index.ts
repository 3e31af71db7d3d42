// Mail intake (issue 10, point 3): messages read from the vendors' intake mailboxes become
// replies on their threads or intake items the desk converts or rejects.
export * from './incoming-mail.ts';
export * from './document-readers.ts';
export * from './mail-routing.ts';
export * from './intake-draft.ts';
export * from './receive-mail.ts';
export * from './intake.schemas.ts';
export * from './intake-actions.ts';
