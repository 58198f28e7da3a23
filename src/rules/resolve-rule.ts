// Stage 3 of loading, for one rule: parse its condition, append its exceptions, expand lists, inline
// macros, check every field (condition and output) against the catalog, derive its event types. The
// result is a LoadedRule, or the positioned reasons it cannot load.

import type { CollectedRule } from './collector.js';
import { diagnostic, warning } from './diagnostics.js';
import { applyExceptions } from './exceptions.js';
import { checkFields, fieldProblem, suspiciousComparisons, unavailableFields, uncapturedEventNames } from './field-check.js';
import type { MacroTable } from './macro-table.js';
import { DOTTED_ARG_FIELDS } from './grammar/index.js';
import { parseTemplate } from './output/index.js';
import { resolveEvttypes, resolveLists, resolveMacros } from './resolvers/index.js';
import { spliceSources } from './source-map.js';
import { parseOrReport, placeInSource, spanDiagnostic } from './span-diagnostics.js';
import type { Diagnostic, FieldCatalog, LoadedRule, SpanError } from './types.js';

export interface RuleEnv {
  lists: ReadonlyMap<string, string[]>;
  macros: MacroTable;
  fields: FieldCatalog;
  /** Whether falconet can capture an event type (evt.type names it cannot still load, with a warning). */
  capturable: (type: string) => boolean;
  /** Places already warned about, shared across the rules of one load. */
  warned: Set<string>;
}

export interface RuleResolution {
  rule?: LoadedRule;
  diagnostics: Diagnostic[];
  listsUsed: ReadonlySet<string>;
  macrosUsed: ReadonlySet<string>;
}

/** Problems skip-if-unknown-filter turns into a warning (Falco: unknown fields and event types). */
const SKIPPABLE = new Set(['unknown-field', 'unknown-output-field', 'unknown-event-type']);

/** Kept in outputs for compatibility; Falco drops it with a deprecation warning (container plugin). */
const CONTAINER_INFO = 'container.info';

export function resolveRule(r: CollectedRule, env: RuleEnv): RuleResolution {
  const item = { kind: 'rule' as const, name: r.name };
  const diagnostics: Diagnostic[] = [];
  const out: RuleResolution = { diagnostics, listsUsed: new Set(), macrosUsed: new Set() };
  const condSrc = spliceSources(r.condition.map((c) => c.src));
  const parsed = parseOrReport(condSrc, item, diagnostics);
  if (!parsed) return out;

  const withExceptions = applyExceptions(parsed, r.exceptions, r.name);
  diagnostics.push(...withExceptions.diagnostics);
  const lists = resolveLists(withExceptions.expr, env.lists);
  out.listsUsed = lists.used;
  const macros = resolveMacros(lists.expr, env.macros.bodies);
  out.macrosUsed = macros.used;
  const itemOf = (e: SpanError): { kind: 'rule' | 'macro'; name: string } => {
    const owner = e.span.src ? env.macros.owners.get(e.span.src) : undefined;
    return owner !== undefined ? { kind: 'macro', name: owner } : item;
  };
  for (const e of [...lists.errors, ...macros.errors]) diagnostics.push(spanDiagnostic('error', e, r.place, itemOf(e)));
  // Errors inside a macro are reported once, at the macro; each rule using it still says it did not load.
  const broken = new Set([...macros.used].filter((m) => env.macros.broken.has(m)));
  for (const d of diagnostics) if (d.severity === 'error' && d.item?.kind === 'macro') broken.add(d.item.name);
  const ownErrors = diagnostics.some((d) => d.severity === 'error' && d.item?.kind !== 'macro');
  if (broken.size > 0 && !ownErrors) {
    const names = [...broken].map((m) => `'${m}'`).join(', ');
    diagnostics.push(diagnostic('error', 'broken-macro', `rule '${r.name}' cannot load: it uses macro ${names}, which has errors`, r.place, item));
  }

  const problems = [...checkFields(macros.expr, env.fields), ...outputProblems(r, env.fields, diagnostics)];
  const failed = diagnostics.some((d) => d.severity === 'error');
  if (problems.length > 0) {
    // skip-if-unknown-filter: a rule written for a newer engine is skipped, not fatal (Falco's flag).
    const skip = !failed && r.skipIfUnknownFilter && problems.every((p) => SKIPPABLE.has(p.code));
    for (const p of problems) {
      const d = spanDiagnostic(skip ? 'warning' : 'error', p, r.place, itemOf(p));
      if (skip) d.message += ` (rule '${r.name}' skipped: skip-if-unknown-filter is set)`;
      diagnostics.push(d);
    }
  }
  if (failed || problems.length > 0) return out;

  // Reported once per place, even when a macro holding it is used by many rules.
  const cautions = [...suspiciousComparisons(macros.expr), ...unavailableFields(macros.expr, env.fields), ...uncapturedEventNames(macros.expr, env.capturable)];
  for (const p of cautions) {
    const d = spanDiagnostic('warning', p, r.place, itemOf(p));
    const key = `${d.pos.file}:${d.pos.line}:${d.pos.col}`;
    if (!env.warned.has(key)) {
      env.warned.add(key);
      diagnostics.push(d);
    }
  }
  const outputSrc = spliceSources(r.output.map((o) => o.src));
  const evttypes = resolveEvttypes(macros.expr);
  if (evttypes === 'all' && r.warnEvttypes) {
    diagnostics.push(warning('no-evttype', `rule '${r.name}' does not restrict evt.type: it is checked against every event, which is slow`, r.place, item));
  } else if (evttypes !== 'all' && ![...evttypes].some(env.capturable)) {
    // Event types falconet cannot capture (ioctl, signaldeliver...) load so users keep their files, but say so.
    const which = evttypes.size === 0 ? 'no event type satisfies its condition' : `falconet does not capture ${[...evttypes].join(', ')}`;
    diagnostics.push(warning('never-matches', `rule '${r.name}' can never match: ${which}`, r.place, item));
  }
  out.rule = {
    name: r.name,
    desc: r.desc.trim(),
    condition: macros.expr,
    conditionText: condSrc.text,
    output: outputSrc.text.trimEnd(),
    outputSource: outputSrc,
    priority: r.priority,
    enabled: r.enabled,
    tags: r.tags,
    source: r.source,
    evttypes,
    skipIfUnknownFilter: r.skipIfUnknownFilter,
    warnEvttypes: r.warnEvttypes,
    pos: r.place.pos,
  };
  return out;
}

/** `%field` references of the output that the catalog does not know, as span errors. */
function outputProblems(r: CollectedRule, fields: FieldCatalog, diagnostics: Diagnostic[]): SpanError[] {
  if (r.output.length === 0) return [];
  const src = spliceSources(r.output.map((o) => o.src));
  const problems: SpanError[] = [];
  for (const part of parseTemplate(src.text)) {
    if (part.kind !== 'field') continue;
    const ref = part.field;
    // `%evt.arg.flags` names evt.arg with the argument flags, as in conditions.
    const dotted = ref.arg === undefined ? DOTTED_ARG_FIELDS.find((p) => ref.name.startsWith(`${p}.`)) : undefined;
    const name = dotted ?? ref.name;
    const arg = dotted ? ref.name.slice(dotted.length + 1) : ref.arg;
    if (name === CONTAINER_INFO && arg === undefined) {
      const place = placeInSource(src, ref.start, ref.end);
      diagnostics.push(warning('deprecated-field', '%container.info is deprecated and renders <NA>; name the container fields directly', place, { kind: 'rule', name: r.name }));
      continue;
    }
    const problem = fieldProblem(name, arg, fields);
    if (problem) {
      const code = problem.code === 'unknown-field' ? 'unknown-output-field' : problem.code;
      problems.push({ code, message: `output: ${problem.message}`, span: { start: ref.start, end: ref.end, src } });
    }
  }
  return problems;
}
