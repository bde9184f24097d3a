/*
 * test-consumer: consumer keys (report 2), system control (report 7) and the
 * Apple vendor translations (reports 3 and 4), as the kernel reports them;
 * the power-type keys on the keyboard's own System Control node, and a main
 * node that is a keyboard only (no power-type keys, no axes).
 */
#include <stdio.h>
#include <string.h>

#include "usage.h"
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
	/* power-type usages of reports 1 and 2 arrive as System Control keys */
	{VHID_REPORT_KEYBOARD, 0x66, KEY_POWER, "keyboard-page.power"},
	{VHID_REPORT_KEYBOARD, 0xf8, KEY_SLEEP, "keyboard-page.sleep"},
	{VHID_REPORT_CONSUMER, 0x030, KEY_POWER, "consumer.power"},
	{VHID_REPORT_CONSUMER, 0x031, KEY_RESTART, "consumer.reset"},
	{VHID_REPORT_CONSUMER, 0x032, KEY_SLEEP, "consumer.sleep"},
	/* Apple usages arrive translated to their standard equivalents */
	{VHID_REPORT_APPLE_KEYBOARD, 0x01, KEY_SEARCH, "apple.spotlight-to-search"},
	{VHID_REPORT_APPLE_KEYBOARD, 0x10, KEY_SCALE, "apple.mission-control-to-scale"},
	{VHID_REPORT_APPLE_KEYBOARD, 0x04, KEY_ALL_APPLICATIONS, "apple.launchpad"},
	{VHID_REPORT_APPLE_KEYBOARD, 0x20, KEY_BRIGHTNESSUP, "apple.keyboard-brightness-up"},
	{VHID_REPORT_APPLE_KEYBOARD, 0x30, KEY_KBD_LAYOUT_NEXT, "apple.language"},
	{VHID_REPORT_APPLE_TOP_CASE, 0x05, KEY_BRIGHTNESSDOWN, "apple.top-case-brightness-down"},
	{VHID_REPORT_APPLE_TOP_CASE, 0x08, KEY_KBDILLUMUP, "apple.illumination-up"},
};

static struct vt_dev sysnode; /* the keyboard's "<name> System Control" node */

static int
post(struct vt_dev *kb, uint8_t report, const uint16_t *usage, int n)
{
	if (report == VHID_REPORT_KEYBOARD)
		return vt_post_keyboard(kb, 0, usage, n);
	return vt_post_keys(kb, report, usage, n);
}

static void
press_release(struct vt_dev *kb, const struct key_case *c)
{
	char name[96];
	struct input_event down = EV(EV_KEY, c->key, 1), up = EV(EV_KEY, c->key, 0);
	bool power =
		c->report == VHID_REPORT_SYSTEM || usage_power_translation(c->report, c->usage);
	struct vt_dev *node = power ? &sysnode : kb;

	snprintf(name, sizeof(name), "%s.down", c->name);
	if (post(kb, c->report, &c->usage, 1) < 0)
		vt_fail(name, "post rejected");
	else
		vt_expect_frame(node, name, &down, 1, 1000);
	snprintf(name, sizeof(name), "%s.up", c->name);
	post(kb, c->report, NULL, 0);
	vt_expect_frame(node, name, &up, 1, 1000);
	if (power) {
		snprintf(name, sizeof(name), "%s.not-on-main-node", c->name);
		vt_quiet(kb, 50) ? vt_pass(name) : vt_fail(name, "the main node reported it too");
	}
}

/* A keyboard held sleep (report 7) while its keyboard-page power key comes and goes. */
static void
merged_system(struct vt_dev *kb)
{
	uint16_t sleep = 0x82, power = 0x66;
	struct input_event power_down = EV(EV_KEY, KEY_POWER, 1);
	struct input_event power_up = EV(EV_KEY, KEY_POWER, 0);
	struct input_event sleep_up = EV(EV_KEY, KEY_SLEEP, 0);

	vt_post_keys(kb, VHID_REPORT_SYSTEM, &sleep, 1);
	vt_wait_event(&sysnode, EV_KEY, KEY_SLEEP, 1, 1000);
	vt_post_keyboard(kb, 0, &power, 1);
	vt_expect_frame(&sysnode, "merge.power-while-sleep-held", &power_down, 1, 1000);
	vt_post_keyboard(kb, 0, NULL, 0);
	vt_expect_frame(&sysnode, "merge.sleep-still-held", &power_up, 1, 1000);
	vt_post_keys(kb, VHID_REPORT_SYSTEM, NULL, 0);
	vt_expect_frame(&sysnode, "merge.sleep-released", &sleep_up, 1, 1000);
}

/* What logind and the desktop see: the main node named as asked, with keys
 * only; the second node named "<name> System Control", with the power keys. */
static void
nodes(struct vt_dev *kb, const char *name)
{
	static const int power_keys[] = {KEY_POWER, KEY_POWER2, KEY_SLEEP, KEY_SUSPEND,
					 KEY_RESTART};
	char want[160];
	bool none = true;

	for (size_t i = 0; i < sizeof(power_keys) / sizeof(power_keys[0]); i++)
		none &= !libevdev_has_event_code(kb->evdev, EV_KEY, power_keys[i]);
	vt_check(none, "main-node.no-power-keys", "the main node has a power-type key");
	vt_check(!libevdev_has_event_type(kb->evdev, EV_ABS) &&
			 !libevdev_has_event_type(kb->evdev, EV_REL),
		 "main-node.no-axes", "the main node has EV_ABS or EV_REL");
	vt_check(strcmp(libevdev_get_name(kb->evdev), name) == 0, "main-node.name", "'%s'",
		 libevdev_get_name(kb->evdev));
	snprintf(want, sizeof(want), "%s System Control", name);
	vt_check(strcmp(libevdev_get_name(sysnode.evdev), want) == 0, "system-node.name", "'%s'",
		 libevdev_get_name(sysnode.evdev));
	vt_check(libevdev_has_event_code(sysnode.evdev, EV_KEY, KEY_POWER) &&
			 libevdev_has_event_code(sysnode.evdev, EV_KEY, KEY_SLEEP),
		 "system-node.power-keys", "KEY_POWER or KEY_SLEEP missing");
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
	if (!vt_check(vt_open_system_node(&kb, &sysnode) == 0, "keyboard.system-node",
		      "no second node"))
		return vt_finish();
	nodes(&kb, p.name);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		press_release(&kb, &cases[i]);
	merged_sources(&kb);
	merged_system(&kb);
	vt_close_evdev(&sysnode);
	vt_destroy(&kb);
	return vt_finish();
}
