// Diagnostics the way a compiler prints them: `file:line:col: error: message`, the source line, and a
// caret under the offending text. Also the small constructors every loader stage uses to make them.

import type { Place } from './items.js';
import type { Diagnostic, Severity } from './types.js';

type ItemRef = NonNullable<Diagnostic['item']>;

export function diagnostic(severity: Severity, code: string, message: string, place: Place, item?: ItemRef): Diagnostic {
  const d: Diagnostic = { severity, code, message, pos: place.pos, length: Math.max(1, place.length) };
  if (item) d.item = item;
  return d;
}

export const error = (code: string, message: string, place: Place, item?: ItemRef): Diagnostic =>
  diagnostic('error', code, message, place, item);

export const warning = (code: string, message: string, place: Place, item?: ItemRef): Diagnostic =>
  diagnostic('warning', code, message, place, item);

/** Fills `sourceLine` from the loaded files' texts, once, at the end of loading. */
export function attachSourceLines(diags: Diagnostic[], files: ReadonlyMap<string, string>): void {
  const split = new Map<string, string[]>();
  for (const d of diags) {
    if (d.sourceLine !== undefined) continue;
    const text = files.get(d.pos.file);
    if (text === undefined) continue;
    let lines = split.get(d.pos.file);
    if (!lines) {
      lines = text.split(/\r?\n/);
      split.set(d.pos.file, lines);
    }
    const line = lines[d.pos.line - 1];
    if (line !== undefined) d.sourceLine = line;
  }
}

/** Errors first, then by file order of appearance, line and column, keeping load order for ties. */
export function sortDiagnostics(diags: readonly Diagnostic[], fileOrder: readonly string[] = []): Diagnostic[] {
  const rank = (f: string): number => {
    const i = fileOrder.indexOf(f);
    return i < 0 ? fileOrder.length : i;
  };
  return diags
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) =>
        rank(a.d.pos.file) - rank(b.d.pos.file) ||
        a.d.pos.file.localeCompare(b.d.pos.file) ||
        a.d.pos.line - b.d.pos.line ||
        a.d.pos.col - b.d.pos.col ||
        a.i - b.i,
    )
    .map(({ d }) => d);
}

function itemSuffix(d: Diagnostic): string {
  if (!d.item || d.item.kind === 'file') return '';
  const label = `${d.item.kind} '${d.item.name}'`;
  return d.message.includes(`'${d.item.name}'`) ? '' : ` (in ${label})`;
}

/** The caret line: copies tabs from the source line so the caret lands under the right character. */
export function caretLine(sourceLine: string, col: number, length: number): string {
  const lead = sourceLine.slice(0, Math.max(0, col - 1)).replace(/[^\t]/g, ' ');
  const room = Math.max(1, sourceLine.length - (col - 1));
  return `${lead}^${'~'.repeat(Math.max(0, Math.min(length, room) - 1))}`;
}

export function formatDiagnostic(d: Diagnostic): string {
  const head = `${d.pos.file}:${d.pos.line}:${d.pos.col}: ${d.severity}: ${d.message}${itemSuffix(d)}`;
  if (d.sourceLine === undefined) return head;
  return `${head}\n${d.sourceLine}\n${caretLine(d.sourceLine, d.pos.col, d.length ?? 1)}`;
}

/** "2 errors, 1 warning" (or "no problems"), for the last line of a load report. */
export function summarizeDiagnostics(diags: readonly Diagnostic[]): string {
  const errors = diags.filter((d) => d.severity === 'error').length;
  const warnings = diags.length - errors;
  if (diags.length === 0) return 'no problems';
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [errors > 0 ? plural(errors, 'error') : '', warnings > 0 ? plural(warnings, 'warning') : '']
    .filter((s) => s !== '')
    .join(', ');
}

/** Every diagnostic formatted, followed by the summary line. */
export function formatReport(diags: readonly Diagnostic[]): string {
  return [...diags.map(formatDiagnostic), summarizeDiagnostics(diags)].join('\n');
}
