// The ruleset: compiled rules indexed by event type, so an event only meets the rules that can
// match it (rules without an evt.type restriction are in every bucket). Enabling, disabling and the
// priority threshold rebuild the buckets, so the per-event loop has no checks besides the predicate.
//
// Matching follows Falco's `rule_matching` option: 'first' (Falco's default) stops at the first
// rule that matches, in load order; 'all' reports every matching rule.

import type { EngineContext, SyscallEvent } from './event.js';
import type { FieldValue } from './fields/types.js';
import { globToRegExp } from './fields/glob.js';
import { PRIORITIES, type Priority } from './priority.js';

/** A rule's output as formatted for one alert. */
export interface FormattedOutput {
  output: string;
  /** Every referenced field by its written key (`proc.aname[2]`), undefined when not available. */
  fields: Record<string, FieldValue>;
}

/** A rule's output template, bound to its fields (src/rules/output compiles it). */
export interface OutputFormatter {
  format(evt: SyscallEvent, ctx: EngineContext): FormattedOutput;
  /** The field keys the template references, in order of first appearance. */
  readonly keys: readonly string[];
}

/**
 * One compiled rule. `Loaded` is the rule as the language loaded it (src/rules' LoadedRule, for
 * descriptions and positions): a parameter, so the engine needs nothing from src/rules.
 */
export interface RulesetRule<Loaded = unknown> {
  readonly name: string;
  readonly priority: Priority;
  readonly tags: readonly string[];
  readonly source: string;
  readonly evttypes: ReadonlySet<string> | 'all';
  readonly predicate: (evt: SyscallEvent, ctx: EngineContext) => boolean;
  /** The bound output template; absent for rules built by hand in tests. */
  readonly output?: OutputFormatter;
  /** The rule as loaded, for descriptions and positions. */
  readonly loaded?: Loaded;
  /** Whether the rule starts enabled (the rule's `enabled` key). */
  readonly enabled: boolean;
  /** The condition reads container or pod metadata (not only container.id): it may wait for it. */
  readonly readsMetadata?: boolean;
}

export type RuleMatching = 'first' | 'all';

export interface RulesetOptions {
  matching?: RuleMatching;
  /** Rules less severe than this are skipped (Falco's `priority` option). Default: DEBUG (all). */
  minPriority?: Priority;
  /** Which rules' source this ruleset evaluates. Default: 'syscall'. */
  source?: string;
}

export type MatchCallback<R extends RulesetRule = RulesetRule> = (rule: R, evt: SyscallEvent, ctx: EngineContext) => void;

/**
 * Which rules an enable/disable call is about. A name matches exactly, or as a glob when it has
 * `*` (Falco's `rules: - disable: {rule: "Write below *"}`); a tag matches any of a rule's tags.
 */
export type RuleSelector = { name: string } | { tag: string } | { all: true };

/** `R`: the rules it holds; compileRuleset's carry their LoadedRule (src/rules/compiler). */
export class Ruleset<R extends RulesetRule = RulesetRule> {
  private readonly enabled: boolean[];
  private matching: RuleMatching;
  private minRank: number;
  private readonly source: string;
  private buckets = new Map<string, R[]>();
  /** Active rules with no event type restriction: the bucket for event types no rule names. */
  private anyType: R[] = [];

  constructor(
    private readonly all: readonly R[],
    opts: RulesetOptions = {},
  ) {
    this.enabled = all.map((r) => r.enabled);
    this.matching = opts.matching ?? 'first';
    this.minRank = PRIORITIES.indexOf(opts.minPriority ?? 'DEBUG');
    this.source = opts.source ?? 'syscall';
    this.rebuild();
  }

  /** Every rule, in load order, active or not. */
  rules(): readonly R[] {
    return this.all;
  }

  isEnabled(name: string): boolean {
    const i = this.all.findIndex((r) => r.name === name);
    return i >= 0 && this.enabled[i] === true;
  }

  /** Enables or disables the selected rules; returns how many rules the selector matched. */
  setEnabled(selector: RuleSelector, on: boolean): number {
    let n = 0;
    const pattern = 'name' in selector && selector.name.includes('*') ? globToRegExp(selector.name) : undefined;
    this.all.forEach((r, i) => {
      const hit =
        'all' in selector ? true
        : 'name' in selector ? (pattern ? pattern.test(r.name) : r.name === selector.name)
        : r.tags.includes(selector.tag);
      if (hit) {
        this.enabled[i] = on;
        n++;
      }
    });
    if (n) this.rebuild();
    return n;
  }

  setMinimumPriority(p: Priority): void {
    this.minRank = PRIORITIES.indexOf(p);
    this.rebuild();
  }

  setMatching(m: RuleMatching): void {
    this.matching = m;
  }

  /** The active rules an event of this type meets, in load order. */
  candidates(type: string): readonly R[] {
    return this.buckets.get(type) ?? this.anyType;
  }

  /** Some rule an event of this type meets reads container or pod metadata. */
  readsMetadata(type: string): boolean {
    return this.candidates(type).some((r) => r.readsMetadata === true);
  }

  /** Evaluates the event; calls onMatch per matching rule (or for the first one); returns the count. */
  evaluate(evt: SyscallEvent, ctx: EngineContext, onMatch: MatchCallback<R>): number {
    const rules = this.buckets.get(evt.type) ?? this.anyType;
    let n = 0;
    for (let i = 0; i < rules.length; i++) {
      const r = rules[i]!;
      if (r.predicate(evt, ctx)) {
        onMatch(r, evt, ctx);
        n++;
        if (this.matching === 'first') break;
      }
    }
    return n;
  }

  private active(i: number): boolean {
    const r = this.all[i]!;
    return this.enabled[i] === true && r.source === this.source && PRIORITIES.indexOf(r.priority) <= this.minRank;
  }

  private rebuild(): void {
    const buckets = new Map<string, R[]>();
    const anyType: R[] = [];
    // Buckets hold load order: typed rules and 'all' rules interleave as they were loaded.
    for (const r of this.all) if (r.evttypes !== 'all') for (const t of r.evttypes) if (!buckets.has(t)) buckets.set(t, []);
    this.all.forEach((r, i) => {
      if (!this.active(i)) return;
      if (r.evttypes === 'all') {
        anyType.push(r);
        for (const list of buckets.values()) list.push(r);
      } else {
        for (const t of r.evttypes) buckets.get(t)!.push(r);
      }
    });
    this.buckets = buckets;
    this.anyType = anyType;
  }
}
