/*
 * test-keymap: every entry of vhid's usage tables (common/usage.c) against
 * the code this kernel actually emits. The tables feed the docs, the
 * KEY_* -> usage lookup of libvhid and vhidctl's key names, so a kernel that
 * maps differently must fail here. Prints the verified counts per page.
 */
#include <stdio.h>

#include "usage.h"
#include "vmtest.h"

static int mismatches;
static struct vt_dev sysnode; /* the keyboard's System Control node */

/* Power-type usages and report 7 come out of the System Control node (descriptor.c). */
static struct vt_dev *
node_of(struct vt_dev *kb, uint8_t report, uint16_t usage)
{
	if (report == VHID_REPORT_SYSTEM || usage_power_translation(report, usage))
		return &sysnode;
	return kb;
}

static void
check_one(struct vt_dev *main_node, uint8_t report, uint16_t usage, int want)
{
	struct input_event got[64];
	struct vt_dev *kb = node_of(main_node, report, usage);
	int n;

	if (report == VHID_REPORT_KEYBOARD)
		vt_post_keyboard(main_node, 0, &usage, 1);
	else
		vt_post_keys(main_node, report, &usage, 1);
	/* the post is synchronous: an event, if any, is already on evdev */
	n = vt_read_frame(kb, got, 64, want ? vt_bound(1000) : 100);
	if (want == 0
		    ? n != 0
		    : n != 1 || got[0].type != EV_KEY || got[0].code != want || got[0].value != 1) {
		printf("# report %u usage 0x%03x: want %s, got %s\n", report, usage,
		       want ? libevdev_event_code_get_name(EV_KEY, want) : "nothing",
		       n > 0 ? vt_event_str(&got[0]) : "nothing");
		mismatches++;
	}
	if (report == VHID_REPORT_KEYBOARD)
		vt_post_keyboard(main_node, 0, NULL, 0);
	else
		vt_post_keys(main_node, report, NULL, 0);
	if (want)
		vt_wait_event(kb, EV_KEY, want, 0, 1000);
}

int
main(void)
{
	struct vdev_params p;
	struct vt_dev kb;
	const struct usage_key *t;
	unsigned int n;
	int before;

	vt_params(&p, VHID_DEVICE_KEYBOARD);
	if (!vt_check(vt_create(&kb, &p) == 0, "keyboard.create", "no keyboard") ||
	    !vt_check(vt_open_system_node(&kb, &sysnode) == 0, "keyboard.system-node",
		      "no System Control node"))
		return vt_finish();

	before = mismatches;
	for (uint16_t u = 0x04; u <= 0xff; u++) {
		if (u == 0x39 || u == 0x53 || u == 0x47) /* lock keys toggle state; done below */
			continue;
		check_one(&kb, VHID_REPORT_KEYBOARD, u, usage_keyboard_key(u));
	}
	vt_check(mismatches == before, "keymap.keyboard-page", "%d usages map differently",
		 mismatches - before);

	before = mismatches;
	t = usage_consumer_table(&n);
	for (unsigned int i = 0; i < n; i++)
		check_one(&kb, VHID_REPORT_CONSUMER, t[i].usage, t[i].key);
	vt_check(mismatches == before, "keymap.consumer", "%d of %u usages map differently",
		 mismatches - before, n);
	printf("# consumer: %u usages verified\n", n);

	before = mismatches;
	t = usage_system_table(&n);
	for (unsigned int i = 0; i < n; i++)
		check_one(&kb, VHID_REPORT_SYSTEM, t[i].usage, t[i].key);
	vt_check(mismatches == before, "keymap.system-control", "%d of %u usages map differently",
		 mismatches - before, n);

	/* the lock keys, each pressed twice so the VT's lock state is unchanged */
	before = mismatches;
	const uint16_t locks[] = {0x39, 0x47, 0x53};
	for (int i = 0; i < 3; i++) {
		check_one(&kb, VHID_REPORT_KEYBOARD, locks[i], usage_keyboard_key(locks[i]));
		check_one(&kb, VHID_REPORT_KEYBOARD, locks[i], usage_keyboard_key(locks[i]));
	}
	vt_check(mismatches == before, "keymap.lock-keys", "%d lock keys map differently",
		 mismatches - before);
	vt_close_evdev(&sysnode);
	vt_destroy(&kb);
	return vt_finish();
}
