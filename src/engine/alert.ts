// The alert a matching rule produces, in the shape of Falco's json_output, and its text forms.
// Falco's `output` is the whole alert line: "<evt.time>: <Priority> <rendered rule output>", and the
// same line is what it prints in plain-text mode.

import type { EngineContext, SyscallEvent } from './event.js';
import type { FieldValue } from './fields/index.js';
import { formatIso8601, formatTime } from './fields/index.js';
import { priorityLabel } from '../rules/types.js';
import type { RulesetRule } from './ruleset.js';

/** JSON-ready field values: `<NA>` is null; 64-bit numbers stay exact as bigint. */
export type AlertFieldValue = string | number | bigint | boolean | null | readonly string[];

export interface Alert {
  /** Event time, ISO 8601 with nanoseconds, UTC. */
  time: string;
  rule: string;
  /** Title case, as Falco prints it: "Notice", "Warning". */
  priority: string;
  /** The alert line: "HH:MM:SS.nnnnnnnnn: Notice A shell was spawned ... ". */
  output: string;
  output_fields: Record<string, AlertFieldValue>;
  tags: string[];
  source: string;
  hostname: string;
}

const toJsonValue = (v: FieldValue): AlertFieldValue => (v === undefined ? null : v);

/** Builds the alert for a rule that matched `evt`. Only runs when a rule fires. */
export function buildAlert(rule: RulesetRule, evt: SyscallEvent, ctx: EngineContext): Alert {
  const formatted = rule.output?.format(evt, ctx);
  const label = priorityLabel(rule.priority);
  // Falco's output_fields carry evt.time (raw ns) from the "%evt.time: " prefix of every alert.
  const fields: Record<string, AlertFieldValue> = { 'evt.time': evt.ts };
  if (formatted) for (const [k, v] of Object.entries(formatted.fields)) fields[k] = toJsonValue(v);
  return {
    time: formatIso8601(evt.ts),
    rule: rule.name,
    priority: label,
    output: `${formatTime(evt.ts)}: ${label} ${formatted?.output ?? rule.name}`,
    output_fields: fields,
    tags: [...rule.tags],
    source: rule.source,
    hostname: ctx.hostname,
  };
}

/** The plain-text alert line, as Falco prints it without json_output. */
export function formatAlertText(alert: Alert): string {
  return alert.output;
}

/**
 * Falco's JSON form of an alert, keys in Falco's (alphabetical) order. Written by hand because
 * JSON.stringify cannot print bigints, and ns timestamps do not fit a double exactly.
 */
export function alertToJson(alert: Alert): string {
  const fields = Object.entries(alert.output_fields)
    .map(([k, v]) => `${JSON.stringify(k)}:${jsonValue(v)}`)
    .join(',');
  return (
    `{"hostname":${JSON.stringify(alert.hostname)},"output":${JSON.stringify(alert.output)},` +
    `"output_fields":{${fields}},"priority":${JSON.stringify(alert.priority)},"rule":${JSON.stringify(alert.rule)},` +
    `"source":${JSON.stringify(alert.source)},"tags":${JSON.stringify(alert.tags)},"time":${JSON.stringify(alert.time)}}`
  );
}

function jsonValue(v: AlertFieldValue): string {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return JSON.stringify(v);
  return JSON.stringify(v);
}

