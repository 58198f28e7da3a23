// Maps offsets inside YAML string values back to file line:col. A condition written as a folded block
// scalar (`condition: >`) loses its indentation and line breaks when YAML decodes it; the parser only
// sees the decoded text, so every span it reports has to be walked back through the source text.

import type { Scalar } from 'yaml';
import type { ConditionSource } from './ast.js';
import type { Position } from './types.js';

/** One rule file as the reader saw it: its text and an index of where its lines start. */
export interface FileText {
  name: string;
  text: string;
  lines: LineIndex;
}

/**
 * 1-based line and column of an offset. Built from the text itself rather than taken from the YAML
 * parser, whose line counter skips line breaks inside tokens it recovers from after a syntax error.
 */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  linePos(offset: number): { line: number; col: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - this.starts[lo]! + 1 };
  }
}

/** A ConditionSource made of several strings joined by one space (appended conditions). */
export interface SplicedSource extends ConditionSource {
  /** The file and place of `offset`, which may lie in another file than `file`. */
  positionAt(offset: number): Position;
}

function isSpliced(src: ConditionSource): src is SplicedSource {
  return typeof (src as Partial<SplicedSource>).positionAt === 'function';
}

/** The file:line:col of an offset in any ConditionSource, spliced or not. */
export function positionOf(src: ConditionSource, offset: number): Position {
  if (isSpliced(src)) return src.positionAt(offset);
  const { line, col } = src.locate(offset);
  return { file: src.file, line, col };
}

/** The file:line:col of a file offset. */
export function filePosition(file: FileText, offset: number): Position {
  const { line, col } = file.lines.linePos(Math.max(0, Math.min(offset, file.text.length)));
  return { file: file.name, line, col };
}

const BLANK = new Set([' ', '\t', '\n', '\r']);

/**
 * For each offset of `value` (and one past its end), the file offset it was decoded from. Decoding a
 * scalar only deletes characters (indentation, line breaks folded to spaces, doubled quotes), so a
 * greedy walk that may skip blanks finds them; escapes in double quotes create characters that are not
 * in the file, and those scalars map every offset to their start.
 */
function offsetTable(text: string, node: Scalar, value: string): Int32Array {
  const [start, valueEnd] = node.range ?? [0, 0, 0];
  const table = new Int32Array(value.length + 1).fill(start);
  let from = start;
  let to = valueEnd;
  const type = node.type ?? 'PLAIN';
  if (type === 'BLOCK_FOLDED' || type === 'BLOCK_LITERAL') {
    const header = text.indexOf('\n', start);
    from = header < 0 || header >= valueEnd ? valueEnd : header + 1;
  } else if (type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') {
    from = start + 1;
    to = Math.max(from, valueEnd - 1);
    if (type === 'QUOTE_DOUBLE' && text.slice(from, to).includes('\\')) return table;
  }
  let j = from;
  let last = from - 1;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    let k = j;
    let found = -1;
    while (k < to) {
      const t = text[k]!;
      if (t === c || ((c === ' ' || c === '\n') && t === '\n')) {
        found = k;
        break;
      }
      if (!BLANK.has(t) && !(type === 'QUOTE_SINGLE' && t === "'")) break;
      k++;
    }
    if (found < 0) {
      // Characters YAML added (a chomped final newline): keep them just after the last one we found.
      table.fill(Math.min(Math.max(start, last + 1), to), i);
      return table;
    }
    table[i] = found;
    last = found;
    j = found + 1;
  }
  table[value.length] = Math.max(start, last + 1);
  return table;
}

/** A ConditionSource for a decoded YAML scalar whose offsets map to the exact file line:col. */
export function scalarSource(file: FileText, node: Scalar, value: string): ConditionSource {
  const table = offsetTable(file.text, node, value);
  return {
    file: file.name,
    text: value,
    locate(offset: number) {
      const i = Math.max(0, Math.min(Math.trunc(offset), value.length));
      return file.lines.linePos(table[i]!);
    },
  };
}

/** Joins sources with one space between them, as Falco appends conditions; offsets stay exact. */
export function spliceSources(parts: readonly ConditionSource[]): ConditionSource {
  if (parts.length === 1) return parts[0]!;
  const starts: number[] = [];
  let text = '';
  for (const p of parts) {
    if (starts.length > 0) text += ' ';
    starts.push(text.length);
    text += p.text;
  }
  const partAt = (offset: number): { part: ConditionSource; local: number } => {
    let idx = 0;
    while (idx + 1 < starts.length && offset >= starts[idx + 1]!) idx++;
    const part = parts[idx]!;
    return { part, local: Math.min(Math.max(0, offset - starts[idx]!), part.text.length) };
  };
  const spliced: SplicedSource = {
    file: parts[0]!.file,
    text,
    locate(offset: number) {
      const { part, local } = partAt(offset);
      return part.locate(local);
    },
    positionAt(offset: number) {
      const { part, local } = partAt(offset);
      return positionOf(part, local);
    },
  };
  return spliced;
}
