/*
 * vmtest.h - helpers for the VM tests: PASS/FAIL lines for the host to count,
 * a device-layer context, and libevdev readers with timeouts. Every check
 * reads what the kernel actually produced; nothing here sleeps to wait for a
 * device - readiness comes from the device layer's ready callback.
 */
#ifndef VMTEST_H
#define VMTEST_H

#include <libevdev/libevdev.h>
#include <linux/input.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h" /* monotonic_ms() for the tests' deadlines */
#include "vdev.h"

void vt_pass(const char *name);
void vt_fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* PASS or FAIL depending on cond; returns cond. */
bool vt_check(bool cond, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Free the context (destroying devices); print the RESULT line; return the exit status. */
int vt_finish(void);
/* n printable ASCII characters (every class mixed) from a fixed seed, then NUL:
 * text for typing tests that is the same in every run. */
void vt_mixed_ascii(char *out, size_t n, unsigned int seed);
/* Free the context without a RESULT line. */
void vt_cleanup(void);
/*
 * Time in the VM tests. A bound on a wait for something that must happen is
 * vt_bound(ms): ms (what an idle machine needs, with margin) times
 * VHID_TIME_SCALE (default 10). A passing wait returns at its event, so the
 * scale costs nothing; it only sets how long a failure takes to show, and a
 * loaded machine is slow, not wrong. Every wait helper here scales its own
 * bound. Windows in which something must NOT happen (vt_quiet, vt_absent) are
 * never scaled: a slow machine can only make them pass, never fail.
 */
int vt_bound(int ms);

/* Whether /sys/class/input/<event>/device/<attr> holds exactly want (one line):
 * a node's device looked at without opening the node, which counts as a reader. */
bool vt_node_sysfs_is(const char *event, const char *attr, const char *want);

struct vt_dev {
	struct vdev *dev;
	struct libevdev *evdev; /* NULL until opened */
	int evfd;
	bool ready, failed;
	int fail_error;
	uint8_t leds;
	uint8_t leds_at_open; /* leds when the first reader was reported */
	int led_events;
	int opens, closes;
	uint64_t created_ms, ready_ms;
};

/* The shared device-layer context (created on first use). */
struct vdev_ctx *vt_ctx(void);
/* Dispatch the context until *flag turns true (at most vt_bound(timeout_ms)). */
bool vt_pump_until(const bool *flag, int timeout_ms);
/* Dispatch the context for timeout_ms (0: what is pending now), unscaled. */
void vt_pump(int timeout_ms);

/* Parameters with a fresh uniq ("vt-<pid>-<n>"). */
void vt_params(struct vdev_params *p, enum vhid_device_kind kind);
/* Create, wait (event-driven) until ready, open the evdev node. 0 or -errno. */
int vt_create(struct vt_dev *d, const struct vdev_params *p);
/* The same, without opening the node (no reader yet). */
int vt_create_closed(struct vt_dev *d, const struct vdev_params *p);
/* Only the create request: nothing dispatched yet, so not ready. */
int vt_create_start(struct vt_dev *d, const struct vdev_params *p);
void vt_destroy(struct vt_dev *d);
int vt_open_evdev(struct vt_dev *d);
int vt_open_evdev_path(struct vt_dev *d, const char *node);
/* A keyboard's second node, "<name> System Control" (power, sleep, wake), into sys
 * (a reader only: close it with vt_close_evdev, never vt_destroy). */
int vt_open_system_node(const struct vt_dev *kb, struct vt_dev *sys);
void vt_close_evdev(struct vt_dev *d);

/* Post a report; returns vdev_post's result. */
int vt_post(struct vt_dev *d, const uint8_t *buf, size_t len);
int vt_post_keyboard(struct vt_dev *d, uint8_t modifiers, const uint16_t *keys, int n);
int vt_post_keys(struct vt_dev *d, uint8_t id, const uint16_t *keys, int n);
int vt_post_pointer(struct vt_dev *d, uint32_t buttons, int x, int y, int wheel, int hwheel);
int vt_post_absolute(struct vt_dev *d, uint32_t buttons, int x, int y, int wheel);

/*
 * Read one frame (up to SYN_REPORT) and return its events except EV_SYN,
 * EV_MSC, EV_LED (the VT keyboard handler echoes lock keys) and key repeats. Returns the count, 0
 * when timeout_ms (unscaled) passed, -1 on SYN_DROPPED, -ENODEV once the device is gone.
 */
int vt_read_frame(struct vt_dev *d, struct input_event *out, int max, int timeout_ms);
/* Read frames until an event (type, code, value) arrives (at most vt_bound(timeout_ms)). */
bool vt_wait_event(struct vt_dev *d, int type, int code, int value, int timeout_ms);
/* The next events must be exactly these (any order, across frames; vt_bound(timeout_ms)). */
bool vt_expect_frame(struct vt_dev *d, const char *name, const struct input_event *want, int n,
		     int timeout_ms);
/* No frame arrives within ms. */
bool vt_quiet(struct vt_dev *d, int ms);
/* The event (type, code, value) does not arrive within ms (other events are read and dropped). */
bool vt_absent(struct vt_dev *d, int type, int code, int value, int ms);
/* "EV_KEY KEY_A 1" */
const char *vt_event_str(const struct input_event *ev);

#define EV(t, c, v) ((struct input_event){.type = (t), .code = (c), .value = (v)})

#endif
