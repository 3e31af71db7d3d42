import type { ResultRow } from './table.ts';

/** What every scenario gets from the runner. */
export interface BenchContext {
  /** The ~1-minute smoke run: small data, one repetition, short load runs. */
  quick: boolean;
  /** A temp directory for this run's files and SQLite databases (removed after). */
  tmp: string;
  /** Whether PostgreSQL server binaries are installed; without them the PostgreSQL rows are skipped. */
  postgres: boolean;
  /** Progress output (stderr). */
  log(message: string): void;
  /** Data built by one scenario that a later one reuses (e.g. the 1,000,000-product catalog). */
  shared: Map<string, unknown>;
}

export interface Scenario {
  /** Short name for --only. */
  name: string;
  title: string;
  run(ctx: BenchContext): Promise<ResultRow[]>;
}

/** A row for a figure that could not be measured because a feature has not landed yet. */
export function unavailableRow(scenario: string, figure: string, why: string): ResultRow {
  return { scenario, figure, value: null, unit: '', note: `not measured: ${why}` };
}
