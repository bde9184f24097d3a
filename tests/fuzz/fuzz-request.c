/*
 * fuzz-request.c - the whole request path in process: a real struct daemon and a
 * client connected through a socketpair, driven with arbitrary bytes through the
 * functions vhidd's loop calls (client_new, client_handle_input, client_flush,
 * clients_check_leases). Devices live on a pipe that stands in for /dev/uhid;
 * between steps the harness plays the kernel and binds the devices created, so
 * posts reach ready devices. Nothing of vhidd is replaced but main.c: its clock,
 * now_ms(), is this file's, and moves 1 s per step (leases and timeouts expire).
 *
 * Input: a flags byte, then steps separated by FUZZ_SEP, each written to the
 * socket as it is (frames may span steps or share one).
 *   bit 0: send a valid HELLO first (bit 1: of minor 1, else 0)
 *   bit 2: the client is uid 1000 once admitted, not the fuzzer's own uid
 *   bit 3: the policy makes the fuzzer's group an admin group
 *   bit 4: half-close the connection after the last step
 *   bit 5: the kernel never binds a device (they stay pending)
 *   bit 6: the kernel removes every device a step after it became ready
 *   bit 7: there is no /dev/uhid (creating a device fails)
 * Oracles: every frame vhidd sends is a daemon frame its own decoder accepts with
 * error texts within the limit, and no log line carries a control byte.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"
#include "fuzz.h"
#include "log.h"
#include "logring.h"
#include "vdev-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum {
	F_HELLO = 1 << 0,
	F_MINOR1 = 1 << 1,
	F_OTHER_UID = 1 << 2,
	F_ADMIN = 1 << 3,
	F_HALF_CLOSE = 1 << 4,
	F_NO_BIND = 1 << 5,
	F_REMOVE = 1 << 6,
	F_NO_UHID = 1 << 7,
};

static struct daemon d;
static uint64_t clock_ms;
static struct policy policies[2]; /* [admin] */
static unsigned int nodes;        /* the kernel numbers every new device's nodes anew */
static char uhid_path[sizeof(((struct vdev_ctx *)0)->uhid_path)];

uint64_t
now_ms(void)
{
	return clock_ms;
}

/* FUZZ_VERBOSE=1 shows vhidd's log: what an input made it do */
static void
check_log_line(enum log_level level, const char *msg, void *data)
{
	for (const char *p = msg; *p; p++)
		FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f);
	if (data)
		fprintf(stderr, "vhidd: %s\n", msg);
}

static int
no_name(const char *name, unsigned int *id)
{
	return -1;
}

static void
make_policy(struct policy *p, bool admin)
{
	static const struct policy_resolver r = {no_name, no_name};
	char text[200], err[256], warn[512];

	snprintf(text, sizeof(text), "allow-users = %u, 1000\n%s%u\nallow-ids = 05ac:0250\n",
		 (unsigned)getuid(), admin ? "admin-groups = " : "# ", (unsigned)getgid());
	policy_default(p, NULL, &r);
	FUZZ_ASSERT(policy_parse(p, text, &r, err, sizeof(err), warn, sizeof(warn)) == 0);
}

/* A special driver for one Apple keyboard, so identity checks are reached. */
static void
make_identities(struct identity_table *t)
{
	static struct identity_alias aliases[] = {
		{"hid:b0003g*v000005ACp00000250", "hid_apple"},
		{"hid:b0005g*v0000046Dp*", "hid_logitech_dj"},
	};

	t->aliases = aliases;
	t->n = sizeof(aliases) / sizeof(aliases[0]);
	t->loaded = true;
}

static void
setup(void)
{
	d.opt.socket_path = "/run/vhid/vhidd.sock";
	d.opt.config_path = "/etc/vhid/vhidd.conf";
	d.opt.socket_group = "vhid";
	d.opt.uhid_path = "/dev/uhid";
	d.opt.ready_fd = -1;
	d.listen_fd = d.signal_fd = d.timer_fd = -1;
	d.epfd = epoll_create1(EPOLL_CLOEXEC);
	FUZZ_ASSERT(d.epfd >= 0);
	d.vdev = fuzz_vdev_ctx();
	memcpy(uhid_path, d.vdev->uhid_path, sizeof(uhid_path));
	make_policy(&policies[0], false);
	make_policy(&policies[1], true);
	make_identities(&d.identities);
	signal(SIGPIPE, SIG_IGN);
	log_set_handler(check_log_line, getenv("FUZZ_VERBOSE"));
	log_set_level(LOG_LEVEL_DEBUG); /* every line formatted and escaped, as with -v */
	logring_start();                /* GET_LOG has lines to serve */
}

/* What the client receives: daemon frames that decode, with bounded error texts. */
static void
check_output(const uint8_t *buf, size_t len, size_t *used)
{
	union {
		struct vhid_msg_status_daemon largest;
		struct vhid_msg_error error;
	} m;
	struct vhid_frame f;
	char msg[200];
	int n;

	*used = 0;
	while ((n = proto_parse_frame(buf + *used, len - *used, &f)) > 0) {
		FUZZ_ASSERT(f.hdr.type & 0x8000);
		if (proto_decode(&f, &m, sizeof(m), msg, sizeof(msg)) < 0) {
			fprintf(stderr, "vhidd sent a frame it would refuse: %s\n", msg);
			FUZZ_ASSERT(!"every frame vhidd sends decodes");
		}
		if (f.hdr.type == VHID_MSG_ERROR)
			FUZZ_ASSERT(m.error.message_length <= VHID_MAX_ERROR_TEXT &&
				    m.error.status < 0);
		*used += (size_t)n;
	}
	FUZZ_ASSERT(n == 0);
}

/* Read what the client was sent, letting vhidd write what it still holds. */
static void
drain(struct client *c, int fd)
{
	static uint8_t buf[1 << 20];
	static size_t have;
	size_t used;
	ssize_t n;

	if (!c) { /* a new connection: nothing left over */
		have = 0;
		return;
	}
	do {
		while ((n = read(fd, buf + have, sizeof(buf) - have)) > 0) {
			have += (size_t)n;
			check_output(buf, have, &used);
			memmove(buf, buf + used, have - used);
			have -= used;
		}
		if (c->dead || !c->want_write)
			break;
		client_flush(c);
	} while (!c->dead);
}

/* The kernel's turn: remove or bind devices, and set a keyboard's LEDs. A callback may
 * destroy any device (a removal, the client's output overflowed): walk a copy of the list. */
static void
kernel(unsigned int step, uint8_t flags)
{
	struct uhid_event ev = {.type = UHID_OUTPUT};
	struct vdev *devs[16];
	int n = 0;

	for (struct vdev *dev = d.vdev->devices; dev && n < 16; dev = dev->next)
		devs[n++] = dev;
	for (int i = 0; i < n; i++) {
		if ((flags & F_REMOVE) && vdev_is_ready(devs[i]) && !devs[i]->dead)
			fuzz_kernel_remove(d.vdev, devs[i]);
		else if (!(flags & F_NO_BIND) && !devs[i]->started && !devs[i]->dead)
			fuzz_kernel_bind(d.vdev, devs[i], nodes++);
		if (devs[i]->dead || !vdev_is_ready(devs[i]) ||
		    vdev_get_params(devs[i])->kind != VHID_DEVICE_KEYBOARD)
			continue;
		ev.u.output.rtype = UHID_OUTPUT_REPORT;
		ev.u.output.size = 2;
		ev.u.output.data[0] = VHID_REPORT_LED;
		ev.u.output.data[1] = (uint8_t)(step & 0x1f);
		fuzz_kernel_event(devs[i], &ev, sizeof(ev));
	}
	fuzz_vdev_settle(d.vdev); /* the post harness checks what is written */
}

static void
send_hello(int fd, unsigned int minor)
{
	struct vhid_msg_hello h = {.magic = VHID_HELLO_MAGIC,
				   .version = VHID_PROTOCOL_VERSION,
				   .minor = (uint16_t)minor,
				   .name = "fuzz"};
	uint8_t buf[VHID_MAX_FRAME];
	int n = proto_encode(buf, VHID_MSG_HELLO, 1, &h, NULL, 0);

	FUZZ_ASSERT(n > 0 && write(fd, buf, (size_t)n) == n);
}

/* One step: its bytes, vhidd's turn, the kernel's, then a second passes. */
static void
run_step(struct client *c, int fd, const uint8_t *p, size_t len, unsigned int i, uint8_t flags)
{
	if (len && write(fd, p, len) != (ssize_t)len)
		return; /* more than the socket holds: vhidd reads what fit */
	client_handle_input(c);
	kernel(i, flags);
	drain(c, fd);
	clock_ms += 1000;
	clients_check_leases(&d);
	drain(c, fd);
}

static struct client *
connect_client(int sv[2], uint8_t flags)
{
	struct client *c;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		return NULL;
	d.policy = policies[(flags & F_ADMIN) != 0];
	d.next_client_id = 6; /* client 7, devices 0x701.., as in PROTOCOL.md's examples */
	clock_ms = 1000000;
	nodes = 9000;
	/* as if uhid were not loaded: vdev opens the path at every create */
	snprintf(d.vdev->uhid_path, sizeof(d.vdev->uhid_path), "%s",
		 flags & F_NO_UHID ? "/nonexistent/uhid" : uhid_path);
	drain(NULL, -1);
	c = client_new(&d, sv[0]);
	FUZZ_ASSERT(c && c->id == 7);
	if (flags & F_OTHER_UID)
		c->uid = 1000; /* SO_PEERCRED of a socketpair is the fuzzer's own */
	if (flags & F_HELLO)
		send_hello(sv[1], flags & F_MINOR1 ? 1 : 0);
	return c;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p;
	struct client *c;
	uint8_t flags;
	unsigned int i = 0;
	size_t len;
	int sv[2];

	if (size < 1)
		return 0;
	if (!d.vdev)
		setup();
	flags = data[0];
	data++, size--;
	if (!(c = connect_client(sv, flags)))
		return 0;
	while (!c->dead && fuzz_next_step(&data, &size, &p, &len))
		run_step(c, sv[1], p, len, i++, flags);
	if (!c->dead && (flags & F_HALF_CLOSE)) {
		shutdown(sv[1], SHUT_WR);
		run_step(c, sv[1], NULL, 0, i, flags | F_NO_BIND);
	}
	if (!c->dead)
		client_destroy(c, "end of the input");
	clients_free_graveyard(&d);
	close(sv[1]);
	return 0;
}
