// The DNS name fields end to end without the network: names collected from real rule files, a cache
// fed by a resolver table, and compiled conditions reading it through the engine's field registry.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { context, event, tcpFd } from '../../engine/fields/fixtures.js';
import { fieldRegistry } from '../../engine/fields/index.js';
import { compileCondition, createCompileCache } from '../../rules/compiler/index.js';
import { parseCondition } from '../../rules/grammar/index.js';
import { loadRules } from '../../rules/loader.js';
import { DnsNameCache, type Resolve } from './cache.js';
import { hostsFileNames } from './index.js';
import { dnsNamesOf } from './names.js';

const COMPAT = fileURLToPath(new URL('../../../../shared/compat/', import.meta.url));

function logSink(): { warns: string[]; infos: string[]; log: { warn(o: object, m: string): void; info(o: object, m: string): void } } {
  const warns: string[] = [];
  const infos: string[] = [];
  return { warns, infos, log: { warn: (o, m) => warns.push(`${JSON.stringify(o)} ${m}`), info: (o, m) => infos.push(`${JSON.stringify(o)} ${m}`) } };
}

describe('dnsNamesOf', () => {
  it.each([
    ['fd.sip.name = localhost', ['localhost']],
    ['fd.sip.name in (a.example, b.example) or fd.cip.name = c.example', ['a.example', 'b.example', 'c.example']],
    ['not fd.rip.name != d.example and fd.lip.name == e.example', ['d.example', 'e.example']],
    ['fd.sip.name contains example', []],
    ['proc.name = localhost', []],
    ['fd.sip.name = val(proc.name)', []],
  ])('%s', (cond, names) => {
    expect(dnsNamesOf([parseCondition(cond)])).toEqual(names);
  });

  it("collects Falco's k8s_api_server name from its stable rules, through the macro", () => {
    const text = readFileSync(`${COMPAT}falco_rules.yaml`, 'utf8');
    const r = loadRules([{ name: 'falco_rules.yaml', text }], { fields: fieldRegistry });
    const rule = r.rules.find((x) => x.name === 'Contact K8S API Server From Container');
    expect(rule).toBeDefined();
    expect(dnsNamesOf([rule!.condition])).toEqual(['kubernetes.default.svc.cluster.local']);
    expect(dnsNamesOf(r.rules.map((x) => x.condition))).toEqual(['kubernetes.default.svc.cluster.local']);
  });
});

describe('DnsNameCache', () => {
  const table: Record<string, string[]> = { 'api.example': ['10.0.0.1', 'fd00::1'], 'www.example': ['10.0.0.1'], 'db.example': ['10.0.0.9'] };
  const resolveFrom =
    (t: Record<string, string[] | undefined>): Resolve =>
    (name) => {
      const a = t[name];
      return a ? Promise.resolve(a) : Promise.reject(new Error(`ENOTFOUND ${name}`));
    };

  it('maps every resolved address to the names that hold it, in rule order', async () => {
    const s = logSink();
    const c = new DnsNameCache({ resolve: resolveFrom(table), log: s.log, refreshMs: 1000 });
    c.setNames(['www.example', 'api.example', '127.0.0.2']);
    expect(c.namesOf('10.0.0.1')).toBeUndefined(); // nothing before the first round is in
    await c.refresh();
    expect(c.namesOf('10.0.0.1')).toEqual(['www.example', 'api.example']);
    expect(c.namesOf('fd00::1')).toEqual(['api.example']);
    expect(c.namesOf('127.0.0.2')).toEqual(['127.0.0.2']);
    expect(c.namesOf('::ffff:10.0.0.1')).toEqual(['www.example', 'api.example']);
    expect(c.namesOf('10.0.0.9')).toBeUndefined();
    expect(s.warns).toEqual([]);
  });

  it('warns once about a name that does not resolve, retries it, keeps last good addresses', async () => {
    const s = logSink();
    const t: Record<string, string[] | undefined> = { 'db.example': undefined };
    const c = new DnsNameCache({ resolve: resolveFrom(t), log: s.log, refreshMs: 1000 });
    c.setNames(['db.example']);
    await c.refresh();
    await c.refresh();
    expect(s.warns).toHaveLength(1);
    expect(s.warns[0]).toMatch(/db\.example.*does not resolve; retrying/);
    t['db.example'] = ['10.0.0.9'];
    await c.refresh();
    expect(c.namesOf('10.0.0.9')).toEqual(['db.example']);
    expect(s.infos.join()).toMatch(/resolves now/);
    t['db.example'] = undefined; // a failing refresh keeps what the last good one found
    await c.refresh();
    expect(c.namesOf('10.0.0.9')).toEqual(['db.example']);
  });

  it('forgets names a reload dropped, and never looks up names the offline filter refuses', async () => {
    const s = logSink();
    const asked: string[] = [];
    const c = new DnsNameCache({ resolve: (n) => (asked.push(n), resolveFrom(table)(n)), log: s.log, refreshMs: 1000, allow: (n) => n !== 'api.example' });
    c.setNames(['db.example', 'api.example']);
    await c.refresh();
    expect(asked).not.toContain('api.example');
    expect(s.warns.join()).toMatch(/may not look up/);
    c.setNames(['www.example']);
    await c.refresh();
    expect(c.namesOf('10.0.0.9')).toBeUndefined();
    expect(c.namesOf('10.0.0.1')).toEqual(['www.example']);
  });

  it('answers compiled conditions and outputs through the fd.*.name fields', async () => {
    const c = new DnsNameCache({ resolve: resolveFrom(table), log: logSink().log, refreshMs: 1000 });
    c.setNames(['www.example', 'api.example']);
    await c.refresh();
    const ctx = { ...context(), dnsNames: (ip: string) => c.namesOf(ip) };
    const evt = event({ type: 'connect', fd: tcpFd({ sip: '10.0.0.1', cip: '10.0.0.5' }) });
    const holds = (cond: string): boolean => {
      const r = compileCondition(parseCondition(cond), fieldRegistry, createCompileCache());
      if (!r.ok) throw new Error(cond);
      return r.predicate(evt, ctx);
    };
    expect(holds('fd.sip.name = api.example')).toBe(true); // a second name holding the IP still matches
    expect(holds('fd.sip.name in (db.example, www.example)')).toBe(true);
    expect(holds('fd.rip.name = www.example')).toBe(true); // the client's remote end is the server
    expect(holds('fd.sip.name = db.example')).toBe(false);
    expect(holds('fd.cip.name = www.example')).toBe(false);
    const out = fieldRegistry.bind('fd.sip.name', undefined);
    expect(typeof out === 'string' ? out : out.extract(evt, ctx)).toBe('www.example');
    const lip = fieldRegistry.bind('fd.lip.name', undefined);
    expect(typeof lip === 'string' ? lip : lip.extract(evt, ctx)).toBeUndefined();
  });
});

describe('hostsFileNames', () => {
  it('reads every name after the address, ignoring comments', () => {
    expect([...hostsFileNames('# c\n127.0.0.1 localhost Box # x\n::1 ip6-localhost\n\n')]).toEqual(['localhost', 'box', 'ip6-localhost']);
  });
});
