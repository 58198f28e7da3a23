// Three ways to see openat, for hookbench.c: each object holds one way; hookbench attaches one at a
// time and times getppid (a syscall no rule needs) and openat (one they do) under it.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct args { u64 a0, a1, a2, a3; };

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 10240); __type(key, u64); __type(value, struct args); } inflight SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 512); __type(key, u32); __type(value, u8); } wanted SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 1); __type(key, u32); __type(value, u64); } hits SEC(".maps");

static __always_inline void hit(void) { u32 z = 0; u64 *v = bpf_map_lookup_elem(&hits, &z); if (v) (*v)++; }

#if defined(HOOK_RAW)
// (a) one program on every syscall, filtered by an in-kernel map of wanted syscall numbers
SEC("tp_btf/sys_enter")
int BPF_PROG(raw_enter, struct pt_regs *regs, long id)
{
	u32 k = id; u8 *w = bpf_map_lookup_elem(&wanted, &k);
	if (!w || !*w) return 0;
	u64 t = bpf_get_current_pid_tgid();
	struct args a = { regs->di, regs->si, regs->dx, regs->r10 };
	bpf_map_update_elem(&inflight, &t, &a, BPF_ANY);
	return 0;
}
SEC("tp_btf/sys_exit")
int BPF_PROG(raw_exit, struct pt_regs *regs, long ret)
{
	u32 k = regs->orig_ax; u8 *w = bpf_map_lookup_elem(&wanted, &k);
	if (!w || !*w) return 0;
	u64 t = bpf_get_current_pid_tgid();
	if (bpf_map_lookup_elem(&inflight, &t)) { hit(); bpf_map_delete_elem(&inflight, &t); }
	return 0;
}
#elif defined(HOOK_PERF_RAW)
// (a') the same filter on the perf tracepoint raw_syscalls:sys_enter/sys_exit (classic BPF tracepoint)
SEC("tracepoint/raw_syscalls/sys_enter")
int perf_enter(struct trace_event_raw_sys_enter *ctx)
{
	u32 k = ctx->id; u8 *w = bpf_map_lookup_elem(&wanted, &k);
	if (!w || !*w) return 0;
	u64 t = bpf_get_current_pid_tgid();
	struct args a = { ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3] };
	bpf_map_update_elem(&inflight, &t, &a, BPF_ANY);
	return 0;
}
SEC("tracepoint/raw_syscalls/sys_exit")
int perf_exit(struct trace_event_raw_sys_exit *ctx)
{
	u32 k = ctx->id; u8 *w = bpf_map_lookup_elem(&wanted, &k);
	if (!w || !*w) return 0;
	u64 t = bpf_get_current_pid_tgid();
	if (bpf_map_lookup_elem(&inflight, &t)) { hit(); bpf_map_delete_elem(&inflight, &t); }
	return 0;
}
#elif defined(HOOK_TP)
// (b1) the per-syscall tracepoint pair, args kept in a per-thread map between enter and exit
SEC("tracepoint/syscalls/sys_enter_openat")
int tp_enter(struct trace_event_raw_sys_enter *ctx)
{
	u64 t = bpf_get_current_pid_tgid();
	struct args a = { ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3] };
	bpf_map_update_elem(&inflight, &t, &a, BPF_ANY);
	return 0;
}
SEC("tracepoint/syscalls/sys_exit_openat")
int tp_exit(struct trace_event_raw_sys_exit *ctx)
{
	u64 t = bpf_get_current_pid_tgid();
	if (bpf_map_lookup_elem(&inflight, &t)) { hit(); bpf_map_delete_elem(&inflight, &t); }
	return 0;
}
#elif defined(HOOK_TP_EXIT)
// (b3) falconet's choice: only sys_exit_openat; the args are still in the task's saved user registers
SEC("tracepoint/syscalls/sys_exit_openat")
int tpx_exit(struct trace_event_raw_sys_exit *ctx)
{
	struct pt_regs *r = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	volatile u64 a = BPF_CORE_READ(r, si) + ctx->ret; (void)a;
	hit();
	return 0;
}
#elif defined(HOOK_FEXIT)
// (b2) fexit on the syscall's entry function: args and return value in one program, no map
SEC("fexit/__x64_sys_openat")
int BPF_PROG(fx_openat, const struct pt_regs *regs, long ret)
{
	volatile u64 a = regs->si + ret; (void)a;
	hit();
	return 0;
}
#elif defined(HOOK_KRET)
// (c) a kretprobe on the syscall's entry function (ftrace-patched: no cost to other syscalls)
SEC("kretsyscall/openat")
int BPF_KRETPROBE(kr_openat, long ret)
{
	struct pt_regs *r = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	volatile u64 a = BPF_CORE_READ(r, si) + ret; (void)a;
	hit();
	return 0;
}
#endif
