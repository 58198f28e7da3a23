// Parses every macro once and checks it on its own, as Falco does even for macros no rule uses: its
// condition must parse, its lists must exist, and the macros it names must be defined before it
// (macros see only earlier macros; rules see all of them). Rules then inline these parsed bodies.

import type { ConditionSource, Expr } from './ast.js';
import type { CollectedMacro } from './collector.js';
import { resolveLists, resolveMacros } from './resolvers/index.js';
import { spliceSources } from './source-map.js';
import { parseOrReport, spanDiagnostic } from './span-diagnostics.js';
import type { Diagnostic } from './types.js';

export interface MacroTable {
  /** Bodies with lists expanded and macro references left in place, for rules to inline. */
  bodies: Map<string, Expr>;
  /** Macros with errors of their own or in a macro they use: rules using them cannot load. */
  broken: Set<string>;
  /** Macros referenced by other macros. */
  usedByMacros: Set<string>;
  listsUsed: Set<string>;
  /** Which macro a condition text belongs to, to name the macro in errors found inside it. */
  owners: Map<ConditionSource, string>;
  diagnostics: Diagnostic[];
}

/** Stands in for a macro whose condition does not parse, so references to it are not "undefined". */
const PLACEHOLDER: Expr = { kind: 'const', value: false, span: { start: 0, end: 0 } };

export function buildMacroTable(macros: ReadonlyMap<string, CollectedMacro>, lists: ReadonlyMap<string, string[]>): MacroTable {
  const t: MacroTable = { bodies: new Map(), broken: new Set(), usedByMacros: new Set(), listsUsed: new Set(), owners: new Map(), diagnostics: [] };
  const all = new Map<string, Expr>();
  for (const m of macros.values()) {
    const item = { kind: 'macro' as const, name: m.name };
    const src = spliceSources(m.condition.map((c) => c.src));
    t.owners.set(src, m.name);
    const expr = parseOrReport(src, item, t.diagnostics);
    if (!expr) {
      t.broken.add(m.name);
      all.set(m.name, PLACEHOLDER);
      continue;
    }
    const r = resolveLists(expr, lists);
    r.used.forEach((l) => t.listsUsed.add(l));
    for (const e of r.errors) t.diagnostics.push(spanDiagnostic('error', e, m.place, item));
    if (r.errors.length > 0) t.broken.add(m.name);
    t.bodies.set(m.name, r.expr);
    all.set(m.name, r.expr);
  }

  const deps = new Map<string, Set<string>>();
  for (const m of macros.values()) {
    const body = t.bodies.get(m.name);
    if (!body) continue;
    const visible = new Map<string, Expr>();
    for (const other of macros.values()) {
      if (other.index < m.visibility && other !== m) visible.set(other.name, all.get(other.name) ?? PLACEHOLDER);
    }
    const r = resolveMacros(body, visible);
    deps.set(m.name, r.used);
    r.used.forEach((u) => t.usedByMacros.add(u));
    for (const e of r.errors) t.diagnostics.push(spanDiagnostic('error', e, m.place, { kind: 'macro', name: m.name }));
    if (r.errors.length > 0) t.broken.add(m.name);
  }
  // A macro using a broken macro is broken too; repeat until nothing changes (chains may run backwards).
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, used] of deps) {
      if (!t.broken.has(name) && [...used].some((u) => t.broken.has(u))) {
        t.broken.add(name);
        changed = true;
      }
    }
  }
  return t;
}
