/*
 * bench-latency.c - key latency: from the call until the event is readable
 * on evdev, for press and release alike. The paths take turns in rounds, so a
 * slow spell of the host hurts them all instead of one.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "vmtest.h"

#define EVENT_TIMEOUT_MS 2000
#define WARMUP_PAIRS 100

struct path {
	const char *name;
	int relay; /* the relay's socket, see start_relay() */
	int (*key)(struct path *p, bool down);
	struct evreader *rd;
	struct raw_uhid *uhid;
	struct raw_uinput *uinput;
	struct vhid_device *kbd;
	uint64_t *samples;
	int n;
	bool failed;
};

static int
key_raw_uhid(struct path *p, bool down)
{
	uint8_t buf[VHID_MAX_REPORT_SIZE];

	return raw_uhid_send(p->uhid, buf, bench_key_report(buf, down));
}

static int
key_raw_uinput(struct path *p, bool down)
{
	return raw_uinput_key(p->uinput, KEY_A, down);
}

static int
key_relay(struct path *p, bool down)
{
	uint8_t buf[VHID_MAX_REPORT_SIZE];
	size_t len = bench_key_report(buf, down);

	return write(p->relay, buf, len) == (ssize_t)len ? 0 : -EIO;
}

/*
 * The floor of any daemon design: a process that only reads a report from a
 * socket and writes it to /dev/uhid - no protocol, no validation, no loop.
 * What vhid costs beyond it is vhid's own; up to it is the extra hop.
 */
static int
start_relay(struct raw_uhid *uhid, pid_t *pid)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	fflush(stdout);
	*pid = fork();
	if (*pid == 0) {
		uint8_t buf[VHID_MAX_REPORT_SIZE];
		ssize_t n;
		close(sv[0]);
		while ((n = read(sv[1], buf, sizeof(buf))) > 0)
			raw_uhid_send(uhid, buf, (size_t)n);
		_exit(0);
	}
	close(sv[1]);
	return sv[0];
}

/* blocking or pipelined: the client's mode decides */
static int
key_vhid(struct path *p, bool down)
{
	return down ? vhid_keyboard_press_usage(p->kbd, 0x04)
		    : vhid_keyboard_release_usage(p->kbd, 0x04);
}

/* One press/release pair; samples NULL = warm-up. */
static int
pair(struct path *p, uint64_t *samples)
{
	for (int down = 1; down >= 0; down--) {
		uint64_t t0 = monotonic_ns();
		int r = p->key(p, down);
		if (r < 0)
			return r;
		if ((r = evr_wait_key(p->rd, KEY_A, down, EVENT_TIMEOUT_MS)) < 0)
			return r;
		if (samples)
			samples[1 - down] = monotonic_ns() - t0;
	}
	return 0;
}

static void
run_block(struct path *p, int pairs, bool warmup)
{
	struct vhid_client *c = p->kbd ? vhid_device_get_client(p->kbd) : NULL;

	if (p->failed)
		return;
	if (c)
		vhid_client_set_pipelined(c, strstr(p->name, "pipelined") != NULL);
	for (int i = 0; i < pairs; i++) {
		int r = pair(p, warmup ? NULL : p->samples + p->n);
		if (r < 0) {
			printf("# latency %s: sample %d: %s\n", p->name, p->n, strerror(-r));
			p->failed = true;
			return;
		}
		if (!warmup)
			p->n += 2;
	}
	if (c) {
		vhid_client_set_pipelined(c, 0);
		vhid_client_dispatch(c); /* pushes (our reader's OPEN) must not pile up */
	}
	if (p->uhid)
		raw_uhid_pump(p->uhid);
}

static void
run_paths(struct path *paths, int n_paths)
{
	int rounds = bench_opts.rounds, per = bench_opts.pairs / rounds;

	for (int i = 0; i < n_paths; i++) {
		paths[i].samples = calloc((size_t)(2 * per * rounds), sizeof(uint64_t));
		run_block(&paths[i], WARMUP_PAIRS, true);
	}
	for (int r = 0; r < rounds; r++)
		for (int i = 0; i < n_paths; i++)
			run_block(&paths[i], per, false);
	for (int i = 0; i < n_paths; i++) {
		bench_report("latency", paths[i].name, paths[i].samples, paths[i].n,
			     2 * per * rounds, "events", paths[i].rd->dropped);
		free(paths[i].samples);
	}
}

static int
open_vhid(struct bench_client *vc, struct evreader *rd)
{
	const char *node;
	int r = bench_client_open(vc, "bench latency", false, vt_bound(5000));

	if (r < 0)
		return r;
	node = vhid_device_get_evdev(vc->kbd);
	if (!node || !node[0] || (r = evr_open(rd, node)) < 0) {
		bench_client_close(vc);
		return r < 0 ? r : -ENODEV;
	}
	return 0;
}

struct bench_probe {
	struct bench_client vc;
	struct evreader rd;
};

struct bench_probe *
bench_probe_open(void)
{
	struct bench_probe *p = calloc(1, sizeof(*p));

	if (p && open_vhid(&p->vc, &p->rd) < 0) {
		free(p);
		p = NULL;
	}
	return p;
}

int
bench_probe_run(struct bench_probe *pr, const char *name, int pairs, struct bench_stats *out)
{
	struct path p = {
		.name = "vhid_pipelined", .key = key_vhid, .rd = &pr->rd, .kbd = pr->vc.kbd};
	struct bench_json j;

	p.samples = calloc((size_t)(2 * pairs), sizeof(uint64_t));
	run_block(&p, WARMUP_PAIRS, true);
	run_block(&p, pairs, false);
	bench_stats(p.samples, p.n, out);
	bj_begin(&j, "latency_loaded", name);
	bj_stats(&j, out);
	bj_emit(&j);
	free(p.samples);
	return p.failed ? -EIO : 0;
}

void
bench_probe_close(struct bench_probe *p)
{
	if (!p)
		return;
	evr_close(&p->rd);
	bench_client_close(&p->vc);
	free(p);
}

/* Calls of each syscall per report, from strace -c's table:
 * "% time  seconds  usecs/call  calls  [errors]  syscall". */
static void
emit_strace(const char *path, int reports)
{
	char line[256], *tok[8], *save;
	struct bench_json j;
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	bj_begin(&j, "profile", "vhidd_syscalls_per_report");
	printf("# vhidd syscalls per pipelined report (strace -c -f, %d reports):", reports);
	while (fgets(line, sizeof(line), f)) {
		int n = 0;
		for (char *t = strtok_r(line, " \t\n", &save); t && n < 8;
		     t = strtok_r(NULL, " \t\n", &save))
			tok[n++] = t;
		if (n < 5 || !strchr("0123456789", tok[0][0]) || !strcmp(tok[n - 1], "total"))
			continue;
		bj_num(&j, tok[n - 1], atof(tok[3]) / reports);
		printf(" %s %.2f;", tok[n - 1], atof(tok[3]) / reports);
	}
	printf("\n");
	fclose(f);
	bj_emit(&j);
}

/* Syscalls per report in the daemon: strace -c on vhidd while one client pipelines. */
static void
strace_profile(void)
{
	char pid[16];
	const char *const argv[] = {"/usr/bin/strace", "-c", "-f", "-q", "-o",
				    "/tmp/strace.txt", "-p", pid,  NULL};
	struct bench_client vc;
	struct evreader rd;
	int pairs = 1000;
	pid_t tracer;

	if (access(argv[0], X_OK) < 0 || bench_daemon_pid <= 0)
		return;
	if (open_vhid(&vc, &rd) < 0)
		return;
	struct path p = {.name = "vhid_pipelined", .key = key_vhid, .rd = &rd, .kbd = vc.kbd};
	p.samples = calloc((size_t)(2 * pairs), sizeof(uint64_t));
	run_block(&p, WARMUP_PAIRS, true);
	snprintf(pid, sizeof(pid), "%d", (int)bench_daemon_pid);
	tracer = bench_spawn(argv, "/tmp/strace.out");
	usleep(500000); /* attached: strace needs no event to say so */
	run_block(&p, pairs, false);
	kill(tracer, SIGINT);
	bench_reap(tracer, 10000);
	if (!p.failed)
		emit_strace("/tmp/strace.txt", 2 * pairs);
	free(p.samples);
	evr_close(&rd);
	bench_client_close(&vc);
}

/* ydotool is a process per invocation: the latency is what a user pays, spawn to event. */
static void
ydotool_latency(void)
{
	const char *const args[] = {"key", "--delay", "0", "--key-delay", "0", "a", NULL};
	int n = bench_opts.ydotool_pairs;
	uint64_t *press = calloc((size_t)n, sizeof(uint64_t)),
		 *release = calloc((size_t)n, sizeof(uint64_t));
	struct evreader rd;
	struct bench_stats s, rs;
	struct bench_json j;
	char why[256];
	int got = 0;

	if (!ydotool_start(&rd, why, sizeof(why))) {
		bench_note("latency_p50_vs_ydotool", "ydotool was not measured: %s", why);
		goto out;
	}
	for (int i = 0; i < n + 5; i++) {
		uint64_t t0 = monotonic_ns();
		pid_t pid = ydotool_spawn(args);
		int ok = evr_wait_key(&rd, KEY_A, 1, vt_bound(5000)) == 0;
		uint64_t t1 = monotonic_ns();
		ok = ok && evr_wait_key(&rd, KEY_A, 0, vt_bound(5000)) == 0;
		uint64_t t2 = monotonic_ns();
		int st = bench_reap(pid, vt_bound(5000));
		if (!ok || st != 0) {
			printf("# ydotool key: no key events (exit %d):\n", st);
			bench_show_file("/tmp/ydotool.out", 5);
			break;
		}
		if (i >= 5) { /* the first few warm the page cache */
			press[got] = t1 - t0;
			release[got++] = t2 - t0;
		}
	}
	bench_stats(press, got, &s);
	bench_stats(release, got, &rs);
	bj_begin(&j, "latency", "ydotool");
	bj_stats(&j, &s);
	bj_num(&j, "release_p50_us", rs.p50_us);
	bj_int(&j, "syn_dropped", rd.dropped);
	bj_emit(&j);
	printf("# latency %-15s p50 %7.1f us  p99 %7.1f us  max %8.1f us  (%d spawns; release p50 %.1f us)\n",
	       "ydotool", s.p50_us, s.p99_us, s.max_us, s.n, rs.p50_us);
	vt_check(got == n, "bench.latency.ydotool", "%d of %d invocations produced a key", got, n);
	ydotool_stop(&rd);
out:
	free(press);
	free(release);
}

void
bench_latency(void)
{
	struct raw_uhid uhid;
	struct raw_uinput uinput;
	struct bench_client vc;
	struct evreader rd_uhid, rd_uinput, rd_vhid;
	int watch = bench_watch_nodes(), relay;
	pid_t relay_pid = 0;

	if (raw_uhid_create(&uhid, "bench raw uhid") < 0 ||
	    raw_uhid_wait(&uhid, watch, -1, vt_bound(5000)) < 0 ||
	    evr_open(&rd_uhid, uhid.node) < 0)
		return vt_fail("bench.latency.setup", "raw uhid keyboard");
	if (raw_uinput_create(&uinput, "bench raw uinput", watch) < 0 ||
	    evr_open(&rd_uinput, uinput.node) < 0)
		return vt_fail("bench.latency.setup", "raw uinput keyboard");
	if (open_vhid(&vc, &rd_vhid) < 0)
		return vt_fail("bench.latency.setup", "vhid keyboard");
	close(watch);
	if ((relay = start_relay(&uhid, &relay_pid)) < 0)
		return vt_fail("bench.latency.setup", "relay: %s", strerror(-relay));
	struct path paths[] = {
		{.name = "raw_uhid", .key = key_raw_uhid, .rd = &rd_uhid, .uhid = &uhid},
		{.name = "relay_floor", .key = key_relay, .rd = &rd_uhid, .relay = relay},
		{.name = "raw_uinput", .key = key_raw_uinput, .rd = &rd_uinput, .uinput = &uinput},
		{.name = "vhid_blocking", .key = key_vhid, .rd = &rd_vhid, .kbd = vc.kbd},
		{.name = "vhid_pipelined", .key = key_vhid, .rd = &rd_vhid, .kbd = vc.kbd},
	};
	run_paths(paths, 5);
	close(relay);
	bench_reap(relay_pid, 2000);
	evr_close(&rd_uhid);
	evr_close(&rd_uinput);
	evr_close(&rd_vhid);
	raw_uhid_destroy(&uhid);
	raw_uinput_destroy(&uinput);
	bench_client_close(&vc);
	strace_profile();
	if (bench_opts.ydotool)
		ydotool_latency();
	else
		bench_note("latency_p50_vs_ydotool",
			   "ydotool was not measured (disabled for this run)");
}
