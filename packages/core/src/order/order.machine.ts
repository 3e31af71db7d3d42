// The order lifecycle as a declarative transition map, built from a vendor profile's workflow
// (Vendure-style: `{ status: { action: { to, roles } } }`, checked once when it is built).
import type { OrderWorkflow } from '../profile/profile.workflow.ts';
import { sideOfRole } from '../profile/profile.roles.ts';
import type { ActorSide, Role } from '../profile/profile.roles.ts';

/** Every status an order can be in. A profile may leave `booking` or `provisioning` out. */
export const ORDER_STATUSES = [
  'submitted',
  'booking',
  'provisioning',
  'completed',
  'on_hold',
  'rejected',
  'cancelled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The main-line statuses a profile lists as stages, in their fixed order. */
export const STAGE_STATUSES = ['submitted', 'booking', 'provisioning'] as const;
export type StageStatus = (typeof STAGE_STATUSES)[number];

/** Statuses an order never leaves. */
export const TERMINAL_STATUSES = ['completed', 'rejected', 'cancelled'] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/** Every action on an order (`POST /orders/{id}/actions/{action}`). */
export const ORDER_ACTIONS = [
  'approve',
  'hold',
  'resubmit',
  'book',
  'complete',
  'reject',
  'cancel',
] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];

/** The action that moves an order out of each stage to the next one. */
export const STAGE_ACTIONS: Readonly<Record<StageStatus, OrderAction>> = {
  submitted: 'approve',
  booking: 'book',
  provisioning: 'complete',
};

/** Codes of a refused transition. */
export const TRANSITION_ERROR_CODES = ['action.not_allowed', 'role.forbidden'] as const;
export type TransitionErrorCode = (typeof TRANSITION_ERROR_CODES)[number];

/** One edge of the machine. */
export interface OrderTransitionRule {
  readonly to: OrderStatus;
  /** Roles allowed to take it; an actor needs one of them, on the role's own side. */
  readonly roles: readonly Role[];
  /** Taking it books the order: the caller assigns the sales order number. */
  readonly assignsSalesOrderNumber: boolean;
}

export type OrderTransitionMap = Readonly<
  Partial<Record<OrderStatus, Readonly<Partial<Record<OrderAction, OrderTransitionRule>>>>>
>;

export interface OrderMachine {
  readonly initial: 'submitted';
  /** The statuses this workflow uses, main line first. */
  readonly statuses: readonly OrderStatus[];
  readonly labels: Readonly<Record<OrderStatus, string>>;
  readonly transitions: OrderTransitionMap;
}

export interface TransitionRequest {
  readonly status: OrderStatus;
  readonly action: OrderAction;
  readonly actorRoles: readonly Role[];
  readonly actorSide: ActorSide;
}

export type TransitionResult =
  | { readonly ok: true; readonly to: OrderStatus; readonly assignsSalesOrderNumber: boolean }
  | { readonly ok: false; readonly code: TransitionErrorCode; readonly message: string };

const isTerminal = (status: OrderStatus): boolean =>
  (TERMINAL_STATUSES as readonly OrderStatus[]).includes(status);

/** Builds the transition map of a workflow; throws if the workflow is inconsistent. */
export function buildOrderMachine(workflow: OrderWorkflow): OrderMachine {
  const stages = workflow.stages;
  const first = stages[0];
  if (first?.status !== 'submitted') {
    throw new Error('Workflow: the first stage must be "submitted"');
  }
  const stageStatuses = stages.map((stage) => stage.status);
  const canonical = STAGE_STATUSES.filter((status) => stageStatuses.includes(status));
  if (
    canonical.length !== stageStatuses.length ||
    canonical.some((s, i) => s !== stageStatuses[i])
  ) {
    throw new Error(`Workflow: stages must be a subsequence of ${STAGE_STATUSES.join(' → ')}`);
  }

  const statuses: OrderStatus[] = [...stageStatuses, 'completed'];
  const transitions: Partial<
    Record<OrderStatus, Partial<Record<OrderAction, OrderTransitionRule>>>
  > = {};
  const addEdge = (
    from: OrderStatus,
    action: OrderAction,
    to: OrderStatus,
    roles: readonly Role[],
    assignsSalesOrderNumber = false,
  ): void => {
    if (roles.length === 0) return;
    if (!statuses.includes(from)) {
      throw new Error(
        `Workflow: "${action}" from "${from}", which is not a status of this workflow`,
      );
    }
    if (isTerminal(from)) {
      throw new Error(`Workflow: "${action}" from "${from}", which is a final status`);
    }
    const edges = (transitions[from] ??= {});
    const existing = edges[action];
    if (existing !== undefined && existing.to !== to) {
      throw new Error(`Workflow: "${action}" from "${from}" leads to two statuses`);
    }
    const merged = [
      ...(existing?.roles ?? []),
      ...roles.filter((r) => !existing?.roles.includes(r)),
    ];
    edges[action] = {
      to,
      roles: merged,
      assignsSalesOrderNumber:
        (existing?.assignsSalesOrderNumber ?? false) || assignsSalesOrderNumber,
    };
  };

  stages.forEach((stage, index) => {
    const next = stages[index + 1]?.status ?? 'completed';
    addEdge(
      stage.status,
      STAGE_ACTIONS[stage.status],
      next,
      stage.roles,
      stage.assignsSalesOrderNumber,
    );
  });

  const holdEnabled = workflow.hold.roles.length > 0 && workflow.hold.from.length > 0;
  if (holdEnabled) statuses.push('on_hold');
  if (workflow.reject.roles.length > 0 && workflow.reject.from.length > 0)
    statuses.push('rejected');
  if (workflow.cancel.some((rule) => rule.roles.length > 0 && rule.from.length > 0)) {
    statuses.push('cancelled');
  }

  for (const from of workflow.hold.from) {
    if (from === 'on_hold') throw new Error('Workflow: an order on hold cannot be held again');
    addEdge(from, 'hold', 'on_hold', workflow.hold.roles);
  }
  if (holdEnabled) addEdge('on_hold', 'resubmit', 'submitted', workflow.resubmit.roles);
  for (const from of workflow.reject.from)
    addEdge(from, 'reject', 'rejected', workflow.reject.roles);
  for (const rule of workflow.cancel) {
    for (const from of rule.from) addEdge(from, 'cancel', 'cancelled', rule.roles);
  }

  checkReachability(statuses, transitions);

  const labels = { ...workflow.labels };
  for (const stage of stages) labels[stage.status] = stage.label;
  return { initial: 'submitted', statuses, labels, transitions };
}

// Every status must be reachable from `submitted`, and every non-final status must lead on to
// a final one: no orphans, no dead ends.
function checkReachability(
  statuses: readonly OrderStatus[],
  transitions: OrderTransitionMap,
): void {
  const reached = new Set<OrderStatus>(['submitted']);
  const queue: OrderStatus[] = ['submitted'];
  for (let status = queue.shift(); status !== undefined; status = queue.shift()) {
    for (const rule of Object.values(transitions[status] ?? {})) {
      if (!reached.has(rule.to)) {
        reached.add(rule.to);
        queue.push(rule.to);
      }
    }
  }
  const unreachable = statuses.filter((status) => !reached.has(status));
  if (unreachable.length > 0) {
    throw new Error(`Workflow: unreachable status(es): ${unreachable.join(', ')}`);
  }
  for (const status of statuses) {
    if (isTerminal(status)) continue;
    if (Object.keys(transitions[status] ?? {}).length === 0) {
      throw new Error(`Workflow: no way out of status "${status}"`);
    }
  }
}

/** Decides whether an actor may take an action on an order in a given status. */
export function transition(machine: OrderMachine, request: TransitionRequest): TransitionResult {
  const { status, action, actorRoles, actorSide } = request;
  if (!machine.statuses.includes(status)) {
    return {
      ok: false,
      code: 'action.not_allowed',
      message: `Status "${status}" is not part of this workflow`,
    };
  }
  // A role only counts on its own side: a partner user claiming `finance` gets nothing.
  const effective = actorRoles.filter((role) => sideOfRole(role) === actorSide);
  const rule = machine.transitions[status]?.[action];
  if (rule !== undefined && effective.some((role) => rule.roles.includes(role))) {
    return { ok: true, to: rule.to, assignsSalesOrderNumber: rule.assignsSalesOrderNumber };
  }
  // Whether the actor could take this action from any status: if never, its role is the
  // reason (403); if it could from another status, the order's status is (409).
  const ever = Object.values(machine.transitions).some((byAction) => {
    const roles = byAction?.[action]?.roles;
    return roles !== undefined && effective.some((role) => roles.includes(role));
  });
  if (!ever) {
    return {
      ok: false,
      code: 'role.forbidden',
      message:
        rule === undefined
          ? `Your role does not allow you to ${action} an order`
          : `Only ${rule.roles.join(', ')} may ${action} an order that is ${machine.labels[status]}`,
    };
  }
  // Only the actions this actor may take from here.
  const allowed = Object.entries(machine.transitions[status] ?? {})
    .filter(([, r]) => r !== undefined && effective.some((role) => r.roles.includes(role)))
    .map(([name]) => name);
  return {
    ok: false,
    code: 'action.not_allowed',
    message:
      `Cannot ${action} an order that is ${machine.labels[status]}` +
      (Object.keys(machine.transitions[status] ?? {}).length === 0
        ? '; it is final'
        : rule !== undefined
          ? `; only ${rule.roles.join(', ')} may from here` +
            (allowed.length > 0 ? `; you may ${allowed.join(', ')}` : '')
          : allowed.length > 0
            ? `; you may ${allowed.join(', ')}`
            : ''),
  };
}

/** The actions an actor may take on an order in a given status, in ORDER_ACTIONS order. */
export function availableActions(
  machine: OrderMachine,
  status: OrderStatus,
  actorRoles: readonly Role[],
  actorSide: ActorSide,
): OrderAction[] {
  // The actions `transition` would allow, without building the refusals of the others (every
  // order view lists them).
  const byAction = machine.statuses.includes(status) ? machine.transitions[status] : undefined;
  if (byAction === undefined) return [];
  const actions: OrderAction[] = [];
  for (const action of ORDER_ACTIONS) {
    const roles = byAction[action]?.roles;
    if (
      roles !== undefined &&
      actorRoles.some((role) => sideOfRole(role) === actorSide && roles.includes(role))
    ) {
      actions.push(action);
    }
  }
  return actions;
}
