/**
 * How an error message shows the value it rejects: as JSON, except that non-finite numbers
 * read as themselves (JSON.stringify prints Infinity and NaN as null, so `1e999` would be
 * reported as "got null").
 */
export function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(shown).join(',')}]`;
  return JSON.stringify(v);
}
