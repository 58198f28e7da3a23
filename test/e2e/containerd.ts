// A real containerd for the CRI e2e tests, and the test playing the kubelet against it.
//
// It runs Debian's /usr/bin/containerd (1.6) with its own config, root, state and socket under a temp
// dir, never the one dockerd uses, so tests can kill and restart it at will. Images are built here
// offline (an OCI archive of the host's static busybox, imported with `ctr`): no registry, no dockerd.
// Pods run with the host's network namespace, so no CNI plugin or config is needed; containerd logs
// that CNI is missing and RunPodSandbox still works for a NODE network namespace.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { CriClient, type ContainerConfigInput, type MountInput, type PodSandboxConfigInput } from '../../src/metadata/cri/client.js';
import { busyboxRootfs } from './docker.js';

const CONTAINERD = '/usr/bin/containerd';
const CTR = '/usr/bin/ctr';
const SHIM = 'containerd-shim-runc-v2';
const BUSYBOX = '/bin/busybox';

/** The pod containers' image (a busybox rootfs with no command) and the sandbox ("pause") image. */
export const POD_IMAGE = 'docker.io/library/falconet-busybox:test';
export const PAUSE_IMAGE = 'docker.io/library/falconet-pause:test';

/** Why containerd tests cannot run here, or undefined. They fail with this reason; they never skip. */
export function containerdProblem(): string | undefined {
  if (process.getuid?.() !== 0) return 'containerd tests need root';
  for (const bin of [CONTAINERD, CTR, BUSYBOX]) if (!existsSync(bin)) return `${bin} is missing: bash scripts/setup-tests.sh installs it`;
  for (const bin of ['runc', SHIM]) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} is not on PATH: bash scripts/setup-tests.sh installs it`;
  }
  return undefined;
}

export interface PodSpec {
  name: string;
  namespace: string;
  uid: string;
  containerName: string;
  image?: string;
  command: string[];
  privileged?: boolean;
  /** Pod labels (on the sandbox) and container labels, beside the io.kubernetes.* ones the kubelet sets. */
  labels?: Record<string, string>;
  mounts?: MountInput[];
}

export interface RunningPod {
  spec: PodSpec;
  sandboxId: string;
  containerId: string;
}

export class Containerd {
  readonly socket: string;
  /**
   * The pods' cgroup parent, kubelet-like (`<it>/pod<uid>`, as /kubepods/besteffort/pod<uid>) but
   * private: under cgroupfs containers land in `<it>/pod<uid>/<id>`, which src/metadata/cgroup.ts
   * reads as containerd's, and stop() can remove it all without touching a real kubelet's tree.
   */
  readonly cgroupParent: string;
  /** The kubelet's connection; a new one after each restart. */
  client: CriClient;
  private child?: ChildProcess;
  /** It answered CRI once: a later stop() may start it again to clean up. */
  private served = false;

  private constructor(readonly dir: string) {
    this.socket = join(dir, 'containerd.sock');
    this.cgroupParent = `/kubepods-falconet-e2e-${basename(dir).slice(-6)}`;
    this.client = new CriClient(this.socket, 10_000);
  }

  /** Starts a private containerd and imports the test images into its k8s.io namespace. */
  static async start(): Promise<Containerd> {
    const c = new Containerd(mkdtempSync(join(tmpdir(), 'falconet-ctd-')));
    try {
      writeFileSync(join(c.dir, 'config.toml'), configToml(c.dir, c.socket));
      await c.launch();
      importImages(c.dir, c.socket);
      return c;
    } catch (err) {
      await c.stop();
      throw err;
    }
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Its log so far, for failure messages. */
  log(): string {
    try {
      return readFileSync(join(this.dir, 'containerd.log'), 'utf8');
    } catch {
      return '';
    }
  }

  /** SIGKILL, as a crash: the shims and their containers live on, as they do in production. */
  async kill(): Promise<void> {
    await this.signalAndWait('SIGKILL', 5_000);
  }

  /** Starts it again with the same config, root, state and socket (after kill()). */
  async restart(): Promise<void> {
    await this.launch();
    this.client.close();
    this.client = new CriClient(this.socket, 10_000);
  }

  /** Plays the kubelet: RunPodSandbox (host network, no CNI), CreateContainer, StartContainer. */
  async runPod(spec: PodSpec): Promise<RunningPod> {
    const sandboxConfig = sandboxConfigOf(spec, `${this.cgroupParent}/pod${spec.uid}`);
    const sandboxId = await this.client.runPodSandbox(sandboxConfig);
    const containerId = await this.client.createContainer(sandboxId, containerConfigOf(spec), sandboxConfig);
    await this.client.startContainer(containerId);
    return { spec, sandboxId, containerId };
  }

  /** What the kubelet does when a pod is deleted: stop and remove its container, then its sandbox. */
  async removePod(pod: RunningPod): Promise<void> {
    await this.client.stopContainer(pod.containerId, 0);
    await this.client.removeContainer(pod.containerId);
    await this.client.stopPodSandbox(pod.sandboxId);
    await this.client.removePodSandbox(pod.sandboxId);
  }

  /**
   * Removes every pod, stops containerd (by its pid) and removes the dir. A containerd a test killed
   * is started again first, so that it removes its pods itself; what is still left after that (shims
   * of ours, tasks in our cgroups, mounts under the dir) is ended and removed by hand.
   */
  async stop(): Promise<void> {
    if (this.served && !this.running()) await this.restart().catch(() => {});
    if (this.running()) {
      try {
        for (const s of await this.client.listPodSandbox()) {
          await this.client.stopPodSandbox(s.id).catch(() => {});
          await this.client.removePodSandbox(s.id).catch(() => {});
        }
      } catch {
        // containerd does not answer: the shims are ended below
      }
      await this.signalAndWait('SIGTERM', 10_000);
      await this.signalAndWait('SIGKILL', 5_000);
    }
    this.client.close();
    const leftovers = [...shimsOf(this.socket), ...tasksIn(this.cgroupParent)];
    for (const pid of leftovers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (leftovers.length) await new Promise((r) => setTimeout(r, 500));
    unmountUnder(this.dir);
    removeCgroups(this.cgroupParent);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Starts the daemon and resolves once its CRI service answers. */
  private async launch(): Promise<void> {
    const fd = openSync(join(this.dir, 'containerd.log'), 'a');
    this.child = spawn(CONTAINERD, ['--config', join(this.dir, 'config.toml'), '--log-level', 'info'], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const exited = new Promise<void>((resolve) => this.child?.once('exit', () => resolve()));
    const end = Date.now() + 20_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`containerd exited ${this.child.exitCode}:\n${this.log().slice(-3000)}`);
      // A fresh channel each try: one that met a missing socket would wait out grpc's own backoff.
      const probe = new CriClient(this.socket, 1_000);
      const up = await probe.version().then((v) => v.runtime_name !== '', () => false);
      probe.close();
      if (up) {
        this.served = true;
        return;
      }
      if (Date.now() > end) throw new Error(`containerd did not serve CRI on ${this.socket} within 20 s:\n${this.log().slice(-3000)}`);
      await Promise.race([new Promise((r) => setTimeout(r, 100)), exited]);
    }
  }

  private running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private async signalAndWait(signal: NodeJS.Signals, ms: number): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid, signal);
    await Promise.race([exited, new Promise((r) => setTimeout(r, ms))]);
  }
}

/**
 * containerd 1.6's config, version 2. Surprising needs: the legacy io.containerd.runtime.v1.linux
 * plugin cannot be disabled (1.6's tasks service, which CRI depends on, requires it); oom scores are
 * restricted (below); CNI dirs point into the temp dir, where there is no config: only host-network
 * pods can run, which is all the tests need.
 */
function configToml(dir: string, socket: string): string {
  return `version = 2
root = "${dir}/root"
state = "${dir}/state"
# snapshotters the tests do not use: fewer probes at start, less noise in the log
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]

[grpc]
  address = "${socket}"

[ttrpc]
  address = "${socket}.ttrpc"

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    # The sandbox asks for oom_score_adj -998, and lowering it needs CAP_SYS_RESOURCE, which a root
    # in a VM or container may lack (runc then fails: "can't get final child's PID from pipe").
    # This clamps pods' scores to containerd's own instead.
    restrict_oom_score_adj = true
    sandbox_image = "${PAUSE_IMAGE}"
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          # runc's state, by default in /run/containerd/runc/k8s.io, shared with any containerd here
          Root = "${dir}/runc"
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "${dir}/cni/bin"
      conf_dir = "${dir}/cni/net.d"
  [plugins."io.containerd.internal.v1.opt"]
    path = "${dir}/opt"
`;
}

// ---- the kubelet's requests ----

const HOST_NETWORK = { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' } as const;

function sandboxConfigOf(spec: PodSpec, cgroupParent: string): PodSandboxConfigInput {
  return {
    metadata: { name: spec.name, uid: spec.uid, namespace: spec.namespace, attempt: 0 },
    labels: {
      ...spec.labels,
      'io.kubernetes.pod.name': spec.name,
      'io.kubernetes.pod.namespace': spec.namespace,
      'io.kubernetes.pod.uid': spec.uid,
    },
    // A privileged container needs a privileged sandbox: containerd refuses it otherwise.
    linux: { cgroup_parent: cgroupParent, security_context: { namespace_options: HOST_NETWORK, privileged: spec.privileged === true } },
  };
}

function containerConfigOf(spec: PodSpec): ContainerConfigInput {
  return {
    metadata: { name: spec.containerName, attempt: 0 },
    image: { image: spec.image ?? POD_IMAGE },
    command: spec.command,
    labels: {
      ...spec.labels,
      'io.kubernetes.container.name': spec.containerName,
      'io.kubernetes.pod.name': spec.name,
      'io.kubernetes.pod.namespace': spec.namespace,
      'io.kubernetes.pod.uid': spec.uid,
    },
    mounts: spec.mounts,
    linux: { security_context: { privileged: spec.privileged === true, namespace_options: HOST_NETWORK } },
  };
}

// ---- images, offline ----

/** Imports POD_IMAGE and PAUSE_IMAGE (the same busybox layer; the pause one sleeps forever). */
function importImages(dir: string, socket: string): void {
  const work = join(dir, 'image');
  const rootfs = join(work, 'rootfs');
  const oci = join(work, 'oci');
  busyboxRootfs(rootfs);
  mkdirSync(join(oci, 'blobs/sha256'), { recursive: true });
  const layer = tarOf(rootfs);
  const layerDesc = putBlob(oci, layer, 'application/vnd.oci.image.layer.v1.tar');
  const manifests = [
    imageManifest(oci, POD_IMAGE, layerDesc, null),
    imageManifest(oci, PAUSE_IMAGE, layerDesc, ['sleep', 'infinity']),
  ];
  writeFileSync(join(oci, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(oci, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests }));
  const archive = join(work, 'images.tar');
  writeFileSync(archive, tarOf(oci));
  const r = spawnSync(CTR, ['-a', socket, '-n', 'k8s.io', 'images', 'import', archive], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ctr images import failed: ${r.stderr}`);
  rmSync(work, { recursive: true, force: true });
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

function imageManifest(oci: string, name: string, layer: Descriptor, cmd: string[] | null): Descriptor {
  const config = {
    architecture: ociArch(),
    os: 'linux',
    config: { Env: ['PATH=/bin'], Cmd: cmd },
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
  };
  const configDesc = putBlob(oci, Buffer.from(JSON.stringify(config)), 'application/vnd.oci.image.config.v1+json');
  const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configDesc, layers: [layer] };
  const desc = putBlob(oci, Buffer.from(JSON.stringify(manifest)), manifest.mediaType);
  // `ctr images import` names the image from this annotation.
  return { ...desc, annotations: { 'io.containerd.image.name': name } };
}

function putBlob(oci: string, data: Buffer, mediaType: string): Descriptor {
  const hex = createHash('sha256').update(data).digest('hex');
  writeFileSync(join(oci, 'blobs/sha256', hex), data);
  return { mediaType, digest: `sha256:${hex}`, size: data.length };
}

function ociArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[process.arch] ?? process.arch;
}

function tarOf(dir: string): Buffer {
  const r = spawnSync('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', dir, '-c', '.'], { maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`tar failed: ${r.stderr.toString()}`);
  return r.stdout;
}

// ---- cleanup of what a failed test left ----

/** Pids of runc shims serving this containerd (their command line names its socket). */
function shimsOf(socket: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (argv[0]?.endsWith(SHIM) && argv.includes(socket)) pids.push(Number(entry));
  }
  return pids;
}

/** Unmounts rootfs and shm mounts a killed containerd left under `dir`, deepest first. */
function unmountUnder(dir: string): void {
  const mounts = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => (l.split(' ')[1] ?? '').replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((m) => m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) spawnSync('umount', ['-l', m]);
}

const CGROUP_ROOT = '/sys/fs/cgroup';

/** The mounted hierarchies' roots: /sys/fs/cgroup itself (v2) and each v1 controller's dir. */
function cgroupHierarchies(): string[] {
  return [CGROUP_ROOT, ...readdirSync(CGROUP_ROOT, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(CGROUP_ROOT, d.name))];
}

/** Pids of the tasks still in the cgroup `parent` or below it: our pods' processes, nobody else's. */
function tasksIn(parent: string): number[] {
  const pids = new Set<number>();
  const walk = (dir: string): void => {
    try {
      for (const line of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (line) pids.add(Number(line));
      for (const d of readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) walk(join(dir, d.name));
    } catch {
      // not there in this hierarchy
    }
  };
  for (const h of cgroupHierarchies()) walk(join(h, parent));
  return [...pids];
}

/** Removes the cgroup `parent` and what is below it, deepest first, in every hierarchy mounted. */
function removeCgroups(parent: string): void {
  const hierarchies = cgroupHierarchies();
  const rmdirTree = (dir: string): void => {
    for (const d of readdirSync(dir, { withFileTypes: true })) if (d.isDirectory()) rmdirTree(join(dir, d.name));
    rmdirSync(dir); // a cgroup's control files go with it
  };
  for (const h of hierarchies) {
    const top = join(h, parent);
    if (existsSync(top)) {
      try {
        rmdirTree(top);
      } catch {
        // a task still in it: left for the next run's cleanup
      }
    }
  }
}
