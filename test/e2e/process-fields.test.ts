// The process fields falconet fills from what the kernel reports, proven on the live host with
// `falconet run`: the executable's inode facts and overlay upper layer, capabilities after capset,
// exec and a uid change, session and process group, the environment and controlling terminal a new
// image starts with, fd.name_changed, and an exec called from a thread other than the leader.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import dgram from 'node:dgram';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPAT, tempDir } from '../cli/cli.js';
import { docker, dockerProblem, removeContainers, startContainer } from './docker.js';
import { kernelTestsPossible, watchJson, type JsonAlert } from './env.js';

const why = kernelTestsPossible() ?? dockerProblem();

type Fields = JsonAlert['output_fields'];

const FIELDS = [
  'proc.name', 'proc.pid', 'proc.vpid', 'thread.tid', 'proc.pname', 'proc.exepath', 'proc.cmdline', 'proc.exe_ino',
  'proc.exe_ino.ctime', 'proc.exe_ino.mtime', 'proc.is_exe_upper_layer', 'thread.cap_effective', 'thread.cap_inheritable',
  'proc.sid', 'proc.sname', 'proc.is_sid_leader', 'proc.pgid', 'proc.vpgid', 'proc.is_vpgid_leader', 'proc.env[FALCONET_MARK]',
  'proc.tty', 'user.uid', 'container.id', 'fd.name',
].map((f) => `${f}=%${f}`).join(' ');

describe('process fields filled live (falconet run, live kernel)', () => {
  const dir = join(tempDir(), 'marks');
  const mark = (name: string) => join(dir, name);
  const name = 'falconet-fields';
  let alerts: JsonAlert[] = [];
  let lines: string[] = [];
  let udpPorts: number[] = [];
  let ttyNr = 0;
  let threadExecPid = 0;
  let copied = '';

  beforeAll(async () => {
    if (why) return;
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    for (const m of ['ino', 'caps', 'nobody', 'sid', 'pgid', 'env', 'tty', 'thread']) writeFileSync(mark(m), m, { mode: 0o644 });
    // an executable with known inode facts: its own inode, an mtime in 2020
    copied = join(dir, 'mycat');
    copyFileSync('/bin/cat', copied);
    chmodSync(copied, 0o755);
    utimesSync(copied, 1_600_000_000, 1_600_000_000.5);
    startContainer(name, 'sleep', '3600');
    const rules = join(dir, 'fields.yaml');
    writeFileSync(rules, `
- rule: Marker read
  desc: opens of the test's marker files, and of /etc/hostname in a container
  condition: evt.type in (open, openat) and (fd.name startswith ${dir}/ or (container.id != host and fd.name = /etc/hostname))
  output: "marker ${FIELDS}"
  priority: NOTICE
- rule: Capabilities set
  desc: capset by setpriv
  condition: evt.type = capset and proc.name = setpriv
  output: "capset ${FIELDS}"
  priority: NOTICE
- rule: Datagram sent
  desc: sendto by the test's perl to the test's UDP ports
  condition: evt.type = sendto and proc.name = perl and fd.sip = 127.0.0.1
  output: "sent changed=%fd.name_changed rport=%fd.rport name=%fd.name"
  priority: NOTICE
`);
    const udp = await Promise.all([0, 1].map(() => new Promise<dgram.Socket>((r) => {
      const s = dgram.createSocket('udp4');
      s.bind(0, '127.0.0.1', () => r(s));
    })));
    udpPorts = udp.map((s) => s.address().port);
    try {
      ({ alerts, lines } = await watchJson(['-r', rules, `${COMPAT}/falco_rules.yaml`, '--no-append-output'], () => {
        spawnSync(copied, [mark('ino')]);
        spawnSync('setpriv', ['--inh-caps', '+net_raw', 'cat', mark('caps')]);
        spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', 'cat', mark('nobody')]);
        spawnSync('setsid', ['cat', mark('sid')]);
        spawnSync('perl', ['-e', `setpgrp(0, 0); open(my $f, "<", "${mark('pgid')}") or die`]);
        spawnSync('env', ['FALCONET_MARK=42', 'cat', mark('env')]);
        const tty = spawnSync('script', ['-qec', `cat ${mark('tty')} /proc/self/stat`, '/dev/null'], { encoding: 'utf8' });
        ttyNr = Number(/\d+ \(cat\) \S (?:\d+ ){3}(\d+)/.exec(tty.stdout)?.[1]);
        const py = spawnSync('python3', ['-c', `import os, threading
t = threading.Thread(target=lambda: os.execv("/bin/cat", ["cat", "${mark('thread')}"]))
t.start(); t.join()`]);
        threadExecPid = py.pid ?? 0;
        const [a, b] = udpPorts;
        spawnSync('perl', ['-MSocket', '-e', `socket(my $s, PF_INET, SOCK_DGRAM, 0) or die;
          for my $p (${a}, ${a}, ${b}) { send($s, "x", 0, sockaddr_in($p, inet_aton("127.0.0.1"))) or die }`]);
        docker('exec', name, 'sh', '-c', 'cat /etc/hostname; cp /bin/busybox /tmp/cat; /tmp/cat /etc/hostname');
      }));
    } finally {
      for (const s of udp) s.close();
    }
  }, 120_000);

  afterAll(() => removeContainers(name));

  const marker = (m: string): Fields => {
    const hit = alerts.find((a) => a.rule === 'Marker read' && a.output_fields['fd.name'] === mark(m));
    expect(hit, `no alert for ${m}`).toBeDefined();
    return hit!.output_fields;
  };

  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it('keeps outputs as written with --no-append-output', () => {
    const f = marker('env');
    expect(Object.keys(f)).not.toContain('container.name');
    expect(alerts.find((a) => a.output_fields['fd.name'] === mark('env'))!.output).not.toContain('container_name=');
  });

  it("reports the executable's inode number, change and modification times", () => {
    const st = statSync(copied, { bigint: true });
    const f = marker('ino');
    expect(f['proc.exe_ino']).toBe(Number(st.ino));
    expect(f['proc.is_exe_upper_layer']).toBe(false);
    // ns since the epoch do not fit a double: read them from the JSON text
    const line = lines.find((l) => l.includes(`"fd.name":"${mark('ino')}"`))!;
    const ns = (field: string) => BigInt(new RegExp(`"${field.replace(/\./g, '\\.')}":(\\d+)`).exec(line)![1]!);
    expect(ns('proc.exe_ino.mtime')).toBe(1_600_000_000_500_000_000n);
    expect(ns('proc.exe_ino.ctime')).toBe(st.ctimeNs);
  });

  it('reports the capability sets after capset, after an exec and after a uid change', () => {
    // setpriv may call capset more than once; the sets after its last call are the ones it asked for
    const capsets = alerts.filter((a) => a.rule === 'Capabilities set' && String(a.output_fields['proc.cmdline']).includes('--inh-caps'));
    expect(capsets.at(-1)?.output_fields['thread.cap_inheritable'], JSON.stringify(capsets.map((a) => a.output_fields['thread.cap_inheritable']))).toBe('CAP_NET_RAW');
    const f = marker('caps');
    expect(f['thread.cap_inheritable']).toBe('CAP_NET_RAW');
    expect(f['thread.cap_effective']).toMatch(/CAP_SYS_ADMIN/);
    const nobody = marker('nobody');
    expect(nobody['user.uid']).toBe(65534);
    expect(nobody['thread.cap_effective']).toBe('');
  });

  it('follows setsid and setpgid into the session and group fields', () => {
    const sid = marker('sid');
    expect(sid).toMatchObject({ 'proc.name': 'cat', 'proc.sname': 'cat', 'proc.is_sid_leader': true });
    expect(sid['proc.sid']).toBe(sid['proc.pid']);
    expect(sid['proc.pgid']).toBe(sid['proc.pid']);
    const pgid = marker('pgid');
    expect(pgid['proc.pgid']).toBe(pgid['proc.pid']);
    expect(pgid['proc.vpgid']).toBe(pgid['proc.pid']);
    expect(pgid['proc.is_vpgid_leader']).toBe(true);
    expect(pgid['proc.sid']).not.toBe(pgid['proc.pid']);
  });

  it('takes the environment and the controlling terminal a new image starts with', () => {
    expect(marker('env')['proc.env[FALCONET_MARK]']).toBe('42');
    expect(ttyNr).toBeGreaterThan(0);
    expect(marker('tty')['proc.tty']).toBe(ttyNr);
    expect(marker('ino')['proc.tty']).toBe(0);
  });

  it('names an exec called from a non-leader thread by its process, not the thread', () => {
    const f = marker('thread');
    expect(f).toMatchObject({ 'proc.name': 'cat', 'proc.pid': threadExecPid, 'thread.tid': threadExecPid, 'proc.exepath': '/usr/bin/cat', 'proc.cmdline': `cat ${mark('thread')}` });
    expect(f['proc.pname']).toBe(readFileSync('/proc/self/comm', 'utf8').trim());
  });

  it('sets fd.name_changed when a UDP send moves the socket to another peer, not when it stays', () => {
    const sent = alerts.filter((a) => a.rule === 'Datagram sent').map((a) => [a.output_fields['fd.rport'], a.output_fields['fd.name_changed']]);
    expect(sent).toEqual([[udpPorts[0], true], [udpPorts[0], false], [udpPorts[1], true]]);
  });

  it("tells a binary dropped into a container (overlay upper layer) from the image's own, and Falco's rule fires on it", () => {
    const inContainer = alerts.filter((a) => a.rule === 'Marker read' && a.output_fields['fd.name'] === '/etc/hostname');
    expect(inContainer.map((a) => [a.output_fields['proc.exepath'], a.output_fields['proc.is_exe_upper_layer']])).toEqual([
      ['/bin/busybox', false],
      ['/tmp/cat', true],
    ]);
    const drop = alerts.filter((a) => a.rule === 'Drop and execute new binary in container');
    expect(drop.map((a) => a.output_fields['proc.exepath'])).toEqual(['/tmp/cat']);
  });
});
