// The HTTP server of /healthz and /metrics (Falco's webserver), on node:http: two read-only routes do
// not need a framework. It binds 127.0.0.1 by default, where Falco binds 0.0.0.0: the endpoints are
// unauthenticated and /metrics tells which rules exist and fire, so exposing them on every interface
// is the operator's choice (webserver.listen_address), not a default.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Health } from './health.js';

export interface WebserverOptions {
  /** webserver.listen_address */
  listenAddress: string;
  /** webserver.listen_port; 0: any free port (see Webserver.port). */
  listenPort: number;
  /** webserver.prometheus_metrics_enabled: false answers /metrics with 404. */
  metricsEnabled: boolean;
}

export interface WebserverRoutes {
  health(): Health;
  metrics(): Promise<{ contentType: string; body: string }>;
}

/** The server could not listen; the message names the setting to change. */
export class ListenError extends Error {}

export interface Webserver {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

function listenError(err: NodeJS.ErrnoException, o: WebserverOptions): ListenError {
  const where = `${o.listenAddress}:${o.listenPort}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new ListenError(`webserver.listen_port: ${where} is already in use; choose another port (-o webserver.listen_port=N) or turn the webserver off (-o webserver.enabled=false)`);
    case 'EACCES':
      return new ListenError(`webserver.listen_port: cannot listen on ${where}: permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ListenError(`webserver.listen_address: ${o.listenAddress} is not an address of this host`);
    default:
      return new ListenError(`webserver: cannot listen on ${where}: ${err.message}`);
  }
}

function answer(res: http.ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function handler(o: WebserverOptions, routes: WebserverRoutes): http.RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/healthz' && path !== '/metrics') return answer(res, 404, 'not found: falconet serves /healthz and /metrics\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return answer(res, 405, 'method not allowed\n');
    }
    if (path === '/healthz') {
      const h = routes.health();
      return answer(res, h.status, `${h.reason}\n`);
    }
    if (!o.metricsEnabled) return answer(res, 404, 'metrics are off (webserver.prometheus_metrics_enabled)\n');
    routes.metrics().then(
      (m) => answer(res, 200, m.body, m.contentType),
      (err: unknown) => answer(res, 500, `metrics failed: ${(err as Error).message}\n`),
    );
  };
}

/** Listens; rejects with a ListenError naming the setting when it cannot. */
export function startWebserver(o: WebserverOptions, routes: WebserverRoutes): Promise<Webserver> {
  const server = http.createServer(handler(o, routes));
  // A scraper that keeps its connection open must not hold up the shutdown.
  server.keepAliveTimeout = 5_000;
  // Nor may the server itself keep the process alive once the monitor is done.
  server.unref();
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, o)));
    server.listen(o.listenPort, o.listenAddress, () => {
      const a = server.address() as AddressInfo;
      resolve({
        address: a.address,
        port: a.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
