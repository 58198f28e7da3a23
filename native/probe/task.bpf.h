/* The current task as the syscall programs see it: its saved user registers (the syscall arguments) and its open files. Included once, by probe.bpf.c. */
#ifndef FN_TASK_BPF_H
#define FN_TASK_BPF_H

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

#endif /* FN_TASK_BPF_H */
