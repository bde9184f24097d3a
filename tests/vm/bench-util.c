/* bench-util.c - see bench.h: time, statistics, BENCH lines, evdev reading, processes. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "vmdaemon.h"
#include "vmspawn.h"
#include "vmtest.h"

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample with at least p of all samples at or below it. */
static double
rank_us(const uint64_t *sorted, int n, double p)
{
	int i = (int)ceil(p * n) - 1;

	if (i < 0)
		i = 0;
	return (double)sorted[i] / 1e3;
}

void
bench_stats(uint64_t *ns, int n, struct bench_stats *s)
{
	double sum = 0;

	memset(s, 0, sizeof(*s));
	s->n = n;
	if (n <= 0) {
		s->min_us = s->p50_us = s->p99_us = s->max_us = s->mean_us = NAN;
		return;
	}
	qsort(ns, (size_t)n, sizeof(*ns), cmp_u64);
	for (int i = 0; i < n; i++)
		sum += (double)ns[i];
	s->min_us = (double)ns[0] / 1e3;
	s->p50_us = rank_us(ns, n, 0.50);
	s->p99_us = rank_us(ns, n, 0.99);
	s->max_us = (double)ns[n - 1] / 1e3;
	s->mean_us = sum / n / 1e3;
}

/* One path's samples: its BENCH line, a "#" line, and a check that all arrived. */
void
bench_report(const char *phase, const char *name, uint64_t *ns, int n, int want, const char *what,
	     int syn_dropped)
{
	struct bench_stats st;
	struct bench_json j;
	char label[96];

	bench_stats(ns, n, &st);
	bj_begin(&j, phase, name);
	bj_stats(&j, &st);
	if (syn_dropped >= 0)
		bj_int(&j, "syn_dropped", syn_dropped);
	bj_emit(&j);
	printf("# %s %-16s p50 %8.1f us  p99 %8.1f us  max %8.1f us  (%d %s)\n", phase, name,
	       st.p50_us, st.p99_us, st.max_us, st.n, what);
	snprintf(label, sizeof(label), "bench.%s.%s", phase, name);
	vt_check(n == want, label, "%d of %d %s", n, want, what);
}

/* ---- BENCH lines ---- */

static void
bj_raw(struct bench_json *j, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (j->len >= sizeof(j->buf))
		return;
	va_start(ap, fmt);
	n = vsnprintf(j->buf + j->len, sizeof(j->buf) - j->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		j->len += (size_t)n;
	if (j->len > sizeof(j->buf))
		j->len = sizeof(j->buf);
}

static void
bj_key(struct bench_json *j, const char *key)
{
	bj_raw(j, ",\"%s\":", key);
}

static void
bj_escaped(struct bench_json *j, const char *s)
{
	bj_raw(j, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			bj_raw(j, "\\%c", c);
		else if (c < 0x20)
			bj_raw(j, "\\u%04x", c);
		else
			bj_raw(j, "%c", c);
	}
	bj_raw(j, "\"");
}

void
bj_begin(struct bench_json *j, const char *phase, const char *name)
{
	j->len = 0;
	bj_raw(j, "{\"phase\":");
	bj_escaped(j, phase);
	bj_key(j, "name");
	bj_escaped(j, name);
}

void
bj_str(struct bench_json *j, const char *key, const char *value)
{
	bj_key(j, key);
	bj_escaped(j, value);
}

void
bj_num(struct bench_json *j, const char *key, double value)
{
	bj_key(j, key);
	if (isfinite(value))
		bj_raw(j, "%.3f", value);
	else
		bj_raw(j, "null");
}

void
bj_int(struct bench_json *j, const char *key, long long value)
{
	bj_key(j, key);
	bj_raw(j, "%lld", value);
}

void
bj_bool(struct bench_json *j, const char *key, bool value)
{
	bj_key(j, key);
	bj_raw(j, value ? "true" : "false");
}

void
bj_stats(struct bench_json *j, const struct bench_stats *s)
{
	bj_int(j, "n", s->n);
	bj_num(j, "min_us", s->min_us);
	bj_num(j, "p50_us", s->p50_us);
	bj_num(j, "p99_us", s->p99_us);
	bj_num(j, "max_us", s->max_us);
	bj_num(j, "mean_us", s->mean_us);
}

void
bj_emit(struct bench_json *j)
{
	printf("BENCH %.*s}\n", (int)j->len, j->buf);
	fflush(stdout);
}

void
bench_note(const char *key, const char *fmt, ...)
{
	struct bench_json j;
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	bj_begin(&j, "note", key);
	bj_str(&j, "text", text);
	bj_emit(&j);
	printf("# note %s: %s\n", key, text);
}

/* ---- evdev ---- */

int
evr_open(struct evreader *r, const char *node)
{
	memset(r, 0, sizeof(*r));
	r->fd = open(node, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	return r->fd < 0 ? -errno : 0;
}

void
evr_close(struct evreader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

static int
refill(struct evreader *r, int timeout_ms)
{
	for (int polled = 0;; polled = 1) {
		ssize_t n = read(r->fd, r->buf, sizeof(r->buf));
		if (n > 0) {
			r->pos = 0;
			r->len = (int)(n / (ssize_t)sizeof(r->buf[0]));
			return 1;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return -errno;
		if (polled && timeout_ms == 0)
			return 0;
		struct pollfd p = {.fd = r->fd, .events = POLLIN};
		int k = poll(&p, 1, timeout_ms);
		if (k == 0)
			return 0;
		if (k < 0 && errno != EINTR)
			return -errno;
	}
}

int
evr_next(struct evreader *r, struct input_event *ev, int timeout_ms)
{
	if (r->pos >= r->len) {
		int k = refill(r, timeout_ms);
		if (k <= 0)
			return k;
	}
	*ev = r->buf[r->pos++];
	if (ev->type == EV_SYN && ev->code == SYN_DROPPED)
		r->dropped++;
	return 1;
}

int
evr_wait_key(struct evreader *r, int code, int value, int timeout_ms)
{
	uint64_t end = monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
	struct input_event ev;

	for (;;) {
		uint64_t now = monotonic_ns();
		int left = now >= end ? 0 : (int)((end - now) / 1000000ull) + 1;
		int k = evr_next(r, &ev, left);
		if (k <= 0)
			return k < 0 ? k : -ETIMEDOUT;
		if (ev.type == EV_KEY && ev.code == code && ev.value == value)
			return 0;
	}
}

void
evr_drain(struct evreader *r, int ms)
{
	struct input_event ev;

	while (evr_next(r, &ev, ms) > 0)
		;
}

/* ---- processes ---- */

pid_t
bench_spawn(const char *const *argv, const char *out_path)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int fd =
			open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

int
bench_reap(pid_t pid, int timeout_ms)
{
	uint64_t end = monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
	int st;

	while (waitpid(pid, &st, WNOHANG) != pid) {
		if (monotonic_ns() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		usleep(1000);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void
bench_show_file(const char *path, int max_lines)
{
	char line[256];
	FILE *f = fopen(path, "r");

	for (int i = 0; f && i < max_lines && fgets(line, sizeof(line), f); i++)
		printf("#   %s%s", line, strchr(line, '\n') ? "" : "\n");
	if (f)
		fclose(f);
}

int
bench_watch_nodes(void)
{
	return vt_nodes_watch();
}

const char *
bench_next_node(int watch, const char *name, int timeout_ms)
{
	return vt_nodes_next(watch, name, timeout_ms);
}

/* ---- vhidd and libvhid ---- */

int
bench_daemon_start(struct bench_daemon *d, const char *const *args)
{
	struct vt_daemon vd;
	int saved = dup(2), fd, r;

	/* the daemon's log lines go to a file: the serial console is slow under TCG */
	fd = open("/tmp/vhidd-bench.log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd >= 0)
		dup2(fd, 2);
	r = vt_daemon_start(&vd, args);
	dup2(saved, 2);
	close(saved);
	if (fd >= 0)
		close(fd);
	d->pid = r == 0 ? vd.pid : 0;
	return r;
}

void
bench_daemon_stop(struct bench_daemon *d)
{
	struct vt_daemon vd = {.pid = d->pid};

	if (d->pid > 0)
		vt_daemon_stop(&vd, SIGTERM);
	d->pid = 0;
}

int
bench_client_open(struct bench_client *b, const char *name, bool pointer, int wait_ready_ms)
{
	struct vhid_device_params kp = {.kind = VHID_DEVICE_KEYBOARD, .name = name};
	struct vhid_device_params pp = {.kind = VHID_DEVICE_POINTER, .name = name};
	int r;

	memset(b, 0, sizeof(*b));
	if ((r = vhid_client_new(name, NULL, NULL, &b->client)) < 0)
		return r;
	if ((r = vhid_client_connect(b->client, NULL)) < 0 ||
	    (r = vhid_device_create(b->client, &kp, &b->kbd)) < 0 ||
	    (pointer && (r = vhid_device_create(b->client, &pp, &b->ptr)) < 0))
		goto fail;
	if (wait_ready_ms && ((r = vhid_device_wait_ready(b->kbd, wait_ready_ms)) < 0 ||
			      (pointer && (r = vhid_device_wait_ready(b->ptr, wait_ready_ms)) < 0)))
		goto fail;
	return 0;
fail:
	printf("# %s: %s\n", name, vhid_client_last_error(b->client));
	bench_client_close(b);
	return r;
}

void
bench_client_close(struct bench_client *b)
{
	vhid_client_destroy(b->client);
	memset(b, 0, sizeof(*b));
}
