// The administration use cases called directly — no Fastify — on both databases.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_SCHEMA_VERSION } from '@orderdesk/core';
import {
  findInvitationByHash,
  findUserByEmail,
  findVendorBySlug,
  listAuditEvents,
  listMessages,
  listOutboxFor,
  type Store,
} from '@orderdesk/store';
import { createTestStore, testDialects } from '@orderdesk/store/testing';
import {
  AppError,
  DEFAULT_APP_SETTINGS,
  LoginThrottle,
  SettableClock,
  acceptInvitation,
  actorFromSession,
  actorFromToken,
  actorFromUser,
  createApiToken,
  createPartner,
  createVendor,
  deactivateUserAccount,
  enrolPartner,
  hashSecret,
  inviteUser,
  listUserTokens,
  listUsers,
  listVendorProfileVersions,
  logIn,
  publishProfile,
  readProfileSource,
  revokeUserToken,
  seedDemo,
  type Actor,
  type AppContext,
} from '@orderdesk/app';

const PROFILE_FILE = new URL('../../server/test/fixtures/brightline.yaml', import.meta.url);
const PROFILE = readFileSync(PROFILE_FILE, 'utf8');

/** The whole of a short list: one page of the largest size. */
const WHOLE = { limit: 500 };

/** The error a use case ends with. */
async function failure(work: Promise<unknown>): Promise<AppError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the use case to fail');
}

/** The secret of the link in a user's invitation mail (as the user reads it). */
async function linkSecretOf(store: Store, userId: string): Promise<string> {
  const mails = await listMessages(store.db, { entityType: 'user', entityId: userId });
  const match = /\/invitations\/(\S+)/.exec(mails.at(-1)?.text ?? '');
  if (!match?.[1]) throw new Error('no invitation link in the mail');
  return match[1];
}

describe.each(testDialects())('administration use cases on %s', (dialect) => {
  let store: Store;
  let ctx: AppContext;
  let clock: SettableClock;
  const actor = async (email: string): Promise<Actor> => {
    const user = await findUserByEmail(store.db, email);
    if (!user) throw new Error(`no user ${email}`);
    return actorFromUser(store.db, user, 'token');
  };

  beforeAll(async () => {
    store = await createTestStore(dialect);
    clock = new SettableClock();
    clock.set(new Date('2026-03-02T09:00:00Z'));
    ctx = {
      store,
      clock,
      config: { ...DEFAULT_APP_SETTINGS, PUBLIC_URL: 'https://desk.example' },
      loginThrottle: new LoginThrottle(15 * 60_000),
      now: () => clock.now(),
    };
    await store.db.transaction().execute((tx) => seedDemo(tx, 'demo', ctx.now()));
  });
  afterAll(async () => {
    await store.close();
  });

  describe('createVendor', () => {
    it('creates the vendor, profile version 1 as written, its admin and an invitation mail', async () => {
      const created = await createVendor(ctx, {
        slug: 'brightline',
        name: 'Brightline Software',
        source: PROFILE,
        format: 'yaml',
        fileName: 'brightline.yaml',
        admin: { email: 'Boss@Brightline.example' },
      });
      expect(created.vendor).toMatchObject({ slug: 'brightline', profileVersion: 1 });
      expect(created.invitationLink).toMatch(/^https:\/\/desk\.example\/invitations\/odi_\S+$/);

      const vendor = await findVendorBySlug(store.db, 'brightline');
      const source = await readProfileSource(
        ctx,
        await actor('boss@brightline.example'),
        'brightline',
      );
      expect(source).toMatchObject({
        version: 1,
        format: 'yaml',
        schemaVersion: PROFILE_SCHEMA_VERSION,
      });
      expect(source.source).toBe(PROFILE);
      expect(JSON.parse(vendor?.profile ?? '{}').orderNumberPrefix).toBe('BL-');

      const admin = await findUserByEmail(store.db, 'boss@brightline.example');
      expect(admin).toMatchObject({ vendor_id: vendor?.id, password_hash: null, active: 1 });
      expect(JSON.parse(admin?.roles ?? '[]')).toEqual(['vendor_admin']);

      // Only the hash of the link's secret is stored.
      const secret = created.invitationLink.split('/').at(-1) ?? '';
      const invitation = await findInvitationByHash(store.db, hashSecret(secret));
      expect(invitation?.user_id).toBe(admin?.id);
      expect(invitation?.token_hash).not.toContain(secret);

      const mails = await listMessages(store.db, { entityType: 'user', entityId: admin?.id ?? '' });
      expect(mails).toHaveLength(1);
      expect(mails[0]).toMatchObject({ status: 'queued', direction: 'out', vendor_id: vendor?.id });
      expect(mails[0]?.text).toContain(created.invitationLink);
      const outbox = await listOutboxFor(store.db, 'user', admin?.id ?? '');
      expect(outbox.map((o) => [o.topic, JSON.parse(o.payload)])).toEqual([
        ['mail', { messageId: mails[0]?.id }],
      ]);

      const vendorEvents = await listAuditEvents(store.db, 'vendor', vendor?.id ?? '');
      expect(vendorEvents.map((e) => e.type)).toEqual([
        'vendor.created',
        'vendor.profile_published',
      ]);
      const userEvents = await listAuditEvents(store.db, 'user', admin?.id ?? '');
      expect(userEvents.map((e) => [e.type, e.actor_label])).toEqual([['user.invited', 'cli']]);
    });

    it('refuses a bad profile with line:column paths, a taken slug and another vendor’s slug', async () => {
      const bad = PROFILE.replace('quote: not_applicable', 'quote: sometimes');
      const e = await failure(
        createVendor(ctx, {
          slug: 'brightline2',
          name: 'B2',
          source: bad.replace('slug: brightline', 'slug: brightline2'),
          format: 'yaml',
          fileName: 'b2.yaml',
          admin: { email: 'a@b2.example' },
        }),
      );
      expect(e.kind).toBe('unprocessable');
      expect(e.problems?.map((p) => p.path)).toEqual(['14:5 orderTypes[0].quote']);

      const taken = await failure(
        createVendor(ctx, {
          slug: 'brightline',
          name: 'Again',
          source: PROFILE,
          format: 'yaml',
          fileName: 'b.yaml',
          admin: { email: 'other@brightline.example' },
        }),
      );
      expect(taken.kind).toBe('conflict');

      const mismatch = await failure(
        createVendor(ctx, {
          slug: 'elsewhere',
          name: 'Elsewhere',
          source: PROFILE,
          format: 'yaml',
          fileName: 'b.yaml',
          admin: { email: 'a@elsewhere.example' },
        }),
      );
      expect(mismatch.problems?.[0]?.path).toBe('4:1 slug');
      expect(await findVendorBySlug(store.db, 'elsewhere')).toBeUndefined();
      expect(await findUserByEmail(store.db, 'a@elsewhere.example')).toBeUndefined();
    });
  });

  describe('acceptInvitation', () => {
    it('sets the password once; the user can then log in', async () => {
      const admin = await findUserByEmail(store.db, 'boss@brightline.example');
      const secret = await linkSecretOf(store, admin?.id ?? '');
      const accepted = await acceptInvitation(ctx, secret, { password: 'correct horse battery' });
      expect(accepted.email).toBe('boss@brightline.example');
      const session = await logIn(ctx, {
        email: 'boss@brightline.example',
        password: 'correct horse battery',
        clientIp: '127.0.0.1',
      });
      expect(session.sessionSecret).toBeTruthy();
      const again = await failure(acceptInvitation(ctx, secret, { password: 'another password' }));
      expect([again.kind, again.slug]).toEqual(['not_found', 'invitation-used']);
      const events = await listAuditEvents(store.db, 'user', admin?.id ?? '');
      expect(events.map((e) => e.type)).toEqual(['user.invited', 'user.activated']);
      const unknown = await failure(acceptInvitation(ctx, 'odi_nope', { password: 'whatever12' }));
      expect(unknown.slug).toBe('invitation-unknown');
    });

    it('refuses an expired link', async () => {
      const northwind = await actor('admin@northwind.example');
      const invited = await inviteUser(ctx, northwind, {
        email: 'late@northwind.example',
        name: 'Late Comer',
        roles: ['sales'],
      });
      const secret = await linkSecretOf(store, invited.user.id);
      clock.advance((DEFAULT_APP_SETTINGS.INVITATION_TTL_HOURS + 1) * 3600_000);
      try {
        const e = await failure(acceptInvitation(ctx, secret, { password: 'too late now' }));
        expect(e.slug).toBe('invitation-expired');
      } finally {
        clock.set(new Date('2026-03-02T09:00:00Z'));
      }
    });
  });

  describe('profiles', () => {
    it('publishes a new version, lists versions and reads any version back', async () => {
      const boss = await actor('boss@brightline.example');
      const v2 = PROFILE.replace('orderNumberPrefix: BL-', 'orderNumberPrefix: BRL-');
      expect(
        await publishProfile(ctx, boss, { slug: 'brightline', source: v2, format: 'yaml' }),
      ).toEqual({
        version: 2,
      });
      const vendor = await findVendorBySlug(store.db, 'brightline');
      expect(vendor?.profile_version).toBe(2);
      expect(JSON.parse(vendor?.profile ?? '{}').orderNumberPrefix).toBe('BRL-');
      const versions = (await listVendorProfileVersions(ctx, boss, 'brightline', WHOLE)).items;
      expect(versions.map((v) => [v.version, v.current, v.createdBy])).toEqual([
        [2, true, 'boss@brightline.example'],
        [1, false, null],
      ]);
      expect((await readProfileSource(ctx, boss, 'brightline')).source).toBe(v2);
      expect((await readProfileSource(ctx, boss, 'brightline', 1)).source).toBe(PROFILE);
      const events = await listAuditEvents(store.db, 'vendor', vendor?.id ?? '');
      expect(events.at(-1)?.type).toBe('vendor.profile_published');
    });

    it('refuses errors with line:column, and callers who may not publish', async () => {
      const boss = await actor('boss@brightline.example');
      const json = '{\n  "slug": "brightline",\n  "name": "Brightline",\n  "currency": 42\n}\n';
      const e = await failure(
        publishProfile(ctx, boss, { slug: 'brightline', source: json, format: 'json' }),
      );
      expect(e.kind).toBe('unprocessable');
      expect(e.problems?.every((p) => /^\d+:\d+/.test(p.path))).toBe(true);

      const other = await failure(
        publishProfile(ctx, await actor('admin@northwind.example'), {
          slug: 'brightline',
          source: PROFILE,
          format: 'yaml',
        }),
      );
      expect(other.kind).toBe('not_found');
      const staff = await failure(
        publishProfile(ctx, await actor('desk@northwind.example'), {
          slug: 'northwind',
          source: PROFILE,
          format: 'yaml',
        }),
      );
      expect(staff.kind).toBe('forbidden');
      const partner = await failure(
        publishProfile(ctx, await actor('buyer@acme.example'), {
          slug: 'northwind',
          source: PROFILE,
          format: 'yaml',
        }),
      );
      expect(partner.kind).toBe('forbidden');
      expect((await findVendorBySlug(store.db, 'brightline'))?.profile_version).toBe(2);
    });
  });

  describe('partners and partnerships', () => {
    let acmeId = '';
    beforeAll(async () => {
      acmeId = (await findUserByEmail(store.db, 'buyer@acme.example'))?.partner_id ?? '';
    });

    it('needs a CAM of this vendor, then creates a tier-1 partner with its partnership and admin', async () => {
      const boss = await actor('boss@brightline.example');
      const body = {
        name: 'Lumen Partners',
        tier: 1 as const,
        legalName: 'Lumen Partners GmbH',
        agreementDate: '2026-01-15',
        multiplier: '0.8',
        camEmail: 'cam@brightline.example',
        invoicingContact: { name: 'Lumen AP', email: 'ap@lumen.example' },
        provisioningCc: 'ops@lumen.example',
        admin: { email: 'admin@lumen.example', name: 'Lumen Admin' },
      };
      const noCam = await failure(createPartner(ctx, boss, body));
      expect(noCam.problems).toEqual([expect.objectContaining({ path: 'camEmail' })]);
      // Another vendor's CAM is not this vendor's.
      const foreignCam = await failure(
        createPartner(ctx, boss, { ...body, camEmail: 'cam@northwind.example' }),
      );
      expect(foreignCam.problems?.[0]?.path).toBe('camEmail');

      await inviteUser(ctx, boss, {
        email: 'cam@brightline.example',
        name: 'Bright CAM',
        roles: ['cam'],
      });
      const created = await createPartner(ctx, boss, body);
      expect(created.partner).toMatchObject({
        name: 'Lumen Partners',
        tier: 1,
        parentPartnerId: null,
      });
      expect(created.partnership).toMatchObject({
        vendor: 'brightline',
        legalName: 'Lumen Partners GmbH',
        multiplier: '0.8',
        cam: { name: 'Bright CAM', email: 'cam@brightline.example' },
      });
      expect(created.admin?.user).toMatchObject({
        email: 'admin@lumen.example',
        roles: ['partner_admin'],
        status: 'invited',
      });
      const events = await listAuditEvents(store.db, 'partner', created.partner.id);
      expect(events.map((e) => e.type)).toEqual(['partner.created']);

      const dup = await failure(createPartner(ctx, boss, { ...body, admin: undefined }));
      expect(dup.kind).toBe('conflict');
    });

    it('puts a tier-2 reseller only under a tier-1 partner of this vendor', async () => {
      const boss = await actor('boss@brightline.example');
      const lumen = (await findUserByEmail(store.db, 'admin@lumen.example'))?.partner_id ?? '';
      const noParent = await failure(createPartner(ctx, boss, { name: 'Tiny Reseller', tier: 2 }));
      expect(noParent.problems?.[0]).toMatchObject({ path: 'parentPartnerId', code: 'required' });
      // Acme works with the demo vendors, not with brightline: unknown here.
      const foreign = await failure(
        createPartner(ctx, boss, { name: 'Tiny Reseller', tier: 2, parentPartnerId: acmeId }),
      );
      expect(foreign.problems?.[0]).toMatchObject({ path: 'parentPartnerId', code: 'invalid' });
      const withTerms = await failure(
        createPartner(ctx, boss, {
          name: 'Tiny Reseller',
          tier: 2,
          parentPartnerId: lumen,
          multiplier: '0.9',
        }),
      );
      expect(withTerms.problems?.[0]?.path).toBe('multiplier');
      const ok = await createPartner(ctx, boss, {
        name: 'Tiny Reseller',
        tier: 2,
        parentPartnerId: lumen,
      });
      expect(ok).toMatchObject({ partner: { tier: 2, parentPartnerId: lumen }, partnership: null });
    });

    it('enrols an existing partner once, and refuses unknown ids', async () => {
      const boss = await actor('boss@brightline.example');
      const terms = {
        legalName: 'Acme Distribution Ltd.',
        agreementDate: '2026-02-01',
        multiplier: '0.75',
        camEmail: 'cam@brightline.example',
        invoicingContact: { name: 'Acme AP', email: 'ap@acme.example' },
        provisioningCc: 'orders-team@acme.example',
      };
      const view = await enrolPartner(ctx, boss, { partnerId: acmeId, ...terms });
      expect(view).toMatchObject({
        vendor: 'brightline',
        partner: { id: acmeId },
        multiplier: '0.75',
      });
      expect((await failure(enrolPartner(ctx, boss, { partnerId: acmeId, ...terms }))).kind).toBe(
        'conflict',
      );
      const unknown = await failure(enrolPartner(ctx, boss, { partnerId: 'ptn_nope', ...terms }));
      expect([unknown.kind, unknown.problems?.[0]?.path]).toEqual(['unprocessable', 'partnerId']);
      const notAdmin = await failure(
        enrolPartner(ctx, await actor('cam@northwind.example'), { partnerId: acmeId, ...terms }),
      );
      expect(notAdmin.kind).toBe('forbidden');
      const partner = await failure(
        enrolPartner(ctx, await actor('buyer@acme.example'), { partnerId: acmeId, ...terms }),
      );
      expect(partner.kind).toBe('forbidden');
    });
  });

  describe('users', () => {
    it('lets each admin invite only its own side, and lists only its own tenant', async () => {
      const northwind = await actor('admin@northwind.example');
      const acme = await actor('buyer@acme.example');
      const cross = await failure(
        inviteUser(ctx, northwind, {
          email: 'x@northwind.example',
          name: 'X',
          roles: ['partner_user'],
        }),
      );
      expect(cross.kind).toBe('forbidden');
      const crossBack = await failure(
        inviteUser(ctx, acme, { email: 'x@acme.example', name: 'X', roles: ['order_desk'] }),
      );
      expect(crossBack.kind).toBe('forbidden');
      const notAdmin = await failure(
        inviteUser(ctx, await actor('desk@northwind.example'), {
          email: 'y@northwind.example',
          name: 'Y',
          roles: ['sales'],
        }),
      );
      expect(notAdmin.kind).toBe('forbidden');

      const invited = await inviteUser(ctx, acme, {
        email: 'clerk@acme.example',
        name: 'Acme Clerk',
        roles: ['partner_user'],
      });
      expect(invited.user).toMatchObject({ status: 'invited', roles: ['partner_user'] });
      const mails = await listMessages(store.db, { entityType: 'user', entityId: invited.user.id });
      expect(mails[0]).toMatchObject({ vendor_id: null, status: 'queued' });
      expect(JSON.parse(mails[0]?.to_addrs ?? '[]')).toEqual(['clerk@acme.example']);
      const dup = await failure(
        inviteUser(ctx, acme, {
          email: 'CLERK@acme.example',
          name: 'Again',
          roles: ['partner_user'],
        }),
      );
      expect(dup.kind).toBe('conflict');

      const acmeUsers = (await listUsers(ctx, acme, WHOLE)).items.map((u) => u.email);
      expect(acmeUsers).toContain('clerk@acme.example');
      expect(acmeUsers.every((e) => e.endsWith('@acme.example'))).toBe(true);
      const staff = (await listUsers(ctx, northwind, WHOLE)).items.map((u) => u.email);
      expect(staff.every((e) => e.endsWith('@northwind.example'))).toBe(true);
      // Beta's admin sees Beta's users, not its distributor's; a partner_user sees none.
      const beta = (await listUsers(ctx, await actor('buyer@beta.example'), WHOLE)).items.map(
        (u) => u.email,
      );
      expect(beta).toEqual(['buyer@beta.example']);
      expect((await failure(listUsers(ctx, await actor('clerk@acme.example'), WHOLE))).kind).toBe(
        'forbidden',
      );
    });

    it('deactivates a user of its own tenant: sessions and tokens stop at once', async () => {
      const northwind = await actor('admin@northwind.example');
      const sales = await actor('sales@northwind.example');
      const { token } = await createApiToken(ctx, sales, { name: 'erp' });
      const session = await logIn(ctx, {
        email: 'sales@northwind.example',
        password: 'demo',
        clientIp: '10.0.0.1',
      });
      expect((await actorFromToken(ctx, token)).userId).toBe(sales.userId);

      expect(
        (
          await failure(
            deactivateUserAccount(ctx, await actor('admin@skyline.example'), sales.userId),
          )
        ).kind,
      ).toBe('not_found');
      // The other side's admin: not found (not its tenant); a colleague: not allowed.
      expect(
        (await failure(deactivateUserAccount(ctx, await actor('buyer@acme.example'), sales.userId)))
          .kind,
      ).toBe('not_found');
      expect(
        (
          await failure(
            deactivateUserAccount(ctx, await actor('desk@northwind.example'), sales.userId),
          )
        ).kind,
      ).toBe('forbidden');
      expect((await failure(deactivateUserAccount(ctx, northwind, northwind.userId))).kind).toBe(
        'conflict',
      );

      await deactivateUserAccount(ctx, northwind, sales.userId);
      expect((await failure(actorFromToken(ctx, token))).kind).toBe('unauthenticated');
      expect(await actorFromSession(ctx, session.sessionSecret)).toBeNull();
      const events = await listAuditEvents(store.db, 'user', sales.userId);
      expect(events.map((e) => [e.type, JSON.parse(e.data ?? '{}').tokensRevoked])).toEqual([
        ['user.deactivated', 1],
      ]);
      // Again: nothing changes, no second event.
      await deactivateUserAccount(ctx, northwind, sales.userId);
      expect(await listAuditEvents(store.db, 'user', sales.userId)).toHaveLength(1);
      const view = (await listUsers(ctx, northwind, WHOLE)).items.find(
        (u) => u.id === sales.userId,
      );
      expect(view?.status).toBe('deactivated');
    });
  });

  it('refuses an admin deactivating itself (409 naming the id): it stays active, no event', async () => {
    for (const email of ['admin@skyline.example', 'buyer@contoso.example']) {
      const admin = await actor(email);
      const e = await failure(deactivateUserAccount(ctx, admin, admin.userId));
      expect([e.kind, e.slug, e.message]).toEqual([
        'conflict',
        'conflict',
        'You cannot deactivate your own account: you would be locked out. Another admin of your organization can deactivate it.',
      ]);
      expect(e.problems).toEqual([
        {
          path: 'params.id',
          code: 'user.self',
          message: 'This is your own account',
          actual: admin.userId,
        },
      ]);
      expect((await findUserByEmail(store.db, email))?.active).toBe(1);
      expect(await listAuditEvents(store.db, 'user', admin.userId)).toEqual([]);
      expect((await actor(email)).userId).toBe(admin.userId);
    }
  });

  it('makes a deactivated user’s pending invitation useless', async () => {
    const acme = await actor('buyer@acme.example');
    const invited = await inviteUser(ctx, acme, {
      email: 'gone@acme.example',
      name: 'Gone Soon',
      roles: ['partner_user'],
    });
    const secret = await linkSecretOf(store, invited.user.id);
    await deactivateUserAccount(ctx, acme, invited.user.id);
    const e = await failure(acceptInvitation(ctx, secret, { password: 'never used this' }));
    expect([e.kind, e.slug]).toEqual(['not_found', 'invitation-unknown']);
    expect((await findUserByEmail(store.db, 'gone@acme.example'))?.password_hash).toBeNull();
  });

  describe('tokens', () => {
    it('lists the caller’s own tokens without secrets and revokes them at once', async () => {
      const finance = await actor('finance@skyline.example');
      const { id, token } = await createApiToken(ctx, finance, { name: 'ledger' });
      const mine = (await listUserTokens(ctx, finance, WHOLE)).items;
      expect(mine.map((t) => t.id)).toContain(id);
      expect(JSON.stringify(mine)).not.toContain(token);
      expect(mine.find((t) => t.id === id)).toMatchObject({ name: 'ledger', revokedAt: null });

      // Another tenant's admin, or a colleague, cannot see or revoke it.
      expect(
        (await failure(revokeUserToken(ctx, await actor('admin@northwind.example'), id))).kind,
      ).toBe('not_found');
      expect(
        (await failure(revokeUserToken(ctx, await actor('desk@skyline.example'), id))).kind,
      ).toBe('not_found');
      expect(
        (
          await failure(
            listUserTokens(ctx, await actor('admin@northwind.example'), {
              ...WHOLE,
              userId: finance.userId,
            }),
          )
        ).kind,
      ).toBe('not_found');

      await revokeUserToken(ctx, finance, id);
      expect((await failure(actorFromToken(ctx, token))).kind).toBe('unauthenticated');
      const after = (await listUserTokens(ctx, finance, WHOLE)).items.find((t) => t.id === id);
      expect(after?.revokedAt).not.toBeNull();
      expect((await listAuditEvents(store.db, 'token', id)).map((e) => e.type)).toContain(
        'token.revoked',
      );
    });

    it('lets a vendor admin revoke its staff’s tokens', async () => {
      const admin = await actor('admin@skyline.example');
      const desk = await actor('desk@skyline.example');
      const { id, token } = await createApiToken(ctx, desk, { name: 'desk-bot' });
      const listed = (await listUserTokens(ctx, admin, { ...WHOLE, userId: desk.userId })).items;
      expect(listed.map((t) => t.id)).toContain(id);
      await revokeUserToken(ctx, admin, id);
      expect((await failure(actorFromToken(ctx, token))).kind).toBe('unauthenticated');
    });
  });
});
