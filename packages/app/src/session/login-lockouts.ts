import { listLoginLockouts as listLockoutRows } from '@orderdesk/store';
import { z } from 'zod';
import { requireTenantAdmin } from '../admin/admin-access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { decodeCursor, pageOf, type Page } from '../shared/paging.ts';
import type { LoginLockoutView } from './session.schemas.ts';

const cursorSchema = z.object({ at: z.string(), id: z.string() });

const dataSchema = z.object({
  scope: z.enum(['address', 'account']),
  clientAddress: z.string().nullable(),
  failures: z.number().int(),
  blockedSeconds: z.number().int(),
});

/**
 * The login lockouts (`user.login_throttled`) of the users of the caller's tenant, newest
 * first: a vendor_admin sees its staff's, a partner_admin its partner's users'. The count of
 * lockouts is how often someone guessed at an account (README, "Login throttling").
 */
export async function listLoginLockouts(
  ctx: AppContext,
  actor: Actor | null,
  query: { limit: number; cursor?: string | undefined },
): Promise<Page<LoginLockoutView>> {
  const scope = requireTenantAdmin(actor);
  const before = decodeCursor(query.cursor, cursorSchema);
  const rows = await listLockoutRows(
    ctx.store.db,
    scope.side === 'vendor' ? { vendorId: scope.vendorId } : { partnerId: scope.partnerId },
    { limit: query.limit + 1, before },
  );
  return pageOf(
    rows,
    query.limit,
    (last) => ({ at: last.at, id: last.id }),
    (row) => {
      const data = dataSchema.parse(JSON.parse(row.data ?? '{}'));
      return { id: row.id, at: row.at, userId: row.user_id, email: row.email, ...data };
    },
  );
}
