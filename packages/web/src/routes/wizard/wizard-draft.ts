// The order wizard's draft: what the partner has entered and the step they are on, kept in the
// tab's sessionStorage so that a reload (or the browser restoring the tab) gives it back.
//
// sessionStorage rather than localStorage: it lives exactly as long as the tab whose reload it
// is for (a restored tab gets it back; a closed one takes it along), so end customers' contacts
// and addresses do not linger on a shared computer once the tab is closed, and two tabs each
// keep their own draft instead of overwriting each other's. The session's CSRF token is kept the
// same way (`api/client.ts`).
//
// One draft per user, vendor and customer (a new order) or order (a correction): the key names
// the user, so that another user of the same browser never gets it, and logging in as someone
// else drops the drafts of everyone else. Only the wizard's own state is kept: no token, and
// never the "I Agree" box (the partner agrees anew). A draft that does not read as this
// version's (the app was updated, the vendor's order types changed, the order being corrected
// moved on) is dropped without a word.
import type { FieldValue, WizardLine, WizardState } from './wizard-model';

/** The storage a draft is kept in: the tab's sessionStorage, or a stand-in in tests. */
export type DraftStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem' | 'key' | 'length'>;

/** Whose draft, of which order: a new one for a customer, or the correction of an order. */
export interface DraftScope {
  userId: string;
  vendor: string;
  customerId: string;
  orderId?: string | undefined;
}

export interface WizardDraft {
  state: WizardState;
  /** The step shown (0–3) and the furthest reached. */
  step: number;
  reached: number;
  savedAt: string;
  /** For a correction: the version of the order the draft was made on. */
  orderVersion?: number | undefined;
  /**
   * The Idempotency-Key the order goes with: a submission that reached the server just before a
   * reload is answered again under it when the partner sends the draft once more, not placed
   * twice.
   */
  submitKey?: string | undefined;
}

/** What a stored draft must match to be restored. */
export interface DraftCheck {
  orderTypes: readonly string[];
  orderVersion?: number | undefined;
}

const PREFIX = 'orderdesk.wizard-draft.';
// Raised whenever the shape of a draft changes: older drafts are then dropped, not misread.
const FORMAT = 1;
const AGREEMENT = 'termsAccepted';

function ownerPrefix(userId: string): string {
  return `${PREFIX}${encodeURIComponent(userId)}:`;
}

export function draftKey(scope: DraftScope): string {
  const parts = [scope.vendor, scope.customerId, scope.orderId ?? 'new'].map(encodeURIComponent);
  return `${ownerPrefix(scope.userId)}${parts.join(':')}`;
}

/** The tab's sessionStorage, or none where the browser refuses it (then nothing is kept). */
export function tabStorage(): DraftStorage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

/** The values without the agreement: it is never kept, nor given back. */
function withoutAgreement(values: Record<string, FieldValue>): Record<string, FieldValue> {
  const { [AGREEMENT]: _agreed, ...rest } = values;
  return rest;
}

/** The state as a draft keeps it: the same, less the agreement. */
export function draftState(state: WizardState): WizardState {
  return { ...state, values: withoutAgreement(state.values) };
}

/** Whether two states hold the same draft (the agreement aside). */
export function sameDraftState(a: WizardState, b: WizardState): boolean {
  return JSON.stringify(draftState(a)) === JSON.stringify(draftState(b));
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
const isStep = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 3;

function readLine(v: unknown): WizardLine | null {
  if (!isObject(v)) return null;
  const { attributes } = v;
  if (
    !isString(v.partNumber) ||
    v.partNumber === '' ||
    !isString(v.name) ||
    !isString(v.description) ||
    !isStringOrNull(v.billingTerm) ||
    typeof v.ships !== 'boolean' ||
    !isString(v.productType) ||
    typeof v.quantity !== 'number' ||
    !Number.isFinite(v.quantity) ||
    !isString(v.unitPrice) ||
    !isStringOrNull(v.listPrice) ||
    !isStringOrNull(v.multiplier) ||
    !isStringOrNull(v.netPrice) ||
    !isObject(attributes) ||
    !Object.values(attributes).every(isString)
  )
    return null;
  return {
    partNumber: v.partNumber,
    name: v.name,
    description: v.description,
    billingTerm: v.billingTerm,
    ships: v.ships,
    productType: v.productType,
    quantity: v.quantity,
    unitPrice: v.unitPrice,
    listPrice: v.listPrice,
    multiplier: v.multiplier,
    netPrice: v.netPrice,
    attributes: attributes as Record<string, string>,
  };
}

function readState(v: unknown, orderTypes: readonly string[]): WizardState | null {
  if (!isObject(v) || !isString(v.type) || !orderTypes.includes(v.type) || !isString(v.quoteId))
    return null;
  const { values, lines } = v;
  if (!isObject(values) || !Array.isArray(lines)) return null;
  if (!Object.values(values).every((x) => isString(x) || typeof x === 'boolean')) return null;
  const read = lines.map(readLine);
  if (read.some((l) => l === null)) return null;
  return {
    type: v.type,
    quoteId: v.quoteId,
    lines: read as WizardLine[],
    values: withoutAgreement(values as Record<string, FieldValue>),
  };
}

/**
 * A stored draft's text as a draft, or null when it is not one this version restores: another
 * format, an order type the vendor no longer has, another version of the order corrected.
 */
export function parseDraft(text: string, check: DraftCheck): WizardDraft | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(data) || data.format !== FORMAT) return null;
  const { step, reached, savedAt, orderVersion, submitKey } = data;
  if (!isStep(step) || !isStep(reached) || !isString(savedAt)) return null;
  if (check.orderVersion !== undefined && orderVersion !== check.orderVersion) return null;
  const state = readState(data.state, check.orderTypes);
  if (!state) return null;
  return {
    state,
    step,
    reached: Math.max(step, reached),
    savedAt,
    ...(check.orderVersion !== undefined ? { orderVersion: check.orderVersion } : {}),
    ...(isString(submitKey) && submitKey !== '' && submitKey.length <= 200 ? { submitKey } : {}),
  };
}

/** The text a draft is stored as (without the agreement). */
export function serializeDraft(draft: WizardDraft): string {
  return JSON.stringify({
    format: FORMAT,
    savedAt: draft.savedAt,
    step: draft.step,
    reached: draft.reached,
    ...(draft.orderVersion !== undefined ? { orderVersion: draft.orderVersion } : {}),
    ...(draft.submitKey !== undefined ? { submitKey: draft.submitKey } : {}),
    state: draftState(draft.state),
  });
}

/** The scope's draft, if one is kept and still reads; one that does not is removed. */
export function loadDraft(
  scope: DraftScope,
  check: DraftCheck,
  storage: DraftStorage | null = tabStorage(),
): WizardDraft | null {
  if (!storage) return null;
  const key = draftKey(scope);
  try {
    const text = storage.getItem(key);
    if (text === null) return null;
    const draft = parseDraft(text, check);
    if (!draft) storage.removeItem(key);
    return draft;
  } catch {
    return null;
  }
}

/** Keeps the draft; where the browser refuses (storage full or off), the wizard goes on without. */
export function saveDraft(
  scope: DraftScope,
  draft: WizardDraft,
  storage: DraftStorage | null = tabStorage(),
): void {
  try {
    storage?.setItem(draftKey(scope), serializeDraft(draft));
  } catch {
    // Not kept: a reload would start afresh, as it did before drafts were kept.
  }
}

export function discardDraft(scope: DraftScope, storage: DraftStorage | null = tabStorage()): void {
  try {
    storage?.removeItem(draftKey(scope));
  } catch {
    // Nothing kept to remove.
  }
}

/**
 * Removes every wizard draft of this tab, or every one but those of `keepUserId`: on signing
 * out, and on logging in (another user's drafts go, the same user's come back after a lapsed
 * session).
 */
export function discardWizardDrafts(
  keepUserId?: string,
  storage: DraftStorage | null = tabStorage(),
): void {
  if (!storage) return;
  try {
    const keep = keepUserId === undefined ? null : ownerPrefix(keepUserId);
    const keys: string[] = [];
    for (let i = 0; i < storage.length; i += 1) {
      const key = storage.key(i);
      if (key?.startsWith(PREFIX) && !(keep && key.startsWith(keep))) keys.push(key);
    }
    for (const key of keys) storage.removeItem(key);
  } catch {
    // Storage refused: nothing was kept there either.
  }
}
