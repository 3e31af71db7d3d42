import { z } from 'zod';

/** The longest message a thread takes (characters, after trimming): a long mail, not a file. */
export const THREAD_MESSAGE_MAX_LENGTH = 10_000;
/** Addresses a message may copy at most: a few colleagues, not a mailing. */
export const THREAD_MESSAGE_MAX_CC = 10;

/** The body of `POST /orders/{id}/messages` and `POST /quotes/{id}/messages`. */
export const threadMessageBodySchema = z
  .strictObject({
    /** What to say, as plain text (sent as the mail's text; its HTML part is the text escaped). */
    text: z.string().trim().min(1).max(THREAD_MESSAGE_MAX_LENGTH),
    /** Addresses copied on the mail, besides those the thread writes to. */
    cc: z.array(z.email().max(254)).max(THREAD_MESSAGE_MAX_CC).optional(),
  })
  .meta({ id: 'NewThreadMessage' });
export type ThreadMessageBody = z.infer<typeof threadMessageBodySchema>;
