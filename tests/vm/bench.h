/*
 * bench.h - the benchmark (`make bench`): vhid against raw /dev/uhid, raw
 * /dev/uinput and ydotool, all in one VM run so that the ratios hold on a
 * noisy machine. Each phase prints human-readable "#" lines, one
 * "BENCH {json}" line per figure for scripts/bench-report.py, and a PASS or
 * FAIL line saying whether the phase produced sane numbers (every sample
 * arrived, typing exact); a missed target is a finding, not a FAIL.
 */
#ifndef BENCH_H
#define BENCH_H

#include <linux/input.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "clock.h"
#include "vhid.h"

#define BENCH_MAX_CLIENT_STEPS 4

struct bench_opts {
	bool smoke;        /* a few hundred iterations: `make check` keeps it from rotting */
	int pairs;         /* latency: press/release pairs per path */
	int rounds;        /* latency: the paths take turns in this many rounds */
	int ydotool_pairs; /* latency: ydotool invocations */
	int reports;       /* throughput: reports per run, over all clients */
	int tput_clients;  /* throughput: the many-clients case */
	int chars;         /* typing: characters */
	int creates;       /* creation: devices per path */
	int clients[BENCH_MAX_CLIENT_STEPS]; /* footprint: client counts */
	int n_clients;
	bool ydotool;   /* compare with ydotool when it is in the VM */
	char only[128]; /* ':'-separated phases to run; "" = all */
};

extern struct bench_opts bench_opts;
extern pid_t bench_daemon_pid; /* the daemon of the per-report phases */

/* ---- statistics (bench-util.c); time is clock.h's monotonic_ns() ---- */

struct bench_stats {
	int n;
	double min_us, p50_us, p99_us, max_us, mean_us;
};

/* Sorts ns in place. */
void bench_stats(uint64_t *ns, int n, struct bench_stats *s);
/* Statistics of one path's n samples (sorted in place): a BENCH line, a "#"
 * line, and a PASS/FAIL on whether all want of them (what: "events") arrived.
 * syn_dropped < 0: not counted on this path. */
void bench_report(const char *phase, const char *name, uint64_t *ns, int n, int want,
		  const char *what, int syn_dropped);

/* ---- BENCH {json} lines ---- */

struct bench_json {
	char buf[4096];
	size_t len;
};

void bj_begin(struct bench_json *j, const char *phase, const char *name);
void bj_str(struct bench_json *j, const char *key, const char *value);
void bj_num(struct bench_json *j, const char *key, double value); /* NaN: null */
void bj_int(struct bench_json *j, const char *key, long long value);
void bj_bool(struct bench_json *j, const char *key, bool value);
void bj_stats(struct bench_json *j, const struct bench_stats *s);
void bj_emit(struct bench_json *j);

/* ---- evdev reading ---- */

struct evreader {
	int fd;
	int pos, len;
	int dropped; /* SYN_DROPPED seen */
	struct input_event buf[128];
};

int evr_open(struct evreader *r, const char *node);
void evr_close(struct evreader *r);
/* The next event: 1, 0 on timeout, or -errno. Reads before it polls, so an
 * event already queued costs one read(). */
int evr_next(struct evreader *r, struct input_event *ev, int timeout_ms);
/* Read until EV_KEY code/value (repeats are skipped): 0, or -ETIMEDOUT. */
int evr_wait_key(struct evreader *r, int code, int value, int timeout_ms);
/* Discard what is queued (waiting up to ms for stragglers). */
void evr_drain(struct evreader *r, int ms);

/* ---- processes ---- */

/* fork+exec argv with stdout and stderr to out_path (NULL: /dev/null). */
pid_t bench_spawn(const char *const *argv, const char *out_path);
/* Exit status, 128+signal, or -1 after timeout_ms (then it is killed). */
int bench_reap(pid_t pid, int timeout_ms);
/* Print a file's first lines as "# " comments. */
void bench_show_file(const char *path, int max_lines);

/* Watch /dev/input for new nodes (vmspawn.c) and wait for one by device name. */
int bench_watch_nodes(void);
const char *bench_next_node(int watch, const char *name, int timeout_ms);

/* ---- vhidd and libvhid ---- */

struct bench_daemon {
	pid_t pid;
};

/* Start /usr/bin/vhidd (stderr to a file in /tmp, not the console). */
int bench_daemon_start(struct bench_daemon *d, const char *const *args);
void bench_daemon_stop(struct bench_daemon *d);

struct bench_client {
	struct vhid_client *client;
	struct vhid_device *kbd, *ptr;
};

/* Connect and create a keyboard (and a pointer); wait_ready_ms 0: do not wait. */
int bench_client_open(struct bench_client *b, const char *name, bool pointer, int wait_ready_ms);
void bench_client_close(struct bench_client *b);

/* ---- raw devices (bench-raw.c): the physical limit ---- */

struct raw_uhid {
	int fd;
	char name[64];
	char uniq[64];
	uint64_t created_ns, start_ns, node_ns, bind_ns; /* monotonic; 0 = not (yet) */
	char node[64];
};

/* Open /dev/uhid and write UHID_CREATE2 with vhidd's keyboard descriptor, so
 * raw and vhid devices parse the same reports. Does not wait. */
int raw_uhid_create(struct raw_uhid *u, const char *name);
/* Answer the kernel's requests until START, the evdev node and (uevent_fd >= 0)
 * the driver bind have all happened, or the timeout. 0 or -ETIMEDOUT. */
int raw_uhid_wait(struct raw_uhid *u, int watch, int uevent_fd, int timeout_ms);
int raw_uhid_send(struct raw_uhid *u, const uint8_t *report, size_t len);
/* Read what the kernel sent (LED output, open, close) and answer its requests. */
void raw_uhid_pump(struct raw_uhid *u);
void raw_uhid_destroy(struct raw_uhid *u);

struct raw_uinput {
	int fd;
	char node[64];
};

int raw_uinput_create(struct raw_uinput *u, const char *name, int watch);
/* One key event and its SYN_REPORT in one write. */
int raw_uinput_key(struct raw_uinput *u, int code, int value);
void raw_uinput_destroy(struct raw_uinput *u);

/* The keyboard report (ID 1) with KEY_A (usage 0x04) down or up. */
size_t bench_key_report(uint8_t *buf, bool down);

/* ---- ydotool (bench-ydotool.c) ---- */

/* Start ydotoold and open its device for reading; false with *why set when it
 * cannot run here (not installed, disabled, no device). */
bool ydotool_start(struct evreader *r, char *why, size_t len);
void ydotool_stop(struct evreader *r);
/* Start `ydotool ARGS...` (output to /tmp/ydotool.out). */
pid_t ydotool_spawn(const char *const *args);

/* ---- phases ---- */

void bench_latency(void);
/* A client with a keyboard and its reader, to measure pipelined latency while
 * other clients are connected (opened first: past the kernel's evdev minors a
 * new keyboard gets no node). */
struct bench_probe;
struct bench_probe *bench_probe_open(void);
int bench_probe_run(struct bench_probe *p, const char *name, int pairs, struct bench_stats *out);
void bench_probe_close(struct bench_probe *p);
void bench_throughput(void);
void bench_typing(void);
void bench_create(void);
void bench_footprint(void);

/* A note for results.json ("notes" object). */
void bench_note(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
