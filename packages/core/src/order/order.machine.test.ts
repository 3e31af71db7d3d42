import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WORKFLOW, orderWorkflowSchema } from '../profile/profile.workflow.ts';
import type { OrderWorkflow, OrderWorkflowInput } from '../profile/profile.workflow.ts';
import { PARTNER_ROLES, ROLES, VENDOR_ROLES, sideOfRole } from '../profile/profile.roles.ts';
import type { Role } from '../profile/profile.roles.ts';
import {
  ORDER_ACTIONS,
  ORDER_STATUSES,
  TERMINAL_STATUSES,
  availableActions,
  buildOrderMachine,
  transition,
} from './order.machine.ts';
import type { OrderAction, OrderMachine, OrderStatus } from './order.machine.ts';

type Edges = Partial<Record<OrderStatus, Partial<Record<OrderAction, [OrderStatus, Role[]]>>>>;

const PARTNER: Role[] = ['partner_user', 'partner_admin'];

// The whole expected transition table of a workflow: every edge with every role allowed on it.
// Every (status, action) pair not listed must be refused with `action.not_allowed`.
const DEFAULT_EDGES: Edges = {
  submitted: {
    approve: ['booking', ['order_desk']],
    hold: ['on_hold', ['order_desk', 'finance']],
    reject: ['rejected', ['order_desk']],
    cancel: ['cancelled', [...PARTNER, 'vendor_admin']],
  },
  booking: {
    book: ['provisioning', ['finance']],
    hold: ['on_hold', ['order_desk', 'finance']],
    cancel: ['cancelled', ['vendor_admin']],
  },
  provisioning: {
    complete: ['completed', ['provisioning']],
    hold: ['on_hold', ['order_desk', 'finance']],
    cancel: ['cancelled', ['vendor_admin']],
  },
  on_hold: {
    resubmit: ['submitted', PARTNER],
    reject: ['rejected', ['order_desk']],
    cancel: ['cancelled', [...PARTNER, 'vendor_admin']],
  },
};

// A vendor without a separate booking step: approval books the order.
const NO_BOOKING_INPUT: OrderWorkflowInput = {
  stages: [
    {
      status: 'submitted',
      label: 'Pending approval',
      roles: ['order_desk'],
      assignsSalesOrderNumber: true,
    },
    { status: 'provisioning', roles: ['provisioning'] },
  ],
  hold: { roles: ['order_desk'] },
  cancel: [
    { roles: ['partner_user', 'partner_admin'], before: 'provisioning' },
    { roles: ['vendor_admin'], before: 'completed' },
  ],
};
const NO_BOOKING_EDGES: Edges = {
  submitted: {
    approve: ['provisioning', ['order_desk']],
    hold: ['on_hold', ['order_desk']],
    reject: ['rejected', ['order_desk']],
    cancel: ['cancelled', [...PARTNER, 'vendor_admin']],
  },
  provisioning: {
    complete: ['completed', ['provisioning']],
    hold: ['on_hold', ['order_desk']],
    cancel: ['cancelled', ['vendor_admin']],
  },
  on_hold: {
    resubmit: ['submitted', PARTNER],
    reject: ['rejected', ['order_desk']],
    cancel: ['cancelled', [...PARTNER, 'vendor_admin']],
  },
};

// No provisioning step (e.g. a vendor whose booking is the delivery), and no holding.
const NO_PROVISIONING_INPUT: OrderWorkflowInput = {
  stages: [
    { status: 'submitted', roles: ['order_desk'] },
    { status: 'booking', roles: ['finance'], assignsSalesOrderNumber: true },
  ],
  hold: { roles: [] },
};
const NO_PROVISIONING_EDGES: Edges = {
  submitted: {
    approve: ['booking', ['order_desk']],
    reject: ['rejected', ['order_desk']],
    cancel: ['cancelled', [...PARTNER, 'vendor_admin']],
  },
  booking: {
    book: ['completed', ['finance']],
    cancel: ['cancelled', ['vendor_admin']],
  },
};

function describeWorkflow(
  name: string,
  workflow: OrderWorkflow,
  edges: Edges,
  statuses: OrderStatus[],
): void {
  describe(name, () => {
    const machine = buildOrderMachine(workflow);

    it('uses exactly the expected statuses', () => {
      expect([...machine.statuses].sort()).toEqual([...statuses].sort());
    });

    for (const status of statuses) {
      for (const action of ORDER_ACTIONS) {
        const edge = edges[status]?.[action];
        if (edge === undefined) {
          it(`refuses ${action} from ${status} (action.not_allowed; role.forbidden for roles that never take it)`, () => {
            for (const role of ROLES) {
              const result = transition(machine, {
                status,
                action,
                actorRoles: [role],
                actorSide: sideOfRole(role),
              });
              const ever = Object.values(edges).some((byAction) =>
                (byAction?.[action]?.[1] as readonly string[] | undefined)?.includes(role),
              );
              expect(result).toMatchObject({
                ok: false,
                code: ever ? 'action.not_allowed' : 'role.forbidden',
              });
            }
          });
          continue;
        }
        const [to, roles] = edge;
        it(`allows ${action} from ${status} to ${to} for ${roles.join(', ')}`, () => {
          for (const role of roles) {
            const result = transition(machine, {
              status,
              action,
              actorRoles: [role],
              actorSide: sideOfRole(role),
            });
            expect(result).toMatchObject({ ok: true, to });
          }
        });
        it(`refuses ${action} from ${status} to other roles (role.forbidden; action.not_allowed for roles that take it from another status)`, () => {
          for (const role of ROLES.filter((r) => !roles.includes(r))) {
            const result = transition(machine, {
              status,
              action,
              actorRoles: [role],
              actorSide: sideOfRole(role),
            });
            const ever = Object.values(edges).some((byAction) =>
              (byAction?.[action]?.[1] as readonly string[] | undefined)?.includes(role),
            );
            expect(result).toMatchObject({
              ok: false,
              code: ever ? 'action.not_allowed' : 'role.forbidden',
            });
            if (!result.ok) expect(result.message).toContain(roles[0]);
          }
        });
      }
    }

    for (const status of ORDER_STATUSES.filter((s) => !statuses.includes(s))) {
      it(`refuses every action from ${status}, which the workflow skips`, () => {
        for (const action of ORDER_ACTIONS) {
          const result = transition(machine, {
            status,
            action,
            actorRoles: ['vendor_admin'],
            actorSide: 'vendor',
          });
          expect(result).toMatchObject({ ok: false, code: 'action.not_allowed' });
        }
      });
    }
  });
}

describeWorkflow('default workflow', DEFAULT_WORKFLOW, DEFAULT_EDGES, [...ORDER_STATUSES]);
describeWorkflow(
  'workflow without a booking stage',
  orderWorkflowSchema.parse(NO_BOOKING_INPUT),
  NO_BOOKING_EDGES,
  ['submitted', 'provisioning', 'completed', 'on_hold', 'rejected', 'cancelled'],
);
describeWorkflow(
  'workflow without provisioning and without holds',
  orderWorkflowSchema.parse(NO_PROVISIONING_INPUT),
  NO_PROVISIONING_EDGES,
  ['submitted', 'booking', 'completed', 'rejected', 'cancelled'],
);

describe('transition', () => {
  const machine = buildOrderMachine(DEFAULT_WORKFLOW);

  it('assigns the sales order number when finance books', () => {
    expect(
      transition(machine, {
        status: 'booking',
        action: 'book',
        actorRoles: ['finance'],
        actorSide: 'vendor',
      }),
    ).toEqual({ ok: true, to: 'provisioning', assignsSalesOrderNumber: true });
    expect(
      transition(machine, {
        status: 'submitted',
        action: 'approve',
        actorRoles: ['order_desk'],
        actorSide: 'vendor',
      }),
    ).toEqual({ ok: true, to: 'booking', assignsSalesOrderNumber: false });
  });

  it('assigns it on approval when the workflow has no booking stage', () => {
    const noBooking = buildOrderMachine(orderWorkflowSchema.parse(NO_BOOKING_INPUT));
    expect(
      transition(noBooking, {
        status: 'submitted',
        action: 'approve',
        actorRoles: ['order_desk'],
        actorSide: 'vendor',
      }),
    ).toEqual({ ok: true, to: 'provisioning', assignsSalesOrderNumber: true });
  });

  it('counts a role only on its own side', () => {
    // A partner-side user carrying a vendor role (bad data) may not book.
    expect(
      transition(machine, {
        status: 'booking',
        action: 'book',
        actorRoles: ['finance'],
        actorSide: 'partner',
      }),
    ).toMatchObject({ ok: false, code: 'role.forbidden' });
    // A vendor-side user carrying a partner role may not resubmit.
    expect(
      transition(machine, {
        status: 'on_hold',
        action: 'resubmit',
        actorRoles: ['partner_admin'],
        actorSide: 'vendor',
      }),
    ).toMatchObject({ ok: false, code: 'role.forbidden' });
  });

  it('accepts an actor with several roles if one of them is allowed', () => {
    expect(
      transition(machine, {
        status: 'provisioning',
        action: 'complete',
        actorRoles: ['cam', 'provisioning'],
        actorSide: 'vendor',
      }),
    ).toMatchObject({ ok: true, to: 'completed' });
    expect(
      transition(machine, {
        status: 'provisioning',
        action: 'complete',
        actorRoles: [],
        actorSide: 'vendor',
      }),
    ).toMatchObject({ ok: false, code: 'role.forbidden' });
  });

  it('explains a refusal with the status label and the actions open to the actor', () => {
    const result = transition(machine, {
      status: 'submitted',
      action: 'book',
      actorRoles: ['finance'],
      actorSide: 'vendor',
    });
    expect(result).toEqual({
      ok: false,
      code: 'action.not_allowed',
      message: 'Cannot book an order that is In review; you may hold',
    });
    expect(
      transition(machine, {
        status: 'completed',
        action: 'cancel',
        actorRoles: ['vendor_admin'],
        actorSide: 'vendor',
      }),
    ).toMatchObject({ ok: false, message: expect.stringContaining('it is final') });
  });

  it('uses the labels of a renamed workflow', () => {
    const renamed = buildOrderMachine(
      orderWorkflowSchema.parse({
        stages: [
          { status: 'submitted', label: 'Paperwork review', roles: ['order_desk'] },
          {
            status: 'booking',
            label: 'Finance',
            roles: ['finance'],
            assignsSalesOrderNumber: true,
          },
          { status: 'provisioning', roles: ['provisioning'] },
        ],
        labels: { on_hold: 'Waiting on partner' },
      }),
    );
    expect(renamed.labels).toMatchObject({
      submitted: 'Paperwork review',
      booking: 'Finance',
      provisioning: 'Provisioning',
      on_hold: 'Waiting on partner',
    });
  });
});

describe('availableActions', () => {
  const machine = buildOrderMachine(DEFAULT_WORKFLOW);

  it('lists what each actor may do', () => {
    expect(availableActions(machine, 'submitted', ['order_desk'], 'vendor')).toEqual([
      'approve',
      'hold',
      'reject',
    ]);
    expect(availableActions(machine, 'submitted', ['partner_user'], 'partner')).toEqual(['cancel']);
    expect(availableActions(machine, 'booking', ['partner_user'], 'partner')).toEqual([]);
    expect(availableActions(machine, 'on_hold', ['partner_admin'], 'partner')).toEqual([
      'resubmit',
      'cancel',
    ]);
    expect(availableActions(machine, 'completed', ['vendor_admin'], 'vendor')).toEqual([]);
  });

  it('lists exactly the actions transition allows, for any status, roles and side', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ORDER_STATUSES),
        fc.subarray([...ROLES]),
        fc.constantFrom('partner' as const, 'vendor' as const),
        (status, roles, side) => {
          const allowed = ORDER_ACTIONS.filter(
            (action) =>
              transition(machine, { status, action, actorRoles: roles, actorSide: side }).ok,
          );
          expect(availableActions(machine, status, roles, side)).toEqual(allowed);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('buildOrderMachine checks the workflow', () => {
  const base = DEFAULT_WORKFLOW;
  const broken = (patch: Partial<OrderWorkflow>): OrderWorkflow => ({ ...base, ...patch });

  it('requires submitted as the first stage', () => {
    expect(() => buildOrderMachine(broken({ stages: base.stages.slice(1) }))).toThrow(
      /first stage must be "submitted"/,
    );
  });

  it('requires the stages in their fixed order', () => {
    const [submitted, booking, provisioning] = base.stages;
    if (!submitted || !booking || !provisioning) throw new Error('default stages');
    expect(() => buildOrderMachine(broken({ stages: [submitted, provisioning, booking] }))).toThrow(
      /subsequence/,
    );
  });

  it('refuses edges from statuses the workflow skips', () => {
    const [submitted] = base.stages;
    if (!submitted) throw new Error('default stages');
    expect(() =>
      buildOrderMachine(
        broken({ stages: [submitted], hold: { roles: ['order_desk'], from: ['booking'] } }),
      ),
    ).toThrow(/not a status of this workflow/);
  });

  it('refuses edges out of a final status', () => {
    expect(() =>
      buildOrderMachine(broken({ reject: { roles: ['order_desk'], from: ['completed'] } })),
    ).toThrow(/final status/);
  });

  it('refuses rejection from on_hold when nothing can put an order on hold', () => {
    expect(() =>
      buildOrderMachine(
        broken({
          hold: { roles: ['order_desk'], from: [] },
          reject: { roles: ['order_desk'], from: ['on_hold'] },
        }),
      ),
    ).toThrow(/not a status of this workflow/);
  });

  it('finds a dead end', () => {
    // Held orders that nobody can resubmit, reject or cancel.
    expect(() =>
      buildOrderMachine(
        broken({
          resubmit: { roles: [] },
          reject: { roles: ['order_desk'], from: ['submitted'] },
          cancel: [{ roles: ['vendor_admin'], from: ['submitted'] }],
        }),
      ),
    ).toThrow(/no way out of status "on_hold"/);
  });
});

describe('random walks', () => {
  const machines: OrderMachine[] = [
    buildOrderMachine(DEFAULT_WORKFLOW),
    buildOrderMachine(orderWorkflowSchema.parse(NO_BOOKING_INPUT)),
    buildOrderMachine(orderWorkflowSchema.parse(NO_PROVISIONING_INPUT)),
  ];

  it('stay inside the workflow and never leave a final status', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...machines),
        fc.array(fc.tuple(fc.constantFrom(...ORDER_ACTIONS), fc.constantFrom(...ROLES)), {
          maxLength: 30,
        }),
        (machine, steps) => {
          let status: OrderStatus = machine.initial;
          for (const [action, role] of steps) {
            const result = transition(machine, {
              status,
              action,
              actorRoles: [role],
              actorSide: sideOfRole(role),
            });
            if ((TERMINAL_STATUSES as readonly OrderStatus[]).includes(status)) {
              expect(result.ok).toBe(false);
            }
            if (result.ok) {
              expect(machine.statuses).toContain(result.to);
              status = result.to;
            }
          }
        },
      ),
    );
  });

  it('partner roles and vendor roles partition ROLES', () => {
    expect([...PARTNER_ROLES, ...VENDOR_ROLES].sort()).toEqual([...ROLES].sort());
  });
});
