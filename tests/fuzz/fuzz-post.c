/*
 * fuzz-post.c - the device post path past the validator: vdev_post() on a ready
 * device of each kind (Apple translation, the consumer report merged from three
 * sources, the last report kept per ID), vdev_reset(), and the kernel's requests
 * (LED output, GET_REPORT, SET_REPORT, open, close, stop), up to the write to
 * "/dev/uhid", which is a pipe here (fuzz.h).
 *
 * Input: one byte choosing the kind, then steps separated by FUZZ_SEP; a step's
 * first byte says what it is (mostly a report to post). Oracles: nothing reaches
 * the kernel unless the post succeeds, a successful post sends a report (and report
 * 7 as well when a power-type key of report 1 or 2 changed it), and every
 * report sent is one the validator accepts.
 */
#include <linux/uhid.h>
#include <string.h>

#include "fuzz.h"
#include "vdev.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
post(struct vdev *dev, enum vhid_device_kind kind, const uint8_t *report, size_t len)
{
	char msg[200], vmsg[200];
	bool live = vdev_is_ready(dev); /* not after the kernel stopped it */
	int r = vdev_post(dev, report, len, msg, sizeof(msg));
	int v = vhid_report_validate(kind, report, len, vmsg, sizeof(vmsg));
	size_t n;
	const uint8_t *out = fuzz_uhid_output(&n);
	int sent = fuzz_check_inputs(out, n, kind, false);

	FUZZ_ASSERT(strnlen(msg, sizeof(msg)) < sizeof(msg));
	if (r < 0) {
		FUZZ_ASSERT(sent == 0 && msg[0] != '\0');
		if (live && v < 0) /* the validator's verdict, word for word */
			FUZZ_ASSERT(r == v && strcmp(msg, vmsg) == 0);
	} else {
		/* one report, or two when a power-type key moved report 7 too */
		FUZZ_ASSERT(r == 0 && live && v == 0 && sent >= 1 && sent <= 2);
	}
}

/* The kernel's side: [what][a][b][data...] */
static void
kernel_event(struct vdev *dev, enum vhid_device_kind kind, const uint8_t *p, size_t len)
{
	static const uint32_t types[] = {UHID_OUTPUT, UHID_GET_REPORT, UHID_SET_REPORT, UHID_OPEN,
					 UHID_CLOSE,  UHID_STOP,       UHID_START};
	static struct uhid_event ev;
	size_t data = len > 3 ? len - 3 : 0, n;
	const uint8_t *out;

	memset(&ev, 0, sizeof(ev));
	ev.type = types[(len > 0 ? p[0] : 0) % 7];
	if (data > UHID_DATA_MAX) /* what the kernel never sends */
		data = UHID_DATA_MAX;
	if (ev.type == UHID_OUTPUT) {
		memcpy(ev.u.output.data, p + 3, data);
		ev.u.output.size = (uint16_t)data;
		ev.u.output.rtype = (uint8_t)((len > 1 ? p[1] : 0) % 3);
	} else if (ev.type == UHID_GET_REPORT) {
		ev.u.get_report.id = 7;
		ev.u.get_report.rnum = len > 1 ? p[1] : 0;
		ev.u.get_report.rtype = (uint8_t)((len > 2 ? p[2] : 0) % 3);
	} else if (ev.type == UHID_SET_REPORT) {
		ev.u.set_report.id = 8;
		ev.u.set_report.rnum = len > 1 ? p[1] : 0;
		ev.u.set_report.rtype = (uint8_t)((len > 2 ? p[2] : 0) % 3);
		memcpy(ev.u.set_report.data, p + 3, data);
		ev.u.set_report.size = (uint16_t)data;
	}
	fuzz_kernel_event(dev, &ev, sizeof(ev));
	out = fuzz_uhid_output(&n);
	fuzz_check_inputs(out, n, kind,
			  ev.type == UHID_GET_REPORT && ev.u.get_report.rtype == UHID_INPUT_REPORT);
}

static void
step(struct vdev *dev, enum vhid_device_kind kind, const uint8_t *p, size_t len)
{
	size_t n;

	if (len == 0)
		return;
	switch (p[0] % 8) {
	case 6:
		vdev_reset(dev);
		fuzz_check_inputs(fuzz_uhid_output(&n), n, kind, false);
		break;
	case 7:
		kernel_event(dev, kind, p + 1, len - 1);
		break;
	default:
		post(dev, kind, p + 1, len - 1);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vdev_ctx *ctx;
	enum vhid_device_kind kind;
	struct vdev_params params;
	struct vdev *dev;
	const uint8_t *p;
	size_t len, n;

	if (size < 1)
		return 0;
	if (!ctx)
		ctx = fuzz_vdev_ctx();
	kind = (enum vhid_device_kind)(VHID_DEVICE_KEYBOARD + data[0] % 3);
	data++, size--;
	vdev_params_default(&params, kind);
	strcpy(params.uniq, "vhid-fuzz-post");
	FUZZ_ASSERT(vdev_create(ctx, &params, NULL, NULL, &dev) == 0);
	fuzz_kernel_bind(ctx, dev, 9000);
	FUZZ_ASSERT(vdev_is_ready(dev));
	fuzz_uhid_output(&n); /* UHID_CREATE2 */
	while (fuzz_next_step(&data, &size, &p, &len))
		step(dev, kind, p, len);
	vdev_destroy(dev);
	fuzz_vdev_settle(ctx);
	return 0;
}
