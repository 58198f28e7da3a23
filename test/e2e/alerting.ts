// Shared by the alert-delivery e2e tests: a rule that fires once per file created under a test's
// own directory, ways to create those files (one shell for many, or one touch each, hostile and
// raw-byte names included), the hostile names and how falconet must escape them, a live
// `falconet run` that alerts on opens under its own directory (Run), the lines of a file a channel
// wrote, the per-channel counts `falconet run` logs when it stops, and the alerts on stdout.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { tempDir } from '../cli/cli.js';
import type { ChannelStats } from '../../src/outputs/index.js';
import { startLive, until, type LiveCommand } from './env.js';

export interface AlertDir {
  /** Files created under it are what the rule alerts on. */
  dir: string;
  rules: string;
}

/** A temp dir and a rules file whose one rule alerts on every file opened for writing in it. */
export function alertDir(priority = 'WARNING'): AlertDir {
  const root = tempDir();
  const dir = join(root, 'watched');
  mkdirSync(dir);
  const rules = join(root, 'rules.yaml');
  writeFileSync(
    rules,
    `- rule: Test file written
  desc: a file was created in the test's directory
  condition: evt.type in (open, openat, openat2) and evt.dir=< and evt.is_open_write=true and fd.name startswith ${dir}/
  output: "wrote %fd.name by %proc.name"
  priority: ${priority}
  tags: [test]
`,
  );
  return { dir, rules };
}

/**
 * Creates `names` in `dir`, in order, from one shell (one open each); with `gapS`, that long apart,
 * so that each alert comes in a batch of its own.
 */
export function createFiles(dir: string, names: string[], gapS = 0): void {
  const script = names.map((_, i) => `: > "\${${i + 1}}"`).join(gapS ? `\nsleep ${gapS}\n` : '\n');
  const r = spawnSync('/bin/sh', ['-c', script, 'sh', ...names.map((n) => join(dir, n))], { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`could not create the files in ${dir}`);
}

/** A file name: text, or raw bytes (for a name that is not UTF-8). */
export type FileName = string | number[];

/** File names an attacker may choose, and how falconet must write them in an alert line. */
export const HOSTILE: { name: FileName; escaped: string }[] = [
  { name: 'new\nline', escaped: 'new\\nline' },
  { name: 'esc\x1b[31mred', escaped: 'esc\\x1b[31mred' },
  { name: 'car\rriage', escaped: 'car\\rriage' },
  { name: 'frame\n<0>1 2026-01-01T00:00:00Z evil app - - - forged', escaped: 'frame\\n<0>1 2026-01-01T00:00:00Z evil app - - - forged' },
  { name: [0x62, 0x61, 0x64, 0xff], escaped: 'bad\\xff' }, // "bad" and a byte that is not UTF-8
  { name: 'rtl\u202eoverride', escaped: 'rtl\\u202eoverride' },
];

/**
 * Opens (creates) `dir/name`: by touch (a text name holding `/` gets its directories first), or for
 * raw bytes from this process with a Buffer path.
 */
export function touch(dir: string, name: FileName): void {
  if (typeof name === 'string') {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    const r = spawnSync('touch', [join(dir, name)]);
    if (r.status !== 0) throw new Error(`touch ${JSON.stringify(name)}: ${r.stderr}`);
  } else {
    writeFileSync(Buffer.concat([Buffer.from(`${dir}/`), Buffer.from(name)]), '');
  }
}

/** The lines of a file ([] while it does not exist). */
export function linesOf(file: string): string[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

/** A live `falconet run` alerting on opens under `dir/w/`, and what it printed. */
export class Run {
  readonly watched: string;
  private constructor(
    readonly dir: string,
    readonly live: LiveCommand,
  ) {
    this.watched = join(dir, 'w');
  }

  get pid(): number {
    return this.live.child.pid!;
  }

  /** Starts it with `-o` each of `options` (the channel under test), watching `dir/w` (made here). */
  static async start(options: string[], dir = tempDir()): Promise<Run> {
    mkdirSync(join(dir, 'w'));
    const rules = join(dir, 'rules.yaml');
    writeFileSync(rules, `
- rule: Opened under the test directory
  desc: an open of a file under the test's watched directory
  condition: evt.type in (open, openat, openat2) and evt.dir=< and fd.name startswith ${dir}/w/
  output: "opened %fd.name by %proc.cmdline"
  priority: WARNING
`);
    const args = ['run', '-r', rules, '--no-append-output', '--no-docker', '-o', 'outputs_queue.drain_timeout_ms=500'];
    for (const o of options) args.push('-o', o);
    return new Run(dir, await startLive(args));
  }

  /** The alert lines on stdout about opens under the watched directory. */
  lines(): string[] {
    return this.live.out.stdout.split('\n').filter((l) => l.includes(` opened ${this.watched}/`));
  }

  /** Opens each name under the watched directory, in order; resolves once stdout has their alerts. */
  async trigger(names: FileName[]): Promise<string[]> {
    const before = this.lines().length;
    for (const n of names) touch(this.watched, n);
    await until(() => this.lines().length >= before + names.length, 5_000);
    const fresh = this.lines().slice(before);
    expect(fresh, this.live.out.stderr).toHaveLength(names.length);
    return fresh;
  }

  /** Stops falconet (it must exit 0) and returns its channels' stats. */
  async stop(): Promise<Record<string, ChannelStats>> {
    const code = await this.live.stop();
    expect(code, this.live.out.stderr).toBe(0);
    return stoppedCounts(this.live.out.stderr);
  }
}

/** The per-channel counts from the 'stopped' log line. */
export function stoppedCounts(stderr: string): Record<string, ChannelStats> {
  const line = stderr.split('\n').find((l) => l.includes('"msg":"stopped"'));
  if (!line) throw new Error(`falconet logged no 'stopped' line:\n${stderr}`);
  return (JSON.parse(line) as { outputs: Record<string, ChannelStats> }).outputs;
}

/** The JSON alerts on stdout whose file is under `dir`, as [file name, alert]. */
export function alertsIn(stdout: string, dir: string): { name: string; rule: string; output: string; fields: Record<string, unknown> }[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { rule: string; output: string; output_fields: Record<string, unknown> })
    .filter((a) => typeof a.output_fields['fd.name'] === 'string' && (a.output_fields['fd.name'] as string).startsWith(`${dir}/`))
    .map((a) => ({ name: (a.output_fields['fd.name'] as string).slice(dir.length + 1), rule: a.rule, output: a.output, fields: a.output_fields }));
}
