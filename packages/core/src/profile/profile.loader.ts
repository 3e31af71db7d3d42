// Reads a vendor profile from YAML or JSON text. Every error, whether YAML syntax or schema,
// comes back with the file, line and column of the offending node and its path in the profile.
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { withoutHolidayDirectory } from '../sla/sla.schema.ts';
import { vendorProfileSchema } from './profile.schema.ts';
import type { VendorProfile } from './profile.schema.ts';

export interface ProfileError {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** Path in the profile, e.g. `orderTypes[2].requiredFields[0]`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

export type ParseProfileResult =
  | { readonly ok: true; readonly profile: VendorProfile }
  | { readonly ok: false; readonly errors: ProfileError[] };

type PathSegment = PropertyKey;

/** Formats a path as `orderTypes[2].requiredFields[0]`. */
export function formatProfilePath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      out += /^[A-Za-z_$][\w$]*$/.test(key)
        ? `${out === '' ? '' : '.'}${key}`
        : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

interface Located {
  /** Offset of the node (or of its key, when the path ends on a map key). */
  readonly offset: number;
  /** Length of the path that exists in the document. */
  readonly depth: number;
}

// Walks the document along `path` as far as it exists. When the walk ends on a map entry,
// the position is that entry's key (`quote:` rather than its value), as editors show it.
function locate(doc: Document, path: readonly PathSegment[]): Located {
  let node: unknown = doc.contents;
  let offset = doc.contents?.range?.[0] ?? 0;
  let depth = 0;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    let next: unknown;
    let at: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) break;
      next = pair.value;
      at = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
      if (next === undefined) break;
      at = (next as YamlNode | null)?.range?.[0];
    } else {
      break;
    }
    node = next;
    if (at !== undefined) offset = at;
    depth += 1;
  }
  return { offset, depth };
}

function position(lineCounter: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lineCounter.linePos(offset);
  return line === 0 ? { line: 1, column: offset + 1 } : { line, column: col };
}

// Keys a profile once had, and why they are gone (so an old profile gets an answer, not just
// "unknown"). Keyed by the dotted path of the key.
const REMOVED_KEYS: Readonly<Record<string, string>> = {
  'pricing.roundAt':
    'net unit prices are rounded (pricing.rounding) and a line is unit price × quantity, so there is nothing else to round',
};

function schemaErrors(
  issues: readonly z.core.$ZodIssue[],
  doc: Document,
  lineCounter: LineCounter,
  file: string,
): ProfileError[] {
  const errors: ProfileError[] = [];
  const add = (path: readonly PathSegment[], message: string): void => {
    const { offset } = locate(doc, path);
    errors.push({ file, ...position(lineCounter, offset), path: formatProfilePath(path), message });
  };
  for (const issue of issues) {
    const path = issue.path;
    if (issue.code === 'unrecognized_keys') {
      // One error per unknown key, pointing at the key itself.
      for (const key of issue.keys) {
        const removed = REMOVED_KEYS[[...path, key].filter((p) => typeof p === 'string').join('.')];
        add(
          [...path, key],
          removed === undefined ? `Unknown key "${key}"` : `Unknown key "${key}": ${removed}`,
        );
      }
    } else if (issue.code === 'invalid_type' && locate(doc, path).depth < path.length) {
      add(path, `Missing required key "${String(path[path.length - 1])}"`);
    } else {
      add(path, issue.message);
    }
  }
  return errors.sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * Parses and validates a vendor profile written as YAML or JSON. `stored`: the text was
 * validated when it was saved (a profile version read back): the holiday countries and regions
 * are not looked up again in date-holidays' data, which is then not loaded for it.
 */
export function parseVendorProfile(
  text: string,
  fileName: string,
  options: { stored?: boolean } = {},
): ParseProfileResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // Later syntax errors are mostly knock-on effects of the first one: report that one.
    return {
      ok: false,
      errors: doc.errors.slice(0, 1).map((error) => ({
        file: fileName,
        ...position(lineCounter, error.pos[0]),
        path: formatProfilePath(locateByOffset(doc, error.pos[0])),
        message: error.message.split('\n')[0] ?? error.message,
      })),
    };
  }
  if (doc.contents === null) {
    return {
      ok: false,
      errors: [{ file: fileName, line: 1, column: 1, path: '', message: 'The profile is empty' }],
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // An alias to a missing anchor, or an alias bomb: only visible when resolving.
    const alias = firstUnresolvedAlias(doc);
    return {
      ok: false,
      errors: [
        {
          file: fileName,
          ...position(lineCounter, alias?.offset ?? 0),
          path: formatProfilePath(alias?.path ?? []),
          message: error instanceof Error ? error.message : String(error),
        },
      ],
    };
  }
  const result = options.stored
    ? withoutHolidayDirectory(() => vendorProfileSchema.safeParse(value))
    : vendorProfileSchema.safeParse(value);
  if (result.success) return { ok: true, profile: result.data };
  return { ok: false, errors: schemaErrors(result.error.issues, doc, lineCounter, fileName) };
}

// The path of the deepest map entry or sequence item that contains `offset`, so that a syntax
// error also says where in the profile it is (best effort: the document may be half-parsed).
function locateByOffset(doc: Document, offset: number): PathSegment[] {
  const path: PathSegment[] = [];
  let node: unknown = doc.contents;
  for (;;) {
    if (isMap(node)) {
      const index = node.items.findIndex((pair) => {
        const start = (pair.key as YamlNode | null)?.range?.[0];
        const end =
          (pair.value as YamlNode | null)?.range?.[2] ?? (pair.key as YamlNode | null)?.range?.[2];
        return start !== undefined && end !== undefined && start <= offset && offset <= end;
      });
      const pair = node.items[index];
      if (pair === undefined || !isScalar(pair.key)) return path;
      path.push(String(pair.key.value));
      node = pair.value;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => {
        const range = (item as YamlNode | null)?.range;
        return range != null && range[0] <= offset && offset <= range[2];
      });
      if (index < 0) return path;
      path.push(index);
      node = node.items[index];
    } else {
      return path;
    }
  }
}

function firstUnresolvedAlias(
  doc: Document,
): { offset: number; path: readonly PathSegment[] } | undefined {
  let found: { offset: number; path: readonly PathSegment[] } | undefined;
  visit(doc, {
    Alias(_key, node, ancestors) {
      if (node.resolve(doc) !== undefined) return undefined;
      const path: PathSegment[] = [];
      ancestors.forEach((ancestor, index) => {
        const child = ancestors[index + 1] ?? node;
        if (isPair(ancestor) && isScalar(ancestor.key)) path.push(String(ancestor.key.value));
        if (isSeq(ancestor)) path.push(ancestor.items.indexOf(child));
      });
      found = { offset: node.range?.[0] ?? 0, path };
      return visit.BREAK;
    },
  });
  return found;
}

/** One line per error: `file:line:column path: message`. */
export function formatProfileErrors(errors: readonly ProfileError[]): string {
  return errors
    .map((e) => `${e.file}:${e.line}:${e.column} ${e.path === '' ? '' : `${e.path}: `}${e.message}`)
    .join('\n');
}
