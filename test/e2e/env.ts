// Why kernel tests cannot run here, if they cannot. They never skip: each suite's "is possible here"
// test fails with this reason, so a machine without root, BTF or the addon cannot pass for a tested one.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ROOT } from '../cli/cli.js';

export function kernelTestsPossible(): string | undefined {
  if (process.getuid?.() !== 0) return 'kernel tests need root';
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'the kernel exposes no BTF (/sys/kernel/btf/vmlinux)';
  if (!existsSync(`${ROOT}/build/Release/falconet_probe.node`)) return 'the probe addon is not built (npm ci builds it)';
  return undefined;
}

/** Runs a program to completion; resolves with its pid, rejects when it fails. */
export function runChild(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(child.pid!) : reject(new Error(`${cmd} exited ${code}`))));
  });
}

export async function until(done: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !done() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
}

export interface LiveCommand {
  child: ChildProcess;
  /** Everything the command printed so far. */
  out: { stdout: string; stderr: string };
  /** SIGINT, as a user's Ctrl-C, then its exit code. */
  stop(): Promise<number | null>;
}

/** Starts `falconet run ...` or `falconet capture ...` and resolves once its probe is attached. */
export async function startLive(args: string[]): Promise<LiveCommand> {
  // The webserver's fixed default port would let only one monitor run at a time: tests that start
  // two side by side, or one whose predecessor is still stopping, take a free port instead.
  if (args[0] === 'run' && !args.some((a) => a.startsWith('webserver.'))) args = [...args, '-o', 'webserver.listen_port=0'];
  // Rules that compare fd.sip.name with names (Falco's kubernetes.default.svc.cluster.local) would have
  // the monitor ask the network's DNS server: tests resolve /etc/hosts names only (src/metadata/dns).
  const env = { ...process.env, FALCONET_DNS_HOSTS_ONLY: process.env.FALCONET_DNS_HOSTS_ONLY ?? '1' };
  const child = spawn(process.execPath, [`${ROOT}/dist/cli/main.js`, ...args], { cwd: ROOT, env });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await until(() => out.stderr.includes('probe attached') || child.exitCode !== null, 30_000);
  if (!out.stderr.includes('probe attached')) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw new Error(`falconet ${args[0]} did not start:\n${out.stderr}`);
  }
  return {
    child,
    out,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

/** One alert as `falconet run --json` prints it. */
export interface JsonAlert {
  rule: string;
  output: string;
  output_fields: Record<string, string | number | boolean | null | string[]>;
}

/**
 * Starts `falconet run ARGS --json`, runs `act` while it watches, lets the last batches arrive
 * (`settleMs`), stops it (it must exit 0) and returns its alerts, their raw lines and its stderr.
 */
export async function watchJson(args: string[], act: () => Promise<void> | void, settleMs = 1500): Promise<{ alerts: JsonAlert[]; lines: string[]; stderr: string }> {
  const live = await startLive(['run', ...args, '--json']);
  try {
    await act();
    await new Promise((r) => setTimeout(r, settleMs));
  } finally {
    const code = await live.stop();
    if (code !== 0) throw new Error(`falconet run exited ${code}:\n${live.out.stderr}`);
  }
  const lines = live.out.stdout.split('\n').filter((l) => l.startsWith('{'));
  return { alerts: lines.map((l) => JSON.parse(l) as JsonAlert), lines, stderr: live.out.stderr };
}
