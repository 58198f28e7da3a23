// What a user sees when the probe cannot start, on the real kernel: without the capabilities to load
// BPF (root with an empty capability bounding set, as in an unprivileged container) and without
// kernel BTF (hidden by a tmpfs in a mount namespace of the test's own).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../cli/cli.js';
import { kernelTestsPossible } from './env.js';

const why = kernelTestsPossible();
const CLI = join(ROOT, 'dist/cli/main.js');
const DROP_ALL_CAPS = ['--bounding-set', '-all', '--inh-caps', '-all', '--ambient-caps', '-all'];

describe('kernel probe start-up errors (e2e)', () => {
  it('is possible here', () => {
    expect(why, why).toBeUndefined();
  });

  it('without the capabilities to load BPF: names the cause and what to grant, and saves the libbpf log', () => {
    const dir = tempDir();
    const r = spawnSync('setpriv', [...DROP_ALL_CAPS, process.execPath, CLI, 'run', '--duration', '1'], { encoding: 'utf8', env: { ...process.env, TMPDIR: dir } });
    expect(r.status, r.stderr).toBe(2);
    const m = r.stderr.match(/falconet: cannot start the kernel probe \(EPERM\): loading the BPF programs was refused \(Operation not permitted\): run as root or grant CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE; libbpf log: (\S+)/);
    expect(m, r.stderr).not.toBeNull();
    const log = m![1]!;
    expect(existsSync(log)).toBe(true);
    expect(readFileSync(log, 'utf8')).toMatch(/Operation not permitted|permission/i);
    rmSync(log, { force: true });
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace for a deployment mistake
  });

  it('without kernel BTF: names the file and the kernel option', () => {
    const r = spawnSync('unshare', ['--mount', 'sh', '-c', `mount -t tmpfs none /sys/kernel/btf && exec "${process.execPath}" ${CLI} run --duration 1`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain('falconet: cannot start the kernel probe (ENOBTF): /sys/kernel/btf/vmlinux is missing: the kernel must be built with CONFIG_DEBUG_INFO_BTF=y');
  });
});
