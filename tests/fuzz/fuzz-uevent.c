/*
 * fuzz-uevent.c - the uevent parser, uevent_parse(), and what the device layer
 * does with what it parsed (vdev_handle_uevent(): finding a device by HID_UNIQ, its
 * nodes, the driver's bind, the kernel's remove). Input: datagrams separated by
 * FUZZ_SEP, delivered to a context holding one started device whose uniq is
 * "vhid-fuzz". Oracle: every field the parser returns lies inside the datagram.
 */
#include <linux/uhid.h>
#include <string.h>

#include "fuzz.h"
#include "uevent.h"
#include "vdev.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ready, failed;

static void
on_ready(struct vdev *dev, void *data)
{
	FUZZ_ASSERT(vdev_is_ready(dev) && !ready++);
}

static void
on_failed(struct vdev *dev, int error, void *data)
{
	FUZZ_ASSERT(error < 0 && !failed++);
}

static const struct vdev_listener listener = {.ready = on_ready, .failed = on_failed};

static void
check_field(const char *field, const char *buf, size_t len)
{
	FUZZ_ASSERT(!field || (field >= buf && field + strlen(field) <= buf + len));
}

/* Parse one datagram on its own, as a copy terminated the way vdev_dispatch_uevents() does. */
static bool
parse(const uint8_t *step, size_t len)
{
	static char buf[8192];
	struct uevent ue;

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, step, len);
	buf[len] = '\0';
	if (uevent_parse(buf, len, &ue) < 0)
		return false;
	FUZZ_ASSERT(ue.action && ue.devpath && ue.subsystem);
	check_field(ue.action, buf, len);
	check_field(ue.devpath, buf, len);
	check_field(ue.subsystem, buf, len);
	check_field(ue.devname, buf, len);
	check_field(ue.hid_uniq, buf, len);
	return true;
}

static struct vdev *
new_device(struct vdev_ctx *ctx)
{
	struct vdev_params p;
	struct vdev *dev;
	struct uhid_event start = {.type = UHID_START};
	size_t n;

	vdev_params_default(&p, VHID_DEVICE_KEYBOARD);
	strcpy(p.uniq, "vhid-fuzz");
	FUZZ_ASSERT(vdev_create(ctx, &p, &listener, NULL, &dev) == 0);
	fuzz_uhid_output(&n);
	fuzz_kernel_event(dev, &start, sizeof(start));
	return dev;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vdev_ctx *ctx;
	struct vdev *dev = NULL;
	const uint8_t *step;
	size_t len;

	if (!ctx)
		ctx = fuzz_vdev_ctx();
	ready = failed = 0;
	while (fuzz_next_step(&data, &size, &step, &len)) {
		if (!parse(step, len))
			continue;
		if (!dev) /* only for inputs that parse: a device costs a few system calls */
			dev = new_device(ctx);
		fuzz_kernel_uevent(ctx, (const char *)step, len);
	}
	if (dev)
		vdev_destroy(dev);
	fuzz_vdev_settle(ctx);
	return 0;
}
