import { z } from 'zod';
import { PROFILE_SCHEMA_VERSION } from '@orderdesk/core';
import { findVendorBySlug, insertVendor, isUniqueViolation } from '@orderdesk/store';
import type { ProfileFormat } from '@orderdesk/store';
import type { AppContext } from '../context.ts';
import { recordEvent, type EventActor } from '../events/record-event.ts';
import { senderOf } from '../events/notify-by-profile.ts';
import { conflict, unprocessable } from '../shared/errors.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { vendorSlugSchema } from './admin.schemas.ts';
import { createUserWithInvitation } from './invitations.ts';
import { checkProfileSource } from './vendor-profiles.ts';

export interface CreateVendorInput {
  slug: string;
  name: string;
  /** The profile as the vendor wrote it. */
  source: string;
  format: ProfileFormat;
  /** Names the source in error positions (`file:line:column`). */
  fileName: string;
  /** The first vendor_admin: invited, no password yet. */
  admin: { email: string; name?: string | undefined };
  /** Who runs it (the CLI by default). */
  by?: EventActor;
}

export interface CreatedVendor {
  vendor: { id: string; slug: string; name: string; profileVersion: number };
  admin: { id: string; email: string };
  invitation: { id: string; expiresAt: string; messageId: string };
  /** The single-use link for the first admin to set its password. */
  invitationLink: string;
}

const CLI_ACTOR: EventActor = { userId: null, label: 'cli' };

/**
 * Creates a vendor from scratch (`orderdesk vendor create`): the vendor with its profile as
 * version 1 (the source as written), its first vendor_admin without a password, and the
 * invitation link for that admin. Events `vendor.created`, `vendor.profile_published` and
 * `user.invited`, in one transaction. A bad profile → unprocessable with `line:column path`
 * problems; a taken slug or e-mail → conflict.
 */
export async function createVendor(
  ctx: AppContext,
  input: CreateVendorInput,
  options: WriteOptions = {},
): Promise<CreatedVendor> {
  const slug = vendorSlugSchema.safeParse(input.slug);
  if (!slug.success) {
    throw unprocessable('Invalid vendor slug', [
      { path: 'slug', code: 'invalid', message: slug.error.issues[0]?.message ?? 'Invalid slug' },
    ]);
  }
  if (!z.email().safeParse(input.admin.email).success) {
    throw unprocessable('Invalid admin e-mail', [
      { path: 'admin', code: 'invalid', message: 'An e-mail address' },
    ]);
  }
  const name = input.name.trim();
  if (name === '') {
    throw unprocessable('A vendor needs a name', [
      { path: 'name', code: 'required', message: 'Required' },
    ]);
  }
  const profile = checkProfileSource(input.source, input.fileName, input.slug);
  const by = input.by ?? CLI_ACTOR;
  return inTransaction(ctx, options, async (tx) => {
    const taken = () => conflict(`A vendor with the slug ${input.slug} already exists`);
    if (await findVendorBySlug(tx, input.slug)) throw taken();
    const at = ctx.now().toISOString();
    const vendor = await insertVendor(tx, {
      slug: input.slug,
      name,
      profile: JSON.stringify(profile),
      source: { text: input.source, format: input.format },
      schemaVersion: PROFILE_SCHEMA_VERSION,
      createdBy: by.userId,
      at,
    }).catch((error: unknown) => {
      throw isUniqueViolation(error) ? taken() : error;
    });
    await recordEvent(tx, {
      type: 'vendor.created',
      entityId: vendor.id,
      vendorId: vendor.id,
      partnerId: null,
      actor: by,
      at,
      data: { vendorId: vendor.id, slug: vendor.slug, name: vendor.name },
    });
    await recordEvent(tx, {
      type: 'vendor.profile_published',
      entityId: vendor.id,
      vendorId: vendor.id,
      partnerId: null,
      actor: by,
      at,
      data: {
        vendorId: vendor.id,
        slug: vendor.slug,
        profileVersion: 1,
        schemaVersion: PROFILE_SCHEMA_VERSION,
      },
    });
    const created = await createUserWithInvitation(ctx, tx, {
      email: input.admin.email,
      name: input.admin.name?.trim() || `${name} Admin`,
      roles: ['vendor_admin'],
      vendorId: vendor.id,
      partnerId: null,
      tenantName: name,
      from: senderOf(profile, vendor.slug),
      by,
      eventVendorId: vendor.id,
    });
    return {
      vendor: { id: vendor.id, slug: vendor.slug, name: vendor.name, profileVersion: 1 },
      admin: { id: created.user.id, email: created.user.email },
      invitation: created.invitation,
      invitationLink: created.link,
    };
  });
}
