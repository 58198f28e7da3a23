/* The current task as the syscall programs see it: its saved user registers (the syscall arguments) and its open files. Included once, by probe.bpf.c. */
#ifndef FN_TASK_BPF_H
#define FN_TASK_BPF_H

/* ---- the current task's view of its files and registers ---- */

static __always_inline struct pt_regs *uregs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

/* thread_info.status bit set while the task is in an ia32 (compat) syscall: int 0x80, sysenter, or a
 * 32-bit process's syscall (arch/x86/include/asm/thread_info.h; a #define, so not in BTF) */
#define FN_TS_COMPAT 0x0002

static __always_inline int task_in_ia32_syscall(struct task_struct *t)
{
	return t->thread_info.status & FN_TS_COMPAT;
}
#define in_ia32_syscall() task_in_ia32_syscall(bpf_get_current_task_btf())

/* Syscall argument i: x86-64 passes them in di, si, dx, r10, r8, r9; ia32 in bx, cx, dx, si, di, bp,
 * 32 bits wide (the kernel ignores the upper halves, which a 64-bit caller of int 0x80 may leave
 * set). `abi32` is the caller's in_ia32_syscall(): BEGIN declares it. Only r_sys_exit hands an ia32
 * call to a syscall program; the per-syscall tracepoints never fire for one. */
#define FN_ARG(r, r64, r32) (abi32 ? (__u64)(__u32)BPF_CORE_READ(r, r32) : (__u64)BPF_CORE_READ(r, r64))
#define A0(r) FN_ARG(r, di, bx)
#define A1(r) FN_ARG(r, si, cx)
#define A2(r) FN_ARG(r, dx, dx)
#define A3(r) FN_ARG(r, r10, si)
#define A4(r) FN_ARG(r, r8, di)
#define A5(r) FN_ARG(r, r9, bp)

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

/* One end of an inet socket fd, written as a struct sockaddr_in/in6 (port in network order, as in a
 * sockaddr): the peer (accept when the caller passed no address buffer) or the local end (connect,
 * accept and the send/recv family, for fd.name's client and server sides). Other families: 2 bytes. */
static __always_inline void p_sockname(struct ev *e, __u32 idx, long fd, int peer)
{
	struct file *f = fd >= 0 ? fd_file(fd) : NULL;
	struct socket *sock = f ? BPF_CORE_READ(f, private_data) : NULL;
	struct sock *sk = sock ? BPF_CORE_READ(sock, sk) : NULL;
	__u32 off = e->off;
	if (!sk || off > FN_REC_MAX - 32) { set_len(e, idx, 0); return; }
	__u8 *d = &e->s->raw[OFF(off)];
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	/* skc_dport is in network order; skc_num, the local port, in host order */
	__u16 port = peer ? BPF_CORE_READ(sk, __sk_common.skc_dport) : bpf_htons(BPF_CORE_READ(sk, __sk_common.skc_num));
	__builtin_memset(d, 0, 28);
	*(__u16 *)d = fam;
	*(__u16 *)(d + 2) = port;
	if (fam == AF_INET) {
		*(__u32 *)(d + 4) = peer ? BPF_CORE_READ(sk, __sk_common.skc_daddr) : BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		set_len(e, idx, 16);
		e->off = off + 16;
	} else if (fam == AF_INET6) {
		if (peer)
			BPF_CORE_READ_INTO(d + 8, sk, __sk_common.skc_v6_daddr);
		else
			BPF_CORE_READ_INTO(d + 8, sk, __sk_common.skc_v6_rcv_saddr);
		set_len(e, idx, 28);
		e->off = off + 28;
	} else {
		set_len(e, idx, 2);
		e->off = off + 2;
	}
}
#define p_peer(e, idx, fd) p_sockname(e, idx, fd, 1)
#define p_local(e, idx, fd) p_sockname(e, idx, fd, 0)

/* ---- identity the kernel knows better than any syscall argument ---- */

/* The task's capability sets now (cap_inheritable, cap_permitted, cap_effective, in that order, from
 * idx on). kernel_cap_t is a u64 since 6.3 and two u32s before: 8 bytes, little-endian, either way. */
static __always_inline void p_caps(struct ev *e, __u32 idx)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	const struct cred *c = BPF_CORE_READ(t, cred);
	__u64 v[3] = {};
	bpf_probe_read_kernel(&v[0], 8, &c->cap_inheritable);
	bpf_probe_read_kernel(&v[1], 8, &c->cap_permitted);
	bpf_probe_read_kernel(&v[2], 8, &c->cap_effective);
	p_num(e, idx, v[0]);
	p_num(e, idx + 1, v[1]);
	p_num(e, idx + 2, v[2]);
}

/* A pid as its own (innermost) pid namespace numbers it: what the process itself calls getpid() for. */
static __always_inline __u32 pid_nr_innermost(struct pid *p)
{
	__u32 level = BPF_CORE_READ(p, level);
	struct upid u = {};
	void *at = (void *)p + bpf_core_field_offset(struct pid, numbers) + (level & 31) * bpf_core_type_size(struct upid);
	bpf_probe_read_kernel(&u, sizeof(u), at);
	return u.nr;
}

/* vtid, vpid of a task, from idx on */
static __always_inline void p_vids(struct ev *e, __u32 idx, struct task_struct *t)
{
	p_num(e, idx, pid_nr_innermost(BPF_CORE_READ(t, thread_pid)));
	p_num(e, idx + 1, pid_nr_innermost(BPF_CORE_READ(t, group_leader, thread_pid)));
}

/* The task's controlling terminal as /proc/PID/stat's tty_nr encodes it (new_encode_dev), 0 for none:
 * `docker exec -it` gives the new process a terminal its parent (runc, the shim) never had. */
static __always_inline __u32 ctty_nr(struct task_struct *t)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	if (!tty)
		return 0;
	__u32 index = BPF_CORE_READ(tty, index);
	__u32 major = BPF_CORE_READ(tty, driver, major);
	__u32 minor = BPF_CORE_READ(tty, driver, minor_start) + index;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
}

/* ---- facts of the file an exec runs ---- */

#define OVERLAYFS_SUPER_MAGIC 0x794c7630

/* inode times moved: i_ctime/i_mtime (timespec64) before 6.6, __i_ctime from 6.6 and __i_mtime
 * from 6.7, then i_ctime_sec/_nsec and i_mtime_sec/_nsec from 6.11 */
struct inode___pre611 { struct timespec64 __i_ctime; struct timespec64 __i_mtime; } __attribute__((preserve_access_index));
struct inode___pre66 { struct timespec64 i_ctime; struct timespec64 i_mtime; } __attribute__((preserve_access_index));

static __always_inline __u64 ts_ns(struct timespec64 ts) { return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec; }

static __always_inline __u64 inode_ctime(struct inode *i)
{
	if (bpf_core_field_exists(i->i_ctime_sec))
		return (__u64)BPF_CORE_READ(i, i_ctime_sec) * 1000000000ull + BPF_CORE_READ(i, i_ctime_nsec);
	if (bpf_core_field_exists(struct inode___pre611, __i_ctime))
		return ts_ns(BPF_CORE_READ((struct inode___pre611 *)i, __i_ctime));
	return ts_ns(BPF_CORE_READ((struct inode___pre66 *)i, i_ctime));
}

static __always_inline __u64 inode_mtime(struct inode *i)
{
	if (bpf_core_field_exists(i->i_mtime_sec))
		return (__u64)BPF_CORE_READ(i, i_mtime_sec) * 1000000000ull + BPF_CORE_READ(i, i_mtime_nsec);
	if (bpf_core_field_exists(struct inode___pre611, __i_mtime))
		return ts_ns(BPF_CORE_READ((struct inode___pre611 *)i, __i_mtime));
	return ts_ns(BPF_CORE_READ((struct inode___pre66 *)i, i_mtime));
}

/* True when the file lives on an overlayfs upper layer: written (or copied up) after the container
 * started, not shipped in its image. overlayfs embeds the VFS inode in its struct ovl_inode, followed
 * directly by the upper dentry pointer (NULL while the file exists only in a lower layer); the
 * module's BTF is not in vmlinux, so the pointer is read right behind the inode. */
static __always_inline int inode_upper_layer(struct inode *i)
{
	if (BPF_CORE_READ(i, i_sb, s_magic) != OVERLAYFS_SUPER_MAGIC)
		return 0;
	struct dentry *upper = NULL;
	bpf_probe_read_kernel(&upper, sizeof(upper), (void *)i + bpf_core_type_size(struct inode));
	return upper != NULL && BPF_CORE_READ(upper, d_inode) != NULL;
}

/* exe_ino, exe_ino_ctime, exe_ino_mtime, exe_upper_layer of the file f, from idx on */
static __always_inline void p_exe_facts(struct ev *e, __u32 idx, struct file *f)
{
	struct inode *i = BPF_CORE_READ(f, f_inode);
	if (!i) {
		for (int k = 0; k < 4; k++)
			set_len(e, idx + k, 0);
		return;
	}
	p_num(e, idx, BPF_CORE_READ(i, i_ino));
	p_num(e, idx + 1, inode_ctime(i));
	p_num(e, idx + 2, inode_mtime(i));
	p_num(e, idx + 3, inode_upper_layer(i));
}

#endif /* FN_TASK_BPF_H */
