// Child processes for e2e tests, run without blocking the event loop. The monitor under test is a
// child of the test process and its alerts only keep flowing while its stdout pipe is read; and
// vitest's worker must answer its own RPCs: a long spawnSync (an image build, npm ci) starves both.
import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) after this long; 30 s unless said. */
  timeoutMs?: number;
}

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function options(opts: RunOptions | number | undefined): RunOptions {
  return typeof opts === 'number' ? { timeoutMs: opts } : (opts ?? {});
}

/** Runs a program to completion; resolves with its exit code and output, whatever they are. */
export function exec(cmd: string, args: string[], opts?: RunOptions | number): Promise<Ran> {
  const o = options(opts);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: o.cwd, env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Like exec, but a non-zero exit (or a kill) is an error carrying the end of its output. */
export async function run(cmd: string, args: string[], opts?: RunOptions | number): Promise<Ran> {
  const r = await exec(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.signal ?? r.code}):\n${r.stderr.slice(-3000)}${r.stdout.slice(-2000)}`);
  return r;
}

/** run's trimmed stdout, for set-up steps that must work. */
export async function must(cmd: string, args: string[], opts?: RunOptions | number): Promise<string> {
  return (await run(cmd, args, opts)).stdout.trim();
}
