/* fuzz-common.c - the helpers of fuzz.h. */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "uevent.h"
#include "vdev-private.h"

static int uhid_pipe[2] = {-1, -1};
static uint8_t uhid_out[1 << 20];

bool
fuzz_next_step(const uint8_t **data, size_t *size, const uint8_t **step, size_t *len)
{
	const uint8_t *sep;

	if (!*data)
		return false;
	sep = memmem(*data, *size, FUZZ_SEP, FUZZ_SEP_LEN);
	*step = *data;
	*len = sep ? (size_t)(sep - *data) : *size;
	if (sep) {
		*size -= *len + FUZZ_SEP_LEN;
		*data = sep + FUZZ_SEP_LEN;
	} else {
		*data = NULL; /* the last step; an input that ends with the separator has an empty
				 one */
		*size = 0;
	}
	return true;
}

void
fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "%s:%d: oracle failed: %s\n", file, line, what);
	abort();
}

/*
 * /proc/self/fd/N of a pipe opens the pipe itself, O_RDWR and pollable like
 * /dev/uhid (epoll refuses /dev/null). 1 MiB holds every write of an input.
 */
struct vdev_ctx *
fuzz_vdev_ctx(void)
{
	static char path[64];
	struct vdev_ctx_options o = {.uhid_path = path, .linger_ms = -1};
	struct vdev_ctx *ctx;

	if (pipe2(uhid_pipe, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    fcntl(uhid_pipe[1], F_SETPIPE_SZ, sizeof(uhid_out)) < 0)
		fuzz_fail("a pipe for /dev/uhid", __FILE__, __LINE__);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", uhid_pipe[1]);
	if (vdev_ctx_new(&o, &ctx) < 0)
		fuzz_fail("vdev_ctx_new", __FILE__, __LINE__);
	return ctx;
}

const uint8_t *
fuzz_uhid_output(size_t *len)
{
	ssize_t n = read(uhid_pipe[0], uhid_out, sizeof(uhid_out));

	*len = n > 0 ? (size_t)n : 0;
	return uhid_out;
}

/* The size of the uhid event at p, or 0 when it is not one vhidd writes. */
static size_t
event_size(const uint8_t *p, size_t left)
{
	struct uhid_event ev;
	size_t head;

	if (left < sizeof(ev.type))
		return 0;
	memcpy(&ev.type, p, sizeof(ev.type));
	switch (ev.type) {
	case UHID_DESTROY: /* the reaper thread's, at any time between two writes */
		return sizeof(ev.type);
	case UHID_INPUT2:
		head = offsetof(struct uhid_event, u.input2.data);
		if (left < head)
			return 0;
		memcpy(&ev.u.input2.size, p + offsetof(struct uhid_event, u.input2.size), 2);
		return head + ev.u.input2.size;
	case UHID_GET_REPORT_REPLY:
		head = offsetof(struct uhid_event, u.get_report_reply.data);
		if (left < head)
			return 0;
		memcpy(&ev.u.get_report_reply.size,
		       p + offsetof(struct uhid_event, u.get_report_reply.size), 2);
		return head + ev.u.get_report_reply.size;
	case UHID_SET_REPORT_REPLY:
		return offsetof(struct uhid_event, u.set_report_reply) +
		       sizeof(ev.u.set_report_reply);
	default:
		return 0;
	}
}

static void
check_report(enum vhid_device_kind kind, const uint8_t *report, size_t len)
{
	char msg[200];

	if (vhid_report_validate(kind, report, len, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "vhidd sent the kernel an invalid report: %s\n", msg);
		FUZZ_ASSERT(!"every report vhidd sends the kernel is valid");
	}
}

int
fuzz_check_inputs(const uint8_t *out, size_t len, enum vhid_device_kind kind, bool input_replies)
{
	const size_t input = offsetof(struct uhid_event, u.input2.data);
	const size_t reply = offsetof(struct uhid_event, u.get_report_reply.data);
	int n = 0;

	for (size_t off = 0, sz; off < len; off += sz) {
		uint32_t type;

		sz = event_size(out + off, len - off);
		FUZZ_ASSERT(sz && off + sz <= len); /* vhidd wrote something it never writes */
		memcpy(&type, out + off, sizeof(type));
		if (type == UHID_INPUT2) {
			check_report(kind, out + off + input, sz - input);
			n++;
		} else if (type == UHID_GET_REPORT_REPLY && input_replies && sz > reply) {
			check_report(kind, out + off + reply, sz - reply);
		}
	}
	return n;
}

void
fuzz_kernel_event(struct vdev *dev, const void *bytes, size_t len)
{
	struct uhid_event ev;

	memset(&ev, 0, sizeof(ev));
	memcpy(&ev, bytes, len < sizeof(ev) ? len : sizeof(ev));
	dev->ctx->dispatching++;
	vdev_handle_uhid_event(dev, &ev);
	dev->ctx->dispatching--;
}

void
fuzz_kernel_uevent(struct vdev_ctx *ctx, const char *datagram, size_t len)
{
	char buf[1024];
	struct uevent ue;

	if (len >= sizeof(buf))
		return;
	memcpy(buf, datagram, len);
	buf[len] = '\0'; /* as vdev_dispatch_uevents() terminates what recv() returned */
	if (uevent_parse(buf, len, &ue) < 0)
		return;
	ctx->dispatching++;
	vdev_handle_uevent(ctx, &ue);
	ctx->dispatching--;
}

void
fuzz_vdev_settle(struct vdev_ctx *ctx)
{
	size_t n;

	fuzz_uhid_output(&n); /* nothing vhidd wrote may be read back as the kernel's */
	vdev_ctx_dispatch(ctx);
}

/* "KEY=VALUE|KEY=VALUE" with '|' for the kernel's NUL separators */
static void uevent(struct vdev_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
uevent(struct vdev_ctx *ctx, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	FUZZ_ASSERT(n > 0 && (size_t)n < sizeof(buf));
	for (int i = 0; i < n; i++)
		if (buf[i] == '|')
			buf[i] = '\0';
	fuzz_kernel_uevent(ctx, buf, (size_t)n + 1);
}

void
fuzz_kernel_bind(struct vdev_ctx *ctx, struct vdev *dev, unsigned int n)
{
	const struct vdev_params *p = vdev_get_params(dev);
	struct uhid_event start = {.type = UHID_START};
	char hid[128];

	snprintf(hid, sizeof(hid), "/devices/virtual/misc/uhid/%04X:%04X:%04X.%04X",
		 (unsigned)p->bus, (unsigned)p->vendor & 0xffff, (unsigned)p->product & 0xffff,
		 n & 0xffff);
	fuzz_kernel_event(dev, &start, sizeof(start));
	uevent(ctx, "add@%s|ACTION=add|DEVPATH=%s|SUBSYSTEM=hid|HID_UNIQ=%s|SEQNUM=1", hid, hid,
	       p->uniq);
	uevent(ctx, "add@%s/input/input%u|ACTION=add|DEVPATH=%s/input/input%u|SUBSYSTEM=input", hid,
	       n, hid, n);
	uevent(ctx,
	       "add@%s/input/input%u/event%u|ACTION=add|DEVPATH=%s/input/input%u/event%u|"
	       "SUBSYSTEM=input|DEVNAME=input/event%u",
	       hid, n, n, hid, n, n, n);
	uevent(ctx,
	       "add@%s/hidraw/hidraw%u|ACTION=add|DEVPATH=%s/hidraw/hidraw%u|SUBSYSTEM=hidraw|"
	       "DEVNAME=hidraw%u",
	       hid, n, hid, n, n);
	uevent(ctx, "bind@%s|ACTION=bind|DEVPATH=%s|SUBSYSTEM=hid|DRIVER=hid-generic", hid, hid);
}

void
fuzz_kernel_remove(struct vdev_ctx *ctx, struct vdev *dev)
{
	const char *hid = vdev_get_syspath(dev);

	if (hid)
		uevent(ctx, "remove@%s|ACTION=remove|DEVPATH=%s|SUBSYSTEM=hid", hid, hid);
}
