/* Which cgroup a task is in, and its path, told once per cgroup. Included once, by record.bpf.h, after the maps it shares.
 *
 * Every record's header carries the id of the task's cgroup in one hierarchy, chosen by userspace
 * (cgroup_ssid): the unified (v2) hierarchy on a v2 host, one v1 controller's hierarchy on a v1 or
 * hybrid host, where bpf_get_current_cgroup_id() would name the same root cgroup for every task.
 * The first time the probe meets an id it sends a `cgroup` record (FN_EVT_CGROUP: the header's
 * cgroup_id, and the path as one param) ahead of the record that carries the id, so userspace learns
 * every path from the kernel, in order, even for a process gone before its batch was read (a
 * `docker exec C cat` lives for a millisecond). */
#ifndef FN_CGROUP_BPF_H
#define FN_CGROUP_BPF_H

/* The v1 controller (enum cgroup_subsys_id, the line index of /proc/cgroups) whose hierarchy the
 * header's cgroup_id names, or -1 for the unified hierarchy. Set by the addon before load. */
const volatile int cgroup_ssid = -1;

#define FN_CGROUP_DEPTH 24
#define FN_CGROUP_NAME_MAX 255

/* cgroup ids already told to userspace. A dropped `cgroup` record is not entered, so it is sent again. */
struct { __uint(type, BPF_MAP_TYPE_LRU_HASH); __uint(max_entries, 8192); __type(key, __u64); __type(value, __u8); } cgroups_told SEC(".maps");
/* per CPU, the last id checked: consecutive records on a CPU mostly share a cgroup, and this spares
 * them the hash lookup */
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } cgroup_last SEC(".maps");

/* kernfs_node.parent became __parent in 6.15 */
struct kernfs_node___pre615 { struct kernfs_node *parent; } __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(struct kernfs_node___pre615, parent))
		return BPF_CORE_READ((struct kernfs_node___pre615 *)kn, parent);
	return BPF_CORE_READ(kn, __parent);
}

/* The task's cgroup in the chosen hierarchy, as its kernfs node. */
static __always_inline struct kernfs_node *task_cgroup_kn(struct task_struct *t)
{
	struct css_set *cs = BPF_CORE_READ(t, cgroups);
	struct cgroup *cg = NULL;
	int ssid = cgroup_ssid;
	if (ssid < 0) {
		cg = BPF_CORE_READ(cs, dfl_cgrp);
	} else {
		struct cgroup_subsys_state *css = NULL;
		void *slot = (void *)cs + bpf_core_field_offset(struct css_set, subsys) + (ssid & 15) * sizeof(void *);
		bpf_probe_read_kernel(&css, sizeof(css), slot);
		cg = BPF_CORE_READ(css, cgroup);
	}
	return BPF_CORE_READ(cg, kn);
}

/* Builds the `cgroup` record for kn in scratch and sends it; 0 when it reached the ring. The path is
 * rebuilt leaf first in pb, from the node up to the hierarchy's root (whose own name is not part of
 * it), as /proc/PID/cgroup prints it seen from the root cgroup namespace. */
static __noinline int emit_cgroup(struct fn_scratch *s, struct fn_pathbuf *pb, struct kernfs_node *kn, __u64 id)
{
	__u32 pos = FN_PATH_MAX;
	int cut = 0;
	for (int i = 0; i < FN_CGROUP_DEPTH; i++) {
		struct kernfs_node *up = kn_parent(kn);
		if (!up)
			break;
		const char *name = BPF_CORE_READ(kn, name);
		/* the name's length first, read into the far half of pb, then the name where it belongs */
		long n = bpf_probe_read_kernel_str(&pb->raw[FN_PATH_MAX], FN_CGROUP_NAME_MAX + 1, name);
		if (n <= 1 || pos <= (__u32)n + 1) { cut = 1; break; } /* pos stays >= 1: the length fits 0xfff */
		n -= 1;
		pos -= n;
		asm volatile("%0 &= 0xff" : "+r"(n));
		bpf_probe_read_kernel(&pb->raw[pos & (FN_PATH_MAX - 1)], n, name);
		pos -= 1;
		pb->raw[pos & (FN_PATH_MAX - 1)] = '/';
		kn = up;
		if (i == FN_CGROUP_DEPTH - 1 && kn_parent(kn))
			cut = 1;
	}
	if (pos >= FN_PATH_MAX) { /* the root cgroup */
		pos = FN_PATH_MAX - 1;
		pb->raw[FN_PATH_MAX - 1] = '/';
	}
	__u32 n = FN_PATH_MAX - pos;
	asm volatile("%0 &= 0xfff" : "+r"(n));
	struct fn_event_hdr *h = (struct fn_event_hdr *)s->raw;
	__builtin_memset(h, 0, sizeof(*h));
	h->ts = bpf_ktime_get_boot_ns();
	h->type = FN_EVT_CGROUP;
	h->nparams = 1;
	h->cgroup_id = id;
	h->flags = cut ? FN_F_TRUNCATED : 0;
	__u32 off = FN_HDR_SIZE + 2; /* the one param follows its length entry */
	*(__u16 *)&s->raw[FN_HDR_SIZE] = n;
	if (bpf_probe_read_kernel(&s->raw[off], n, &pb->raw[pos & (FN_PATH_MAX - 1)]))
		return -1;
	__u32 len = (off + n + 7) & ~7u;
	h->len = len;
	if (bpf_ringbuf_output(&rb, s->raw, len & (FN_SCRATCH - 1), BPF_RB_NO_WAKEUP)) {
		count_drop();
		return -1;
	}
	return 0;
}

/* The header's cgroup id for the current task; tells userspace its path first if it is new. */
static __always_inline __u64 current_cgroup(struct fn_scratch *s)
{
	struct kernfs_node *kn = task_cgroup_kn((struct task_struct *)bpf_get_current_task());
	__u64 id = BPF_CORE_READ(kn, id);
	__u32 zero = 0;
	__u64 *last = bpf_map_lookup_elem(&cgroup_last, &zero);
	if (!last || *last == id)
		return id;
	if (!bpf_map_lookup_elem(&cgroups_told, &id)) {
		struct fn_pathbuf *pb = bpf_map_lookup_elem(&pathbuf, &zero);
		if (!pb || !kn || emit_cgroup(s, pb, kn, id))
			return id; /* not told: the next record of this cgroup tries again */
		__u8 one = 1;
		bpf_map_update_elem(&cgroups_told, &id, &one, BPF_ANY);
	}
	*last = id;
	return id;
}

#endif /* FN_CGROUP_BPF_H */
