// Hook-choice benchmark: times getppid (no rule needs it) and openat+close of /dev/null (rules need
// openat) with no probe, then under each way of hooking openat (hooks.bpf.c), in one run.
// Usage: ./hookbench [getppid_iters] [openat_iters]   (run as root; build with `make -C bench/probe`)
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }

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

static int quiet(enum libbpf_print_level l, const char *f, va_list a) { return l == LIBBPF_WARN ? vfprintf(stderr, f, a) : 0; }

int main(int argc, char **argv) {
	long ng = argc > 1 ? atol(argv[1]) : 5000000, no = argc > 2 ? atol(argv[2]) : 300000;
	const char *objs[] = { "hook_raw.bpf.o", "hook_tp.bpf.o", "hook_fexit.bpf.o" };
	const char *names[] = { "(a) tp_btf sys_enter+sys_exit, wanted-syscall map", "(b1) syscalls:sys_{enter,exit}_openat tracepoints", "(b2) fexit/__x64_sys_openat" };
	libbpf_set_print(quiet);
	time_getppid(ng / 10); // warm up
	double base_g = time_getppid(ng), base_o = time_openat(no);
	printf("%-52s getppid %7.1f ns   openat+close %7.1f ns\n", "no probe", base_g, base_o);
	for (int i = 0; i < 3; i++) {
		struct bpf_object *obj = bpf_object__open_file(objs[i], NULL);
		if (!obj || bpf_object__load(obj)) { fprintf(stderr, "cannot load %s\n", objs[i]); return 1; }
		struct bpf_map *w = bpf_object__find_map_by_name(obj, "wanted");
		unsigned int k = SYS_openat; unsigned char one = 1;
		bpf_map_update_elem(bpf_map__fd(w), &k, &one, 0);
		struct bpf_link *links[4]; int nl = 0;
		struct bpf_program *p;
		bpf_object__for_each_program(p, obj) {
			links[nl] = bpf_program__attach(p);
			if (!links[nl]) { fprintf(stderr, "cannot attach %s\n", bpf_program__name(p)); return 1; }
			nl++;
		}
		double g = time_getppid(ng), o = time_openat(no);
		printf("%-52s getppid %7.1f ns (%+5.1f%%)   openat+close %7.1f ns (%+5.1f%%)\n", names[i], g,
		       100 * (g / base_g - 1), o, 100 * (o / base_o - 1));
		while (nl--) bpf_link__destroy(links[nl]);
		bpf_object__close(obj);
	}
	double g2 = time_getppid(ng);
	printf("%-52s getppid %7.1f ns (%+5.1f%%)  [noise check]\n", "no probe, again", g2, 100 * (g2 / base_g - 1));
	return 0;
}
