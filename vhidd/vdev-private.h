/*
 * vdev-private.h - what vdev.c (lifecycle, the kernel's requests), vdev-nodes.c
 * (finding nodes and readers) and vdev-reports.c (reports) share.
 */
#ifndef VHIDD_VDEV_PRIVATE_H
#define VHIDD_VDEV_PRIVATE_H

#include <linux/uhid.h>
#include <pthread.h>

#include "uevent.h"
#include "vdev.h"

#define UHID_SYSFS "/sys/devices/virtual/misc/uhid"
#define POLL_INTERVAL_NS (10 * 1000000ull) /* sysfs fallback only */
#define VDEV_MAX_EVENT_NODES 65536         /* eventN counted up to this N */

struct vdev {
	struct vdev_ctx *ctx;
	struct vdev *next;
	struct vdev_params params;
	const struct vdev_listener *listener;
	void *data;
	int fd;

	bool started, bound, ready, open, failed, dead;
	unsigned int readers;     /* readers as reported: settled (vdev-nodes.c) */
	unsigned int raw_readers; /* readers as counted, before the settle */
	uint64_t settle_at_ns;    /* when raw_readers becomes readers, 0 = nothing pending */
	uint64_t first_read_ns;   /* when the LED probe's reader was counted: the first
				   * reader, or the one that began a re-probe (vdev-leds.c);
				   * 0 = not yet */
	uint64_t led_took_ns;     /* from that reader to the desktop's LED write */
	uint64_t others_until_ns; /* waiting for the desktop to take the other nodes, at
				   * most until then (vdev-nodes.c), 0 = not waiting */
	bool lingering;           /* released, waiting out the linger before UHID_DESTROY */
	bool kept;                /* lingering for its owner to adopt (vdev_adopt) */
	bool standby;             /* nobody's: any client may take it (vdev-standby.c) */
	bool partial_wheel;       /* a pointer was sent part of a wheel notch: never
				   * taken over (vdev_adopt) */
	int write_error;          /* the last failed input write (-errno), 0 = none */
	uint64_t created_ns, ready_ns;
	uint64_t deadline_ns; /* start or ready timeout, 0 = none */

	char devpath[256]; /* "/devices/virtual/misc/uhid/0003:16C0:27DB.0001" */
	char evdev[VDEV_MAX_EVDEV][32];
	long evdev_input[VDEV_MAX_EVDEV]; /* each node's inputM: the order they were made */
	int n_evdev;
	char hidraw[32];

	uint8_t leds;               /* as clients see them: without the probe's bit */
	uint8_t led_probe;          /* vdev-leds.c */
	uint8_t led_write;          /* a Scroll Lock write for vdev_flush_led_writes */
	bool led_synced;            /* a reader wrote the keyboard's LED state */
	uint64_t led_late_until_ns; /* reported on its settle, the probe's bit kept for
				     * a late LED write until then, 0 = not */
	uint8_t multiplier[2];      /* the feature report as the kernel last set it */

	/* the last input report sent per report ID, for GET_REPORT and reset */
	uint8_t last_keyboard[VHID_KEYBOARD_REPORT_SIZE];
	uint8_t last_consumer[VHID_KEYS_REPORT_SIZE];
	uint8_t last_system[VHID_KEYS_REPORT_SIZE];
	uint8_t last_pointer[VHID_POINTER_REPORT_SIZE];
	/* consumer keys come from three reports; the kernel sees their union */
	uint16_t consumer_keys[VHID_MAX_KEYS];
	uint16_t apple_top_case[VHID_MAX_KEYS];
	uint16_t apple_keyboard[VHID_MAX_KEYS];
	/* system-control keys the client posted (report 7); the kernel sees them plus
	 * the power-type keys of reports 1 and 2 (usage_power_translation) */
	uint16_t system_keys[VHID_MAX_KEYS];
};

/*
 * Open file descriptions of one /dev/input/eventN, counted from inotify (§21).
 * "announced": udev has processed the node (its database entry exists), so it
 * is public; opens before that are udev's own. Closes are matched oldest first:
 * those of a removed node of the same name, then early opens, then readers.
 */
struct vdev_node {
	unsigned int early;   /* opened before the node was announced, still open */
	unsigned int readers; /* opened after, still open: programs that use the device */
	unsigned int stale;   /* still open on a removed node that had this name */
	bool announced;
	uint64_t announced_ns;
	uint64_t settle_ns;    /* the settle, from how long the first reader took (count_open) */
	uint64_t last_open_ns; /* the last reader's open */
	/* vhidd's own open and close (vdev_node_write_led), not yet reported */
	unsigned int own_opens, own_closes;
};

struct vdev_ctx {
	int epfd;
	int uevent_fd;           /* -1: no uevents, poll sysfs instead */
	int inotify_fd;          /* opens and closes of the evdev nodes by user space */
	int input_wd;            /* the watch on /dev/input, -1 = none */
	int dev_wd;              /* the watch on /dev while /dev/input does not exist, -1 = none */
	int udev_wd;             /* the watch on udev's database, -1 = udev not running */
	bool readers_ok;         /* false: readers cannot be counted (GET_STATUS says so) */
	struct vdev_node *nodes; /* /dev/input/eventN by N */
	size_t n_nodes;
	int timer_fd;
	char uhid_path[256];
	uint64_t start_timeout_ns, ready_timeout_ns, linger_ns, keep_ns;
	struct vdev *devices;
	struct vdev *graveyard; /* destroyed during dispatch, freed after it */
	int dispatching;
	int reaper_pipe[2]; /* fds of devices to UHID_DESTROY, to the reaper thread */
	pthread_t reaper;
	bool reaper_started;
	bool led_writes_due;       /* some device's led_write is set */
	bool led_probe;            /* vdev_ctx_set_led_probe */
	bool leds_written;         /* a reader has written a keyboard's LED state (vdev-leds.c) */
	uint64_t led_write_max_ns; /* the longest from a first reader to its LED write */
	bool standby_on;           /* vdev_ctx_set_standby */
	bool standby_failed;       /* making it failed: not again until the next set */
	unsigned int standby_serial;
};

/* vdev.c */
void vdev_arm_timer(struct vdev_ctx *ctx);
int vdev_uhid_write(struct vdev *dev, const struct uhid_event *ev, size_t len);
int vdev_send_input(struct vdev *dev, const uint8_t *data, size_t len);
void vdev_fail(struct vdev *dev, int error, const char *why);
void vdev_check_ready(struct vdev *dev);
/* One event the kernel sent (read from the device's fd); the fuzz harnesses call it too,
 * since a pipe that stands in for /dev/uhid cannot address one device of several. */
void vdev_handle_uhid_event(struct vdev *dev, const struct uhid_event *ev);

/* vdev-standby.c: the standby keyboard */
void vdev_standby_make(struct vdev_ctx *ctx);
void vdev_standby_failed(struct vdev *dev);
/* A released keyboard of the standby's identity becomes the standby where there is
 * none: true, and it is no longer lingering. */
bool vdev_standby_recycle(struct vdev *dev);
/* The standby, now params->owner's; NULL if there is none ready or params differ. */
struct vdev *vdev_standby_take(struct vdev_ctx *ctx, const struct vdev_params *params);

/* vdev-leds.c: LED state and the LED probe */
void vdev_led_probe_start(struct vdev *dev);
bool vdev_led_probe_pending(const struct vdev *dev);
void vdev_led_probe_settled(struct vdev *dev);
void vdev_led_probe_expire(struct vdev *dev, uint64_t now);
void vdev_led_probe_reader_came(struct vdev *dev, uint64_t now);
void vdev_led_output(struct vdev *dev, uint8_t leds);
void vdev_flush_led_writes(struct vdev_ctx *ctx);

/* vdev-nodes.c: the kernel's uevents, the sysfs fallback, and readers by inotify */
void vdev_handle_uevent(struct vdev_ctx *ctx, const struct uevent *ue);
void vdev_dispatch_uevents(struct vdev_ctx *ctx);
void vdev_resolve_sysfs(struct vdev *dev);
void vdev_watch_input_dir(struct vdev_ctx *ctx);
void vdev_watch_udev(struct vdev_ctx *ctx);
void vdev_node_added(struct vdev_ctx *ctx, const char *name);
void vdev_update_readers(struct vdev_ctx *ctx, const char *name);
void vdev_settle_readers(struct vdev *dev, uint64_t now);
void vdev_note_led_write(struct vdev *dev);
void vdev_readers_enabled(struct vdev *dev);
bool vdev_node_public(const struct vdev *dev);
int vdev_node_write_led(struct vdev *dev, unsigned int led, bool on);
void vdev_dispatch_inotify(struct vdev_ctx *ctx);

#endif
