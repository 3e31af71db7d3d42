// What the desk may point a hold's problem at: the order's own fields and lines, in the form's
// words ("PO number", "Line 1 (F200-GW-01): unit price"), each standing for the path the partner's
// correction wizard marks (`purchaseOrder.number`, `lines[0].unitPrice`). A problem of the order
// as a whole goes without a path (the API takes an empty one), so none is ever dropped.
import type { Order, VendorProfile } from '../../api/client';
import { fieldsOf, orderTypeOf, pathLabel } from '../wizard/wizard-model';

/** The choice that stands for "no particular field" (a Select's value cannot be empty). */
export const WHOLE_ORDER = '@order';

export interface HoldFieldGroup {
  group: string;
  items: { value: string; label: string }[];
}

type HeldOrder = Pick<Order, 'type' | 'lines' | 'quoteId'>;

/** The fields and lines of the order the desk can name, grouped for a select. */
export function holdFieldChoices(
  profile: VendorProfile | undefined,
  order: HeldOrder,
  extraPaths: readonly string[] = [],
): HoldFieldGroup[] {
  const type = profile ? orderTypeOf(profile, order.type) : undefined;
  const orderPaths: string[] = ['type'];
  if (order.quoteId || (type && type.quote !== 'not_applicable')) orderPaths.push('quoteId');
  // Every field the order type asks for, whichever conditions apply to this order.
  const asked =
    profile && type
      ? [
          ...fieldsOf(profile, type, { partnerTier: 2, linesShip: true }),
          ...fieldsOf(profile, type, { partnerTier: 1, linesShip: false }),
        ].map((f) => f.path)
      : ['purchaseOrder.number', 'purchaseOrder.date'];
  for (const path of [...asked, 'purchaseOrder.total']) {
    if (!orderPaths.includes(path)) orderPaths.push(path);
  }
  const groups: HoldFieldGroup[] = [
    {
      group: 'Order',
      items: [
        { value: WHOLE_ORDER, label: 'The order as a whole' },
        ...orderPaths.map((path) => ({ value: path, label: pathLabel(profile, path) })),
      ],
    },
  ];
  order.lines.forEach((line, i) => {
    const name = `Line ${i + 1} (${line.partNumber})`;
    const attributes = Object.keys(line.attributes ?? {});
    const lineFields: [string, string][] = [
      ['unitPrice', 'unit price'],
      ['quantity', 'quantity'],
      ['partNumber', 'part number'],
      ...attributes.map((key): [string, string] => [
        `attributes.${key}`,
        profile?.attributes.find((a) => a.key === key)?.label ?? key,
      ]),
    ];
    groups.push({
      group: name,
      items: [
        { value: `lines[${i}]`, label: `${name}: the whole line` },
        ...lineFields.map(([field, words]) => ({
          value: `lines[${i}].${field}`,
          label: `${name}: ${words}`,
        })),
      ],
    });
  });
  // A path a problem already has (the order's own validation) stays choosable as it is.
  const known = new Set(groups.flatMap((g) => g.items.map((i) => i.value)));
  const others = [...new Set(extraPaths)].filter((p) => p && !known.has(p));
  if (others.length > 0) {
    groups.push({
      group: 'Other',
      items: others.map((path) => ({ value: path, label: pathLabel(profile, path) })),
    });
  }
  return groups;
}

export interface HoldProblemRow {
  /** A path, or `WHOLE_ORDER`. */
  field: string;
  message: string;
}

/**
 * The problems of the hold as the API takes them, or the rows' errors: every row says what is
 * wrong (a row left without words is named, not dropped); one about the whole order goes
 * without a path.
 */
export function holdProblemsBody(
  rows: readonly HoldProblemRow[],
):
  | { ok: true; problems: { path: string; message: string }[] }
  | { ok: false; errors: Map<number, string> } {
  const errors = new Map<number, string>();
  rows.forEach((row, i) => {
    if (!row.message.trim()) errors.set(i, 'Say what is wrong here, or remove this problem');
  });
  if (errors.size > 0) return { ok: false, errors };
  return {
    ok: true,
    problems: rows.map((row) => ({
      path: row.field === WHOLE_ORDER ? '' : row.field.trim(),
      message: row.message.trim(),
    })),
  };
}
