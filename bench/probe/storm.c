// Syscall storm for bench/probe/run.mjs: `storm getppid N` or `storm openat N` (openat+close of
// /dev/null). Prints the mean CPU ns (user+sys of this thread) per iteration: CPU time, not wall
// time, so that other load on the machine preempting the storm does not count as probe overhead;
// BPF programs run in the calling thread and are charged to it.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
	if (argc < 3) { fprintf(stderr, "usage: storm getppid|openat N\n"); return 2; }
	long n = atol(argv[2]);
	int opens = strcmp(argv[1], "openat") == 0;
	struct timespec a, b;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	for (long i = 0; i < n; i++) {
		if (opens) close(openat(AT_FDCWD, "/dev/null", O_RDONLY));
		else syscall(SYS_getppid);
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	printf("%.2f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	return 0;
}
