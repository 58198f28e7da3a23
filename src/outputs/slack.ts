// The chat form of an alert: a Slack incoming-webhook message (`text` plus one attachment with a
// colour per priority and the fields a responder asks for first), which Mattermost and Rocket.Chat
// accept as well. Slack reads `<...>` as links and mentions (`<!channel>`), so every value is
// escaped as Slack asks (&, <, >); the alert text is already free of control characters.

import type { Alert, AlertFieldValue } from './alert.js';
import { jsonSafe } from './escape.js';

const COLOURS: Record<string, string> = {
  Emergency: '#8b0000',
  Alert: '#b30000',
  Critical: '#e01e5a',
  Error: '#e8590c',
  Warning: '#ecb22e',
  Notice: '#2eb6c8',
  Informational: '#439fe0',
  Debug: '#a0a0a0',
};

/** The fields a responder needs first, in the order shown, each with the output_fields keys that carry it. */
const KEY_FIELDS: [title: string, keys: string[]][] = [
  ['container', ['container.name', 'container.id']],
  ['image', ['container.image.repository', 'container.image']],
  ['pod', ['k8s.pod.name']],
  ['namespace', ['k8s.ns.name']],
  ['process', ['proc.cmdline', 'proc.name']],
  ['user', ['user.name']],
];

const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function valueText(v: AlertFieldValue | undefined): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return Array.isArray(v) ? v.join(',') : String(v);
}

export function slackMessage(a: Alert, line: string): string {
  const fields: { title: string; value: string; short: boolean }[] = [
    { title: 'rule', value: slackEscape(a.rule), short: true },
    { title: 'priority', value: a.priority, short: true },
  ];
  for (const [title, keys] of KEY_FIELDS) {
    let value: string | undefined;
    for (const k of keys) if ((value = valueText(a.output_fields[k])) !== undefined) break;
    if (value === undefined) continue;
    if (title === 'image') {
      const tag = valueText(a.output_fields['container.image.tag']);
      if (tag && !value.includes(':')) value += `:${tag}`;
    }
    fields.push({ title, value: slackEscape(value), short: title !== 'process' });
  }
  const text = slackEscape(line);
  return jsonSafe(JSON.stringify({
    text: `${a.priority}: ${slackEscape(a.rule)}`,
    attachments: [
      {
        fallback: text,
        color: COLOURS[a.priority] ?? '#a0a0a0',
        text,
        fields,
        footer: `falconet on ${slackEscape(a.hostname)}`,
        ts: Number(a.ts / 1_000_000_000n),
      },
    ],
  }));
}
