// Every alert channel a command writes to, built from the settings (stdout_output, file_output,
// syslog_output, program_output, http_output), with what they share: rendering each form once,
// per-channel limiters, per-channel workers and stores, and the report of losses. A channel that
// drops or fails alerts says so on the other channels, as an internal alert, at most every 10 s.

import { parseSyslogAddress, type Settings } from '../config/index.js';
import { internalAlert, type Alert } from './alert.js';
import { HttpSink } from './channels/http.js';
import { FileSink } from './channels/file.js';
import { ProgramSink } from './channels/program.js';
import { StreamSink } from './channels/stream.js';
import { syslogSink } from './channels/syslog.js';
import { Limiter } from './limiter.js';
import { Rendered, type RenderOptions } from './render.js';
import type { Sink } from './sink.js';
import { SpoolStore } from './spool.js';
import { MemoryStore, type AlertStore } from './store.js';
import { rfc3164, rfc5424, syslogPri } from './syslog-format.js';
import { ChannelWorker, type ChannelStats, type LossKind, type OutputLog } from './worker.js';

export interface OutputsContext {
  log: OutputLog;
  hostname: string;
  version: string;
  /** Where stdout_output writes (tests and benchmarks pass their own stream). */
  stdout?: NodeJS.WritableStream;
}

interface Channel {
  name: string;
  render: (r: Rendered) => string;
  limiter?: Limiter;
  worker: ChannelWorker;
  reopen?: () => void;
}

/** The least time between two loss reports of one channel. */
const LOSS_REPORT_MS = 10_000;

export class Outputs {
  private readonly channels: Channel[] = [];
  private readonly losses = new Map<string, { dropped: number; failed: number; timer?: NodeJS.Timeout; lastAt: number }>();
  private readonly render: RenderOptions;
  private readonly drainMs: number;

  constructor(
    settings: Settings,
    private readonly ctx: OutputsContext,
  ) {
    this.render = {
      iso8601: settings.time_format_iso_8601,
      includeOutput: settings.json_include_output_property,
      includeTags: settings.json_include_tags_property,
      includeMessage: settings.json_include_message_property,
    };
    this.drainMs = settings.outputs_queue.drain_timeout_ms;
    for (const c of buildChannels(settings, ctx)) this.add(settings, c);
  }

  private add(settings: Settings, c: ChannelSpec): void {
    const limits = { ...settings.outputs, ...definedOnly(c.limits) };
    const store: AlertStore = c.spool ? new SpoolStore(c.spool.dir, c.name, c.spool.maxMb * 1024 * 1024) : new MemoryStore(settings.outputs_queue.capacity);
    const worker = new ChannelWorker(c.name, c.sink, store, this.ctx.log, (kind, n) => this.lost(c.name, kind, n));
    const limiterOpts = { rate: limits.rate, maxBurst: limits.max_burst, dedupWindowS: limits.dedup_window };
    this.channels.push({
      name: c.name,
      render: c.render,
      worker,
      limiter: Limiter.needed(limiterOpts) ? new Limiter(limiterOpts) : undefined,
      reopen: c.reopen,
    });
  }

  get names(): string[] {
    return this.channels.map((c) => c.name);
  }

  send(alert: Alert): void {
    const r = new Rendered(alert, this.render);
    for (const c of this.channels) {
      let form = r;
      if (c.limiter) {
        const v = c.limiter.admit(alert);
        if (!v.pass) continue;
        if (v.suppressed) form = r.with(v.suppressed);
      }
      c.worker.push(c.render(form));
    }
  }

  /** SIGUSR1: channels that keep a file open reopen it. */
  reopen(): void {
    for (const c of this.channels) c.reopen?.();
  }

  stats(): Record<string, ChannelStats> {
    const out: Record<string, ChannelStats> = {};
    for (const c of this.channels) {
      out[c.name] = { ...c.worker.getStats(), rateLimited: c.limiter?.counts.rateLimited ?? 0, deduplicated: c.limiter?.counts.deduplicated ?? 0 };
    }
    return out;
  }

  /** One line per channel for the end-of-run summary; losses are never silent. */
  summary(): string[] {
    return Object.entries(this.stats()).map(([name, s]) => {
      let line = `${name}: ${s.sent} alerts delivered, ${s.dropped} dropped, ${s.failed} failed`;
      if (s.retries) line += `, ${s.retries} retries`;
      if (s.rateLimited || s.deduplicated) line += `, ${s.rateLimited} over the rate limit, ${s.deduplicated} duplicates suppressed`;
      if (s.unsent) line += `, ${s.unsent} undelivered at exit`;
      return line;
    });
  }

  /** Resolves when every channel has delivered what waits (tests, replay). */
  async flush(): Promise<void> {
    await Promise.all(this.channels.map((c) => c.worker.flush()));
  }

  /** Reports pending losses, then lets every channel deliver within outputs_queue.drain_timeout_ms. */
  async close(): Promise<void> {
    for (const [name, l] of this.losses) {
      clearTimeout(l.timer);
      this.reportLoss(name);
    }
    await Promise.all(this.channels.map((c) => c.worker.close(this.drainMs)));
  }

  private lost(channel: string, kind: LossKind, n: number): void {
    let l = this.losses.get(channel);
    if (!l) this.losses.set(channel, (l = { dropped: 0, failed: 0, lastAt: -Infinity }));
    l[kind] += n;
    if (l.timer) return;
    const wait = Math.max(0, l.lastAt + LOSS_REPORT_MS - Date.now());
    l.timer = setTimeout(() => this.reportLoss(channel), wait);
    l.timer.unref();
  }

  private reportLoss(channel: string): void {
    const l = this.losses.get(channel);
    if (!l || l.dropped + l.failed === 0) return;
    l.timer = undefined;
    l.lastAt = Date.now();
    const { dropped, failed } = l;
    l.dropped = l.failed = 0;
    const alert = internalAlert(
      'Falconet internal: alerts dropped',
      'ERROR',
      `falconet internal: alerts dropped on channel ${channel}: ${dropped + failed} (queue full: ${dropped}, refused by the receiver: ${failed})`,
      { 'falconet.channel': channel, 'falconet.dropped': dropped, 'falconet.failed': failed },
      this.ctx.hostname,
    );
    const r = new Rendered(alert, this.render);
    this.ctx.log.warn({ channel, dropped, failed }, 'alerts lost on a channel');
    for (const c of this.channels) if (c.name !== channel) c.worker.push(c.render(r));
  }
}

interface ChannelSpec {
  name: string;
  sink: Sink;
  render: (r: Rendered) => string;
  limits: { rate?: number; max_burst?: number; dedup_window?: number };
  spool?: { dir: string; maxMb: number };
  reopen?: () => void;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const limitsOf = (o: { rate?: number; max_burst?: number; dedup_window?: number }) => ({ rate: o.rate, max_burst: o.max_burst, dedup_window: o.dedup_window });
const spoolOf = (o: { spool_dir: string; spool_max_mb: number }) => (o.spool_dir ? { dir: o.spool_dir, maxMb: o.spool_max_mb } : undefined);

function buildChannels(s: Settings, ctx: OutputsContext): ChannelSpec[] {
  const line = s.json_output ? (r: Rendered) => r.json : (r: Rendered) => r.text;
  const batch = s.buffered_outputs ? 512 : 1;
  const out: ChannelSpec[] = [];
  if (s.stdout_output.enabled) {
    const stream = (ctx.stdout ?? process.stdout) as NodeJS.WritableStream & import('node:stream').Writable;
    out.push({ name: 'stdout', sink: new StreamSink('stdout', stream, batch), render: line, limits: limitsOf(s.stdout_output) });
  }
  if (s.file_output.enabled) {
    const sink = new FileSink(s.file_output.filename, s.file_output.keep_alive, batch);
    out.push({ name: 'file', sink, render: line, limits: limitsOf(s.file_output), reopen: () => sink.reopen() });
  }
  if (s.syslog_output.enabled) {
    const o = s.syslog_output;
    const address = parseSyslogAddress(o.address);
    if (typeof address === 'string') throw new Error(`syslog_output.address: ${address}`);
    const format = o.format ?? (address.transport === 'unix' ? 'rfc3164' : 'rfc5424');
    const render = (r: Rendered) => {
      const pri = syslogPri(o.facility, r.alert.priority);
      const at = new Date(Number(r.alert.ts / 1_000_000n));
      return format === 'rfc3164' ? rfc3164(pri, o.app_name, line(r), at) : rfc5424(pri, ctx.hostname, o.app_name, 'alert', line(r), at);
    };
    const sink = syslogSink(address, { caCert: o.ca_cert, clientCert: o.client_cert, clientKey: o.client_key, insecure: o.insecure });
    out.push({ name: 'syslog', sink, render, limits: limitsOf(o), spool: address.transport === 'unix' ? undefined : spoolOf(o) });
  }
  if (s.program_output.enabled) {
    const o = s.program_output;
    out.push({ name: 'program', sink: new ProgramSink(o.program, o.keep_alive, o.timeout_ms, ctx.log), render: line, limits: limitsOf(o) });
  }
  if (s.http_output.enabled) {
    const o = s.http_output;
    const format = o.format ?? (s.json_output ? 'json' : 'text');
    const render = format === 'json' ? (r: Rendered) => r.json : format === 'slack' ? (r: Rendered) => r.slack : (r: Rendered) => r.text;
    const sink = new HttpSink(
      {
        url: o.url,
        contentType: format === 'text' ? 'text/plain; charset=utf-8' : 'application/json',
        userAgent: o.user_agent || `falconet/${ctx.version}`,
        headers: o.headers,
        caCert: o.ca_cert,
        caBundle: o.ca_bundle,
        caPath: o.ca_path,
        mtls: o.mtls,
        clientCert: o.client_cert,
        clientKey: o.client_key,
        insecure: o.insecure,
        compress: o.compress_uploads,
        keepAlive: o.keep_alive,
        timeoutMs: o.timeout_ms,
        echo: o.echo,
      },
      ctx.log,
    );
    out.push({ name: 'http', sink, render, limits: limitsOf(o), spool: spoolOf(o) });
  }
  return out;
}
