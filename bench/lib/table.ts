// The one results table: each row is a figure, its value, the anchor measured in the same run
// and the ratio between them, and the target it is judged against (if any).

export interface Anchor {
  /** What the anchor is, e.g. "ceiling route, 16 conn". */
  label: string;
  value: number | null;
  unit: string;
}

export interface Target {
  /** As the issue states it, e.g. "≥ 50% of ceiling". */
  text: string;
  /** null when the figure could not be judged (not measured). */
  met: boolean | null;
}

export interface ResultRow {
  /** Scenario number and short name, e.g. "1 submit". */
  scenario: string;
  figure: string;
  value: number | null;
  unit: string;
  anchor?: Anchor;
  /** Usually value / anchor; the figure says when it is the other way round. */
  ratio?: number | null;
  target?: Target;
  note?: string;
}

/** value / anchor, or null when either is missing or the anchor is zero. */
export function ratioOf(value: number | null, anchor: number | null): number | null {
  if (value === null || anchor === null || !Number.isFinite(value) || !Number.isFinite(anchor))
    return null;
  return anchor === 0 ? null : value / anchor;
}

/** A target row verdict: null when the value is missing. */
export function judge(value: number | null, ok: (v: number) => boolean): boolean | null {
  return value === null || !Number.isFinite(value) ? null : ok(value);
}

/** Formats a number for the table: 3 significant digits below 100, thousands separators above. */
export function fmt(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  let text: string;
  if (abs >= 100) text = Math.round(value).toLocaleString('en-US');
  else if (abs >= 10) text = value.toFixed(1);
  else if (abs >= 1) text = value.toFixed(2);
  else text = value.toPrecision(2);
  return unit ? `${text} ${unit}` : text;
}

function verdict(t: Target | undefined): string {
  if (!t) return '';
  if (t.met === null) return '?';
  return t.met ? 'met' : 'NOT met';
}

function cells(row: ResultRow): string[] {
  return [
    row.scenario,
    row.figure,
    fmt(row.value, row.unit),
    row.anchor ? `${fmt(row.anchor.value, row.anchor.unit)} (${row.anchor.label})` : '',
    row.ratio === undefined ? '' : row.ratio === null ? 'n/a' : `${row.ratio.toFixed(2)}×`,
    row.target?.text ?? '',
    verdict(row.target),
  ];
}

const HEADER = ['#', 'figure', 'value', 'anchor (same run)', 'ratio', 'target', 'status'];

/** The table as aligned plain text, with notes under it. */
export function formatText(rows: readonly ResultRow[]): string {
  const body = rows.map(cells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of body) out.push(line(r));
  const notes = rows.filter((r) => r.note).map((r) => `  ${r.scenario} ${r.figure}: ${r.note}`);
  if (notes.length > 0) out.push('', 'Notes:', ...notes);
  return out.join('\n');
}

/** The table as Markdown (for bench/README.md). */
export function formatMarkdown(rows: readonly ResultRow[]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const out = [
    `| ${HEADER.join(' | ')} |`,
    `| ${HEADER.map((_, i) => (i === 2 || i === 4 ? '---:' : '---')).join(' | ')} |`,
  ];
  for (const r of rows) out.push(`| ${cells(r).map(esc).join(' | ')} |`);
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.scenario} ${r.figure}: ${r.note}`);
  if (notes.length > 0) out.push('', ...notes);
  return out.join('\n');
}
