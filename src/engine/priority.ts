// Falco's rule priorities, in the order the engine filters and sorts them (--min-priority, the
// ruleset's threshold) and the words rule files and alerts use for them. Declared in the engine, which
// the rules language builds on, so that dependency runs one way.

/** Falco's priorities, most severe first; the numeric value orders them (lower = more severe). */
export const PRIORITIES = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFORMATIONAL', 'DEBUG'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Parses a priority in any case; INFO is accepted for INFORMATIONAL. Undefined when not a priority. */
export function parsePriority(text: string): Priority | undefined {
  const upper = text.trim().toUpperCase();
  if (upper === 'INFO') return 'INFORMATIONAL';
  return (PRIORITIES as readonly string[]).includes(upper) ? (upper as Priority) : undefined;
}

/** Title case as Falco prints priorities in alert lines: "Notice", "Warning", "Informational". */
export function priorityLabel(p: Priority): string {
  return p.charAt(0) + p.slice(1).toLowerCase();
}

