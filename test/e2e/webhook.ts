// A real HTTP/HTTPS receiver for the webhook-delivery e2e tests: it records every request (body
// gunzipped when the sender compressed it) and answers what the test's `respond` says: 500 then
// 200, 429 with Retry-After, 400, or nothing at all (a promise that never settles, for timeouts).
// down() makes the port refuse connections while keeping its number, so a test can take the
// receiver away under a sender and bring it back with up().
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { gunzipSync } from 'node:zlib';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The body as text, gunzipped when Content-Encoding is gzip. */
  body: string;
  /** The body as it came over the wire (still compressed, if it was). */
  rawBody: Buffer;
  /** JSON.parse(body); throws when it is not JSON. */
  json(): unknown;
  /** Date.now() when its headers arrived. */
  at: number;
  /** The CN of the client certificate, when the server asked for one and it was valid. */
  clientCertCN?: string;
  /** The status answered; undefined while `respond` has not answered (or never will). */
  status?: number;
}

export interface WebhookAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface WebhookOptions {
  /** The port to listen on; a free one when missing. */
  port?: number;
  /** HTTPS. cert, key and ca are PEM text or paths to PEM files (as makeTestPki returns them). */
  tls?: { cert: string; key: string; ca?: string; requestCert?: boolean };
  /**
   * The answer to the n-th request (from 1); 200 with an empty body when missing, 500 when it throws.
   * A body that says gzip and is not is answered 400 without asking it.
   */
  respond?: (req: ReceivedRequest, n: number) => WebhookAnswer | Promise<WebhookAnswer>;
}

export interface Webhook {
  /** http(s)://127.0.0.1:PORT/ */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order, whatever it was answered. */
  readonly requests: ReceivedRequest[];
  /** Stops listening and destroys every open connection (hanging ones too); the port is kept. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
  /** Resolves once n requests were answered 2xx; rejects, saying what came, after ms. */
  waitFor(n: number, ms: number): Promise<void>;
}

/** A port nothing on 127.0.0.1 holds right now (TCP by default). */
export function freePort(proto: 'tcp' | 'udp' = 'tcp'): Promise<number> {
  return new Promise((resolve, reject) => {
    if (proto === 'udp') {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind(0, '127.0.0.1', () => {
        const { port } = s.address();
        s.close(() => resolve(port));
      });
      return;
    }
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error(`no port: ${String(addr)}`))));
    });
  });
}

const pemOf = (s: string) => (s.includes('-----BEGIN') || !existsSync(s) ? s : readFileSync(s, 'utf8'));
/** The body as text: gunzipped when Content-Encoding says gzip, else as sent. */
function decode(raw: Buffer, encoding: string | undefined): { body: string; error?: string } {
  if (!/\bgzip\b/i.test(encoding ?? '')) return { body: raw.toString('utf8') };
  try {
    return { body: gunzipSync(raw).toString('utf8') };
  } catch (err) {
    return { body: '', error: `Content-Encoding: gzip, but the body is not: ${(err as Error).message}` };
  }
}

const is2xx = (r: ReceivedRequest) => r.status !== undefined && r.status >= 200 && r.status < 300;

export async function startWebhook(opts: WebhookOptions = {}): Promise<Webhook> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const answered = new Set<() => void>();
  const respond = opts.respond ?? (() => ({ status: 200 }));
  const tls = opts.tls;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const { body, error } = decode(rawBody, req.headers['content-encoding']);
    const cn = tls?.requestCert ? (req.socket as TLSSocket).getPeerCertificate().subject?.CN : undefined;
    const r: ReceivedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body,
      rawBody,
      json: () => JSON.parse(body) as unknown,
      at,
      clientCertCN: Array.isArray(cn) ? cn.join(', ') : cn,
    };
    requests.push(r);
    const answer = error ? { status: 400, body: error } : await answerTo(r, requests.length);
    if (res.writableEnded || req.socket.destroyed) return; // down() came first
    res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
    r.status = answer.status;
    for (const notify of answered) notify();
  };
  const answerTo = async (r: ReceivedRequest, n: number): Promise<WebhookAnswer> => {
    try {
      return await respond(r, n);
    } catch (err) {
      return { status: 500, body: `respond threw: ${(err as Error).message}` };
    }
  };

  // A request the client or down() cut short is not recorded.
  const onRequest = (req: IncomingMessage, res: ServerResponse) => void handle(req, res).catch(() => undefined);
  const server: Server = tls
    ? createHttpsServer(
        { cert: pemOf(tls.cert), key: pemOf(tls.key), ca: tls.ca ? pemOf(tls.ca) : undefined, requestCert: !!tls.requestCert, rejectUnauthorized: !!tls.requestCert },
        onRequest,
      )
    : createHttpServer(onRequest);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });

  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => reject(new Error(`webhook: cannot listen on 127.0.0.1:${port}: ${err.message}`));
      server.once('error', fail);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', fail);
        resolve();
      });
    });
  const down = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

  await listen(opts.port ?? 0);
  const addr = server.address();
  if (!addr || typeof addr !== 'object') throw new Error(`webhook: no address: ${String(addr)}`);
  const port = addr.port;

  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/`,
    port,
    requests,
    down,
    up: () => (server.listening ? Promise.resolve() : listen(port)),
    close: down,
    waitFor: (n, ms) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (requests.filter(is2xx).length < n) return;
          clearTimeout(timer);
          answered.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          answered.delete(check);
          const seen = requests.map((r) => r.status ?? 'unanswered').join(', ') || 'none';
          reject(new Error(`webhook: ${requests.filter(is2xx).length} of ${n} requests answered 2xx within ${ms} ms (received: ${seen})`));
        }, ms);
        answered.add(check);
        check();
      }),
  };
}
