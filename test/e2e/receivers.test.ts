// The alert-delivery receivers (rsyslog.ts, tls.ts, webhook.ts) against real clients, so a delivery
// test that fails points at the sender, not at its receiver: util-linux logger into a private
// rsyslogd over the unix socket, UDP and octet-counted TCP, before and after a restart; fetch and
// node:https into the webhook receiver, over TLS with the test CA, with and without a client
// certificate, gzipped, hanging, and taken down and brought back on its port.
import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli/cli.js';
import { until } from './env.js';
import { rsyslogEscapes, rsyslogProblem, useRsyslog, type SyslogRecord } from './rsyslog.js';
import { CLIENT_CN, makeTestPki, opensslProblem, type TestPki } from './tls.js';
import { startWebhook, type Webhook } from './webhook.js';

const why = rsyslogProblem() ?? opensslProblem();

let nonce = 0;
/** A message no other test sends. */
const unique = (what: string) => `${what} ${process.pid}-${++nonce}`;

function logger(...args: string[]): void {
  execFileSync('logger', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

describe('syslog receiver (private rsyslogd)', () => {
  const rs = useRsyslog(why);

  /** The one record whose msg holds `text`, once it is in the file. */
  async function received(text: string): Promise<SyslogRecord> {
    const find = () => rs().records().filter((r) => r.msg.includes(text));
    await until(() => find().length > 0, 5_000);
    const found = find();
    expect(found, `${JSON.stringify(text)} in ${rs().logFile}`).toHaveLength(1);
    return found[0]!;
  }

  it('parses RFC 3164 from the unix socket: facility, severity, tag, msg', async () => {
    const text = unique('over the unix socket');
    logger('-u', rs().socketPath, '-t', 'tagname', '-p', 'local3.warning', text);
    const r = await received(text);
    expect(r).toMatchObject({ facility: 'local3', severity: 'warning', app: 'tagname', msg: text });
    // logger's local format, no hostname: <PRI = 19*8+4>Mmm dd hh:mm:ss tag: msg
    expect(r.raw).toMatch(new RegExp(`^<156>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d tagname: ${text}$`));
  });

  it('parses RFC 5424 from the unix socket too', async () => {
    const text = unique('5424 on the unix socket');
    logger('-u', rs().socketPath, '--rfc5424', '-t', 'app5424', '-p', 'auth.crit', text);
    const r = await received(text);
    expect(r).toMatchObject({ facility: 'auth', severity: 'crit', app: 'app5424', msg: text });
    expect(r.raw).toMatch(/^<34>1 \d{4}-\d\d-\d\dT/);
  });

  it('parses RFC 5424 over UDP', async () => {
    const text = unique('over udp');
    logger('-n', '127.0.0.1', '-P', String(rs().udpPort), '-d', '--rfc5424', '-t', 'udpapp', '-p', 'user.notice', text);
    const r = await received(text);
    expect(r).toMatchObject({ facility: 'user', severity: 'notice', app: 'udpapp', msg: text });
    expect(r.raw).toMatch(new RegExp(`^<13>1 \\S+ \\S+ udpapp - - .*${text}$`));
  });

  it('takes octet-counted RFC 5424 over TCP, an LF inside a message included', async () => {
    const text = unique('over tcp');
    logger('-n', '127.0.0.1', '-P', String(rs().tcpPort), '-T', '--octet-count', '--rfc5424', '-t', 'tcpapp', '-p', 'daemon.err', `${text}\nsecond line`);
    const r = await received(text);
    // LF framing would have made two records of it; octet counting keeps one, the LF escaped
    expect(r).toMatchObject({ facility: 'daemon', severity: 'err', app: 'tcpapp', msg: `${text}#012second line` });
    expect(rsyslogEscapes(r.raw)).toEqual(['#012']);
  });

  it('keeps a 20 KiB octet-counted message whole, and the frame after it (BOM kept) on the same connection', async () => {
    const text = unique('long one é');
    const long = `${text} ${'y'.repeat(20_000)}`;
    const next = unique('the next frame');
    const frame = (m: string) => `${Buffer.byteLength(m)} ${m}`; // RFC 6587: the count is in bytes
    const wire = frame(`<134>1 2024-01-02T03:04:05.000Z host bigapp 42 - - ${long}`) + frame(`<134>1 - - bigapp - - - \ufeff${next}`);
    await new Promise<void>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: rs().tcpPort }, () => s.end(wire, resolve));
      s.once('error', reject);
    });
    expect(await received(text)).toMatchObject({ facility: 'local0', severity: 'info', app: 'bigapp', msg: long });
    expect(await received(next)).toMatchObject({ app: 'bigapp', msg: `\ufeff${next}` });
  });

  it('shows a control byte the sender let through as rsyslog escaped it', async () => {
    const text = unique('raw escape');
    logger('-u', rs().socketPath, '-t', 'esc', `${text} \x1b[31mred`);
    const r = await received(text);
    expect(r.msg).toBe(`${text} #033[31mred`);
    expect(rsyslogEscapes(r.raw)).toEqual(['#033']);
    expect(r.raw).not.toMatch(/[\x00-\x1f]/);
  });

  it('keeps every one of repeated messages', async () => {
    const text = unique('repeated');
    for (let i = 0; i < 5; i++) logger('-u', rs().socketPath, '-t', 'rep', text);
    await until(() => rs().records().filter((r) => r.msg === text).length >= 5, 5_000);
    expect(rs().records().filter((r) => r.msg === text)).toHaveLength(5);
  });

  it('restarts on the same socket and ports', async () => {
    const before = rs().pid;
    const { socketPath, udpPort, tcpPort } = rs();
    await rs().restart();
    expect(rs().pid).not.toBe(before);
    expect(rs()).toMatchObject({ socketPath, udpPort, tcpPort });
    const [a, b, c] = [unique('after restart, unix'), unique('after restart, udp'), unique('after restart, tcp')];
    logger('-u', socketPath, '-t', 'again', a);
    logger('-n', '127.0.0.1', '-P', String(udpPort), '-d', '--rfc5424', '-t', 'again', b);
    logger('-n', '127.0.0.1', '-P', String(tcpPort), '-T', '--octet-count', '--rfc5424', '-t', 'again', c);
    for (const text of [a, b, c]) expect(await received(text)).toMatchObject({ app: 'again', msg: text });
  });
});

interface HttpsAnswer {
  status: number;
  body: string;
}

function httpsPost(url: string, body: string, tls: RequestOptions): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ...tls, method: 'POST', headers: { 'content-type': 'application/json' }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The error code of a fetch or https call that must fail (undici hides it in `cause`). */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as { code?: unknown; cause?: { code?: string }; name?: string };
    return e.cause?.code ?? (typeof e.code === 'string' ? e.code : e.name) ?? String(err); // a DOMException's code is a number
  }
  throw new Error('it did not fail');
}

describe('webhook receiver', () => {
  let pki: TestPki | undefined;
  const hooks: Webhook[] = [];
  const hook = async (...args: Parameters<typeof startWebhook>) => {
    const h = await startWebhook(...args);
    hooks.push(h);
    return h;
  };

  beforeAll(() => {
    if (why) return;
    pki = makeTestPki(tempDir());
  });

  afterAll(async () => {
    await Promise.all(hooks.map((h) => h.close()));
  });

  it('is possible here', () => {
    expect(why, why).toBeUndefined();
    expect(pki, 'no test PKI').toBeDefined();
  });

  it('records a plain POST and answers what respond says, in order', async () => {
    const h = await hook({ respond: (_req, n) => (n === 1 ? { status: 500 } : n === 2 ? { status: 429, headers: { 'retry-after': '7' } } : { status: 200, body: 'ok' }) });
    expect(h.url).toBe(`http://127.0.0.1:${h.port}/`);
    const post = (i: number) => fetch(`${h.url}alerts?i=${i}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rule: 'r', i }) });
    const first = await post(1);
    const second = await post(2);
    const third = await post(3);
    expect([first.status, second.status, second.headers.get('retry-after'), third.status, await third.text()]).toEqual([500, 429, '7', 200, 'ok']);
    await h.waitFor(1, 1_000);
    expect(h.requests.map((r) => [r.method, r.url, r.status, r.json()])).toEqual([
      ['POST', '/alerts?i=1', 500, { rule: 'r', i: 1 }],
      ['POST', '/alerts?i=2', 429, { rule: 'r', i: 2 }],
      ['POST', '/alerts?i=3', 200, { rule: 'r', i: 3 }],
    ]);
    expect(h.requests[0]!.headers['content-type']).toBe('application/json');
    expect(h.requests[2]!.at).toBeGreaterThanOrEqual(h.requests[0]!.at);
    await expect(h.waitFor(2, 200)).rejects.toThrow('1 of 2 requests answered 2xx within 200 ms (received: 500, 429, 200)');
  });

  it('gunzips a gzipped body', async () => {
    const h = await hook();
    const json = JSON.stringify({ output: 'x'.repeat(2000) });
    const gz = gzipSync(json);
    const res = await fetch(h.url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gz });
    expect(res.status).toBe(200);
    const [r] = h.requests;
    expect(r!.body).toBe(json);
    expect(r!.rawBody.equals(gz)).toBe(true);
    expect(r!.rawBody.length).toBeLessThan(100);
  });

  it('serves https with the test CA, and a client trusting another CA refuses it', async () => {
    const h = await hook({ tls: { cert: pki!.serverCert, key: pki!.serverKey } });
    expect(h.url).toBe(`https://127.0.0.1:${h.port}/`);
    expect(await httpsPost(h.url, '{"a":1}', { ca: pki!.pem(pki!.caCert) })).toEqual({ status: 200, body: '' });
    expect(await httpsPost(`https://localhost:${h.port}/`, '{"a":2}', { ca: pki!.pem(pki!.caCert) })).toEqual({ status: 200, body: '' });
    expect(await failure(httpsPost(h.url, '{"a":3}', { ca: pki!.pem(pki!.otherCaCert) }))).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(h.requests.map((r) => r.json())).toEqual([{ a: 1 }, { a: 2 }]);
    expect(h.requests[0]!.clientCertCN).toBeUndefined();
  });

  it('with requestCert, takes a client with the test client certificate and refuses one without', async () => {
    const h = await hook({ tls: { cert: pki!.serverCert, key: pki!.serverKey, ca: pki!.caCert, requestCert: true } });
    const ca = pki!.pem(pki!.caCert);
    expect(await httpsPost(h.url, '{"mtls":true}', { ca, cert: pki!.pem(pki!.clientCert), key: pki!.pem(pki!.clientKey) })).toMatchObject({ status: 200 });
    expect(h.requests.map((r) => [r.clientCertCN, r.json()])).toEqual([[CLIENT_CN, { mtls: true }]]);
    const refused = await failure(httpsPost(h.url, '{"mtls":false}', { ca }));
    expect(refused).toMatch(/^(ECONNRESET|ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|EPIPE)$/);
    expect(h.requests).toHaveLength(1);
  });

  it('refuses connections while down and answers again on the same port once up', async () => {
    const h = await hook();
    expect((await fetch(h.url, { method: 'POST', body: 'one' })).status).toBe(200);
    await h.down();
    expect(await failure(fetch(h.url, { method: 'POST', body: 'two' }))).toBe('ECONNREFUSED');
    await h.up();
    expect((await fetch(h.url, { method: 'POST', body: 'three' })).status).toBe(200);
    expect(h.requests.map((r) => [r.body, r.status])).toEqual([
      ['one', 200],
      ['three', 200],
    ]);
  });

  it('can hang without answering, and still goes down at once', async () => {
    const h = await hook({ respond: () => new Promise<never>(() => {}) });
    const hung = failure(fetch(h.url, { method: 'POST', body: 'hang', signal: AbortSignal.timeout(300) }));
    expect(await hung).toBe('TimeoutError');
    const pending = fetch(h.url, { method: 'POST', body: 'cut' });
    await until(() => h.requests.length === 2, 2_000);
    const started = Date.now();
    await h.down();
    expect(Date.now() - started).toBeLessThan(500);
    expect(await failure(pending)).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
    expect(h.requests.map((r) => [r.body, r.status])).toEqual([
      ['hang', undefined],
      ['cut', undefined],
    ]);
  });
});
