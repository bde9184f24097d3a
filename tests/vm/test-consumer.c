/*
 * test-consumer: consumer keys (report 2), system control (report 7) and the
 * Apple vendor translations (reports 3 and 4), as the kernel reports them.
 */
#include <stdio.h>

#include "vmtest.h"

struct key_case {
	uint8_t report;
	uint16_t usage;
	int key;
	const char *name;
};

static const struct key_case cases[] = {
	{VHID_REPORT_CONSUMER, 0xe9, KEY_VOLUMEUP, "consumer.volume-up"},
	{VHID_REPORT_CONSUMER, 0xea, KEY_VOLUMEDOWN, "consumer.volume-down"},
	{VHID_REPORT_CONSUMER, 0xe2, KEY_MUTE, "consumer.mute"},
	{VHID_REPORT_CONSUMER, 0xcd, KEY_PLAYPAUSE, "consumer.play-pause"},
	{VHID_REPORT_CONSUMER, 0xb5, KEY_NEXTSONG, "consumer.next-track"},
	{VHID_REPORT_CONSUMER, 0x6f, KEY_BRIGHTNESSUP, "consumer.brightness-up"},
	{VHID_REPORT_CONSUMER, 0x70, KEY_BRIGHTNESSDOWN, "consumer.brightness-down"},
	{VHID_REPORT_SYSTEM, 0x81, KEY_POWER, "system.power"},
	{VHID_REPORT_SYSTEM, 0x82, KEY_SLEEP, "system.sleep"},
	{VHID_REPORT_SYSTEM, 0x83, KEY_WAKEUP, "system.wake"},
	/* Apple usages arrive translated to their standard equivalents */
	{VHID_REPORT_APPLE_KEYBOARD, 0x01, KEY_SEARCH, "apple.spotlight-to-search"},
	{VHID_REPORT_APPLE_KEYBOARD, 0x10, KEY_SCALE, "apple.mission-control-to-scale"},
	{VHID_REPORT_APPLE_KEYBOARD, 0x04, KEY_ALL_APPLICATIONS, "apple.launchpad"},
	{VHID_REPORT_APPLE_KEYBOARD, 0x20, KEY_BRIGHTNESSUP, "apple.keyboard-brightness-up"},
	{VHID_REPORT_APPLE_KEYBOARD, 0x30, KEY_KBD_LAYOUT_NEXT, "apple.language"},
	{VHID_REPORT_APPLE_TOP_CASE, 0x05, KEY_BRIGHTNESSDOWN, "apple.top-case-brightness-down"},
	{VHID_REPORT_APPLE_TOP_CASE, 0x08, KEY_KBDILLUMUP, "apple.illumination-up"},
};

static void
press_release(struct vt_dev *kb, const struct key_case *c)
{
	char name[96];
	struct input_event down = EV(EV_KEY, c->key, 1), up = EV(EV_KEY, c->key, 0);

	snprintf(name, sizeof(name), "%s.down", c->name);
	if (vt_post_keys(kb, c->report, &c->usage, 1) < 0)
		vt_fail(name, "post rejected");
	else
		vt_expect_frame(kb, name, &down, 1, 1000);
	snprintf(name, sizeof(name), "%s.up", c->name);
	vt_post_keys(kb, c->report, NULL, 0);
	vt_expect_frame(kb, name, &up, 1, 1000);
}

/* Consumer and Apple keys share the kernel's report 2: holding one while the
 * other changes must not release it. */
static void
merged_sources(struct vt_dev *kb)
{
	uint16_t vol = 0xe9, spotlight = 0x01;
	struct input_event search_down = EV(EV_KEY, KEY_SEARCH, 1);
	struct input_event search_up = EV(EV_KEY, KEY_SEARCH, 0);
	struct input_event vol_up = EV(EV_KEY, KEY_VOLUMEUP, 0);

	vt_post_keys(kb, VHID_REPORT_CONSUMER, &vol, 1);
	vt_wait_event(kb, EV_KEY, KEY_VOLUMEUP, 1, 1000);
	vt_post_keys(kb, VHID_REPORT_APPLE_KEYBOARD, &spotlight, 1);
	vt_expect_frame(kb, "merge.apple-while-consumer-held", &search_down, 1, 1000);
	vt_post_keys(kb, VHID_REPORT_APPLE_KEYBOARD, NULL, 0);
	vt_expect_frame(kb, "merge.consumer-still-held", &search_up, 1, 1000);
	vt_post_keys(kb, VHID_REPORT_CONSUMER, NULL, 0);
	vt_expect_frame(kb, "merge.consumer-released", &vol_up, 1, 1000);
}

int
main(void)
{
	struct vdev_params p;
	struct vt_dev kb;
	int r;

	vt_params(&p, VHID_DEVICE_KEYBOARD);
	r = vt_create(&kb, &p);
	if (!vt_check(r == 0, "keyboard.create", "%s", vhid_strerror(r)))
		return vt_finish();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		press_release(&kb, &cases[i]);
	merged_sources(&kb);
	vt_destroy(&kb);
	return vt_finish();
}
