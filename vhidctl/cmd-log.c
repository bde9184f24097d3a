/*
 * cmd-log.c - `vhidctl log [--since TIME] [-f]`: vhidd's log, wherever it is.
 * First from vhidd itself (log-ring.c). When vhidd does not run, or is older
 * than its log ring: under journald vhidd logs to the journal only, so this
 * hands over to journalctl; otherwise vhidd keeps a file (the one its status names, by
 * default vhidd.log next to the socket, rotated once to vhidd.log.1), which
 * is read here, filtered by each line's "[YYYY-mm-dd HH:MM:SS.mmm]" local
 * timestamp, and with -f followed across rotations until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "escape.h"
#include "vhidctl.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

struct log_opts {
	long long cutoff_ms; /* wall clock; -1: everything */
	bool follow;
};

static long long
realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* -1 to go on, else the exit code */
static int
parse_options(struct cli *cli, struct log_opts *o)
{
	static const struct option opts[] = {
		{"since", required_argument, NULL, 'S'},
		{"follow", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	long long ms;
	int ch, code;

	o->cutoff_ms = -1;
	while ((ch = cli_getopt(cli, "S:fh", opts, &code)) > 0) {
		if (ch == 'S' && parse_duration_ms(optarg, &ms) < 0)
			return cli_usage("log",
					 "log: bad --since '%s' (examples: 90s, 30m, 1h, 2d)",
					 optarg);
		else if (ch == 'S')
			o->cutoff_ms = realtime_ms() - ms;
		else
			o->follow = true; /* -f */
	}
	if (ch < 0)
		return code;
	if (optind < cli->argc)
		return cli_usage("log", "log: unexpected argument '%s'", cli->argv[optind]);
	return -1;
}

/* ---- where the log is ----------------------------------------------------------- */

static void
on_daemon(const struct vhid_status_daemon *d, void *data)
{
	snprintf(data, 256, "%s", d->log_file);
}

/* The daemon's log file ("" for the journal); -1 if vhidd is not reachable. */
static int
daemon_log_file(struct cli *cli, char path[256])
{
	static const struct vhid_status_listener listener = {.size = sizeof(listener),
							     .daemon = on_daemon};
	struct vhid_client *c;
	int r = vhid_client_new("vhidctl log", NULL, NULL, &c);

	if (r < 0)
		return -1;
	r = vhid_client_connect(c, cli->socket);
	if (r == 0)
		r = vhid_client_get_status(c, 0, &listener, path);
	vhid_client_destroy(c);
	return r < 0 ? -1 : 0;
}

static void
default_log_file(struct cli *cli, char path[256])
{
	char copy[256];

	snprintf(copy, sizeof(copy), "%s", cli_socket_path(cli));
	snprintf(path, 256, "%.240s/vhidd.log", dirname(copy));
}

/*
 * Under systemd the journal has it, unless vhidd says it writes a file. An
 * unreachable vhidd that left a file was run by hand (systemd removes /run/vhid
 * when the service stops): then the file is the better answer.
 */
static bool
use_journal(struct cli *cli, char path[256])
{
	struct stat st;

	path[0] = '\0';
	if (daemon_log_file(cli, path) == 0)
		return !path[0] && access(JOURNAL_SOCKET, F_OK) == 0;
	default_log_file(cli, path);
	return stat(path, &st) < 0 && errno == ENOENT && access("/run/systemd/journal", F_OK) == 0;
}

static int
run_journalctl(const struct log_opts *o)
{
	char since[32];
	const char *argv[10] = {"journalctl", "-u", "vhidd", "-o", "short-precise", "--no-pager"};
	int n = 6;

	if (o->cutoff_ms >= 0) {
		snprintf(since, sizeof(since), "@%lld", o->cutoff_ms / 1000);
		argv[n++] = "--since";
		argv[n++] = since;
	}
	if (o->follow)
		argv[n++] = "-f";
	argv[n] = NULL;
	fflush(stdout);
	execvp(argv[0], (char *const *)argv);
	return cli_error("no log: vhidd logs to the journal; run: journalctl -u vhidd (%s: %s)",
			 argv[0], strerror(errno));
}

/* ---- reading and filtering --------------------------------------------------------- */

/* The wall-clock time of a line that starts with vhidd's timestamp, else -1. */
static long long
line_time_ms(const char *line)
{
	struct tm tm = {.tm_isdst = -1};
	int ms;
	time_t t;

	if (sscanf(line, "[%d-%d-%d %d:%d:%d.%d]", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return -1;
	return (long long)t * 1000 + ms;
}

/* A log line as a terminal may show it: vhidd escapes what it writes, but an old
 * vhidd did not, and the file may hold anything (issue 13 A.4). */
static void
put_line(const char *line, size_t len)
{
	char safe[4 * 1024 + 1];
	bool nl = len && line[len - 1] == '\n';

	for (size_t off = 0, n; off < len - nl; off += n) {
		n = len - nl - off > 1024 ? 1024 : len - nl - off;
		escape_text(safe, sizeof(safe), line + off, n, 0);
		fputs(safe, stdout);
	}
	if (nl)
		putchar('\n');
}

/* Lines without a timestamp belong to the line before them. */
static void
print_since(FILE *f, long long cutoff_ms)
{
	bool show = cutoff_ms < 0;
	char *line = NULL;
	size_t cap = 0;
	long long t;

	ssize_t n;

	while ((n = getline(&line, &cap, f)) > 0) {
		if ((t = line_time_ms(line)) >= 0)
			show = cutoff_ms < 0 || t >= cutoff_ms;
		if (show)
			put_line(line, (size_t)n);
	}
	free(line);
	fflush(stdout);
}

static int
cannot_read(const char *path, int err)
{
	struct stat st;
	struct group *g = NULL;

	if (err == ENOENT)
		return cli_error(
			"no log at %s: vhidd has not run since boot, or runs with --log-file none",
			path);
	if (err != EACCES)
		return cli_error("cannot read %s: %s", path, strerror(err));
	/* vhidd >= 0.2 keeps it 0600 (it names every user's programs); a group-readable
	 * file is an older vhidd's */
	if (stat(path, &st) < 0 || !(st.st_mode & 040))
		return cli_fail(EXIT_DENIED,
				"cannot read %s: %s (only its owner and root may: it names every "
				"user's programs; try sudo)",
				path, strerror(err));
	g = st.st_gid ? getgrgid(st.st_gid) : NULL;
	if (!g)
		return cli_fail(EXIT_DENIED, "cannot read %s: %s (it is readable by root only)",
				path, strerror(err));
	return cli_fail(EXIT_DENIED, "cannot read %s: %s (it is readable by root and group %s)",
			path, strerror(err), g->gr_name);
}

/* PATH.1 holds the lines before the last rotation: read it if the window reaches it. */
static void
print_rotated(const char *path, long long cutoff_ms)
{
	char old[300];
	struct stat st;
	FILE *f;

	snprintf(old, sizeof(old), "%s.1", path);
	if (stat(old, &st) < 0)
		return;
	if (cutoff_ms >= 0 && (long long)st.st_mtime * 1000 + 999 < cutoff_ms)
		return;
	if ((f = fopen(old, "re"))) {
		print_since(f, cutoff_ms);
		fclose(f);
	}
}

/* ---- following ------------------------------------------------------------------------- */

struct follower {
	const char *path;
	FILE *f;
	int inotify, wd_file, sigfd;
};

/* Copy whatever was appended since the last call. */
static void
copy_new(FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	struct stat st;
	ssize_t n;

	/* truncated in place (copytruncate): start again from the top */
	if (fstat(fileno(f), &st) == 0 && st.st_size < ftello(f))
		fseeko(f, 0, SEEK_SET);
	clearerr(f);
	while ((n = getline(&line, &cap, f)) > 0)
		put_line(line, (size_t)n);
	free(line);
	clearerr(f);
	fflush(stdout);
}

/* vhidd rotates by renaming the file to PATH.1: once PATH is another inode, switch to it. */
static void
reopen_if_rotated(struct follower *w)
{
	struct stat now, cur;
	FILE *f;

	if (stat(w->path, &now) < 0 || fstat(fileno(w->f), &cur) < 0)
		return; /* renamed, not yet recreated: the directory watch wakes us */
	if (now.st_ino == cur.st_ino && now.st_dev == cur.st_dev)
		return;
	if (!(f = fopen(w->path, "re")))
		return;
	copy_new(w->f); /* the old file's last lines first */
	fclose(w->f);
	w->f = f;
	if (w->wd_file >= 0)
		inotify_rm_watch(w->inotify, w->wd_file);
	w->wd_file =
		inotify_add_watch(w->inotify, w->path, IN_MODIFY | IN_MOVE_SELF | IN_DELETE_SELF);
	copy_new(w->f);
}

static int
follow_setup(struct follower *w)
{
	char copy[256];

	w->sigfd = log_block_stop_signals();
	w->inotify = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->sigfd < 0 || w->inotify < 0)
		return -errno;
	snprintf(copy, sizeof(copy), "%s", w->path);
	w->wd_file =
		inotify_add_watch(w->inotify, w->path, IN_MODIFY | IN_MOVE_SELF | IN_DELETE_SELF);
	/* the new file after a rotation appears in the directory */
	if (w->wd_file < 0 ||
	    inotify_add_watch(w->inotify, dirname(copy), IN_CREATE | IN_MOVED_TO) < 0)
		return -errno;
	return 0;
}

static void
follow_close(struct follower *w)
{
	fclose(w->f);
	if (w->inotify >= 0)
		close(w->inotify);
	if (w->sigfd >= 0)
		close(w->sigfd);
}

static int
follow(struct follower *w)
{
	char events[4096];
	int r = 0;

	while (r == 0) {
		struct pollfd p[2] = {{.fd = w->inotify, .events = POLLIN},
				      {.fd = w->sigfd, .events = POLLIN}};
		copy_new(w->f);
		reopen_if_rotated(w);
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			r = -errno;
		if (p[1].revents)
			break; /* SIGINT or SIGTERM: done */
		while (read(w->inotify, events, sizeof(events)) > 0)
			; /* which event does not matter: look at the file again */
	}
	follow_close(w);
	return r < 0 ? cli_error("following %s: %s", w->path, strerror(-r)) : EXIT_OK;
}

int
cmd_log(struct cli *cli)
{
	struct log_opts o = {0};
	struct follower w = {.inotify = -1, .wd_file = -1, .sigfd = -1};
	char path[256];
	int r = parse_options(cli, &o);

	if (r >= 0)
		return r;
	if ((r = log_ring_show(cli, o.cutoff_ms, o.follow)) >= 0)
		return r;
	if (use_journal(cli, path))
		return run_journalctl(&o);
	if (!path[0])
		return cli_error("no log: vhidd keeps no log file (it runs with --log-file none)");
	if (!(w.f = fopen(path, "re")))
		return cannot_read(path, errno);
	w.path = path;
	/* before the first read: lines written during it wake the loop, and
	 * SIGINT during it ends the command as cleanly as later */
	if (o.follow && (r = follow_setup(&w)) < 0) {
		follow_close(&w);
		return cli_error("cannot follow %s: %s", path, strerror(-r));
	}
	print_rotated(path, o.cutoff_ms);
	print_since(w.f, o.cutoff_ms);
	if (o.follow)
		return follow(&w);
	fclose(w.f);
	return EXIT_OK;
}
