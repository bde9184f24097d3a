/*
 * test-keyboard: the keyboard report (ID 1) as the kernel reports it on evdev.
 * Modifier bits, a set of keyboard-page usages, 32 keys held at once, key-up.
 */
#include <linux/input.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "usage.h"
#include "vmtest.h"

static const struct {
	uint8_t bit;
	int key;
} modifiers[] = {
	{VHID_MOD_LEFT_CTRL, KEY_LEFTCTRL},   {VHID_MOD_LEFT_SHIFT, KEY_LEFTSHIFT},
	{VHID_MOD_LEFT_ALT, KEY_LEFTALT},     {VHID_MOD_LEFT_META, KEY_LEFTMETA},
	{VHID_MOD_RIGHT_CTRL, KEY_RIGHTCTRL}, {VHID_MOD_RIGHT_SHIFT, KEY_RIGHTSHIFT},
	{VHID_MOD_RIGHT_ALT, KEY_RIGHTALT},   {VHID_MOD_RIGHT_META, KEY_RIGHTMETA},
};

static void
test_modifiers(struct vt_dev *kb)
{
	char name[64];

	for (size_t i = 0; i < 8; i++) {
		struct input_event down = EV(EV_KEY, modifiers[i].key, 1);
		struct input_event up = EV(EV_KEY, modifiers[i].key, 0);

		snprintf(name, sizeof(name), "modifier.0x%02x.down", modifiers[i].bit);
		vt_post_keyboard(kb, modifiers[i].bit, NULL, 0);
		vt_expect_frame(kb, name, &down, 1, 1000);
		snprintf(name, sizeof(name), "modifier.0x%02x.up", modifiers[i].bit);
		vt_post_keyboard(kb, 0, NULL, 0);
		vt_expect_frame(kb, name, &up, 1, 1000);
	}
	/* all eight in one report, then all released */
	struct input_event all[8], none[8];
	for (size_t i = 0; i < 8; i++) {
		all[i] = EV(EV_KEY, modifiers[i].key, 1);
		none[i] = EV(EV_KEY, modifiers[i].key, 0);
	}
	vt_post_keyboard(kb, 0xff, NULL, 0);
	vt_expect_frame(kb, "modifier.all.down", all, 8, 1000);
	vt_post_keyboard(kb, 0, NULL, 0);
	vt_expect_frame(kb, "modifier.all.up", none, 8, 1000);
}

static void
test_usages(struct vt_dev *kb)
{
	static const struct {
		uint16_t usage;
		int key;
	} cases[] = {
		{0x04, KEY_A},     {0x28, KEY_ENTER}, {0x39, KEY_CAPSLOCK},
		{0x64, KEY_102ND}, {0x87, KEY_RO},    {0x90, KEY_HANGEUL},
	};
	char name[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct input_event down = EV(EV_KEY, cases[i].key, 1),
				   up = EV(EV_KEY, cases[i].key, 0);

		snprintf(name, sizeof(name), "usage.0x%02x.%s.down", cases[i].usage,
			 libevdev_event_code_get_name(EV_KEY, cases[i].key));
		vt_post_keyboard(kb, 0, &cases[i].usage, 1);
		vt_expect_frame(kb, name, &down, 1, 1000);
		snprintf(name, sizeof(name), "usage.0x%02x.up", cases[i].usage);
		vt_post_keyboard(kb, 0, NULL, 0);
		vt_expect_frame(kb, name, &up, 1, 1000);
	}
	/* Caps Lock toggled the VT's lock state; toggle it back for later tests */
	vt_post_keyboard(kb, 0, &cases[2].usage, 1);
	vt_post_keyboard(kb, 0, NULL, 0);
	vt_wait_event(kb, EV_KEY, KEY_CAPSLOCK, 0, 1000);
}

/*
 * 32 keys held at once. They are pressed one report at a time, the way a
 * keyboard does it: one report changing 32 keys makes 65 evdev events, more
 * than the 64 a keyboard's evdev client buffer holds (see DESIGN.md).
 */
static void
test_32_keys(struct vt_dev *kb)
{
	uint16_t keys[VHID_MAX_KEYS] = {0};
	unsigned long state[KEY_CNT / (8 * sizeof(long)) + 1];
	int pressed = 0, down = 0, released = 0;
	uint16_t usage = 0x04;

	for (int i = 0; i < VHID_MAX_KEYS; i++, usage++) {
		if (usage == 0x39) /* skip Caps Lock: it would toggle the LED */
			usage++;
		vhid_keys_insert(keys, usage);
		vt_post_keyboard(kb, 0, keys, VHID_MAX_KEYS);
		pressed += vt_wait_event(kb, EV_KEY, usage_keyboard_key(usage), 1, 1000);
	}
	vt_check(pressed == 32, "keys32.each.pressed", "%d of 32 key-down events", pressed);
	/* what the kernel holds as down right now */
	memset(state, 0, sizeof(state));
	ioctl(kb->evfd, EVIOCGKEY(sizeof(state)), state);
	for (int i = 0; i < VHID_MAX_KEYS; i++) {
		int k = usage_keyboard_key(keys[i]);
		down += (state[k / (8 * sizeof(long))] >> (k % (8 * sizeof(long)))) & 1;
	}
	vt_check(down == 32, "keys32.held.at.once", "EVIOCGKEY shows %d of 32 held", down);
	for (int i = 0; i < VHID_MAX_KEYS; i++) {
		int k = usage_keyboard_key(keys[i]);
		vhid_keys_erase(keys, keys[i]);
		vt_post_keyboard(kb, 0, keys, VHID_MAX_KEYS);
		released += vt_wait_event(kb, EV_KEY, k, 0, 1000);
	}
	vt_check(released == 32, "keys32.each.released", "%d of 32 key-up events", released);
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
	test_modifiers(&kb);
	test_usages(&kb);
	test_32_keys(&kb);
	vt_destroy(&kb);
	return vt_finish();
}
