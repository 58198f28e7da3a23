// Reads the rule files named by rules_files (or -r) and runs them through the loader. The one place
// the CLI turns paths into text for the pure src/rules pipeline. A directory stands for its .yaml and
// .yml files, sorted by name, as in Falco's rules_files.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RULES } from '../config/index.js';
import { fieldRegistry } from '../engine/fields/index.js';
import type { RulesetOptions } from '../engine/ruleset.js';
import { compileRuleset, type CompiledRules, type CompileOptions, type RuleError } from '../rules/compiler/index.js';
import { attachSourceLines } from '../rules/diagnostics.js';
import { formatDiagnostic, loadRules, positionOf, summarizeDiagnostics, type Diagnostic, type LoadResult } from '../rules/index.js';

export { DEFAULT_RULES };

export class UsageError extends Error {}

export function readRuleFiles(paths: readonly string[]): { name: string; text: string }[] {
  return rulePaths(paths).map((p) => {
    try {
      return { name: p, text: readFileSync(p, 'utf8') };
    } catch (e) {
      throw new UsageError(`cannot read rules file ${p}: ${why(e)}`);
    }
  });
}

/** The files `paths` name, in order, each directory replaced by its .yaml/.yml files sorted. */
export function rulePaths(paths: readonly string[]): string[] {
  return paths.flatMap((p) => {
    let dir: boolean;
    try {
      dir = statSync(p).isDirectory();
    } catch (e) {
      throw new UsageError(`cannot read rules file ${p}: ${why(e)}`);
    }
    if (!dir) return [p];
    return readdirSync(p)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(p, f))
      .filter((f) => statSync(f).isFile());
  });
}

const why = (e: unknown): string => {
  const err = e as NodeJS.ErrnoException;
  return err.code === 'ENOENT' ? 'no such file' : err.message;
};

export interface Loaded {
  load: LoadResult;
  ruleset: CompiledRules;
  /** Load and compile diagnostics together, with their source lines. */
  diagnostics: Diagnostic[];
  /** Rules that loaded but whose condition or output did not compile, with where they are. */
  notCompiled: { name: string; pos: Diagnostic['pos'] }[];
  ok: boolean;
}

/**
 * What every syscall alert names by default, like Falco's `append_output` with its container plugin:
 * the container and pod of the process, appended to the output where the rule did not name them.
 */
export const APPEND_OUTPUT: readonly string[] = [
  'container.id', 'container.name', 'container.image.repository', 'container.image.tag', 'k8s.ns.name', 'k8s.pod.name',
];

/** Reads, loads and compiles rule files: everything `run` and `validate` need to agree on. */
export function loadRuleFiles(paths: readonly string[], opts: RulesetOptions & CompileOptions = {}): Loaded {
  const files = readRuleFiles(paths);
  const load = loadRules(files, { fields: fieldRegistry });
  const compiled = compileRuleset(load.rules, fieldRegistry, opts);
  const compileDiags = compiled.errors.map(toDiagnostic);
  attachSourceLines(compileDiags, new Map(files.map((f) => [f.name, f.text])));
  const diagnostics = [...load.diagnostics, ...compileDiags];
  const failed = new Set(compiled.errors.map((e) => e.rule));
  const notCompiled = load.rules.filter((r) => failed.has(r.name)).map((r) => ({ name: r.name, pos: r.pos }));
  return { load, ruleset: compiled.ruleset, diagnostics, notCompiled, ok: load.ok && compileDiags.length === 0 };
}

function toDiagnostic(e: RuleError): Diagnostic {
  const pos = e.span.src ? positionOf(e.span.src, e.span.start) : { file: '<rules>', line: 1, col: 1 };
  return {
    severity: 'error',
    code: e.code,
    message: e.message,
    pos,
    length: Math.max(1, e.span.end - e.span.start),
    item: { kind: 'rule', name: e.rule },
  };
}

/** Prints diagnostics to stderr: errors always, warnings unless quiet. */
export function reportDiagnostics(diags: readonly Diagnostic[], opts: { warnings: boolean }): void {
  const shown = opts.warnings ? diags : diags.filter((d) => d.severity === 'error');
  for (const d of shown) process.stderr.write(formatDiagnostic(d) + '\n');
  if (shown.length > 0) process.stderr.write(summarizeDiagnostics(shown) + '\n');
}
