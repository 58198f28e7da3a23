// falconet's kernel probe: observes, filters by pid and event type, emits fixed-layout records
// (events.h) into a ring buffer. No policy here: which programs are loaded at all is decided in
// userspace from the loaded rules (src/engine/probe/programs.ts), so a syscall no rule needs has no
// program attached and costs nothing (bench/probe/hookbench.c measures why per-syscall hooks).
//
// Syscalls are seen at their sys_exit_<name> tracepoint only: on x86-64 the syscall arguments stay
// in the task's saved user registers for the whole call, so one program reads args and return value
// together and no enter/exit pairing map is needed. Process lifecycle comes from sched_process_exec,
// sched_process_fork and sched_process_exit (BTF tracepoints).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "events.h"

char LICENSE[] SEC("license") = "GPL";

#define FN_SCRATCH (2 * FN_REC_MAX) /* room for a write of up to FN_PATH_MAX at any masked offset */
#define OFF(o) ((o) & (FN_REC_MAX - 1))
#define AF_INET 2
#define AF_INET6 10
#define PF_KTHREAD 0x00200000

struct fn_scratch { __u8 raw[FN_SCRATCH]; };

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 8 << 20); } rb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct fn_scratch); } scratch SEC(".maps");
/* [0] = records lost because the ring buffer was full */
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } drops SEC(".maps");
/* thread group ids whose activity is never reported (the monitor itself) */
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, __u32); __type(value, __u8); } excluded SEC(".maps");
/* event type id -> 1 when some rule wants it; consulted by hooks shared by several types */
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, FN_EVT_MAX); __type(key, __u32); __type(value, __u8); } wanted SEC(".maps");
/* execveat's dirfd and flags, saved at sys_enter_execveat for sched_process_exec (which sees the
 * registers after the new image cleared them) */
struct execveat_args { __s64 dirfd; __u64 flags; };
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4096); __type(key, __u32); __type(value, struct execveat_args); } execveat_pending SEC(".maps");
/* Where p_file_path builds a path backwards, leaf first: raw[pos, FN_PATH_MAX) is the path so far,
 * and raw is twice FN_PATH_MAX so a masked offset never runs past it. pos lives here rather than in
 * a register: a value loaded from a map is not tracked by the verifier, so the levels of the walk
 * look alike to it and it verifies the loop body a few times instead of once per level. */
struct fn_pathbuf { __u8 raw[2 * FN_PATH_MAX]; __u32 pos; };
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct fn_pathbuf); } pathbuf SEC(".maps");

struct ev { struct fn_scratch *s; __u32 off; };

static __always_inline struct fn_event_hdr *hdr(struct ev *e) { return (struct fn_event_hdr *)e->s->raw; }

static __always_inline int is_wanted(__u32 type)
{
	__u8 *w = bpf_map_lookup_elem(&wanted, &type);
	return w && *w;
}

static __always_inline int ev_begin(struct ev *e, __u32 type, __u32 nparams, __s64 res)
{
	__u64 pt = bpf_get_current_pid_tgid();
	__u32 tgid = pt >> 32, zero = 0;
	if (bpf_map_lookup_elem(&excluded, &tgid))
		return -1;
	e->s = bpf_map_lookup_elem(&scratch, &zero);
	if (!e->s)
		return -1;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fn_event_hdr *h = hdr(e);
	h->ts = bpf_ktime_get_boot_ns();
	h->type = type;
	h->nparams = nparams;
	h->tid = (__u32)pt;
	h->pid = tgid;
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->uid = BPF_CORE_READ(task, cred, euid.val);
	h->gid = BPF_CORE_READ(task, cred, egid.val);
	h->loginuid = bpf_core_field_exists(task->loginuid) ? BPF_CORE_READ(task, loginuid.val) : 0xffffffffu;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->res = res;
	h->flags = 0;
	h->_pad = 0;
	e->off = FN_HDR_SIZE + 2 * nparams;
	return 0;
}

static __always_inline void set_len(struct ev *e, __u32 idx, __u32 n)
{
	*(__u16 *)&e->s->raw[FN_HDR_SIZE + 2 * (idx & (FN_MAX_PARAMS - 1))] = n;
}

static __always_inline void p_num(struct ev *e, __u32 idx, __u64 v)
{
	__u32 off = e->off;
	if (off > FN_REC_MAX - 8) { hdr(e)->flags |= FN_F_TRUNCATED; set_len(e, idx, 0); return; }
	*(__u64 *)&e->s->raw[OFF(off)] = v;
	set_len(e, idx, 8);
	e->off = off + 8;
}

/* A NUL-terminated string from user (user=1) or kernel memory, stored without its NUL. */
static __always_inline void p_str(struct ev *e, __u32 idx, const void *src, int user)
{
	__u32 off = e->off;
	long n = 0;
	if (src && off <= FN_REC_MAX - FN_PATH_MAX) {
		n = user ? bpf_probe_read_user_str(&e->s->raw[OFF(off)], FN_PATH_MAX, src)
		         : bpf_probe_read_kernel_str(&e->s->raw[OFF(off)], FN_PATH_MAX, src);
		if (n >= FN_PATH_MAX)
			hdr(e)->flags |= FN_F_TRUNCATED;
		n = n > 0 ? n - 1 : 0;
	} else if (src) {
		hdr(e)->flags |= FN_F_TRUNCATED;
	}
	set_len(e, idx, n);
	e->off = off + n;
}
#define p_ustr(e, i, p) p_str(e, i, (const void *)(p), 1)
#define p_kstr(e, i, p) p_str(e, i, (const void *)(p), 0)

/* len bytes of user memory, len already bounded by the caller to at most bound. */
static __always_inline void p_ubytes(struct ev *e, __u32 idx, const void *src, __u32 len, __u32 bound)
{
	__u32 off = e->off;
	if (len > bound) { len = bound; hdr(e)->flags |= FN_F_TRUNCATED; }
	/* clang drops a mask it can prove redundant; the verifier needs to see it */
	asm volatile("%0 &= 0xfff" : "+r"(len));
	if (!src || off > FN_REC_MAX - FN_PATH_MAX || bpf_probe_read_user(&e->s->raw[OFF(off)], len, src))
		len = 0;
	set_len(e, idx, len);
	e->off = off + len;
}

static __always_inline void p_usockaddr(struct ev *e, __u32 idx, const void *uaddr, __u32 ulen)
{
	p_ubytes(e, idx, uaddr, ulen, FN_SOCKADDR_MAX);
}

static __always_inline void ev_submit(struct ev *e)
{
	__u32 len = (e->off + 7) & ~7u;
	if (len > FN_REC_MAX)
		len = FN_REC_MAX;
	hdr(e)->len = len;
	/* Waking the consumer per record costs more than the record itself (bench/probe/run.mjs): it
	 * polls on a timer instead, and is woken early only when the ring is a quarter full. */
	__u64 wake = bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) > bpf_ringbuf_query(&rb, BPF_RB_RING_SIZE) / 4
	                 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_output(&rb, e->s->raw, len & (FN_SCRATCH - 1), wake)) {
		__u32 zero = 0;
		__u64 *d = bpf_map_lookup_elem(&drops, &zero);
		if (d)
			*d += 1;
	}
}

/* ---- the current task's view of its files and registers ---- */

static __always_inline struct pt_regs *uregs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}
#define A0(r) BPF_CORE_READ(r, di)
#define A1(r) BPF_CORE_READ(r, si)
#define A2(r) BPF_CORE_READ(r, dx)
#define A3(r) BPF_CORE_READ(r, r10)
#define A4(r) BPF_CORE_READ(r, r8)
#define A5(r) BPF_CORE_READ(r, r9)

static __always_inline struct file *fd_file(long fd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;
	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd & 0xfffff]);
	return f;
}

/* dev and ino of the file behind a freshly opened fd (Falco's open* dev/ino params) */
static __always_inline void p_dev_ino(struct ev *e, __u32 idx, long fd)
{
	struct file *f = fd >= 0 ? fd_file(fd) : NULL;
	p_num(e, idx, f ? BPF_CORE_READ(f, f_inode, i_sb, s_dev) : 0);
	p_num(e, idx + 1, f ? BPF_CORE_READ(f, f_inode, i_ino) : 0);
}

/* The peer address of a connected socket fd, written as a struct sockaddr_in/in6: used for accept
 * when the caller passed no address buffer. */
static __always_inline void p_peer(struct ev *e, __u32 idx, long fd)
{
	struct file *f = fd >= 0 ? fd_file(fd) : NULL;
	struct socket *sock = f ? BPF_CORE_READ(f, private_data) : NULL;
	struct sock *sk = sock ? BPF_CORE_READ(sock, sk) : NULL;
	__u32 off = e->off;
	if (!sk || off > FN_REC_MAX - 32) { set_len(e, idx, 0); return; }
	__u8 *d = &e->s->raw[OFF(off)];
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u16 port = BPF_CORE_READ(sk, __sk_common.skc_dport); /* network order, as in a sockaddr */
	__builtin_memset(d, 0, 28);
	*(__u16 *)d = fam;
	*(__u16 *)(d + 2) = port;
	if (fam == AF_INET) {
		*(__u32 *)(d + 4) = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		set_len(e, idx, 16);
		e->off = off + 16;
	} else if (fam == AF_INET6) {
		BPF_CORE_READ_INTO(d + 8, sk, __sk_common.skc_v6_daddr);
		set_len(e, idx, 28);
		e->off = off + 28;
	} else {
		set_len(e, idx, 2);
		e->off = off + 2;
	}
}

/* ---- the path of an open file, as the kernel's d_path prints it ---- */

/* Tracepoints cannot call bpf_d_path, so the path is rebuilt from the dentry chain, crossing mount
 * points, up to the task's root. A path deeper than FN_PATH_DEPTH levels keeps its leaf-most ones
 * and is flagged truncated. */
#define FN_PATH_DEPTH 64
#define FN_NAME_MAX   255
#define FN_PATH_MASK  (FN_PATH_MAX - 1)

/* Puts "/name" in front of the path built so far. Keeps b->pos >= 1, so the whole path is at most
 * FN_PATH_MAX - 1 bytes and its length fits the masks below. */
static __always_inline int prepend_name(struct fn_pathbuf *b, struct dentry *d)
{
	__u32 len = BPF_CORE_READ(d, d_name.len);
	const unsigned char *name = BPF_CORE_READ(d, d_name.name);
	__u32 pos = b->pos;
	if (len == 0 || len > FN_NAME_MAX || pos <= len + 1)
		return -1;
	pos -= len;
	asm volatile("%0 &= 0xff" : "+r"(len));
	bpf_probe_read_kernel(&b->raw[pos & FN_PATH_MASK], len, name);
	b->raw[(pos - 1) & FN_PATH_MASK] = '/';
	b->pos = pos - 1;
	return 0;
}

/* Walks from f's dentry to the task's root, leaving where the path starts in b->pos (FN_PATH_MAX
 * when the file is the root itself). Returns -1 when the path did not fit and only its leaf end was
 * kept. */
static __always_inline int build_path(struct fn_pathbuf *b, struct file *f)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct dentry *root = BPF_CORE_READ(t, fs, root.dentry);
	struct vfsmount *rootmnt = BPF_CORE_READ(t, fs, root.mnt);
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	struct vfsmount *vm = BPF_CORE_READ(f, f_path.mnt);
	struct mount *m = (struct mount *)((void *)vm - bpf_core_field_offset(struct mount, mnt));
	struct dentry *mnt_root = BPF_CORE_READ(vm, mnt_root);
	b->pos = FN_PATH_MAX;
	/* memfd and other pseudo files are never hashed; d_path marks them, like unlinked files, so */
	if (!BPF_CORE_READ(d, d_hash.pprev)) {
		b->pos = FN_PATH_MAX - (sizeof(" (deleted)") - 1);
		__builtin_memcpy(&b->raw[FN_PATH_MAX - (sizeof(" (deleted)") - 1)], " (deleted)", sizeof(" (deleted)") - 1);
	}
	for (int i = 0; i < FN_PATH_DEPTH; i++) {
		if (d == root && vm == rootmnt)
			return 0;
		if (d == mnt_root) {
			struct mount *parent = BPF_CORE_READ(m, mnt_parent);
			if (parent == m) /* the root of another mount namespace than the task's */
				return 0;
			d = BPF_CORE_READ(m, mnt_mountpoint);
			m = parent;
			vm = &parent->mnt;
			mnt_root = BPF_CORE_READ(vm, mnt_root);
			continue;
		}
		struct dentry *up = BPF_CORE_READ(d, d_parent);
		if (prepend_name(b, d))
			return -1;
		if (up == d) /* a pseudo file's own root (memfd), or a file system not mounted anywhere */
			return 0;
		d = up;
	}
	return -1;
}

/* f's path as /proc/PID/fd shows it ("/memfd:NAME (deleted)" for a memfd). */
static __always_inline void p_file_path(struct ev *e, __u32 idx, struct file *f)
{
	__u32 zero = 0, off = e->off;
	struct fn_pathbuf *b = bpf_map_lookup_elem(&pathbuf, &zero);
	if (!b || !f || off > FN_REC_MAX - FN_PATH_MAX) { set_len(e, idx, 0); return; }
	if (build_path(b, f))
		hdr(e)->flags |= FN_F_TRUNCATED;
	__u32 pos = b->pos;
	if (pos >= FN_PATH_MAX) { /* the root directory itself */
		pos = FN_PATH_MAX - 1;
		b->raw[FN_PATH_MAX - 1] = '/';
	}
	__u32 n = FN_PATH_MAX - pos;
	asm volatile("%0 &= 0xfff" : "+r"(n));
	if (bpf_probe_read_kernel(&e->s->raw[OFF(off)], n, &b->raw[pos & FN_PATH_MASK]))
		n = 0;
	set_len(e, idx, n);
	e->off = off + n;
}

/* ---- syscalls, each at its own exit tracepoint ---- */

#define SYS_EXIT(name) \
	SEC("tracepoint/syscalls/sys_exit_" #name) int x_##name(struct trace_event_raw_sys_exit *ctx)
#define BEGIN(TYPE) \
	struct ev e; \
	struct pt_regs *r = uregs(); \
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
SYS_EXIT(connect) { BEGIN(CONNECT); p_num(&e, 0, (int)A0(r)); p_usockaddr(&e, 1, (void *)A1(r), A2(r)); END(); }
SYS_EXIT(bind)    { BEGIN(BIND); p_num(&e, 0, (int)A0(r)); p_usockaddr(&e, 1, (void *)A1(r), A2(r)); END(); }
SYS_EXIT(listen)  { BEGIN(LISTEN); p_num(&e, 0, (int)A0(r)); p_num(&e, 1, (int)A1(r)); END(); }
SYS_EXIT(socket)  { BEGIN(SOCKET); p_num(&e, 0, ret); p_num(&e, 1, A0(r)); p_num(&e, 2, A1(r)); p_num(&e, 3, A2(r)); END(); }
SYS_EXIT(accept)  { BEGIN(ACCEPT); p_num(&e, 0, ret); p_num(&e, 1, (int)A0(r)); p_peer(&e, 2, ret); END(); }
SYS_EXIT(accept4) { BEGIN(ACCEPT4); p_num(&e, 0, ret); p_num(&e, 1, (int)A0(r)); p_peer(&e, 2, ret); p_num(&e, 3, A3(r)); END(); }

/* send/recv family: fd, size, tuple. size is the bytes moved, or the bytes asked for when the call
 * failed; tuple is the address the caller passed (send) or got back (recv), absent when there was
 * none (a connected socket): the socket itself is not looked into. */
#define FN_IOV_MAX 16 /* iovecs summed for a failed sendmsg/recvmsg's size */

static __always_inline void p_msg(struct ev *e, long ret, const struct user_msghdr *um, int is_recv)
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
}

SYS_EXIT(sendto)
{
	BEGIN(SENDTO);
	void *addr = (void *)A4(r);
	p_num(&e, 0, (int)A0(r)); p_num(&e, 1, ret >= 0 ? ret : A2(r)); p_usockaddr(&e, 2, addr, addr ? A5(r) : 0);
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
	END();
}
SYS_EXIT(sendmsg) { BEGIN(SENDMSG); p_num(&e, 0, (int)A0(r)); p_msg(&e, ret, (void *)A1(r), 0); END(); }
SYS_EXIT(recvmsg) { BEGIN(RECVMSG); p_num(&e, 0, (int)A0(r)); p_msg(&e, ret, (void *)A1(r), 1); END(); }

/* identity */
SYS_EXIT(setuid)    { BEGIN(SETUID); p_num(&e, 0, (__u32)A0(r)); END(); }
SYS_EXIT(setgid)    { BEGIN(SETGID); p_num(&e, 0, (__u32)A0(r)); END(); }
SYS_EXIT(setresuid) { BEGIN(SETRESUID); p_num(&e, 0, (__u32)A0(r)); p_num(&e, 1, (__u32)A1(r)); p_num(&e, 2, (__u32)A2(r)); END(); }
SYS_EXIT(setresgid) { BEGIN(SETRESGID); p_num(&e, 0, (__u32)A0(r)); p_num(&e, 1, (__u32)A1(r)); p_num(&e, 2, (__u32)A2(r)); END(); }
SYS_EXIT(setreuid)  { BEGIN(SETREUID); p_num(&e, 0, (__u32)A0(r)); p_num(&e, 1, (__u32)A1(r)); END(); }
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

/* pipe, pipe2: the two new fds, read back from the caller's array once the call succeeded (-1 otherwise) */
static __always_inline void p_pipefds(struct ev *e, long ret, const void *ufds)
{
	int fds[2] = { -1, -1 };
	if (ret != 0 || bpf_probe_read_user(fds, sizeof(fds), ufds))
		fds[0] = fds[1] = -1;
	p_num(e, 0, fds[0]); p_num(e, 1, fds[1]);
}
SYS_EXIT(pipe)  { BEGIN(PIPE); p_pipefds(&e, ret, (void *)A0(r)); END(); }
SYS_EXIT(pipe2) { BEGIN(PIPE2); p_pipefds(&e, ret, (void *)A0(r)); p_num(&e, 2, A1(r)); END(); }

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
	set_len(&e, 0, 0); /* exe: absent */
	set_len(&e, 1, 0); /* args: absent */
	p_ustr(&e, 2, A0(r));
	set_len(&e, 3, 0); /* trusted_exepath: absent, no image was loaded */
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
	set_len(&e, 0, 0);
	set_len(&e, 1, 0);
	p_num(&e, 2, (int)A0(r)); p_ustr(&e, 3, A1(r)); p_num(&e, 4, A4(r));
	set_len(&e, 5, 0);
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
	int is_at = at != NULL || BPF_CORE_READ(r, orig_ax) == 322; /* __NR_execveat */
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
	if (is_at) {
		p_num(&e, 2, a.dirfd); p_kstr(&e, 3, BPF_CORE_READ(bprm, filename)); p_num(&e, 4, a.flags);
		p_file_path(&e, 5, BPF_CORE_READ(bprm, file));
	} else {
		p_kstr(&e, 2, BPF_CORE_READ(bprm, filename));
		p_file_path(&e, 3, BPF_CORE_READ(bprm, file));
	}
	END();
}

/* Runs in the parent before the child can run, so the fork record precedes all of the child's. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(t_fork, struct task_struct *parent, struct task_struct *child)
{
	if (BPF_CORE_READ(parent, flags) & PF_KTHREAD)
		return 0;
	struct pt_regs *r = uregs();
	long nr = BPF_CORE_READ(r, orig_ax);
	__u32 type = nr == 57 ? FN_EVT_FORK : nr == 58 ? FN_EVT_VFORK : nr == 435 ? FN_EVT_CLONE3 : FN_EVT_CLONE;
	if (!is_wanted(type))
		return 0;
	__u32 child_tid = BPF_CORE_READ(child, pid);
	struct ev e;
	if (ev_begin(&e, type, type == FN_EVT_FORK || type == FN_EVT_VFORK ? 1 : 2, child_tid))
		return 0;
	if (type == FN_EVT_CLONE || type == FN_EVT_CLONE3) {
		__u64 flags = A0(r);
		if (type == FN_EVT_CLONE3)
			bpf_probe_read_user(&flags, sizeof(flags), (void *)flags); /* clone_args.flags comes first */
		p_num(&e, 0, flags);
		p_num(&e, 1, child_tid);
	} else {
		p_num(&e, 0, child_tid);
	}
	END();
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(t_exit, struct task_struct *p)
{
	if (BPF_CORE_READ(p, flags) & PF_KTHREAD)
		return 0;
	struct ev e;
	if (ev_begin(&e, FN_EVT_PROCEXIT, nparams_PROCEXIT, 0))
		return 0;
	p_num(&e, 0, BPF_CORE_READ(p, exit_code));
	END();
}
