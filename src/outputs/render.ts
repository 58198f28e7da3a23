// An alert turned into the bytes a channel sends: the text line, Falco's JSON, a chat message. Each
// form is built once per alert, and only if some channel wants it; a channel whose limiter held
// alerts back gets its own copy carrying the count (`note`).

import type { Alert, AlertFieldValue } from './alert.js';
import { formatIso8601, formatTime } from '../engine/fields/index.js';
import { jsonSafe } from './escape.js';
import { slackMessage } from './slack.js';

export interface RenderOptions {
  /** time_format_iso_8601: the line starts with the full ISO 8601 time instead of HH:MM:SS.ns. */
  iso8601: boolean;
  /** json_include_output_property, json_include_tags_property, json_include_message_property. */
  includeOutput: boolean;
  includeTags: boolean;
  includeMessage: boolean;
}

export const DEFAULT_RENDER: RenderOptions = { iso8601: false, includeOutput: true, includeTags: true, includeMessage: false };

/** What a limiter adds to the next alert that passes it. */
export interface Suppressed {
  count: number;
  /** " (+41 similar alerts suppressed in the last 60 s)" */
  text: string;
}

export class Rendered {
  private textForm?: string;
  private jsonForm?: string;
  private slackForm?: string;

  constructor(
    readonly alert: Alert,
    private readonly opts: RenderOptions,
    readonly suppressed?: Suppressed,
  ) {}

  /** The alert line, as Falco prints it without json_output. */
  get text(): string {
    return (this.textForm ??= alertLine(this.alert, this.opts, this.suppressed));
  }

  get json(): string {
    return (this.jsonForm ??= alertJson(this.alert, this.opts, this.text, this.suppressed));
  }

  get slack(): string {
    return (this.slackForm ??= slackMessage(this.alert, this.text));
  }

  /** The same alert with a limiter's note. */
  with(suppressed: Suppressed): Rendered {
    return new Rendered(this.alert, this.opts, suppressed);
  }
}

export function alertLine(a: Alert, o: RenderOptions, s?: Suppressed): string {
  const time = o.iso8601 ? formatIso8601(a.ts) : formatTime(a.ts);
  return `${time}: ${a.priority} ${a.message}${s ? s.text : ''}`;
}

/**
 * Falco's JSON form of an alert, keys in Falco's (alphabetical) order, output_fields' too. Written
 * by hand because JSON.stringify cannot print bigints, and ns timestamps do not fit a double exactly.
 */
export function alertJson(a: Alert, o: RenderOptions, line: string, s?: Suppressed): string {
  const entries: [string, AlertFieldValue][] = Object.entries(a.output_fields);
  if (s) entries.push(['falconet.suppressed', s.count]);
  const fields = entries
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${JSON.stringify(k)}:${jsonValue(v)}`)
    .join(',');
  let out = `{"hostname":${JSON.stringify(a.hostname)},`;
  if (o.includeMessage) out += `"message":${JSON.stringify(a.message)},`;
  if (o.includeOutput) out += `"output":${JSON.stringify(line)},`;
  out += `"output_fields":{${fields}},"priority":${JSON.stringify(a.priority)},"rule":${JSON.stringify(a.rule)},"source":${JSON.stringify(a.source)},`;
  if (o.includeTags) out += `"tags":${JSON.stringify(a.tags)},`;
  return jsonSafe(`${out}"time":${JSON.stringify(a.time)}}`);
}

function jsonValue(v: AlertFieldValue): string {
  return typeof v === 'bigint' ? v.toString() : JSON.stringify(v);
}
