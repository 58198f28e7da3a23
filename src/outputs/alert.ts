// The alert a matching rule produces, in the shape of Falco's json_output. Falco's `output` is the
// whole alert line, "<time>: <Priority> <rendered rule output>"; it is put together when rendered
// (render.ts), since its time format is a setting. The rendered rule output here is already escaped
// for text (escape.ts): no field value can break the line.

import type { EngineContext, SyscallEvent } from '../engine/event.js';
import type { FieldValue } from '../engine/fields/index.js';
import { formatIso8601 } from '../engine/fields/index.js';
import type { RulesetRule } from '../engine/ruleset.js';
import { priorityLabel, type Priority } from '../rules/types.js';
import { escapeText } from './escape.js';

/** JSON-ready field values: `<NA>` is null; 64-bit numbers stay exact as bigint. */
export type AlertFieldValue = string | number | bigint | boolean | null | readonly string[];

export interface Alert {
  /** Event time, epoch ns. */
  ts: bigint;
  /** Event time, ISO 8601 with nanoseconds, UTC. */
  time: string;
  rule: string;
  /** Title case, as Falco prints it: "Notice", "Warning". */
  priority: string;
  /** The rule's output with the event's values, escaped for text ("A shell was spawned ..."). */
  message: string;
  output_fields: Record<string, AlertFieldValue>;
  tags: string[];
  source: string;
  hostname: string;
}

const toJsonValue = (v: FieldValue): AlertFieldValue => (v === undefined ? null : v);

/** Builds the alert for a rule that matched `evt`. Only runs when a rule fires. */
export function buildAlert(rule: RulesetRule, evt: SyscallEvent, ctx: EngineContext): Alert {
  const formatted = rule.output?.format(evt, ctx);
  // Falco's output_fields carry evt.time (raw ns) from the "%evt.time: " prefix of every alert.
  const fields: Record<string, AlertFieldValue> = { 'evt.time': evt.ts };
  if (formatted) for (const [k, v] of Object.entries(formatted.fields)) fields[k] = toJsonValue(v);
  return {
    ts: evt.ts,
    time: formatIso8601(evt.ts),
    rule: rule.name,
    priority: priorityLabel(rule.priority),
    message: escapeText(formatted?.output ?? rule.name),
    output_fields: fields,
    tags: [...rule.tags],
    source: rule.source,
    hostname: ctx.hostname,
  };
}

/** An alert falconet raises about itself (dropped events, dropped alerts), source "internal". */
export function internalAlert(rule: string, priority: Priority, message: string, fields: Record<string, AlertFieldValue>, hostname: string): Alert {
  const ts = BigInt(Date.now()) * 1_000_000n;
  return {
    ts,
    time: formatIso8601(ts),
    rule,
    priority: priorityLabel(priority),
    message: escapeText(message),
    output_fields: fields,
    tags: [],
    source: 'internal',
    hostname,
  };
}
