import { Badge } from '@mantine/core';
import { humanize } from '../lib/format';

const COLORS: Record<string, string> = {
  submitted: 'blue',
  booking: 'violet',
  provisioning: 'cyan',
  completed: 'green',
  on_hold: 'orange',
  rejected: 'red',
  cancelled: 'gray',
  draft: 'gray',
  approved: 'green',
  declined: 'red',
  expired: 'gray',
  superseded: 'gray',
  ordered: 'teal',
  open: 'blue',
  quoted: 'green',
  closed: 'gray',
};

/** A status as a badge, with the profile's label when it has one. */
export function StatusBadge({ status, label }: { status: string; label?: string | undefined }) {
  return (
    <Badge color={COLORS[status] ?? 'gray'} variant="light" style={{ textTransform: 'none' }}>
      {label ?? humanize(status)}
    </Badge>
  );
}
