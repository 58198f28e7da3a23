// The rules loader: rule file texts in, loaded rules or positioned diagnostics out. It only sequences
// the stages, each in its own file:
//   reader.ts (YAML → items) → collector.ts (merge across files) → nested-lists.ts (lists in lists)
//   → macro-table.ts (parse and check macros) → resolve-rule.ts (per rule: parse, exceptions, lists,
//   macros, fields, evttypes) → unused list/macro warnings.
// Pure: no file system, no clock; the caller reads the files.

import { EVENT_BY_NAME } from '../engine/schema.js';
import { collect, type CollectOptions } from './collector.js';
import { attachSourceLines, sortDiagnostics, warning } from './diagnostics.js';
import type { Item } from './items.js';
import { expandListItems } from './nested-lists.js';
import { buildMacroTable } from './macro-table.js';
import { readRuleFile } from './reader.js';
import { resolveRule } from './resolve-rule.js';
import type { Diagnostic, FieldCatalog, LoadedRule, Position } from './types.js';

export interface RuleFile {
  /** How diagnostics name the file (usually its path as the user gave it). */
  name: string;
  text: string;
}

export interface LoadOptions extends CollectOptions {
  fields: FieldCatalog;
  /**
   * Whether falconet can capture an event type; by default, whether the engine's schema has it. A
   * rule on a valid type it cannot capture loads with a warning at the type's name.
   */
  capturable?: (type: string) => boolean;
}

const inSchema = (type: string): boolean => EVENT_BY_NAME.has(type);

export interface LoadResult {
  /** Every rule that loaded, enabled or not, in definition order. */
  rules: LoadedRule[];
  /**
   * Rules defined in the files that did not load (errors, or skipped by skip-if-unknown-filter),
   * each with the diagnostics that explain why, even when those were reported once for a macro.
   */
  notLoaded: { name: string; pos: Position; reasons: Diagnostic[] }[];
  /** Errors and warnings, each reported once, in file order then line and column. */
  diagnostics: Diagnostic[];
  /** True when there is no error (warnings allowed). */
  ok: boolean;
  /** Lists with lists-in-lists flattened, in definition order. */
  lists: ReadonlyMap<string, readonly string[]>;
  /** Macro conditions as written (appends joined), in definition order. */
  macros: ReadonlyMap<string, string>;
  /** The highest `required_engine_version` the files declare. */
  requiredEngineVersion?: string;
}

export function loadRules(files: readonly RuleFile[], opts: LoadOptions): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const items: Item[] = [];
  for (const f of files) {
    const read = readRuleFile(f.name, f.text);
    items.push(...read.items);
    diagnostics.push(...read.diagnostics);
  }
  const col = collect(items, opts);
  diagnostics.push(...col.diagnostics);

  const lists = expandListItems(col.lists);
  const macros = buildMacroTable(col.macros, lists.items);
  diagnostics.push(...macros.diagnostics);
  const listsUsed = new Set([...lists.used, ...macros.listsUsed]);
  const macrosUsed = new Set(macros.usedByMacros);

  const rules: LoadedRule[] = [];
  const notLoaded: LoadResult['notLoaded'] = [];
  const warned = new Set<string>();
  for (const r of col.rules.values()) {
    if (!r.knownSource) continue;
    const res = resolveRule(r, { lists: lists.items, macros, fields: opts.fields, capturable: opts.capturable ?? inSchema, warned });
    res.listsUsed.forEach((l) => listsUsed.add(l));
    res.macrosUsed.forEach((m) => macrosUsed.add(m));
    diagnostics.push(...res.diagnostics);
    if (res.rule) rules.push(res.rule);
    else notLoaded.push({ name: r.name, pos: r.place.pos, reasons: res.diagnostics.filter((d) => d.code !== 'no-evttype') });
  }

  // A condition that does not parse uses nothing we can see; unused warnings would then mislead.
  const unparsed = diagnostics.some((d) => d.code === 'condition-syntax' || d.code === 'internal-error');
  for (const m of unparsed ? [] : col.macros.values()) {
    if (!macrosUsed.has(m.name)) diagnostics.push(warning('unused-macro', `macro '${m.name}' is not used by any rule or macro`, m.place, { kind: 'macro', name: m.name }));
  }
  for (const l of unparsed ? [] : col.lists.values()) {
    if (!listsUsed.has(l.name)) diagnostics.push(warning('unused-list', `list '${l.name}' is not used by any rule, macro or list`, l.place, { kind: 'list', name: l.name }));
  }

  const unique = sortDiagnostics(dedupe(diagnostics), files.map((f) => f.name));
  const texts = new Map(files.map((f) => [f.name, f.text]));
  attachSourceLines(unique, texts);
  notLoaded.forEach((n) => attachSourceLines(n.reasons, texts));
  const result: LoadResult = {
    rules,
    notLoaded,
    diagnostics: unique,
    ok: !unique.some((d) => d.severity === 'error'),
    lists: lists.items,
    macros: new Map([...col.macros.values()].map((m) => [m.name, m.condition.map((c) => c.value).join(' ')])),
  };
  if (col.requiredEngineVersion !== undefined) result.requiredEngineVersion = col.requiredEngineVersion;
  return result;
}

/**
 * A mistake inside a macro shows up once per rule that inlines it; the user needs it once, at the
 * macro, so identical diagnostics (same place, code and message) are reported only the first time.
 */
function dedupe(diags: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const key = `${d.severity}|${d.code}|${d.pos.file}|${d.pos.line}|${d.pos.col}|${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
