// Stage 1 of loading: one rule file's YAML text → positioned items (list, macro, rule, version
// requirements). Shape and type checks happen here; merging across files is the collector's job.

import { isMap, isScalar, isSeq, parseAllDocuments, type Node, type YAMLMap } from 'yaml';
import { error, warning } from './diagnostics.js';
import type { Item, OverrideMode, Place, RuleFields, RuleItem, RuleKey } from './items.js';
import { readExceptions } from './reader-exceptions.js';
import { readEngineVersion, readPlugins } from './reader-requirements.js';
import { LineIndex, filePosition, type FileText } from './source-map.js';
import { parsePriority, type Diagnostic } from './types.js';
import { closest } from './spelling.js';
import { deref, entries, placeOf, readBool, readText, readTextList, report, type ReadCtx } from './yaml-values.js';

export interface ReadResult {
  file: FileText;
  items: Item[];
  diagnostics: Diagnostic[];
}

const KINDS = ['required_engine_version', 'required_plugin_versions', 'list', 'macro', 'rule'] as const;
const RULE_KEYS: Record<string, RuleKey | 'name' | 'append' | 'override'> = {
  rule: 'name', condition: 'condition', output: 'output', desc: 'desc', priority: 'priority', enabled: 'enabled',
  tags: 'tags', source: 'source', exceptions: 'exceptions', warn_evttypes: 'warnEvttypes',
  'skip-if-unknown-filter': 'skipIfUnknownFilter', append: 'append', override: 'override',
};
/** Keys Falco accepts that falconet ignores (capture belongs to Falco's capture feature). */
const IGNORED_RULE_KEYS = new Set(['capture', 'capture_duration']);
const KEYS_OF: Record<'list' | 'macro', readonly string[]> = {
  list: ['list', 'items', 'append', 'override'],
  macro: ['macro', 'condition', 'append', 'override'],
};
/** Which keys `override:` may append to / replace, per Falco's documentation. */
const OVERRIDABLE = {
  list: { append: ['items'], replace: ['items'] },
  macro: { append: ['condition'], replace: ['condition'] },
  rule: {
    append: ['condition', 'output', 'desc', 'tags', 'exceptions'],
    replace: ['condition', 'output', 'desc', 'priority', 'tags', 'exceptions', 'enabled', 'warn_evttypes', 'skip-if-unknown-filter'],
  },
} as const;
const LIST_NAME = /^[^()"'\s=,]+$/;
const MACRO_NAME = /^[a-zA-Z]+[a-zA-Z0-9_]*$/;

export function readRuleFile(name: string, text: string): ReadResult {
  const file: FileText = { name, text, lines: new LineIndex(text) };
  const diagnostics: Diagnostic[] = [];
  const items: Item[] = [];
  const docs = parseAllDocuments(text, { schema: 'failsafe', prettyErrors: false });
  if (!Array.isArray(docs)) return { file, items, diagnostics };
  for (const doc of docs) {
    for (const e of doc.errors) {
      const place = { pos: filePosition(file, e.pos[0]), length: Math.max(1, e.pos[1] - e.pos[0]) };
      diagnostics.push(error('yaml-syntax', e.message.split('\n')[0]!, place, { kind: 'file', name }));
    }
  }
  // A file with broken YAML is not read further: its structure cannot be trusted (Falco does the same).
  if (diagnostics.length > 0) return { file, items, diagnostics };
  for (const doc of docs) {
    const ctx: ReadCtx = { file, doc, diags: diagnostics };
    const top = deref(ctx, doc.contents);
    if (top === undefined || (isScalar(top) && (top.value === '' || top.value === null))) continue;
    if (!isSeq(top)) {
      report(ctx, 'not-a-sequence', 'a rules file must be a YAML sequence of items (- rule: ..., - macro: ..., - list: ...)', placeOf(ctx, top));
      continue;
    }
    for (const raw of top.items) {
      const node = deref(ctx, raw);
      if (node === undefined || (isScalar(node) && (node.value === '' || node.value === null))) continue;
      if (!isMap(node)) {
        report(ctx, 'not-a-mapping', 'each item must be a mapping such as "- rule: name"', placeOf(ctx, node));
        continue;
      }
      const item = readItem({ ...ctx }, node);
      if (item) items.push(item);
    }
  }
  return { file, items, diagnostics };
}

function readItem(ctx: ReadCtx, map: YAMLMap): Item | undefined {
  const kv = entries(ctx, map);
  const get = (k: string): Node | undefined => kv.find((e) => e.key === k)?.value;
  const kind = KINDS.find((k) => kv.some((e) => e.key === k));
  const at = placeOf(ctx, map);
  if (!kind) {
    ctx.diags.push(warning('unknown-item', `unknown item '${kv[0]?.key ?? ''}': expected one of ${KINDS.join(', ')}`, kv[0] ? placeOf(ctx, kv[0].keyNode) : at));
    return undefined;
  }
  if (kind === 'required_engine_version') return readEngineVersion(ctx, get(kind), at);
  if (kind === 'required_plugin_versions') return readPlugins(ctx, get(kind), at);
  const nameText = readText(ctx, get(kind), kind, at);
  if (!nameText) return undefined;
  const name = nameText.value;
  const place = nameText.place;
  ctx.item = { kind, name };
  if (kind === 'list' && !LIST_NAME.test(name)) return report(ctx, 'bad-name', `'${name}' is not a valid list name`, place);
  if (kind === 'macro' && !MACRO_NAME.test(name)) return report(ctx, 'bad-name', `'${name}' is not a valid macro name: use letters, digits and _`, place);

  let ok = true;
  const known = kind === 'rule' ? Object.keys(RULE_KEYS) : KEYS_OF[kind];
  for (const e of kv) {
    if (known.includes(e.key) || e.key === kind) continue;
    if (kind === 'rule' && IGNORED_RULE_KEYS.has(e.key)) {
      ctx.diags.push(warning('unsupported-key', `'${e.key}' is not supported by falconet and is ignored`, placeOf(ctx, e.keyNode), ctx.item));
      continue;
    }
    // Falco reports keys outside its schema but still loads the item, so a file written for a newer
    // Falco keeps working here: a warning, loudly, with the likely typo.
    const hint = closest(e.key, known);
    ctx.diags.push(warning('unknown-key', `unknown ${kind} key '${e.key}' is ignored${hint ? ` (did you mean '${hint}'?)` : ''}`, placeOf(ctx, e.keyNode), ctx.item));
  }
  const appendNode = get('append');
  const append = appendNode !== undefined ? readBool(ctx, appendNode, 'append', at) : false;
  if (append === undefined) ok = false;
  const overrides = readOverrides(ctx, get('override'), kind, at);
  if (!overrides) ok = false;
  if (append && overrides && overrides.size > 0) {
    report(ctx, 'append-and-override', "'append' and 'override' cannot be used together", place);
    ok = false;
  }
  if (!ok || !overrides) return undefined;
  if (append) ctx.diags.push(warning('deprecated-append', "'append: true' is deprecated: use 'override:' instead", place, ctx.item));

  if (kind === 'list') {
    if (get('items') === undefined) return report(ctx, 'missing-key', `list '${name}' needs 'items'`, place);
    const items = readTextList(ctx, get('items'), 'items', place);
    if (!items) return undefined;
    return { kind, name, place, items, append: append === true || overrides.get('items') === 'append' };
  }
  if (kind === 'macro') {
    if (get('condition') === undefined) return report(ctx, 'missing-key', `macro '${name}' needs a 'condition'`, place);
    const condition = readText(ctx, get('condition'), 'condition', place);
    if (!condition) return undefined;
    return { kind, name, place, condition, append: append === true || overrides.get('condition') === 'append' };
  }
  return readRule(ctx, kv, name, place, append === true, overrides);
}

function present(kv: { key: string }[], key: string): boolean {
  return kv.some((e) => e.key === key);
}

type Entries = ReturnType<typeof entries>;

function readRule(ctx: ReadCtx, kv: Entries, name: string, place: Place, append: boolean, overrides: Map<string, OverrideMode>): RuleItem | undefined {
  const has = (k: string): boolean => present(kv, k);
  const mode: RuleItem['mode'] =
    overrides.size > 0 ? 'override'
    : append ? 'append'
    : !has('condition') && !has('output') && !has('desc') && !has('priority') ? 'enable'
    : 'define';
  if (mode === 'override') {
    let ok = true;
    for (const e of kv) {
      const isOverridable = (OVERRIDABLE.rule.replace as readonly string[]).includes(e.key);
      if (isOverridable && !overrides.has(e.key)) {
        ok = report(ctx, 'bad-override', `'${e.key}' has no entry under 'override': say whether to append or replace it`, placeOf(ctx, e.keyNode)) ?? false;
      }
    }
    for (const k of overrides.keys()) {
      if (!has(k)) ok = report(ctx, 'bad-override', `'override' names '${k}' but the rule does not set it`, place) ?? false;
    }
    if (!ok) return undefined;
  }
  if (mode === 'enable') {
    if (!has('enabled')) {
      return report(ctx, 'missing-key', `rule '${name}' needs 'condition', 'output', 'desc' and 'priority' (or 'enabled' to toggle an existing rule)`, place);
    }
    ctx.diags.push(warning('deprecated-enabled', "toggling a rule with only 'enabled' is deprecated: use 'override: {enabled: replace}'", place, ctx.item));
  }
  if (mode === 'define') {
    const missing = ['condition', 'output', 'desc', 'priority'].filter((k) => !has(k));
    if (missing.length > 0) {
      return report(ctx, 'missing-key', `rule '${name}' is missing ${missing.map((k) => `'${k}'`).join(', ')}`, place);
    }
  }
  // Falco refuses an append that brings nothing to append, rather than loading it as a no-op.
  if (mode === 'append' && !has('condition') && !has('exceptions')) {
    return report(ctx, 'missing-key', `appending to rule '${name}' needs a 'condition' or 'exceptions' to append`, place);
  }
  const fields = readRuleFields(ctx, kv, place, mode !== 'define');
  if (!fields) return undefined;
  if (mode === 'append') {
    for (const e of kv) {
      if (['output', 'desc', 'priority', 'tags', 'enabled', 'source', 'warn_evttypes', 'skip-if-unknown-filter'].includes(e.key)) {
        ctx.diags.push(warning('ignored-key', `'${e.key}' is ignored with 'append: true' (only condition and exceptions are appended)`, placeOf(ctx, e.keyNode), ctx.item));
      }
    }
  }
  return { kind: 'rule', name, place, fields, mode, overrides: mapKeys(overrides) };
}

function mapKeys(overrides: Map<string, OverrideMode>): Map<RuleKey, OverrideMode> {
  const out = new Map<RuleKey, OverrideMode>();
  for (const [k, v] of overrides) {
    const key = RULE_KEYS[k];
    if (key && key !== 'name' && key !== 'append' && key !== 'override') out.set(key, v);
  }
  return out;
}

function readRuleFields(ctx: ReadCtx, kv: Entries, place: Place, partial: boolean): RuleFields | undefined {
  const f: RuleFields = {};
  let ok = true;
  const fail = (): void => {
    ok = false;
  };
  for (const e of kv) {
    const v = e.value;
    switch (e.key) {
      case 'condition':
      case 'output':
      case 'desc': {
        const t = readText(ctx, v, e.key, place, e.key === 'desc');
        if (t) f[e.key] = t;
        else fail();
        break;
      }
      case 'priority': {
        const t = readText(ctx, v, e.key, place);
        const p = t ? parsePriority(t.value) : undefined;
        if (t && !p) report(ctx, 'bad-priority', `'${t.value}' is not a priority: use one of emergency, alert, critical, error, warning, notice, informational (info), debug`, t.place);
        if (p) f.priority = p;
        else fail();
        break;
      }
      case 'source': {
        const t = readText(ctx, v, e.key, place);
        if (t) f.source = t.value.trim();
        else fail();
        break;
      }
      case 'enabled':
      case 'warn_evttypes':
      case 'skip-if-unknown-filter': {
        const b = readBool(ctx, v, e.key, place);
        const key = RULE_KEYS[e.key] as 'enabled' | 'warnEvttypes' | 'skipIfUnknownFilter';
        if (b !== undefined) f[key] = b;
        else fail();
        break;
      }
      case 'tags': {
        const isEmpty = isScalar(v) && v.value === '';
        const tags = isEmpty ? [] : readTextList(ctx, v, 'tags', place);
        if (tags) f.tags = tags.map((t) => t.value);
        else fail();
        break;
      }
      case 'exceptions': {
        const ex = readExceptions(ctx, v, place, partial);
        if (ex) f.exceptions = ex;
        else fail();
        break;
      }
    }
  }
  return ok ? f : undefined;
}

function readOverrides(ctx: ReadCtx, node: Node | undefined, kind: 'list' | 'macro' | 'rule', at: Place): Map<string, OverrideMode> | undefined {
  const out = new Map<string, OverrideMode>();
  if (node === undefined) return out;
  if (!isMap(node)) return report(ctx, 'bad-override', "'override' must be a mapping like {condition: append}", placeOf(ctx, node, at));
  const allowed = OVERRIDABLE[kind];
  let ok = true;
  for (const e of entries(ctx, node)) {
    const mode = isScalar(e.value) && typeof e.value.value === 'string' ? e.value.value.trim() : '';
    if (mode !== 'append' && mode !== 'replace') {
      ok = report(ctx, 'bad-override', `override of '${e.key}' must be 'append' or 'replace'`, placeOf(ctx, e.value ?? e.keyNode)) ?? false;
    } else if (!(allowed[mode] as readonly string[]).includes(e.key)) {
      const how = mode === 'append' ? 'appended to' : 'replaced';
      ok = report(ctx, 'bad-override', `${kind} key '${e.key}' cannot be ${how}`, placeOf(ctx, e.keyNode)) ?? false;
    } else out.set(e.key, mode);
  }
  return ok ? out : undefined;
}
