// Stage 2 of loading: merges the items of all files, in load order, into one set of lists, macros and
// rules, the way Falco does: a later definition replaces an earlier one in place, `append: true` and
// `override:` modify it, a rule with only `enabled:` toggles it. Nothing is parsed here; conditions
// stay as the list of texts they were assembled from so every part keeps its own file position.

import { error, warning } from './diagnostics.js';
import { compareVersions, ENGINE_VERSION, parseEngineVersion, satisfies, showVersion, type EngineVersion } from './engine-version.js';
import type { ExceptionSpec, Item, ListItem, MacroItem, Place, RuleItem, Text } from './items.js';
import type { Diagnostic, Priority } from './types.js';
import { closest } from './spelling.js';

/**
 * `index` orders definitions (a redefinition keeps its place); `visibility` is the sequence number of
 * the last definition or append. A list item or macro reference only sees lists and macros whose
 * index is below the referrer's visibility, i.e. that were defined before it (Falco's rule).
 */
interface Ordered {
  name: string;
  place: Place;
  index: number;
  visibility: number;
}

export interface CollectedList extends Ordered {
  items: Text[];
}

export interface CollectedMacro extends Ordered {
  /** The condition, as parts to be joined by one space (each `append` adds a part). */
  condition: Text[];
}

export interface CollectedRule extends Ordered {
  condition: Text[];
  output: Text[];
  desc: string;
  priority: Priority;
  enabled: boolean;
  tags: string[];
  source: string;
  exceptions: ExceptionSpec[];
  warnEvttypes: boolean;
  skipIfUnknownFilter: boolean;
  /** False when no engine handles the rule's source: it is kept (Falco does too) but never compiled. */
  knownSource: boolean;
}

export interface Collection {
  lists: Map<string, CollectedList>;
  macros: Map<string, CollectedMacro>;
  rules: Map<string, CollectedRule>;
  requiredEngineVersion?: string;
  diagnostics: Diagnostic[];
}

const OUR_ENGINE = parseEngineVersion(ENGINE_VERSION)!;

export interface CollectOptions {
  /** Event sources rules may use; rules for other sources are skipped with a warning. */
  sources?: readonly string[];
  /** Plugins whose requirements are met without loading them (falconet builds container metadata in). */
  builtinPlugins?: readonly string[];
  /** The engine version `required_engine_version` is checked against (tests); ENGINE_VERSION by default. */
  engineVersion?: EngineVersion;
}

export function collect(items: readonly Item[], opts: CollectOptions = {}): Collection {
  const c = new Collector(opts);
  for (const item of items) c.add(item);
  return c.result;
}

class Collector {
  readonly result: Collection = { lists: new Map(), macros: new Map(), rules: new Map(), diagnostics: [] };
  private seq = 0;
  private readonly sources: readonly string[];
  private readonly plugins: readonly string[];
  private readonly engine: EngineVersion;
  private highest?: EngineVersion;

  constructor(opts: CollectOptions) {
    this.sources = opts.sources ?? ['syscall'];
    this.plugins = opts.builtinPlugins ?? ['container'];
    this.engine = opts.engineVersion ?? OUR_ENGINE;
  }

  add(item: Item): void {
    switch (item.kind) {
      case 'required_engine_version': {
        // As in Falco, a file written for a newer engine is an error, not rules silently misread.
        if (!satisfies(this.engine, item.parsed)) {
          const message = `rules require engine version ${item.version}, but falconet's engine version is ${showVersion(this.engine)}`;
          this.result.diagnostics.push(error('engine-version', message, item.place, { kind: 'file', name: item.place.pos.file }));
        }
        if (this.highest === undefined || compareVersions(item.parsed, this.highest) > 0) {
          this.highest = item.parsed;
          this.result.requiredEngineVersion = item.version;
        }
        return;
      }
      case 'required_plugin_versions':
        for (const r of item.requirements) {
          if (r.names.some((n) => this.plugins.includes(n))) continue;
          const names = r.names.map((n) => `'${n}'`).join(' or ');
          this.result.diagnostics.push(warning('unknown-plugin', `rules require plugin ${names} ${r.version}, which falconet does not load`, r.place));
        }
        return;
      case 'list':
        return this.list(item);
      case 'macro':
        return this.macro(item);
      case 'rule':
        return this.rule(item);
    }
  }

  private undefinedTarget(kind: 'list' | 'macro' | 'rule', name: string, place: Place, how: string): void {
    const known = [...{ list: this.result.lists, macro: this.result.macros, rule: this.result.rules }[kind].keys()];
    const hint = closest(name, known);
    const message = `cannot ${how} ${kind} '${name}': no ${kind} by that name is defined before this point${hint ? ` (did you mean '${hint}'?)` : ''}`;
    this.result.diagnostics.push(error('undefined-append', message, place, { kind, name }));
  }

  private list(item: ListItem): void {
    const prev = this.result.lists.get(item.name);
    const id = this.seq++;
    if (item.append) {
      if (!prev) return this.undefinedTarget('list', item.name, item.place, 'append to');
      prev.items = [...prev.items, ...item.items];
      prev.visibility = id;
      return;
    }
    this.result.lists.set(item.name, { name: item.name, place: item.place, items: item.items, index: prev?.index ?? id, visibility: id });
  }

  private macro(item: MacroItem): void {
    const prev = this.result.macros.get(item.name);
    const id = this.seq++;
    if (item.append) {
      if (!prev) return this.undefinedTarget('macro', item.name, item.place, 'append to');
      prev.condition = [...prev.condition, item.condition];
      prev.visibility = id;
      return;
    }
    this.result.macros.set(item.name, { name: item.name, place: item.place, condition: [item.condition], index: prev?.index ?? id, visibility: id });
  }

  private rule(item: RuleItem): void {
    const prev = this.result.rules.get(item.name);
    const f = item.fields;
    if (item.mode === 'define') {
      const source = f.source ?? 'syscall';
      if (prev && prev.source !== source) {
        this.result.diagnostics.push(error('source-mismatch', `rule '${item.name}' is redefined with source '${source}' (was '${prev.source}')`, item.place, { kind: 'rule', name: item.name }));
        return;
      }
      const id = this.seq++;
      const rule: CollectedRule = {
        name: item.name,
        place: item.place,
        index: prev?.index ?? id,
        visibility: id,
        condition: f.condition ? [f.condition] : [],
        output: f.output ? [f.output] : [],
        desc: f.desc?.value ?? '',
        priority: f.priority ?? 'DEBUG',
        enabled: f.enabled ?? true,
        tags: dedupe(f.tags ?? []),
        source,
        exceptions: f.exceptions ?? [],
        warnEvttypes: f.warnEvttypes ?? true,
        skipIfUnknownFilter: f.skipIfUnknownFilter ?? false,
        knownSource: this.sources.includes(source),
      };
      if (!rule.knownSource) {
        this.result.diagnostics.push(warning('unknown-source', `rule '${item.name}' is for source '${source}', which falconet does not handle: skipped`, item.place, { kind: 'rule', name: item.name }));
      }
      this.result.rules.set(item.name, rule);
      return;
    }
    if (!prev) {
      const how = item.mode === 'enable' ? 'enable or disable' : item.mode === 'append' ? 'append to' : 'override';
      return this.undefinedTarget('rule', item.name, item.place, how);
    }
    prev.visibility = this.seq++;
    if (item.mode === 'enable') {
      if (f.enabled !== undefined) prev.enabled = f.enabled;
      return;
    }
    const modeOf = (key: keyof typeof f): 'append' | 'replace' | undefined =>
      item.mode === 'append' ? (key === 'condition' || key === 'exceptions' ? 'append' : undefined) : item.overrides.get(key);
    this.appendOrReplace(prev, item, modeOf);
  }

  private appendOrReplace(prev: CollectedRule, item: RuleItem, modeOf: (k: keyof RuleItem['fields']) => 'append' | 'replace' | undefined): void {
    const f = item.fields;
    const append = (k: keyof RuleItem['fields']): boolean => modeOf(k) === 'append';
    const replace = (k: keyof RuleItem['fields']): boolean => modeOf(k) === 'replace';
    // Falco skips empty appended strings rather than adding a lone space.
    if (f.condition && append('condition') && f.condition.value.trim() !== '') prev.condition = [...prev.condition, f.condition];
    if (f.condition && replace('condition')) prev.condition = [f.condition];
    if (f.output && append('output') && f.output.value.trim() !== '') prev.output = [...prev.output, f.output];
    if (f.output && replace('output')) prev.output = [f.output];
    if (f.desc && append('desc') && f.desc.value.trim() !== '') prev.desc = `${prev.desc} ${f.desc.value}`;
    if (f.desc && replace('desc')) prev.desc = f.desc.value;
    if (f.tags && append('tags')) prev.tags = dedupe([...prev.tags, ...f.tags]);
    if (f.tags && replace('tags')) prev.tags = dedupe(f.tags);
    if (f.priority && replace('priority')) prev.priority = f.priority;
    if (f.enabled !== undefined && replace('enabled')) prev.enabled = f.enabled;
    if (f.warnEvttypes !== undefined && replace('warnEvttypes')) prev.warnEvttypes = f.warnEvttypes;
    if (f.skipIfUnknownFilter !== undefined && replace('skipIfUnknownFilter')) prev.skipIfUnknownFilter = f.skipIfUnknownFilter;
    if (f.exceptions && replace('exceptions')) prev.exceptions = f.exceptions;
    if (f.exceptions && append('exceptions')) prev.exceptions = this.mergeExceptions(prev, f.exceptions);
  }

  /** Values of an exception the rule already has are appended to it; new exceptions are added whole. */
  private mergeExceptions(rule: CollectedRule, added: readonly ExceptionSpec[]): ExceptionSpec[] {
    const out = rule.exceptions.map((e) => ({ ...e, values: [...e.values] }));
    const item = { kind: 'rule' as const, name: rule.name };
    for (const ex of added) {
      const existing = out.find((e) => e.name === ex.name);
      if (existing) {
        if (ex.fields || ex.comps) {
          this.result.diagnostics.push(error('bad-exception', `exception '${ex.name}' already exists: only its values can be appended, not fields or comps`, ex.place, item));
          continue;
        }
        existing.values.push(...ex.values);
        existing.hasValues ||= ex.hasValues;
        continue;
      }
      if (!ex.fields) {
        this.result.diagnostics.push(error('bad-exception', `exception '${ex.name}' is new to rule '${rule.name}' and needs 'fields'`, ex.place, item));
        continue;
      }
      if (ex.values.length === 0) {
        this.result.diagnostics.push(error('bad-exception', `exception '${ex.name}' is new to rule '${rule.name}' and needs 'values'`, ex.place, item));
        continue;
      }
      out.push(ex);
    }
    return out;
  }
}

function dedupe(tags: readonly string[]): string[] {
  return [...new Set(tags)];
}
