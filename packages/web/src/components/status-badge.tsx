import { Badge } from '@mantine/core';
import { humanize } from '../lib/format';

// Shades whose white text stays above 4.5:1 (green.9 and orange.9 do not: teal and a yellow
// with dark text instead).
const COLORS: Record<string, string> = {
  submitted: 'blue.9',
  booking: 'violet.9',
  provisioning: 'cyan.9',
  completed: 'teal.9',
  on_hold: 'yellow.4',
  rejected: 'red.9',
  cancelled: 'gray.8',
  draft: 'gray.8',
  approved: 'teal.9',
  declined: 'red.9',
  expired: 'gray.8',
  superseded: 'gray.8',
  ordered: 'indigo.9',
  open: 'blue.9',
  quoted: 'teal.9',
  closed: 'gray.8',
  issued: 'blue.9',
  paid: 'teal.9',
  credited: 'gray.8',
  requested: 'yellow.4',
  refused: 'red.9',
  new: 'blue.9',
  converted: 'teal.9',
  unreadable: 'red.9',
};
const DARK_TEXT = new Set(['yellow.4']);

/** A status as a badge, with the profile's label when it has one. */
export function StatusBadge({ status, label }: { status: string; label?: string | undefined }) {
  const color = COLORS[status] ?? 'gray.8';
  return (
    <Badge
      color={color}
      c={DARK_TEXT.has(color) ? 'black' : 'white'}
      variant="filled"
      style={{ textTransform: 'none' }}
    >
      {label ?? humanize(status)}
    </Badge>
  );
}
