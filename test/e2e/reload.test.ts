// Hot reload of the rules through `falconet run` on the live host, under a steady stream of events:
// a valid change takes effect within a second (a rule on an event type the probe was not capturing
// starts firing: the probe's programs changed in place), no event of the stream is lost across it
// and the probe is attached once; a broken change keeps the old rules, logged with its position and
// raised as an internal alert; SIGHUP reloads as well; a changed config file turns on an output
// channel, and a bad one keeps the running settings.
import { spawn, type ChildProcess } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../cli/cli.js';
import { kernelTestsPossible, startLive, until, type LiveCommand } from './env.js';

const why = kernelTestsPossible();

const streamRule = (dir: string) => `- rule: Stream file written
  desc: the steady stream
  condition: evt.type in (open, openat, openat2) and evt.dir=< and evt.is_open_write=true and fd.name startswith ${dir}/s
  output: "stream %fd.name"
  priority: NOTICE
`;
const renameRule = (dir: string) => `- rule: File renamed in test dir
  desc: a type the first rules did not need
  condition: evt.type in (rename, renameat, renameat2) and evt.dir=< and fs.path.source startswith ${dir}/
  output: "renamed %fs.path.source to %fs.path.target"
  priority: WARNING
`;

/** Creates dir/s0, dir/s1, ... every few ms until stopped; resolves with how many it made. */
function stream(dir: string): { stop(): Promise<number> } {
  const child: ChildProcess = spawn('/bin/sh', ['-c', `i=0; while [ ! -e ${dir}/stop ]; do : > ${dir}/s$i; i=$((i+1)); sleep 0.01; done; echo $i`]);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return {
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve(Number(out.trim())));
        writeFileSync(`${dir}/stop`, '');
      }),
  };
}

function alerts(live: LiveCommand): { rule: string; output_fields: Record<string, unknown> }[] {
  return live.out.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { rule: string; output_fields: Record<string, unknown> });
}

/** Replaces the rules file the way editors do: write a new file, rename it over the old one. */
function rewrite(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

describe('rules and config hot reload, live', () => {
  let live: LiveCommand | undefined;
  afterEach(async () => {
    await live?.stop();
    live = undefined;
  });

  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it('takes a valid change within a second, captures the new event type, and loses no event of a steady stream', { timeout: 60_000 }, async () => {
    const root = tempDir();
    const dir = join(root, 'w');
    const rules = join(root, 'rules.yaml');
    writeFileSync(rules, streamRule(dir));
    await import('node:fs').then((fs) => fs.mkdirSync(dir));
    live = await startLive(['run', '-r', rules, '--json', '--no-docker']);
    const s = stream(dir);
    await new Promise((r) => setTimeout(r, 700));
    // Not captured yet: the probe does not watch renames for these rules.
    renameSync(join(dir, 's0'), join(dir, 'before-reload'));
    rewrite(rules, streamRule(dir) + renameRule(dir));
    await until(() => /"msg":"rules reloaded"/.test(live!.out.stderr), 5000);
    const reloadedAt = Date.now();
    expect(live.out.stderr).toMatch(/"reason":"file changed","rules":2.*"msg":"rules reloaded"/);
    let n = 0;
    await until(() => {
      renameSync(join(dir, 's1'), join(dir, `after-${n}`));
      writeFileSync(join(dir, 's1'), '');
      n++;
      return alerts(live!).some((a) => a.rule === 'File renamed in test dir');
    }, 3000);
    expect(Date.now() - reloadedAt).toBeLessThan(1500);
    await new Promise((r) => setTimeout(r, 700));
    const made = await s.stop();
    await new Promise((r) => setTimeout(r, 1000));
    const code = await live.stop();
    expect(code).toBe(0);

    const renamed = alerts(live).filter((a) => a.rule === 'File renamed in test dir').map((a) => String(a.output_fields['fs.path.target']));
    expect(renamed).not.toContain(join(dir, 'before-reload'));
    expect(renamed[0]).toMatch(/\/after-\d+$/);
    // Every file of the stream alerted once, before, during and after the reload.
    const streamed = new Set(alerts(live).filter((a) => a.rule === 'Stream file written').map((a) => String(a.output_fields['fd.name'])));
    const missing = Array.from({ length: made }, (_, i) => join(dir, `s${i}`)).filter((f) => !streamed.has(f));
    expect(missing).toEqual([]);
    expect(live.out.stderr.match(/"msg":"probe attached"/g)).toHaveLength(1);
    expect(live.out.stderr).toMatch(/"ringDrops":0,"batchDrops":0.*"msg":"stopped"/);
  });

  it('keeps the old rules on a broken change, with the error’s position and an internal alert; SIGHUP reloads', { timeout: 60_000 }, async () => {
    const root = tempDir();
    const dir = join(root, 'w');
    const rules = join(root, 'rules.yaml');
    await import('node:fs').then((fs) => fs.mkdirSync(dir));
    writeFileSync(rules, streamRule(dir));
    live = await startLive(['run', '-r', rules, '--json', '--no-docker', '--no-watch-config-files']);
    // Not watched: a change waits for SIGHUP.
    rewrite(rules, streamRule(dir).replace('startswith', 'startswith_typo'));
    await new Promise((r) => setTimeout(r, 800));
    expect(live.out.stderr).not.toContain('reload');
    live.child.kill('SIGHUP');
    await until(() => /reload failed/.test(live!.out.stderr), 5000);
    expect(live.out.stderr).toMatch(/"reason":"SIGHUP".*rules\.yaml:3:\d+: error: .*"msg":"reload failed; the running rules and settings stay in force"/);
    await until(() => alerts(live!).some((a) => a.rule === 'Falconet internal: reload failed'), 3000);
    const internal = live.out.stdout.split('\n').find((l) => l.includes('Falconet internal: reload failed'))!;
    expect(JSON.parse(internal)).toMatchObject({ priority: 'Error', source: 'internal' });
    expect((JSON.parse(internal) as { output: string }).output).toMatch(/reload failed, the running rules and settings stay in force: .*rules\.yaml:3:\d+: error: /);
    // The old rules still alert.
    writeFileSync(join(dir, 's-old-rules'), '');
    await until(() => alerts(live!).some((a) => a.output_fields['fd.name'] === join(dir, 's-old-rules')), 3000);
    expect(alerts(live).some((a) => a.output_fields['fd.name'] === join(dir, 's-old-rules'))).toBe(true);
    // Fixed, and SIGHUP again.
    rewrite(rules, streamRule(dir).replace('priority: NOTICE', 'priority: CRITICAL'));
    live.child.kill('SIGHUP');
    await until(() => /"msg":"rules reloaded"/.test(live!.out.stderr), 5000);
    writeFileSync(join(dir, 's-new-rules'), '');
    await until(() => alerts(live!).some((a) => a.output_fields['fd.name'] === join(dir, 's-new-rules')), 3000);
    expect(alerts(live).find((a) => a.output_fields['fd.name'] === join(dir, 's-new-rules'))).toMatchObject({ priority: 'Critical' });
  });

  it('turns on an output channel when the config file changes, and keeps the running config when the change is bad', { timeout: 60_000 }, async () => {
    const root = tempDir();
    const dir = join(root, 'w');
    const fs = await import('node:fs');
    fs.mkdirSync(dir);
    const rules = join(root, 'rules.yaml');
    writeFileSync(rules, streamRule(dir));
    const cfg = join(root, 'falconet.yaml');
    const out = join(root, 'alerts', 'alerts.json');
    const base = `rules_files: [${rules}]\njson_output: true\nwebserver:\n  enabled: false\n`;
    writeFileSync(cfg, base);
    live = await startLive(['run', '-c', cfg, '--no-docker']);
    writeFileSync(join(dir, 's-before'), '');
    await until(() => alerts(live!).some((a) => a.output_fields['fd.name'] === join(dir, 's-before')), 3000);

    rewrite(cfg, `${base}file_output:\n  enabled: true\n  filename: ${out}\n`);
    await until(() => /"msg":"alert channels changed"/.test(live!.out.stderr), 5000);
    expect(live.out.stderr).toMatch(/"channels":\["stdout","file"\],"msg":"alert channels changed"/);
    writeFileSync(join(dir, 's-after'), '');
    await until(() => fs.existsSync(out) && fs.readFileSync(out, 'utf8').includes('s-after'), 3000);
    const inFile = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { output_fields: Record<string, unknown> });
    expect(inFile.map((a) => a.output_fields['fd.name'])).toEqual([join(dir, 's-after')]);

    // A bad value: the running config (and its file channel) stays, the error names file:line:col.
    rewrite(cfg, `${base}file_output:\n  enabled: true\n  filename: ${out}\noutputs_queue:\n  capacity: lots\n`);
    await until(() => /reload failed/.test(live!.out.stderr), 5000);
    expect(live.out.stderr).toMatch(new RegExp(`${cfg.replace(/[.]/g, '\\.')}:9:3: outputs_queue\\.capacity`));
    writeFileSync(join(dir, 's-kept'), '');
    await until(() => fs.readFileSync(out, 'utf8').includes('s-kept'), 3000);
    expect(fs.readFileSync(out, 'utf8')).toContain(join(dir, 's-kept'));
  });
});
