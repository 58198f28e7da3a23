// Docker for the e2e tests: a dockerd must be running (scripts/with-services.sh starts one, with
// --bridge=none --iptables=false), and the test image is a busybox rootfs imported offline, built
// here once if it is missing. Containers run with --network none.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BUSYBOX_IMAGE = 'falconet-busybox:test';
const BUSYBOX = '/bin/busybox';

export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** Why Docker tests cannot run here, or undefined. They fail with this reason; they never skip. */
export function dockerProblem(): string | undefined {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8' });
  if (info.error) return `docker is not installed (${info.error.message}): bash scripts/setup-tests.sh installs it`;
  if (info.status !== 0) return `dockerd is not running (${info.stderr.trim()}): run the tests through scripts/with-services.sh`;
  try {
    ensureBusyboxImage();
  } catch (err) {
    return `cannot build the test image ${BUSYBOX_IMAGE}: ${(err as Error).message}`;
  }
  return undefined;
}

/** The busybox image, from the host's static busybox (Debian's busybox-static), imported offline. */
export function ensureBusyboxImage(): void {
  if (spawnSync('docker', ['image', 'inspect', BUSYBOX_IMAGE], { stdio: 'ignore' }).status === 0) return;
  if (!existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing: apt-get install busybox-static`);
  const root = mkdtempSync(join(tmpdir(), 'falconet-rootfs-'));
  try {
    busyboxRootfs(root);
    const tar = spawnSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 64 << 20 });
    if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr.toString()}`);
    const imp = spawnSync('docker', ['import', '-', BUSYBOX_IMAGE], { input: tar.stdout });
    if (imp.status !== 0) throw new Error(`docker import failed: ${imp.stderr.toString()}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The test images' root file system in `root`: the host's static busybox, its applets, root and nobody. */
export function busyboxRootfs(root: string): void {
  for (const d of ['bin', 'etc', 'tmp', 'root', 'proc', 'sys', 'dev']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync(BUSYBOX, join(root, 'bin/busybox'));
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter((a) => a && a !== 'busybox');
  for (const a of applets) symlinkSync('busybox', join(root, 'bin', a));
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
}

/** Starts a detached container (--network none) and returns its full id; removed by removeContainers. */
export function startContainer(name: string, ...cmd: string[]): string {
  spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
  return docker('run', '-d', '--name', name, '--network', 'none', BUSYBOX_IMAGE, ...cmd);
}

export function removeContainers(...names: string[]): void {
  if (names.length) spawnSync('docker', ['rm', '-f', ...names], { stdio: 'ignore' });
}

/** The host pid of a running container's init. */
export function initPid(name: string): number {
  return Number(docker('inspect', '-f', '{{.State.Pid}}', name));
}
