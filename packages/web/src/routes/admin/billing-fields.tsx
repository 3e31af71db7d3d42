import { Fieldset, Group, TextInput } from '@mantine/core';
import { fieldError } from '../../components/problem-fields';
import type { BillingDraft } from './billing';

const FIELDS: { key: keyof BillingDraft; label: string; path: string }[] = [
  { key: 'country', label: 'Billing country', path: 'billing.country' },
  { key: 'taxId', label: 'Tax ID', path: 'billing.taxId' },
  { key: 'line1', label: 'Address line 1', path: 'billing.address.line1' },
  { key: 'line2', label: 'Address line 2', path: 'billing.address.line2' },
  { key: 'city', label: 'City', path: 'billing.address.city' },
  { key: 'region', label: 'Region', path: 'billing.address.region' },
  { key: 'postalCode', label: 'Postal code', path: 'billing.address.postalCode' },
];

/**
 * A partnership's billing details (the buyer of its invoices, whose country and tax ID decide
 * their tax), each field showing the API's problem at `billing.…`.
 */
export function BillingFields({
  legend,
  value,
  onChange,
  error,
}: {
  legend: string;
  value: BillingDraft;
  onChange: (next: BillingDraft) => void;
  error: unknown;
}) {
  const input = ({ key, label, path }: (typeof FIELDS)[number]) => (
    <TextInput
      key={key}
      label={label}
      description={key === 'country' ? 'ISO 3166-1 alpha-2, e.g. DE' : undefined}
      value={value[key]}
      onChange={(e) => onChange({ ...value, [key]: e.currentTarget.value })}
      error={fieldError(error, path)}
    />
  );
  return (
    <Fieldset legend={legend} variant="unstyled">
      <Group grow wrap="wrap" align="flex-start">
        {FIELDS.slice(0, 2).map(input)}
      </Group>
      <Group grow wrap="wrap" align="flex-start" mt="xs">
        {FIELDS.slice(2).map(input)}
      </Group>
    </Fieldset>
  );
}

/** The problems' paths these fields show; a form's alert shows the rest. */
export const BILLING_FIELD_PATHS: readonly string[] = FIELDS.map((f) => f.path);
