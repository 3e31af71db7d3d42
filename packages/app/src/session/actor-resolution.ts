import {
  findPartnerById,
  findSessionUser,
  findTokenUser,
  listPartnerScopeIds,
  touchToken,
  type Executor,
  type PartnerScope,
  type SignedInUser,
} from '@orderdesk/store';
import { parseRoles, type Actor } from '../auth/actor.ts';
import { hashSecret } from '../auth/secrets.ts';
import type { AppContext } from '../context.ts';
import { unauthenticated } from '../shared/errors.ts';

/** The actor a user acts as: roles, side and the tenant scope every query uses. */
export async function actorFromUser(
  db: Executor,
  user: SignedInUser,
  via: Actor['via'],
): Promise<Actor> {
  const partnerScopeIds = user.partner_id ? await listPartnerScopeIds(db, user.partner_id) : [];
  const partner = user.partner_id ? await findPartnerById(db, user.partner_id) : undefined;
  return actorOf(user, via, {
    parentPartnerId: partner?.parent_partner_id ?? null,
    partnerScopeIds,
  });
}

/** The actor of a user whose partner scope was read with it (no further query). */
function actorOf(user: SignedInUser, via: Actor['via'], scope: PartnerScope): Actor {
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    roles: parseRoles(user),
    side: user.vendor_id ? 'vendor' : 'partner',
    vendorId: user.vendor_id,
    partnerId: user.partner_id,
    parentPartnerId: scope.parentPartnerId,
    partnerScopeIds: scope.partnerScopeIds,
    via,
  };
}

/** A token's use is recorded at most once a minute (touchToken). */
const TOKEN_TOUCH_INTERVAL_MS = 60_000;

/** The API token a request presented, as far as the use cases need to know it. */
export interface PresentedToken {
  tokenId: string;
  /** Created with the right to create other tokens (`canMint`). */
  canMint: boolean;
}

// Which token an actor was resolved from. Only minting asks; keeping it beside the Actor
// (keyed by the object actorFromToken returns) lets no other use case depend on it.
const presentedTokens = new WeakMap<Actor, PresentedToken>();

/** The bearer token the actor was resolved from by actorFromToken, if it was. */
export function presentedTokenOf(actor: Actor): PresentedToken | undefined {
  return presentedTokens.get(actor);
}

/**
 * The actor behind a bearer API token; unauthenticated when it is unknown, revoked, expired
 * or its user deactivated. Records the use (at most once a minute per token, so reads do not
 * each cost a write).
 */
export async function actorFromToken(ctx: AppContext, token: string): Promise<Actor> {
  const at = ctx.now().toISOString();
  const found = await findTokenUser(ctx.store.db, hashSecret(token), at);
  if (!found) throw unauthenticated('Unknown, revoked or expired API token');
  // The read says when the use was last recorded: most requests need no write at all.
  const last = found.token.last_used_at;
  if (last === null || Date.parse(at) - Date.parse(last) >= TOKEN_TOUCH_INTERVAL_MS) {
    await touchToken(ctx.store.db, found.token.id, at, TOKEN_TOUCH_INTERVAL_MS);
  }
  const actor = actorOf(found.user, 'token', found.partnerScope);
  presentedTokens.set(actor, { tokenId: found.token.id, canMint: found.token.can_mint === 1 });
  return actor;
}

/** The actor of a live session and its CSRF token, or null (expired, logged out, unknown). */
export async function actorFromSession(
  ctx: AppContext,
  sessionSecret: string,
): Promise<{ actor: Actor; csrfToken: string } | null> {
  const found = await findSessionUser(
    ctx.store.db,
    hashSecret(sessionSecret),
    ctx.now().toISOString(),
  );
  if (!found) return null;
  return {
    actor: actorOf(found.user, 'session', found.partnerScope),
    csrfToken: found.csrfToken,
  };
}
