// Syscalls no per-syscall tracepoint reports, seen through the raw_syscalls fallback (r_sys_exit) on
// the live kernel: init_module/finit_module on a kernel without module support (no
// sys_exit_init_module tracepoint; the calls fail with ENOSYS, Falco still sees them), and ia32
// (compat) syscalls made with int 0x80 from a 64-bit helper compiled here, which only
// engine.modern_ebpf.ia32_syscalls captures. Also: events.h's syscall table against the kernel headers.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAddon } from '../../src/engine/probe/addon.js';
import { SYSCALLS_X86_64 } from '../../src/engine/syscalls-x86_64.js';
import { openProbe } from '../../src/engine/probe/index.js';
import { tempDir } from '../cli/cli.js';
import { kernelTestsPossible, watchJson, type JsonAlert } from './env.js';

const why = kernelTestsPossible();
const TRACEFS = '/sys/kernel/tracing/events/syscalls';

const FIELDS = ['evt.type', 'evt.res', 'evt.rawres', 'proc.name', 'proc.pid', 'proc.ppid', 'proc.cmdline', 'user.name', 'fd.name', 'evt.arg.uargs', 'evt.arg.len']
  .map((f) => `${f}=%${f}`)
  .join(' ');

/** A rules file: the default rules' module-load condition (without its container/loader part), and opens of `path`. */
function rulesFile(path: string): string {
  const file = join(tempDir(), 'rules.yaml');
  writeFileSync(
    file,
    `- rule: Kernel module load attempted
  desc: rules/default.yaml's Linux Kernel Module Injection Detected, any caller
  condition: evt.type in (init_module, finit_module)
  output: "module ${FIELDS}"
  priority: CRITICAL
- rule: Marker opened
  desc: the test's marker file opened
  condition: evt.type in (open, openat) and fd.name = ${path}
  output: "marker ${FIELDS}"
  priority: NOTICE
`,
  );
  return file;
}

/** Runs `cmd`; resolves with its pid and stdout once it exited 0. */
function run(cmd: string, args: string[]): Promise<{ pid: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve({ pid: child.pid!, stdout }) : reject(new Error(`${cmd} exited ${code}`))));
  });
}

const fieldsOf = (alerts: JsonAlert[], rule: string, pid: number) => alerts.filter((a) => a.rule === rule && a.output_fields['proc.pid'] === pid).map((a) => a.output_fields);

// ia32 syscalls from a 64-bit process: int 0x80 enters the kernel's compat path, as a 32-bit
// binary's calls do. Pointers must fit in 32 bits: a static, non-PIE binary's data does.
const INT80_C = `
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static long int80(long nr, long a, long b, long c) {
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}
static char path[4096];
static char image[64];
static const char params[] = "ia32=1";
int main(int argc, char **argv) {
	if (argc < 4) return 2;
	strncpy(path, argv[1], sizeof path - 1);
	long nr_openat = strtol(argv[2], 0, 10), nr_init_module = strtol(argv[3], 0, 10);
	long fd = int80(nr_openat, -100, (long)path, 0);               /* openat(AT_FDCWD, path, O_RDONLY) */
	long im = int80(nr_init_module, (long)image, sizeof image, (long)params); /* init_module */
	printf("%ld %ld\\n", fd, im);
	return fd >= 0 ? 0 : 1;
}
`;

function buildInt80(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'int80.c'), INT80_C);
  const bin = join(dir, 'int80');
  const r = spawnSync('gcc', ['-O1', '-static', '-no-pie', '-o', bin, join(dir, 'int80.c')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot build the int 0x80 helper (gcc, static libc): ${r.error?.message ?? r.stderr}`);
  return bin;
}

/** __NR_<name> from an asm/unistd header. */
function headerNumbers(file: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const [, name, nr] of readFileSync(file, 'utf8').matchAll(/^#define __NR_(\w+)\s+(\d+)$/gm)) m.set(name!, Number(nr));
  return m;
}

describe('raw_syscalls fallback: syscalls no per-syscall tracepoint reports (e2e)', () => {
  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it("events.h's syscall numbers are the kernel headers' (the ia32 ones the variant x_<name> reads right)", () => {
    const nr64 = headerNumbers('/usr/include/x86_64-linux-gnu/asm/unistd_64.h');
    const nr32 = headerNumbers('/usr/include/x86_64-linux-gnu/asm/unistd_32.h');
    // the tracepoint is named after the SYSCALL_DEFINE; the ia32 variants take 32-bit uids, mmap2's offset, fcntl64's
    const name64: Record<string, string> = { umount: 'umount2' };
    const name32: Record<string, string> = {
      umount: 'umount2', setuid: 'setuid32', setgid: 'setgid32', setresuid: 'setresuid32', setresgid: 'setresgid32', setreuid: 'setreuid32',
      setregid: 'setregid32', chown: 'chown32', lchown: 'lchown32', fchown: 'fchown32', mmap: 'mmap2', fcntl: 'fcntl64',
    };
    const table = loadAddon().syscallTable();
    expect(table.length).toBeGreaterThan(70);
    const rulesTable = new Map(SYSCALLS_X86_64.map(([nr, name]) => [name, nr]));
    for (const t of table) {
      expect(t.nr64, t.name).toBe(nr64.get(name64[t.name] ?? t.name));
      expect(t.nr64, t.name).toBe(rulesTable.get(name64[t.name] ?? t.name)); // the rules loader's table agrees
      if (t.nr32 !== -1) expect(t.nr32, t.name).toBe(nr32.get(name32[t.name] ?? t.name));
    }
    // the ones left out for ia32, and why: no plain accept (socketcall only), a compat msghdr
    expect(table.filter((t) => t.nr32 === -1).map((t) => t.name).sort()).toEqual(['accept', 'recvmsg', 'sendmsg']);
    // every syscall program of the BPF object has its numbers
    const progs = loadAddon().programNames().filter((p) => p.startsWith('x_'));
    expect(progs.filter((p) => !table.some((t) => `x_${t.name}` === p))).toEqual([]);
  });

  it('this kernel lacks the init_module tracepoints: the fallback serves them, and nothing else needs it', () => {
    expect(existsSync(`${TRACEFS}/sys_exit_openat`)).toBe(true); // tracefs is mounted (the probe mounts it)
    const missing = !existsSync(`${TRACEFS}/sys_exit_init_module`) && !existsSync(`${TRACEFS}/sys_exit_finit_module`);
    expect(missing, 'this test proves the fallback on a kernel without module support').toBe(true);
    const p = openProbe({ eventTypes: ['init_module', 'finit_module', 'openat'], onBatch: () => {} });
    try {
      expect(p.unavailable).toEqual([]); // served, so not reported as a type rules cannot see
      expect([...p.rawSlots()].sort((a, b) => a - b)).toEqual([175, 313]); // their x86-64 numbers, nothing more
    } finally {
      p.stop();
    }
    const q = openProbe({ eventTypes: ['openat'], onBatch: () => {} });
    try {
      expect(q.rawSlots()).toEqual([]); // not attached when no wanted syscall lacks its tracepoint
    } finally {
      q.stop();
    }
  });

  it('a real init_module and finit_module (ENOSYS here) fire the rule in `falconet run`, with the caller right', async () => {
    const marker = `falconet-modules-${process.pid}`;
    let py = { pid: 0, stdout: '' };
    const script = `import ctypes; l = ctypes.CDLL(None, use_errno=True); img = ctypes.create_string_buffer(64)
print(l.syscall(175, img, 64, b"${marker}=1"), ctypes.get_errno()); print(l.syscall(313, 0, b"${marker}=2", 0), ctypes.get_errno())`;
    const { alerts, stderr } = await watchJson(['-r', rulesFile('/nonexistent')], async () => {
      py = await run('python3', ['-c', script]);
    });
    expect(py.stdout).toBe('-1 38\n-1 38\n'); // both failed with ENOSYS: no module support
    expect(stderr).not.toMatch(/cannot capture these event types/);
    const got = fieldsOf(alerts, 'Kernel module load attempted', py.pid);
    expect(got.map((f) => f['evt.type']).sort()).toEqual(['finit_module', 'init_module']);
    for (const f of got) {
      expect(f).toMatchObject({ 'proc.name': 'python3', 'proc.pid': py.pid, 'proc.ppid': process.pid, 'user.name': 'root', 'evt.res': 'ENOSYS', 'evt.rawres': -38 });
      expect(f['proc.cmdline']).toMatch(/^python3 -c import ctypes/);
    }
    expect(got.find((f) => f['evt.type'] === 'init_module')).toMatchObject({ 'evt.arg.uargs': `${marker}=1`, 'evt.arg.len': '64' });
    expect(got.find((f) => f['evt.type'] === 'finit_module')).toMatchObject({ 'evt.arg.uargs': `${marker}=2` });
  });

  it('ia32 syscalls (int 0x80) are unseen by default and captured with engine.modern_ebpf.ia32_syscalls, arguments from the ia32 registers', async () => {
    const bin = buildInt80();
    const path = join(tempDir(), 'ia32-marker');
    writeFileSync(path, 'x');
    const rules = rulesFile(path);
    const table = loadAddon().syscallTable();
    const nr = (name: string) => String(table.find((t) => t.name === name)!.nr32);
    const args = [path, nr('openat'), nr('init_module')];

    let off = { pid: 0, stdout: '' };
    const before = await watchJson(['-r', rules], async () => {
      off = await run(bin, args);
    });
    expect(off.stdout).toMatch(/^\d+ -38\n$/); // the calls really happened: the open gave an fd, init_module ENOSYS
    expect(fieldsOf(before.alerts, 'Marker opened', off.pid)).toEqual([]);
    expect(fieldsOf(before.alerts, 'Kernel module load attempted', off.pid)).toEqual([]);

    let on = { pid: 0, stdout: '' };
    const after = await watchJson(['-r', rules, '-o', 'engine.modern_ebpf.ia32_syscalls=true'], async () => {
      on = await run(bin, args);
    });
    const fd = Number(on.stdout.split(' ')[0]);
    expect(fd).toBeGreaterThanOrEqual(3);
    const opened = fieldsOf(after.alerts, 'Marker opened', on.pid);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ 'evt.type': 'openat', 'fd.name': path, 'evt.rawres': fd, 'proc.name': 'int80', 'proc.ppid': process.pid });
    const loaded = fieldsOf(after.alerts, 'Kernel module load attempted', on.pid);
    expect(loaded).toHaveLength(1);
    expect(loaded[0]).toMatchObject({ 'evt.type': 'init_module', 'evt.res': 'ENOSYS', 'evt.arg.uargs': 'ia32=1', 'evt.arg.len': '64', 'proc.name': 'int80' });
  });

  it('with ia32 capture, says which requested types stay unseen for ia32 calls', () => {
    const p = openProbe({ eventTypes: ['sendmsg', 'openat', 'accept'], ia32: true, onBatch: () => {} });
    try {
      expect([...p.ia32Uncovered].sort()).toEqual(['accept', 'sendmsg']);
      expect(p.rawSlots()).toEqual([512 + 295]); // openat's ia32 slot only
    } finally {
      p.stop();
    }
  });
});
