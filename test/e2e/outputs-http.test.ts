// http_output through `falconet run` on the live host, against a real HTTP(S) receiver: Falco's
// JSON shape as falcosidekick reads it, the text and chat forms, headers, gzip, TLS with a test CA,
// mTLS, and hostile file names that must reach the receiver as valid JSON and one-line text.
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli/cli.js';
import { alertDir, alertsIn, createFiles, stoppedCounts } from './alerting.js';
import { kernelTestsPossible, startLive, until, type LiveCommand } from './env.js';
import { CLIENT_CN, makeTestPki, opensslProblem, type TestPki } from './tls.js';
import { startWebhook, type ReceivedRequest, type Webhook } from './webhook.js';

const why = kernelTestsPossible() ?? opensslProblem();

const PRIORITIES = ['Emergency', 'Alert', 'Critical', 'Error', 'Warning', 'Notice', 'Informational', 'Debug'];

/**
 * What falcosidekick decodes a Falco alert into (types.FalcoPayload): these keys with these
 * types, `time` RFC 3339, `priority` one of Falco's eight names, output_fields a flat object.
 */
function expectFalcoPayload(p: unknown): asserts p is Record<string, unknown> {
  const o = p as Record<string, unknown>;
  expect(Object.keys(o).sort()).toEqual(['hostname', 'output', 'output_fields', 'priority', 'rule', 'source', 'tags', 'time']);
  expect(typeof o.output).toBe('string');
  expect(typeof o.rule).toBe('string');
  expect(PRIORITIES).toContain(o.priority);
  expect(o.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  expect(Number.isNaN(Date.parse(o.time as string))).toBe(false);
  expect(o.source).toBe('syscall');
  expect(Array.isArray(o.tags)).toBe(true);
  expect(typeof o.hostname).toBe('string');
  const fields = o.output_fields as Record<string, unknown>;
  for (const v of Object.values(fields)) expect(['string', 'number', 'boolean', 'object']).toContain(typeof v);
}

async function run(args: string[]): Promise<LiveCommand> {
  return startLive(['run', '--json', '-o', 'http_output.enabled=true', '-o', 'outputs_queue.drain_timeout_ms=2000', ...args]);
}

describe('http_output, live', () => {
  let pki: TestPki;
  beforeAll(() => {
    if (!why) pki = makeTestPki(tempDir());
  });

  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it("posts each alert in Falco's JSON shape, with its headers, hostile names intact and escaped", async () => {
    const hook = await startWebhook();
    const { dir, rules } = alertDir('CRITICAL');
    const hostile = ['plain', 'new\nline', 'esc\u001b[31mred', 'cr\rhere', 'rtl\u202eexe.txt', 'quote"and\\back'];
    const live = await run(['-r', rules, '-o', `http_output.url=${hook.url}falco`, '-o', 'http_output.headers.X-Api-Key=s3cret', '-o', 'http_output.user_agent=falconet-e2e']);
    try {
      createFiles(dir, hostile);
      await hook.waitFor(hostile.length, 10_000);
    } finally {
      await live.stop();
    }
    await hook.close();
    const reqs = hook.requests.filter((r) => r.status === 200);
    expect(reqs).toHaveLength(hostile.length);
    const names: string[] = [];
    for (const r of reqs) {
      expect(r.method).toBe('POST');
      expect(r.url).toBe('/falco');
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['x-api-key']).toBe('s3cret');
      expect(r.headers['user-agent']).toBe('falconet-e2e');
      const p = r.json();
      expectFalcoPayload(p);
      expect(p.rule).toBe('Test file written');
      expect(p.priority).toBe('Critical');
      const name = ((p.output_fields as Record<string, string>)['fd.name'] as string).slice(dir.length + 1);
      names.push(name);
      // The field keeps the real name; the output line has it escaped, on one line.
      expect(p.output as string).not.toMatch(/[\n\r\u001b\u202e]/);
    }
    expect(names).toEqual(hostile);
    const out = (reqs[1]!.json() as { output: string }).output;
    expect(out).toContain(`wrote ${dir}/new\\nline`);
    expect((reqs[2]!.json() as { output: string }).output).toContain('esc\\x1b[31mred');
    expect((reqs[4]!.json() as { output: string }).output).toContain('rtl\\u202eexe.txt');
    // The same alerts went to stdout too, identical.
    expect(alertsIn(live.out.stdout, dir).map((a) => a.output)).toEqual(reqs.map((r) => (r.json() as { output: string }).output));
    expect(stoppedCounts(live.out.stderr).http).toMatchObject({ sent: hostile.length, dropped: 0, failed: 0, unsent: 0 });
  });

  it('sends the alert line as text/plain without json_output, and a Slack message with format slack, gzipped', async () => {
    const text = await startWebhook();
    const chat = await startWebhook();
    const { dir, rules } = alertDir('ERROR');
    const textRun = await startLive(['run', '-r', rules, '-o', 'http_output.enabled=true', '-o', `http_output.url=${text.url}`]);
    const chatRun = await run(['-r', rules, '-o', `http_output.url=${chat.url}`, '-o', 'http_output.format=slack', '-o', 'http_output.compress_uploads=true']).catch(
      async (err: unknown) => {
        await textRun.stop();
        throw err;
      },
    );
    try {
      createFiles(dir, ['one', 'two<!channel>']);
      await text.waitFor(2, 10_000);
      await chat.waitFor(2, 10_000);
    } finally {
      await textRun.stop();
      await chatRun.stop();
    }
    await text.close();
    await chat.close();
    expect(text.requests.map((r) => r.headers['content-type'])).toEqual(['text/plain; charset=utf-8', 'text/plain; charset=utf-8']);
    const lines = textRun.out.stdout.split('\n').filter((l) => l.includes(dir));
    expect(text.requests.map((r) => r.body)).toEqual(lines);
    expect(text.requests[0]!.body).toMatch(/^\d\d:\d\d:\d\d\.\d{9}: Error wrote .*\/one by sh /);

    const c = chat.requests[1]!;
    expect(c.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(c.rawBody).toString()).toBe(c.body);
    const msg = c.json() as { text: string; attachments: { color: string; text: string; fields: { title: string; value: string }[] }[] };
    expect(msg.text).toBe('Error: Test file written');
    expect(msg.attachments[0]!.color).toBe('#e8590c');
    // Slack would read <!channel> as a mention: it must arrive escaped.
    expect(msg.attachments[0]!.text).toContain('two&lt;!channel&gt;');
    expect(msg.attachments[0]!.text).not.toContain('<!channel>');
    const fields = Object.fromEntries(msg.attachments[0]!.fields.map((f) => [f.title, f.value]));
    expect(fields).toMatchObject({ rule: 'Test file written', priority: 'Error', container: 'host' });
    expect(fields.process).toBe('sh');
  });

  describe('over TLS', () => {
    let hook: Webhook;
    let mtlsHook: Webhook;
    beforeAll(async () => {
      if (why) return;
      hook = await startWebhook({ tls: { cert: pki.serverCert, key: pki.serverKey } });
      mtlsHook = await startWebhook({ tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert, requestCert: true } });
    });
    afterAll(async () => {
      await hook?.close();
      await mtlsHook?.close();
    });

    async function deliverOnce(h: Webhook, args: string[], expectDelivered: boolean): Promise<{ reqs: ReceivedRequest[]; stderr: string }> {
      const { dir, rules } = alertDir();
      const before = h.requests.length;
      const live = await run(['-r', rules, '-o', `http_output.url=${h.url}`, '-o', 'outputs_queue.drain_timeout_ms=300', ...args]);
      try {
        createFiles(dir, ['tls']);
        if (expectDelivered) await until(() => h.requests.slice(before).some((r) => r.status === 200), 10_000);
        else await until(() => /alert delivery failed/.test(live.out.stderr), 10_000);
      } finally {
        await live.stop();
      }
      return { reqs: h.requests.slice(before), stderr: live.out.stderr };
    }

    it('verifies the receiver with ca_cert, refuses an unknown CA, and skips the check only with insecure', async () => {
      const ok = await deliverOnce(hook, ['-o', `http_output.ca_cert=${pki.caCert}`], true);
      expect(ok.reqs.filter((r) => r.status === 200)).toHaveLength(1);

      const wrongCa = await deliverOnce(hook, ['-o', `http_output.ca_cert=${pki.otherCaCert}`], false);
      expect(wrongCa.reqs).toHaveLength(0);
      expect(wrongCa.stderr).toMatch(/"err":"[^"]*(UNABLE_TO_VERIFY|certificate)[^"]*".*"msg":"alert delivery failed; retrying"/);
      expect(stoppedCounts(wrongCa.stderr).http).toMatchObject({ sent: 0, unsent: 1 });

      const insecure = await deliverOnce(hook, ['-o', 'http_output.insecure=true'], true);
      expect(insecure.reqs.filter((r) => r.status === 200)).toHaveLength(1);
    });

    it('presents the client certificate with mtls, and is refused without it', async () => {
      const ok = await deliverOnce(
        mtlsHook,
        ['-o', `http_output.ca_cert=${pki.caCert}`, '-o', 'http_output.mtls=true', '-o', `http_output.client_cert=${pki.clientCert}`, '-o', `http_output.client_key=${pki.clientKey}`],
        true,
      );
      expect(ok.reqs.find((r) => r.status === 200)?.clientCertCN).toBe(CLIENT_CN);

      const without = await deliverOnce(mtlsHook, ['-o', `http_output.ca_cert=${pki.caCert}`], false);
      expect(without.reqs.filter((r) => r.status === 200)).toHaveLength(0);
      expect(stoppedCounts(without.stderr).http).toMatchObject({ sent: 0, unsent: 1 });
    });

    it('says which setting names a file it cannot read, and does not start', async () => {
      const { rules } = alertDir();
      const missing = join(tempDir(), 'no-such-ca.pem');
      await expect(run(['-r', rules, '-o', `http_output.url=${hook.url}`, '-o', `http_output.ca_cert=${missing}`])).rejects.toThrow(
        new RegExp(`http_output.ca_cert: cannot read ${missing}`),
      );
    });
  });
});
