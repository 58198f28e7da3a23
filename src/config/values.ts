// The grammars of single setting values, shared by every part of the schema: text that YAML may have
// read as a number, on/off words, Falco's durations ('1m', '1h30m') and priorities in any case.

import { z } from 'zod';
import { PRIORITIES, parsePriority } from '../rules/types.js';

/**
 * A text setting also takes what YAML reads as a number or a boolean (`-o syslog_output.app_name=1234`,
 * `X-Token: 12345`): the user meant the text.
 */
export function text<T extends z.ZodType<string>>(schema: T) {
  return z.preprocess((v) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v), schema);
}

/**
 * An on/off setting also takes YAML 1.1's words for them (yes/no, on/off), as Falco's YAML reader does.
 * `otherwise` may name what a value of another shape means (append_output's list form).
 */
export function flag(otherwise?: (input: unknown) => string | undefined) {
  const words = (v: unknown) => (typeof v === 'string' && /^(yes|no|on|off|true|false)$/i.test(v) ? /^(yes|on|true)$/i.test(v) : v);
  return z.preprocess(words, otherwise ? z.boolean({ error: (iss) => otherwise(iss.input) }) : z.boolean());
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 } as const;

/** Falco's (Prometheus's) durations: `500ms`, `15s`, `1m`, `1h30m`; undefined when `s` is not one. */
export function durationMs(s: string): number | undefined {
  if (!/^(\d+(ms|s|m|h|d|w|y))+$/.test(s)) return undefined;
  let ms = 0;
  for (const m of s.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) ms += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  return ms;
}

/** A duration as Falco writes it; kept as written (so `falconet config` shows it), read with durationMs. */
export function duration() {
  return text(z.string()).refine((s) => (durationMs(s) ?? 0) > 0, 'expected a duration such as 15s, 1m or 1h30m');
}

/** Falco's priority names in lower case, as falco.yaml writes them. */
export const PRIORITY_NAMES = PRIORITIES.map((p) => p.toLowerCase()) as [Lowercase<(typeof PRIORITIES)[number]>, ...Lowercase<(typeof PRIORITIES)[number]>[]];

/** A priority in any case (INFO for informational, as Falco), kept in falco.yaml's lower case. */
export function priority() {
  return z.preprocess((v) => (typeof v === 'string' ? (parsePriority(v)?.toLowerCase() ?? v) : v), z.enum(PRIORITY_NAMES));
}
