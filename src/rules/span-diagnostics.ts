// Turns positions inside condition texts (spans, syntax error offsets) into file diagnostics. The
// span's own source decides the file and place, so an error inside an inlined macro is reported where
// the macro is written, whichever rule inlined it.

import type { ConditionSource, Span } from './ast.js';
import { diagnostic } from './diagnostics.js';
import { ConditionSyntaxError, parseCondition } from './grammar/index.js';
import type { Place } from './items.js';
import { positionOf } from './source-map.js';
import type { Diagnostic, Severity, SpanError } from './types.js';
import type { Expr } from './ast.js';

type ItemRef = NonNullable<Diagnostic['item']>;

export function placeInSource(src: ConditionSource, start: number, end: number): Place {
  return { pos: positionOf(src, start), length: Math.max(1, end - start) };
}

export function spanPlace(span: Span, fallback: Place): Place {
  return span.src ? placeInSource(span.src, span.start, span.end) : fallback;
}

export function spanDiagnostic(severity: Severity, e: SpanError, fallback: Place, item: ItemRef): Diagnostic {
  return diagnostic(severity, e.code, e.message, spanPlace(e.span, fallback), item);
}

/** Parses a condition; a syntax error becomes a diagnostic at the offending token. */
export function parseOrReport(src: ConditionSource, item: ItemRef, diags: Diagnostic[]): Expr | undefined {
  try {
    return parseCondition(src.text, src);
  } catch (err) {
    if (err instanceof ConditionSyntaxError) {
      diags.push(diagnostic('error', 'condition-syntax', err.message, placeInSource(src, err.offset, err.offset + Math.max(1, err.length)), item));
    } else {
      // A parser bug must not take the whole load down: report it where the condition is, as a bug.
      const why = err instanceof Error ? err.message : String(err);
      diags.push(diagnostic('error', 'internal-error', `internal error while parsing this condition (please report it): ${why}`, placeInSource(src, 0, src.text.length), item));
    }
    return undefined;
  }
}
