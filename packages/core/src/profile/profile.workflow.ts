// The `workflow` block of a vendor profile: which stages an order passes through, who acts at
// each, and who may hold, reject or cancel. `buildOrderMachine` turns it into a state machine.
import { z } from 'zod';
import { ORDER_STATUSES, STAGE_STATUSES, TERMINAL_STATUSES } from '../order/order.machine.ts';
import type { OrderStatus, StageStatus } from '../order/order.machine.ts';
import { PARTNER_ROLES, ROLES, VENDOR_ROLES } from './profile.roles.ts';
import type { PartnerRole, Role, VendorRole } from './profile.roles.ts';

/** Labels used when a profile does not rename a status. */
export const DEFAULT_STATUS_LABELS: Readonly<Record<OrderStatus, string>> = {
  submitted: 'In review',
  booking: 'Booking',
  provisioning: 'Provisioning',
  completed: 'Completed',
  on_hold: 'On hold',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
};

export interface WorkflowStage {
  readonly status: StageStatus;
  readonly label: string;
  readonly description?: string | undefined;
  /** The vendor roles that act at this stage (take its advancing action). */
  readonly roles: VendorRole[];
  /** Leaving this stage books the order and assigns the sales order number. */
  readonly assignsSalesOrderNumber: boolean;
}

/** A resolved workflow: every `from` list filled in, every status labelled. */
export interface OrderWorkflow {
  readonly stages: WorkflowStage[];
  readonly labels: Record<OrderStatus, string>;
  readonly hold: { readonly roles: VendorRole[]; readonly from: OrderStatus[] };
  readonly resubmit: { readonly roles: PartnerRole[] };
  readonly reject: { readonly roles: VendorRole[]; readonly from: OrderStatus[] };
  readonly cancel: { readonly roles: Role[]; readonly from: OrderStatus[] }[];
}

const stageSchema = z.strictObject({
  status: z.enum(STAGE_STATUSES),
  label: z.string().min(1).optional(),
  description: z.string().optional(),
  roles: z.array(z.enum(VENDOR_ROLES)).min(1),
  assignsSalesOrderNumber: z.boolean().default(false),
});

const CANCEL_BEFORE = ['booking', 'provisioning', 'completed'] as const;
const MAIN_LINE: readonly OrderStatus[] = [...STAGE_STATUSES, 'completed'];

const fromSchema = z.array(z.enum(ORDER_STATUSES)).min(1);

const DEFAULT_STAGES: z.input<typeof stageSchema>[] = [
  { status: 'submitted', roles: ['order_desk'] },
  { status: 'booking', roles: ['finance'], assignsSalesOrderNumber: true },
  { status: 'provisioning', roles: ['provisioning'] },
];

const workflowInputSchema = z.strictObject({
  /** The main line, a subsequence of submitted → booking → provisioning; `completed` follows. */
  stages: z.array(stageSchema).min(1).prefault(DEFAULT_STAGES),
  /**
   * Labels of the statuses that are not stages. A stage's status may be labelled here too (a
   * resolved profile, as `GET …/profile` shows it, labels every status): then as its stage's
   * `label`, which it must not contradict.
   */
  labels: z
    .strictObject(
      Object.fromEntries(ORDER_STATUSES.map((s) => [s, z.string().min(1).optional()])) as Record<
        OrderStatus,
        z.ZodOptional<z.ZodString>
      >,
    )
    .prefault({}),
  /** An empty `roles` list switches holding off. `from` defaults to every stage. */
  hold: z
    .strictObject({ roles: z.array(z.enum(VENDOR_ROLES)), from: fromSchema.optional() })
    .prefault({ roles: ['order_desk', 'finance'] }),
  /** on_hold → submitted, once the partner has corrected the order. */
  resubmit: z
    .strictObject({ roles: z.array(z.enum(PARTNER_ROLES)) })
    .prefault({ roles: ['partner_user', 'partner_admin'] }),
  /** `from` defaults to submitted and on_hold. */
  reject: z
    .strictObject({ roles: z.array(z.enum(VENDOR_ROLES)), from: fromSchema.optional() })
    .prefault({ roles: ['order_desk'] }),
  /**
   * One rule per group of roles, with either `from` (explicit statuses) or `before` (every
   * stage before that one, and on_hold); with neither, every status that is not final.
   */
  cancel: z
    .array(
      z.strictObject({
        roles: z.array(z.enum(ROLES)).min(1),
        from: fromSchema.optional(),
        before: z.enum(CANCEL_BEFORE).optional(),
      }),
    )
    .prefault([
      { roles: ['partner_user', 'partner_admin'], before: 'booking' },
      { roles: ['vendor_admin'], before: 'completed' },
    ]),
});
type WorkflowInput = z.output<typeof workflowInputSchema>;

function checkWorkflow(workflow: WorkflowInput, ctx: z.RefinementCtx): void {
  const stageStatuses = workflow.stages.map((stage) => stage.status);
  workflow.stages.forEach((stage, index) => {
    const labelled = workflow.labels[stage.status];
    if (stage.label !== undefined && labelled !== undefined && labelled !== stage.label) {
      ctx.addIssue({
        code: 'custom',
        path: ['labels', stage.status],
        message: `Differs from stages[${index}].label ("${stage.label}"): label the stage once`,
      });
    }
  });
  if (stageStatuses[0] !== 'submitted') {
    ctx.addIssue({
      code: 'custom',
      path: ['stages', 0, 'status'],
      message: 'The first stage must be "submitted"',
    });
  }
  let previous = -1;
  workflow.stages.forEach((stage, index) => {
    const position = STAGE_STATUSES.indexOf(stage.status);
    if (position <= previous) {
      ctx.addIssue({
        code: 'custom',
        path: ['stages', index, 'status'],
        message: `Stages must appear once each, in the order ${STAGE_STATUSES.join(' → ')}`,
      });
    }
    previous = Math.max(previous, position);
  });
  const booking = workflow.stages.filter((stage) => stage.assignsSalesOrderNumber);
  if (booking.length > 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['stages'],
      message: 'Only one stage may assign the sales order number',
    });
  }

  const holdEnabled = workflow.hold.roles.length > 0;
  const active = new Set<OrderStatus>(stageStatuses);
  if (holdEnabled) active.add('on_hold');
  const checkFrom = (from: readonly OrderStatus[] | undefined, path: (string | number)[]): void => {
    from?.forEach((status, index) => {
      if ((TERMINAL_STATUSES as readonly string[]).includes(status)) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, index],
          message: `"${status}" is a final status`,
        });
      } else if (!active.has(status)) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, index],
          message: `"${status}" is not a status of this workflow (stages: ${stageStatuses.join(', ')})`,
        });
      }
    });
  };
  workflow.hold.from?.forEach((status, index) => {
    if (status === 'on_hold') {
      ctx.addIssue({
        code: 'custom',
        path: ['hold', 'from', index],
        message: 'An order on hold cannot be held again',
      });
    }
  });
  checkFrom(
    workflow.hold.from?.filter((s) => s !== 'on_hold'),
    ['hold', 'from'],
  );
  checkFrom(workflow.reject.from, ['reject', 'from']);
  workflow.cancel.forEach((rule, index) => {
    checkFrom(rule.from, ['cancel', index, 'from']);
    if (rule.from !== undefined && rule.before !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['cancel', index, 'before'],
        message: 'Give either "from" or "before", not both',
      });
    }
  });
  if (holdEnabled && workflow.resubmit.roles.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['resubmit', 'roles'],
      message: 'Orders can be held, so some partner role must be able to resubmit them',
    });
  }
}

function resolveWorkflow(workflow: WorkflowInput): OrderWorkflow {
  const stageStatuses: OrderStatus[] = workflow.stages.map((stage) => stage.status);
  const holdEnabled = workflow.hold.roles.length > 0;
  const open: OrderStatus[] = holdEnabled ? [...stageStatuses, 'on_hold'] : stageStatuses;
  const stages = workflow.stages.map((stage): WorkflowStage => ({
    ...stage,
    label: stage.label ?? workflow.labels[stage.status] ?? DEFAULT_STATUS_LABELS[stage.status],
  }));
  const labels: Record<OrderStatus, string> = { ...DEFAULT_STATUS_LABELS };
  for (const [status, label] of Object.entries(workflow.labels)) {
    if (label !== undefined) labels[status as OrderStatus] = label;
  }
  for (const stage of stages) labels[stage.status] = stage.label;
  return {
    stages,
    labels,
    hold: { roles: workflow.hold.roles, from: workflow.hold.from ?? [...stageStatuses] },
    resubmit: { roles: workflow.resubmit.roles },
    reject: {
      roles: workflow.reject.roles,
      from: workflow.reject.from ?? (holdEnabled ? ['submitted', 'on_hold'] : ['submitted']),
    },
    cancel: workflow.cancel.map((rule) => {
      const limit = rule.before === undefined ? MAIN_LINE.length : MAIN_LINE.indexOf(rule.before);
      return {
        roles: rule.roles,
        from:
          rule.from ??
          open.filter((status) => status === 'on_hold' || MAIN_LINE.indexOf(status) < limit),
      };
    }),
  };
}

/** Schema of a profile's `workflow` block; parses to a resolved `OrderWorkflow`. */
export const orderWorkflowSchema = workflowInputSchema
  .superRefine(checkWorkflow)
  .transform(resolveWorkflow);

export type OrderWorkflowInput = z.input<typeof orderWorkflowSchema>;

/**
 * The shape of a resolved workflow (`OrderWorkflow`), for documents that show a parsed
 * profile (the OpenAPI document): every stage labelled, every `from` filled in.
 */
export const orderWorkflowViewSchema = z
  .object({
    stages: z.array(
      z.object({
        status: z.enum(STAGE_STATUSES),
        label: z.string(),
        description: z.string().optional(),
        roles: z.array(z.enum(VENDOR_ROLES)),
        assignsSalesOrderNumber: z.boolean(),
      }),
    ),
    labels: z.object(
      Object.fromEntries(ORDER_STATUSES.map((s) => [s, z.string()])) as Record<
        OrderStatus,
        z.ZodString
      >,
    ),
    hold: z.object({ roles: z.array(z.enum(VENDOR_ROLES)), from: z.array(z.enum(ORDER_STATUSES)) }),
    resubmit: z.object({ roles: z.array(z.enum(PARTNER_ROLES)) }),
    reject: z.object({
      roles: z.array(z.enum(VENDOR_ROLES)),
      from: z.array(z.enum(ORDER_STATUSES)),
    }),
    cancel: z.array(
      z.object({ roles: z.array(z.enum(ROLES)), from: z.array(z.enum(ORDER_STATUSES)) }),
    ),
  })
  .meta({ id: 'OrderWorkflow' });

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The default lifecycle of API.md: review by order_desk → booking by finance → provisioning. */
export const DEFAULT_WORKFLOW: OrderWorkflow = deepFreeze(orderWorkflowSchema.parse({}));
