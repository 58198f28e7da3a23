// Field transformers (tolower(proc.name), basename(fd.name), len(proc.args)...): composed with the
// field's extractor once at compile time, so the generated code just calls one extractor.

import type { Transformer } from '../ast.js';
import type { FieldType } from '../types.js';
import type { Extractor, FieldValue } from '../../engine/fields/index.js';

type StringFn = (s: string) => string | number | undefined;

const FNS: Record<Transformer, StringFn> = {
  tolower: (s) => s.toLowerCase(),
  toupper: (s) => s.toUpperCase(),
  b64: (s) => Buffer.from(s, 'base64').toString('utf8'),
  basename: (s) => s.slice(s.lastIndexOf('/') + 1),
  len: (s) => s.length,
};

/** The field type a transformer chain produces, or an error message when one does not apply. */
export function transformedType(type: FieldType, chain: readonly Transformer[]): { type: FieldType } | { error: string } {
  let t = type;
  for (const tr of chain) {
    if (t !== 'string' && t !== 'bytes') return { error: `${tr}() needs a text field, not a ${t} one` };
    t = tr === 'len' ? 'number' : t;
  }
  return { type: t };
}

/**
 * Wraps an extractor with a transformer chain. List values are transformed element by element,
 * except len(), which gives the number of elements (libsinsp's len of a list).
 */
export function applyTransformers(extract: Extractor, chain: readonly Transformer[]): Extractor {
  let out = extract;
  for (const tr of chain) {
    const fn = FNS[tr];
    const inner = out;
    out = (evt, ctx): FieldValue => {
      const v = inner(evt, ctx);
      if (typeof v === 'string') return fn(v);
      if (Array.isArray(v)) {
        if (tr === 'len') return v.length;
        return (v as readonly string[]).map((s) => String(fn(s)));
      }
      return undefined;
    };
  }
  return out;
}
