import {
  ActionIcon,
  Card,
  Group,
  NumberInput,
  Popover,
  Stack,
  Text,
  TextInput,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import type { FocusEvent } from 'react';
import type { Partnership, Problem, VendorProfile } from '../../api/client';
import { lineAmount, formatMoney } from '../../lib/money';
import { FieldInput } from './field-input';
import {
  lineFieldsOfLine,
  messageOf,
  problemsAt,
  type OrderType,
  type WizardLine,
} from './wizard-model';
import { CloseIcon, InfoIcon, InvoiceIcon } from '../../components/icons';

function InvoiceInfo({
  line,
  currency,
  partnership,
}: {
  line: WizardLine;
  currency: string;
  partnership: Partnership | undefined;
}) {
  return (
    <Popover width={280} position="bottom" withArrow shadow="md">
      <Popover.Target>
        <ActionIcon variant="subtle" aria-label={`Invoice information for ${line.partNumber}`}>
          <InvoiceIcon />
        </ActionIcon>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap={2}>
          <Text size="sm" fw={600}>
            Invoice information
          </Text>
          <Text size="sm">List price: {formatMoney(line.listPrice, currency)}</Text>
          <Text size="sm">Your multiplier: {line.multiplier ?? '—'}</Text>
          <Text size="sm">Net price: {formatMoney(line.netPrice, currency)}</Text>
          {line.billingTerm && <Text size="sm">Billing term: {line.billingTerm}</Text>}
          {partnership?.invoicingContact && (
            <Text size="sm">
              Invoices go to {partnership.invoicingContact.name} (
              {partnership.invoicingContact.email})
            </Text>
          )}
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

/** The selected items: quantity, unit price as on the PO, per-line fields, problems at each. */
export function LinesEditor({
  profile,
  type,
  lines,
  problems,
  partnership,
  onChange,
  errorsShownAt = () => true,
  onTouch,
}: {
  profile: VendorProfile;
  type: OrderType;
  lines: WizardLine[];
  problems: readonly Problem[];
  partnership: Partnership | undefined;
  onChange: (lines: WizardLine[]) => void;
  /** Whether a line field's errors are shown yet (once left, or its step continued). */
  errorsShownAt?: (path: string) => boolean;
  onTouch?: (path: string, event: FocusEvent<HTMLElement>) => void;
}) {
  const update = (index: number, patch: Partial<WizardLine>) =>
    onChange(lines.map((l, i) => (i === index ? { ...l, ...patch } : l)));
  const currency = profile.currency;
  return (
    <Stack gap="xs" aria-label="Selected items">
      {lines.map((line, i) => {
        const at = (field: string) => messageOf(problemsAt(problems, `lines[${i}].${field}`));
        const lineProblems = messageOf(problemsAt(problems, `lines[${i}]`));
        return (
          <Card key={`${line.partNumber}-${i}`} withBorder padding="sm">
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <div style={{ minWidth: 0 }}>
                <Text fw={600} size="sm">
                  {line.name}
                </Text>
                <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                  {line.partNumber}
                </Text>
              </div>
              <Group gap={4} wrap="nowrap">
                <Tooltip
                  multiline
                  w={280}
                  withArrow
                  events={{ hover: true, focus: true, touch: true }}
                  label={line.description || line.name}
                >
                  <ActionIcon
                    variant="subtle"
                    aria-label={`Product information for ${line.partNumber}`}
                  >
                    <InfoIcon />
                  </ActionIcon>
                </Tooltip>
                <InvoiceInfo line={line} currency={currency} partnership={partnership} />
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={`Remove ${line.partNumber}`}
                  onClick={() => onChange(lines.filter((_, j) => j !== i))}
                >
                  <CloseIcon />
                </ActionIcon>
              </Group>
            </Group>
            <Group grow mt="xs" align="flex-start" wrap="wrap">
              <NumberInput
                label={
                  <>
                    Quantity<VisuallyHidden> of {line.partNumber}</VisuallyHidden>
                  </>
                }
                min={1}
                allowDecimal={false}
                value={line.quantity}
                onChange={(v) =>
                  update(i, { quantity: typeof v === 'number' ? v : Number(v) || 0 })
                }
                error={at('quantity')}
                miw={110}
              />
              <TextInput
                label={
                  <>
                    Unit price ({currency})<VisuallyHidden> of {line.partNumber}</VisuallyHidden>
                  </>
                }
                description={
                  line.netPrice
                    ? `Your net price: ${formatMoney(line.netPrice, currency)}`
                    : undefined
                }
                inputMode="decimal"
                value={line.unitPrice}
                onChange={(e) => update(i, { unitPrice: e.currentTarget.value })}
                error={at('unitPrice')}
                data-path={`lines[${i}].unitPrice`}
                miw={150}
              />
              <div>
                <Text size="sm" fw={500}>
                  Amount
                </Text>
                <Text size="sm" mt={6}>
                  {formatMoney(lineAmount(line.unitPrice || '0', line.quantity), currency)}
                </Text>
              </div>
            </Group>
            {lineFieldsOfLine(profile, type, line).map((spec) => {
              const key = spec.path.replace(/^attributes\./, '');
              return (
                <FieldInput
                  key={spec.path}
                  spec={spec}
                  label={`${spec.label} (${line.partNumber})`}
                  value={line.attributes[key]}
                  error={
                    errorsShownAt(`lines[${i}].${spec.path}`)
                      ? messageOf(problemsAt(problems, `lines[${i}].${spec.path}`))
                      : undefined
                  }
                  onChange={(v) =>
                    update(i, { attributes: { ...line.attributes, [key]: String(v) } })
                  }
                  onBlur={(e) => onTouch?.(`lines[${i}].${spec.path}`, e)}
                />
              );
            })}
            {(lineProblems || at('partNumber')) && (
              <Text c="red" size="sm" role="alert">
                {[lineProblems, at('partNumber')].filter(Boolean).join(' ')}
              </Text>
            )}
          </Card>
        );
      })}
    </Stack>
  );
}
