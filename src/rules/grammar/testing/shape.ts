// Helpers shared by the grammar and resolver tests: comparing tree shapes without spans.

/** A deep copy of `node` without `span` properties, for comparing tree shapes in tests. */
export function shape(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(shape);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (k !== 'span') out[k] = shape(v);
  return out;
}
