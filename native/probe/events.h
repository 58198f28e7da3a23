/* The one source of the probe's record layout, shared by probe.bpf.c (kernel) and the addon (addon.cc, probe_object.cc)
 * (userspace). src/engine/probe/layout.ts mirrors these constants; test/e2e/probe-layout.test.ts
 * checks them against the values the addon reports from this header.
 *
 * A record is: struct fn_event_hdr, then a u16 length table with one entry per param (nparams
 * entries), then the params' bytes back to back, then zero padding up to hdr.len (a multiple of 8).
 * Everything is little-endian. Params follow src/engine/schema.ts for the event type, in order:
 *   numeric params (fd, int, uint, uid, gid, pid, mode, flags, enum)  8 bytes, two's complement
 *   path, string                                                       bytes, no NUL
 *   argv                                                               strings, each NUL-terminated
 *   sockaddr                                                           the raw struct sockaddr_*
 * A zero length means "absent" (NULL pointer, unreadable memory, or no room left in the record).
 */
#ifndef FALCONET_EVENTS_H
#define FALCONET_EVENTS_H

#define FN_HDR_SIZE      80
#define FN_MAX_PARAMS    16    /* a power of two: the BPF side masks param indexes with it */
#define FN_REC_MAX       16384 /* a record never exceeds this (a power of two: the BPF side masks with it) */
#define FN_PATH_MAX      4096  /* per path/string param, including the NUL the kernel reads */
#define FN_ARGV_MAX      4096  /* argv bytes after argv[0] */
#define FN_SOCKADDR_MAX  112   /* sizeof(struct sockaddr_un) rounded up */
#define FN_COMM_LEN      16

/* hdr.flags */
#define FN_F_TRUNCATED   1     /* some param was cut at its size bound */

struct fn_event_hdr {
	__u64 ts;        /* CLOCK_BOOTTIME ns */
	__u32 len;       /* whole record, header included, multiple of 8 */
	__u16 type;      /* enum fn_event_type: the schema.ts id */
	__u16 nparams;
	__u32 tid;
	__u32 pid;       /* thread group id */
	__u32 ppid;      /* real parent's thread group id */
	__u32 uid;       /* effective uid */
	__u32 gid;       /* effective gid */
	__u32 loginuid;  /* audit login uid, 4294967295 when unset */
	char  comm[FN_COMM_LEN];
	__u64 cgroup_id; /* the kernfs id of the task's cgroup in the hierarchy the monitor chose (cgroup_ssid) */
	__s64 res;       /* syscall return value; 0 for exec, procexit */
	__u32 flags;     /* FN_F_* */
	__u32 _pad;
};

/* X(ENUM, schema name, schema id, nparams): the event types the probe emits. */
#define FN_EVENT_LIST(X)                   \
	X(EXECVE, execve, 1, 14)               \
	X(EXECVEAT, execveat, 2, 16)           \
	X(CLONE, clone, 3, 4)                  \
	X(CLONE3, clone3, 4, 4)                \
	X(FORK, fork, 5, 3)                    \
	X(VFORK, vfork, 6, 3)                  \
	X(PROCEXIT, procexit, 7, 1)            \
	X(OPEN, open, 8, 6)                    \
	X(OPENAT, openat, 9, 7)                \
	X(OPENAT2, openat2, 10, 8)             \
	X(CREAT, creat, 11, 5)                 \
	X(CLOSE, close, 12, 1)                 \
	X(RENAME, rename, 13, 2)               \
	X(RENAMEAT, renameat, 14, 4)           \
	X(RENAMEAT2, renameat2, 15, 5)         \
	X(UNLINK, unlink, 16, 1)               \
	X(UNLINKAT, unlinkat, 17, 3)           \
	X(MKDIR, mkdir, 18, 2)                 \
	X(MKDIRAT, mkdirat, 19, 3)             \
	X(RMDIR, rmdir, 20, 1)                 \
	X(LINK, link, 21, 2)                   \
	X(LINKAT, linkat, 22, 5)               \
	X(SYMLINK, symlink, 23, 2)             \
	X(SYMLINKAT, symlinkat, 24, 3)         \
	X(CHMOD, chmod, 25, 2)                 \
	X(FCHMOD, fchmod, 26, 2)               \
	X(FCHMODAT, fchmodat, 27, 3)           \
	X(CHOWN, chown, 28, 3)                 \
	X(LCHOWN, lchown, 29, 3)               \
	X(FCHOWN, fchown, 30, 3)               \
	X(FCHOWNAT, fchownat, 31, 5)           \
	X(CONNECT, connect, 32, 3)             \
	X(ACCEPT, accept, 33, 4)               \
	X(ACCEPT4, accept4, 34, 5)             \
	X(BIND, bind, 35, 2)                   \
	X(LISTEN, listen, 36, 2)               \
	X(SOCKET, socket, 37, 4)               \
	X(SETUID, setuid, 38, 4)               \
	X(SETGID, setgid, 39, 1)               \
	X(SETRESUID, setresuid, 40, 6)         \
	X(SETRESGID, setresgid, 41, 3)         \
	X(SETREUID, setreuid, 42, 5)           \
	X(SETREGID, setregid, 43, 2)           \
	X(PTRACE, ptrace, 44, 4)               \
	X(MOUNT, mount, 45, 4)                 \
	X(UMOUNT2, umount2, 46, 2)             \
	X(INIT_MODULE, init_module, 47, 2)     \
	X(FINIT_MODULE, finit_module, 48, 3)   \
	X(MEMFD_CREATE, memfd_create, 49, 3)   \
	X(UNSHARE, unshare, 50, 1)             \
	X(SETNS, setns, 51, 2)                 \
	X(CHROOT, chroot, 52, 1)               \
	X(BPF, bpf, 53, 1)                     \
	X(DUP, dup, 54, 1)                     \
	X(DUP2, dup2, 55, 2)                   \
	X(DUP3, dup3, 56, 3)                   \
	X(CHDIR, chdir, 58, 1)                 \
	X(FCHDIR, fchdir, 59, 1)               \
	X(SENDTO, sendto, 60, 4)               \
	X(SENDMSG, sendmsg, 61, 4)             \
	X(RECVFROM, recvfrom, 62, 4)           \
	X(RECVMSG, recvmsg, 63, 4)             \
	X(PIPE, pipe, 66, 3)                   \
	X(PIPE2, pipe2, 67, 4)                 \
	X(KILL, kill, 68, 2)                   \
	X(PRCTL, prctl, 69, 2)                 \
	X(FCNTL, fcntl, 57, 2)                 \
	X(READ, read, 64, 2)                   \
	X(WRITE, write, 65, 2)                 \
	X(SECCOMP, seccomp, 70, 2)             \
	X(MPROTECT, mprotect, 71, 3)           \
	X(MMAP, mmap, 72, 5)                   \
	X(CAPSET, capset, 73, 3)               \
	X(USERFAULTFD, userfaultfd, 74, 1)     \
	X(PIDFD_GETFD, pidfd_getfd, 75, 3)     \
	X(PIDFD_OPEN, pidfd_open, 76, 2)       \
	X(PROCESS_VM_WRITEV, process_vm_writev, 77, 1) \
	X(PROCESS_VM_READV, process_vm_readv, 78, 1)   \
	X(IO_URING_SETUP, io_uring_setup, 79, 1)   \
	X(CGROUP, cgroup, 81, 1)               \
	X(SETSID, setsid, 82, 0)               \
	X(SETPGID, setpgid, 83, 2)

/* The syscalls by number, for the hooks that see only a number: r_sys_exit (probe.bpf.c) and t_fork.
 * X(tracepoint name, x86-64 nr, ia32 nr): the name is the one of the sys_exit_<name> tracepoint and
 * of the program x_<name> (umount is umount2's); the ia32 nr is the compat syscall whose arguments
 * x_<name> reads right from the ia32 registers (the 32-bit-uid variants setuid32..., mmap2, fcntl64),
 * -1 when there is none: accept exists only behind socketcall, and sendmsg/recvmsg take a compat
 * msghdr of another layout. test/e2e/probe-fallback.test.ts checks the numbers against the kernel
 * headers (asm/unistd_64.h, asm/unistd_32.h). */
#define FN_SYSCALL_LIST(X) \
	X(open,                2,   5) \
	X(openat,            257, 295) \
	X(openat2,           437, 437) \
	X(creat,              85,   8) \
	X(close,               3,   6) \
	X(rename,             82,  38) \
	X(renameat,          264, 302) \
	X(renameat2,         316, 353) \
	X(unlink,             87,  10) \
	X(unlinkat,          263, 301) \
	X(mkdir,              83,  39) \
	X(mkdirat,           258, 296) \
	X(rmdir,              84,  40) \
	X(link,               86,   9) \
	X(linkat,            265, 303) \
	X(symlink,            88,  83) \
	X(symlinkat,         266, 304) \
	X(chmod,              90,  15) \
	X(fchmod,             91,  94) \
	X(fchmodat,          268, 306) \
	X(chown,              92, 212) \
	X(lchown,             94, 198) \
	X(fchown,             93, 207) \
	X(fchownat,          260, 298) \
	X(connect,            42, 362) \
	X(bind,               49, 361) \
	X(listen,             50, 363) \
	X(socket,             41, 359) \
	X(accept,             43,  -1) \
	X(accept4,           288, 364) \
	X(sendto,             44, 369) \
	X(recvfrom,           45, 371) \
	X(sendmsg,            46,  -1) \
	X(recvmsg,            47,  -1) \
	X(setuid,            105, 213) \
	X(setgid,            106, 214) \
	X(setresuid,         117, 208) \
	X(setresgid,         119, 210) \
	X(setreuid,          113, 203) \
	X(setregid,          114, 204) \
	X(setsid,            112,  66) \
	X(setpgid,           109,  57) \
	X(ptrace,            101,  26) \
	X(mount,             165,  21) \
	X(umount,            166,  52) \
	X(init_module,       175, 128) \
	X(finit_module,      313, 350) \
	X(memfd_create,      319, 356) \
	X(unshare,           272, 310) \
	X(setns,             308, 346) \
	X(chroot,            161,  61) \
	X(bpf,               321, 357) \
	X(dup,                32,  41) \
	X(dup2,               33,  63) \
	X(dup3,              292, 330) \
	X(chdir,              80,  12) \
	X(fchdir,             81, 133) \
	X(kill,               62,  37) \
	X(prctl,             157, 172) \
	X(fcntl,              72, 221) \
	X(read,                0,   3) \
	X(write,               1,   4) \
	X(seccomp,           317, 354) \
	X(mprotect,           10, 125) \
	X(mmap,                9, 192) \
	X(userfaultfd,       323, 374) \
	X(pidfd_getfd,       438, 438) \
	X(pidfd_open,        434, 434) \
	X(process_vm_writev, 311, 348) \
	X(process_vm_readv,  310, 347) \
	X(io_uring_setup,    425, 425) \
	X(capset,            126, 185) \
	X(pipe,               22,  42) \
	X(pipe2,             293, 331) \
	X(execve,             59,  11) \
	X(execveat,          322, 358) \
	X(fork,               57,   2) \
	X(vfork,              58, 190) \
	X(clone,              56, 120) \
	X(clone3,            435, 435)

/* r_sys_exit's program array: x86-64 syscall nr, or FN_IA32_SLOT + ia32 nr */
#define FN_IA32_SLOT     512
#define FN_RAW_SLOTS     1024

#define FN_NR_ENTRY(name, nr64, nr32) FN_NR64_##name = nr64, FN_NR32_##name = nr32,
enum fn_syscall_nr { FN_SYSCALL_LIST(FN_NR_ENTRY) };
#undef FN_NR_ENTRY

#define FN_ENUM_ENTRY(E, name, id, np) FN_EVT_##E = id,
enum fn_event_type { FN_EVENT_LIST(FN_ENUM_ENTRY) FN_EVT_MAX = 128 };
#undef FN_ENUM_ENTRY

#endif
