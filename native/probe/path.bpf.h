/* The full path of an open file, rebuilt from its dentry chain. Included once, by probe.bpf.c. */
#ifndef FN_PATH_BPF_H
#define FN_PATH_BPF_H

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


#endif /* FN_PATH_BPF_H */
