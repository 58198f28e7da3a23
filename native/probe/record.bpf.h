/* Building one record (events.h layout) in per-CPU scratch memory and sending it to the ring buffer; the maps the probe shares with userspace. Included once, by probe.bpf.c. */
#ifndef FN_RECORD_BPF_H
#define FN_RECORD_BPF_H

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
/* thread group ids whose activity is never reported (the monitor itself), as the monitor sees them:
 * host pids, or pids of the monitor's own pid namespace when that is not the host's (set below) */
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, __u32); __type(value, __u8); } excluded SEC(".maps");
/* The monitor's pid namespace (nsfs dev and inode) when it runs in one of its own, e.g. a container
 * without hostPID; 0 in the host's. Set by the addon before load. */
const volatile __u64 self_pidns_dev = 0;
const volatile __u64 self_pidns_ino = 0;
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

static __always_inline void count_drop(void)
{
	__u32 zero = 0;
	__u64 *d = bpf_map_lookup_elem(&drops, &zero);
	if (d)
		*d += 1;
}

#include "cgroup.bpf.h"


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
	if (self_pidns_ino) {
		/* fails for every task outside the monitor's pid namespace: those are never excluded */
		struct bpf_pidns_info ns = {};
		if (!bpf_get_ns_current_pid_tgid(self_pidns_dev, self_pidns_ino, &ns, sizeof(ns)) &&
		    bpf_map_lookup_elem(&excluded, &ns.tgid))
			return -1;
	} else if (bpf_map_lookup_elem(&excluded, &tgid)) {
		return -1;
	}
	e->s = bpf_map_lookup_elem(&scratch, &zero);
	if (!e->s)
		return -1;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 cgroup_id = current_cgroup(e->s); /* first: it may send a `cgroup` record through scratch */
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
	h->cgroup_id = cgroup_id;
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

/* params [from, to) absent: a failed exec has no image to describe */
static __always_inline void absent(struct ev *e, __u32 from, __u32 to)
{
	for (__u32 i = from; i < to && i < FN_MAX_PARAMS; i++)
		set_len(e, i, 0);
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
	if (bpf_ringbuf_output(&rb, e->s->raw, len & (FN_SCRATCH - 1), wake))
		count_drop();
}


#endif /* FN_RECORD_BPF_H */
