// What a raw_syscalls:sys_exit hook costs a syscall it does not serve (getppid), with the hook as a
// perf tracepoint program (what the probe's r_sys_exit is) and as tp_btf, against no hook, in
// rotated rounds of one run; optionally with sys_exit_openat hooked too, as the probe has it for
// the rule set (any syscall tracepoint already moves every task onto the traced-syscall path).
// Usage (root): make -C bench/probe rawbench rawhook.bpf.o && (cd bench/probe && ./rawbench [iters] [rounds] [--with-tracepoint])
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAXR 64

// Thread CPU time: the hook runs in this thread and is charged to it; preemption by other load is not.
static double now_ns(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
static double storm(long n) { double t0 = now_ns(); for (long i = 0; i < n; i++) syscall(SYS_getppid); return (now_ns() - t0) / n; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
static int quiet(enum libbpf_print_level l, const char *f, va_list a) { return l == LIBBPF_WARN ? vfprintf(stderr, f, a) : 0; }

static const char *names[3] = { NULL, "perf_raw", "btf_raw" };
static const char *labels[3] = { "no raw hook", "raw_syscalls:sys_exit, perf tracepoint program (r_sys_exit)", "raw_syscalls:sys_exit, tp_btf" };

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	int rounds = argc > 2 ? atoi(argv[2]) : 9;
	int with_tp = argc > 3 && strcmp(argv[3], "--with-tracepoint") == 0;
	if (rounds > MAXR) rounds = MAXR;
	libbpf_set_print(quiet);
	struct bpf_object *o = bpf_object__open_file("rawhook.bpf.o", NULL);
	if (!o || bpf_object__load(o)) { fprintf(stderr, "cannot load rawhook.bpf.o (root? make rawhook.bpf.o?)\n"); return 1; }
	// with_tp: a program on sys_exit_openat (perf_raw again: any program will do, it never runs for getppid)
	struct bpf_link *tp = NULL;
	if (with_tp) {
		tp = bpf_program__attach_tracepoint(bpf_object__find_program_by_name(o, "perf_raw"), "syscalls", "sys_exit_openat");
		if (!tp) { fprintf(stderr, "cannot attach sys_exit_openat\n"); return 1; }
	}
	double v[3][MAXR];
	storm(n / 4); // warm up
	for (int r = 0; r < rounds; r++)
		for (int k = 0; k < 3; k++) {
			int i = (k + r) % 3; // rotate the order: the machine's load drifts
			struct bpf_link *l = names[i] ? bpf_program__attach(bpf_object__find_program_by_name(o, names[i])) : NULL;
			if (names[i] && !l) { fprintf(stderr, "cannot attach %s\n", names[i]); return 1; }
			v[i][r] = storm(n);
			bpf_link__destroy(l);
		}
	printf("getppid x%ld, median of %d rotated rounds%s\n", n, rounds, with_tp ? ", sys_exit_openat hooked throughout" : "");
	for (int k = 0; k < 3; k++) qsort(v[k], rounds, sizeof(double), cmp);
	for (int k = 0; k < 3; k++)
		printf("%-62s %7.1f ns  x%.3f  (+%.1f ns)\n", labels[k], v[k][rounds / 2], v[k][rounds / 2] / v[0][rounds / 2], v[k][rounds / 2] - v[0][rounds / 2]);
	bpf_link__destroy(tp);
	bpf_object__close(o);
	return 0;
}
