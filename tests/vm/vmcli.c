/* vmcli.c - see vmcli.h. */
#include "vmcli.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmtest.h"

#define RUN_TIMEOUT_MS 6000 /* times vt_bound's scale */

/* In the child: become uid/gid with exactly these groups, wire up stdout/stderr, exec. */
static void
exec_child(int out, int err, unsigned int uid, unsigned int gid, const unsigned int *groups,
	   int n_groups, const char *const *argv)
{
	const char *args[64] = {"vhidctl"};
	gid_t g[32];
	int n = 1;

	if (dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(126);
	if (uid) {
		for (int i = 0; i < n_groups && i < 32; i++)
			g[i] = groups[i];
		if (setgroups((size_t)n_groups, g) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
			_exit(125);
	}
	for (int i = 0; argv[i] && n < 63; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	unsetenv("VHID_SOCKET");
	execv(getenv("VT_VHIDCTL_BIN") ? getenv("VT_VHIDCTL_BIN") : VT_VHIDCTL,
	      (char *const *)args);
	_exit(127);
}

static void
append(char **buf, size_t *len, const char *data, size_t n)
{
	char *p = realloc(*buf, *len + n + 1);

	if (!p)
		return;
	memcpy(p + *len, data, n);
	*len += n;
	p[*len] = '\0';
	*buf = p;
}

/* Read both pipes until both end or the deadline passes; false on timeout. */
static bool
drain(int fds[2], struct vt_cli *r)
{
	size_t lens[2] = {0, 0};
	char **bufs[2] = {&r->out, &r->err}, chunk[4096];
	uint64_t end = monotonic_ms() + (uint64_t)vt_bound(RUN_TIMEOUT_MS);
	int open = 2;

	while (open > 0) {
		struct pollfd p[2] = {{.fd = fds[0], .events = POLLIN},
				      {.fd = fds[1], .events = POLLIN}};
		uint64_t now = monotonic_ms();
		if (now >= end || poll(p, 2, (int)(end - now)) <= 0)
			return false;
		for (int i = 0; i < 2; i++) {
			if (!p[i].revents)
				continue;
			ssize_t n = read(fds[i], chunk, sizeof(chunk));
			if (n > 0) {
				append(bufs[i], &lens[i], chunk, (size_t)n);
			} else {
				fds[i] = -fds[i] - 1; /* poll ignores negative fds */
				open--;
			}
		}
	}
	return true;
}

static int
wait_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int
run_vhidctl(struct vt_cli *r, unsigned int uid, unsigned int gid, const unsigned int *groups,
	    int n_groups, const char *const *argv)
{
	int out[2], err[2], fds[2];
	bool done;
	pid_t pid;

	r->out = calloc(1, 1);
	r->err = calloc(1, 1);
	r->status = -1;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) == 0)
		exec_child(out[1], err[1], uid, gid, groups, n_groups, argv);
	close(out[1]);
	close(err[1]);
	fds[0] = out[0];
	fds[1] = err[0];
	done = pid > 0 && drain(fds, r);
	if (pid > 0 && !done)
		kill(pid, SIGKILL);
	if (pid > 0)
		r->status = wait_status(pid);
	if (!done)
		r->status = -1;
	close(out[0]);
	close(err[0]);
	return r->status;
}

int
vt_vhidctl(struct vt_cli *r, const char *arg, ...)
{
	const char *argv[32];
	int n = 0;
	va_list ap;

	va_start(ap, arg);
	for (const char *a = arg; a && n < 31; a = va_arg(ap, const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return run_vhidctl(r, 0, 0, NULL, 0, argv);
}

void
vt_cli_free(struct vt_cli *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

/* ---- a long-running vhidctl ---------------------------------------------------- */

int
vt_cli_start(struct vt_cli_proc *p, const char *const *argv)
{
	int fds[2];

	p->len = p->from = 0;
	p->buf[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	fflush(stdout);
	if ((p->pid = fork()) == 0)
		exec_child(fds[1], fds[1], 0, 0, NULL, 0, argv);
	close(fds[1]);
	p->fd = fds[0];
	return p->pid > 0 ? 0 : -errno;
}

bool
vt_cli_wait_for(struct vt_cli_proc *p, const char *needle, int timeout_ms)
{
	uint64_t end = monotonic_ms() + (uint64_t)vt_bound(timeout_ms);

	while (!strstr(p->buf + p->from, needle)) {
		struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
		uint64_t now = monotonic_ms();
		if (now >= end || poll(&pfd, 1, (int)(end - now)) <= 0)
			return false;
		ssize_t n = read(p->fd, p->buf + p->len, sizeof(p->buf) - 1 - p->len);
		if (n <= 0)
			return false;
		p->len += (size_t)n;
		p->buf[p->len] = '\0';
	}
	return true;
}

int
vt_cli_stop(struct vt_cli_proc *p, int sig)
{
	ssize_t n;
	int st = -1;

	kill(p->pid, sig);
	/* bounded: a vhidctl that ignores the signal fails the test instead of hanging it */
	for (uint64_t end = monotonic_ms() + (uint64_t)vt_bound(5000); monotonic_ms() < end;) {
		if (waitpid(p->pid, &st, WNOHANG) == p->pid)
			break;
		usleep(10000);
		st = -1;
	}
	if (st == -1) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	/* what it printed before it went; its end of the pipe is closed now */
	while (p->len < sizeof(p->buf) - 1 &&
	       (n = read(p->fd, p->buf + p->len, sizeof(p->buf) - 1 - p->len)) > 0)
		p->len += (size_t)n;
	p->buf[p->len] = '\0';
	close(p->fd);
	if (st == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void
vt_print_output(const char *title, const char *text)
{
	printf("# %s:\n", title);
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);
		printf("#   %.*s\n", n, p);
		p = nl ? nl + 1 : NULL;
	}
}

/* ---- JSON syntax --------------------------------------------------------------- */

static const char *json_value(const char *s, int depth);

static const char *
skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	return s;
}

static const char *
json_string_end(const char *s)
{
	if (*s++ != '"')
		return NULL;
	for (; *s && *s != '"'; s++) {
		if ((unsigned char)*s < 0x20)
			return NULL;
		if (*s == '\\' && !*++s)
			return NULL;
	}
	return *s == '"' ? s + 1 : NULL;
}

static const char *
json_number_end(const char *s)
{
	char *end;

	if (*s != '-' && (*s < '0' || *s > '9'))
		return NULL;
	strtod(s, &end);
	return end > s ? end : NULL;
}

/* Members or elements up to close; objects have "key": before each value. */
static const char *
json_container(const char *s, char close, bool object, int depth)
{
	s = skip_ws(s + 1);
	if (*s == close)
		return s + 1;
	for (;;) {
		if (object) {
			if (!(s = json_string_end(skip_ws(s))))
				return NULL;
			s = skip_ws(s);
			if (*s++ != ':')
				return NULL;
		}
		if (!(s = json_value(s, depth + 1)))
			return NULL;
		s = skip_ws(s);
		if (*s == close)
			return s + 1;
		if (*s++ != ',')
			return NULL;
	}
}

static const char *
json_value(const char *s, int depth)
{
	s = skip_ws(s);
	if (depth > 32)
		return NULL;
	if (*s == '{')
		return json_container(s, '}', true, depth);
	if (*s == '[')
		return json_container(s, ']', false, depth);
	if (*s == '"')
		return json_string_end(s);
	if (!strncmp(s, "true", 4) || !strncmp(s, "null", 4))
		return s + 4;
	if (!strncmp(s, "false", 5))
		return s + 5;
	return json_number_end(s);
}

bool
vt_json_valid(const char *s)
{
	const char *end = s ? json_value(s, 0) : NULL;

	return end && *skip_ws(end) == '\0';
}

bool
vt_find_line(const char *text, const char *a, const char *b, char *line, size_t len)
{
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		snprintf(line, len, "%.*s", (int)n, p);
		if (strstr(line, a) && (!b || strstr(line, b)))
			return true;
		p = nl ? nl + 1 : NULL;
	}
	line[0] = '\0';
	return false;
}
