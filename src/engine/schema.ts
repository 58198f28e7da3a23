// The event schema: every event type the engine understands, with its parameters under Falco's
// names. The kernel probe's record layout (native/probe/events.h) follows this table param by param;
// a test keeps the two in agreement. Field extractors render flag and enum params through `render`.
// Below the table: every other name evt.type may use (all syscalls, Falco's other events).

import { SYSCALLS_X86_64 } from './syscalls-x86_64.js';

export type ParamType =
  | 'fd' // int fd number
  | 'int' // signed integer
  | 'uint' // unsigned integer
  | 'path' // absolute path (resolved against cwd / dirfd by the probe or decoder)
  | 'string'
  | 'argv' // string[]
  | 'sockaddr' // SockAddr
  | 'mode' // file mode bits, rendered octal
  | 'uid'
  | 'gid'
  | 'pid'
  | `flags:${FlagSetName}` // bit flags rendered as NAME|NAME
  | `enum:${EnumName}`; // one value rendered as its NAME

export type FlagSetName =
  | 'open'
  | 'unlinkat'
  | 'renameat2'
  | 'mount'
  | 'umount'
  | 'clone'
  | 'memfd'
  | 'prot'
  | 'mmap'
  | 'accept4'
  | 'linkat'
  | 'execveat'
  | 'fchmodat'
  | 'socket_type';
export type EnumName = 'ptrace' | 'socket_family' | 'bpf_cmd' | 'fcntl' | 'seccomp_op' | 'unshare_ns' | 'prctl';

export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
}

export interface EventTypeSpec {
  /** Stable id used on the wire (native/probe/events.h `enum fn_event_type`). */
  readonly id: number;
  readonly name: string;
  readonly category: 'process' | 'file' | 'net' | 'ids' | 'system' | 'scheduler' | 'meta';
  readonly params: readonly ParamSpec[];
}

const p = (name: string, type: ParamType): ParamSpec => ({ name, type });

const PATH_AT = [p('dirfd', 'fd'), p('name', 'path')];

/** A task's capability sets as the kernel holds them after the call (Falco's names and order). */
const CAPS = [p('cap_inheritable', 'uint'), p('cap_permitted', 'uint'), p('cap_effective', 'uint')];

/**
 * What a successful exec's new image starts with: its capabilities, the executable's inode facts
 * (times in ns since the epoch; exe_upper_layer 1 when the file is on an overlayfs upper layer), the
 * tid exec was called from (old_tid: another thread than the leader, whose pid the caller took
 * over), the controlling terminal (tty, as /proc/PID/stat's tty_nr) and the environment.
 */
const EXEC_IMAGE = [
  ...CAPS,
  p('exe_ino', 'uint'),
  p('exe_ino_ctime', 'uint'),
  p('exe_ino_mtime', 'uint'),
  p('exe_upper_layer', 'uint'),
  p('old_tid', 'pid'),
  p('tty', 'uint'),
  p('env', 'argv'),
];

const CHILD_VIDS = [p('vtid', 'pid'), p('vpid', 'pid')];

/** Every event type, in wire-id order. Append only: ids are part of the capture file format. */
export const EVENT_TYPES: readonly EventTypeSpec[] = [
  { id: 0, name: 'unknown', category: 'meta', params: [] },
  // trusted_exepath (Falco's name): the file the new image runs, as /proc/PID/exe shows it; filename is
  // what the caller passed. Then, appended, what the new image starts with (EXEC_IMAGE).
  { id: 1, name: 'execve', category: 'process', params: [p('exe', 'string'), p('args', 'argv'), p('filename', 'path'), p('trusted_exepath', 'path'), ...EXEC_IMAGE] },
  { id: 2, name: 'execveat', category: 'process', params: [p('exe', 'string'), p('args', 'argv'), ...PATH_AT, p('flags', 'flags:execveat'), p('trusted_exepath', 'path'), ...EXEC_IMAGE] },
  // vtid, vpid (appended): the child's ids in its own pid namespace (1 for a container's init).
  { id: 3, name: 'clone', category: 'process', params: [p('flags', 'flags:clone'), p('childtid', 'pid'), ...CHILD_VIDS] },
  { id: 4, name: 'clone3', category: 'process', params: [p('flags', 'flags:clone'), p('childtid', 'pid'), ...CHILD_VIDS] },
  { id: 5, name: 'fork', category: 'process', params: [p('childtid', 'pid'), ...CHILD_VIDS] },
  { id: 6, name: 'vfork', category: 'process', params: [p('childtid', 'pid'), ...CHILD_VIDS] },
  { id: 7, name: 'procexit', category: 'process', params: [p('status', 'int')] },
  { id: 8, name: 'open', category: 'file', params: [p('fd', 'fd'), p('name', 'path'), p('flags', 'flags:open'), p('mode', 'mode'), p('dev', 'uint'), p('ino', 'uint')] },
  { id: 9, name: 'openat', category: 'file', params: [p('fd', 'fd'), ...PATH_AT, p('flags', 'flags:open'), p('mode', 'mode'), p('dev', 'uint'), p('ino', 'uint')] },
  { id: 10, name: 'openat2', category: 'file', params: [p('fd', 'fd'), ...PATH_AT, p('flags', 'flags:open'), p('mode', 'mode'), p('resolve', 'uint'), p('dev', 'uint'), p('ino', 'uint')] },
  { id: 11, name: 'creat', category: 'file', params: [p('fd', 'fd'), p('name', 'path'), p('mode', 'mode'), p('dev', 'uint'), p('ino', 'uint')] },
  { id: 12, name: 'close', category: 'file', params: [p('fd', 'fd')] },
  { id: 13, name: 'rename', category: 'file', params: [p('oldpath', 'path'), p('newpath', 'path')] },
  { id: 14, name: 'renameat', category: 'file', params: [p('olddirfd', 'fd'), p('oldpath', 'path'), p('newdirfd', 'fd'), p('newpath', 'path')] },
  { id: 15, name: 'renameat2', category: 'file', params: [p('olddirfd', 'fd'), p('oldpath', 'path'), p('newdirfd', 'fd'), p('newpath', 'path'), p('flags', 'flags:renameat2')] },
  { id: 16, name: 'unlink', category: 'file', params: [p('path', 'path')] },
  { id: 17, name: 'unlinkat', category: 'file', params: [...PATH_AT, p('flags', 'flags:unlinkat')] },
  { id: 18, name: 'mkdir', category: 'file', params: [p('path', 'path'), p('mode', 'mode')] },
  { id: 19, name: 'mkdirat', category: 'file', params: [p('dirfd', 'fd'), p('path', 'path'), p('mode', 'mode')] },
  { id: 20, name: 'rmdir', category: 'file', params: [p('path', 'path')] },
  { id: 21, name: 'link', category: 'file', params: [p('oldpath', 'path'), p('newpath', 'path')] },
  { id: 22, name: 'linkat', category: 'file', params: [p('olddir', 'fd'), p('oldpath', 'path'), p('newdir', 'fd'), p('newpath', 'path'), p('flags', 'flags:linkat')] },
  { id: 23, name: 'symlink', category: 'file', params: [p('target', 'string'), p('linkpath', 'path')] },
  { id: 24, name: 'symlinkat', category: 'file', params: [p('target', 'string'), p('linkdirfd', 'fd'), p('linkpath', 'path')] },
  { id: 25, name: 'chmod', category: 'file', params: [p('filename', 'path'), p('mode', 'mode')] },
  { id: 26, name: 'fchmod', category: 'file', params: [p('fd', 'fd'), p('mode', 'mode')] },
  { id: 27, name: 'fchmodat', category: 'file', params: [p('dirfd', 'fd'), p('filename', 'path'), p('mode', 'mode')] },
  { id: 28, name: 'chown', category: 'file', params: [p('path', 'path'), p('uid', 'uid'), p('gid', 'gid')] },
  { id: 29, name: 'lchown', category: 'file', params: [p('path', 'path'), p('uid', 'uid'), p('gid', 'gid')] },
  { id: 30, name: 'fchown', category: 'file', params: [p('fd', 'fd'), p('uid', 'uid'), p('gid', 'gid')] },
  { id: 31, name: 'fchownat', category: 'file', params: [p('dirfd', 'fd'), p('pathname', 'path'), p('uid', 'uid'), p('gid', 'gid'), p('flags', 'uint')] },
  { id: 32, name: 'connect', category: 'net', params: [p('fd', 'fd'), p('addr', 'sockaddr'), p('laddr', 'sockaddr')] },
  { id: 33, name: 'accept', category: 'net', params: [p('fd', 'fd'), p('listenfd', 'fd'), p('addr', 'sockaddr'), p('laddr', 'sockaddr')] },
  { id: 34, name: 'accept4', category: 'net', params: [p('fd', 'fd'), p('listenfd', 'fd'), p('addr', 'sockaddr'), p('flags', 'flags:accept4'), p('laddr', 'sockaddr')] },
  { id: 35, name: 'bind', category: 'net', params: [p('fd', 'fd'), p('addr', 'sockaddr')] },
  { id: 36, name: 'listen', category: 'net', params: [p('fd', 'fd'), p('backlog', 'int')] },
  { id: 37, name: 'socket', category: 'net', params: [p('fd', 'fd'), p('domain', 'enum:socket_family'), p('type', 'flags:socket_type'), p('proto', 'uint')] },
  // The uid changes report the capability sets after the call (a uid change from root drops them).
  { id: 38, name: 'setuid', category: 'ids', params: [p('uid', 'uid'), ...CAPS] },
  { id: 39, name: 'setgid', category: 'ids', params: [p('gid', 'gid')] },
  { id: 40, name: 'setresuid', category: 'ids', params: [p('ruid', 'uid'), p('euid', 'uid'), p('suid', 'uid'), ...CAPS] },
  { id: 41, name: 'setresgid', category: 'ids', params: [p('rgid', 'gid'), p('egid', 'gid'), p('sgid', 'gid')] },
  { id: 42, name: 'setreuid', category: 'ids', params: [p('ruid', 'uid'), p('euid', 'uid'), ...CAPS] },
  { id: 43, name: 'setregid', category: 'ids', params: [p('rgid', 'gid'), p('egid', 'gid')] },
  { id: 44, name: 'ptrace', category: 'process', params: [p('request', 'enum:ptrace'), p('pid', 'pid'), p('addr', 'uint'), p('data', 'uint')] },
  { id: 45, name: 'mount', category: 'system', params: [p('dev', 'string'), p('dir', 'path'), p('type', 'string'), p('flags', 'flags:mount')] },
  { id: 46, name: 'umount2', category: 'system', params: [p('name', 'path'), p('flags', 'flags:umount')] },
  { id: 47, name: 'init_module', category: 'system', params: [p('len', 'uint'), p('uargs', 'string')] },
  { id: 48, name: 'finit_module', category: 'system', params: [p('fd', 'fd'), p('uargs', 'string'), p('flags', 'uint')] },
  { id: 49, name: 'memfd_create', category: 'file', params: [p('fd', 'fd'), p('name', 'string'), p('flags', 'flags:memfd')] },
  { id: 50, name: 'unshare', category: 'process', params: [p('flags', 'flags:clone')] },
  { id: 51, name: 'setns', category: 'process', params: [p('fd', 'fd'), p('nstype', 'flags:clone')] },
  { id: 52, name: 'chroot', category: 'process', params: [p('path', 'path')] },
  { id: 53, name: 'bpf', category: 'system', params: [p('cmd', 'enum:bpf_cmd')] },
  { id: 54, name: 'dup', category: 'file', params: [p('oldfd', 'fd')] },
  { id: 55, name: 'dup2', category: 'file', params: [p('oldfd', 'fd'), p('newfd', 'fd')] },
  { id: 56, name: 'dup3', category: 'file', params: [p('oldfd', 'fd'), p('newfd', 'fd'), p('flags', 'flags:open')] },
  { id: 57, name: 'fcntl', category: 'file', params: [p('fd', 'fd'), p('cmd', 'enum:fcntl')] },
  { id: 58, name: 'chdir', category: 'file', params: [p('path', 'path')] },
  { id: 59, name: 'fchdir', category: 'file', params: [p('fd', 'fd')] },
  { id: 60, name: 'sendto', category: 'net', params: [p('fd', 'fd'), p('size', 'uint'), p('tuple', 'sockaddr'), p('laddr', 'sockaddr')] },
  { id: 61, name: 'sendmsg', category: 'net', params: [p('fd', 'fd'), p('size', 'uint'), p('tuple', 'sockaddr'), p('laddr', 'sockaddr')] },
  { id: 62, name: 'recvfrom', category: 'net', params: [p('fd', 'fd'), p('size', 'uint'), p('tuple', 'sockaddr'), p('laddr', 'sockaddr')] },
  { id: 63, name: 'recvmsg', category: 'net', params: [p('fd', 'fd'), p('size', 'uint'), p('tuple', 'sockaddr'), p('laddr', 'sockaddr')] },
  { id: 64, name: 'read', category: 'file', params: [p('fd', 'fd'), p('size', 'uint')] },
  { id: 65, name: 'write', category: 'file', params: [p('fd', 'fd'), p('size', 'uint')] },
  { id: 66, name: 'pipe', category: 'file', params: [p('fd1', 'fd'), p('fd2', 'fd'), p('ino', 'uint')] },
  { id: 67, name: 'pipe2', category: 'file', params: [p('fd1', 'fd'), p('fd2', 'fd'), p('flags', 'flags:open'), p('ino', 'uint')] },
  { id: 68, name: 'kill', category: 'process', params: [p('pid', 'pid'), p('sig', 'int')] },
  { id: 69, name: 'prctl', category: 'process', params: [p('option', 'enum:prctl'), p('arg2', 'uint')] },
  { id: 70, name: 'seccomp', category: 'process', params: [p('op', 'enum:seccomp_op'), p('flags', 'uint')] },
  { id: 71, name: 'mprotect', category: 'system', params: [p('addr', 'uint'), p('length', 'uint'), p('prot', 'flags:prot')] },
  { id: 72, name: 'mmap', category: 'system', params: [p('addr', 'uint'), p('length', 'uint'), p('prot', 'flags:prot'), p('flags', 'flags:mmap'), p('fd', 'fd')] },
  // capset: the sets the task holds after the call, read from the kernel rather than the caller's buffer.
  { id: 73, name: 'capset', category: 'ids', params: CAPS },
  { id: 74, name: 'userfaultfd', category: 'file', params: [p('flags', 'uint')] },
  { id: 75, name: 'pidfd_getfd', category: 'process', params: [p('pidfd', 'fd'), p('targetfd', 'fd'), p('flags', 'uint')] },
  { id: 76, name: 'pidfd_open', category: 'process', params: [p('pid', 'pid'), p('flags', 'uint')] },
  { id: 77, name: 'process_vm_writev', category: 'process', params: [p('pid', 'pid')] },
  { id: 78, name: 'process_vm_readv', category: 'process', params: [p('pid', 'pid')] },
  { id: 79, name: 'io_uring_setup', category: 'system', params: [p('entries', 'uint')] },
  { id: 80, name: 'drop', category: 'meta', params: [p('dropped', 'uint')] },
  // The path of the cgroup whose id (the header's) records carry from here on; sent by the probe the
  // first time it meets that id. Never reaches rules.
  { id: 81, name: 'cgroup', category: 'meta', params: [p('path', 'path')] },
  // setsid makes the caller the leader of a new session and process group; setpgid's pid and pgid
  // are as the caller passed them, numbered in its pid namespace (0: the caller itself).
  { id: 82, name: 'setsid', category: 'process', params: [] },
  { id: 83, name: 'setpgid', category: 'process', params: [p('pid', 'pid'), p('pgid', 'pid')] },
];

export const EVENT_BY_NAME: ReadonlyMap<string, EventTypeSpec> = new Map(EVENT_TYPES.map((e) => [e.name, e]));
export const EVENT_BY_ID: readonly (EventTypeSpec | undefined)[] = EVENT_TYPES;

/** Every x86-64 syscall name (the kernel's syscall_64.tbl), captured or not. */
export const SYSCALL_NAMES: ReadonlySet<string> = new Set(SYSCALLS_X86_64.map(([, name]) => name));

/**
 * Falco's event names that are not x86-64 syscall names (libs' event table): its events that are
 * no syscall (container, procexit, signaldeliver, scheduler switches, page faults, plugin and
 * meta events, the iterator's task events), and its own names for syscalls, some of other
 * architectures (pread for pread64, umount for umount2, stat64, mmap2, send...).
 */
export const FALCO_EVENT_NAMES: ReadonlySet<string> = new Set([
  'syscall', 'procexit', 'signaldeliver', 'switch', 'page_fault', 'container', 'procinfo', 'infra', 'k8s',
  'mesos', 'drop', 'scapevent', 'asyncevent', 'notification', 'tracer', 'pluginevent', 'cpu_hotplug',
  'useradded', 'userdeleted', 'groupadded', 'groupdeleted', 'task', 'task_file_anon_inode',
  'task_file_directory', 'task_file_memfd', 'task_file_pipe', 'task_file_regular', 'task_file_socket_inet',
  'task_file_socket_inet6', 'task_file_socket_netlink', 'task_file_socket_unix',
  'pread', 'pwrite', 'prlimit', 'umount', 'stat64', 'lstat64', 'fstat64', 'llseek', 'mmap2', 'send', 'recv',
  'socketcall',
]);

/**
 * Whether `evt.type` may name this: an event type of this engine, a syscall or one of Falco's event
 * names. A name that is none of these is a typo (`evt.type = opne`), which Falco rejects too.
 * Whether falconet can capture it is another question (the loader's `capturable`).
 */
export function isKnownEventName(name: string): boolean {
  return EVENT_BY_NAME.has(name) || SYSCALL_NAMES.has(name) || FALCO_EVENT_NAMES.has(name);
}

/** Known names (see isKnownEventName) this engine has no event type for: rules on them never match here. */
export const FALCO_ONLY_EVENT_NAMES: ReadonlySet<string> = new Set(
  [...SYSCALL_NAMES, ...FALCO_EVENT_NAMES].filter((n) => !EVENT_BY_NAME.has(n)),
);
