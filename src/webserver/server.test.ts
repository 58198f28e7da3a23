import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Health } from './health.js';
import { ListenError, startWebserver, type Webserver, type WebserverOptions } from './server.js';

const open: Webserver[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function start(over: Partial<WebserverOptions> = {}, health: Health = { status: 200, reason: 'ok' }) {
  const s = await startWebserver(
    { listenAddress: '127.0.0.1', listenPort: 0, metricsEnabled: true, ...over },
    { health: () => health, metrics: async () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'falconet_x_total 1\n' }) },
  );
  open.push(s);
  return { s, url: (path: string) => `http://127.0.0.1:${s.port}${path}` };
}

describe('startWebserver', () => {
  it('binds loopback on a free port for port 0 and serves both routes', async () => {
    const { s, url } = await start();
    expect(s.address).toBe('127.0.0.1');
    expect(s.port).toBeGreaterThan(0);
    const h = await fetch(url('/healthz'));
    expect([h.status, await h.text()]).toEqual([200, 'ok\n']);
    const m = await fetch(url('/metrics'));
    expect(m.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await m.text()).toBe('falconet_x_total 1\n');
  });

  it('answers 503 with the reason as plain text', async () => {
    const { url } = await start({}, { status: 503, reason: 'probe not attached yet' });
    const h = await fetch(url('/healthz'));
    expect([h.status, h.headers.get('content-type'), await h.text()]).toEqual([503, 'text/plain; charset=utf-8', 'probe not attached yet\n']);
  });

  it('404s other paths and /metrics when metrics are off, 405s other methods', async () => {
    const { url } = await start({ metricsEnabled: false });
    expect((await fetch(url('/'))).status).toBe(404);
    const m = await fetch(url('/metrics'));
    expect([m.status, await m.text()]).toEqual([404, 'metrics are off (webserver.prometheus_metrics_enabled)\n']);
    const p = await fetch(url('/healthz'), { method: 'POST' });
    expect([p.status, p.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect((await fetch(url('/healthz?verbose=1'))).status).toBe(200);
  });

  it('names webserver.listen_port when the port is in use', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const err = await startWebserver({ listenAddress: '127.0.0.1', listenPort: port, metricsEnabled: true }, { health: () => ({ status: 200, reason: 'ok' }), metrics: async () => ({ contentType: '', body: '' }) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ListenError);
      expect((err as Error).message).toBe(
        `webserver.listen_port: 127.0.0.1:${port} is already in use; choose another port (-o webserver.listen_port=N) or turn the webserver off (-o webserver.enabled=false)`,
      );
    } finally {
      taken.close();
    }
  });

  it('names webserver.listen_address when the address is not this host', async () => {
    // 192.0.2.0/24 is TEST-NET-1: never an address of this host, and nothing is sent to it.
    const err = await startWebserver({ listenAddress: '192.0.2.1', listenPort: 0, metricsEnabled: true }, { health: () => ({ status: 200, reason: 'ok' }), metrics: async () => ({ contentType: '', body: '' }) }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('webserver.listen_address: 192.0.2.1 is not an address of this host');
  });
});
