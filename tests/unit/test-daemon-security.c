/*
 * Host tests of the holes a local user could reach in vhidd 0.1.0 (issue 13
 * A), against the real daemon: connection limits and timeouts, credentials,
 * half-closed clients, large status replies, libvhid's connect timeout, the
 * log file (symlinks, mode, rotation), escaping of client-chosen strings, and
 * policy files that are FIFOs, hold NUL bytes or are not policies at all.
 * Each test fails against 0.1.0. Time bounds only decide failures (BOUND_MS):
 * a slow machine makes them slower, never red.
 *
 * Tests that switch to another uid (seteuid around connect(): SO_PEERCRED
 * records the effective ids at connect time) need root and skip without it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "protocol.h"
#include "vhid.h"

#define BOUND_MS 20000 /* only a failure takes this long */
#define NOBODY 65534

static char dir[64], sock[96], conf[96], errlog[96];
static pid_t daemon_pid = -1;
static int last_exit = -1;

static void
write_file(const char *path, const void *text, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	fchmod(fd, mode);
	close(fd);
}

static void
write_conf(const char *text)
{
	unlink(conf);
	write_file(conf, text, strlen(text), 0644);
}

static char *
read_text(const char *path)
{
	static char buf[1 << 20];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? 0 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/*
 * Start vhidd (wrapped by $VHID_TEST_WRAPPER) with extra arguments; stderr goes
 * to errlog. journal: pretend stderr is the journal. preload: LD_PRELOAD for it.
 * Returns its pid once it listens; -1 if it exited (last_exit has the status).
 */
static pid_t
start_daemon(const char *const *extra, bool journal, const char *preload)
{
	const char *vhidd = getenv("VHIDD"), *wrapper = getenv("VHID_TEST_WRAPPER");
	const char *argv[48];
	char fdarg[16], c, *w = wrapper ? strdup(wrapper) : NULL, *save = NULL;
	int n = 0, pfd[2];
	pid_t pid;

	assert_non_null(vhidd);
	assert_int_equal(pipe(pfd), 0);
	snprintf(fdarg, sizeof(fdarg), "%d", pfd[1]);
	for (char *t = w ? strtok_r(w, " ", &save) : NULL; t && n < 16;
	     t = strtok_r(NULL, " ", &save))
		argv[n++] = t;
	const char *rest[] = {vhidd,        "-s",  sock, "-c", conf, "--uhid", "/nonexistent/uhid",
			      "--ready-fd", fdarg, NULL};
	for (int i = 0; rest[i]; i++)
		argv[n++] = rest[i];
	for (int i = 0; extra && extra[i] && n < 46; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		int fd = open(errlog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		struct stat st;
		char js[64];

		close(pfd[0]);
		dup2(fd, 2);
		unsetenv("JOURNAL_STREAM");
		if (journal && fstat(2, &st) == 0) {
			snprintf(js, sizeof(js), "%lu:%lu", (unsigned long)st.st_dev,
				 (unsigned long)st.st_ino);
			setenv("JOURNAL_STREAM", js, 1);
		}
		if (preload) {
			setenv("LD_PRELOAD", preload, 1);
			setenv("ASAN_OPTIONS",
			       "verify_asan_link_order=0:detect_leaks=1:exitcode=23", 1);
		}
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	free(w);
	close(pfd[1]);
	struct pollfd p = {.fd = pfd[0], .events = POLLIN};
	int ok = poll(&p, 1, 60000) == 1 && read(pfd[0], &c, 1) == 1;
	close(pfd[0]);
	if (ok)
		return daemon_pid = pid;
	if (waitpid(pid, &last_exit, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &last_exit, 0);
	}
	last_exit = WIFEXITED(last_exit) ? WEXITSTATUS(last_exit) : 128 + WTERMSIG(last_exit);
	return -1;
}

static int
stop_daemon(void)
{
	int st;

	if (daemon_pid < 0)
		return -1;
	kill(daemon_pid, SIGTERM);
	waitpid(daemon_pid, &st, 0);
	daemon_pid = -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/vhid-sec-XXXXXX");
	assert_non_null(mkdtemp(dir));
	chmod(dir, 0755); /* other uids must reach the socket; only root writes here */
	snprintf(sock, sizeof(sock), "%s/vhidd.sock", dir);
	snprintf(conf, sizeof(conf), "%s/vhidd.conf", dir);
	snprintf(errlog, sizeof(errlog), "%s/stderr", dir);
	write_conf("allow-groups = 0\nlease-ms = 2000\n");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	if (daemon_pid > 0) {
		kill(daemon_pid, SIGKILL);
		waitpid(daemon_pid, NULL, 0);
		daemon_pid = -1;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- raw connections ------------------------------------------------------------ */

/* Connect with these effective ids (root only), then become root again. */
static int
connect_as(uid_t uid, const gid_t *groups, int n)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), r, e;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock);
	if (uid != 0) {
		assert_int_equal(setgroups((size_t)n, groups), 0);
		assert_int_equal(setegid(groups[0]), 0);
		assert_int_equal(seteuid(uid), 0);
	}
	r = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	e = errno;
	if (uid != 0) {
		assert_int_equal(seteuid(0), 0);
		assert_int_equal(setegid(0), 0);
		assert_int_equal(setgroups(0, NULL), 0);
	}
	if (r < 0) {
		close(fd);
		return -e;
	}
	return fd;
}

static int
raw_connect(void)
{
	int fd = connect_as(0, NULL, 0);

	assert_true(fd >= 0);
	return fd;
}

/* false when the daemon already closed the connection */
static bool
send_frame(int fd, uint16_t type, uint32_t id, const void *msg)
{
	uint8_t buf[VHID_MAX_FRAME];
	int n = proto_encode(buf, type, id, msg, NULL, 0);

	assert_true(n > 0);
	return send(fd, buf, (size_t)n, MSG_NOSIGNAL) == n;
}

static bool
send_hello(int fd, const char *name)
{
	struct vhid_msg_hello h = {.magic = VHID_HELLO_MAGIC, .version = VHID_PROTOCOL_VERSION};

	memcpy(h.name, name, strnlen(name, sizeof(h.name) - 1));
	return send_frame(fd, VHID_MSG_HELLO, 1, &h);
}

struct rx {
	uint8_t buf[8 * VHID_MAX_FRAME];
	size_t got;
};

/* The next frame into *f (valid until the next call): 1, 0 on EOF, -ETIMEDOUT. */
static int
next_frame(int fd, struct rx *rx, struct vhid_frame *f, int timeout_ms)
{
	static uint8_t frame[VHID_MAX_FRAME];
	uint64_t end = monotonic_ms() + (uint64_t)timeout_ms;
	int size;

	while ((size = proto_parse_frame(rx->buf, rx->got, f)) == 0) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		uint64_t now = monotonic_ms();
		ssize_t n;

		if (now >= end || poll(&p, 1, (int)(end - now)) <= 0)
			return -ETIMEDOUT;
		n = read(fd, rx->buf + rx->got, sizeof(rx->buf) - rx->got);
		if (n <= 0)
			return 0;
		rx->got += (size_t)n;
	}
	assert_true(size > 0);
	memcpy(frame, rx->buf, (size_t)size);
	memmove(rx->buf, rx->buf + size, rx->got - (size_t)size);
	rx->got -= (size_t)size;
	f->payload = frame + VHID_HEADER_SIZE;
	return 1;
}

/* Expect an ERROR and then EOF within the bound; returns the status, text in msg. */
static int
expect_error_close(int fd, char *msg, size_t len, int timeout_ms)
{
	struct rx rx = {0};
	struct vhid_frame f;
	struct vhid_msg_error e = {0};
	int r;

	msg[0] = '\0';
	while ((r = next_frame(fd, &rx, &f, timeout_ms)) == 1 && f.hdr.type != VHID_MSG_ERROR)
		;
	if (r != 1)
		return r == 0 ? 1 : r; /* closed without an error, or never */
	assert_int_equal(proto_decode(&f, &e, sizeof(e), NULL, 0), 0);
	snprintf(msg, len, "%.*s", (int)e.message_length, (const char *)f.payload + sizeof(e));
	while ((r = next_frame(fd, &rx, &f, timeout_ms)) == 1)
		;
	return r == 0 ? e.status : r;
}

static bool
hello_named(int fd, const char *name, int timeout_ms)
{
	struct rx rx = {0};
	struct vhid_frame f;

	return send_hello(fd, name) && next_frame(fd, &rx, &f, timeout_ms) == 1 &&
	       f.hdr.type == VHID_MSG_HELLO_REPLY;
}

static bool
hello_answered(int fd, int timeout_ms)
{
	return hello_named(fd, "sec-test", timeout_ms);
}

/* The daemon's stderr says needle within the bound. */
static bool
logged(const char *needle)
{
	for (uint64_t end = monotonic_ms() + BOUND_MS; monotonic_ms() < end; usleep(10000))
		if (strstr(read_text(errlog), needle))
			return true;
	return false;
}

/* ---- connections: timeouts and limits --------------------------------------------- */

/* 0.1.0 never closed a connection that stays silent: 150 of them stayed for good.
 * The default handshake timeout (5 s), so the test means the same against 0.1.0. */
static void
slowloris_closed(void **state)
{
	int fds[24];
	char msg[300];

	assert_true(start_daemon(NULL, false, NULL) > 0);
	for (int i = 0; i < 24; i++) {
		fds[i] = raw_connect();
		if (i % 3 == 0)
			assert_int_equal(send(fds[i], "\x01\x00\x28", 3, 0),
					 3); /* a partial header */
	}
	for (int i = 0; i < 24; i++) {
		int r = expect_error_close(fds[i], msg, sizeof(msg), BOUND_MS);
		if (r != -ETIMEDOUT || !strstr(msg, "no HELLO within 5000 ms"))
			fail_msg("connection %d: %d '%s'", i, r, msg);
		close(fds[i]);
	}
	assert_true(logged("no HELLO within 5000 ms; closing it"));
	assert_int_equal(stop_daemon(), 0);
}

/* After HELLO, a connection without a device that says nothing more is closed too. */
static void
idle_closed(void **state)
{
	char msg[300];
	int fd, busy;

	write_conf("allow-groups = 0\nidle-timeout-ms = 400\n");
	assert_true(start_daemon(NULL, false, NULL) > 0);
	fd = raw_connect();
	busy = raw_connect();
	assert_true(hello_answered(fd, BOUND_MS));
	assert_true(hello_answered(busy, BOUND_MS));
	assert_int_equal(expect_error_close(fd, msg, sizeof(msg), BOUND_MS), -ETIMEDOUT);
	assert_non_null(strstr(msg, "idle for 400 ms without a device (idle-timeout-ms)"));
	close(fd);
	close(busy);
	assert_int_equal(stop_daemon(), 0);
}

/* One user held 8,000 connections; root is exempt (it can stop vhidd anyway). The
 * default limit (32), so the test means the same against 0.1.0. */
static void
per_user_limit(void **state)
{
	enum { MAX = 32 };
	const gid_t groups[] = {0};
	int fds[MAX + 1], extra[8];
	char msg[300];

	if (geteuid() != 0)
		skip();
	assert_true(start_daemon(NULL, false, NULL) > 0);
	for (int i = 0; i < MAX; i++) {
		fds[i] = connect_as(NOBODY, groups, 1);
		assert_true(fds[i] >= 0);
		assert_true(hello_answered(fds[i], BOUND_MS));
	}
	fds[MAX] = connect_as(NOBODY, groups, 1);
	assert_int_equal(expect_error_close(fds[MAX], msg, sizeof(msg), BOUND_MS), -VHID_ELIMIT);
	assert_non_null(strstr(msg, "too many connections: uid 65534 already has 32"));
	assert_non_null(strstr(msg, "max-connections-per-user"));
	for (int i = 0; i < 8; i++) {
		extra[i] = raw_connect();
		assert_true(hello_answered(extra[i], BOUND_MS));
	}
	/* a slot freed is a slot to use again */
	close(fds[0]);
	close(fds[MAX]);
	fds[0] = -1;
	for (uint64_t end = monotonic_ms() + BOUND_MS; monotonic_ms() < end;) {
		fds[0] = connect_as(NOBODY, groups, 1);
		if (hello_answered(fds[0], BOUND_MS))
			break;
		close(fds[0]);
		fds[0] = -1;
		usleep(10000);
	}
	assert_true(fds[0] >= 0);
	for (int i = 0; i < MAX; i++)
		close(fds[i]);
	for (int i = 0; i < 8; i++)
		close(extra[i]);
	assert_int_equal(stop_daemon(), 0);
}

/* SO_PEERGROUPS fails with ERANGE past 64 groups: the allowed group was never seen. */
static void
member_of_many_groups(void **state)
{
	gid_t groups[101];
	int fd;

	if (geteuid() != 0)
		skip();
	groups[0] = 0;
	for (int i = 1; i < 100; i++)
		groups[i] = 3000 + (gid_t)i; /* sorted before the one that matters */
	groups[100] = 4242;
	/* the socket is root:root 0660 here: group 0 reaches it, the policy wants 4242 */
	write_conf("allow-groups = 4242\n");
	assert_true(start_daemon(NULL, false, NULL) > 0);
	fd = connect_as(NOBODY, groups, 101);
	assert_true(fd >= 0);
	assert_true(hello_answered(fd, BOUND_MS));
	close(fd);
	assert_int_equal(stop_daemon(), 0);
}

/* A failed SO_PEERCRED left uid 0 in place: the caller was root. */
static void
unknown_credentials_refused(void **state)
{
	const char *shim = getenv("FAIL_PEERCRED");
	const gid_t groups[] = {0};
	char msg[300];
	int fd;

	if (geteuid() != 0 || !shim)
		skip();
	write_conf("allow-groups =\n"); /* root only */
	assert_true(start_daemon(NULL, false, shim) > 0);
	fd = connect_as(NOBODY, groups, 1);
	assert_true(fd >= 0);
	if (expect_error_close(fd, msg, sizeof(msg), BOUND_MS) != -VHID_EDENIED ||
	    !strstr(msg, "cannot read this connection's credentials"))
		fail_msg("not refused as unknown: '%s'", msg);
	close(fd);
	assert_int_equal(stop_daemon(), 0);
}

/* shutdown(SHUT_WR) after the requests: 0.1.0 closed before answering them. */
static void
half_close_still_answered(void **state)
{
	struct vhid_msg_get_status st = {.scope = VHID_STATUS_SELF};
	uint16_t want[] = {VHID_MSG_HELLO_REPLY, VHID_MSG_REPLY, VHID_MSG_STATUS_DAEMON,
			   VHID_MSG_REPLY};
	struct vhid_frame f;

	assert_true(start_daemon(NULL, false, NULL) > 0);
	for (int round = 0; round < 20; round++) {
		struct rx rx = {0};
		int fd = raw_connect(), i = 0, r;

		assert_true(send_hello(fd, "half"));
		send_frame(fd, VHID_MSG_HEARTBEAT, 2, NULL);
		send_frame(fd, VHID_MSG_GET_STATUS, 3, &st);
		assert_int_equal(shutdown(fd, SHUT_WR), 0);
		while ((r = next_frame(fd, &rx, &f, BOUND_MS)) == 1 && i < 4)
			if (f.hdr.type != want[i++])
				fail_msg("round %d: frame %d is 0x%04x", round, i, f.hdr.type);
		if (i != 4)
			fail_msg("round %d: %d of 4 answers, then %d", round, i, r);
		assert_int_equal(next_frame(fd, &rx, &f, BOUND_MS), 0); /* then closed */
		close(fd);
	}
	assert_int_equal(stop_daemon(), 0);
}

static void
count_client(const struct vhid_status_client *c, void *data)
{
	(*(int *)data)++;
}

/* GET_STATUS ALL outgrew the 256 KiB output bound at about 1,350 clients. */
static void
status_of_many_clients(void **state)
{
	enum { N = 1600 };
	struct rlimit rl = {N + 256, N + 256};
	struct vhid_status_listener l = {.size = sizeof(l), .client = count_client};
	struct vhid_client *c;
	static int fds[N];
	int seen = 0, r;

	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 &&
	    (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_max < N + 64))
		skip();
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	write_conf("allow-groups = 0\n");
	assert_true(start_daemon(NULL, false, NULL) > 0);
	for (int i = 0; i < N; i++) {
		fds[i] = raw_connect();
		assert_true(send_hello(fds[i], "many"));
	}
	assert_int_equal(vhid_client_new("counter", NULL, NULL, &c), 0);
	assert_int_equal(vhid_client_connect(c, sock), 0);
	r = vhid_client_get_status(c, 1, &l, &seen);
	if (r < 0)
		fail_msg("get_status: %s", vhid_client_last_error(c));
	assert_true(seen >= N);
	vhid_client_destroy(c);
	for (int i = 0; i < N; i++)
		close(fds[i]);
	assert_int_equal(stop_daemon(), 0);
}

/* With a full backlog, libvhid's connect() waited for ever. */
static void
connect_timeout_with_full_backlog(void **state)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), filler[8], n = 0, st;
	pid_t pid;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock);
	assert_int_equal(bind(l, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(l, 0), 0); /* never accepts */
	while (n < 8) {
		filler[n] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (connect(filler[n], (struct sockaddr *)&addr, sizeof(addr)) < 0)
			break;
		n++;
	}
	pid = fork();
	if (pid == 0) {
		struct vhid_client *c;
		alarm(BOUND_MS / 1000); /* a hang is the failure */
		vhid_client_new("waiter", NULL, NULL, &c);
		/* the default (25 s) would pass too; the test need not wait it out */
		if (vhid_client_set_timeout(c, 0) != -EINVAL ||
		    vhid_client_set_timeout(c, 600001) != -EINVAL ||
		    vhid_client_set_timeout(c, 2000) != 0)
			_exit(2);
		int r = vhid_client_connect(c, sock);
		printf("# %s\n", vhid_client_last_error(c));
		_exit(r == -ETIMEDOUT &&
				      strstr(vhid_client_last_error(c), "did not accept the "
									"connection within 2000 ms")
			      ? 0
			      : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("connect: %s", WIFSIGNALED(st)        ? "hung (killed by the alarm)"
					: WEXITSTATUS(st) == 2 ? "vhid_client_set_timeout's range"
							       : "not -ETIMEDOUT with a message");
	for (int i = 0; i <= n && i < 8; i++)
		close(filler[i]);
	close(l);
}

/* ---- the log -------------------------------------------------------------------------- */

/* A planted vhidd.log symlink made root chmod and chown its target. */
static void
log_symlink_not_followed(void **state)
{
	char target[128], link[128];
	struct stat before, after;

	snprintf(target, sizeof(target), "%s/target", dir);
	snprintf(link, sizeof(link), "%s/vhidd.log", dir);
	write_file(target, "precious\n", 9, 0644);
	assert_int_equal(chown(target, NOBODY, NOBODY), geteuid() == 0 ? 0 : -1);
	assert_int_equal(stat(target, &before), 0);
	assert_int_equal(symlink(target, link), 0);
	assert_true(start_daemon(NULL, false, NULL) > 0);
	assert_int_equal(stop_daemon(), 0);
	assert_int_equal(stat(target, &after), 0);
	assert_int_equal(after.st_mode, before.st_mode);
	assert_int_equal(after.st_uid, before.st_uid);
	assert_int_equal(after.st_gid, before.st_gid);
	assert_string_equal(read_text(target), "precious\n");
	assert_non_null(strstr(read_text(errlog), "vhidd.log is a symlink: refused"));
}

/* -l PATH wrote a world-readable log; the log names every user's programs. */
static void
log_file_private(void **state)
{
	char path[128], wdir[128], wpath[160];
	const char *args[] = {"-l", path, NULL}, *wargs[] = {"-l", wpath, NULL};
	struct stat st;

	snprintf(path, sizeof(path), "%s/chosen.log", dir);
	umask(022);
	assert_true(start_daemon(args, false, NULL) > 0);
	assert_int_equal(stop_daemon(), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());

	/* an existing file of ours that others could read is closed up */
	chmod(path, 0644);
	assert_true(start_daemon(args, false, NULL) > 0);
	assert_int_equal(stop_daemon(), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	/* nor in a directory others may write to, sticky or not */
	snprintf(wdir, sizeof(wdir), "%s/public", dir);
	snprintf(wpath, sizeof(wpath), "%s/vhidd.log", wdir);
	assert_int_equal(mkdir(wdir, 0700), 0);
	chmod(wdir, 01777);
	assert_true(start_daemon(wargs, false, NULL) > 0);
	assert_int_equal(stop_daemon(), 0);
	assert_int_not_equal(stat(wpath, &st), 0);
	assert_non_null(strstr(read_text(errlog), "is writable by others (mode 1777)"));
}

/* Rotation made a new file with whatever mode and group fopen gave it. */
static void
log_rotation_keeps_it_private(void **state)
{
	char path[128], old[140], name[32];
	struct stat st;
	const char *args[] = {"-l", path, NULL};

	snprintf(path, sizeof(path), "%s/rotating.log", dir);
	snprintf(old, sizeof(old), "%s.1", path);
	umask(0);
	assert_true(start_daemon(args, false, NULL) > 0);
	/* about 400 bytes of log per connection: 1 MiB needs some 2,700 */
	for (int i = 0; i < 4000 && stat(old, &st) != 0; i++) {
		int fd = raw_connect();
		snprintf(name, sizeof(name), "rotation-filler-%014d", i);
		assert_true(hello_named(fd, name, BOUND_MS));
		close(fd);
	}
	umask(022);
	assert_int_equal(stop_daemon(), 0);
	assert_int_equal(stat(old, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
}

/* A HELLO name with a newline appended a forged line; "<0>" forged a journal priority. */
static void
client_strings_escaped_in_log_and_journal(void **state)
{
	char path[128];
	const char *args[] = {"-l", path, NULL};
	const char *evil = "a\n<0>forged\x1b]0;t\x07\x1b[2J";
	const char *text;
	int fd;

	snprintf(path, sizeof(path), "%s/escape.log", dir);
	assert_true(start_daemon(args, true, NULL) > 0);
	fd = raw_connect();
	assert_true(hello_named(fd, evil, BOUND_MS));
	close(fd);
	assert_int_equal(stop_daemon(), 0);
	for (int i = 0; i < 2; i++) {
		text = read_text(i ? path : errlog);
		assert_non_null(strstr(text, "a\\x0a<0>forged\\x1b]0;t\\x07\\x1b[2J"));
		assert_null(strstr(text, "\n<0>"));
		assert_null(strchr(text, '\x1b'));
		assert_null(strchr(text, '\x07'));
	}
}

/* vhidctl status passed another user's escape sequences to the terminal. */
static void
vhidctl_status_escapes(void **state)
{
	const char *vhidctl = getenv("VHIDCTL");
	char cmd[400], out[8192] = "";
	struct vhid_client *c;
	FILE *p;
	size_t n;

	if (!vhidctl)
		skip();
	assert_true(start_daemon(NULL, false, NULL) > 0);
	assert_int_equal(vhid_client_new("x\x1b]0;pwned\x07\x1b[2J", NULL, NULL, &c), 0);
	assert_int_equal(vhid_client_connect(c, sock), 0);
	snprintf(cmd, sizeof(cmd), "'%s' -s '%s' status 2>&1", vhidctl, sock);
	assert_non_null(p = popen(cmd, "r"));
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	pclose(p);
	vhid_client_destroy(c);
	assert_int_equal(stop_daemon(), 0);
	if (!strstr(out, "x\\x1b]0;pwned\\x07\\x1b[2J") || strchr(out, '\x1b'))
		fail_msg("vhidctl status printed:\n%s", out);
}

/* ---- the policy file -------------------------------------------------------------- */

/* A FIFO as the policy froze the daemon on SIGHUP, waiting for a writer. */
static void
policy_fifo_on_sighup(void **state)
{
	int fd;

	assert_true(start_daemon(NULL, false, NULL) > 0);
	unlink(conf);
	assert_int_equal(mkfifo(conf, 0644), 0);
	kill(daemon_pid, SIGHUP);
	fd = raw_connect();
	assert_true(hello_answered(fd, BOUND_MS)); /* the loop still turns */
	close(fd);
	assert_true(logged("is a FIFO, not a regular file: refused; keeping the previous policy"));
	assert_int_equal(stop_daemon(), 0);
}

/* A NUL byte silently ended the policy; a parse error copied the file into the log. */
static void
policy_nul_and_foreign_files(void **state)
{
	static const char nul[] = "allow-groups = 0\0allow-users = 65534\n";
	const char *shadow = "root:$y$j9T$SECRETsaltSECRET$SECREThashSECREThashSECREThash:19500:0:"
			     "99999:7:::\n";

	unlink(conf);
	write_file(conf, nul, sizeof(nul) - 1, 0644);
	assert_int_equal(start_daemon(NULL, false, NULL), -1);
	assert_int_equal(last_exit, 1);
	assert_non_null(strstr(read_text(errlog), "line 1: a NUL byte"));

	write_conf(shadow);
	assert_int_equal(start_daemon(NULL, false, NULL), -1);
	assert_int_equal(last_exit, 1);
	assert_non_null(strstr(read_text(errlog), "line 1: expected 'key = value'"));
	assert_null(strstr(read_text(errlog), "SECRET"));
	assert_null(strstr(read_text(errlog), "root:"));
}

/* ---- load ------------------------------------------------------------------------------- */

/*
 * A connect flood from one user while a client heartbeats. 0.1.0 accepted until
 * the backlog was empty, and 32 flooders on two cores refilled it as fast: the
 * client got no answer until the flood ended (6.4 s measured), so a client
 * with devices lost its keys to the lease. The flood is a number of
 * connections, not a time, and the check counts the client's round trips per
 * flood connection: a busy machine makes the flood longer, not the ratio.
 * The worst round trip is reported, not judged.
 */
static void
connect_flood_interleaved(void **state)
{
	enum { FLOODERS = 32, EACH = 500 };
	struct vhid_client *c;
	uint64_t worst = 0, t;
	pid_t flooders[FLOODERS];
	int during = 0, alive = FLOODERS;

	assert_true(start_daemon(NULL, false, NULL) > 0);
	assert_int_equal(vhid_client_new("good", NULL, NULL, &c), 0);
	assert_int_equal(vhid_client_connect(c, sock), 0);
	for (int i = 0; i < FLOODERS; i++) {
		if ((flooders[i] = fork()) != 0)
			continue;
		for (int k = 0; k < EACH; k++) {
			int fd = connect_as(0, NULL, 0);
			if (fd >= 0)
				close(fd);
		}
		_exit(0);
	}
	while (alive > 0) {
		t = monotonic_ms();
		/* a round trip: a heartbeat alone is not waited for */
		if (vhid_client_get_status(c, 0,
					   &(struct vhid_status_listener){
						   .size = sizeof(struct vhid_status_listener)},
					   NULL) < 0)
			fail_msg("status: %s", vhid_client_last_error(c));
		t = monotonic_ms() - t;
		worst = t > worst ? t : worst;
		for (int i = 0; i < FLOODERS; i++)
			if (flooders[i] > 0 && waitpid(flooders[i], NULL, WNOHANG) == flooders[i]) {
				flooders[i] = -1;
				alive--;
			}
		during += alive > 0;
	}
	printf("# connect flood of %d connections: %d round trips during it, worst "
	       "round trip %llu ms\n",
	       FLOODERS * EACH, during, (unsigned long long)worst);
	vhid_client_destroy(c);
	assert_int_equal(stop_daemon(), 0);
	/* counts, not times: 16 accepts per turn leave the client a turn per few dozen
	 * connections (measured 1 in 20); 0.1.0 gave it 1 in 800 to 1 in 1,000 */
	if (during * 200 < FLOODERS * EACH)
		fail_msg("%d round trips during %d connections: the client starved", during,
			 FLOODERS * EACH);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(slowloris_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(idle_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(per_user_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(member_of_many_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_credentials_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(half_close_still_answered, setup, teardown),
		cmocka_unit_test_setup_teardown(status_of_many_clients, setup, teardown),
		cmocka_unit_test_setup_teardown(connect_timeout_with_full_backlog, setup, teardown),
		cmocka_unit_test_setup_teardown(log_symlink_not_followed, setup, teardown),
		cmocka_unit_test_setup_teardown(log_file_private, setup, teardown),
		cmocka_unit_test_setup_teardown(log_rotation_keeps_it_private, setup, teardown),
		cmocka_unit_test_setup_teardown(client_strings_escaped_in_log_and_journal, setup,
						teardown),
		cmocka_unit_test_setup_teardown(vhidctl_status_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(policy_fifo_on_sighup, setup, teardown),
		cmocka_unit_test_setup_teardown(policy_nul_and_foreign_files, setup, teardown),
		cmocka_unit_test_setup_teardown(connect_flood_interleaved, setup, teardown),
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
