// compileRuleset: loaded rules in, an event-type-indexed Ruleset out. Conditions compile through one
// shared cache, so a macro used by many rules yields one Set per list and identical conditions one
// predicate. Rules whose condition or output does not compile are left out and reported.

import { Ruleset, type RulesetOptions, type RulesetRule } from '../../engine/ruleset.js';
import type { LoadedRule, SpanError } from '../types.js';
import { compileOutput, type OutputBinder } from '../output/index.js';
import { compileCondition, createCompileCache, type FieldBinder } from './compile.js';
import { fieldRefs } from '../field-check.js';

/** A condition that reads container or pod metadata beyond the id the cgroup gives. */
function readsMetadata(rule: LoadedRule): boolean {
  return fieldRefs(rule.condition).some((f) => (f.name.startsWith('container.') && f.name !== 'container.id') || f.name.startsWith('k8s.'));
}

export type RuleError = SpanError & { rule: string };

/** A rule of a compiled ruleset: the engine's RulesetRule, carrying the rule as loaded. */
export type CompiledRule = RulesetRule<LoadedRule>;

/** What compileRuleset builds: the engine's Ruleset of rules that know their LoadedRule. */
export type CompiledRules = Ruleset<CompiledRule>;

export interface CompiledRuleset {
  ruleset: CompiledRules;
  errors: RuleError[];
}

export interface CompileOptions {
  /**
   * Falco's append_output: fields added to the end of every syscall rule's output that does not name
   * them already, as ` name=%field` (so they reach the text line and JSON output_fields alike).
   */
  appendOutput?: readonly string[];
}

/** The output text with the appended fields the template does not reference yet. */
function withAppended(output: string, source: string, append: readonly string[], keys: readonly string[]): string {
  if (source !== 'syscall' || append.length === 0) return output;
  const extra = append.filter((f) => !keys.includes(f));
  return extra.length === 0 ? output : `${output} ${extra.map((f) => `${f.replace(/\./g, '_')}=%${f}`).join(' ')}`;
}

export function compileRuleset(
  rules: readonly LoadedRule[],
  fields: FieldBinder & OutputBinder,
  opts: RulesetOptions & CompileOptions = {},
): CompiledRuleset {
  const cache = createCompileCache();
  const errors: RuleError[] = [];
  const compiled: CompiledRule[] = [];
  for (const rule of rules) {
    const cond = compileCondition(rule.condition, fields, cache);
    const own = compileOutput(rule.output, fields);
    const text = own.ok ? withAppended(rule.output, rule.source, opts.appendOutput ?? [], own.keys) : rule.output;
    const out = text === rule.output ? own : compileOutput(text, fields);
    if (!cond.ok) {
      // skip-if-unknown-filter: a rule using fields this engine lacks is dropped silently.
      const onlyUnknown = cond.errors.every((e) => e.code === 'unknown-field');
      if (!(rule.skipIfUnknownFilter && onlyUnknown)) errors.push(...cond.errors.map((e) => ({ ...e, rule: rule.name })));
      continue;
    }
    if (!out.ok) {
      const src = rule.outputSource;
      errors.push(...out.errors.map((e) => ({ ...e, span: src ? { ...e.span, src } : e.span, rule: rule.name })));
      continue;
    }
    compiled.push({
      name: rule.name,
      priority: rule.priority,
      tags: rule.tags,
      source: rule.source,
      evttypes: rule.evttypes,
      predicate: cond.predicate,
      output: out,
      loaded: rule,
      enabled: rule.enabled,
      readsMetadata: readsMetadata(rule),
    });
  }
  return { ruleset: new Ruleset(compiled, opts), errors };
}
