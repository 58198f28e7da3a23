// http_output: each alert POSTed to a webhook with undici (Node's own HTTP client, used directly for
// what the global fetch cannot take: a per-channel TLS agent with a CA, client certificates for
// mTLS and keep-alive control). 2xx is delivered; 408, 429 (with its Retry-After) and 5xx, a
// refused or dropped connection and a timeout are tried again; any other status is final for
// that alert, logged with the status.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Agent, request } from 'undici';
import { DeliveryError, transient, type Sink } from '../sink.js';
import type { OutputLog } from '../worker.js';

export interface HttpSinkOptions {
  url: string;
  contentType: string;
  userAgent: string;
  headers: Record<string, string>;
  caCert: string;
  caBundle: string;
  caPath: string;
  mtls: boolean;
  clientCert: string;
  clientKey: string;
  insecure: boolean;
  compress: boolean;
  keepAlive: boolean;
  timeoutMs: number;
  echo: boolean;
}

export class HttpSink implements Sink {
  readonly name = 'http';
  readonly batch = 1;
  private readonly agent: Agent;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly o: HttpSinkOptions,
    private readonly log: OutputLog,
  ) {
    const ca = readCas(o);
    this.agent = new Agent({
      connect: {
        ca,
        cert: o.mtls ? readSetting('http_output.client_cert', o.clientCert) : undefined,
        key: o.mtls ? readSetting('http_output.client_key', o.clientKey) : undefined,
        rejectUnauthorized: !o.insecure,
        timeout: o.timeoutMs,
      },
      // pipelining 0 closes the connection after each request (Falco's keep_alive: false).
      pipelining: o.keepAlive ? 1 : 0,
      headersTimeout: o.timeoutMs,
      bodyTimeout: o.timeoutMs,
    });
    this.headers = { ...o.headers, 'content-type': o.contentType, 'user-agent': o.userAgent };
    if (o.compress) this.headers['content-encoding'] = 'gzip';
  }

  async deliver(payloads: readonly string[], signal: AbortSignal): Promise<void> {
    const body = this.o.compress ? gzipSync(payloads[0]!) : payloads[0]!;
    let res;
    try {
      res = await request(this.o.url, {
        method: 'POST',
        headers: this.headers,
        body,
        dispatcher: this.agent,
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.o.timeoutMs)]),
      });
    } catch (err) {
      throw transient(err, `http ${this.o.url}`);
    }
    const text = await res.body.text().catch(() => '');
    if (this.o.echo) this.log.info({ channel: 'http', status: res.statusCode, body: text.slice(0, 2000) }, 'http_output answer');
    const status = res.statusCode;
    if (status >= 200 && status < 300) return;
    const what = `http ${this.o.url}: HTTP ${status}${text ? `: ${text.slice(0, 200).replace(/\s+/g, ' ')}` : ''}`;
    if (status === 408 || status === 429 || status >= 500) throw new DeliveryError(what, false, retryAfter(res.headers['retry-after']));
    throw new DeliveryError(what, true);
  }

  async close(): Promise<void> {
    await this.agent.close().catch(() => {});
  }
}

/** Retry-After: seconds, or an HTTP date. */
function retryAfter(h: string | string[] | undefined): number | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function readSetting(setting: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${setting}: cannot read ${path}: ${(err as Error).message}`);
  }
}

/** The CAs to trust: ca_cert, ca_bundle and the files of ca_path; none set means the system's. */
function readCas(o: HttpSinkOptions): Buffer[] | undefined {
  const cas: Buffer[] = [];
  if (o.caCert) cas.push(readSetting('http_output.ca_cert', o.caCert));
  if (o.caBundle) cas.push(readSetting('http_output.ca_bundle', o.caBundle));
  if (o.caPath && isDir(o.caPath)) {
    for (const f of readdirSync(o.caPath).sort()) {
      if (/\.(pem|crt)$/.test(f)) cas.push(readSetting('http_output.ca_path', join(o.caPath, f)));
    }
  }
  return cas.length ? cas : undefined;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
