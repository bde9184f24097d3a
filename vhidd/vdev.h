/*
 * vdev.h - vhid's device layer: creates, drives and destroys uhid devices.
 *
 * A vdev_ctx owns one epoll fd that aggregates every device's /dev/uhid fd,
 * the kernel uevent socket, the inotify watch of /dev/input and a timer; the
 * caller polls that one fd and calls vdev_ctx_dispatch(). Listener callbacks
 * run only from dispatch. A callback may destroy any device, including its own.
 *
 * Lifecycle of a device: vdev_create() writes UHID_CREATE2 and returns at once.
 * UHID_START arrives when a HID driver probes the device; the device is READY
 * when the kernel reports that driver as bound (uevent "bind"): only then do
 * its input nodes exist, so reports posted before would be lost. vdev never
 * sleeps: the ready callback is the signal.
 */
#ifndef VHIDD_VDEV_H
#define VHIDD_VDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vhid.h"

struct vdev_ctx;
struct vdev;

#define VDEV_NAME_MAX 128
#define VDEV_PHYS_MAX 64
#define VDEV_UNIQ_MAX 64
#define VDEV_MAX_EVDEV 4

struct vdev_params {
	enum vhid_device_kind kind;
	char name[VDEV_NAME_MAX]; /* evdev name (EVIOCGNAME) */
	char phys[VDEV_PHYS_MAX]; /* e.g. "vhid/client3/input0"; groups a client's devices */
	char uniq[VDEV_UNIQ_MAX]; /* must be unique among live devices: vdev finds its nodes by it
				   */
	uint16_t bus;             /* BUS_USB by default */
	uint32_t vendor, product, version;
	uint8_t country;    /* HID country code, 0 = not localized */
	char label[96];     /* how log lines name the device; defaults to kind + name */
	unsigned int owner; /* uid of the client: only the owner's clients adopt it */
};

#define VDEV_NO_OWNER 0xffffffffu /* the standby keyboard's, until a client takes it */

#define VDEV_DEFAULT_KEEP_MS 3000

/* Fill in the defaults of a kind (seed identities: 16c0:27db keyboard, 16c0:27da pointer). */
void vdev_params_default(struct vdev_params *p, enum vhid_device_kind kind);

struct vdev_listener {
	/* The kernel finished creating the device; nodes are known. */
	void (*ready)(struct vdev *dev, void *data);
	/* The number of user-space open file descriptions of the evdev node changed
	 * (inotify). Unlike UHID_OPEN, the kernel's own kbd handler does not count. */
	void (*readers)(struct vdev *dev, unsigned int readers, void *data);
	/* The LED output report changed (enum vhid_led bits). */
	void (*leds)(struct vdev *dev, uint8_t leds, void *data);
	/* The device will never become ready, or the kernel removed it. error is
	 * -VHID_ENODRIVER, -ETIMEDOUT or -ENODEV. The device stays allocated until
	 * the caller destroys it. */
	void (*failed)(struct vdev *dev, int error, void *data);
};

struct vdev_ctx_options {
	const char *uhid_path; /* default "/dev/uhid" */
	int start_timeout_ms;  /* no UHID_START by then: no driver bound (default 5000) */
	int ready_timeout_ms;  /* started but never bound (default 5000) */
	int linger_ms;         /* released device stays this long before UHID_DESTROY
				* (0 = the default 100 ms; negative = destroy at once) */
};

int vdev_ctx_new(const struct vdev_ctx_options *opts, struct vdev_ctx **out);
/* Destroys every remaining device (releasing their keys), then frees. */
void vdev_ctx_free(struct vdev_ctx *ctx);
int vdev_ctx_get_fd(struct vdev_ctx *ctx);
/* Handle everything pending without blocking. Returns 0 or -errno. */
int vdev_ctx_dispatch(struct vdev_ctx *ctx);
/* Whether kernel uevents are available (otherwise readiness falls back to polling sysfs). */
bool vdev_ctx_has_uevents(const struct vdev_ctx *ctx);
/* Whether readers of the evdev nodes can be counted (inotify on /dev/input works). */
bool vdev_ctx_has_readers(const struct vdev_ctx *ctx);

/*
 * Create a device: opens the uhid node and writes UHID_CREATE2. Returns 0,
 * -VHID_ENOUHID when the node does not exist, -EACCES, -EINVAL for bad params.
 */
int vdev_create(struct vdev_ctx *ctx, const struct vdev_params *params,
		const struct vdev_listener *listener, void *data, struct vdev **out);
/*
 * Release every key and button, then UHID_DESTROY after the context's linger
 * (so readers can still read the key-ups), or, when the device has readers,
 * after the context's keep unless its owner adopts it first. The handle is invalid on
 * return and no callback runs for it again. Safe inside callbacks.
 */
void vdev_destroy(struct vdev *dev);
/*
 * A released keyboard of the same owner and identity (name, bus, IDs, version,
 * country) that is still kept, or else the standby keyboard when params ask for
 * its identity: it becomes the caller's, with its readers and LEDs, ready (a
 * standby may still be being made: then ready comes through the listener); its
 * label becomes params->label. NULL when there is none (pointers are never taken
 * over): create one.
 */
struct vdev *vdev_adopt(struct vdev_ctx *ctx, const struct vdev_params *params,
			const struct vdev_listener *listener, void *data);
/* How long a released device with readers is kept for its owner (0: never;
 * VDEV_DEFAULT_KEEP_MS until this is called). */
void vdev_ctx_set_keep(struct vdev_ctx *ctx, unsigned int keep_ms);
/*
 * The standby keyboard (DESIGN §9, vdev-standby.c): on, vdev keeps one keyboard
 * of vdev_params_default's identity that belongs to nobody, made at once and
 * found by the desktop before a client asks; vdev_adopt gives it to a client of
 * any owner, and a released keyboard of that identity becomes the standby again
 * where there is none. Off (the default), the standby goes after the linger.
 */
void vdev_ctx_set_standby(struct vdev_ctx *ctx, bool on);
/* The LED probe (DESIGN §21): on by default where udev runs, the only place a
 * desktop can be; tests turn it on without udev. */
void vdev_ctx_set_led_probe(struct vdev_ctx *ctx, bool on);
/* Shutting down: kept devices linger only briefly. */
void vdev_ctx_release_kept(struct vdev_ctx *ctx);
/* Devices released but not yet destroyed; a daemon exits once this is 0. */
int vdev_ctx_lingering(const struct vdev_ctx *ctx);

/*
 * Validate a report (vhid_report_validate plus device state) and send it to
 * the kernel. Nothing is written unless every check passes. msg receives the
 * reason on failure. Returns 0, a -VHID_E* validation code, -VHID_ENOTREADY,
 * -VHID_ETOOMANYKEYS (translated keys overflow), -ENODEV, or a write error.
 */
int vdev_post(struct vdev *dev, const uint8_t *report, size_t len, char *msg, size_t msglen);
/* Post an empty report for every input report (releases everything). */
int vdev_reset(struct vdev *dev);

const struct vdev_params *vdev_get_params(const struct vdev *dev);
bool vdev_is_ready(const struct vdev *dev);
/* How many user-space open file descriptions the evdev node has. */
unsigned int vdev_get_readers(const struct vdev *dev);
uint8_t vdev_get_leds(const struct vdev *dev);
/* Whether a reader wrote the keyboard's LED state over the LED probe: a desktop
 * has enabled it (DESIGN §21). */
bool vdev_leds_synced(const struct vdev *dev);
/* "/dev/input/eventN" of the i-th input node, NULL past the end or before ready. */
const char *vdev_get_evdev(const struct vdev *dev, int i);
/* "/dev/hidrawN", or NULL. */
const char *vdev_get_hidraw(const struct vdev *dev);
/* The kernel's sysfs path of the HID device, or NULL before the kernel reported it. */
const char *vdev_get_syspath(const struct vdev *dev);
/* Monotonic ns from vdev_create() to ready, 0 if not ready. */
uint64_t vdev_get_ready_ns(const struct vdev *dev);

#endif
