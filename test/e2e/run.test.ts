// The README's run command on the live host: `cat /etc/shadow` must produce an alert.
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChannelStats } from '../../src/outputs/index.js';
import { COMPAT, falconet, ROOT, tempDir } from '../cli/cli.js';
import { stoppedCounts } from './alerting.js';
import { kernelTestsPossible, startLive, until } from './env.js';

const why = kernelTestsPossible();

async function watch(args: string[], act: () => void): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const live = await startLive(['run', ...args]);
  act();
  await new Promise((r) => setTimeout(r, 1500));
  const code = await live.stop();
  return { ...live.out, code };
}

describe('falconet run (live kernel)', () => {
  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it('logs readable lines when stderr is a terminal, JSON lines otherwise', () => {
    // script(1) gives the command a pty for stdin, stdout and stderr.
    const cmd = `"${process.execPath}" ${ROOT}/dist/cli/main.js run --no-docker --duration 1 -o webserver.listen_port=0`;
    const tty = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8' });
    expect(tty.status, tty.stderr).toBe(0);
    expect(tty.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  probe attached types=\d+ cgroupHierarchy="[^"]+"\r?$/m);
    expect(tty.stdout).not.toMatch(/^\{"level"/m);
    const piped = spawnSync(process.execPath, [`${ROOT}/dist/cli/main.js`, 'run', '--no-docker', '--duration', '1', '-o', 'webserver.listen_port=0'], { encoding: 'utf8' });
    expect(piped.stderr.split('\n').filter(Boolean).every((l) => (JSON.parse(l) as { name: string }).name === 'falconet')).toBe(true);
  });

  it('alerts when someone reads /etc/shadow, with the default rules', async () => {
    const r = await watch([], () => spawnSync('cat', ['/etc/shadow'], { stdio: 'ignore' }));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Warning Credential file opened for reading by untrusted program \(file=\/etc\/shadow user=root uid=0 process=cat command=cat \/etc\/shadow /);
    expect(r.stderr).toContain('"msg":"stopped"');
  });

  it("alerts with Falco's upstream rules too, as JSON", async () => {
    const r = await watch(['-r', `${COMPAT}/falco_rules.yaml`, '--json'], () => spawnSync('cat', ['/etc/shadow'], { stdio: 'ignore' }));
    const alerts = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { rule: string; output_fields: Record<string, unknown> });
    const hit = alerts.find((a) => a.rule === 'Read sensitive file untrusted' && a.output_fields['fd.name'] === '/etc/shadow');
    expect(hit, r.stdout).toBeDefined();
    expect(hit?.output_fields['proc.name']).toBe('cat');
  });

  it('names sockets from both ends: a TCP connect and an unconnected UDP send', async () => {
    const rules = join(tempDir(), 'net.yaml');
    writeFileSync(rules, `
- rule: Outbound from perl
  desc: test
  condition: evt.type in (connect, sendto) and proc.name = perl and fd.sip = 127.0.0.1
  output: "%evt.type %fd.l4proto %fd.name lport=%fd.lport rport=%fd.rport"
  priority: NOTICE
`);
    const tcp = net.createServer((c) => c.destroy());
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    const tport = (tcp.address() as net.AddressInfo).port;
    const uport = udp.address().port;
    const perl = `use Socket;
      socket(my $t, PF_INET, SOCK_STREAM, 0) or die; connect($t, sockaddr_in(${tport}, inet_aton("127.0.0.1"))) or die;
      socket(my $u, PF_INET, SOCK_DGRAM, 0) or die; send($u, "ping", 0, sockaddr_in(${uport}, inet_aton("127.0.0.1"))) == 4 or die;`;
    try {
      const r = await watch(['-r', rules], () => spawnSync('perl', ['-e', perl], { stdio: 'ignore' }));
      expect(r.stdout).toMatch(new RegExp(`Notice connect tcp 127\\.0\\.0\\.1:(\\d+)->127\\.0\\.0\\.1:${tport} lport=\\d+ rport=${tport}`));
      expect(r.stdout).toMatch(new RegExp(`Notice sendto udp 0\\.0\\.0\\.0:(\\d+)->127\\.0\\.0\\.1:${uport} lport=\\d+ rport=${uport}`));
    } finally {
      tcp.close();
      udp.close();
    }
  });

  it('raises a drop alert when a tiny ring buffer loses events, and logs every second with drops', async () => {
    const rules = join(tempDir(), 'opens.yaml');
    writeFileSync(rules, '- rule: Opens\n  desc: d\n  condition: evt.type = openat and fd.name = /dev/falconet-none\n  output: o\n  priority: DEBUG\n');
    const opens = `const fs = require('fs'); for (let i = 0; i < 20000; i++) fs.closeSync(fs.openSync('/dev/null', 'r'));`;
    const r = await watch(['-r', rules, '--ring-bytes', '4096', '--drop-alert-threshold', '0', '--stats-interval', '1'], () => spawnSync(process.execPath, ['-e', opens], { stdio: 'ignore' }));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Critical Falconet internal: syscall event drop\. \d+ system calls dropped in the last second with drops \(ring buffer full: [1-9]\d*, engine behind: 0, delivered: \d+\)/);
    expect(r.stderr).toContain('"msg":"events dropped"');
    // exactly one alert: the rest of the run's drops wait for the next 30 s interval, counted
    expect(r.stdout.match(/syscall event drop/g)).toHaveLength(1);
    // the counters, logged every --stats-interval seconds
    const stats = r.stderr.split('\n').filter((l) => l.includes('"msg":"stats"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(stats.length).toBeGreaterThan(0);
    expect(stats[0]).toMatchObject({ events: expect.any(Number), alerts: expect.any(Number), received: expect.any(Number), ringDrops: expect.any(Number), batchDrops: 0 });
    // and the stdout channel's: the drop alert, the one line it printed, raised in the same second
    // as a stats line (so the last one has it, sent or in delivery), and nothing lost
    const printed = r.stdout.split('\n').filter(Boolean).length;
    const channel = (sent: unknown, queued: unknown) => ({ stdout: { queued, sent, dropped: 0, failed: 0, retries: 0, unsent: 0, rateLimited: 0, deduplicated: 0 } });
    for (const s of stats) expect(s.outputs).toEqual(channel(expect.any(Number), expect.any(Number)));
    const last = (stats.at(-1)!.outputs as Record<string, ChannelStats>).stdout!;
    expect(last.sent + last.queued).toBe(printed);
    expect(stoppedCounts(r.stderr)).toEqual(channel(printed, 0));
  });

  it('refuses a drop threshold or interval out of range, naming the option, before touching the kernel', () => {
    const bad = falconet(['run', '--drop-alert-threshold', '1.5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`option '--drop-alert-threshold <fraction>' argument '1.5' is invalid. expected a fraction from 0 up to (not including) 1, got "1.5".`);
    const never = falconet(['run', '--drop-alert-interval', 'soon']);
    expect(never.stderr).toContain(`argument 'soon' is invalid. expected a number of seconds, 0 or more, got "soon".`);
  });

  it('ignores its own syscalls also from a pid namespace of its own (a container without hostPID)', async () => {
    const rules = join(tempDir(), 'self.yaml');
    // `read` holds the shell until the rule names the monitor's host pid; exec keeps that pid for node
    const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', 'sh', '-c',
      `read go; exec "${process.execPath}" ${ROOT}/dist/cli/main.js run -r ${rules} --duration 4`], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    const ppidOf = (pid: string): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
    let monitor = 0;
    await until(() => {
      for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        try {
          if (ppidOf(pid) === child.pid) monitor = Number(pid);
        } catch {
          // gone meanwhile
        }
      }
      return monitor > 0;
    }, 5000);
    writeFileSync(rules, `
- rule: Monitor writes
  desc: every write the monitor makes (its logs, its alerts), which must never be seen
  condition: evt.type = write and proc.pid = ${monitor}
  output: "self write by %proc.pid on fd %fd.num"
  priority: WARNING
- rule: Host reads hostname
  desc: another process outside the monitor namespace, which must still be seen
  condition: evt.type = openat and fd.name = /etc/hostname and proc.name = cat
  output: "host cat %proc.pid"
  priority: WARNING
`);
    child.stdin.end('go\n');
    await until(() => stderr.includes('"msg":"probe attached"'), 10_000);
    spawnSync('cat', ['/etc/hostname'], { stdio: 'ignore' });
    expect(await exited, stderr).toBe(0);
    expect(stderr).toContain('"msg":"stopped"');
    expect(stdout).toMatch(/Warning host cat \d+/);
    expect(stdout).not.toContain('self write');
  });
});
