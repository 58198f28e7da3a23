// Hook-choice benchmark: times getppid (no rule needs it) and openat+close of /dev/null (rules need
// openat) with no probe and under each way of hooking openat (hooks.bpf.c), interleaved over several
// rounds in one run; prints the median of each and its ratio to the no-probe median.
// Usage: make -C bench/probe && cd bench/probe && ./hookbench [getppid_iters] [openat_iters] [rounds]
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NCONF 7
#define MAXR 32

// Thread CPU time: BPF programs run in this thread and are charged to it; preemption by other load is not.
static double now_ns(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec * 1e9 + t.tv_nsec; }

static double time_getppid(long n) {
	double t0 = now_ns();
	for (long i = 0; i < n; i++) syscall(SYS_getppid);
	return (now_ns() - t0) / n;
}

static double time_openat(long n) {
	double t0 = now_ns();
	for (long i = 0; i < n; i++) { int fd = openat(AT_FDCWD, "/dev/null", O_RDONLY); close(fd); }
	return (now_ns() - t0) / n;
}

static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
static double median(double *v, int n) { qsort(v, n, sizeof *v, cmp); return v[n / 2]; }
static int quiet(enum libbpf_print_level l, const char *f, va_list a) { return l == LIBBPF_WARN ? vfprintf(stderr, f, a) : 0; }

static const char *objs[NCONF] = { NULL, "hook_raw.bpf.o", "hook_perf_raw.bpf.o", "hook_tp.bpf.o", "hook_tp_exit.bpf.o", "hook_fexit.bpf.o", "hook_kret.bpf.o" };
static const char *names[NCONF] = {
	"no probe",
	"(a) tp_btf sys_enter+sys_exit + wanted map",
	"(a') raw_syscalls:sys_enter/exit perf tp + map",
	"(b1) syscalls:sys_{enter,exit}_openat",
	"(b3) syscalls:sys_exit_openat + task pt_regs",
	"(b2) fexit/__x64_sys_openat",
	"(c) kretprobe __x64_sys_openat + task pt_regs",
};

struct attached { struct bpf_object *obj; struct bpf_link *links[4]; int n; };

static int attach(const char *path, struct attached *a) {
	a->n = 0;
	a->obj = bpf_object__open_file(path, NULL);
	if (!a->obj || bpf_object__load(a->obj)) return -1;
	unsigned int k = SYS_openat; unsigned char one = 1;
	bpf_map_update_elem(bpf_map__fd(bpf_object__find_map_by_name(a->obj, "wanted")), &k, &one, 0);
	struct bpf_program *p;
	bpf_object__for_each_program(p, a->obj) {
		if (!(a->links[a->n] = bpf_program__attach(p))) return -1;
		a->n++;
	}
	return 0;
}

static void detach(struct attached *a) {
	while (a->n--) bpf_link__destroy(a->links[a->n]);
	bpf_object__close(a->obj);
}

int main(int argc, char **argv) {
	long ng = argc > 1 ? atol(argv[1]) : 2000000, no = argc > 2 ? atol(argv[2]) : 200000;
	int rounds = argc > 3 ? atoi(argv[3]) : 5;
	if (rounds > MAXR) rounds = MAXR;
	double g[NCONF][MAXR], o[NCONF][MAXR];
	int ok[NCONF]; for (int c = 0; c < NCONF; c++) ok[c] = 1;
	libbpf_set_print(quiet);
	time_getppid(ng / 4); // warm up
	for (int r = 0; r < rounds; r++) {
		for (int c = 0; c < NCONF; c++) {
			struct attached a = { 0 };
			if (objs[c] && attach(objs[c], &a)) {
				if (ok[c]) fprintf(stderr, "%s: cannot load/attach (skipped)\n", names[c]);
				ok[c] = 0;
				if (a.obj) detach(&a);
				continue;
			}
			g[c][r] = time_getppid(ng);
			o[c][r] = time_openat(no);
			if (objs[c]) detach(&a);
		}
	}
	double bg = median(g[0], rounds), bo = median(o[0], rounds);
	printf("median of %d interleaved rounds; getppid x%ld, openat+close x%ld\n", rounds, ng, no);
	for (int c = 0; c < NCONF; c++) {
		if (!ok[c]) { printf("%-48s unavailable on this kernel\n", names[c]); continue; }
		double mg = median(g[c], rounds), mo = median(o[c], rounds);
		printf("%-48s getppid %7.1f ns (x%.3f)   openat+close %7.1f ns (x%.3f)\n", names[c], mg, mg / bg, mo, mo / bo);
	}
	return 0;
}
