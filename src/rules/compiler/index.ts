// The condition compiler: resolved condition trees to generated predicates, rules to a Ruleset.

export {
  compileCondition,
  createCompileCache,
  predicateSource,
  type CompileCache,
  type CompileResult,
  type FieldBinder,
  type Predicate,
} from './compile.js';
export { compileRuleset, type CompiledRule, type CompiledRules, type CompiledRuleset, type CompileOptions, type RuleError } from './ruleset.js';
