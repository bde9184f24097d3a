/*
 * log-ring.c - `vhidctl log` through the daemon: GET_LOG returns vhidd's recent
 * lines that this user may see, whatever the log backend (journal or file), so
 * every allowed user gets the log and nobody else does. -f polls for newer
 * lines (vhidd keeps no per-reader state) and reconnects when vhidd restarts.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "vhidctl.h"

#define POLL_MS 250

struct ring_view {
	long long cutoff_ms;
};

/* Client-chosen names reach the log: never let their bytes steer the terminal. */
static void
print_escaped(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			printf("\\x%02x", *p);
		else
			putchar(*p);
}

static const char *
priority_name(int priority)
{
	return priority <= 3 ? "error" : priority == 4 ? "warn" : "info";
}

/* the same "[YYYY-mm-dd HH:MM:SS.mmm] level: text" as vhidd's log file */
static void
on_line(const struct vhid_log_line *l, void *data)
{
	struct ring_view *v = data;
	time_t t = (time_t)(l->time_us / 1000000);
	struct tm tm;
	char ts[32];

	if (v->cutoff_ms >= 0 && (long long)(l->time_us / 1000) < v->cutoff_ms)
		return;
	localtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
	printf("[%s.%03u] %s: ", ts, (unsigned int)(l->time_us / 1000 % 1000),
	       priority_name(l->priority));
	print_escaped(l->text);
	putchar('\n');
}

static int
fetch(struct vhid_client *c, struct ring_view *v, unsigned int *after)
{
	int r = vhid_client_get_log(c, *after, 0, on_line, v, after);

	fflush(stdout);
	return r;
}

/* SIGINT and SIGTERM, the signals that end a follow */
static void
stop_signals(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGTERM);
}

int
log_block_stop_signals(void)
{
	sigset_t mask;

	stop_signals(&mask);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	return signalfd(-1, &mask, SFD_CLOEXEC);
}

void
log_unblock_stop_signals(int sigfd)
{
	sigset_t mask;

	if (sigfd < 0)
		return;
	close(sigfd);
	stop_signals(&mask);
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
}

/* true when SIGINT or SIGTERM arrived within ms */
static bool
stopped_within(int sigfd, int ms)
{
	struct pollfd p = {.fd = sigfd, .events = POLLIN};

	return poll(&p, 1, ms) > 0;
}

/* vhidd restarted: its ring starts again at 1; wait for it, saying so once. */
static struct vhid_client *
reconnect(struct cli *cli, int sigfd, unsigned int *after)
{
	struct vhid_client *c;

	fprintf(stderr, "vhidctl: vhidd went away; waiting for it to come back\n");
	vhid_client_new("vhidctl log", NULL, NULL, &c);
	while (c && vhid_client_connect(c, cli->socket) < 0)
		if (stopped_within(sigfd, 500)) {
			vhid_client_destroy(c);
			return NULL;
		}
	if (c)
		fprintf(stderr, "vhidctl: vhidd is back; following its log\n");
	*after = 0;
	return c;
}

static int
follow_ring(struct cli *cli, struct vhid_client *c, struct ring_view *v, unsigned int after,
	    int sigfd)
{
	while (c && !stopped_within(sigfd, POLL_MS)) {
		if (fetch(c, v, &after) == 0)
			continue;
		vhid_client_destroy(c);
		c = reconnect(cli, sigfd, &after);
	}
	vhid_client_destroy(c);
	close(sigfd);
	return EXIT_OK;
}

int
log_ring_show(struct cli *cli, long long cutoff_ms, bool follow)
{
	struct ring_view v = {.cutoff_ms = cutoff_ms};
	struct vhid_client *c;
	unsigned int after = 0;
	/* before the first line is printed: a SIGINT sent on seeing it (a test, a
	 * user's Ctrl-C) ends the command cleanly. Blocked from there on, it killed
	 * vhidctl (exit 130) when it came before the follow loop (a stressed make
	 * check, 2026-12-03). */
	int sigfd = follow ? log_block_stop_signals() : -1;
	int r = vhid_client_new("vhidctl log", NULL, NULL, &c);

	if (r == 0)
		r = vhid_client_connect(c, cli->socket);
	if (r == 0)
		r = fetch(c, &v, &after);
	if (r == -VHID_ENOCAP || r == -VHID_ENODAEMON)
		fprintf(stderr, "vhidctl: %s; reading the journal or log file instead\n",
			vhid_client_last_error(c));
	if (r == 0 && follow)
		return follow_ring(cli, c, &v, after, sigfd);
	/* the journal or file follower sets its own (and journalctl must not
	 * inherit them blocked) */
	log_unblock_stop_signals(sigfd);
	if (r == -VHID_ENOCAP || r == -VHID_ENODAEMON) {
		vhid_client_destroy(c);
		return -1;
	}
	if (r < 0) {
		r = cli_fail(cli_exit_for(r), "%s",
			     c ? vhid_client_last_error(c) : vhid_strerror(r));
		vhid_client_destroy(c);
		return r;
	}
	vhid_client_destroy(c);
	return EXIT_OK;
}
