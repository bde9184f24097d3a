/*
 * bench-throughput.c - sustained reports per second, pipelined (no round trip
 * per report), for a raw uhid and uinput write loop, one libvhid client and
 * several at once. A reader process per device reads evdev like a compositor
 * and counts SYN_DROPPED; the rate runs until the reader saw the last report.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "vmtest.h"

#define MAX_CLIENTS 64
#define READER_IDLE_MS 2000

struct reader_result {
	int events;  /* KEY_A events seen */
	int dropped; /* SYN_DROPPED */
	int last;    /* value of the last KEY_A event */
	uint64_t last_ns;
};

struct reader {
	pid_t pid;
	int fd; /* results come back through this pipe */
};

static void
reader_main(const char *node, int expect, int out)
{
	struct reader_result res = {.last = -1};
	struct input_event ev;
	struct evreader rd;

	if (evr_open(&rd, node) < 0)
		_exit(1);
	if (write(out, "r", 1) != 1)
		_exit(1);
	while (res.events < expect) {
		int k = evr_next(&rd, &ev, res.events ? vt_bound(READER_IDLE_MS) : vt_bound(30000));
		if (k <= 0)
			break;
		if (ev.type == EV_KEY && ev.code == KEY_A && ev.value != 2) {
			res.events++;
			res.last = ev.value;
			res.last_ns = monotonic_ns();
		}
	}
	res.dropped = rd.dropped;
	if (write(out, &res, sizeof(res)) != sizeof(res))
		_exit(1);
	_exit(0);
}

/* Fork a reader and wait until it has the node open. */
static int
reader_start(struct reader *r, const char *node, int expect)
{
	struct pollfd p;
	int pfd[2];
	char c;

	if (pipe(pfd) < 0)
		return -errno;
	fflush(stdout);
	r->pid = fork();
	if (r->pid == 0) {
		close(pfd[0]);
		reader_main(node, expect, pfd[1]);
	}
	close(pfd[1]);
	r->fd = pfd[0];
	p = (struct pollfd){.fd = r->fd, .events = POLLIN};
	if (poll(&p, 1, vt_bound(5000)) != 1 || read(r->fd, &c, 1) != 1)
		return -EIO;
	return 0;
}

static int
reader_finish(struct reader *r, struct reader_result *res)
{
	struct pollfd p = {.fd = r->fd, .events = POLLIN};
	int ok =
		poll(&p, 1, vt_bound(60000)) == 1 && read(r->fd, res, sizeof(*res)) == sizeof(*res);

	close(r->fd);
	bench_reap(r->pid, 2000);
	return ok ? 0 : -EIO;
}

/* ---- writers ---- */

struct writer {
	struct vhid_device *kbd; /* NULL: raw */
	struct raw_uhid *uhid;
	struct raw_uinput *uinput;
	int reports;
	int error;
	pthread_barrier_t *start;
};

static int
write_vhid(struct writer *w)
{
	struct vhid_client *c = vhid_device_get_client(w->kbd);
	uint8_t down[VHID_MAX_REPORT_SIZE], up[VHID_MAX_REPORT_SIZE];
	size_t len = bench_key_report(down, true);
	int r = 0;

	bench_key_report(up, false);
	for (int i = 0; i < w->reports - 1 && r == 0; i++)
		r = vhid_device_send(w->kbd, i % 2 ? up : down, len);
	/* the last one waits for vhidd's answer: everything before it was handled */
	vhid_client_set_pipelined(c, 0);
	if (r == 0)
		r = vhid_device_post(w->kbd, up, len);
	vhid_client_dispatch(c);
	return r;
}

static int
write_raw(struct writer *w)
{
	uint8_t down[VHID_MAX_REPORT_SIZE], up[VHID_MAX_REPORT_SIZE];
	size_t len = bench_key_report(down, true);
	int r = 0;

	bench_key_report(up, false);
	for (int i = 0; i < w->reports && r == 0; i++) {
		if (w->uhid)
			r = raw_uhid_send(w->uhid, i % 2 ? up : down, len);
		else
			r = raw_uinput_key(w->uinput, KEY_A, !(i % 2));
	}
	return r;
}

static void *
writer_main(void *data)
{
	struct writer *w = data;

	if (w->start)
		pthread_barrier_wait(w->start);
	w->error = w->kbd ? write_vhid(w) : write_raw(w);
	return NULL;
}

/* ---- one measurement ---- */

struct run {
	const char *name;
	int clients;
	struct writer w[MAX_CLIENTS];
	const char *nodes[MAX_CLIENTS];
};

static void
emit(const struct run *run, int reports, uint64_t elapsed, uint64_t writer_elapsed,
     const struct reader_result *res, bool ok)
{
	struct bench_json j;
	int events = 0, dropped = 0;
	char name[80];

	for (int i = 0; i < run->clients; i++) {
		events += res[i].events;
		dropped += res[i].dropped;
	}
	bj_begin(&j, "throughput", run->name);
	bj_int(&j, "clients", run->clients);
	bj_int(&j, "reports", reports);
	bj_num(&j, "reports_per_s", elapsed ? reports / (elapsed / 1e9) : 0);
	bj_num(&j, "writer_reports_per_s", writer_elapsed ? reports / (writer_elapsed / 1e9) : 0);
	bj_num(&j, "elapsed_ms", elapsed / 1e6);
	bj_int(&j, "events_received", events);
	bj_int(&j, "syn_dropped", dropped);
	bj_emit(&j);
	printf("# throughput %-16s %2d client(s): %8.0f reports/s (%d reports in %.0f ms), "
	       "%d events read, %d SYN_DROPPED\n",
	       run->name, run->clients, elapsed ? reports / (elapsed / 1e9) : 0, reports,
	       elapsed / 1e6, events, dropped);
	snprintf(name, sizeof(name), "bench.throughput.%s", run->name);
	vt_check(ok, name, "a writer failed or a reader did not see the last report");
}

static void
measure(struct run *run)
{
	struct reader readers[MAX_CLIENTS];
	struct reader_result res[MAX_CLIENTS] = {{0}};
	pthread_t threads[MAX_CLIENTS];
	pthread_barrier_t start;
	int per = run->w[0].reports, total = per * run->clients;
	bool ok = true;

	for (int i = 0; i < run->clients; i++)
		if (reader_start(&readers[i], run->nodes[i], per) < 0)
			return vt_fail("bench.throughput.setup", "reader for %s", run->nodes[i]);
	pthread_barrier_init(&start, NULL, (unsigned)run->clients + 1);
	for (int i = 0; i < run->clients; i++) {
		run->w[i].start = &start;
		pthread_create(&threads[i], NULL, writer_main, &run->w[i]);
	}
	pthread_barrier_wait(&start);
	uint64_t t0 = monotonic_ns();
	for (int i = 0; i < run->clients; i++)
		pthread_join(threads[i], NULL);
	uint64_t t_written = monotonic_ns(), t_last = 0;
	pthread_barrier_destroy(&start);
	for (int i = 0; i < run->clients; i++) {
		/* a reader the kernel dropped events for (SYN_DROPPED: it fell behind on a
		 * loaded host) may miss the last release; that is counted, not a failure */
		ok &= reader_finish(&readers[i], &res[i]) == 0 && run->w[i].error == 0 &&
		      (res[i].last == 0 || res[i].dropped > 0);
		if (res[i].last_ns > t_last)
			t_last = res[i].last_ns;
	}
	emit(run, total, t_last > t0 ? t_last - t0 : 0, t_written - t0, res, ok);
}

/* ---- the cases ---- */

static void
raw_runs(int reports)
{
	struct raw_uhid uhid;
	struct raw_uinput uinput;
	int watch = bench_watch_nodes();
	struct run run = {.name = "raw_uhid", .clients = 1};

	if (raw_uhid_create(&uhid, "bench tput uhid") < 0 ||
	    raw_uhid_wait(&uhid, watch, -1, vt_bound(5000)) < 0 ||
	    raw_uinput_create(&uinput, "bench tput uinput", watch) < 0) {
		close(watch);
		return vt_fail("bench.throughput.setup", "raw devices");
	}
	close(watch);
	run.w[0] = (struct writer){.uhid = &uhid, .reports = reports};
	run.nodes[0] = uhid.node;
	measure(&run);
	raw_uhid_pump(&uhid);
	run = (struct run){.name = "raw_uinput", .clients = 1};
	run.w[0] = (struct writer){.uinput = &uinput, .reports = reports};
	run.nodes[0] = uinput.node;
	measure(&run);
	raw_uhid_destroy(&uhid);
	raw_uinput_destroy(&uinput);
}

static void
vhid_run(const char *name, int clients, int reports)
{
	struct bench_client bc[MAX_CLIENTS];
	struct run run = {.name = name, .clients = clients};
	int opened = 0;

	for (; opened < clients; opened++) {
		if (bench_client_open(&bc[opened], "bench throughput", false, vt_bound(5000)) < 0)
			break;
		vhid_client_set_pipelined(bc[opened].client, 1);
		run.w[opened] =
			(struct writer){.kbd = bc[opened].kbd, .reports = reports / clients};
		run.nodes[opened] = vhid_device_get_evdev(bc[opened].kbd);
	}
	if (opened == clients)
		measure(&run);
	else
		vt_fail("bench.throughput.setup", "%d of %d clients", opened, clients);
	for (int i = 0; i < opened; i++)
		bench_client_close(&bc[i]);
}

void
bench_throughput(void)
{
	int reports = bench_opts.reports & ~1; /* whole press/release pairs */
	int many = bench_opts.tput_clients;
	char name[32];

	if (many > MAX_CLIENTS)
		many = MAX_CLIENTS;
	raw_runs(reports);
	vhid_run("vhid_1_client", 1, reports);
	snprintf(name, sizeof(name), "vhid_%d_clients", many);
	/* each client sends whole pairs, so every device ends released */
	vhid_run(name, many, reports / (2 * many) * 2 * many);
}
