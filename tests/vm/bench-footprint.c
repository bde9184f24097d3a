/*
 * bench-footprint.c - what vhidd costs: its RSS and file descriptors when
 * idle, then with 1, 64 and 512 clients that each hold a keyboard and a
 * pointer, and again after they all left (the linger included), which must
 * bring the descriptors back to the idle count.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "vmtest.h"

#define TEARDOWN_TIMEOUT_MS 600000

struct usage {
	long rss_kib, pss_kib, anon_kib, status_rss_kib;
	int fds;
};

static long
status_field(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? atol(p + strlen(key)) : -1;
}

static void
read_text(const char *path, char *text, size_t len)
{
	FILE *f = fopen(path, "r");

	text[0] = '\0';
	if (f) {
		text[fread(text, 1, len - 1, f)] = '\0';
		fclose(f);
	}
}

/*
 * From smaps_rollup, which walks the page tables: VmRSS in /proc/PID/status
 * is the sum of per-thread counters that a thread syncs only every 64 page
 * faults (kernel 6.1), so for a small daemon it can be hundreds of KiB low.
 */
static void
measure(pid_t pid, struct usage *u)
{
	char path[64], text[4096];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	read_text(path, text, sizeof(text));
	u->rss_kib = status_field(text, "\nRss:");
	u->pss_kib = status_field(text, "\nPss:");
	u->anon_kib = status_field(text, "\nAnonymous:");
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	read_text(path, text, sizeof(text));
	u->status_rss_kib = status_field(text, "VmRSS:");
	u->fds = 0;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	for (d = opendir(path); d && (de = readdir(d));)
		u->fds += de->d_name[0] != '.';
	if (d)
		closedir(d);
}

static void
emit(const char *name, int clients, const struct usage *u, const struct usage *after)
{
	struct bench_json j;

	bj_begin(&j, "footprint", name);
	bj_int(&j, "clients", clients);
	bj_int(&j, "rss_kib", u->rss_kib);
	bj_int(&j, "pss_kib", u->pss_kib);
	bj_int(&j, "anon_kib", u->anon_kib);
	bj_int(&j, "status_vmrss_kib", u->status_rss_kib);
	bj_int(&j, "fds", u->fds);
	if (after) {
		bj_int(&j, "after_rss_kib", after->rss_kib);
		bj_int(&j, "after_anon_kib", after->anon_kib);
		bj_int(&j, "after_fds", after->fds);
	}
	bj_emit(&j);
}

/* 0 ready, 1 still pending, -1 failed (the daemon said DEVICE_GONE, or no connection). */
static int
device_state(struct vhid_device *d)
{
	int r;

	if (vhid_device_is_ready(d))
		return 0;
	r = vhid_device_wait_ready(d, 0); /* does not wait: reports a failure that arrived */
	return r == 0 ? 0 : r == -ETIMEDOUT ? 1 : -1;
}

/* Dispatch every client until each device is ready or failed, or the deadline. */
static void
wait_devices(struct bench_client *bc, int n, int timeout_ms)
{
	struct pollfd *p = calloc((size_t)n, sizeof(*p));
	uint64_t end = monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
	int pending = 1;

	for (int i = 0; i < n; i++)
		p[i] = (struct pollfd){.fd = vhid_client_get_fd(bc[i].client), .events = POLLIN};
	while (pending && monotonic_ns() < end) {
		poll(p, (nfds_t)n, 100);
		pending = 0;
		for (int i = 0; i < n; i++) {
			vhid_client_dispatch(bc[i].client);
			pending += device_state(bc[i].kbd) == 1;
			pending += device_state(bc[i].ptr) == 1;
		}
	}
	free(p);
}

/* Connect n clients, each with a keyboard and a pointer, then wait for all. */
static int
open_clients(struct bench_client *bc, int n, int *ready, int *with_node, int *with_hidraw)
{
	int opened = 0;

	for (; opened < n; opened++)
		if (bench_client_open(&bc[opened], "bench footprint", true, 0) < 0)
			break;
	/* the daemon gives up on a device after 5 s without its driver bound */
	wait_devices(bc, opened, 15000 + 20 * n);
	*ready = *with_node = *with_hidraw = 0;
	for (int i = 0; i < opened; i++) {
		struct vhid_device *devs[2] = {bc[i].kbd, bc[i].ptr};
		for (int k = 0; k < 2; k++) {
			const char *ev = vhid_device_get_evdev(devs[k]),
				   *raw = vhid_device_get_hidraw(devs[k]);
			if (device_state(devs[k]) != 0)
				continue;
			++*ready;
			*with_node += ev && ev[0];
			*with_hidraw += raw && raw[0];
		}
	}
	return opened;
}

/* After the last client left: the linger, then every UHID_DESTROY. */
static uint64_t
wait_teardown(pid_t pid, int idle_fds, struct usage *after)
{
	uint64_t t0 = monotonic_ns();

	do {
		usleep(20000);
		measure(pid, after);
	} while (after->fds > idle_fds && monotonic_ns() - t0 < TEARDOWN_TIMEOUT_MS * 1000000ull);
	usleep(200000); /* let the last frees happen before reading RSS */
	measure(pid, after);
	return monotonic_ns() - t0;
}

/* What vhidd logged as warnings and errors since the last step (its log is in /tmp). */
static void
log_problems(int n)
{
	static long offset;
	char line[512], first[3][200] = {{0}};
	int warns = 0, errors = 0, shown = 0;
	FILE *f = fopen("/tmp/vhidd-bench.log", "r");

	if (!f)
		return;
	fseek(f, offset, SEEK_SET);
	while (fgets(line, sizeof(line), f)) {
		bool e = strstr(line, "] error:") != NULL, w = strstr(line, "] warn:") != NULL;
		errors += e;
		warns += w;
		if ((e || w) && shown < 3)
			snprintf(first[shown++], sizeof(first[0]), "%.190s", line);
	}
	offset = ftell(f);
	fclose(f);
	printf("# vhidd logged %d error(s) and %d warning(s) during the %d-client step\n", errors,
	       warns, n);
	for (int i = 0; i < shown; i++)
		printf("#   %s%s", first[i], strchr(first[i], '\n') ? "" : "\n");
}

/* The RSS and descriptor figures with clients include the latency probe's client. */
static void
step(pid_t pid, int n, const struct usage *idle)
{
	struct bench_client *bc = calloc((size_t)n, sizeof(*bc));
	struct usage with, after;
	int ready, with_node, with_hidraw, opened;
	char name[32], label[64];

	struct bench_probe *probe = bench_probe_open();
	uint64_t t0 = monotonic_ns();
	opened = open_clients(bc, n, &ready, &with_node, &with_hidraw);
	uint64_t t_ready = monotonic_ns();
	measure(pid, &with);
	/* does a busy daemon serve one client slower when many others sit idle? */
	struct bench_stats lat;
	snprintf(name, sizeof(name), "with_%d_idle_clients", n);
	if (probe && bench_probe_run(probe, name, bench_opts.smoke ? 200 : 2000, &lat) == 0)
		printf("# latency with %d idle clients connected: p50 %.1f us, p99 %.1f us\n", n,
		       lat.p50_us, lat.p99_us);
	bench_probe_close(probe);
	for (int i = 0; i < opened; i++)
		bench_client_close(&bc[i]);
	uint64_t teardown = wait_teardown(pid, idle->fds, &after);
	snprintf(name, sizeof(name), "clients_%d", n);
	emit(name, n, &with, &after);
	struct bench_json j;
	bj_begin(&j, "footprint_devices", name);
	bj_int(&j, "clients", opened);
	bj_int(&j, "devices", 2 * n);
	bj_int(&j, "ready", ready);
	bj_int(&j, "with_evdev", with_node);
	bj_int(&j, "with_hidraw", with_hidraw);
	bj_num(&j, "setup_ms", (t_ready - t0) / 1e6);
	bj_num(&j, "teardown_ms", teardown / 1e6);
	bj_emit(&j);
	printf("# footprint %3d clients: RSS %ld KiB (+%.1f KiB per client), %d fds; %d of %d devices ready, "
	       "%d with evdev, %d with hidraw; setup %.0f ms; after they left: RSS %ld KiB, %d fds "
	       "(teardown %.0f ms)\n",
	       n, with.rss_kib, (double)(with.rss_kib - idle->rss_kib) / n, with.fds, ready, 2 * n,
	       with_node, with_hidraw, (t_ready - t0) / 1e6, after.rss_kib, after.fds,
	       teardown / 1e6);
	log_problems(n);
	/* past the kernel's evdev and hidraw minors, devices missing nodes are a finding */
	snprintf(label, sizeof(label), "bench.footprint.%d.clients", n);
	vt_check(opened == n && (ready == 2 * n || n > 64), label,
		 "%d of %d clients, %d of %d devices ready", opened, n, ready, 2 * n);
	snprintf(label, sizeof(label), "bench.footprint.%d.fds.back.to.idle", n);
	vt_check(after.fds == idle->fds, label, "%d fds after, %d idle", after.fds, idle->fds);
	free(bc);
}

/* Where the idle RSS is: KiB per mapped file (or [heap], [stack], anonymous). */
static void
rss_by_mapping(pid_t pid)
{
	char path[64], line[512], name[128] = "";
	struct {
		char name[128]; /* as long as name: a cut name would never match */
		long kib;
	} m[24];
	int n = 0;
	long kib;
	FILE *f;

	memset(m, 0, sizeof(m));
	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	if (!(f = fopen(path, "r")))
		return;
	while (fgets(line, sizeof(line), f)) {
		char *sp = strrchr(line, ' ');
		if (strchr(line, '-') && strchr(line, '-') < strchr(line, ' ') && line[0] != ' ') {
			snprintf(name, sizeof(name), "%s",
				 sp && sp[1] != '\n' ? sp + 1 : "anonymous");
			name[strcspn(name, "\n")] = '\0';
		} else if (sscanf(line, "Rss: %ld", &kib) == 1 && kib) {
			int i = 0;
			const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
			while (i < n && strcmp(m[i].name, base))
				i++;
			if (i == n && n < 24)
				snprintf(m[n++].name, sizeof(m[0].name), "%s", base);
			if (i < 24)
				m[i].kib += kib;
		}
	}
	fclose(f);
	struct bench_json j;
	bj_begin(&j, "footprint_idle_mappings", "idle");
	for (int i = 0; i < n; i++)
		bj_int(&j, m[i].name, m[i].kib);
	bj_emit(&j);
	printf("# idle RSS by mapping (KiB):");
	for (int i = 0; i < n; i++)
		printf(" %s %ld;", m[i].name, m[i].kib);
	printf("\n");
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* The kernel's own limits: evdev and mousedev share 768 dynamic input minors (after 32
 * legacy ones each), hidraw has 64; how often creations ran past them. */
static void
kernel_complaints(void)
{
	static const char *const what[] = {"evdev: failed to reserve new minor",
					   "mousedev: failed to reserve new minor",
					   "hidraw: no more free minors"};
	struct bench_json j;
	char cmd[160], out[32];

	bj_begin(&j, "footprint_kernel", "dmesg");
	for (size_t i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		FILE *p;
		snprintf(cmd, sizeof(cmd), "dmesg | grep -c '%s'", what[i]);
		p = popen(cmd, "r");
		out[0] = '\0';
		if (p && !fgets(out, sizeof(out), p))
			out[0] = '\0';
		if (p)
			pclose(p);
		bj_int(&j, what[i], atol(out));
		printf("# kernel log: %ld x \"%s\"\n", atol(out), what[i]);
	}
	bj_emit(&j);
}

void
bench_footprint(void)
{
	/* a silent client past its lease gets its keys released (and a log line): hold the
	 * lease off, this measures memory, not leases */
	static const char *const args[] = {"--lease-ms", "3600000", NULL};
	struct bench_daemon d;
	struct usage idle;

	/* a fresh daemon: the earlier phases must not count as its idle state */
	if (!vt_check(bench_daemon_start(&d, args) == 0, "bench.footprint.daemon",
		      "vhidd did not start"))
		return;
	usleep(200000);
	measure(d.pid, &idle);
	emit("idle", 0, &idle, NULL);
	rss_by_mapping(d.pid);
	printf("# footprint idle: RSS %ld KiB (PSS %ld, anonymous %ld; VmRSS says %ld), %d fds\n",
	       idle.rss_kib, idle.pss_kib, idle.anon_kib, idle.status_rss_kib, idle.fds);
	/* past the kernel's evdev minors every further input device logs two errors on the
	 * serial console, which is slow enough under TCG to distort the run: count them instead */
	write_file("/proc/sys/kernel/printk", "3");
	for (int i = 0; i < bench_opts.n_clients; i++)
		step(d.pid, bench_opts.clients[i], &idle);
	write_file("/proc/sys/kernel/printk", "4");
	kernel_complaints();
	bench_daemon_stop(&d);
}
