/*
 * bench-raw.c - the physical limit: a uhid keyboard written directly (with
 * vhidd's own report descriptor, so it parses exactly vhid's reports) and a
 * uinput keyboard. Creation is timed to UHID_START, to the evdev node and to
 * the driver's bind uevent, so "ready" can be compared honestly with vhid's.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/uhid.h>
#include <linux/uinput.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"
#include "vmtest.h"
#include "descriptor.h"
#include "uevent.h"
#include "vmspawn.h"

size_t
bench_key_report(uint8_t *buf, bool down)
{
	struct vhid_keyboard_report r = {0};

	if (down)
		r.keys[0] = 0x04; /* KEY_A */
	return (size_t)vhid_report_encode_keyboard(&r, buf);
}

static int
uhid_write(int fd, const struct uhid_event *ev, size_t len)
{
	ssize_t n = write(fd, ev, len);

	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EIO;
}

int
raw_uhid_create(struct raw_uhid *u, const char *name)
{
	static int serial;
	struct uhid_event ev;
	const uint8_t *rd;
	size_t rd_len;
	int r;

	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", name);
	snprintf(u->uniq, sizeof(u->uniq), "bench-raw-%d-%d", (int)getpid(), ++serial);
	rd = descriptor_get(VHID_DEVICE_KEYBOARD, &rd_len);
	u->created_ns = monotonic_ns();
	u->fd = open("/dev/uhid", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (u->fd < 0)
		return -errno;
	memset(&ev, 0, sizeof(ev));
	ev.type = UHID_CREATE2;
	snprintf((char *)ev.u.create2.name, sizeof(ev.u.create2.name), "%s", name);
	snprintf((char *)ev.u.create2.uniq, sizeof(ev.u.create2.uniq), "%s", u->uniq);
	ev.u.create2.rd_size = (uint16_t)rd_len;
	ev.u.create2.bus = BUS_USB;
	ev.u.create2.vendor = 0x16c0;
	ev.u.create2.product = 0x27db;
	ev.u.create2.version = 1;
	memcpy(ev.u.create2.rd_data, rd, rd_len);
	r = uhid_write(u->fd, &ev, offsetof(struct uhid_event, u.create2.rd_data) + rd_len);
	if (r < 0) {
		close(u->fd);
		u->fd = -1;
	}
	return r;
}

/* The kernel blocks on GET/SET_REPORT until answered: answer at once (nothing to report). */
static void
answer(struct raw_uhid *u, const struct uhid_event *in)
{
	struct uhid_event ev;

	memset(&ev, 0, sizeof(ev));
	if (in->type == UHID_GET_REPORT) {
		ev.type = UHID_GET_REPORT_REPLY;
		ev.u.get_report_reply.id = in->u.get_report.id;
		ev.u.get_report_reply.err = EIO;
		uhid_write(u->fd, &ev, offsetof(struct uhid_event, u.get_report_reply.data));
	} else if (in->type == UHID_SET_REPORT) {
		ev.type = UHID_SET_REPORT_REPLY;
		ev.u.set_report_reply.id = in->u.set_report.id;
		uhid_write(u->fd, &ev,
			   offsetof(struct uhid_event, u.set_report_reply) +
				   sizeof(ev.u.set_report_reply));
	}
}

static void
pump(struct raw_uhid *u)
{
	struct uhid_event ev;

	while (read(u->fd, &ev, sizeof(ev)) >= (ssize_t)sizeof(ev.type)) {
		if (ev.type == UHID_START && !u->start_ns)
			u->start_ns = monotonic_ns();
		answer(u, &ev);
	}
}

void
raw_uhid_pump(struct raw_uhid *u)
{
	pump(u);
}

static void
read_watch(struct raw_uhid *u, int watch)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n;

	while ((n = read(watch, buf, sizeof(buf))) > 0) {
		for (char *q = buf; q < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)q;
			q += sizeof(*ev) + ev->len;
			if (!u->node_ns && ev->len && !strncmp(ev->name, "event", 5) &&
			    vt_node_has_name(ev->name, u->name)) {
				u->node_ns = monotonic_ns();
				snprintf(u->node, sizeof(u->node), "/dev/input/%.40s", ev->name);
			}
		}
	}
}

static void
read_uevents(struct raw_uhid *u, int fd, char *devpath, size_t len)
{
	char buf[8192];
	struct uevent ue;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
		buf[n] = '\0';
		if (uevent_parse(buf, (size_t)n, &ue) < 0 || strcmp(ue.subsystem, "hid") != 0)
			continue;
		if (!strcmp(ue.action, "add") && ue.hid_uniq && !strcmp(ue.hid_uniq, u->uniq))
			snprintf(devpath, len, "%s", ue.devpath);
		else if (!strcmp(ue.action, "bind") && devpath[0] && !strcmp(ue.devpath, devpath))
			u->bind_ns = monotonic_ns();
	}
}

static bool
done(const struct raw_uhid *u, int uevent_fd)
{
	return u->start_ns && u->node_ns && (uevent_fd < 0 || u->bind_ns);
}

int
raw_uhid_wait(struct raw_uhid *u, int watch, int uevent_fd, int timeout_ms)
{
	uint64_t end = monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
	char devpath[256] = "";

	while (!done(u, uevent_fd)) {
		struct pollfd p[3] = {{.fd = u->fd, .events = POLLIN},
				      {.fd = watch, .events = POLLIN},
				      {.fd = uevent_fd, .events = POLLIN}};
		uint64_t now = monotonic_ns();
		if (now >= end)
			return -ETIMEDOUT;
		poll(p, uevent_fd >= 0 ? 3 : 2, (int)((end - now) / 1000000ull) + 1);
		if (p[0].revents)
			pump(u);
		if (p[1].revents)
			read_watch(u, watch);
		if (uevent_fd >= 0 && p[2].revents)
			read_uevents(u, uevent_fd, devpath, sizeof(devpath));
	}
	return 0;
}

int
raw_uhid_send(struct raw_uhid *u, const uint8_t *report, size_t len)
{
	struct uhid_event ev;

	ev.type = UHID_INPUT2;
	ev.u.input2.size = (uint16_t)len;
	memcpy(ev.u.input2.data, report, len);
	return uhid_write(u->fd, &ev, offsetof(struct uhid_event, u.input2.data) + len);
}

void
raw_uhid_destroy(struct raw_uhid *u)
{
	struct uhid_event ev = {.type = UHID_DESTROY};

	if (u->fd < 0)
		return;
	uhid_write(u->fd, &ev, sizeof(ev.type));
	close(u->fd);
	u->fd = -1;
}

int
raw_uinput_create(struct raw_uinput *u, const char *name, int watch)
{
	struct uinput_setup us = {.id = {BUS_USB, 0x16c0, 0x27dc, 1}};
	const char *node;

	memset(u, 0, sizeof(*u));
	snprintf(us.name, sizeof(us.name), "%s", name);
	u->fd = open("/dev/uinput", O_RDWR | O_CLOEXEC);
	if (u->fd < 0)
		return -errno;
	if (ioctl(u->fd, UI_SET_EVBIT, EV_KEY) < 0 || ioctl(u->fd, UI_SET_KEYBIT, KEY_A) < 0 ||
	    ioctl(u->fd, UI_DEV_SETUP, &us) < 0 || ioctl(u->fd, UI_DEV_CREATE) < 0) {
		int e = -errno;
		close(u->fd);
		u->fd = -1;
		return e;
	}
	node = bench_next_node(watch, name, vt_bound(5000));
	snprintf(u->node, sizeof(u->node), "%s", node);
	return node[0] ? 0 : -ETIMEDOUT;
}

int
raw_uinput_key(struct raw_uinput *u, int code, int value)
{
	struct input_event ev[2] = {
		{.type = EV_KEY, .code = (uint16_t)code, .value = value},
		{.type = EV_SYN, .code = SYN_REPORT, .value = 0},
	};
	ssize_t n = write(u->fd, ev, sizeof(ev));

	return n == (ssize_t)sizeof(ev) ? 0 : -EIO;
}

void
raw_uinput_destroy(struct raw_uinput *u)
{
	if (u->fd < 0)
		return;
	ioctl(u->fd, UI_DEV_DESTROY);
	close(u->fd);
	u->fd = -1;
}
