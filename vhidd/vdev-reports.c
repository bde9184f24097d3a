/*
 * vdev-reports.c - reports: validation, the consumer report that merges the
 * client's consumer keys with its translated Apple keys (DESIGN.md §6), the
 * system-control report that merges the client's system keys with the
 * power-type keys of the keyboard and consumer reports (descriptor.c, §21),
 * and reset. Nothing reaches the kernel unless every check passed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "le.h"
#include "log.h"
#include "usage.h"
#include "vdev-private.h"

static void
load_keys(uint16_t keys[VHID_MAX_KEYS], const uint8_t *p)
{
	for (int i = 0; i < VHID_MAX_KEYS; i++)
		keys[i] = le16_get(p + 2 * i);
}

/* Union of the consumer keys and the translated Apple keys, as report 2. */
static int
merge_consumer(const uint16_t *consumer, const uint16_t *top_case, const uint16_t *apple_kbd,
	       uint8_t out[VHID_KEYS_REPORT_SIZE])
{
	struct vhid_keys_report r = {.id = VHID_REPORT_CONSUMER};
	const struct {
		const uint16_t *keys;
		uint16_t page;
	} src[] = {{consumer, 0},
		   {top_case, USAGE_PAGE_APPLE_TOP_CASE},
		   {apple_kbd, USAGE_PAGE_APPLE_KEYBOARD}};

	for (size_t s = 0; s < 3; s++) {
		for (int i = 0; i < VHID_MAX_KEYS; i++) {
			uint16_t u = src[s].keys[i];
			if (u && src[s].page)
				u = usage_apple_lookup(src[s].page, u)->consumer; /* validated */
			if (u && vhid_keys_insert(r.keys, u) < 0)
				return -VHID_ETOOMANYKEYS;
		}
	}
	vhid_report_encode_keys(&r, out);
	return 0;
}

/* Report 7 as the kernel must see it: the client's system keys plus the
 * translated power-type keys of the keyboard report and the consumer keys. */
static int
merge_system(const uint16_t *kbd, const uint16_t *consumer, const uint16_t *system,
	     uint8_t out[VHID_KEYS_REPORT_SIZE])
{
	struct vhid_keys_report r = {.id = VHID_REPORT_SYSTEM};

	for (int i = 0; i < VHID_MAX_KEYS; i++) {
		uint16_t u[3] = {system[i], usage_power_translation(VHID_REPORT_KEYBOARD, kbd[i]),
				 usage_power_translation(VHID_REPORT_CONSUMER, consumer[i])};
		for (int k = 0; k < 3; k++)
			if (u[k] && vhid_keys_insert(r.keys, u[k]) < 0)
				return -VHID_ETOOMANYKEYS;
	}
	vhid_report_encode_keys(&r, out);
	return 0;
}

/*
 * The three sources of report 7 after a post: the keyboard report (report 1
 * with its modifier byte), the consumer report as the kernel sees it (report
 * 2, Apple keys merged) and the client's system keys. Fails before anything
 * is written when they exceed the array.
 */
struct system_sources {
	uint16_t kbd[VHID_MAX_KEYS], consumer[VHID_MAX_KEYS], system[VHID_MAX_KEYS];
	uint8_t merged[VHID_KEYS_REPORT_SIZE];
};

static int
plan_system(struct vdev *dev, const uint8_t *keyboard, const uint8_t *consumer,
	    const uint16_t *system, struct system_sources *s, char *msg, size_t msglen)
{
	int r;

	load_keys(s->kbd, keyboard + 2);
	load_keys(s->consumer, consumer + 1);
	memcpy(s->system, system ? system : dev->system_keys, sizeof(s->system));
	if ((r = merge_system(s->kbd, s->consumer, s->system, s->merged)) < 0)
		snprintf(msg, msglen, "system keys and power keys together exceed %d",
			 VHID_MAX_KEYS);
	return r;
}

/* Send the planned report 7 if it changed (always, when the client posted it),
 * and adopt the client's system keys. */
static int
apply_system(struct vdev *dev, const struct system_sources *s, bool always)
{
	int r;

	if (always || memcmp(s->merged, dev->last_system, sizeof(s->merged)) != 0) {
		if ((r = vdev_send_input(dev, s->merged, sizeof(s->merged))) < 0)
			return r;
		memcpy(dev->last_system, s->merged, sizeof(s->merged));
	}
	memcpy(dev->system_keys, s->system, sizeof(dev->system_keys));
	return 0;
}

static int
post_consumer_source(struct vdev *dev, uint8_t id, const uint8_t *report, char *msg, size_t msglen)
{
	uint16_t consumer[VHID_MAX_KEYS], top[VHID_MAX_KEYS], kbd[VHID_MAX_KEYS];
	uint8_t merged[VHID_KEYS_REPORT_SIZE];
	int r;

	memcpy(consumer, dev->consumer_keys, sizeof(consumer));
	memcpy(top, dev->apple_top_case, sizeof(top));
	memcpy(kbd, dev->apple_keyboard, sizeof(kbd));
	load_keys(id == VHID_REPORT_CONSUMER         ? consumer
		  : id == VHID_REPORT_APPLE_TOP_CASE ? top
						     : kbd,
		  report + 1);
	struct system_sources sys;

	if ((r = merge_consumer(consumer, top, kbd, merged)) < 0) {
		snprintf(msg, msglen, "consumer keys and translated Apple keys together exceed %d",
			 VHID_MAX_KEYS);
		return r;
	}
	if ((r = plan_system(dev, dev->last_keyboard, merged, NULL, &sys, msg, msglen)) < 0)
		return r;
	if ((r = vdev_send_input(dev, merged, sizeof(merged))) < 0 ||
	    (r = apply_system(dev, &sys, false)) < 0)
		return r;
	memcpy(dev->consumer_keys, consumer, sizeof(consumer));
	memcpy(dev->apple_top_case, top, sizeof(top));
	memcpy(dev->apple_keyboard, kbd, sizeof(kbd));
	memcpy(dev->last_consumer, merged, sizeof(merged));
	return 0;
}

/* Report 1 as posted (the kernel ignores its placeholders), then report 7 if a
 * power-type key changed. */
static int
post_keyboard(struct vdev *dev, const uint8_t *report, size_t len, char *msg, size_t msglen)
{
	struct system_sources sys;
	int r;

	if ((r = plan_system(dev, report, dev->last_consumer, NULL, &sys, msg, msglen)) < 0 ||
	    (r = vdev_send_input(dev, report, len)) < 0)
		return r;
	memcpy(dev->last_keyboard, report, len);
	return apply_system(dev, &sys, false);
}

static int
post_system(struct vdev *dev, const uint8_t *report, char *msg, size_t msglen)
{
	struct system_sources sys;
	uint16_t keys[VHID_MAX_KEYS];
	int r;

	load_keys(keys, report + 1);
	if ((r = plan_system(dev, dev->last_keyboard, dev->last_consumer, keys, &sys, msg,
			     msglen)) < 0)
		return r;
	return apply_system(dev, &sys, true);
}

/*
 * A pointer report went to the kernel. hid-input keeps the remainder of a
 * partial wheel notch per device (wheel_accumulated) and adds the next
 * report's wheel to it; a pointer that was sent part of a notch is therefore
 * never given to another program (vdev_adopt), whose scroll it would shift.
 */
static void
note_pointer(struct vdev *dev, const uint8_t *report, size_t len)
{
	int16_t wheel = (int16_t)le16_get(report + 9), hwheel = (int16_t)le16_get(report + 11);

	memcpy(dev->last_pointer, report, len);
	if (wheel % 120 || hwheel % 120)
		dev->partial_wheel = true;
}

static int
post_report(struct vdev *dev, const uint8_t *report, size_t len, char *msg, size_t msglen)
{
	int r;

	if (dev->dead || dev->failed || dev->lingering) {
		snprintf(msg, msglen, "%s is gone", dev->params.label);
		return -ENODEV;
	}
	if ((r = vhid_report_validate(dev->params.kind, report, len, msg, msglen)) < 0)
		return r;
	if (!dev->ready) {
		snprintf(msg, msglen, "%s is not ready yet; wait for the ready event",
			 dev->params.label);
		return -VHID_ENOTREADY;
	}
	if (dev->params.kind != VHID_DEVICE_KEYBOARD) {
		if ((r = vdev_send_input(dev, report, len)) == 0)
			note_pointer(dev, report, len);
		return r;
	}
	switch (report[0]) {
	case VHID_REPORT_CONSUMER:
	case VHID_REPORT_APPLE_TOP_CASE:
	case VHID_REPORT_APPLE_KEYBOARD:
		return post_consumer_source(dev, report[0], report, msg, msglen);
	case VHID_REPORT_KEYBOARD:
		return post_keyboard(dev, report, len, msg, msglen);
	default: /* VHID_REPORT_SYSTEM; validation rejected everything else */
		return post_system(dev, report, msg, msglen);
	}
}

static int
reset_reports(struct vdev *dev)
{
	uint8_t buf[VHID_MAX_REPORT_SIZE];
	int r = 0;

	log_info("%s: reset", dev->params.label);
	if (dev->params.kind == VHID_DEVICE_KEYBOARD) {
		memset(dev->consumer_keys, 0, sizeof(dev->consumer_keys));
		memset(dev->apple_top_case, 0, sizeof(dev->apple_top_case));
		memset(dev->apple_keyboard, 0, sizeof(dev->apple_keyboard));
		memset(dev->system_keys, 0, sizeof(dev->system_keys));
		memset(dev->last_keyboard + 1, 0, sizeof(dev->last_keyboard) - 1);
		memset(dev->last_consumer + 1, 0, sizeof(dev->last_consumer) - 1);
		memset(dev->last_system + 1, 0, sizeof(dev->last_system) - 1);
		r = vdev_send_input(dev, dev->last_keyboard, sizeof(dev->last_keyboard));
		if (!r)
			r = vdev_send_input(dev, dev->last_consumer, sizeof(dev->last_consumer));
		if (!r)
			r = vdev_send_input(dev, dev->last_system, sizeof(dev->last_system));
		return r;
	}
	/* no buttons, no motion; an absolute pointer keeps its position, since an
	 * all-zero report would jump it to the top-left corner */
	memcpy(buf, dev->last_pointer, sizeof(dev->last_pointer));
	memset(buf + 1, 0, 4);
	if (dev->params.kind == VHID_DEVICE_POINTER)
		memset(buf + 5, 0, 4);
	memset(buf + 9, 0, 4);
	if ((r = vdev_send_input(dev, buf, VHID_POINTER_REPORT_SIZE)) == 0)
		memcpy(dev->last_pointer, buf, VHID_POINTER_REPORT_SIZE);
	return r;
}

/*
 * A write to /dev/uhid failed (DESIGN.md §27). Out of memory is transient: the
 * report was not sent, the device's state is unchanged (only a successful write
 * commits it) and the client may retry. Any other error means the kernel's state
 * of the device is no longer known, so the device fails: its owner gets
 * DEVICE_GONE with the error, and destroying it makes the kernel release every
 * key it holds. A failed release (reset) always fails the device for that
 * reason. The failed callback may free dev: nothing touches it afterwards.
 */
static int
write_failed(struct vdev *dev, int r, bool transient_ok, char *msg, size_t msglen)
{
	char why[400];
	bool transient = r == -ENOMEM || r == -ENOBUFS || r == -EAGAIN;

	dev->write_error = 0;
	if (transient && transient_ok) {
		snprintf(msg, msglen,
			 "%s: writing the report to the kernel failed (%s); nothing "
			 "changed, try again",
			 dev->params.label, strerror(-r));
		log_warn("%s", msg);
		return r;
	}
	snprintf(why, sizeof(why), "writing to %.256s failed (%s): the device is gone",
		 dev->ctx->uhid_path, strerror(-r));
	snprintf(msg, msglen, "%s: %s", dev->params.label, why);
	vdev_fail(dev, r, why);
	return r;
}

int
vdev_post(struct vdev *dev, const uint8_t *report, size_t len, char *msg, size_t msglen)
{
	char scratch[1];
	int r;

	if (!msg || !msglen)
		msg = scratch, msglen = sizeof(scratch);
	msg[0] = '\0';
	dev->write_error = 0;
	r = post_report(dev, report, len, msg, msglen);
	return r < 0 && dev->write_error ? write_failed(dev, r, true, msg, msglen) : r;
}

int
vdev_reset(struct vdev *dev)
{
	char msg[200];
	int r;

	if (dev->dead || dev->failed)
		return -ENODEV;
	if (!dev->ready)
		return -VHID_ENOTREADY;
	dev->write_error = 0;
	r = reset_reports(dev);
	return r < 0 && dev->write_error ? write_failed(dev, r, false, msg, sizeof(msg)) : r;
}
