/*
 * test-leds: LED state written to the evdev node (what a compositor does)
 * reaches the device layer's LED callback as UHID_OUTPUT, with the right bits.
 */
#include <stdio.h>

#include "vmtest.h"

static bool
wait_leds(struct vt_dev *kb, uint8_t want)
{
	uint64_t end = monotonic_ms() + (uint64_t)vt_bound(2000);

	while (kb->leds != want && monotonic_ms() < end)
		vt_pump(20);
	return kb->leds == want;
}

static void
set_led(struct vt_dev *kb, const char *name, unsigned int led, uint8_t expect)
{
	libevdev_kernel_set_led_value(kb->evdev, led, LIBEVDEV_LED_ON);
	vt_check(wait_leds(kb, expect), name, "LED bits 0x%02x, want 0x%02x", kb->leds, expect);
}

int
main(void)
{
	struct vdev_params p;
	struct vt_dev kb;
	uint8_t all = 0;

	vt_params(&p, VHID_DEVICE_KEYBOARD);
	if (!vt_check(vt_create(&kb, &p) == 0, "keyboard.create", "no keyboard"))
		return vt_finish();
	vt_pump(50); /* let the VT's own initial LED report arrive first */
	/* start from a known state: everything off */
	libevdev_kernel_set_led_values(kb.evdev, LED_NUML, LIBEVDEV_LED_OFF, LED_CAPSL,
				       LIBEVDEV_LED_OFF, LED_SCROLLL, LIBEVDEV_LED_OFF, LED_COMPOSE,
				       LIBEVDEV_LED_OFF, LED_KANA, LIBEVDEV_LED_OFF, -1);
	vt_check(wait_leds(&kb, 0), "leds.all-off", "LED bits 0x%02x", kb.leds);

	set_led(&kb, "leds.capslock", LED_CAPSL, all |= VHID_LED_CAPS_LOCK);
	set_led(&kb, "leds.numlock", LED_NUML, all |= VHID_LED_NUM_LOCK);
	set_led(&kb, "leds.scrolllock", LED_SCROLLL, all |= VHID_LED_SCROLL_LOCK);
	set_led(&kb, "leds.compose", LED_COMPOSE, all |= VHID_LED_COMPOSE);
	set_led(&kb, "leds.kana", LED_KANA, all |= VHID_LED_KANA);
	libevdev_kernel_set_led_value(kb.evdev, LED_CAPSL, LIBEVDEV_LED_OFF);
	vt_check(wait_leds(&kb, all & ~VHID_LED_CAPS_LOCK), "leds.capslock-off", "LED bits 0x%02x",
		 kb.leds);
	vt_check(vdev_get_leds(kb.dev) == kb.leds, "leds.state-kept", "device holds 0x%02x",
		 vdev_get_leds(kb.dev));
	libevdev_kernel_set_led_values(kb.evdev, LED_NUML, LIBEVDEV_LED_OFF, LED_SCROLLL,
				       LIBEVDEV_LED_OFF, LED_COMPOSE, LIBEVDEV_LED_OFF, LED_KANA,
				       LIBEVDEV_LED_OFF, -1);
	vt_check(wait_leds(&kb, 0), "leds.off-again", "LED bits 0x%02x", kb.leds);
	vt_destroy(&kb);
	return vt_finish();
}
