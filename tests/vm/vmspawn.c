/* vmspawn.c - see vmspawn.h. */
#include "vmspawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/input.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmtest.h"

/* Commands that create a device and wait (--wait) for a program to open it. */
static bool
waits_for_reader(const char *const *args)
{
	static const char *const cmds[] = {"key", "type", "mouse", "click", "scroll", "hscroll"};

	for (int i = 0; args[i]; i++)
		if (!strcmp(args[i], "--wait") || !strncmp(args[i], "--wait=", 7))
			return false;
	for (size_t i = 0; args[0] && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(args[0], cmds[i]))
			return true;
	return false;
}

int
vt_spawn_vhidctl(struct vt_proc *p, unsigned int uid, const unsigned int *groups, int n,
		 const char *const *args)
{
	/* VT_VHIDCTL_BIN: another vhidctl, e.g. the previous release's (test-compat) */
	const char *bin = getenv("VT_VHIDCTL_BIN");
	const char *argv[32] = {bin ? bin : "/usr/bin/vhidctl"};
	int pfd[2], k = 1;

	memset(p, 0, sizeof(*p));
	for (int i = 0; args[i] && k < 29; i++) {
		argv[k++] = args[i];
		/* The test opens the node vhidctl creates, and that open is what lets
		 * vhidctl start. Its default wait (1 s) is a guess about compositors;
		 * on a loaded machine the test opens later than that, vhidctl sends
		 * "anyway", and the test reads a release whose press it never saw.
		 * The longest wait makes the open, not the clock, start the input. */
		if (i == 0 && waits_for_reader(args)) {
			argv[k++] = "--wait";
			argv[k++] = "60000";
		}
	}
	if (pipe(pfd) < 0)
		return -errno;
	fflush(stdout);
	p->pid = fork();
	if (p->pid == 0) {
		gid_t g[16];
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		if (uid) {
			for (int i = 0; i < n && i < 16; i++)
				g[i] = groups[i];
			if (setgroups((size_t)n, g) < 0 || setgid(uid) < 0 || setuid(uid) < 0)
				_exit(126);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	p->out = pfd[0];
	return 0;
}

int
vt_spawn(struct vt_proc *p, const char *const *argv, int *in)
{
	int pfd[2], ifd[2] = {-1, -1};

	memset(p, 0, sizeof(*p));
	if (pipe(pfd) < 0 || (in && pipe(ifd) < 0))
		return -errno;
	fflush(stdout);
	p->pid = fork();
	if (p->pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(in ? ifd[0] : null, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		if (in)
			close(ifd[1]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	p->out = pfd[0];
	if (in) {
		close(ifd[0]);
		*in = ifd[1];
	}
	return 0;
}

static bool
read_more(struct vt_proc *p, int timeout_ms)
{
	struct pollfd pfd = {.fd = p->out, .events = POLLIN};
	ssize_t n;

	if (p->len >= sizeof(p->buf) - 1 || poll(&pfd, 1, timeout_ms) <= 0)
		return false;
	n = read(p->out, p->buf + p->len, sizeof(p->buf) - 1 - p->len);
	if (n <= 0)
		return false;
	p->len += (size_t)n;
	p->buf[p->len] = '\0';
	return true;
}

bool
vt_proc_expect(struct vt_proc *p, const char *text, int timeout_ms)
{
	uint64_t end = monotonic_ms() + (uint64_t)vt_bound(timeout_ms);

	while (!strstr(p->buf, text)) {
		uint64_t now = monotonic_ms();
		if (now >= end || !read_more(p, (int)(end - now)))
			return strstr(p->buf, text) != NULL;
	}
	return true;
}

int
vt_proc_wait(struct vt_proc *p, int timeout_ms)
{
	uint64_t end = monotonic_ms() + (uint64_t)vt_bound(timeout_ms);
	int st;

	for (;;) {
		if (waitpid(p->pid, &st, WNOHANG) == p->pid) {
			while (read_more(p, 0))
				;
			close(p->out);
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		if (monotonic_ms() >= end) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &st, 0);
			close(p->out);
			return -1;
		}
		/* output keeps flowing while we wait; its pipe must not fill up */
		if (!read_more(p, 20))
			usleep(2000);
	}
}

int
vt_nodes_watch(void)
{
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	if (fd >= 0)
		inotify_add_watch(fd, "/dev/input", IN_CREATE);
	return fd;
}

/* By sysfs, not by opening the node: an open counts as a reader, and the
 * program under test starts sending the moment it sees one. */
bool
vt_node_has_name(const char *event, const char *name)
{
	return vt_node_sysfs_is(event, "name", name);
}

static const char *
next_node(int watch, const char *name, int timeout_ms)
{
	static char path[64];
	char buf[4096] __attribute__((aligned(8)));
	uint64_t end = monotonic_ms() + (uint64_t)timeout_ms;

	for (;;) {
		struct pollfd p = {.fd = watch, .events = POLLIN};
		uint64_t now = monotonic_ms();
		ssize_t n;

		if (now >= end || poll(&p, 1, (int)(end - now)) <= 0)
			return "";
		n = read(watch, buf, sizeof(buf));
		for (char *q = buf; n > 0 && q < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)q;
			q += sizeof(*ev) + ev->len;
			if (ev->len && strncmp(ev->name, "event", 5) == 0) {
				snprintf(path, sizeof(path), "/dev/input/%s", ev->name);
				if (vt_node_has_name(ev->name, name))
					return path;
			}
		}
	}
}

const char *
vt_nodes_next(int watch, const char *name, int timeout_ms)
{
	return next_node(watch, name, vt_bound(timeout_ms));
}

bool
vt_nodes_none(int watch, const char *name, int ms)
{
	return !next_node(watch, name, ms)[0];
}
