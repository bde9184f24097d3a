/*
 * test-daemon-badframes: every class of protocol violation, sent as raw
 * bytes, gets an ERROR naming it and only that connection is closed. A
 * version mismatch is named with both versions. A second, well-behaved
 * client keeps typing throughout and the daemon stays up.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "protocol.h"
#include "usage.h"
#include "vmdaemon.h"

static int
raw_connect(void)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX, .sun_path = VT_SOCKET};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return -1;
	return fd;
}

static void
send_frame(int fd, uint16_t type, uint32_t id, const void *msg, const void *extra, size_t len)
{
	uint8_t buf[VHID_MAX_FRAME];
	int n = proto_encode(buf, type, id, msg, extra, len);

	if (n > 0 && write(fd, buf, (size_t)n) != n)
		printf("# write failed\n");
}

static void
send_raw(int fd, uint16_t type, uint16_t length, uint32_t id, const uint8_t *payload, size_t n)
{
	uint8_t buf[64] = {(uint8_t)type,          (uint8_t)(type >> 8), (uint8_t)length,
			   (uint8_t)(length >> 8), (uint8_t)id,          (uint8_t)(id >> 8),
			   (uint8_t)(id >> 16),    (uint8_t)(id >> 24)};

	memcpy(buf + 8, payload, n);
	if (write(fd, buf, 8 + n) < 0)
		printf("# write failed\n");
}

static void
hello_only(int fd, uint16_t version, bool read_reply)
{
	struct vhid_msg_hello h = {.magic = VHID_HELLO_MAGIC, .version = version};
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_frame f;

	proto_set_string(h.name, sizeof(h.name), "raw");
	send_frame(fd, VHID_MSG_HELLO, 1, &h, NULL, 0);
	if (read_reply) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		poll(&p, 1, 2000);
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n <= 0 || proto_parse_frame(buf, (size_t)n, &f) <= 0 ||
		    f.hdr.type != VHID_MSG_HELLO_REPLY)
			printf("# no HELLO_REPLY\n");
	}
}

static void
hello(int fd, uint16_t version)
{
	hello_only(fd, version, version == VHID_PROTOCOL_VERSION);
}

/* Read the ERROR the daemon sends, then expect the connection to be closed. */
static void
expect_error_and_close(int fd, const char *name, int status, const char *text, bool closes)
{
	uint8_t buf[VHID_MAX_FRAME];
	size_t got = 0;
	struct vhid_frame f;
	struct vhid_msg_error e = {0};
	char msg[VHID_MAX_ERROR_MESSAGE + 1] = "", label[128];

	while (proto_parse_frame(buf, got, &f) == 0) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 2000) <= 0)
			break;
		ssize_t n = read(fd, buf + got, sizeof(buf) - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (proto_parse_frame(buf, got, &f) > 0 && f.hdr.type == VHID_MSG_ERROR &&
	    proto_decode(&f, &e, sizeof(e), NULL, 0) == 0) {
		memcpy(msg, f.payload + sizeof(e), e.message_length);
		msg[e.message_length] = '\0';
	}
	printf("# %s: status %d: %s\n", name, e.status, msg);
	snprintf(label, sizeof(label), "%s.error", name);
	vt_check(e.status == status && strstr(msg, text), label,
		 "status %d message \"%s\"; want %d \"%s\"", e.status, msg, status, text);
	if (!closes)
		return;
	snprintf(label, sizeof(label), "%s.closed", name);
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char c;
	vt_check(poll(&p, 1, 2000) == 1 && read(fd, &c, 1) == 0, label, "connection still open");
}

static struct vt_agent typist;
static struct vt_dev typed;
static pid_t daemon_pid;
static uint16_t next_key = 0x04;

/* After each bad client: the good client still types, the daemon still runs. */
static void
still_works(const char *after)
{
	char label[128];
	uint16_t u = next_key++;

	vt_agent_cmd(&typist, NULL, 0, 2000, "press 0x%x", u);
	vt_agent_cmd(&typist, NULL, 0, 2000, "release 0x%x", u);
	snprintf(label, sizeof(label), "%s.other.client.still.types", after);
	vt_check(vt_wait_event(&typed, EV_KEY, usage_keyboard_key(u), 0, 1000), label,
		 "no key from the good client");
	snprintf(label, sizeof(label), "%s.daemon.still.up", after);
	vt_check(kill(daemon_pid, 0) == 0, label, "vhidd died");
}

#define EPROTO_CODE (-VHID_EPROTO)

int
main(void)
{
	struct vt_daemon d;
	int fd;
	uint8_t payload[64] = {0};

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!vt_check(vt_daemon_start(&d, NULL) == 0, "daemon.start", "vhidd did not become ready"))
		return vt_finish();
	daemon_pid = d.pid;
	vt_agent_spawn(&typist, "typist", 0, 0, NULL, 0);
	if (vt_agent_cmd(&typist, NULL, 0, 3000, "connect") ||
	    vt_agent_cmd(&typist, NULL, 0, 3000, "create keyboard") ||
	    vt_open_node(&typed, typist.node) < 0) {
		vt_fail("typist.setup", "the good client failed");
		return vt_finish();
	}

	fd = raw_connect();
	send_frame(fd, VHID_MSG_CREATE_DEVICE, 5, &(struct vhid_msg_create){.kind = 1}, NULL, 0);
	expect_error_and_close(fd, "before-hello", EPROTO_CODE, "CREATE_DEVICE before HELLO", true);
	close(fd);
	still_works("before-hello");

	fd = raw_connect();
	hello(fd, VHID_PROTOCOL_VERSION);
	send_raw(fd, 0x0077, 0, 6, NULL, 0);
	expect_error_and_close(fd, "unknown-opcode", EPROTO_CODE, "unknown message type 0x0077",
			       true);
	close(fd);
	still_works("unknown-opcode");

	fd = raw_connect();
	hello(fd, VHID_PROTOCOL_VERSION);
	send_raw(fd, VHID_MSG_CREATE_DEVICE, 10, 7, payload, 10);
	expect_error_and_close(fd, "short", EPROTO_CODE,
			       "CREATE_DEVICE payload must be 144 bytes, got 10", true);
	close(fd);
	still_works("short");

	fd = raw_connect();
	hello(fd, VHID_PROTOCOL_VERSION);
	send_raw(fd, VHID_MSG_DESTROY_DEVICE, 6, 8, payload, 6);
	expect_error_and_close(fd, "wrong-length", EPROTO_CODE,
			       "DESTROY_DEVICE payload must be 4 bytes, got 6", true);
	close(fd);
	still_works("wrong-length");

	fd = raw_connect();
	hello(fd, VHID_PROTOCOL_VERSION);
	send_raw(fd, VHID_MSG_POST_REPORT, 2000, 9, payload, 16);
	expect_error_and_close(fd, "oversize", EPROTO_CODE, "frame announces 2000 payload bytes",
			       true);
	close(fd);
	still_works("oversize");

	fd = raw_connect();
	hello(fd, VHID_PROTOCOL_VERSION);
	uint8_t report[66] = {1, 0, 0x04};
	send_frame(fd, VHID_MSG_POST_REPORT, 10, &(struct vhid_msg_post){.device = 0xff01}, report,
		   sizeof(report));
	expect_error_and_close(fd, "foreign-device", EPROTO_CODE,
			       "device 0xff01 is not one of this client's devices", true);
	close(fd);
	still_works("foreign-device");

	fd = raw_connect();
	hello(fd, 99);
	expect_error_and_close(
		fd, "version-mismatch", -VHID_EVERSION,
		"the client speaks version 99, vhidd " VHID_VERSION " speaks version 1", true);
	close(fd);
	still_works("version-mismatch");

	fd = raw_connect();
	send_raw(fd, VHID_MSG_HELLO, 40, 1,
		 (const uint8_t *)"HTTP/1.1 GET / and more of that sort......", 40);
	expect_error_and_close(fd, "bad-magic", EPROTO_CODE, "HELLO without the VHID magic", true);
	close(fd);
	still_works("bad-magic");

	fd = raw_connect();
	hello(fd, VHID_PROTOCOL_VERSION);
	send_frame(fd, VHID_MSG_REPLY, 11, &(struct vhid_msg_reply){0}, NULL, 0);
	expect_error_and_close(fd, "daemon-only-type", EPROTO_CODE, "REPLY is sent by the daemon",
			       true);
	close(fd);
	still_works("daemon-only-type");

	fd = raw_connect();
	memset(payload, 'x', 40);
	memcpy(payload, "VHID\x01\x00\x00\x00", 8);
	send_raw(fd, VHID_MSG_HELLO, 40, 1, payload, 40);
	expect_error_and_close(fd, "unterminated-string", EPROTO_CODE,
			       "string without a terminating NUL", true);
	close(fd);
	still_works("unterminated-string");

	fd = raw_connect();
	hello(fd, VHID_PROTOCOL_VERSION);
	hello_only(fd, VHID_PROTOCOL_VERSION, false);
	expect_error_and_close(fd, "second-hello", EPROTO_CODE, "a second HELLO", true);
	close(fd);
	still_works("second-hello");

	/* a frame cut off by the client's exit: nobody to tell, the daemon just carries on */
	fd = raw_connect();
	send_raw(fd, VHID_MSG_HELLO, 40, 1, payload, 5);
	close(fd);
	still_works("cut-off-frame");

	/* bad input that is not a violation: an error, and the connection stays */
	fd = raw_connect();
	hello(fd, VHID_PROTOCOL_VERSION);
	send_frame(fd, VHID_MSG_CREATE_DEVICE, 13, &(struct vhid_msg_create){.kind = 9}, NULL, 0);
	expect_error_and_close(fd, "bad-kind", -EINVAL, "unknown device kind 9", false);
	send_frame(fd, VHID_MSG_HEARTBEAT, 14, NULL, NULL, 0);
	uint8_t buf[64];
	struct vhid_frame f;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n = poll(&p, 1, 2000) == 1 ? read(fd, buf, sizeof(buf)) : -1;
	vt_check(n > 0 && proto_parse_frame(buf, (size_t)n, &f) > 0 &&
			 f.hdr.type == VHID_MSG_REPLY && f.hdr.id == 14,
		 "bad-kind.connection.stays", "no reply to the heartbeat after an ordinary error");
	close(fd);
	still_works("ordinary-error");

	vt_agent_quit(&typist);
	vt_close_node(&typed);
	vt_check(vt_daemon_stop(&d, SIGTERM) == 0, "daemon.exit.0", "bad exit status");
	return vt_finish();
}
