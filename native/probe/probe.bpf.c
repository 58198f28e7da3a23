// falconet's kernel probe: observes, filters by pid and event type, emits fixed-layout records
// (events.h) into a ring buffer. No policy here: which programs are loaded at all is decided in
// userspace from the loaded rules (src/engine/probe/programs.ts), so a syscall no rule needs has no
// program attached and costs nothing (bench/probe/hookbench.c measures why per-syscall hooks).
//
// Syscalls are seen at their sys_exit_<name> tracepoint: on x86-64 the syscall arguments stay in the
// task's saved user registers for the whole call, so one program reads args and return value
// together and no enter/exit pairing map is needed. Where that tracepoint is missing, and for ia32
// (compat) syscalls, which no per-syscall tracepoint reports, r_sys_exit on raw_syscalls:sys_exit
// tail-calls the same program. Process lifecycle comes from sched_process_exec,
// sched_process_fork and sched_process_exit (BTF tracepoints).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "events.h"
#include "record.bpf.h"
#include "task.bpf.h"
#include "path.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* ---- syscalls, each at its own exit tracepoint ---- */

#define SYS_EXIT(name) \
	SEC("tracepoint/syscalls/sys_exit_" #name) int x_##name(struct trace_event_raw_sys_exit *ctx)
#define BEGIN(TYPE) \
	struct ev e; \
	struct task_struct *cur = bpf_get_current_task_btf(); \
	struct pt_regs *r = (struct pt_regs *)bpf_task_pt_regs(cur); \
	int abi32 __attribute__((unused)) = task_in_ia32_syscall(cur); \
	long ret = ctx->ret; \
	if (ev_begin(&e, FN_EVT_##TYPE, nparams_##TYPE, ret)) \
		return 0
#define END() ev_submit(&e); return 0

#define FN_NPARAMS_ENTRY(E, name, id, np) nparams_##E = np,
enum { FN_EVENT_LIST(FN_NPARAMS_ENTRY) };

/* open family: fd, [dirfd,] name, flags, mode, [resolve,] dev, ino */
SYS_EXIT(open)    { BEGIN(OPEN); p_num(&e, 0, ret); p_ustr(&e, 1, A0(r)); p_num(&e, 2, A1(r)); p_num(&e, 3, A2(r)); p_dev_ino(&e, 4, ret); END(); }
SYS_EXIT(openat)  { BEGIN(OPENAT); p_num(&e, 0, ret); p_num(&e, 1, (int)A0(r)); p_ustr(&e, 2, A1(r)); p_num(&e, 3, A2(r)); p_num(&e, 4, A3(r)); p_dev_ino(&e, 5, ret); END(); }
SYS_EXIT(openat2)
{
	BEGIN(OPENAT2);
	struct open_how how = {};
	bpf_probe_read_user(&how, sizeof(how), (void *)A2(r));
	p_num(&e, 0, ret); p_num(&e, 1, (int)A0(r)); p_ustr(&e, 2, A1(r));
	p_num(&e, 3, how.flags); p_num(&e, 4, how.mode); p_num(&e, 5, how.resolve); p_dev_ino(&e, 6, ret);
	END();
}
SYS_EXIT(creat)   { BEGIN(CREAT); p_num(&e, 0, ret); p_ustr(&e, 1, A0(r)); p_num(&e, 2, A1(r)); p_dev_ino(&e, 3, ret); END(); }
SYS_EXIT(close)   { BEGIN(CLOSE); p_num(&e, 0, (int)A0(r)); END(); }

/* renames, unlinks, directories, links */
SYS_EXIT(rename)    { BEGIN(RENAME); p_ustr(&e, 0, A0(r)); p_ustr(&e, 1, A1(r)); END(); }
SYS_EXIT(renameat)  { BEGIN(RENAMEAT); p_num(&e, 0, (int)A0(r)); p_ustr(&e, 1, A1(r)); p_num(&e, 2, (int)A2(r)); p_ustr(&e, 3, A3(r)); END(); }
SYS_EXIT(renameat2) { BEGIN(RENAMEAT2); p_num(&e, 0, (int)A0(r)); p_ustr(&e, 1, A1(r)); p_num(&e, 2, (int)A2(r)); p_ustr(&e, 3, A3(r)); p_num(&e, 4, A4(r)); END(); }
SYS_EXIT(unlink)    { BEGIN(UNLINK); p_ustr(&e, 0, A0(r)); END(); }
SYS_EXIT(unlinkat)  { BEGIN(UNLINKAT); p_num(&e, 0, (int)A0(r)); p_ustr(&e, 1, A1(r)); p_num(&e, 2, A2(r)); END(); }
SYS_EXIT(mkdir)     { BEGIN(MKDIR); p_ustr(&e, 0, A0(r)); p_num(&e, 1, A1(r)); END(); }
SYS_EXIT(mkdirat)   { BEGIN(MKDIRAT); p_num(&e, 0, (int)A0(r)); p_ustr(&e, 1, A1(r)); p_num(&e, 2, A2(r)); END(); }
SYS_EXIT(rmdir)     { BEGIN(RMDIR); p_ustr(&e, 0, A0(r)); END(); }
SYS_EXIT(link)      { BEGIN(LINK); p_ustr(&e, 0, A0(r)); p_ustr(&e, 1, A1(r)); END(); }
SYS_EXIT(linkat)    { BEGIN(LINKAT); p_num(&e, 0, (int)A0(r)); p_ustr(&e, 1, A1(r)); p_num(&e, 2, (int)A2(r)); p_ustr(&e, 3, A3(r)); p_num(&e, 4, A4(r)); END(); }
SYS_EXIT(symlink)   { BEGIN(SYMLINK); p_ustr(&e, 0, A0(r)); p_ustr(&e, 1, A1(r)); END(); }
SYS_EXIT(symlinkat) { BEGIN(SYMLINKAT); p_ustr(&e, 0, A0(r)); p_num(&e, 1, (int)A1(r)); p_ustr(&e, 2, A2(r)); END(); }

/* permissions and ownership */
SYS_EXIT(chmod)    { BEGIN(CHMOD); p_ustr(&e, 0, A0(r)); p_num(&e, 1, A1(r)); END(); }
SYS_EXIT(fchmod)   { BEGIN(FCHMOD); p_num(&e, 0, (int)A0(r)); p_num(&e, 1, A1(r)); END(); }
SYS_EXIT(fchmodat) { BEGIN(FCHMODAT); p_num(&e, 0, (int)A0(r)); p_ustr(&e, 1, A1(r)); p_num(&e, 2, A2(r)); END(); }
SYS_EXIT(chown)    { BEGIN(CHOWN); p_ustr(&e, 0, A0(r)); p_num(&e, 1, (__u32)A1(r)); p_num(&e, 2, (__u32)A2(r)); END(); }
SYS_EXIT(lchown)   { BEGIN(LCHOWN); p_ustr(&e, 0, A0(r)); p_num(&e, 1, (__u32)A1(r)); p_num(&e, 2, (__u32)A2(r)); END(); }
SYS_EXIT(fchown)   { BEGIN(FCHOWN); p_num(&e, 0, (int)A0(r)); p_num(&e, 1, (__u32)A1(r)); p_num(&e, 2, (__u32)A2(r)); END(); }
SYS_EXIT(fchownat) { BEGIN(FCHOWNAT); p_num(&e, 0, (int)A0(r)); p_ustr(&e, 1, A1(r)); p_num(&e, 2, (__u32)A2(r)); p_num(&e, 3, (__u32)A3(r)); p_num(&e, 4, A4(r)); END(); }

/* network */
SYS_EXIT(connect) { BEGIN(CONNECT); p_num(&e, 0, (int)A0(r)); p_usockaddr(&e, 1, (void *)A1(r), A2(r)); p_local(&e, 2, (int)A0(r)); END(); }
SYS_EXIT(bind)    { BEGIN(BIND); p_num(&e, 0, (int)A0(r)); p_usockaddr(&e, 1, (void *)A1(r), A2(r)); END(); }
SYS_EXIT(listen)  { BEGIN(LISTEN); p_num(&e, 0, (int)A0(r)); p_num(&e, 1, (int)A1(r)); END(); }
SYS_EXIT(socket)  { BEGIN(SOCKET); p_num(&e, 0, ret); p_num(&e, 1, A0(r)); p_num(&e, 2, A1(r)); p_num(&e, 3, A2(r)); END(); }
SYS_EXIT(accept)  { BEGIN(ACCEPT); p_num(&e, 0, ret); p_num(&e, 1, (int)A0(r)); p_peer(&e, 2, ret); p_local(&e, 3, ret); END(); }
SYS_EXIT(accept4) { BEGIN(ACCEPT4); p_num(&e, 0, ret); p_num(&e, 1, (int)A0(r)); p_peer(&e, 2, ret); p_num(&e, 3, A3(r)); p_local(&e, 4, ret); END(); }

/* send/recv family: fd, size, tuple, laddr. size is the bytes moved, or the bytes asked for when the
 * call failed; tuple is the address the caller passed (send) or got back (recv), absent when there
 * was none (a connected socket). laddr, the socket's local end, comes only with a tuple: it is what an
 * unconnected (UDP) socket's fd.name needs, and the fd lookup is not paid on connected sockets. */
#define FN_IOV_MAX 16 /* iovecs summed for a failed sendmsg/recvmsg's size */

static __always_inline int p_msg(struct ev *e, long ret, const struct user_msghdr *um, int is_recv)
{
	struct user_msghdr m = {};
	bpf_probe_read_user(&m, sizeof(m), um);
	__u64 size = ret;
	if (ret < 0) {
		size = 0;
		for (int i = 0; i < FN_IOV_MAX; i++) {
			struct iovec v;
			if (i >= m.msg_iovlen || bpf_probe_read_user(&v, sizeof(v), &m.msg_iov[i]))
				break;
			size += v.iov_len;
		}
	}
	p_num(e, 1, size);
	/* recvmsg writes the sender's address back through msg_name and its length into msg_namelen */
	void *name = is_recv && ret < 0 ? NULL : m.msg_name;
	p_usockaddr(e, 2, name, name ? (__u32)m.msg_namelen : 0);
	return name != NULL;
}

SYS_EXIT(sendto)
{
	BEGIN(SENDTO);
	void *addr = (void *)A4(r);
	p_num(&e, 0, (int)A0(r)); p_num(&e, 1, ret >= 0 ? ret : A2(r)); p_usockaddr(&e, 2, addr, addr ? A5(r) : 0);
	if (addr)
		p_local(&e, 3, (int)A0(r));
	else
		set_len(&e, 3, 0);
	END();
}
SYS_EXIT(recvfrom)
{
	BEGIN(RECVFROM);
	void *addr = ret >= 0 ? (void *)A4(r) : NULL;
	void *ulen = (void *)A5(r);
	__u32 alen = 0;
	if (addr && ulen)
		bpf_probe_read_user(&alen, sizeof(alen), ulen); /* the length the kernel wrote back */
	p_num(&e, 0, (int)A0(r)); p_num(&e, 1, ret >= 0 ? ret : A2(r)); p_usockaddr(&e, 2, addr, alen);
	if (addr && alen)
		p_local(&e, 3, (int)A0(r));
	else
		set_len(&e, 3, 0);
	END();
}
SYS_EXIT(sendmsg) { BEGIN(SENDMSG); p_num(&e, 0, (int)A0(r)); if (p_msg(&e, ret, (void *)A1(r), 0)) p_local(&e, 3, (int)A0(r)); else set_len(&e, 3, 0); END(); }
SYS_EXIT(recvmsg) { BEGIN(RECVMSG); p_num(&e, 0, (int)A0(r)); if (p_msg(&e, ret, (void *)A1(r), 1)) p_local(&e, 3, (int)A0(r)); else set_len(&e, 3, 0); END(); }

/* identity */
/* a uid change from or to 0 changes the capability sets too: the setuid family reports them after the call */
SYS_EXIT(setuid)    { BEGIN(SETUID); p_num(&e, 0, (__u32)A0(r)); p_caps(&e, 1); END(); }
SYS_EXIT(setgid)    { BEGIN(SETGID); p_num(&e, 0, (__u32)A0(r)); END(); }
SYS_EXIT(setresuid) { BEGIN(SETRESUID); p_num(&e, 0, (__u32)A0(r)); p_num(&e, 1, (__u32)A1(r)); p_num(&e, 2, (__u32)A2(r)); p_caps(&e, 3); END(); }
SYS_EXIT(setresgid) { BEGIN(SETRESGID); p_num(&e, 0, (__u32)A0(r)); p_num(&e, 1, (__u32)A1(r)); p_num(&e, 2, (__u32)A2(r)); END(); }
SYS_EXIT(setreuid)  { BEGIN(SETREUID); p_num(&e, 0, (__u32)A0(r)); p_num(&e, 1, (__u32)A1(r)); p_caps(&e, 2); END(); }
/* session and process group: setsid's result is the caller's own pid; setpgid's args as passed, in
 * the caller's pid namespace (0 for "myself") */
SYS_EXIT(setsid)    { BEGIN(SETSID); (void)r; END(); }
SYS_EXIT(setpgid)   { BEGIN(SETPGID); p_num(&e, 0, (int)A0(r)); p_num(&e, 1, (int)A1(r)); END(); }
SYS_EXIT(setregid)  { BEGIN(SETREGID); p_num(&e, 0, (__u32)A0(r)); p_num(&e, 1, (__u32)A1(r)); END(); }

/* process control, namespaces, system */
SYS_EXIT(ptrace)       { BEGIN(PTRACE); p_num(&e, 0, A0(r)); p_num(&e, 1, (int)A1(r)); p_num(&e, 2, A2(r)); p_num(&e, 3, A3(r)); END(); }
SYS_EXIT(mount)        { BEGIN(MOUNT); p_ustr(&e, 0, A0(r)); p_ustr(&e, 1, A1(r)); p_ustr(&e, 2, A2(r)); p_num(&e, 3, A3(r)); END(); }
SYS_EXIT(umount)       { BEGIN(UMOUNT2); p_ustr(&e, 0, A0(r)); p_num(&e, 1, A1(r)); END(); } /* umount2's tracepoint is named umount */
SYS_EXIT(init_module)  { BEGIN(INIT_MODULE); p_num(&e, 0, A1(r)); p_ustr(&e, 1, A2(r)); END(); }
SYS_EXIT(finit_module) { BEGIN(FINIT_MODULE); p_num(&e, 0, (int)A0(r)); p_ustr(&e, 1, A1(r)); p_num(&e, 2, A2(r)); END(); }
SYS_EXIT(memfd_create) { BEGIN(MEMFD_CREATE); p_num(&e, 0, ret); p_ustr(&e, 1, A0(r)); p_num(&e, 2, A1(r)); END(); }
SYS_EXIT(unshare)      { BEGIN(UNSHARE); p_num(&e, 0, A0(r)); END(); }
SYS_EXIT(setns)        { BEGIN(SETNS); p_num(&e, 0, (int)A0(r)); p_num(&e, 1, A1(r)); END(); }
SYS_EXIT(chroot)       { BEGIN(CHROOT); p_ustr(&e, 0, A0(r)); END(); }
SYS_EXIT(bpf)          { BEGIN(BPF); p_num(&e, 0, A0(r)); END(); }
SYS_EXIT(dup)          { BEGIN(DUP); p_num(&e, 0, (int)A0(r)); END(); }
SYS_EXIT(dup2)         { BEGIN(DUP2); p_num(&e, 0, (int)A0(r)); p_num(&e, 1, (int)A1(r)); END(); }
SYS_EXIT(dup3)         { BEGIN(DUP3); p_num(&e, 0, (int)A0(r)); p_num(&e, 1, (int)A1(r)); p_num(&e, 2, A2(r)); END(); }
SYS_EXIT(chdir)        { BEGIN(CHDIR); p_ustr(&e, 0, A0(r)); END(); }
SYS_EXIT(fchdir)       { BEGIN(FCHDIR); p_num(&e, 0, (int)A0(r)); END(); }
SYS_EXIT(kill)         { BEGIN(KILL); p_num(&e, 0, (int)A0(r)); p_num(&e, 1, (int)A1(r)); END(); }
SYS_EXIT(prctl)        { BEGIN(PRCTL); p_num(&e, 0, (__u32)A0(r)); p_num(&e, 1, A1(r)); END(); }
SYS_EXIT(fcntl)        { BEGIN(FCNTL); p_num(&e, 0, (int)A0(r)); p_num(&e, 1, (int)A1(r)); END(); }
SYS_EXIT(read)         { BEGIN(READ); p_num(&e, 0, (int)A0(r)); p_num(&e, 1, ret >= 0 ? ret : A2(r)); END(); }
SYS_EXIT(write)        { BEGIN(WRITE); p_num(&e, 0, (int)A0(r)); p_num(&e, 1, ret >= 0 ? ret : A2(r)); END(); }
SYS_EXIT(seccomp)      { BEGIN(SECCOMP); p_num(&e, 0, (__u32)A0(r)); p_num(&e, 1, (__u32)A1(r)); END(); }
SYS_EXIT(mprotect)     { BEGIN(MPROTECT); p_num(&e, 0, A0(r)); p_num(&e, 1, A1(r)); p_num(&e, 2, A2(r)); END(); }
SYS_EXIT(mmap)         { BEGIN(MMAP); p_num(&e, 0, A0(r)); p_num(&e, 1, A1(r)); p_num(&e, 2, A2(r)); p_num(&e, 3, A3(r)); p_num(&e, 4, (int)A4(r)); END(); }
SYS_EXIT(userfaultfd)  { BEGIN(USERFAULTFD); p_num(&e, 0, (__u32)A0(r)); END(); }
SYS_EXIT(pidfd_getfd)  { BEGIN(PIDFD_GETFD); p_num(&e, 0, (int)A0(r)); p_num(&e, 1, (int)A1(r)); p_num(&e, 2, (__u32)A2(r)); END(); }
SYS_EXIT(pidfd_open)   { BEGIN(PIDFD_OPEN); p_num(&e, 0, (int)A0(r)); p_num(&e, 1, (__u32)A1(r)); END(); }
SYS_EXIT(process_vm_writev) { BEGIN(PROCESS_VM_WRITEV); p_num(&e, 0, (int)A0(r)); END(); }
SYS_EXIT(process_vm_readv)  { BEGIN(PROCESS_VM_READV); p_num(&e, 0, (int)A0(r)); END(); }
SYS_EXIT(io_uring_setup)    { BEGIN(IO_URING_SETUP); p_num(&e, 0, (__u32)A0(r)); END(); }

/* capset: the task's capability sets after the call, as the kernel holds them (what the caller asked
 * for when it succeeded, unchanged when it failed) */
SYS_EXIT(capset) { BEGIN(CAPSET); (void)r; p_caps(&e, 0); END(); }

/* pipe, pipe2: the two new fds, read back from the caller's array once the call succeeded (-1 otherwise) */
static __always_inline int p_pipefds(struct ev *e, long ret, const void *ufds)
{
	int fds[2] = { -1, -1 };
	if (ret != 0 || bpf_probe_read_user(fds, sizeof(fds), ufds))
		fds[0] = fds[1] = -1;
	p_num(e, 0, fds[0]); p_num(e, 1, fds[1]);
	return fds[0];
}
/* both ends share the pipe's inode: /proc shows them as pipe:[ino]. Params are laid out in index
 * order, so this comes last. */
static __always_inline void p_pipe_ino(struct ev *e, __u32 idx, int fd)
{
	struct file *f = fd >= 0 ? fd_file(fd) : NULL;
	p_num(e, idx, f ? BPF_CORE_READ(f, f_inode, i_ino) : 0);
}
SYS_EXIT(pipe)  { BEGIN(PIPE); int fd = p_pipefds(&e, ret, (void *)A0(r)); p_pipe_ino(&e, 2, fd); END(); }
SYS_EXIT(pipe2) { BEGIN(PIPE2); int fd = p_pipefds(&e, ret, (void *)A0(r)); p_num(&e, 2, A1(r)); p_pipe_ino(&e, 3, fd); END(); }

/* ---- one hook for the syscalls their own tracepoint cannot serve ---- */

/* Slot FN_IA32_SLOT + nr or nr -> the x_<name> program to run for that syscall: filled by the addon
 * with the wanted programs whose sys_exit_<name> tracepoint this kernel lacks (init_module without
 * CONFIG_MODULES), and, when ia32 capture is on, with every wanted program that has an ia32 nr
 * (events.h FN_SYSCALL_LIST). Empty, r_sys_exit is not attached at all. */
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, FN_RAW_SLOTS); __type(key, __u32); __type(value, __u32); } raw_targets SEC(".maps");

/* Runs on every syscall's exit while attached, so it only picks a slot: a tail call into the same
 * program the syscall's own tracepoint would run (same record, same code), or, for an empty slot,
 * straight back. Its context has the ret field where the per-syscall tracepoints have theirs. */
SEC("tracepoint/raw_syscalls/sys_exit")
int r_sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 nr = ctx->id;
	if (nr >= FN_IA32_SLOT) /* no syscall (-1), or an x32 one */
		return 0;
	bpf_tail_call(ctx, &raw_targets, in_ia32_syscall() ? FN_IA32_SLOT + nr : nr);
	return 0;
}

/* ---- process lifecycle ---- */

SEC("tracepoint/syscalls/sys_enter_execveat")
int n_execveat(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct execveat_args a = { .dirfd = (int)ctx->args[0], .flags = ctx->args[4] };
	bpf_map_update_elem(&execveat_pending, &tid, &a, BPF_ANY);
	return 0;
}

/* A failed exec: the caller's image stays, so only the syscall's own arguments are known (argv is
 * left empty). A successful one returns to a new image and is reported by t_exec below instead. */
SYS_EXIT(execve)
{
	if (ctx->ret >= 0)
		return 0;
	BEGIN(EXECVE);
	absent(&e, 0, 2); /* exe, args */
	p_ustr(&e, 2, A0(r));
	absent(&e, 3, nparams_EXECVE); /* trusted_exepath and what follows: no image was loaded */
	END();
}
SYS_EXIT(execveat)
{
	/* A failed execveat never reaches t_exec, which consumes the entry: drop it here, or the
	 * thread's next plain execve would be taken for an execveat. */
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_delete_elem(&execveat_pending, &tid);
	if (ctx->ret >= 0)
		return 0;
	BEGIN(EXECVEAT);
	absent(&e, 0, 2);
	p_num(&e, 2, (int)A0(r)); p_ustr(&e, 3, A1(r)); p_num(&e, 4, A4(r));
	absent(&e, 5, nparams_EXECVEAT);
	END();
}

/* Successful execs only (a failed execve never reaches this tracepoint). argv is read from the new
 * image's argument area; filename is the path the caller passed (bprm->filename), trusted_exepath the file
 * the new image runs (bprm->file, which becomes /proc/PID/exe): they differ for /proc/self/fd/N,
 * symlinks and scripts (whose trusted_exepath is the interpreter). */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(t_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct pt_regs *r = uregs();
	/* The syscall number in the saved registers does not reliably read execveat here (fexecve came
	 * through as execve), so an entry left by sys_enter_execveat is what marks one. */
	__u32 old_tid = old_pid;
	struct execveat_args *at = bpf_map_lookup_elem(&execveat_pending, &old_tid);
	int is_at = at != NULL || BPF_CORE_READ(r, orig_ax) == FN_NR64_execveat;
	__u32 type = is_at ? FN_EVT_EXECVEAT : FN_EVT_EXECVE;
	struct execveat_args a = { .dirfd = -100, .flags = 0 };
	if (at) { a = *at; bpf_map_delete_elem(&execveat_pending, &old_tid); }
	if (!is_wanted(type))
		return 0;
	struct ev e;
	if (ev_begin(&e, type, is_at ? nparams_EXECVEAT : nparams_EXECVE, 0))
		return 0;
	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	unsigned long start = BPF_CORE_READ(mm, arg_start), end = BPF_CORE_READ(mm, arg_end);
	__u32 before = e.off;
	p_ustr(&e, 0, start);
	unsigned long rest = start + (e.off - before) + 1;
	p_ubytes(&e, 1, (void *)rest, rest < end ? end - rest : 0, FN_ARGV_MAX - 1);
	struct file *file = BPF_CORE_READ(bprm, file);
	__u32 i = 4;
	if (is_at) {
		p_num(&e, 2, a.dirfd); p_kstr(&e, 3, BPF_CORE_READ(bprm, filename)); p_num(&e, 4, a.flags);
		p_file_path(&e, 5, file);
		i = 6;
	} else {
		p_kstr(&e, 2, BPF_CORE_READ(bprm, filename));
		p_file_path(&e, 3, file);
	}
	/* what the new image starts with: capabilities (a setuid-root or file-capability binary gains
	 * some), the executable's inode facts, the tid the exec was called from (it differs from the pid,
	 * which the caller has just taken over, when a non-leader thread called exec), the controlling
	 * terminal, the environment */
	p_caps(&e, i);
	p_exe_facts(&e, i + 3, file);
	p_num(&e, i + 7, old_pid);
	p_num(&e, i + 8, ctty_nr(p));
	unsigned long env = BPF_CORE_READ(mm, env_start), env_end = BPF_CORE_READ(mm, env_end);
	p_ubytes(&e, i + 9, (void *)env, env < env_end ? env_end - env : 0, FN_ARGV_MAX - 1);
	END();
}

/* Runs in the parent before the child can run, so the fork record precedes all of the child's. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(t_fork, struct task_struct *parent, struct task_struct *child)
{
	if (BPF_CORE_READ(parent, flags) & PF_KTHREAD)
		return 0;
	struct pt_regs *r = uregs();
	int abi32 = in_ia32_syscall();
	long nr = BPF_CORE_READ(r, orig_ax);
	__u32 type = nr == (abi32 ? FN_NR32_fork : FN_NR64_fork)   ? FN_EVT_FORK
	           : nr == (abi32 ? FN_NR32_vfork : FN_NR64_vfork) ? FN_EVT_VFORK
	           : nr == FN_NR64_clone3 /* the same nr in both */ ? FN_EVT_CLONE3
	                                                          : FN_EVT_CLONE;
	if (!is_wanted(type))
		return 0;
	__u32 child_tid = BPF_CORE_READ(child, pid);
	struct ev e;
	if (ev_begin(&e, type, type == FN_EVT_FORK || type == FN_EVT_VFORK ? nparams_FORK : nparams_CLONE, child_tid))
		return 0;
	if (type == FN_EVT_CLONE || type == FN_EVT_CLONE3) {
		__u64 flags = A0(r);
		if (type == FN_EVT_CLONE3)
			bpf_probe_read_user(&flags, sizeof(flags), (void *)flags); /* clone_args.flags comes first */
		p_num(&e, 0, flags);
		p_num(&e, 1, child_tid);
		p_vids(&e, 2, child);
	} else {
		p_num(&e, 0, child_tid);
		p_vids(&e, 1, child);
	}
	END();
}

/* signal_struct.group_exit_task became group_exec_task in 5.16 */
struct signal_struct___pre516 { struct task_struct *group_exit_task; } __attribute__((preserve_access_index));

/* When a thread other than the leader calls exec, the kernel ends the leader and gives the caller its
 * pid: the process lives on under the same pid, so the leader's end is no exit to report. */
static __always_inline int reaped_by_exec(struct task_struct *p)
{
	if (BPF_CORE_READ(p, pid) != BPF_CORE_READ(p, tgid))
		return 0;
	struct signal_struct *sig = BPF_CORE_READ(p, signal);
	struct task_struct *execer;
	if (bpf_core_field_exists(sig->group_exec_task))
		execer = BPF_CORE_READ(sig, group_exec_task);
	else
		execer = BPF_CORE_READ((struct signal_struct___pre516 *)sig, group_exit_task);
	return execer != NULL && execer != p;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(t_exit, struct task_struct *p)
{
	if ((BPF_CORE_READ(p, flags) & PF_KTHREAD) || reaped_by_exec(p))
		return 0;
	struct ev e;
	if (ev_begin(&e, FN_EVT_PROCEXIT, nparams_PROCEXIT, 0))
		return 0;
	p_num(&e, 0, BPF_CORE_READ(p, exit_code));
	END();
}
