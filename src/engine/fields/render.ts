// How raw syscall parameters read as text, the way Falco prints them: flag sets as NAME|NAME,
// enums as their NAME, errnos as ENOENT, capability sets as "CAP_A CAP_B". Values are Linux x86_64.

import type { EnumName, FlagSetName } from '../schema.js';

/** One named bit pattern: it is present when `(raw & mask) === value`. */
interface FlagBit {
  name: string;
  mask: number;
  value: number;
}

const bit = (name: string, value: number): FlagBit => ({ name, mask: value >>> 0, value: value >>> 0 });
/** A pattern inside a multi-bit field (access mode, socket type) or a name for zero. */
const field = (name: string, mask: number, value: number): FlagBit => ({ name, mask: mask >>> 0, value: value >>> 0 });
const ZERO = 0xffffffff;

// Order follows how Falco lists them (e.g. O_TRUNC|O_CREAT|O_WRONLY|O_CLOEXEC).
const OPEN: FlagBit[] = [
  bit('O_LARGEFILE', 0o100000), bit('O_DIRECTORY', 0o200000), bit('O_DIRECT', 0o40000), bit('O_TRUNC', 0o1000),
  bit('O_SYNC', 0o4000000), bit('O_NONBLOCK', 0o4000), bit('O_EXCL', 0o200), bit('O_DSYNC', 0o10000),
  bit('O_APPEND', 0o2000), bit('O_CREAT', 0o100), field('O_RDWR', 3, 2), field('O_WRONLY', 3, 1),
  field('O_RDONLY', 3, 0), bit('O_CLOEXEC', 0o2000000), bit('O_NOFOLLOW', 0o400000), bit('O_NOATIME', 0o1000000),
  bit('O_NOCTTY', 0o400), bit('O_PATH', 0o10000000), bit('O_TMPFILE', 0o20000000), bit('O_ASYNC', 0o20000),
];

const CLONE: FlagBit[] = [
  bit('CLONE_VM', 0x100), bit('CLONE_FS', 0x200), bit('CLONE_FILES', 0x400), bit('CLONE_SIGHAND', 0x800),
  bit('CLONE_PIDFD', 0x1000), bit('CLONE_PTRACE', 0x2000), bit('CLONE_VFORK', 0x4000), bit('CLONE_PARENT', 0x8000),
  bit('CLONE_THREAD', 0x10000), bit('CLONE_NEWNS', 0x20000), bit('CLONE_SYSVSEM', 0x40000),
  bit('CLONE_SETTLS', 0x80000), bit('CLONE_PARENT_SETTID', 0x100000), bit('CLONE_CHILD_CLEARTID', 0x200000),
  bit('CLONE_DETACHED', 0x400000), bit('CLONE_UNTRACED', 0x800000), bit('CLONE_CHILD_SETTID', 0x1000000),
  bit('CLONE_NEWCGROUP', 0x2000000), bit('CLONE_NEWUTS', 0x4000000), bit('CLONE_NEWIPC', 0x8000000),
  bit('CLONE_NEWUSER', 0x10000000), bit('CLONE_NEWPID', 0x20000000), bit('CLONE_NEWNET', 0x40000000),
  bit('CLONE_IO', 0x80000000),
];

const MOUNT: FlagBit[] = [
  'MS_RDONLY', 'MS_NOSUID', 'MS_NODEV', 'MS_NOEXEC', 'MS_SYNCHRONOUS', 'MS_REMOUNT', 'MS_MANDLOCK', 'MS_DIRSYNC',
  'MS_NOSYMFOLLOW', '', 'MS_NOATIME', 'MS_NODIRATIME', 'MS_BIND', 'MS_MOVE', 'MS_REC', 'MS_SILENT', 'MS_POSIXACL',
  'MS_UNBINDABLE', 'MS_PRIVATE', 'MS_SLAVE', 'MS_SHARED', 'MS_RELATIME', 'MS_KERNMOUNT', 'MS_I_VERSION',
  'MS_STRICTATIME', 'MS_LAZYTIME',
].flatMap((name, i) => (name ? [bit(name, 2 ** i)] : []));

const SOCK_FLAGS = [bit('SOCK_NONBLOCK', 0o4000), bit('SOCK_CLOEXEC', 0o2000000)];
const SOCK_TYPES: [string, number][] = [
  ['SOCK_STREAM', 1], ['SOCK_DGRAM', 2], ['SOCK_RAW', 3], ['SOCK_RDM', 4], ['SOCK_SEQPACKET', 5], ['SOCK_DCCP', 6], ['SOCK_PACKET', 10],
];

export const FLAG_SETS: Record<FlagSetName, readonly FlagBit[]> = {
  open: OPEN,
  unlinkat: [bit('AT_REMOVEDIR', 0x200)],
  renameat2: [bit('RENAME_NOREPLACE', 1), bit('RENAME_EXCHANGE', 2), bit('RENAME_WHITEOUT', 4)],
  mount: MOUNT,
  umount: [bit('MNT_FORCE', 1), bit('MNT_DETACH', 2), bit('MNT_EXPIRE', 4), bit('UMOUNT_NOFOLLOW', 8)],
  clone: CLONE,
  memfd: [bit('MFD_CLOEXEC', 1), bit('MFD_ALLOW_SEALING', 2), bit('MFD_HUGETLB', 4), bit('MFD_NOEXEC_SEAL', 8), bit('MFD_EXEC', 0x10)],
  prot: [field('PROT_NONE', ZERO, 0), bit('PROT_READ', 1), bit('PROT_WRITE', 2), bit('PROT_EXEC', 4), bit('PROT_SEM', 8),
    bit('PROT_GROWSDOWN', 0x01000000), bit('PROT_GROWSUP', 0x02000000)],
  mmap: [field('MAP_SHARED', 3, 1), field('MAP_PRIVATE', 3, 2), field('MAP_SHARED_VALIDATE', 3, 3), bit('MAP_FIXED', 0x10),
    bit('MAP_ANONYMOUS', 0x20), bit('MAP_32BIT', 0x40), bit('MAP_GROWSDOWN', 0x100), bit('MAP_DENYWRITE', 0x800),
    bit('MAP_EXECUTABLE', 0x1000), bit('MAP_LOCKED', 0x2000), bit('MAP_NORESERVE', 0x4000), bit('MAP_POPULATE', 0x8000),
    bit('MAP_NONBLOCK', 0x10000), bit('MAP_STACK', 0x20000), bit('MAP_HUGETLB', 0x40000), bit('MAP_SYNC', 0x80000),
    bit('MAP_FIXED_NOREPLACE', 0x100000)],
  accept4: SOCK_FLAGS,
  linkat: [bit('AT_SYMLINK_FOLLOW', 0x400), bit('AT_EMPTY_PATH', 0x1000)],
  execveat: [bit('AT_SYMLINK_NOFOLLOW', 0x100), bit('AT_EMPTY_PATH', 0x1000)],
  fchmodat: [bit('AT_SYMLINK_NOFOLLOW', 0x100)],
  socket_type: [...SOCK_TYPES.map(([n, v]) => field(n, 0xf, v)), ...SOCK_FLAGS],
};

/** File mode bits, for `mode` parameters (evt.arg.mode contains S_ISUID). */
export const MODE_BITS: readonly FlagBit[] = [
  'S_IXOTH', 'S_IWOTH', 'S_IROTH', 'S_IXGRP', 'S_IWGRP', 'S_IRGRP', 'S_IXUSR', 'S_IWUSR', 'S_IRUSR', 'S_ISVTX', 'S_ISGID', 'S_ISUID',
].map((name, i) => bit(name, 2 ** i));

const seq = (names: string[], from = 0): Map<number, string> => new Map(names.map((n, i) => [from + i, n]));

export const ENUMS: Record<EnumName, ReadonlyMap<number, string>> = {
  ptrace: new Map([
    ...seq(['PTRACE_TRACEME', 'PTRACE_PEEKTEXT', 'PTRACE_PEEKDATA', 'PTRACE_PEEKUSR', 'PTRACE_POKETEXT', 'PTRACE_POKEDATA',
      'PTRACE_POKEUSR', 'PTRACE_CONT', 'PTRACE_KILL', 'PTRACE_SINGLESTEP']),
    ...seq(['PTRACE_GETREGS', 'PTRACE_SETREGS', 'PTRACE_GETFPREGS', 'PTRACE_SETFPREGS', 'PTRACE_ATTACH', 'PTRACE_DETACH',
      'PTRACE_GETFPXREGS', 'PTRACE_SETFPXREGS'], 12),
    [24, 'PTRACE_SYSCALL'], [30, 'PTRACE_ARCH_PRCTL'], [31, 'PTRACE_SYSEMU'], [32, 'PTRACE_SYSEMU_SINGLESTEP'], [33, 'PTRACE_SINGLEBLOCK'],
    ...seq(['PTRACE_SETOPTIONS', 'PTRACE_GETEVENTMSG', 'PTRACE_GETSIGINFO', 'PTRACE_SETSIGINFO', 'PTRACE_GETREGSET',
      'PTRACE_SETREGSET', 'PTRACE_SEIZE', 'PTRACE_INTERRUPT', 'PTRACE_LISTEN', 'PTRACE_PEEKSIGINFO'], 0x4200),
  ]),
  socket_family: seq(['AF_UNSPEC', 'AF_UNIX', 'AF_INET', 'AF_AX25', 'AF_IPX', 'AF_APPLETALK', 'AF_NETROM', 'AF_BRIDGE',
    'AF_ATMPVC', 'AF_X25', 'AF_INET6', 'AF_ROSE', 'AF_DECnet', 'AF_NETBEUI', 'AF_SECURITY', 'AF_KEY', 'AF_NETLINK',
    'AF_PACKET', 'AF_ASH', 'AF_ECONET', 'AF_ATMSVC', 'AF_RDS', 'AF_SNA', 'AF_IRDA', 'AF_PPPOX', 'AF_WANPIPE', 'AF_LLC',
    'AF_IB', 'AF_MPLS', 'AF_CAN', 'AF_TIPC', 'AF_BLUETOOTH', 'AF_IUCV', 'AF_RXRPC', 'AF_ISDN', 'AF_PHONET',
    'AF_IEEE802154', 'AF_CAIF', 'AF_ALG', 'AF_NFC', 'AF_VSOCK', 'AF_KCM', 'AF_QIPCRTR', 'AF_SMC', 'AF_XDP', 'AF_MCTP']),
  bpf_cmd: seq(['BPF_MAP_CREATE', 'BPF_MAP_LOOKUP_ELEM', 'BPF_MAP_UPDATE_ELEM', 'BPF_MAP_DELETE_ELEM', 'BPF_MAP_GET_NEXT_KEY',
    'BPF_PROG_LOAD', 'BPF_OBJ_PIN', 'BPF_OBJ_GET', 'BPF_PROG_ATTACH', 'BPF_PROG_DETACH', 'BPF_PROG_TEST_RUN',
    'BPF_PROG_GET_NEXT_ID', 'BPF_MAP_GET_NEXT_ID', 'BPF_PROG_GET_FD_BY_ID', 'BPF_MAP_GET_FD_BY_ID',
    'BPF_OBJ_GET_INFO_BY_FD', 'BPF_PROG_QUERY', 'BPF_RAW_TRACEPOINT_OPEN', 'BPF_BTF_LOAD', 'BPF_BTF_GET_FD_BY_ID',
    'BPF_TASK_FD_QUERY', 'BPF_MAP_LOOKUP_AND_DELETE_ELEM', 'BPF_MAP_FREEZE', 'BPF_BTF_GET_NEXT_ID',
    'BPF_MAP_LOOKUP_BATCH', 'BPF_MAP_LOOKUP_AND_DELETE_BATCH', 'BPF_MAP_UPDATE_BATCH', 'BPF_MAP_DELETE_BATCH',
    'BPF_LINK_CREATE', 'BPF_LINK_UPDATE', 'BPF_LINK_GET_FD_BY_ID', 'BPF_LINK_GET_NEXT_ID', 'BPF_ENABLE_STATS',
    'BPF_ITER_CREATE', 'BPF_LINK_DETACH', 'BPF_PROG_BIND_MAP', 'BPF_TOKEN_CREATE']),
  fcntl: new Map([
    ...seq(['F_DUPFD', 'F_GETFD', 'F_SETFD', 'F_GETFL', 'F_SETFL', 'F_GETLK', 'F_SETLK', 'F_SETLKW', 'F_SETOWN',
      'F_GETOWN', 'F_SETSIG', 'F_GETSIG']),
    [15, 'F_SETOWN_EX'], [16, 'F_GETOWN_EX'], [36, 'F_OFD_GETLK'], [37, 'F_OFD_SETLK'], [38, 'F_OFD_SETLKW'],
    ...seq(['F_SETLEASE', 'F_GETLEASE', 'F_NOTIFY'], 1024),
    ...seq(['F_DUPFD_CLOEXEC', 'F_SETPIPE_SZ', 'F_GETPIPE_SZ', 'F_ADD_SEALS', 'F_GET_SEALS'], 1030),
  ]),
  seccomp_op: seq(['SECCOMP_SET_MODE_STRICT', 'SECCOMP_SET_MODE_FILTER', 'SECCOMP_GET_ACTION_AVAIL', 'SECCOMP_GET_NOTIF_SIZES']),
  unshare_ns: new Map(CLONE.filter((b) => b.name.startsWith('CLONE_NEW')).map((b) => [b.value, b.name])),
  prctl: new Map([
    [1, 'PR_SET_PDEATHSIG'], [2, 'PR_GET_PDEATHSIG'], [3, 'PR_GET_DUMPABLE'], [4, 'PR_SET_DUMPABLE'], [7, 'PR_GET_KEEPCAPS'],
    [8, 'PR_SET_KEEPCAPS'], [15, 'PR_SET_NAME'], [16, 'PR_GET_NAME'], [21, 'PR_GET_SECCOMP'], [22, 'PR_SET_SECCOMP'],
    [23, 'PR_CAPBSET_READ'], [24, 'PR_CAPBSET_DROP'], [28, 'PR_SET_SECUREBITS'], [29, 'PR_SET_TIMERSLACK'], [35, 'PR_SET_MM'],
    [36, 'PR_SET_CHILD_SUBREAPER'], [37, 'PR_GET_CHILD_SUBREAPER'], [38, 'PR_SET_NO_NEW_PRIVS'], [39, 'PR_GET_NO_NEW_PRIVS'],
    [41, 'PR_SET_THP_DISABLE'], [47, 'PR_CAP_AMBIENT'],
  ]),
};

/** errno names by number (x86_64). 41 and 58 are aliases (EWOULDBLOCK, EDEADLOCK) and left out. */
const ERRNO_NAMES: readonly string[] = (
  ',EPERM,ENOENT,ESRCH,EINTR,EIO,ENXIO,E2BIG,ENOEXEC,EBADF,ECHILD,EAGAIN,ENOMEM,EACCES,EFAULT,ENOTBLK,EBUSY,EEXIST,' +
  'EXDEV,ENODEV,ENOTDIR,EISDIR,EINVAL,ENFILE,EMFILE,ENOTTY,ETXTBSY,EFBIG,ENOSPC,ESPIPE,EROFS,EMLINK,EPIPE,EDOM,ERANGE,' +
  'EDEADLK,ENAMETOOLONG,ENOLCK,ENOSYS,ENOTEMPTY,ELOOP,,ENOMSG,EIDRM,ECHRNG,EL2NSYNC,EL3HLT,EL3RST,ELNRNG,EUNATCH,' +
  'ENOCSI,EL2HLT,EBADE,EBADR,EXFULL,ENOANO,EBADRQC,EBADSLT,,EBFONT,ENOSTR,ENODATA,ETIME,ENOSR,ENONET,ENOPKG,EREMOTE,' +
  'ENOLINK,EADV,ESRMNT,ECOMM,EPROTO,EMULTIHOP,EDOTDOT,EBADMSG,EOVERFLOW,ENOTUNIQ,EBADFD,EREMCHG,ELIBACC,ELIBBAD,' +
  'ELIBSCN,ELIBMAX,ELIBEXEC,EILSEQ,ERESTART,ESTRPIPE,EUSERS,ENOTSOCK,EDESTADDRREQ,EMSGSIZE,EPROTOTYPE,ENOPROTOOPT,' +
  'EPROTONOSUPPORT,ESOCKTNOSUPPORT,EOPNOTSUPP,EPFNOSUPPORT,EAFNOSUPPORT,EADDRINUSE,EADDRNOTAVAIL,ENETDOWN,' +
  'ENETUNREACH,ENETRESET,ECONNABORTED,ECONNRESET,ENOBUFS,EISCONN,ENOTCONN,ESHUTDOWN,ETOOMANYREFS,ETIMEDOUT,' +
  'ECONNREFUSED,EHOSTDOWN,EHOSTUNREACH,EALREADY,EINPROGRESS,ESTALE,EUCLEAN,ENOTNAM,ENAVAIL,EISNAM,EREMOTEIO,EDQUOT,' +
  'ENOMEDIUM,EMEDIUMTYPE,ECANCELED,ENOKEY,EKEYEXPIRED,EKEYREVOKED,EKEYREJECTED,EOWNERDEAD,ENOTRECOVERABLE,ERFKILL,EHWPOISON'
).split(',');

/** evt.res: "SUCCESS" for a non-negative return, else the errno name (ENOENT), else the number. */
export function renderRes(res: number): string {
  if (res >= 0) return 'SUCCESS';
  return ERRNO_NAMES[-res] || String(res);
}

/** Capability names by bit number (linux/capability.h). */
export const CAPABILITIES: readonly string[] = (
  'CHOWN,DAC_OVERRIDE,DAC_READ_SEARCH,FOWNER,FSETID,KILL,SETGID,SETUID,SETPCAP,LINUX_IMMUTABLE,NET_BIND_SERVICE,' +
  'NET_BROADCAST,NET_ADMIN,NET_RAW,IPC_LOCK,IPC_OWNER,SYS_MODULE,SYS_RAWIO,SYS_CHROOT,SYS_PTRACE,SYS_PACCT,SYS_ADMIN,' +
  'SYS_BOOT,SYS_NICE,SYS_RESOURCE,SYS_TIME,SYS_TTY_CONFIG,MKNOD,LEASE,AUDIT_WRITE,AUDIT_CONTROL,SETFCAP,MAC_OVERRIDE,' +
  'MAC_ADMIN,SYSLOG,WAKE_ALARM,BLOCK_SUSPEND,AUDIT_READ,PERFMON,BPF,CHECKPOINT_RESTORE'
).split(',').map((n) => `CAP_${n}`);

// Capability sets repeat across a process's events; rendering each distinct set once keeps the hot
// path free of string building. Bounded so a hostile workload cannot grow it without limit.
const capCache = new Map<bigint, string>();

/** thread.cap_*: the names of the set bits, space separated, as Falco prints them. */
export function renderCaps(caps: bigint): string {
  let text = capCache.get(caps);
  if (text !== undefined) return text;
  const names: string[] = [];
  for (let i = 0; i < CAPABILITIES.length; i++) if ((caps >> BigInt(i)) & 1n) names.push(CAPABILITIES[i]!);
  text = names.join(' ');
  if (capCache.size > 4096) capCache.clear();
  capCache.set(caps, text);
  return text;
}

/** NAME|NAME for the bits of `raw` that a table names; "0" when none is set. Bits above 32 are ignored. */
export function renderFlags(bits: readonly FlagBit[], raw: number): string {
  let out = '';
  for (const b of bits) {
    if (((raw & b.mask) >>> 0) === b.value) out = out === '' ? b.name : `${out}|${b.name}`;
  }
  return out === '' ? String(raw) : out;
}

export function renderEnum(name: EnumName, raw: number): string {
  return ENUMS[name].get(raw) ?? String(raw);
}

export function renderMode(raw: number): string {
  return raw === 0 ? '0' : renderFlags(MODE_BITS, raw);
}
