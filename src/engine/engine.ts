// The engine: records in, matches out. Applies each record to the process/fd state, evaluates the
// rules the event's type can match, and hands every match on (to alertsTo's sink, or to an
// AlertGate that lets alerts wait for their container's metadata). Counts what it saw.

import { buildAlert, type Alert } from '../outputs/index.js';
import type { EngineContext, RawRecord, SyscallEvent } from './event.js';
import type { Context } from './context.js';
import type { MatchCallback, Ruleset, RulesetRule } from './ruleset.js';
import type { StateMachine } from './state/apply.js';

export interface EngineStats {
  events: number;
  alerts: number;
  /** Alerts per rule name. */
  byRule: Map<string, number>;
  /**
   * Events per evt.type (for /metrics; bounded by the event schema). A cell per type: one Map read
   * per event instead of a read and a write (about 6 ns an event instead of 13).
   */
  byType: Map<string, { n: number }>;
}

export class Engine {
  readonly stats: EngineStats = { events: 0, alerts: 0, byRule: new Map(), byType: new Map() };

  constructor(
    private rules: Ruleset,
    readonly state: StateMachine,
    readonly ctx: Context,
    private readonly onMatch: MatchCallback,
    /** Live only: holds the evaluation of events of containers whose metadata is on its way. */
    private readonly deferral?: { pending(id: string): boolean; defer(evt: SyscallEvent, ctx: EngineContext, run: (e: SyscallEvent, c: EngineContext) => void): void },
  ) {}

  get ruleset(): Ruleset {
    return this.rules;
  }

  /**
   * Evaluates `next` from the next record on (a rules reload). Called between two batches, it swaps
   * atomically: no record meets half of each. An event held for its container's metadata is
   * evaluated, when it comes, by the rules current then.
   */
  setRuleset(next: Ruleset): void {
    this.rules = next;
  }

  process(rec: RawRecord): void {
    const evt = this.state.apply(rec);
    if (evt === undefined) return;
    this.stats.events++;
    const seen = this.stats.byType.get(evt.type);
    if (seen !== undefined) seen.n++;
    else this.stats.byType.set(evt.type, { n: 1 });
    const d = this.deferral;
    if (d !== undefined && evt.thread.containerId !== 'host' && d.pending(evt.thread.containerId) && this.rules.readsMetadata(evt.type)) {
      d.defer(evt, this.ctx, this.evaluate);
      return;
    }
    this.rules.evaluate(evt, this.ctx, this.matched);
  }

  private readonly evaluate = (evt: SyscallEvent, ctx: EngineContext): void => {
    this.rules.evaluate(evt, ctx, this.matched);
  };

  // Bound once: an arrow built inside process() was one closure allocation per event.
  private readonly matched = (rule: RulesetRule, evt: SyscallEvent, ctx: EngineContext): void => {
    this.stats.alerts++;
    this.stats.byRule.set(rule.name, (this.stats.byRule.get(rule.name) ?? 0) + 1);
    this.onMatch(rule, evt, ctx);
  };
}

/** Every match built into its alert at once and handed to `send`. */
export function alertsTo(send: (alert: Alert) => void): MatchCallback {
  return (rule, evt, ctx) => send(buildAlert(rule, evt, ctx));
}
