// fd.sip.name and friends filled live by `falconet run`: the names a rule compares them with are
// resolved through the system resolver (offline here: /etc/hosts only, see FALCONET_DNS_HOSTS_ONLY in
// env.ts), and a connect matches the name whose addresses hold its server IP. Two loopback listeners,
// on 127.0.0.1 (localhost's address) and 127.0.0.2 (no name's but its own); a tagged python3 (a
// symlink named after this worker, so proc.name tells it apart) connects to each.
import { spawnSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli/cli.js';
import { kernelTestsPossible, watchJson, type JsonAlert } from './env.js';

const why = kernelTestsPossible();

const TAG = `dns${process.pid % 100000}`;
const UNRESOLVABLE = `falconet-${process.pid}.invalid`;

function listen(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer((c) => c.end());
    s.once('error', reject);
    s.listen(0, host, () => resolve(s));
  });
}

const portOf = (s: Server): number => (s.address() as { port: number }).port;

describe('DNS name fields (falconet run, live kernel)', () => {
  const dir = tempDir();
  let alerts: JsonAlert[] = [];
  let stderr = '';
  let ports: [number, number] = [0, 0];

  beforeAll(async () => {
    if (why) return;
    symlinkSync('/usr/bin/python3', join(dir, TAG));
    const rules = join(dir, 'dns.yaml');
    writeFileSync(rules, `
- list: loopback_names
  items: [localhost]
- rule: Connect to localhost
  desc: a connect whose server address is one of localhost's
  condition: fd.sip.name in (loopback_names) and evt.type = connect and proc.name = ${TAG}
  output: "to-localhost sip_name=%fd.sip.name rip_name=%fd.rip.name lip_name=%fd.lip.name cip_name=%fd.cip.name sip=%fd.sip sport=%fd.sport"
  priority: NOTICE
- rule: Connect to 127.0.0.2
  desc: a name that is an address resolves to itself
  condition: fd.rip.name = 127.0.0.2 and evt.type = connect and proc.name = ${TAG}
  output: "to-dot-two rip_name=%fd.rip.name sip=%fd.sip sport=%fd.sport"
  priority: NOTICE
- rule: Connect to an unresolvable name
  desc: never fires
  condition: fd.sip.name = ${UNRESOLVABLE} and evt.type = connect and proc.name = ${TAG}
  output: "to-nowhere sip=%fd.sip"
  priority: NOTICE
`);
    const servers = await Promise.all([listen('127.0.0.1'), listen('127.0.0.2')]);
    ports = [portOf(servers[0]!), portOf(servers[1]!)];
    try {
      ({ alerts, stderr } = await watchJson(['-r', rules], async () => {
        // The first refresh runs as the monitor starts; let it land before connecting.
        await new Promise((r) => setTimeout(r, 500));
        const py = `import socket, sys
for host, port in (('127.0.0.1', int(sys.argv[1])), ('127.0.0.2', int(sys.argv[2]))):
    s = socket.create_connection((host, port)); s.close()`;
        const r = spawnSync(join(dir, TAG), ['-c', py, String(ports[0]), String(ports[1])], { encoding: 'utf8', timeout: 20_000 });
        if (r.status !== 0) throw new Error(`connects failed: ${r.stderr}`);
      }));
    } finally {
      for (const s of servers) s.close();
    }
  }, 120_000);

  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it('matches a connect to 127.0.0.1 by the name localhost, and carries the name in the alert', () => {
    const hits = alerts.filter((a) => a.rule === 'Connect to localhost');
    expect(hits).toHaveLength(1);
    // The client's own end is on 127.0.0.1 too, so fd.lip.name and fd.cip.name are localhost as well.
    expect(hits[0]!.output_fields).toMatchObject({ 'fd.sip.name': 'localhost', 'fd.rip.name': 'localhost', 'fd.lip.name': 'localhost', 'fd.cip.name': 'localhost', 'fd.sip': '127.0.0.1', 'fd.sport': ports[0] });
    expect(hits[0]!.output).toContain('sip_name=localhost');
  });

  it('does not match localhost on a connect to an address localhost does not resolve to', () => {
    const hits = alerts.filter((a) => a.rule === 'Connect to 127.0.0.2');
    expect(hits.map((h) => h.output_fields['fd.sport'])).toEqual([ports[1]]);
    expect(hits[0]!.output_fields['fd.rip.name']).toBe('127.0.0.2');
    expect(alerts.filter((a) => a.rule === 'Connect to localhost' && a.output_fields['fd.sport'] === ports[1])).toEqual([]);
  });

  it('warns once about a name it will not resolve, and the rule never fires', () => {
    expect(alerts.filter((a) => a.rule === 'Connect to an unresolvable name')).toEqual([]);
    const warnings = stderr.split('\n').filter((l) => l.includes(UNRESOLVABLE));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/"level":"?(40|warn)"?/);
    expect(stderr).toMatch(/resolving the DNS names the rules use/);
  });
});
