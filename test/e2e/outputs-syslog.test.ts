// syslog_output through `falconet run` on the live host, into a private rsyslogd (rsyslog.ts): the
// local unix socket (RFC 3164), UDP and octet-counted TCP (RFC 5424), and json_output. Alerts come
// from real opens of files whose names are hostile (a newline, ESC, CR, a forged syslog frame, a byte
// that is not UTF-8, a bidi override): each must reach rsyslog as one record, the same line falconet
// printed on stdout, escaped by falconet itself (rsyslog escaped nothing), with the facility asked for
// and the severity of the rule's priority. A burst larger than the daemon's socket queue arrives
// whole, once each; rsyslogd restarts while falconet runs, and alerts raised while it is down arrive
// once it is back; and a collector that stops reading (SIGSTOP) does not hold up falconet's exit.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli/cli.js';
import { HOSTILE, stoppedCounts, touch, type FileName } from './alerting.js';
import { kernelTestsPossible, startLive, until, type LiveCommand } from './env.js';
import { rsyslogEscapes, rsyslogProblem, useRsyslog, type SyslogRecord } from './rsyslog.js';

const why = kernelTestsPossible() ?? rsyslogProblem();

/** What falconet decodes each hostile name to (a byte that is not UTF-8 as U+DC80 + byte). */
const decoded = (n: FileName) => (typeof n === 'string' ? n : Buffer.from(n.slice(0, -1)).toString() + String.fromCharCode(0xdc00 + n.at(-1)!));

const PRIORITIES = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFORMATIONAL', 'DEBUG'] as const;
/** rsyslog's names for the syslog severities, in the order of PRIORITIES. */
const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];

/** A rules file with one rule per priority: opens under `dir/<priority>/` alert at that priority. */
function writeRules(dir: string): string {
  const rules = PRIORITIES.map((p) => {
    mkdirSync(join(dir, p));
    return `
- rule: Opened at ${p}
  desc: an open under the test's ${p} directory
  condition: evt.type in (open, openat, openat2) and evt.dir=< and fd.name startswith ${dir}/${p}/
  output: "opened %fd.name by %proc.cmdline"
  priority: ${p}
`;
  });
  const file = join(dir, 'rules.yaml');
  writeFileSync(file, rules.join(''));
  return file;
}

/**
 * A live `falconet run` with the rules of writeRules, and the alerts it printed: alerting.ts's Run
 * with a directory per priority, its lines text or JSON.
 */
class PriorityRun {
  private constructor(
    readonly dir: string,
    readonly live: LiveCommand,
  ) {}

  static async start(options: string[]): Promise<PriorityRun> {
    const dir = tempDir();
    const rules = writeRules(dir);
    const args = ['run', '-r', rules, '--no-append-output', '--no-docker', '-o', 'outputs_queue.drain_timeout_ms=500'];
    for (const o of options) args.push('-o', o);
    return new PriorityRun(dir, await startLive(args));
  }

  /** The alert lines (text or JSON) on stdout about opens under dir/priority. */
  lines(priority?: string): string[] {
    const under = priority ? `${this.dir}/${priority}/` : `${this.dir}/`;
    return this.live.out.stdout.split('\n').filter((l) => l.includes(` ${under}`) || l.includes(`"${under}`));
  }

  /** Opens each name under dir/priority, one after the other; resolves once stdout has all their alerts. */
  async trigger(priority: string, names: FileName[]): Promise<string[]> {
    const before = this.lines(priority).length;
    for (const n of names) touch(join(this.dir, priority), n);
    await until(() => this.lines(priority).length >= before + names.length, 5_000);
    const fresh = this.lines(priority).slice(before);
    expect(fresh, this.live.out.stderr).toHaveLength(names.length);
    return fresh;
  }

  /** Creates `n` files under dir/priority from one process, as fast as it can; resolves with their alerts. */
  async burst(priority: string, n: number): Promise<string[]> {
    const before = this.lines(priority).length;
    const code = `for (let i = 0; i < ${n}; i++) require('fs').writeFileSync(process.argv[1] + '/burst-' + String(i).padStart(3, '0'), '')`;
    expect(spawnSync(process.execPath, ['-e', code, join(this.dir, priority)]).status).toBe(0);
    await until(() => this.lines(priority).length >= before + n, 10_000);
    const fresh = this.lines(priority).slice(before);
    expect(fresh).toHaveLength(n);
    return fresh;
  }
}

describe('syslog_output (falconet run, live kernel, private rsyslogd)', () => {
  const rs = useRsyslog(why);

  /** rsyslog's records of alerts about `dir`, once there are `n` (and a moment more, for strays). */
  async function recordsOf(dir: string, n: number): Promise<SyslogRecord[]> {
    const find = () => rs().records().filter((r) => r.raw.includes(`${dir}/`));
    await until(() => find().length >= n, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    return find();
  }

  /** 300 alerts at once, from one process creating files: each reaches rsyslog once, in order. */
  async function expectBurst(run: PriorityRun, priority: string, prefix: string): Promise<void> {
    const lines = await run.burst(priority, 300);
    const find = () => rs().records().filter((x) => x.raw.includes(`${run.dir}/${priority}/burst-`)).map((x) => x.msg);
    await until(() => find().length >= lines.length, 15_000);
    await new Promise((res) => setTimeout(res, 500));
    expect(find().length, run.live.out.stderr).toBe(lines.length);
    expect(find()).toEqual(lines.map((l) => prefix + l));
  }

  /** No record anywhere is a frame forged by a file name. */
  function expectNoForgery(): void {
    const forged = rs().records().filter((r) => r.app === 'app' || r.app === 'evil' || /^\ufeff?forged/.test(r.msg) || !r.raw.startsWith('<'));
    expect(forged).toEqual([]);
  }

  describe('to the local unix socket (RFC 3164), facility local3', () => {
    let run: PriorityRun | undefined;

    beforeAll(async () => {
      if (why) return;
      run = await PriorityRun.start(['syslog_output.enabled=true', `syslog_output.address=unix://${rs().socketPath}`, 'syslog_output.facility=local3']);
    });

    afterAll(async () => {
      await run?.live.stop();
    });

    it('gives each priority its severity, app falconet, the stdout line as msg', async () => {
      const lines: string[] = [];
      for (const p of PRIORITIES) lines.push(...(await run!.trigger(p, [`plain-${p}`])));
      const recs = await recordsOf(run!.dir, PRIORITIES.length);
      expect(recs.map((r) => [r.facility, r.severity, r.app, r.msg])).toEqual(lines.map((l, i) => ['local3', SEVERITIES[i], 'falconet', l]));
      expect(lines[2]).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{9}: Critical opened ${run!.dir}/CRITICAL/plain-CRITICAL by touch ${run!.dir}/CRITICAL/plain-CRITICAL$`));
      // <local3 * 8 + crit>, the time, and the tag with falconet's pid, as syslog(3) writes it
      expect(recs[2]!.raw).toMatch(new RegExp(`^<154>[A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d falconet\\[${run!.live.child.pid}\\]: \\d\\d:`));
    });

    it('sends a hostile file name as one record, escaped by falconet, the same line as on stdout', async () => {
      const lines = await run!.trigger('WARNING', HOSTILE.map((h) => h.name));
      HOSTILE.forEach((h, i) => expect(lines[i]).toContain(`: Warning opened ${run!.dir}/WARNING/${h.escaped} by `));
      const recs = (await recordsOf(run!.dir, PRIORITIES.length + HOSTILE.length)).slice(PRIORITIES.length);
      expect(recs.map((r) => [r.facility, r.severity, r.app, r.msg])).toEqual(lines.map((l) => ['local3', 'warning', 'falconet', l]));
      for (const r of recs) expect(rsyslogEscapes(r.raw)).toEqual([]);
      expect(recs[0]!.msg).toContain('\\nline by touch');
      expect(recs[1]!.msg).toContain('esc\\x1b[31mred');
      expect(recs[4]!.msg).toContain('bad\\xff');
      expect(recs[5]!.msg).toContain('rtl\\u202eoverride');
      expectNoForgery();
    });

    it('sends a burst larger than the socket queue (net.unix.max_dgram_qlen) once each, in order', async () => {
      await expectBurst(run!, 'INFORMATIONAL', '');
    });

    it('delivers alerts raised while rsyslogd is down once it is back, and those after', async () => {
      await rs().stop();
      const [down] = await run!.trigger('ERROR', ['while-down']);
      await rs().restart();
      const [up] = await run!.trigger('ERROR', ['after-restart']);
      const find = () => rs().records().filter((r) => r.raw.includes(`${run!.dir}/ERROR/`));
      await until(() => find().length >= 3, 15_000);
      expect(find().map((r) => [r.severity, r.msg]), run!.live.out.stderr).toEqual([
        ['err', expect.stringContaining('plain-ERROR')],
        ['err', down],
        ['err', up],
      ]);
      expect(run!.live.out.stderr).toMatch(/"channel":"syslog","err":"syslog [^"]*log\.sock[^"]*: (ECONNREFUSED|ENOENT)[^"]*".*"msg":"alert delivery failed; retrying"/);
      expect(run!.live.out.stderr).toContain('"msg":"alert channel delivers again"');
    });
  });

  describe('over UDP (RFC 5424), time_format_iso_8601', () => {
    let run: PriorityRun | undefined;

    beforeAll(async () => {
      if (why) return;
      run = await PriorityRun.start(['syslog_output.enabled=true', `syslog_output.address=udp://127.0.0.1:${rs().udpPort}`, 'syslog_output.facility=daemon', 'time_format_iso_8601=true']);
    });

    afterAll(async () => {
      await run?.live.stop();
    });

    it('sends each hostile alert as one datagram, one record, its msg the stdout line after the BOM', async () => {
      const lines = await run!.trigger('CRITICAL', HOSTILE.map((h) => h.name));
      HOSTILE.forEach((h, i) => expect(lines[i]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z: Critical opened ${run!.dir}/CRITICAL/${h.escaped.replace(/[\\[\]$.]/g, '\\$&')} by `)));
      const recs = await recordsOf(run!.dir, HOSTILE.length);
      expect(recs.map((r) => [r.facility, r.severity, r.app, r.msg])).toEqual(lines.map((l) => ['daemon', 'crit', 'falconet', `\ufeff${l}`]));
      for (const r of recs) {
        expect(rsyslogEscapes(r.raw)).toEqual([]);
        // <daemon * 8 + crit>1 TIMESTAMP HOST falconet PID alert - BOM MSG
        expect(r.raw).toMatch(new RegExp(`^<26>1 \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z \\S+ falconet ${run!.live.child.pid} alert - \ufeff\\d{4}-`));
      }
      expectNoForgery();
    });
  });

  describe('over TCP (RFC 5424, octet counted)', () => {
    let run: PriorityRun | undefined;

    beforeAll(async () => {
      if (why) return;
      run = await PriorityRun.start(['syslog_output.enabled=true', `syslog_output.address=tcp://127.0.0.1:${rs().tcpPort}`, 'syslog_output.facility=auth']);
    });

    afterAll(async () => {
      await run?.live.stop();
    });

    it('sends each hostile alert as one frame, one record, its msg the stdout line after the BOM', async () => {
      const lines = await run!.trigger('ERROR', HOSTILE.map((h) => h.name));
      const recs = await recordsOf(run!.dir, HOSTILE.length);
      expect(recs.map((r) => [r.facility, r.severity, r.app, r.msg])).toEqual(lines.map((l) => ['auth', 'err', 'falconet', `\ufeff${l}`]));
      for (const r of recs) expect(rsyslogEscapes(r.raw)).toEqual([]);
      HOSTILE.forEach((h, i) => expect(recs[i]!.msg).toContain(`: Error opened ${run!.dir}/ERROR/${h.escaped} by `));
      expectNoForgery();
    });

    it('sends a burst of 300 alerts once each, in order', async () => {
      await expectBurst(run!, 'INFORMATIONAL', '\ufeff');
    });

    it('connects again after rsyslogd restarts, and delivers what was raised while it was down', async () => {
      await rs().stop();
      const [down] = await run!.trigger('NOTICE', ['while-down']);
      await rs().restart();
      const [up] = await run!.trigger('NOTICE', ['after-restart']);
      const recs = await recordsOf(`${run!.dir}/NOTICE`, 2);
      expect(recs.map((r) => [r.severity, r.msg]), run!.live.out.stderr).toEqual([
        ['notice', `\ufeff${down}`],
        ['notice', `\ufeff${up}`],
      ]);
      expect(run!.live.out.stderr).toMatch(/"err":"syslog tcp:\/\/127\.0\.0\.1:\d+: ECONNREFUSED.*"msg":"alert delivery failed; retrying"/);
    });

    it('exits in time when rsyslogd stops reading, stdout going on, counting every alert it could not deliver', async () => {
      process.kill(rs().pid, 'SIGSTOP');
      try {
        // ~8 KiB alerts (a 3.7 KiB path, a 4 KiB command line), more than the kernel buffers hold
        const big = `const [dir, pad] = process.argv.slice(1), fs = require('fs');
          let deep = dir; for (let i = 0; i < 18; i++) deep += '/' + 'd'.repeat(200);
          fs.mkdirSync(deep, { recursive: true });
          for (let i = 0; i < 800; i++) fs.writeFileSync(deep + '/big-' + i, '');`;
        const before = run!.lines('DEBUG').length;
        expect(spawnSync(process.execPath, ['-e', big, join(run!.dir, 'DEBUG'), 'p'.repeat(4000)]).status).toBe(0);
        await until(() => run!.lines('DEBUG').length >= before + 800, 20_000);
        expect(run!.lines('DEBUG').length - before).toBe(800);
        const started = Date.now();
        const exited = await Promise.race([run!.live.stop(), new Promise((r) => setTimeout(() => r('hung'), 15_000))]);
        if (exited === 'hung') run!.live.child.kill('SIGKILL');
        expect(exited, 'falconet did not exit within 15 s of SIGINT').toBe(0);
        expect(Date.now() - started).toBeLessThan(10_000);
        const outputs = stoppedCounts(run!.live.out.stderr);
        // every alert the syslog channel was given (each one on stdout, drop alerts included)
        const alerts = run!.live.out.stdout.split('\n').filter(Boolean).length;
        const s = outputs.syslog!;
        expect(s.unsent, 'the channel never stalled: the kernel took every alert').toBeGreaterThan(0);
        expect(s.sent + s.unsent + s.dropped + s.failed).toBe(alerts);
        expect(outputs.stdout).toMatchObject({ sent: alerts, unsent: 0, dropped: 0 });
      } finally {
        process.kill(rs().pid, 'SIGCONT');
      }
    });
  });

  describe('json_output, json_include_tags_property=false, to the unix socket', () => {
    let run: PriorityRun | undefined;

    beforeAll(async () => {
      if (why) return;
      run = await PriorityRun.start([
        'json_output=true',
        'json_include_tags_property=false',
        'syslog_output.enabled=true',
        `syslog_output.address=unix://${rs().socketPath}`,
        'syslog_output.facility=local5',
      ]);
    });

    afterAll(async () => {
      await run?.live.stop();
    });

    it('sends the JSON line as msg, parseable, without tags, the names exact in output_fields', async () => {
      const lines = await run!.trigger('NOTICE', HOSTILE.map((h) => h.name));
      const recs = await recordsOf(run!.dir, HOSTILE.length);
      expect(recs.map((r) => [r.facility, r.severity, r.app, r.msg])).toEqual(lines.map((l) => ['local5', 'notice', 'falconet', l]));
      HOSTILE.forEach((h, i) => {
        const r = recs[i]!;
        expect(rsyslogEscapes(r.raw)).toEqual([]);
        const alert = JSON.parse(r.msg) as Record<string, unknown> & { output_fields: Record<string, unknown> };
        expect(alert).not.toHaveProperty('tags');
        expect(alert).toMatchObject({ rule: 'Opened at NOTICE', priority: 'Notice', source: 'syscall' });
        expect(alert.output_fields['fd.name']).toBe(`${run!.dir}/NOTICE/${decoded(h.name)}`);
        expect(alert.output).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{9}: Notice opened ${run!.dir}/NOTICE/`));
        expect(alert.output).toContain(h.escaped);
      });
      expectNoForgery();
    });
  });
});
