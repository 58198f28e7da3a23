// The alert channels a command writes to, from its options: stdout always, a file with -o.

import { alertToJson, formatAlertText, type Alert } from '../engine/alert.js';
import { fileChannel, stdoutChannel, type OutputChannel } from '../outputs/index.js';
import { parsePriority, type Priority } from '../rules/types.js';
import type { RuleMatching } from '../engine/ruleset.js';
import { UsageError } from './rule-files.js';

export interface AlertOptions {
  json?: boolean;
  fileOutput?: string;
  minPriority?: string;
  /** Falco's rule_matching: 'first' (default) alerts on the first matching rule, 'all' on every one. */
  ruleMatching?: RuleMatching;
}

export class AlertSinks {
  readonly channels: OutputChannel[];

  constructor(opts: AlertOptions, onError: (channel: string, err: Error) => void) {
    this.channels = [stdoutChannel(opts.json === true)];
    if (opts.fileOutput) {
      const path = opts.fileOutput;
      this.channels.push(fileChannel(path, opts.json === true, (err) => onError(`file:${path}`, err)));
    }
  }

  send(alert: Alert): void {
    // Each form is rendered once, and only if some channel wants it.
    let text: string | undefined;
    let json: string | undefined;
    const rendered = {
      get text() {
        return (text ??= formatAlertText(alert));
      },
      get json() {
        return (json ??= alertToJson(alert));
      },
    };
    for (const c of this.channels) c.send(rendered);
  }

  async close(): Promise<void> {
    await Promise.all(this.channels.map((c) => c.close()));
  }

  /** One line per channel for the end-of-run summary; drops are never silent. */
  summary(): string[] {
    return this.channels.map((c) => {
      const s = c.stats();
      return `${c.name}: ${s.sent} alerts written, ${s.dropped} dropped, ${s.failed} write errors`;
    });
  }
}

export function minPriorityOption(text: string | undefined): Priority | undefined {
  if (text === undefined) return undefined;
  const p = parsePriority(text);
  if (!p) throw new UsageError(`--min-priority: '${text}' is not a priority (emergency, alert, critical, error, warning, notice, informational, debug)`);
  return p;
}
