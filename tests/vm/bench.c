/*
 * bench - the benchmark behind `make bench` (and, with "smoke", a quick run in
 * `make check` so it cannot rot). Runs inside the VM (tests/vm/vm.sh bench):
 *
 *   bench-run [smoke] [pairs=N] [rounds=N] [ydotool-pairs=N] [reports=N]
 *             [tput-clients=N] [chars=N] [creates=N] [clients=A:B:C]
 *             [ydotool=0|1] [only=PHASE:PHASE]
 *
 * Phases: latency, throughput, create, typing, footprint. Prints BENCH {json}
 * lines for scripts/bench-report.py, "#" lines for people, and PASS/FAIL per
 * phase (whether the numbers are sane, not whether targets are met).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench.h"
#include "vmdaemon.h"

pid_t bench_daemon_pid;

struct bench_opts bench_opts = {
	.pairs = 10000,
	.rounds = 5,
	.ydotool_pairs = 200,
	.reports = 200000,
	.tput_clients = 8,
	.chars = 1000,
	.creates = 20,
	.clients = {1, 64, 512},
	.n_clients = 3,
	.ydotool = true,
};

static void
smoke_sizes(struct bench_opts *o)
{
	o->smoke = true;
	o->pairs = 300;
	o->rounds = 3;
	o->ydotool_pairs = 0;
	o->reports = 4000;
	o->chars = 100;
	o->creates = 5;
	o->clients[0] = 1;
	o->clients[1] = 8;
	o->n_clients = 2;
	o->ydotool = false;
}

static void
parse_clients(struct bench_opts *o, const char *list)
{
	char copy[64], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", list);
	o->n_clients = 0;
	for (char *t = strtok_r(copy, ":", &save); t && o->n_clients < BENCH_MAX_CLIENT_STEPS;
	     t = strtok_r(NULL, ":", &save))
		o->clients[o->n_clients++] = atoi(t);
}

static int
parse_args(int argc, char **argv, struct bench_opts *o)
{
	static const struct {
		const char *key;
		int *value;
	} ints[] = {
		{"pairs=", &bench_opts.pairs},
		{"rounds=", &bench_opts.rounds},
		{"ydotool-pairs=", &bench_opts.ydotool_pairs},
		{"reports=", &bench_opts.reports},
		{"tput-clients=", &bench_opts.tput_clients},
		{"chars=", &bench_opts.chars},
		{"creates=", &bench_opts.creates},
	};

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool known = false;
		if (!strcmp(a, "smoke")) {
			smoke_sizes(o);
			continue;
		}
		for (size_t k = 0; k < sizeof(ints) / sizeof(ints[0]); k++)
			if (!strncmp(a, ints[k].key, strlen(ints[k].key))) {
				*ints[k].value = atoi(a + strlen(ints[k].key));
				known = true;
			}
		if (!strncmp(a, "clients=", 8))
			parse_clients(o, a + 8), known = true;
		else if (!strncmp(a, "ydotool=", 8))
			o->ydotool = atoi(a + 8) != 0, known = true;
		else if (!strncmp(a, "only=", 5))
			snprintf(o->only, sizeof(o->only), ":%s:", a + 5), known = true;
		if (!known) {
			fprintf(stderr, "bench: unknown argument '%s'\n", a);
			return -1;
		}
	}
	if (o->rounds < 1)
		o->rounds = 1;
	if (o->pairs < o->rounds)
		o->pairs = o->rounds;
	return 0;
}

static bool
wanted(const char *phase)
{
	char key[40];

	if (!bench_opts.only[0])
		return true;
	snprintf(key, sizeof(key), ":%s:", phase);
	return strstr(bench_opts.only, key) != NULL;
}

static void
cpu_model(char *out, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(out, len, "?");
	while (f && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (!strncmp(line, "model name", 10) && colon) {
			snprintf(out, len, "%s", colon + 2);
			out[strcspn(out, "\n")] = '\0';
			break;
		}
	}
	if (f)
		fclose(f);
}

static void
read_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");

	if (!f || !fgets(out, (int)len, f))
		snprintf(out, len, "?");
	out[strcspn(out, "\n")] = '\0';
	if (f)
		fclose(f);
}

/* The price of the two things every path does: a syscall, and reading the clock. */
static void
reference_costs(double *syscall_ns, double *clock_ns)
{
	enum { N = 2000 };
	static uint64_t s[N];
	struct bench_stats st;

	for (int i = 0; i < N; i++) {
		uint64_t t0 = monotonic_ns();
		getppid();
		s[i] = monotonic_ns() - t0;
	}
	bench_stats(s, N, &st);
	*syscall_ns = st.p50_us * 1e3;
	for (int i = 0; i < N; i++) {
		uint64_t t0 = monotonic_ns();
		monotonic_ns();
		s[i] = monotonic_ns() - t0;
	}
	bench_stats(s, N, &st);
	*clock_ns = st.p50_us * 1e3;
}

/* What the figures were taken on: the report names the kernel and the VM. */
static void
describe_environment(const char *vt)
{
	struct bench_json j;
	struct utsname u;
	char cpu[128];
	long mem_kib = sysconf(_SC_PHYS_PAGES) * (sysconf(_SC_PAGESIZE) / 1024);

	char clocksource[64];
	double syscall_ns, clock_ns;

	uname(&u);
	cpu_model(cpu, sizeof(cpu));
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", clocksource,
		  sizeof(clocksource));
	reference_costs(&syscall_ns, &clock_ns);
	bj_begin(&j, "env", "vm");
	bj_str(&j, "kernel", u.release);
	bj_str(&j, "guest_cpu", cpu);
	bj_int(&j, "cpus", sysconf(_SC_NPROCESSORS_ONLN));
	bj_int(&j, "mem_kib", mem_kib);
	bj_str(&j, "clocksource", clocksource);
	bj_str(&j, "console_keyboard", vt);
	bj_num(&j, "null_syscall_ns", syscall_ns);
	bj_num(&j, "clock_gettime_ns", clock_ns);
	bj_bool(&j, "smoke", bench_opts.smoke);
	bj_int(&j, "pairs", bench_opts.pairs);
	bj_int(&j, "reports", bench_opts.reports);
	bj_int(&j, "chars", bench_opts.chars);
	bj_int(&j, "creates", bench_opts.creates);
	bj_emit(&j);
	printf("# kernel %s, %ld CPU(s) (%s), %ld MiB; clocksource %s; getppid() %.0f ns, "
	       "clock_gettime() %.0f ns; console keyboard %s\n",
	       u.release, sysconf(_SC_NPROCESSORS_ONLN), cpu, mem_kib / 1024, clocksource,
	       syscall_ns, clock_ns, vt);
}

/*
 * Like a compositor, switch the console's keyboard off (KDSKBMODE K_OFF): in
 * text mode the kernel's VT handler turns every key of every keyboard into
 * input for tty1, which nobody reads here; a desktop does not pay that either.
 */
static const char *
console_keyboard_off(void)
{
	int fd = open("/dev/tty0", O_RDWR | O_CLOEXEC), r = -1;

	if (fd >= 0) {
		r = ioctl(fd, KDSKBMODE, K_OFF);
		close(fd);
	}
	return r == 0 ? "off" : "text (could not switch it off)";
}

/* 512 clients with a keyboard and a pointer each need about 1600 descriptors here. */
static void
raise_fd_limit(void)
{
	struct rlimit rl = {65536, 65536};

	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		printf("# cannot raise RLIMIT_NOFILE: %s\n", strerror(errno));
}

int
main(int argc, char **argv)
{
	struct bench_daemon d;
	/* the benchmark measures speed, not the lease: a writer the loaded machine
	 * starves for the default 3 s must not lose its keys in the middle of a run */
	char lease[16];
	const char *const daemon_args[] = {"--lease-ms", lease, NULL};

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_args(argc, argv, &bench_opts) < 0)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();
	describe_environment(console_keyboard_off());
	/* one daemon for the per-report phases; the footprint starts its own */
	snprintf(lease, sizeof(lease), "%d", vt_bound(3000));
	if (!vt_check(bench_daemon_start(&d, daemon_args) == 0, "bench.daemon.start",
		      "vhidd did not start"))
		return vt_finish();
	bench_daemon_pid = d.pid;
	if (wanted("latency"))
		bench_latency();
	if (wanted("throughput"))
		bench_throughput();
	if (wanted("create"))
		bench_create();
	if (wanted("typing"))
		bench_typing();
	bench_daemon_stop(&d);
	if (wanted("footprint"))
		bench_footprint();
	return vt_finish();
}
