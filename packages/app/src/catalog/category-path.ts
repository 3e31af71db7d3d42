// Category keys are paths of slugs (`hardware.gateways`): a category's descendants share its
// key as a prefix, so "this category and everything below it" is one comparison.

export const CATEGORY_KEY = /^[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*){0,4}$/;
export const MAX_CATEGORY_DEPTH = 5;

/** A slug of a category name: "Add-ons & Extras" → "add-ons-extras". */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function titleOf(slug: string): string {
  const words = slug.split('-').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Reads a category as written in a price list: a key (`hardware.gateways`) or a path of names
 * (`Hardware / Gateways`, `Hardware > Gateways`). Returns each level's key and name, root
 * first, or null when it names no valid category.
 */
export function categoryPath(text: string): { key: string; name: string }[] | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const names = CATEGORY_KEY.test(trimmed)
    ? trimmed.split('.').map((slug) => ({ slug, name: titleOf(slug) }))
    : trimmed.split(/\s*[/>]\s*/).map((name) => ({ slug: slugify(name), name: name.trim() }));
  if (names.length > MAX_CATEGORY_DEPTH || names.some((n) => n.slug === '' || n.name.length > 100))
    return null;
  const path: { key: string; name: string }[] = [];
  for (const { slug, name } of names) {
    const parent = path.at(-1);
    path.push({ key: parent ? `${parent.key}.${slug}` : slug, name });
  }
  return path;
}
