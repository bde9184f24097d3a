/*
 * Host tests of vhidd's socket and protocol handling, with libvhid as the
 * client. The host has no /dev/uhid, so device creation must fail with a clear
 * error; everything else (handshake, status, violations, single instance, stale
 * sockets, socket activation, the socket directory's checks, shutdown) runs
 * for real. check.sh runs this under ASan+UBSan and
 * under valgrind, with the daemon itself wrapped ($VHID_TEST_WRAPPER), so the
 * daemon's request path is checked by both.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "protocol.h"
#include "vhid.h"

static char dir[64], sock[96], conf[96];
static pid_t started[8]; /* killed in teardown if a failed assertion left them running */
static int n_started;
static int pass_fd = -1; /* a listening socket handed over as systemd does, or -1 */

/* Start vhidd on our socket; returns its pid once it listens, or -1. */
static pid_t
start_daemon(int *status_if_exited)
{
	const char *vhidd = getenv("VHIDD"), *wrapper = getenv("VHID_TEST_WRAPPER");
	char fdarg[16], c;
	const char *argv[32];
	int n = 0, pfd[2];
	pid_t pid;

	assert_non_null(vhidd);
	assert_int_equal(pipe(pfd), 0);
	snprintf(fdarg, sizeof(fdarg), "%d", pfd[1]);
	char *w = wrapper ? strdup(wrapper) : NULL, *save = NULL;
	for (char *t = w ? strtok_r(w, " ", &save) : NULL; t && n < 16;
	     t = strtok_r(NULL, " ", &save))
		argv[n++] = t;
	const char *rest[] = {vhidd,        "-s",  sock, "-c", conf, "--uhid", "/nonexistent/uhid",
			      "--ready-fd", fdarg, "-q", NULL};
	for (int i = 0; rest[i]; i++)
		argv[n++] = rest[i];
	argv[n] = NULL;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		if (pass_fd >= 0) {
			/* sd_listen_fds(3): fd 3, LISTEN_FDS=1, LISTEN_PID=ours; the ready
			 * pipe moves out of the way first */
			int ready = fcntl(pfd[1], F_DUPFD, 10);
			snprintf(fdarg, sizeof(fdarg), "%d", ready);
			if (pass_fd == 3)
				fcntl(3, F_SETFD, 0); /* dup2 onto itself would keep CLOEXEC */
			else
				dup2(pass_fd, 3);
			setenv("LISTEN_FDS", "1", 1);
			char me[16];
			snprintf(me, sizeof(me), "%d", (int)getpid());
			setenv("LISTEN_PID", me, 1);
		}
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	free(w);
	close(pfd[1]);
	struct pollfd p = {.fd = pfd[0], .events = POLLIN};
	int ok = poll(&p, 1, 30000) == 1 && read(pfd[0], &c, 1) == 1;
	close(pfd[0]);
	if (ok) {
		if (n_started < 8)
			started[n_started++] = pid;
		return pid;
	}
	if (status_if_exited) {
		waitpid(pid, status_if_exited, 0);
		return -1;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static int
stop_daemon(pid_t pid, int sig)
{
	int st;

	kill(pid, sig);
	waitpid(pid, &st, 0);
	for (int i = 0; i < n_started; i++)
		if (started[i] == pid)
			started[i] = started[--n_started];
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int
setup(void **state)
{
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/vhid-host-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/vhidd.sock", dir);
	snprintf(conf, sizeof(conf), "%s/vhidd.conf", dir);
	f = fopen(conf, "w");
	fputs("# test policy\nallow-groups = 0\nlease-ms = 2000\n", f);
	fclose(f);
	return 0;
}

static int
teardown(void **state)
{
	for (int i = 0; i < n_started; i++)
		if (kill(started[i], SIGKILL) == 0)
			waitpid(started[i], NULL, 0);
	n_started = 0;
	char log[128];

	snprintf(log, sizeof(log), "%s/vhidd.log", dir);
	unlink(log);
	unlink(conf);
	unlink(sock);
	snprintf(log, sizeof(log), "%s/vhidd.sock.lock", dir); /* left by a daemon killed hard */
	unlink(log);
	rmdir(dir);
	return 0;
}

static struct vhid_client *
connect_client(void)
{
	struct vhid_client *c;

	assert_int_equal(vhid_client_new("host-test", NULL, NULL, &c), 0);
	if (vhid_client_connect(c, sock) != 0)
		fail_msg("connect: %s", vhid_client_last_error(c));
	return c;
}

struct seen {
	int daemons, clients, devices, has_uhid;
	char socket[128];
};

static void
on_daemon(const struct vhid_status_daemon *d, void *data)
{
	struct seen *s = data;
	s->daemons++;
	s->has_uhid = d->has_uhid;
	snprintf(s->socket, sizeof(s->socket), "%s", d->socket);
}

static void
on_client(const struct vhid_status_client *c, void *data)
{
	((struct seen *)data)->clients++;
}

static void
session(void **state)
{
	pid_t pid = start_daemon(NULL);
	struct vhid_client *c;
	struct vhid_device *d = NULL;
	struct vhid_daemon_info info;
	struct seen s = {0};
	struct vhid_status_listener l = {.daemon = on_daemon, .client = on_client};
	struct stat st;

	assert_true(pid > 0);
	assert_int_equal(stat(sock, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
	c = connect_client();
	assert_int_equal(vhid_client_get_daemon_info(c, &info), 0);
	assert_int_equal(info.protocol_version, VHID_PROTOCOL_VERSION);
	assert_int_equal(info.lease_ms, 2000);
	assert_int_equal(info.max_devices, 3);

	/* no uhid on this host: a clear error, and nothing else breaks */
	int r = vhid_device_create(c, &(struct vhid_device_params){.kind = VHID_DEVICE_KEYBOARD},
				   &d);
	assert_int_equal(r, -VHID_ENOUHID);
	assert_non_null(strstr(vhid_client_last_error(c), "cannot create the keyboard"));
	assert_null(d);
	r = vhid_device_create(c, &(struct vhid_device_params){.kind = 7}, &d);
	assert_int_equal(r, -EINVAL);

	assert_int_equal(vhid_client_heartbeat(c), 0);
	assert_int_equal(vhid_client_get_status(c, 1, &l, &s), 0);
	assert_int_equal(s.daemons, 1);
	assert_int_equal(s.clients, 1);
	assert_int_equal(s.has_uhid, 0);
	assert_string_equal(s.socket, sock);
	assert_int_equal(vhid_client_reset_all(c, 1), 0); /* root: allowed, nothing to reset */
	assert_int_equal(vhid_client_reset_all(c, 0), 0);

	/* a second connection works alongside */
	struct vhid_client *c2 = connect_client();
	memset(&s, 0, sizeof(s));
	assert_int_equal(vhid_client_get_status(c2, 1, &l, &s), 0);
	assert_int_equal(s.clients, 2);
	vhid_client_destroy(c2);
	vhid_client_destroy(c);

	assert_int_equal(stop_daemon(pid, SIGTERM), 0);
	assert_int_not_equal(stat(sock, &st), 0); /* socket removed */
}

static int
raw_connect(void)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock);
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	return fd;
}

/* Read one ERROR frame and then EOF; returns its status, message in msg. */
static int
read_error_then_eof(int fd, char *msg, size_t len)
{
	uint8_t buf[VHID_MAX_FRAME];
	size_t got = 0;
	struct vhid_frame f;
	struct vhid_msg_error e = {0};
	char c;

	while (proto_parse_frame(buf, got, &f) == 0) {
		ssize_t n = read(fd, buf + got, sizeof(buf) - got);
		if (n <= 0)
			return 1;
		got += (size_t)n;
	}
	assert_int_equal(f.hdr.type, VHID_MSG_ERROR);
	assert_int_equal(proto_decode(&f, &e, sizeof(e), NULL, 0), 0);
	snprintf(msg, len, "%.*s", (int)e.message_length, (const char *)f.payload + sizeof(e));
	assert_int_equal(read(fd, &c, 1), 0);
	return e.status;
}

static void
violations(void **state)
{
	pid_t pid = start_daemon(NULL);
	uint8_t buf[VHID_MAX_FRAME];
	char msg[300];
	int fd, n;
	struct vhid_msg_hello h = {.magic = VHID_HELLO_MAGIC, .version = 42};

	assert_true(pid > 0);
	fd = raw_connect();
	n = proto_encode(buf, VHID_MSG_HEARTBEAT, 3, NULL, NULL, 0);
	assert_int_equal(write(fd, buf, (size_t)n), n);
	assert_int_equal(read_error_then_eof(fd, msg, sizeof(msg)), -VHID_EPROTO);
	assert_string_equal(msg, "protocol violation: HEARTBEAT before HELLO");
	close(fd);

	fd = raw_connect();
	proto_set_string(h.name, sizeof(h.name), "old");
	n = proto_encode(buf, VHID_MSG_HELLO, 1, &h, NULL, 0);
	assert_int_equal(write(fd, buf, (size_t)n), n);
	assert_int_equal(read_error_then_eof(fd, msg, sizeof(msg)), -VHID_EVERSION);
	assert_non_null(strstr(msg, "the client speaks version 42"));
	assert_non_null(strstr(msg, "speaks version 1"));
	close(fd);

	fd = raw_connect();
	const uint8_t huge[8] = {0x06, 0x00, 0xff, 0xff, 1, 0, 0, 0};
	assert_int_equal(write(fd, huge, sizeof(huge)), 8);
	assert_int_equal(read_error_then_eof(fd, msg, sizeof(msg)), -VHID_EPROTO);
	assert_non_null(strstr(msg, "65535 payload bytes"));
	close(fd);

	/* the daemon is still fine */
	struct vhid_client *c = connect_client();
	assert_int_equal(vhid_client_heartbeat(c), 0);
	vhid_client_destroy(c);
	assert_int_equal(stop_daemon(pid, SIGINT), 0);
}

/* A client that sends but never reads: its replies pile up; past the limit vhidd drops it. */
static void
non_reading_client_dropped(void **state)
{
	pid_t pid = start_daemon(NULL);
	struct vhid_msg_hello h = {.magic = VHID_HELLO_MAGIC, .version = VHID_PROTOCOL_VERSION};
	uint8_t buf[VHID_MAX_FRAME], burst[64 * 8];
	int fd, n, sent = 0;
	ssize_t w = 0;

	assert_true(pid > 0);
	fd = raw_connect();
	proto_set_string(h.name, sizeof(h.name), "deaf");
	n = proto_encode(buf, VHID_MSG_HELLO, 1, &h, NULL, 0);
	assert_int_equal(write(fd, buf, (size_t)n), n);
	for (int i = 0; i < 64; i++)
		proto_encode(burst + 8 * i, VHID_MSG_HEARTBEAT, (uint32_t)(2 + i), NULL, NULL, 0);
	/* 16-byte replies to 8-byte heartbeats: the daemon's queue for us grows until dropped */
	while (sent < 4000000 && (w = write(fd, burst, sizeof(burst))) > 0)
		sent += (int)w;
	assert_true(w < 0 && (errno == EPIPE || errno == ECONNRESET));
	close(fd);
	/* only that client: the daemon still serves */
	struct vhid_client *c = connect_client();
	assert_int_equal(vhid_client_heartbeat(c), 0);
	vhid_client_destroy(c);
	assert_int_equal(stop_daemon(pid, SIGTERM), 0);
}

static void
single_instance_and_stale_socket(void **state)
{
	pid_t first = start_daemon(NULL), second;
	int status = 0;
	struct stat st;

	assert_true(first > 0);
	second = start_daemon(&status);
	assert_int_equal(second, -1);
	assert_true(WIFEXITED(status) &&
		    WEXITSTATUS(status) == 1); /* "another vhidd (pid N) is serving" */

	/* a daemon killed hard leaves its socket; the next one replaces it */
	stop_daemon(first, SIGKILL);
	assert_int_equal(stat(sock, &st), 0);
	struct vhid_client *c;
	vhid_client_new("stale", NULL, NULL, &c);
	assert_int_equal(vhid_client_connect(c, sock), -VHID_ENODAEMON);
	assert_non_null(strstr(vhid_client_last_error(c), "stale socket"));
	vhid_client_destroy(c);
	first = start_daemon(NULL);
	assert_true(first > 0);
	c = connect_client();
	vhid_client_destroy(c);
	assert_int_equal(stop_daemon(first, SIGTERM), 0);
}

/* Under systemd (vhidd.socket) the daemon serves the socket it was given and
 * leaves it in place when it stops: clients wait in its backlog meanwhile. */
static void
socket_activation(void **state)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), cfd;
	struct seen s = {0};
	struct stat st;
	pid_t pid;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock);
	assert_int_equal(bind(lfd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(lfd, 16), 0);
	pass_fd = lfd;
	pid = start_daemon(NULL);
	pass_fd = -1;
	assert_true(pid > 0);
	struct vhid_client *c = connect_client();
	struct vhid_status_listener l = {.daemon = on_daemon};
	assert_int_equal(vhid_client_get_status(c, 1, &l, &s), 0);
	assert_string_equal(s.socket, sock);
	vhid_client_destroy(c);
	assert_int_equal(stop_daemon(pid, SIGTERM), 0);
	assert_int_equal(stat(sock, &st), 0); /* not unlinked */
	cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(connect(cfd, (struct sockaddr *)&addr, sizeof(addr)), 0); /* backlog */
	close(cfd);
	close(lfd);
	unlink(sock);
}

/* Its own socket goes only into a real directory that no one else controls. */
static void
socket_dir_checked(void **state)
{
	char saved[sizeof(sock)], real[80], link[80];
	int status = 0;

	memcpy(saved, sock, sizeof(saved));
	snprintf(real, sizeof(real), "%s/real", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(mkdir(real, 0750), 0);
	assert_int_equal(symlink(real, link), 0);
	snprintf(sock, sizeof(sock), "%s/vhidd.sock", link);
	assert_int_equal(start_daemon(&status), -1); /* "... is a symbolic link" */
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	assert_int_equal(chmod(real, 0777), 0);
	snprintf(sock, sizeof(sock), "%s/vhidd.sock", real);
	assert_int_equal(start_daemon(&status), -1); /* "... is writable by others" */
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	memcpy(sock, saved, sizeof(sock));
	unlink(link);
	rmdir(real);
}

static void
no_daemon(void **state)
{
	struct vhid_client *c;

	vhid_client_new("nobody", NULL, NULL, &c);
	assert_int_equal(vhid_client_connect(c, sock), -VHID_ENODAEMON);
	assert_non_null(strstr(vhid_client_last_error(c), "vhidd is not running"));
	assert_int_equal(vhid_client_is_connected(c), 0);
	assert_int_equal(vhid_client_dispatch(c), -ENOTCONN);
	vhid_client_destroy(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_daemon),
		cmocka_unit_test(session),
		cmocka_unit_test(violations),
		cmocka_unit_test(non_reading_client_dropped),
		cmocka_unit_test(single_instance_and_stale_socket),
		cmocka_unit_test(socket_activation),
		cmocka_unit_test(socket_dir_checked),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
