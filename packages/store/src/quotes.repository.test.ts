import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import { AT, later, quoteLine, quoteRow, seedTenancy, type Tenancy } from '../test/fixtures.ts';
import type { Store } from './dialects.ts';
import { customerOfPartners } from './customers.repository.ts';
import { isUniqueViolation } from './executor.ts';
import { insertAuditEvent } from './audit.repository.ts';
import {
  findQuoteInScope,
  findQuoteWithLinesInScope,
  insertQuote,
  listQuoteLines,
  listQuoteRevisions,
  listQuotes,
  updateQuoteIfVersion,
  updateQuoteStatus,
} from './quotes.repository.ts';

describe.each(testDialects())('quotes repository on %s', (dialect) => {
  let store: Store;
  let t: Tenancy;
  beforeAll(async () => {
    store = await createTestStore(dialect);
    t = await seedTenancy(store.db, 'q');
  });
  afterAll(async () => {
    await store.close();
  });

  const vendorScope = () => ({ vendorId: t.vendor.id });

  it('reads a quote in scope with its lines in one statement, as the two reads give them', async () => {
    const q = quoteRow(t, { status: 'approved' });
    await insertQuote(store.db, q, [quoteLine(q.id, 2), quoteLine(q.id, 1), quoteLine(q.id, 3)]);
    const scope = { partnerIds: [t.acme.id], customerPartnerIds: [t.acme.id], issuedOnly: true };
    const found = await findQuoteWithLinesInScope(store.db, q.id, scope);
    expect(found?.quote).toEqual(await findQuoteInScope(store.db, q.id, scope));
    expect(found?.lines).toEqual(await listQuoteLines(store.db, q.id));
    expect(found?.lines.map((l) => l.line_no)).toEqual([1, 2, 3]);
    // Out of scope: nothing, its lines included.
    expect(await findQuoteWithLinesInScope(store.db, q.id, { partnerIds: [t.other.id] })).toBe(
      undefined,
    );
    const draft = quoteRow(t);
    await insertQuote(store.db, draft, [quoteLine(draft.id, 1)]);
    expect(await findQuoteWithLinesInScope(store.db, draft.id, scope)).toBe(undefined);
    // A quote without lines.
    const empty = quoteRow(t, { status: 'approved' });
    await insertQuote(store.db, empty, []);
    expect(await findQuoteWithLinesInScope(store.db, empty.id, scope)).toEqual({
      quote: await findQuoteInScope(store.db, empty.id, scope),
      lines: [],
    });
  });

  it('moves a status only from the expected one, bumping the version', async () => {
    const q = quoteRow(t);
    await insertQuote(store.db, q, [quoteLine(q.id, 1), quoteLine(q.id, 2)]);
    expect((await listQuoteLines(store.db, q.id)).map((l) => l.line_no)).toEqual([1, 2]);
    const at = later(1);
    expect(await updateQuoteStatus(store.db, q.id, 'draft', 'approved', at)).toBe(true);
    // The loser of a race still expects `draft`.
    expect(await updateQuoteStatus(store.db, q.id, 'draft', 'declined', at)).toBe(false);
    expect(await findQuoteInScope(store.db, q.id, vendorScope())).toMatchObject({
      status: 'approved',
      version: 2,
      revision: 1,
      updated_at: at,
    });
  });

  it('checks an If-Match version on a status change and on other changes', async () => {
    const q = quoteRow(t, { status: 'approved' });
    await insertQuote(store.db, q, []);
    expect(await updateQuoteStatus(store.db, q.id, 'approved', 'declined', AT, 2)).toBe(false);
    expect(await updateQuoteStatus(store.db, q.id, 'approved', 'ordered', AT, 1)).toBe(true);
    expect(await updateQuoteIfVersion(store.db, q.id, 1, { notes: 'stale' }, later(2))).toBe(false);
    expect(await updateQuoteIfVersion(store.db, q.id, 2, { notes: 'fresh' }, later(2))).toBe(true);
    expect(await findQuoteInScope(store.db, q.id, vendorScope())).toMatchObject({
      status: 'ordered',
      notes: 'fresh',
      version: 3,
      revision: 1,
    });
  });

  it('keeps revisions of a number apart from each row’s version', async () => {
    const first = quoteRow(t, { status: 'superseded', version: 4 });
    const second = quoteRow(t, {
      number: first.number,
      revision: 2,
      version: 1,
      previous_id: first.id,
    });
    await insertQuote(store.db, first, []);
    await insertQuote(store.db, second, []);
    // Two rows may share a version; never a revision.
    await expect(
      insertQuote(store.db, quoteRow(t, { number: first.number, revision: 2 }), []),
    ).rejects.toSatisfy(isUniqueViolation);
    const revisions = await listQuoteRevisions(
      store.db,
      { vendorId: t.vendor.id, number: first.number },
      vendorScope(),
    );
    expect(revisions.map((r) => [r.id, r.revision, r.version])).toEqual([
      [first.id, 1, 4],
      [second.id, 2, 1],
    ]);
    // Another vendor's quote with the same number is not a revision of this one.
    await insertQuote(
      store.db,
      quoteRow(t, { number: first.number, vendor_id: t.otherVendor.id }),
      [],
    );
    expect(
      await listQuoteRevisions(
        store.db,
        { vendorId: t.vendor.id, number: first.number },
        { partnerIds: [t.acme.id] },
      ),
    ).toHaveLength(2);
    expect(
      await listQuoteRevisions(
        store.db,
        { vendorId: t.vendor.id, number: first.number },
        { partnerIds: [t.other.id] },
      ),
    ).toEqual([]);
  });

  it("finds a partner's customer by one look-up of the row's customer, not a list of the partner's customers", async () => {
    const q = quoteRow(t, { status: 'approved' });
    await insertQuote(store.db, q, []);
    const scoped = (partnerIds: string[]) =>
      store.db
        .selectFrom('quotes')
        .select('quotes.id')
        .where('quotes.id', '=', q.id)
        .where(customerOfPartners('quotes.customer_id', partnerIds));
    expect(await scoped([t.acme.id]).execute()).toEqual([{ id: q.id }]);
    expect(await scoped([t.other.id]).execute()).toEqual([]);
    if (dialect !== 'sqlite') return;
    const { sql: text, parameters } = scoped([t.acme.id, t.other.id]).compile();
    const plan = await store.db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${text}`, [...parameters]),
    );
    const details = plan.rows.map((r) => r.detail).join('\n');
    // `customer_id IN (SELECT …)` lists every customer of the partners ("LIST SUBQUERY").
    expect(details).not.toMatch(/LIST SUBQUERY|SCAN customers/);
    expect(details).toMatch(/SEARCH customers/);
  });

  it('scopes quotes: customer owners, and drafts hidden from partners', async () => {
    const other = await seedTenancy(store.db, 'q-scope');
    const draft = quoteRow(other);
    const issued = quoteRow(other, { status: 'approved' });
    const forBeta = quoteRow(other, { status: 'approved', customer_id: other.betaCustomer.id });
    // Expired after approval: still shown to the partner.
    const expiredIssued = quoteRow(other, { status: 'expired' });
    for (const q of [draft, issued, forBeta, expiredIssued]) await insertQuote(store.db, q, []);
    await insertAuditEvent(store.db, {
      entityType: 'quote',
      entityId: expiredIssued.id,
      type: 'quote.approved',
      actorLabel: 'sales',
      at: AT,
    });
    const ids = async (scope: Parameters<typeof listQuotes>[1]) =>
      (await listQuotes(store.db, scope, {}, { limit: 10 })).map((q) => q.id).sort();
    expect(await ids({ vendorId: other.vendor.id })).toEqual(
      [draft.id, issued.id, forBeta.id, expiredIssued.id].sort(),
    );
    expect(
      await ids({
        partnerIds: [other.acme.id],
        customerPartnerIds: [other.acme.id, other.beta.id],
        issuedOnly: true,
      }),
    ).toEqual([issued.id, forBeta.id, expiredIssued.id].sort());
    expect(await ids({ partnerIds: [other.acme.id], customerPartnerIds: [other.beta.id] })).toEqual(
      [forBeta.id],
    );
    expect(
      await findQuoteInScope(store.db, draft.id, { partnerIds: [other.acme.id], issuedOnly: true }),
    ).toBeUndefined();
  });
});
