// `falconet run -c FILE` on the live host: the config file's rules, outputs and drop actions take effect.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../cli/cli.js';
import { kernelTestsPossible, startLive, until } from './env.js';

const why = kernelTestsPossible();

describe('falconet run -c (live kernel)', () => {
  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it("loads the file's rules directory, priority and outputs", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'rules.d'));
    const rule = (name: string, priority: string) =>
      `- rule: ${name}\n  desc: d\n  condition: evt.type = openat and fd.name = /etc/hostname and proc.name = cat\n  output: ${name} %proc.name\n  priority: ${priority}\n`;
    writeFileSync(join(dir, 'rules.d/10-a.yaml'), rule('Cat reads hostname', 'WARNING'));
    writeFileSync(join(dir, 'rules.d/20-b.yml'), rule('Below the priority', 'INFO'));
    writeFileSync(join(dir, 'rules.d/notes.txt'), 'not a rules file');
    const alerts = join(dir, 'alerts.json');
    const config = join(dir, 'falconet.yaml');
    writeFileSync(
      config,
      [`rules_files: [${dir}/rules.d]`, 'priority: warning', 'rule_matching: all', 'append_output: false', 'json_output: true',
        'stdout_output: {enabled: false}', `file_output: {enabled: true, filename: ${alerts}}`, 'webserver: {enabled: false}', ''].join('\n'),
    );
    const live = await startLive(['run', '-c', config]);
    spawnSync('cat', ['/etc/hostname'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await live.stop()).toBe(0);
    expect(live.out.stdout).toBe('');
    const got = readFileSync(alerts, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { rule: string; output: string });
    expect(got.map((a) => a.rule)).toEqual(['Cat reads hostname']);
    expect(got[0]!.output).toMatch(/Warning Cat reads hostname cat$/);
  });

  it('stops with exit status 1 when syscall_event_drops.actions has exit, without the actions it lacks', async () => {
    const dir = tempDir();
    const rules = join(dir, 'opens.yaml');
    writeFileSync(rules, '- rule: Opens\n  desc: d\n  condition: evt.type = openat and fd.name = /dev/falconet-none\n  output: o\n  priority: DEBUG\n');
    const config = join(dir, 'falconet.yaml');
    writeFileSync(config, `rules_files: [${rules}]\nengine:\n  modern_ebpf:\n    ring_bytes: 4096\nsyscall_event_drops:\n  threshold: 0\n  actions: [exit]\nwebserver:\n  enabled: false\n`);
    const live = await startLive(['run', '-c', config, '--duration', '20']);
    const exited = new Promise<number | null>((r) => live.child.once('exit', r));
    const opens = `const fs = require('fs'); for (let i = 0; i < 20000; i++) fs.closeSync(fs.openSync('/dev/null', 'r'));`;
    // A steady stream, until the monitor gives up.
    const load = spawn(process.execPath, ['-e', `for (let j = 0; j < 20; j++) { ${opens} }`], { stdio: 'ignore' });
    await until(() => live.child.exitCode !== null, 15_000);
    load.kill();
    expect(await exited).toBe(1);
    expect(live.out.stderr).toContain('stopping (actions: exit)');
    expect(live.out.stderr).toContain('"msg":"stopped"');
    // Neither the log line nor the alert: actions has exit only.
    expect(live.out.stderr).not.toContain('"msg":"events dropped"');
    expect(live.out.stdout).not.toContain('syscall event drop');
  });

  it('refuses a config file with a bad value before touching the kernel', () => {
    const config = join(tempDir(), 'falconet.yaml');
    writeFileSync(config, 'engine:\n  modern_ebpf:\n    ring_bytes: 5000\n');
    const r = spawnSync(process.execPath, [`${ROOT}/dist/cli/main.js`, 'run', '-c', config], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`falconet: ${config}:3:5: engine.modern_ebpf.ring_bytes: expected a power of two\n    ring_bytes: 5000\n    ^~~~~~~~~~\n`);
  });
});
