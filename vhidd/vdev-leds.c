/*
 * vdev-leds.c - a keyboard's LED state, and the LED probe that tells vhidd when
 * a desktop has enabled the keyboard (DESIGN §21).
 *
 * An open of the node is not the desktop reading it. Xorg's libinput driver
 * opens a new keyboard (through logind), compiles its keymap, and only then
 * enables it, discarding whatever the kernel queued before (evdev_drain_fd);
 * under TCG that enable came 50 ms after the settle of vdev-nodes.c, and the
 * keys sent in between were lost. Nothing of the enable reaches the device but
 * one thing: a desktop keeps one LED state per seat and writes it to a keyboard
 * it adds, once the keyboard is set up (weston always; Xorg only when its state
 * is not all off). The kernel passes an LED write on to the device only when it
 * changes the LED, so a keyboard whose LEDs are all off learns nothing from a
 * desktop whose LEDs are all off.
 *
 * So once a new keyboard's node is public, vhidd sets its Scroll Lock through
 * the node, as a desktop would (an open that vdev-nodes.c does not count as a
 * reader). The kernel sends that back as an output report: the echo. A desktop
 * that enables the keyboard writes its own Scroll Lock, off but for the rare
 * user of Scroll Lock, and that change is the next output report: the desktop
 * has the keyboard. vhidd reports its reader at once, and clears Scroll Lock if
 * it is still on. A reader that writes no LEDs (evtest, a test rig, libinput
 * debug-events, Xorg with all LEDs off) waits out the settle instead
 * (vdev-nodes.c). The probe's bit stays set after that, until LED_LATE_NS after
 * the first reader: a desktop slower than the settle (weston under stress-ng
 * wrote a new keyboard's LEDs 1.3 s after it was reported) still clears it, and
 * its write still teaches vhidd that this desktop writes LEDs, and how late
 * (vdev_note_led_write). Cleared at the settle, the bit would leave a late
 * desktop's write of Scroll Lock off no change to pass on, and vhidd would keep
 * reporting new keyboards on the short settle. For the same reason a keyboard
 * whose probe has ended gets it again for each new reader, while no reader has
 * written LEDs here (vdev_led_probe_reader_came): the compositor may come long
 * after a keyboard's first reader.
 *
 * Not every output report is a reader's. When the kernel's VT keyboard handler
 * starts on a new keyboard, it sets the LEDs of every keyboard to the VT's
 * state (kbd_start, through the kbd-*lock triggers of input-leds): each new
 * keyboard of vhidd's cleared the Scroll Lock of the others, and reset a Num
 * Lock a desktop had written (busybox tier, 6.1, 2026-12-03). Such a report,
 * while another keyboard of vhidd's binds, neither ends a probe (its bit is set
 * again) nor changes the LEDs a desktop wrote. A keyboard plugged in by anyone
 * else does the same and is not recognised.
 * Clients never see the probe's bit. (An input report cannot set the LED from
 * the device side: hid-input drops a usage it has already mapped, so Scroll
 * Lock as an input would take it from the LED output report.)
 */
#include "vdev-private.h"

#include <linux/input.h>
#include <string.h>

#include "clock.h"
#include "descriptor.h"
#include "log.h"

enum {
	PROBE_NONE = 0, /* not started: a pointer, or a keyboard not yet public */
	PROBE_DUE,      /* to be set at the end of this dispatch (flush_led_writes) */
	PROBE_SENT,     /* Scroll Lock set; its echo not yet seen */
	PROBE_ECHOED,   /* the echo seen; the next output report is a reader's */
	PROBE_DONE,
};

/*
 * How long after a keyboard's first reader a desktop's LED write still teaches
 * vhidd (the probe's bit kept): as long as vhidd ever waits for one (led_wait_ns).
 */
#define LED_LATE_NS (10000 * 1000000ull)

/*
 * How long after another keyboard is ready an output report may still be the
 * kernel's VT state (see above): the report is queued during that keyboard's
 * bind, by a work item, and read in whatever order the uhid fds come.
 */
#define BIND_ECHO_NS (200 * 1000000ull)

enum { WRITE_NONE = 0, WRITE_ON, WRITE_OFF };

static void
set_leds(struct vdev *dev, uint8_t leds)
{
	if (leds == dev->leds)
		return;
	dev->leds = leds;
	if (dev->listener && dev->listener->leds)
		dev->listener->leds(dev, leds, dev->data);
}

/* Scroll Lock is written after the dispatch that decided it (vdev_flush_led_writes). */
static void
queue_scroll_lock(struct vdev *dev, bool on)
{
	dev->led_write = on ? WRITE_ON : WRITE_OFF;
	dev->ctx->led_writes_due = true;
}

/* When the keyboard is ready and its main node public (announced by udev). */
void
vdev_led_probe_start(struct vdev *dev)
{
	if (!dev->ctx->led_probe || dev->params.kind != VHID_DEVICE_KEYBOARD ||
	    dev->led_probe != PROBE_NONE || !dev->ready || !vdev_node_public(dev))
		return;
	dev->led_probe = PROBE_DUE;
	queue_scroll_lock(dev, true);
}

/* The probe's bit is set in the kernel (its echo seen or not). */
static bool
probe_written(const struct vdev *dev)
{
	return dev->led_probe == PROBE_SENT || dev->led_probe == PROBE_ECHOED;
}

/* Set, its reader not yet reported: a desktop's write would be its enable. */
bool
vdev_led_probe_pending(const struct vdev *dev)
{
	return !dev->led_late_until_ns && (dev->led_probe == PROBE_DUE || probe_written(dev));
}

static void
end_probe(struct vdev *dev)
{
	if (dev->led_probe == PROBE_DUE)
		dev->led_write = WRITE_NONE; /* never set: nothing to clear */
	else if (probe_written(dev))
		queue_scroll_lock(dev, false);
	dev->led_probe = PROBE_DONE;
	dev->led_late_until_ns = 0;
}

/*
 * The reader was reported on its settle, with no LED write: the bit stays for a
 * late desktop write until LED_LATE_NS after the first reader (see above).
 */
void
vdev_led_probe_settled(struct vdev *dev)
{
	if (!vdev_led_probe_pending(dev))
		return;
	if (dev->led_probe == PROBE_DUE || !dev->first_read_ns) {
		end_probe(dev);
		return;
	}
	dev->led_late_until_ns = dev->first_read_ns + LED_LATE_NS;
	vdev_arm_timer(dev->ctx);
}

/*
 * A reader came to a keyboard whose probe has ended, where no reader has written
 * LEDs yet. A keyboard made before the session (the standby, made when vhidd
 * starts) is first opened by whatever comes first, logind at boot, and its probe
 * ends LED_LATE_NS after that, long before the compositor opens it: the
 * compositor's write then changes no LED and teaches nothing, and the session's
 * first new keyboard is reported on its settle. Under stress-ng that was 236 ms
 * before weston's write, and its first character was lost (bookworm, 2026-12-03).
 * So the bit is set again for the new reader, to learn from only: late from the
 * start, the probe holds back no report, and it ends as a late one does.
 */
void
vdev_led_probe_reader_came(struct vdev *dev, uint64_t now)
{
	if (!dev->ctx->led_probe || dev->ctx->leds_written || dev->led_probe != PROBE_DONE ||
	    dev->params.kind != VHID_DEVICE_KEYBOARD || dev->dead || dev->failed)
		return;
	log_debug("%s: a new reader, and no reader has written LEDs here yet: the probe "
		  "set again",
		  dev->params.label);
	dev->led_probe = PROBE_DUE;
	dev->first_read_ns = now;
	dev->led_late_until_ns = now + LED_LATE_NS;
	queue_scroll_lock(dev, true);
	vdev_arm_timer(dev->ctx);
}

/* No desktop wrote the LEDs in time: clear the probe's bit (a dispatch_timer). */
void
vdev_led_probe_expire(struct vdev *dev, uint64_t now)
{
	if (!dev->led_late_until_ns || now < dev->led_late_until_ns)
		return;
	log_debug("%s: no LED write by a reader within %.0f ms; Scroll Lock cleared",
		  dev->params.label, (double)LED_LATE_NS / 1e6);
	end_probe(dev);
}

static void
flush_device(struct vdev *dev)
{
	int write = dev->led_write, r;

	dev->led_write = WRITE_NONE;
	if (dev->dead || write == WRITE_NONE)
		return;
	r = vdev_node_write_led(dev, LED_SCROLLL, write == WRITE_ON);
	if (write == WRITE_ON && dev->led_probe == PROBE_DUE)
		dev->led_probe = r < 0 ? PROBE_DONE : PROBE_SENT;
	if (r < 0)
		/* e.g. an installed udev rule older than this vhidd: the settle alone */
		log_debug("%s: cannot write the LEDs of %s (%s): readiness from opens only",
			  dev->params.label, dev->evdev[0], strerror(-r));
}

/*
 * The LED writes decided during a dispatch, done at its end. inotify merges an
 * event with the one before it if that is identical and not yet read: an open of
 * ours right behind another program's open of the same node would become one,
 * and that program would never be counted as a reader. So inotify's queue is
 * read first; then each write opens and closes the node at once.
 */
void
vdev_flush_led_writes(struct vdev_ctx *ctx)
{
	for (int round = 0; round < 4 && ctx->led_writes_due; round++) {
		ctx->led_writes_due = false;
		if (ctx->inotify_fd >= 0)
			vdev_dispatch_inotify(ctx);
		for (struct vdev *d = ctx->devices; d; d = d->next)
			flush_device(d);
	}
}

/*
 * Whether another keyboard of vhidd's is binding, or has just bound (see above):
 * from its creation on, since its UHID_START may be read after this report.
 */
static bool
other_keyboard_binding(const struct vdev *dev)
{
	uint64_t now = monotonic_ns();

	for (const struct vdev *d = dev->ctx->devices; d; d = d->next)
		if (d != dev && d->params.kind == VHID_DEVICE_KEYBOARD && !d->failed && !d->dead &&
		    (!d->ready || now < d->created_ns + d->ready_ns + BIND_ECHO_NS))
			return true;
	return false;
}

/*
 * An output report that may be the kernel's VT state, not a reader's: true when
 * it is taken for that and handled (the probe's bit set again, a desktop's LEDs
 * kept).
 */
static bool
kernel_vt_state(struct vdev *dev, uint8_t leds)
{
	bool probing = probe_written(dev);

	if ((!probing && !dev->led_synced) || !other_keyboard_binding(dev))
		return false;
	log_debug("%s: LED output 0x%02x while another keyboard binds: the kernel's VT "
		  "state, not a reader's%s",
		  dev->params.label, leds,
		  probing && !(leds & VHID_LED_SCROLL_LOCK) ? "; the probe set again" : "");
	if (probing && !(leds & VHID_LED_SCROLL_LOCK)) {
		dev->led_probe = PROBE_DUE;
		queue_scroll_lock(dev, true);
	}
	return true;
}

/* An LED output report: the kernel's LED state of the keyboard, all bits. */
void
vdev_led_output(struct vdev *dev, uint8_t leds)
{
	bool scroll;

	leds &= LED_MASK;
	scroll = leds & VHID_LED_SCROLL_LOCK;
	/* debug only: Caps Lock toggling is its user's typing (issue 13 A.2) */
	log_debug("%s: LED output 0x%02x%s%s%s%s%s%s", dev->params.label, leds,
		  leds & VHID_LED_NUM_LOCK ? " num" : "", leds & VHID_LED_CAPS_LOCK ? " caps" : "",
		  scroll ? " scroll" : "", leds & VHID_LED_COMPOSE ? " compose" : "",
		  leds & VHID_LED_KANA ? " kana" : "",
		  dev->led_probe == PROBE_SENT     ? " (probe sent)"
		  : dev->led_probe == PROBE_ECHOED ? " (probe echoed)"
						   : "");
	if (kernel_vt_state(dev, leds))
		return;
	if (!probe_written(dev)) {
		set_leds(dev, leds);
		return;
	}
	if (dev->led_probe == PROBE_SENT && scroll) {
		dev->led_probe = PROBE_ECHOED; /* the probe's own echo */
		log_debug("%s: LED probe echoed", dev->params.label);
	} else {
		/* a reader wrote its LED state: a desktop has enabled the keyboard */
		bool late = dev->led_late_until_ns != 0;

		log_debug("%s: LED state written by a reader%s", dev->params.label,
			  late ? ", after its settle" : "");
		dev->led_probe = PROBE_DONE;
		dev->led_late_until_ns = 0;
		dev->led_synced = true;
		dev->ctx->leds_written = true; /* the desktop here does (vdev-nodes.c) */
		vdev_note_led_write(dev);
		if (scroll)
			queue_scroll_lock(dev, false);
		/* the LEDs before the reader: a client that waits for the reader
		 * then types for the desktop's lock state, with no wait of its own
		 * for a LEDS push (PROTOCOL 3.16) */
		set_leds(dev, leds & (uint8_t)~VHID_LED_SCROLL_LOCK);
		if (!late)
			vdev_readers_enabled(dev);
		return;
	}
	/* the probe's bit is not the user's */
	set_leds(dev, leds & (uint8_t)~VHID_LED_SCROLL_LOCK);
}

bool
vdev_leds_synced(const struct vdev *dev)
{
	return dev && dev->led_synced;
}

void
vdev_ctx_set_led_probe(struct vdev_ctx *ctx, bool on)
{
	ctx->led_probe = on;
}
