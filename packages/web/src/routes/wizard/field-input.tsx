import type { FocusEvent } from 'react';
import { Checkbox, Textarea, TextInput } from '@mantine/core';
import type { FieldSpec, FieldValue } from './wizard-model';

/** One order field, labelled, with its help text and the problems found at it. */
export function FieldInput({
  spec,
  value,
  error,
  warning,
  onChange,
  onBlur,
  label,
}: {
  spec: FieldSpec;
  value: FieldValue | undefined;
  error: string | undefined;
  warning?: string | undefined;
  onChange: (value: FieldValue) => void;
  /** Leaving the field: the wizard shows its problems from then on. */
  onBlur?: ((event: FocusEvent<HTMLElement>) => void) | undefined;
  label?: string;
}) {
  const common = {
    label: label ?? spec.label,
    description: [spec.help, warning].filter(Boolean).join(' ') || undefined,
    error,
    withAsterisk: spec.required,
    'data-path': spec.path,
    onBlur,
  };
  if (spec.kind === 'checkbox') {
    return (
      <Checkbox
        label={common.label}
        description={common.description}
        error={error}
        checked={value === true}
        onChange={(e) => onChange(e.currentTarget.checked)}
        onBlur={onBlur}
        data-path={spec.path}
      />
    );
  }
  const text = typeof value === 'string' ? value : '';
  if (spec.kind === 'textarea' || spec.kind === 'list') {
    return (
      <Textarea
        {...common}
        autosize
        minRows={spec.kind === 'list' ? 2 : 3}
        value={text}
        onChange={(e) => onChange(e.currentTarget.value)}
      />
    );
  }
  return (
    <TextInput
      {...common}
      type={spec.kind === 'email' ? 'email' : spec.kind === 'date' ? 'date' : 'text'}
      inputMode={spec.kind === 'integer' ? 'numeric' : undefined}
      value={text}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
}
