// Invitations: a new user gets a single-use link to set its password. Only the hash of the
// link's secret is stored (like API tokens); the link itself lives in the invitation mail,
// which is a message on the user's thread with an outbox row that sends it once SMTP exists.
import type { Role } from '@orderdesk/core';
import {
  enqueueOutbox,
  findInvitationByHash,
  findUserByEmail,
  findUserById,
  insertInvitation,
  insertMessage,
  insertUser,
  isUniqueViolation,
  markInvitationUsed,
  setUserPassword,
  type Executor,
  type User,
} from '@orderdesk/store';
import { hashPassword, hashSecret, randomSecret } from '../auth/secrets.ts';
import { mailIsOff, type AppContext, type AppSettings } from '../context.ts';
import { recordEvent, type EventActor } from '../events/record-event.ts';
import { AppError, conflict } from '../shared/errors.ts';
import { formatInstantForMail } from '../shared/time.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import type { InvitationView } from './admin.schemas.ts';

/** Where invitation links point: PUBLIC_URL, else the local server. */
export function publicBaseUrl(config: AppSettings): string {
  // The server's settings carry its PORT; other hosts (CLI) pass PUBLIC_URL or get the default.
  const port = (config as AppSettings & { PORT?: number }).PORT ?? 3000;
  return (config.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
}

/** The link a user opens to set its password. */
export function invitationLink(config: AppSettings, secret: string): string {
  return `${publicBaseUrl(config)}/invitations/${secret}`;
}

export interface NewUserInvitation {
  email: string;
  name: string;
  roles: readonly Role[];
  vendorId: string | null;
  partnerId: string | null;
  /** The vendor or partner the user joins, as the mail names it. */
  tenantName: string;
  /** The mail's sender address. */
  from: string;
  /** Who invites (the audit's actor and the mail's signature). */
  by: EventActor;
  /** The vendor whose audit and mail this is, when a vendor invites (its staff, a partner's first admin). */
  eventVendorId: string | null;
}

export interface CreatedInvitation {
  user: User;
  invitation: InvitationView;
  /** The single-use link (secret inside): printed by the CLI that created a vendor. */
  link: string;
}

/**
 * Creates a user without a password and its invitation, inside `tx`: the user row, the
 * invitation (hash only), the `user.invited` event, and the invitation mail as a queued message
 * on the user's thread plus the outbox row that sends it. A taken e-mail is a 409.
 */
export async function createUserWithInvitation(
  ctx: AppContext,
  tx: Executor,
  input: NewUserInvitation,
): Promise<CreatedInvitation> {
  const at = ctx.now().toISOString();
  const taken = () =>
    conflict(`A user with the e-mail ${input.email} already exists`, [
      { path: 'email', code: 'duplicate', message: 'This e-mail is already a user' },
    ]);
  // Checked first so that PostgreSQL's transaction is not aborted by the unique violation;
  // the catch below covers a concurrent invitation of the same address.
  if (await findUserByEmail(tx, input.email)) throw taken();
  let user: User;
  try {
    user = await insertUser(tx, {
      email: input.email,
      name: input.name,
      passwordHash: null,
      roles: input.roles,
      vendorId: input.vendorId,
      partnerId: input.partnerId,
      at,
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
  const secret = randomSecret('odi_');
  const expiresAt = new Date(
    ctx.now().getTime() + ctx.config.INVITATION_TTL_HOURS * 3600_000,
  ).toISOString();
  const invitation = await insertInvitation(tx, {
    userId: user.id,
    tokenHash: hashSecret(secret),
    expiresAt,
    createdBy: input.by.userId,
    at,
  });
  const event = await recordEvent(tx, {
    type: 'user.invited',
    entityId: user.id,
    vendorId: input.eventVendorId,
    partnerId: input.partnerId,
    actor: input.by,
    at,
    data: { userId: user.id, email: user.email, roles: [...input.roles] },
  });
  const link = invitationLink(ctx.config, secret);
  const message = await insertMessage(tx, {
    vendorId: input.eventVendorId,
    partnerId: input.partnerId,
    entityType: 'user',
    entityId: user.id,
    direction: 'out',
    template: 'user_invitation',
    from: input.from,
    to: [user.email],
    subject: `Your OrderDesk account at ${input.tenantName}`,
    text: [
      `Hello ${user.name},`,
      '',
      `${input.by.userId ? `${input.by.label} has invited you` : 'You have been invited'} to OrderDesk at ${input.tenantName} (${input.roles.map((r) => r.replaceAll('_', ' ')).join(', ')}).`,
      `Set your password with this single-use link, valid until ${formatInstantForMail(expiresAt)}:`,
      '',
      link,
      '',
      'Then log in with your e-mail address and that password.',
      'If you did not expect this mail, ignore it.',
    ].join('\n'),
    status: 'queued',
    messageId: `<${invitation.id}@orderdesk.invitation>`,
    eventId: event.id,
    at,
  });
  await enqueueOutbox(tx, {
    vendorId: input.eventVendorId,
    topic: 'mail',
    entityType: 'user',
    entityId: user.id,
    payload: { messageId: message.id },
    at,
  });
  return {
    user,
    invitation: {
      id: invitation.id,
      expiresAt,
      messageId: message.id,
      // No mail will bring it: the inviter is shown the link to pass on.
      ...(mailIsOff(ctx.config) ? { link } : {}),
    },
    link,
  };
}

const gone = (slug: string, detail: string): AppError => new AppError('not_found', slug, detail);

/**
 * Sets a user's password from an invitation link (no login needed): once. A used, expired or
 * unknown link is a 404 that says which, so the user knows to log in or ask for a new one.
 */
export async function acceptInvitation(
  ctx: AppContext,
  secret: string,
  input: { password: string },
  options: WriteOptions = {},
): Promise<{ userId: string; email: string }> {
  const db = options.tx ?? ctx.store.db;
  const found = await findInvitationByHash(db, hashSecret(secret));
  if (!found) throw gone('invitation-unknown', 'No such invitation link');
  const usedDetail =
    'This invitation link was already used; log in with your password, or ask your admin for a new invitation';
  if (found.used_at !== null) throw gone('invitation-used', usedDetail);
  if (found.expires_at <= ctx.now().toISOString()) {
    throw gone(
      'invitation-expired',
      'This invitation link has expired; ask your admin for a new one',
    );
  }
  // argon2 takes a while: hash before the transaction, not while holding the write lock.
  const passwordHash = await hashPassword(input.password);
  return inTransaction(ctx, options, async (tx) => {
    const at = ctx.now().toISOString();
    // The conditional update decides between concurrent uses of one link.
    if (!(await markInvitationUsed(tx, found.id, at))) {
      const user = await findUserById(tx, found.user_id);
      if (user?.active !== 1) throw gone('invitation-unknown', 'No such invitation link');
      if (found.expires_at <= at) {
        throw gone(
          'invitation-expired',
          'This invitation link has expired; ask your admin for a new one',
        );
      }
      throw gone('invitation-used', usedDetail);
    }
    const user = await findUserById(tx, found.user_id);
    if (!user || !(await setUserPassword(tx, user.id, passwordHash))) {
      throw gone('invitation-unknown', 'No such invitation link');
    }
    await recordEvent(tx, {
      type: 'user.activated',
      entityId: user.id,
      vendorId: user.vendor_id,
      partnerId: user.partner_id,
      actor: { userId: user.id, label: user.email },
      at,
      data: { userId: user.id },
    });
    return { userId: user.id, email: user.email };
  });
}
