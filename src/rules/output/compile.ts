// compileOutput: an output template bound to extractors once, formatted per alert. Formatting only
// runs when a rule fires, so it may build strings; binding (the expensive part) happens up front.

import type { OutputFormatter } from '../../engine/ruleset.js';
import type { BoundField, Extractor, FieldValue } from '../../engine/fields/index.js';
import type { SpanError } from '../types.js';
import { applyTransformers } from '../compiler/transformers.js';
import { parseTemplate, type TemplateField } from './template.js';

/** What output templates need from the field registry (`forJson` picks a field's JSON form). */
export interface OutputBinder {
  bind(name: string, arg: string | undefined, forJson?: boolean): BoundField | string;
}

// What a compiled template is to the ruleset that holds it is declared there (src/engine/ruleset.ts).
export type { FormattedOutput, OutputFormatter } from '../../engine/ruleset.js';

export type OutputResult = ({ ok: true } & OutputFormatter) | { ok: false; errors: SpanError[] };

/** How one value reads in alert text; `<NA>` when it is not available. */
export function renderValue(v: FieldValue): string {
  if (v === undefined) return '<NA>';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return `(${(v as readonly string[]).join(',')})`;
  return String(v);
}

type Piece = string | { text: Extractor };

export function compileOutput(text: string, fields: OutputBinder): OutputResult {
  const errors: SpanError[] = [];
  const pieces: Piece[] = [];
  const json = new Map<string, Extractor>();
  for (const part of parseTemplate(text)) {
    if (part.kind === 'text') {
      pieces.push(part.text);
      continue;
    }
    const f = part.field;
    const bound = bindBoth(f, fields);
    if (typeof bound === 'string') {
      errors.push({
        code: bound.startsWith('unknown field') ? 'unknown-field' : 'bad-field-arg',
        message: bound,
        span: { start: f.start, end: f.end },
      });
      continue;
    }
    pieces.push({ text: bound.text });
    if (!json.has(f.key)) json.set(f.key, bound.json);
  }
  if (errors.length) return { ok: false, errors };
  const keys = [...json.keys()];
  const jsonExtractors = [...json.values()];
  return {
    ok: true,
    keys,
    format(evt, ctx) {
      let output = '';
      for (const p of pieces) output += typeof p === 'string' ? p : renderValue(p.text(evt, ctx));
      const out: Record<string, FieldValue> = {};
      for (let i = 0; i < keys.length; i++) out[keys[i]!] = jsonExtractors[i]!(evt, ctx);
      return { output, fields: out };
    },
  };
}

function bindBoth(f: TemplateField, fields: OutputBinder): { text: Extractor; json: Extractor } | string {
  const t = fields.bind(f.name, f.arg);
  if (typeof t === 'string') return t;
  const j = fields.bind(f.name, f.arg, true);
  const wrap = (x: Extractor) => (f.transformers.length ? applyTransformers(x, f.transformers) : x);
  return { text: wrap(t.extract), json: wrap(typeof j === 'string' ? t.extract : j.extract) };
}
