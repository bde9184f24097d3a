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
 * debug-events, Xorg with all LEDs off) waits out the settle twice instead, and
 * the probe ends there.
 * Clients never see the probe's bit. (An input report cannot set the LED from
 * the device side: hid-input drops a usage it has already mapped, so Scroll
 * Lock as an input would take it from the LED output report.)
 */
#include "vdev-private.h"

#include <errno.h>
#include <linux/input.h>
#include <string.h>

#include "descriptor.h"
#include "log.h"

enum {
	PROBE_NONE = 0, /* not started: a pointer, or a keyboard not yet public */
	PROBE_SENT,     /* Scroll Lock set; its echo not yet seen */
	PROBE_ECHOED,   /* the echo seen; the next output report is a reader's */
	PROBE_DONE,
};

static void
set_leds(struct vdev *dev, uint8_t leds)
{
	if (leds == dev->leds)
		return;
	dev->leds = leds;
	if (dev->listener && dev->listener->leds)
		dev->listener->leds(dev, leds, dev->data);
}

static int
set_scroll_lock(struct vdev *dev, bool on)
{
	return vdev_node_write_led(dev, LED_SCROLLL, on);
}

/* When the keyboard is ready and its main node public (announced by udev). */
void
vdev_led_probe_start(struct vdev *dev)
{
	int r;

	if (dev->params.kind != VHID_DEVICE_KEYBOARD || dev->led_probe != PROBE_NONE ||
	    !dev->ready || !vdev_node_public(dev))
		return;
	dev->led_probe = PROBE_SENT;
	if ((r = set_scroll_lock(dev, true)) < 0) {
		/* e.g. an installed udev rule older than this vhidd: the settle alone */
		log_debug("%s: cannot write the LEDs of %s (%s): readiness from opens only",
			  dev->params.label, dev->evdev[0], strerror(-r));
		dev->led_probe = PROBE_DONE;
	}
}

bool
vdev_led_probe_pending(const struct vdev *dev)
{
	return dev->led_probe == PROBE_SENT || dev->led_probe == PROBE_ECHOED;
}

void
vdev_led_probe_end(struct vdev *dev)
{
	if (!vdev_led_probe_pending(dev))
		return;
	dev->led_probe = PROBE_DONE;
	set_scroll_lock(dev, false);
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
	if (!vdev_led_probe_pending(dev)) {
		set_leds(dev, leds);
		return;
	}
	if (dev->led_probe == PROBE_SENT && scroll) {
		dev->led_probe = PROBE_ECHOED; /* the probe's own echo */
		log_debug("%s: LED probe echoed", dev->params.label);
	} else {
		/* a reader wrote its LED state: a desktop has enabled the keyboard */
		log_debug("%s: LED state written by a reader", dev->params.label);
		dev->led_probe = PROBE_DONE;
		dev->led_synced = true;
		if (scroll)
			set_scroll_lock(dev, false);
		vdev_readers_enabled(dev);
		if (dev->dead)
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
