// The quote lifecycle (API.md, "Quotes") as a declarative transition map run by one small
// function. Decisions:
// - `decline` is the partner's answer to an approved (issued) quote. Drafts are internal to the
//   vendor and not yet offered, so a partner cannot decline one: `action.not_allowed`.
// - `approve` is for sales and the CAM; `revise` is for sales only (API.md). A revision
//   supersedes a draft or an approved quote; the caller creates the new version as a fresh
//   draft. A declined quote cannot be revised: the partner asks again.
// - `expire` (system) applies to drafts and approved quotes once `validUntil` has passed.
// - `order` (system) marks an approved quote as used by an order; `release` (system) gives it
//   back (ordered → approved) when that order is rejected or cancelled, or a held order moves
//   to another quote. An expired quote given back is expired by the next `expire` run.
// - A role counts only on its own side (like the order machine): a vendor user whose roles
//   name `partner_user` cannot decline, a partner claiming `sales` cannot approve, and only the
//   system side takes the system's actions.
import { rolesOnOwnSide } from '../profile/profile.roles.ts';
import type { ActorRef } from '../profile/profile.roles.ts';

/** Every status a quote can be in. */
export const QUOTE_STATUSES = [
  'draft',
  'approved',
  'declined',
  'expired',
  'superseded',
  'ordered',
] as const;
export type QuoteStatus = (typeof QUOTE_STATUSES)[number];

/** Every action on a quote (`POST /api/v1/quotes/{id}/actions/{action}` plus the system's). */
export const QUOTE_ACTIONS = [
  'approve',
  'decline',
  'revise',
  'expire',
  'order',
  'release',
] as const;
export type QuoteAction = (typeof QUOTE_ACTIONS)[number];

/** Who may act on a quote: user roles, and `system` for scheduled jobs and order intake. */
export const QUOTE_ACTORS = ['sales', 'cam', 'partner_user', 'partner_admin', 'system'] as const;
export type QuoteActor = (typeof QUOTE_ACTORS)[number];

/** The sides a quote actor can be on: the order machine's, plus the system (jobs, intake). */
export const QUOTE_ACTOR_SIDES = ['vendor', 'partner', 'system'] as const;
export type QuoteActorSide = (typeof QUOTE_ACTOR_SIDES)[number];

/** Who acts on a quote: the user's roles and the side it is on (`system` needs no roles). */
export type QuoteActorRef = ActorRef;

/** Codes of a refused transition (the same as the order machine's). */
export const QUOTE_TRANSITION_ERROR_CODES = ['action.not_allowed', 'role.forbidden'] as const;
export type QuoteTransitionErrorCode = (typeof QUOTE_TRANSITION_ERROR_CODES)[number];

export interface QuoteTransitionRule {
  readonly to: QuoteStatus;
  readonly actors: readonly QuoteActor[];
}

export type QuoteTransitionMap = Readonly<
  Record<QuoteStatus, Readonly<Partial<Record<QuoteAction, QuoteTransitionRule>>>>
>;

const VENDOR_QUOTERS = ['sales', 'cam'] as const;
const SALES = ['sales'] as const;
const PARTNER = ['partner_user', 'partner_admin'] as const;
const SYSTEM = ['system'] as const;

/** The quote lifecycle: `{ status: { action: { to, actors } } }`. */
export const QUOTE_TRANSITIONS: QuoteTransitionMap = {
  draft: {
    approve: { to: 'approved', actors: VENDOR_QUOTERS },
    revise: { to: 'superseded', actors: SALES },
    expire: { to: 'expired', actors: SYSTEM },
  },
  approved: {
    decline: { to: 'declined', actors: PARTNER },
    revise: { to: 'superseded', actors: SALES },
    expire: { to: 'expired', actors: SYSTEM },
    order: { to: 'ordered', actors: SYSTEM },
  },
  declined: {},
  expired: {},
  superseded: {},
  ordered: {
    release: { to: 'approved', actors: SYSTEM },
  },
};

/** The status of a newly created quote. */
export const INITIAL_QUOTE_STATUS: QuoteStatus = 'draft';

export type QuoteTransitionResult =
  | { readonly ok: true; readonly to: QuoteStatus }
  | { readonly ok: false; readonly code: QuoteTransitionErrorCode; readonly message: string };

/**
 * Apply `action` to a quote in `status` for an actor (refusals are returned). Pass the actor
 * as `{ roles, side }`: a role counts only on its own side. The older form, a bare list of
 * roles with `system` as a role, still works but checks no side.
 */
export function transitionQuote(
  status: QuoteStatus,
  action: QuoteAction,
  actor: QuoteActorRef,
): QuoteTransitionResult;
/** @deprecated pass `{ roles, side }`, so the actor's side is checked too. */
export function transitionQuote(
  status: QuoteStatus,
  action: QuoteAction,
  actorRoles: readonly string[],
): QuoteTransitionResult;
export function transitionQuote(
  status: QuoteStatus,
  action: QuoteAction,
  actor: QuoteActorRef | readonly string[],
): QuoteTransitionResult {
  const effective = isActorRef(actor) ? effectiveActors(actor) : actor;
  const rule = QUOTE_TRANSITIONS[status][action];
  if (rule === undefined) {
    // Never the actor's action at all: its role is the reason (403), not the status (409).
    const ever = Object.values(QUOTE_TRANSITIONS).some((byAction) => {
      const actors = byAction[action]?.actors as readonly string[] | undefined;
      return actors !== undefined && effective.some((role) => actors.includes(role));
    });
    if (!ever) {
      return {
        ok: false,
        code: 'role.forbidden',
        message: `Your role does not allow you to ${action} a quote`,
      };
    }
    // Only the actions this actor may take from here (never the system's).
    const possible = availableQuoteActions(status).filter((a) => {
      const actors = QUOTE_TRANSITIONS[status][a]?.actors as readonly string[] | undefined;
      return actors !== undefined && effective.some((role) => actors.includes(role));
    });
    return {
      ok: false,
      code: 'action.not_allowed',
      message:
        `Cannot ${action} a quote that is ${status}` +
        (availableQuoteActions(status).length === 0
          ? '; it is final'
          : possible.length > 0
            ? `; you may ${possible.join(', ')}`
            : ''),
    };
  }
  if (!effective.some((role) => (rule.actors as readonly string[]).includes(role))) {
    return {
      ok: false,
      code: 'role.forbidden',
      message: `Only ${rule.actors.join(', ')} may ${action} a quote that is ${status}`,
    };
  }
  return { ok: true, to: rule.to };
}

function isActorRef(actor: QuoteActorRef | readonly string[]): actor is QuoteActorRef {
  return !Array.isArray(actor);
}

// The quote actors an actor counts as: its roles of its own side, or `system` for the system.
function effectiveActors(actor: QuoteActorRef): readonly string[] {
  return actor.side === 'system' ? ['system'] : rolesOnOwnSide(actor);
}

/** The actions `actor` may take on a quote in `status`, in QUOTE_ACTIONS order. */
export function availableQuoteActionsFor(status: QuoteStatus, actor: QuoteActorRef): QuoteAction[] {
  return QUOTE_ACTIONS.filter((action) => transitionQuote(status, action, actor).ok);
}

/** The actions possible from `status`, whoever takes them. */
export function availableQuoteActions(status: QuoteStatus): QuoteAction[] {
  return QUOTE_ACTIONS.filter((action) => QUOTE_TRANSITIONS[status][action] !== undefined);
}

/** Whether a quote in `status` can no longer change. */
export function isFinalQuoteStatus(status: QuoteStatus): boolean {
  return availableQuoteActions(status).length === 0;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether a quote valid until `validUntil` (inclusive, ISO date) has expired on `today` (ISO date). */
export function isQuoteExpired(validUntil: string, today: string): boolean {
  return isoDay(validUntil) < isoDay(today);
}

function isoDay(text: string): string {
  // Accept a full timestamp too, but compare calendar days only.
  const day = text.slice(0, 10);
  const match = ISO_DATE.exec(day);
  const month = Number(match?.[2]);
  const date = Number(match?.[3]);
  if (match === null || month < 1 || month > 12 || date < 1 || date > 31) {
    throw new RangeError(`"${text}" is not an ISO date`);
  }
  return day;
}
