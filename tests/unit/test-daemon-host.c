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
#include <grp.h>
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
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "protocol.h"
#include "vhid.h"

static char dir[64], sock[96], conf[320];
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
	/* no time limit: a daemon that dies closes the pipe (EOF), one that hangs is
	 * stopped by the runner's limit; under valgrind on a loaded machine the start
	 * takes as long as it takes */
	int ok = poll(&p, 1, -1) == 1 && read(pfd[0], &c, 1) == 1;
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
	/* uid 65534 plays the plain user of the 1.1 tests (when this runs as root) */
	fputs("# test policy\nallow-groups = 0\nallow-users = 65534\nlease-ms = 2000\n", f);
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
	struct seen s = {0};
	struct vhid_status_listener l = {
		.size = sizeof(l), .daemon = on_daemon, .client = on_client};
	struct stat st;

	assert_true(pid > 0);
	assert_int_equal(stat(sock, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
	c = connect_client();
	unsigned int major, minor;
	assert_int_equal(vhid_client_get_protocol(c, &major, &minor), 0);
	assert_int_equal(major, VHID_PROTOCOL_VERSION);
	assert_int_equal(minor, VHID_PROTOCOL_MINOR);
	assert_int_equal(vhid_client_get_lease_ms(c), 2000);
	assert_int_equal(vhid_client_get_max_devices(c), 3);
	assert_int_equal(vhid_client_get_capabilities(c), VHID_CAPS_MINOR2);

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
	struct vhid_status_listener l = {.size = sizeof(l), .daemon = on_daemon};
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

/* ---- protocol 1.1 ------------------------------------------------------------- */

static void
send_frame(int fd, uint16_t type, uint32_t id, const void *msg, const void *extra, size_t len)
{
	uint8_t buf[VHID_MAX_FRAME];
	int n = proto_encode(buf, type, id, msg, extra, len);

	assert_true(n > 0);
	assert_int_equal(write(fd, buf, (size_t)n), n);
}

/* One whole frame into buf; its decoded header and payload in *f. */
static void
read_frame(int fd, uint8_t *buf, struct vhid_frame *f)
{
	size_t got = 0;

	while (proto_parse_frame(buf, got, f) == 0) {
		ssize_t n = read(fd, buf + got, 1); /* byte by byte: never past this frame */
		if (n <= 0)
			fail_msg("the daemon closed the connection");
		got += (size_t)n;
	}
}

static void
raw_hello(int fd, uint16_t minor, struct vhid_msg_hello_reply *r)
{
	struct vhid_msg_hello h = {.magic = VHID_HELLO_MAGIC, .version = 1, .minor = minor};
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_frame f;

	proto_set_string(h.name, sizeof(h.name), "raw");
	send_frame(fd, VHID_MSG_HELLO, 1, &h, NULL, 0);
	read_frame(fd, buf, &f);
	assert_int_equal(f.hdr.type, VHID_MSG_HELLO_REPLY);
	assert_int_equal(proto_decode(&f, r, sizeof(*r), NULL, 0), 0);
}

/* The ERROR answering request id; its status, the text in msg. */
static int
read_error(int fd, uint32_t id, char *msg, size_t len)
{
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_frame f;
	struct vhid_msg_error e;

	read_frame(fd, buf, &f);
	assert_int_equal(f.hdr.type, VHID_MSG_ERROR);
	assert_int_equal(f.hdr.id, id);
	assert_int_equal(proto_decode(&f, &e, sizeof(e), NULL, 0), 0);
	snprintf(msg, len, "%.*s", (int)e.message_length, (const char *)f.payload + sizeof(e));
	return e.status;
}

static void
expect_reply(int fd, uint32_t id)
{
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_frame f;

	read_frame(fd, buf, &f);
	assert_int_equal(f.hdr.type, VHID_MSG_REPLY);
	assert_int_equal(f.hdr.id, id);
}

/* A 1.0 client is shown 1.0's HELLO_REPLY; a newer minor gets the daemon's. */
static void
minor_negotiation(void **state)
{
	pid_t pid = start_daemon(NULL);
	struct vhid_msg_hello_reply r;
	const uint16_t minors[] = {0, 1, 2, 9};

	assert_true(pid > 0);
	for (size_t i = 0; i < sizeof(minors) / sizeof(minors[0]); i++) {
		int fd = raw_connect();
		raw_hello(fd, minors[i], &r);
		assert_int_equal(r.version, 1);
		assert_int_equal(r.minor, minors[i] ? VHID_PROTOCOL_MINOR : 0);
		assert_int_equal(r.capabilities, minors[i] >= 2 ? VHID_CAPS_MINOR2
						 : minors[i]    ? VHID_CAPS_MINOR1
								: VHID_CAPS_MINOR0);
		close(fd);
	}
	assert_int_equal(stop_daemon(pid, SIGTERM), 0);
}

/* Unknown and too-new request types: an ERROR, and the connection goes on. */
static void
unknown_requests(void **state)
{
	pid_t pid = start_daemon(NULL);
	struct vhid_msg_hello_reply r;
	struct vhid_msg_get_log g = {0};
	uint8_t payload[12] = {1, 2, 3};
	char msg[300];
	int fd;

	assert_true(pid > 0);
	fd = raw_connect();
	raw_hello(fd, 1, &r);
	uint8_t frame[8 + sizeof(payload)] = {0x0a, 0x00, sizeof(payload), 0x00, 7, 0, 0, 0};
	memcpy(frame + 8, payload, sizeof(payload));
	assert_int_equal(write(fd, frame, sizeof(frame)), (ssize_t)sizeof(frame));
	assert_int_equal(read_error(fd, 7, msg, sizeof(msg)), -VHID_ENOCAP);
	assert_string_equal(msg, "unknown request type 0x000a: this vhidd (" VHID_VERSION
				 ") speaks protocol 1.2");
	send_frame(fd, VHID_MSG_HEARTBEAT, 8, NULL, NULL, 0);
	expect_reply(fd, 8);
	close(fd);

	fd = raw_connect(); /* a 1.0 client sending 1.1's GET_LOG */
	raw_hello(fd, 0, &r);
	send_frame(fd, VHID_MSG_GET_LOG, 2, &g, NULL, 0);
	assert_int_equal(read_error(fd, 2, msg, sizeof(msg)), -VHID_ENOCAP);
	assert_string_equal(msg, "GET_LOG is a protocol 1.1 request, but this client's HELLO "
				 "announced 1.0");
	send_frame(fd, VHID_MSG_HEARTBEAT, 3, NULL, NULL, 0);
	expect_reply(fd, 3);
	close(fd);
	assert_int_equal(stop_daemon(pid, SIGTERM), 0);
}

/* Each reserved field has its own message, and closes the connection. */
static void
reserved_violations(void **state)
{
	static const struct {
		uint16_t flags, reserved;
		const char *msg;
	} posts[] = {
		{0x0002, 0, "POST_REPORT flags is 0x0002: undefined bits 0x0002 must be 0"},
		{0x0001, 0x0100, "POST_REPORT reserved field is 0x0100, must be 0"},
	};
	pid_t pid = start_daemon(NULL);
	struct vhid_msg_hello_reply r;
	const uint8_t report[9] = {1};
	char msg[300], want[300];

	assert_true(pid > 0);
	for (size_t i = 0; i < sizeof(posts) / sizeof(posts[0]); i++) {
		struct vhid_msg_post p = {
			.device = 0x101, .flags = posts[i].flags, .reserved = posts[i].reserved};
		int fd = raw_connect();
		raw_hello(fd, 1, &r);
		send_frame(fd, VHID_MSG_POST_REPORT, 5, &p, report, sizeof(report));
		assert_int_equal(read_error_then_eof(fd, msg, sizeof(msg)), -VHID_EPROTO);
		snprintf(want, sizeof(want), "protocol violation: %s", posts[i].msg);
		assert_string_equal(msg, want);
		close(fd);
	}
	uint8_t hello[8 + 40] = {0x01, 0, 40, 0, 1, 0, 0, 0, 'V', 'H', 'I', 'D', 1, 0, 1, 0, 'a'};
	hello[8 + 8 + 5] = 'z'; /* after name's NUL */
	int fd = raw_connect();
	assert_int_equal(write(fd, hello, sizeof(hello)), (ssize_t)sizeof(hello));
	assert_int_equal(read_error_then_eof(fd, msg, sizeof(msg)), -VHID_EPROTO);
	assert_string_equal(msg, "protocol violation: HELLO name has byte 0x7a at offset 5 after "
				 "its terminating NUL; the padding must be 0");
	close(fd);
	assert_int_equal(stop_daemon(pid, SIGTERM), 0);
}

static int ready_calls;

static void
on_ready_cb(struct vhid_client *c, struct vhid_device *d, void *data)
{
	ready_calls++;
}

/* The structs that can grow: a size that is not set, an older (shorter) listener,
 * reserved members of the device params. */
static void
abi_growth(void **state)
{
	pid_t pid = start_daemon(NULL);
	struct vhid_client_listener unset = {.ready = on_ready_cb};
	/* what a program built when the listener ended after ready would pass */
	struct vhid_client_listener older = {.size = offsetof(struct vhid_client_listener, leds),
					     .ready = on_ready_cb};
	struct vhid_status_listener sl = {.daemon = on_daemon};
	struct vhid_device_params p = {.kind = VHID_DEVICE_KEYBOARD};
	struct vhid_device *d = NULL;
	struct vhid_client *c;
	struct seen s = {0};

	assert_true(pid > 0);
	assert_int_equal(vhid_client_new("abi", &unset, NULL, &c), -EINVAL);
	assert_int_equal(vhid_client_new("abi", &older, NULL, &c), 0);
	older.ready = NULL; /* copied: the caller's struct may change or go */
	assert_int_equal(vhid_client_connect(c, sock), 0);
	assert_int_equal(vhid_client_get_status(c, VHID_STATUS_SELF, &sl, &s), -EINVAL);
	assert_non_null(strstr(vhid_client_last_error(c), "size is not set"));
	sl.size = sizeof(sl);
	assert_int_equal(vhid_client_get_status(c, VHID_STATUS_SELF, &sl, &s), 0);
	assert_int_equal(s.daemons, 1);
	p.reserved[3] = 5;
	assert_int_equal(vhid_device_create(c, &p, &d), -EINVAL);
	assert_string_equal(vhid_client_last_error(c),
			    "struct vhid_device_params: reserved[3] is 0x5, must be 0");
	p.reserved[3] = 0;
	p.reserved0 = 1;
	assert_int_equal(vhid_device_create(c, &p, &d), -EINVAL);
	assert_null(d);
	assert_int_equal(vhid_client_get_status(c, 7, &sl, &s), -EINVAL);
	vhid_client_destroy(c);
	assert_int_equal(stop_daemon(pid, SIGTERM), 0);
}

/* ---- as a plain user (uid 65534), when the tests run as root ---------------------- */

/* Run fn in a child as uid/gid 65534; its exit status is the line of the first failure. */
static void
as_nobody(int (*fn)(void))
{
	int st;
	pid_t child;

	if (geteuid() != 0)
		skip();
	chmod(dir, 0755);
	chmod(sock, 0666);
	child = fork();
	if (child == 0) {
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			_exit(99);
		_exit(fn());
	}
	assert_int_equal(waitpid(child, &st, 0), child);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fail_msg("as uid 65534: failed at line %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x)) {                                                                        \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #x);                    \
			return __LINE__ % 256 ? __LINE__ % 256 : 1;                                \
		}                                                                                  \
	} while (0)

struct log_seen {
	int lines, root_lines, own_lines;
};

static void
on_log(const struct vhid_log_line *l, void *data)
{
	struct log_seen *s = data;

	s->lines++;
	s->root_lines += strstr(l->text, "uid 0)") != NULL;
	s->own_lines += l->uid == 65534;
}

static int
nobody_sees(void)
{
	struct vhid_client *c, *c2;
	struct seen s = {0};
	struct log_seen ls = {0};
	struct vhid_status_listener l = {
		.size = sizeof(l), .daemon = on_daemon, .client = on_client};
	unsigned int last = 0;

	CHECK(vhid_client_new("nobody", NULL, NULL, &c) == 0 && vhid_client_connect(c, sock) == 0);
	CHECK(vhid_client_new("nobody2", NULL, NULL, &c2) == 0 &&
	      vhid_client_connect(c2, sock) == 0);
	CHECK(vhid_client_get_status(c, VHID_STATUS_ALL, &l, &s) == -VHID_EADMIN);
	CHECK(strstr(vhid_client_last_error(c), "are shown to root") != NULL);
	CHECK(vhid_client_get_status(c, VHID_STATUS_USER, &l, &s) == 0);
	CHECK(s.daemons == 1 && s.clients == 2); /* its two, not root's */
	CHECK(vhid_client_get_log(c, 0, 0, on_log, &ls, &last) == 0);
	CHECK(ls.lines > 0 && ls.root_lines == 0 && ls.own_lines >= 2 &&
	      last >= (unsigned)ls.lines);
	vhid_client_destroy(c2);
	vhid_client_destroy(c);
	return 0;
}

/* A non-admin sees its own clients and log lines, never root's. */
static void
plain_user_scope(void **state)
{
	pid_t pid = start_daemon(NULL);
	struct vhid_client *root = connect_client(); /* a root client for them not to see */
	struct seen s = {0};
	struct log_seen ls = {0};
	struct vhid_status_listener l = {
		.size = sizeof(l), .daemon = on_daemon, .client = on_client};

	assert_true(pid > 0);
	as_nobody(nobody_sees);
	assert_int_equal(vhid_client_get_status(root, VHID_STATUS_ALL, &l, &s), 0);
	assert_int_equal(s.clients, 1);
	assert_int_equal(vhid_client_get_log(root, 0, 3, on_log, &ls, NULL), 0);
	assert_int_equal(ls.lines, 3); /* root sees everything, the newest 3 here */
	vhid_client_destroy(root);
	assert_int_equal(stop_daemon(pid, SIGTERM), 0);
}

static int
long_error(void)
{
	int fd = raw_connect();
	struct vhid_msg_hello_reply r;
	struct vhid_msg_get_status m = {.scope = VHID_STATUS_ALL};
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_frame f;
	struct vhid_msg_error e;

	raw_hello(fd, 1, &r);
	send_frame(fd, VHID_MSG_GET_STATUS, 2, &m, NULL, 0);
	read_frame(fd, buf, &f);
	CHECK(f.hdr.type == VHID_MSG_ERROR && proto_decode(&f, &e, sizeof(e), NULL, 0) == 0);
	CHECK(e.status == -VHID_EADMIN && e.message_length == 255 && f.hdr.length == 8 + 255);
	CHECK(memcmp(f.payload + 8, "every user's clients", 20) == 0);
	close(fd);
	return 0;
}

/* An error text longer than 255 bytes (a long policy path) is cut to exactly 255. */
static void
error_text_boundary(void **state)
{
	char saved[sizeof(conf)], sub[sizeof(conf)];
	pid_t pid;

	snprintf(saved, sizeof(saved), "%s", conf);
	snprintf(sub, sizeof(sub), "%s/%0200d", dir, 0);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(conf, sizeof(conf), "%.*s/vhidd.conf", (int)(sizeof(conf) - 12), sub);
	assert_int_equal(rename(saved, conf), 0);
	pid = start_daemon(NULL);
	assert_true(pid > 0);
	as_nobody(long_error);
	assert_int_equal(stop_daemon(pid, SIGTERM), 0);
	rename(conf, saved);
	rmdir(sub);
	snprintf(conf, sizeof(conf), "%s", saved);
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
		cmocka_unit_test(minor_negotiation),
		cmocka_unit_test(unknown_requests),
		cmocka_unit_test(reserved_violations),
		cmocka_unit_test(abi_growth),
		cmocka_unit_test(plain_user_scope),
		cmocka_unit_test(error_text_boundary),
		cmocka_unit_test(socket_activation),
		cmocka_unit_test(socket_dir_checked),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
