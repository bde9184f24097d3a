/*
 * test-daemon-badframes: every class of protocol violation, sent as raw
 * bytes, gets an ERROR naming it and only that connection is closed. A
 * version mismatch is named with both versions; an unknown request type is
 * answered with -VHID_ENOCAP and the connection stays. A second, well-behaved
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
#include "le.h"
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
	uint8_t buf[64];

	le16_put(buf, type);
	le16_put(buf + 2, length);
	le32_put(buf + 4, id);
	if (n)
		memcpy(buf + 8, payload, n);
	if (write(fd, buf, 8 + n) < 0)
		printf("# write failed\n");
}

/* A valid HELLO of this client's version, and its reply read. */
static void
hello(int fd)
{
	struct vhid_msg_hello h = {.magic = VHID_HELLO_MAGIC, .version = VHID_PROTOCOL_VERSION};
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_frame f;
	struct pollfd p = {.fd = fd, .events = POLLIN};

	proto_set_string(h.name, sizeof(h.name), "raw");
	send_frame(fd, VHID_MSG_HELLO, 1, &h, NULL, 0);
	poll(&p, 1, vt_bound(2000));
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n <= 0 || proto_parse_frame(buf, (size_t)n, &f) <= 0 ||
	    f.hdr.type != VHID_MSG_HELLO_REPLY)
		printf("# no HELLO_REPLY\n");
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
		if (poll(&p, 1, vt_bound(2000)) <= 0)
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

/*
 * One bad client: it connects, says HELLO if asked to, sends one frame (encoded, or
 * raw bytes when the frame itself is what is wrong) and expects an ERROR with this
 * status and text. A violation closes the connection; an ordinary error or an
 * unknown request must leave it open.
 */
struct bad_case {
	const char *name;
	bool hello;
	bool raw; /* send the header as given: length may lie, payload is data */
	uint16_t type;
	uint16_t length;  /* raw only */
	const void *msg;  /* encoded only: the fixed part */
	const void *data; /* the payload (raw) or the variable part (encoded) */
	size_t n;
	int status;
	const char *text; /* NULL: nothing to read, nobody left to tell */
	bool closes;
};

static const uint8_t zeros[64];
static const uint8_t http[] = "HTTP/1.1 GET / and more of that sort......";
static const uint8_t unterminated[40] = "VHID\x01\x00\x00\x00xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
static const uint8_t keyboard_a[66] = {1, 0, 0x04};

static const struct bad_case cases[] = {
	{"before-hello", false, false, VHID_MSG_CREATE_DEVICE, 0,
	 &(struct vhid_msg_create){.kind = 1}, NULL, 0, EPROTO_CODE, "CREATE_DEVICE before HELLO",
	 true},
	/* an unknown request is answered, not fatal (a newer client's); the daemon's range is */
	{"unknown-opcode", true, true, 0x0077, 3, NULL, "abc", 3, -VHID_ENOCAP,
	 "unknown request type 0x0077: this vhidd (" VHID_VERSION ") speaks protocol 1.2", false},
	{"unknown-daemon-opcode", true, true, 0x8077, 0, NULL, NULL, 0, EPROTO_CODE,
	 "unknown message type 0x8077 (types from 0x8000 are the daemon's)", true},
	{"post-undefined-flag", true, false, VHID_MSG_POST_REPORT, 0,
	 &(struct vhid_msg_post){.device = 0xff01, .flags = 0x8001}, zeros, 9, EPROTO_CODE,
	 "POST_REPORT flags is 0x8001: undefined bits 0x8000 must be 0", true},
	{"short", true, true, VHID_MSG_CREATE_DEVICE, 10, NULL, zeros, 10, EPROTO_CODE,
	 "CREATE_DEVICE payload must be 144 bytes, got 10", true},
	{"wrong-length", true, true, VHID_MSG_DESTROY_DEVICE, 6, NULL, zeros, 6, EPROTO_CODE,
	 "DESTROY_DEVICE payload must be 4 bytes, got 6", true},
	{"oversize", true, true, VHID_MSG_POST_REPORT, 2000, NULL, zeros, 16, EPROTO_CODE,
	 "frame announces 2000 payload bytes", true},
	{"foreign-device", true, false, VHID_MSG_POST_REPORT, 0,
	 &(struct vhid_msg_post){.device = 0xff01}, keyboard_a, sizeof(keyboard_a), EPROTO_CODE,
	 "device 0xff01 is not one of this client's devices", true},
	{"version-mismatch", false, false, VHID_MSG_HELLO, 0,
	 &(struct vhid_msg_hello){.magic = VHID_HELLO_MAGIC, .version = 99, .name = "raw"}, NULL, 0,
	 -VHID_EVERSION,
	 "the client speaks version 99, vhidd " VHID_VERSION " speaks version 1 (1.2)", true},
	{"bad-magic", false, true, VHID_MSG_HELLO, 40, NULL, http, 40, EPROTO_CODE,
	 "HELLO without the VHID magic", true},
	{"daemon-only-type", true, false, VHID_MSG_REPLY, 0, &(struct vhid_msg_reply){0}, NULL, 0,
	 EPROTO_CODE, "REPLY is sent by the daemon", true},
	{"unterminated-string", false, true, VHID_MSG_HELLO, 40, NULL, unterminated, 40,
	 EPROTO_CODE, "string without a terminating NUL", true},
	{"second-hello", true, false, VHID_MSG_HELLO, 0,
	 &(struct vhid_msg_hello){
		 .magic = VHID_HELLO_MAGIC, .version = VHID_PROTOCOL_VERSION, .name = "raw"},
	 NULL, 0, EPROTO_CODE, "a second HELLO", true},
	/* a frame cut off by the client's exit: nobody to tell, the daemon just carries on */
	{"cut-off-frame", false, true, VHID_MSG_HELLO, 40, NULL, unterminated, 5, 0, NULL, false},
	/* bad input that is not a violation */
	{"bad-kind", true, false, VHID_MSG_CREATE_DEVICE, 0, &(struct vhid_msg_create){.kind = 9},
	 NULL, 0, -EINVAL, "unknown device kind 9", false},
};

/* The connection survived the error: a heartbeat is still answered. */
static void
expect_connection_stays(int fd, const char *name)
{
	uint8_t buf[64];
	struct vhid_frame f;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char label[128];

	send_frame(fd, VHID_MSG_HEARTBEAT, 99, NULL, NULL, 0);
	ssize_t n = poll(&p, 1, vt_bound(2000)) == 1 ? read(fd, buf, sizeof(buf)) : -1;
	snprintf(label, sizeof(label), "%s.connection.stays", name);
	vt_check(n > 0 && proto_parse_frame(buf, (size_t)n, &f) > 0 &&
			 f.hdr.type == VHID_MSG_REPLY && f.hdr.id == 99,
		 label, "no reply to a heartbeat after the error");
}

static void
run_case(const struct bad_case *t, uint32_t id)
{
	int fd = raw_connect();

	if (t->hello)
		hello(fd);
	if (t->raw)
		send_raw(fd, t->type, t->length, id, t->data, t->n);
	else
		send_frame(fd, t->type, id, t->msg, t->data, t->n);
	if (t->text)
		expect_error_and_close(fd, t->name, t->status, t->text, t->closes);
	if (t->text && !t->closes)
		expect_connection_stays(fd, t->name);
	close(fd);
	still_works(t->name);
}

int
main(void)
{
	struct vt_daemon d;

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
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i], (uint32_t)(5 + i));

	vt_agent_quit(&typist);
	vt_close_node(&typed);
	vt_check(vt_daemon_stop(&d, SIGTERM) == 0, "daemon.exit.0", "bad exit status");
	return vt_finish();
}
