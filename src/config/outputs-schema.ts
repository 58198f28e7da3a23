// The alert-delivery keys of the settings: falco.yaml's output keys (json_output, the channels, the
// queue), with Falco's defaults where falconet keeps Falco's meaning. docs/outputs.md explains them.
//
// Every channel may set `rate`, `max_burst` and `dedup_window`; those it leaves out come from
// `outputs`, which holds the defaults for all channels (Falco's pre-0.37 `outputs.rate/max_burst`).

import { z } from 'zod';
import { flag, text } from './values.js';

/** Syslog facilities by name, with their RFC 5424 codes. */
export const FACILITIES = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9,
  authpriv: 10, ftp: 11, local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21,
  local6: 22, local7: 23,
} as const;
export type Facility = keyof typeof FACILITIES;

const facilityNames = Object.keys(FACILITIES) as [Facility, ...Facility[]];

/** The per-channel limits; each left out falls back to the `outputs` default. */
const limits = {
  /** Alerts per second (token bucket refill); 0: no limit. */
  rate: z.number().min(0).optional(),
  /** Bucket size: how many alerts may pass at once before the rate applies. */
  max_burst: z.int().min(1).optional(),
  /** Seconds within which an alert identical to one already sent (rule and fields) is suppressed; 0: off. */
  dedup_window: z.number().min(0).optional(),
};

/** Where alerts wait on disk while a remote receiver is down ('' : no spool, memory only). */
const spool = {
  spool_dir: text(z.string()).default(''),
  spool_max_mb: z.number().positive().default(100),
};

const tlsFiles = {
  /** PEM file of the CA(s) that sign the receiver's certificate ('' : the system's). */
  ca_cert: text(z.string()).default(''),
  client_cert: text(z.string()).default(''),
  client_key: text(z.string()).default(''),
  /** Skip verification of the receiver's certificate. For tests only. */
  insecure: flag().default(false),
};

export const StdoutOutput = z.strictObject({ enabled: flag().default(true), ...limits });

export const FileOutput = z.strictObject({
  enabled: flag().default(false),
  /** Keep the file open between alerts (reopened on SIGUSR1 and when rotated away). */
  keep_alive: flag().default(false),
  filename: text(z.string().min(1)).default('./events.txt'),
  ...limits,
});

export const SyslogOutput = z.strictObject({
  enabled: flag().default(false),
  /** unix:///dev/log (or a bare path), udp://host:port, tcp://host:port, tls://host:port. */
  address: text(z.string().min(1)).default('unix:///dev/log'),
  facility: z.enum(facilityNames).default('user'),
  /** The message framing: rfc3164 (what syslog(3) sends; default on a local socket) or rfc5424 (default remote). */
  format: z.enum(['rfc3164', 'rfc5424']).optional(),
  app_name: text(z.string().regex(/^[!-~]{1,48}$/, 'printable ASCII without spaces, at most 48 characters')).default('falconet'),
  ...tlsFiles,
  ...spool,
  ...limits,
});

export const ProgramOutput = z.strictObject({
  enabled: flag().default(false),
  /** One long-lived process fed every alert, instead of one process per alert. */
  keep_alive: flag().default(false),
  /** Run by /bin/sh -c, as Falco does; alerts reach it on stdin only, never on its command line. */
  program: text(z.string()).default(''),
  /** Per-alert mode: a program still running after this long is killed and the alert counted failed. */
  timeout_ms: z.int().min(1).default(10_000),
  ...limits,
});

export const HttpOutput = z.strictObject({
  enabled: flag().default(false),
  url: text(z.string()).default(''),
  /** json: Falco's json_output shape; text: the alert line; slack: a Slack-style incoming-webhook message. Default: json with json_output, else text (as Falco). */
  format: z.enum(['json', 'text', 'slack']).optional(),
  user_agent: text(z.string()).default(''),
  headers: z.record(z.string(), text(z.string())).default({}),
  ...tlsFiles,
  /** A PEM bundle of CAs, added to ca_cert. */
  ca_bundle: text(z.string()).default(''),
  /** A directory of PEM CA files, added when it exists. */
  ca_path: text(z.string()).default('/etc/falconet/certs/'),
  /** Present client_cert/client_key to the receiver. */
  mtls: flag().default(false),
  /** Log each receiver's answer body. */
  echo: flag().default(false),
  compress_uploads: flag().default(false),
  keep_alive: flag().default(false),
  timeout_ms: z.int().min(1).default(10_000),
  ...spool,
  ...limits,
});

/** The alert keys, spread into Settings. */
export const OUTPUT_KEYS = {
  json_output: flag().default(false),
  json_include_output_property: flag().default(true),
  json_include_tags_property: flag().default(true),
  json_include_message_property: flag().default(false),
  time_format_iso_8601: flag().default(false),
  /** false: every alert is written as it comes; true: alerts that come together share one write. */
  buffered_outputs: flag().default(false),
  outputs_queue: z
    .strictObject({
      /** Alerts that may wait per channel; 0: unbounded (Falco's default, not ours: a dead receiver would grow it without end). */
      capacity: z.int().min(0).default(10_000),
      /** On shutdown, how long channels may take to deliver what waits. */
      drain_timeout_ms: z.int().min(0).default(5_000),
    })
    .prefault({}),
  outputs: z
    .strictObject({
      rate: z.number().min(0).default(0),
      max_burst: z.int().min(1).default(1000),
      dedup_window: z.number().min(0).default(0),
    })
    .prefault({}),
  stdout_output: StdoutOutput.prefault({}),
  file_output: FileOutput.prefault({}),
  syslog_output: SyslogOutput.prefault({}),
  program_output: ProgramOutput.prefault({}),
  http_output: HttpOutput.prefault({}),
};
