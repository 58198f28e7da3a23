// The two ways to hook raw_syscalls:sys_exit for the probe's fallback (native/probe/probe.bpf.c
// r_sys_exit), each doing only r_sys_exit's work: pick a slot (x86-64 nr, or 512 + ia32 nr) and tail-
// call into an empty program array. rawbench.c times a syscall under each. perf_raw is what the
// probe uses: its tail calls land in the per-syscall programs, which are perf tracepoint programs
// too; btf_raw (tp_btf) could only tail-call into tracing programs, i.e. a second copy of each.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 1024); __type(key, __u32); __type(value, __u32); } perf_slots SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 1024); __type(key, __u32); __type(value, __u32); } btf_slots SEC(".maps");

#define TS_COMPAT 0x0002

SEC("tracepoint/raw_syscalls/sys_exit")
int perf_raw(struct trace_event_raw_sys_exit *ctx)
{
	__u32 nr = ctx->id;
	if (nr >= 512)
		return 0;
	bpf_tail_call(ctx, &perf_slots, (bpf_get_current_task_btf()->thread_info.status & TS_COMPAT) ? 512 + nr : nr);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(btf_raw, struct pt_regs *regs, long ret)
{
	__u32 nr = regs->orig_ax;
	if (nr >= 512)
		return 0;
	bpf_tail_call(ctx, &btf_slots, (bpf_get_current_task_btf()->thread_info.status & TS_COMPAT) ? 512 + nr : nr);
	return 0;
}
