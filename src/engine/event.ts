// The event model: what one syscall looks like to rules, plus the process and fd state it runs in.
// The kernel probe (native/probe/events.h) and the JSON Lines replay format both decode into these
// shapes; field extractors (src/engine/fields/) only ever read them.

/** A decoded syscall parameter. Flag and enum parameters keep their raw number; fields render them. */
export type ArgValue = string | number | bigint | SockAddr | string[] | undefined;

export type SockAddr =
  | { family: 'ipv4' | 'ipv6'; ip: string; port: number }
  | { family: 'unix'; path: string }
  | { family: 'unknown'; raw: number };

export type FdType =
  | 'file'
  | 'directory'
  | 'ipv4'
  | 'ipv6'
  | 'unix'
  | 'pipe'
  | 'event'
  | 'signalfd'
  | 'eventpoll'
  | 'inotify'
  | 'timerfd'
  | 'netlink'
  | 'memfd'
  | 'bpf'
  | 'userfaultfd'
  | 'io_uring'
  | 'unknown';

export type L4Proto = 'tcp' | 'udp' | 'icmp' | 'raw' | 'unknown';

/** One open file descriptor as the fd table knows it. */
export interface Fd {
  num: number;
  type: FdType;
  /**
   * Files: the absolute path. Sockets: "cip:cport->sip:sport" as Falco prints it. Unix sockets: the path.
   * Undefined when the monitor did not see where the fd came from (fd.name reads <NA>, never a guess).
   */
  name: string | undefined;
  /** O_* flags the fd was opened with (files only). */
  openFlags: number;
  l4proto?: L4Proto;
  /** Client and server ends of a connected or accepted socket (client = the side that called connect). */
  cip?: string;
  cport?: number;
  sip?: string;
  sport?: number;
  /** True when this process is the server end (the fd came from accept). */
  isServer?: boolean;
  connected?: boolean;
  /** fd.nameraw: the path exactly as the process passed it (before resolution), when known. */
  nameRaw?: string;
  dev?: number;
  ino?: number;
}

/** One thread (task). Threads of one process share `fds` and the process-wide fields. */
export interface Thread {
  tid: number;
  pid: number;
  ppid: number;
  /** proc.name: the comm of the task (at most 15 characters in the kernel). */
  comm: string;
  /** proc.exe: argv[0] as the process was started. */
  exe: string;
  /** proc.exepath: the full path of the executable. */
  exepath: string;
  /** proc.args: argv[1..]. */
  args: string[];
  cwd: string;
  uid: number;
  gid: number;
  euid: number;
  egid: number;
  /** user.loginuid: the audit login uid, -1 when unset (4294967295 in the kernel). */
  loginuid: number;
  /** proc.tty: the controlling terminal's device number, 0 for none. */
  tty: number;
  sid: number;
  pgid: number;
  /** pid/pgid as seen inside the process's own pid namespace. */
  vpid: number;
  vpgid: number;
  /** The cgroup path of the task in the unified hierarchy (or the first v1 hierarchy). */
  cgroup: string;
  /** The kernel's id of that cgroup (its kernfs inode), when a live record told us. */
  cgroupId?: bigint;
  /** container.id: 12-character id, or "host". */
  containerId: string;
  /** When the process started (exec or fork), ns since the epoch. */
  startTs: bigint;
  /** When the current image was exec'd, ns since the epoch. */
  execTs: bigint;
  env: string[];
  /** thread.cap_effective etc., as raw capability bit sets. */
  capEffective: bigint;
  capPermitted: bigint;
  capInheritable: bigint;
  /** The executable lives on an overlayfs upper layer (written after the container started). */
  exeUpperLayer: boolean;
  /** The executable was loaded from a memfd. */
  exeFromMemfd: boolean;
  /** Inode facts of the executable, when known: ns since the epoch. */
  exeIno?: number;
  exeInoCtime?: bigint;
  exeInoMtime?: bigint;
  /**
   * The leader thread (tid = pid) has exited while other threads of its process run on: its entry is
   * kept, since the process and its children still go by its pid, until the last thread exits.
   */
  leaderExited?: boolean;
  /** The thread has exited; its entry stays a moment for records still naming it (threads.ts). */
  exited?: boolean;
  fds: Map<number, Fd>;
}

/** Container metadata the engine knows about; the metadata layer fills it in. */
export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  imageRepository: string;
  imageTag: string;
  imageDigest: string;
  imageId: string;
  type: 'docker' | 'containerd' | 'cri-o' | 'podman' | 'host' | 'unknown';
  privileged: boolean;
  labels: Record<string, string>;
  mounts: ContainerMount[];
  startTs: bigint;
  healthcheck?: string[];
  /** The container's IP address, when the runtime reports one (the pod's, for a CRI container). */
  ip?: string;
  /** The container shares the host's network, pid or IPC namespace. */
  hostNetwork?: boolean;
  hostPid?: boolean;
  hostIpc?: boolean;
  /** Kubernetes facts, from CRI labels and the API server when known. */
  k8s?: K8sPodInfo;
}

export interface ContainerMount {
  source: string;
  dest: string;
  mode: string;
  rw: boolean;
  propagation: string;
}

export interface K8sPodInfo {
  podName: string;
  podUid: string;
  namespace: string;
  containerName: string;
  /** The pod sandbox's full id (k8s.pod.sandbox_id shows 12 characters), and its IP. */
  sandboxId?: string;
  podIp?: string;
  /** From the API server (empty until it answers). */
  podLabels: Record<string, string>;
  nsLabels: Record<string, string>;
  /** The owning workload, from the pod's owner references. */
  replicaSet?: string;
  deployment?: string;
}

export type EventDir = '>' | '<';

/**
 * One syscall (or scheduler) event. The probe pairs enter and exit in the kernel, so a syscall
 * arrives once, as an exit event ('<') carrying both its arguments and its return value.
 */
export interface SyscallEvent {
  /** evt.num: sequence number assigned by the engine. */
  num: number;
  /** evt.time: ns since the epoch. */
  ts: bigint;
  /** evt.type: Falco's event name (execve, openat, connect, procexit, ...). */
  type: string;
  dir: EventDir;
  tid: number;
  /** evt.rawres: the return value; a negative errno on failure. */
  res: number;
  /** Parameters under Falco's names for this event type (see src/engine/schema.ts). */
  args: Record<string, ArgValue>;
  /** The thread after the event's state change (after execve, the new image). */
  thread: Thread;
  /** The fd the event refers to: the new one for open/socket/accept, the fd argument otherwise. */
  fd?: Fd;
  /** fd.name_changed: this event changed the fd's name (a UDP socket's tuple moved to another peer). */
  fdNameChanged?: boolean;
}

/** Looks up what the engine knows beyond the event itself. */
export interface EngineContext {
  thread(tid: number): Thread | undefined;
  container(id: string): ContainerInfo | undefined;
  userName(uid: number): string | undefined;
  groupName(gid: number): string | undefined;
  /** Home directory and shell of a user, for user.homedir / user.shell. */
  userInfo(uid: number): { home: string; shell: string } | undefined;
  hostname: string;
  /**
   * The names (of those the rules compare fd.sip.name etc. with) whose resolved addresses include
   * `ip`; only a live host resolves them (src/metadata/dns).
   */
  dnsNames?(ip: string): readonly string[] | undefined;
}

/**
 * What a decoder hands the engine: one record as the kernel (or a replay file) saw it, before the
 * process and fd tables turn it into a SyscallEvent. The header fields mirror `struct fn_event_hdr`
 * in native/probe/events.h.
 */
export interface RawRecord {
  /** ns since the epoch (the decoder converts from boot time). */
  ts: bigint;
  type: string;
  tid: number;
  pid: number;
  ppid: number;
  uid: number;
  gid: number;
  loginuid: number;
  comm: string;
  cgroupId: bigint;
  /** The cgroup path, when the source knows it (replay files do; live records carry only cgroupId). */
  cgroup?: string;
  res: number;
  args: Record<string, ArgValue>;
}

/**
 * A process as seeded from /proc (or a capture's snapshot) when the engine starts: a Thread without
 * what only the engine derives (container id, exec facts), with its fds as a plain list.
 */
export type ProcSnapshot = Omit<
  Thread,
  'containerId' | 'cgroupId' | 'execTs' | 'exeUpperLayer' | 'exeFromMemfd' | 'leaderExited' | 'exited' | 'fds'
> & { fds: Fd[] };
