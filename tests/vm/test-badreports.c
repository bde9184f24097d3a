/*
 * test-badreports: every kind of bad report is rejected with its own error
 * before anything reaches the kernel, and the kernel sees no event. Then a
 * good report still works: a rejection affects nothing else.
 */
#include <stdio.h>
#include <string.h>

#include "usage.h"
#include "vmtest.h"

static void
expect_rejected(struct vt_dev *d, const char *name, const uint8_t *buf, size_t len, int want)
{
	char msg[256] = "", label[96];
	int r = vdev_post(d->dev, buf, len, msg, sizeof(msg));

	printf("# %s: %s\n", name, msg);
	snprintf(label, sizeof(label), "%s.error", name);
	vt_check(r == want && msg[0], label, "got %d (%s), want %d (%s); message \"%s\"", r,
		 vhid_error_name(r) ? vhid_error_name(r) : "?", want,
		 vhid_error_name(want) ? vhid_error_name(want) : "?", msg);
	snprintf(label, sizeof(label), "%s.kernel-saw-nothing", name);
	vt_check(vt_quiet(d, 50), label, "an event reached evdev");
}

static void
keyboard_cases(struct vt_dev *kb)
{
	uint8_t buf[VHID_MAX_REPORT_SIZE + 8];
	struct vhid_keyboard_report k = {.keys = {0x04}};
	struct vhid_keys_report c = {.id = VHID_REPORT_CONSUMER};
	int n;

	n = vhid_report_encode_keyboard(&k, buf);
	expect_rejected(kb, "bad.keyboard-length-short", buf, (size_t)n - 1, -VHID_EREPORTLEN);
	expect_rejected(kb, "bad.keyboard-length-long", buf, (size_t)n + 1, -VHID_EREPORTLEN);
	buf[0] = 6;
	expect_rejected(kb, "bad.unknown-report-id", buf, (size_t)n, -VHID_EREPORTID);
	buf[0] = VHID_REPORT_LED;
	expect_rejected(kb, "bad.output-report-id", buf, 2, -VHID_EREPORTID);

	k.keys[3] = 0x1ff;
	n = vhid_report_encode_keyboard(&k, buf);
	expect_rejected(kb, "bad.keyboard-usage-range", buf, (size_t)n, -VHID_EUSAGE);
	k.keys[3] = 0x01;
	n = vhid_report_encode_keyboard(&k, buf);
	expect_rejected(kb, "bad.keyboard-error-rollover", buf, (size_t)n, -VHID_EUSAGEKIND);

	c.keys[0] = 0x300;
	n = vhid_report_encode_keys(&c, buf);
	expect_rejected(kb, "bad.consumer-usage-range", buf, (size_t)n, -VHID_EUSAGE);
	c.keys[0] = 0x238;
	n = vhid_report_encode_keys(&c, buf);
	expect_rejected(kb, "bad.consumer-axis", buf, (size_t)n, -VHID_EUSAGEKIND);
	c.id = VHID_REPORT_SYSTEM;
	c.keys[0] = 0x91; /* D-pad: an axis on Linux */
	n = vhid_report_encode_keys(&c, buf);
	expect_rejected(kb, "bad.system-usage-range", buf, (size_t)n, -VHID_EUSAGE);
	c.id = VHID_REPORT_APPLE_TOP_CASE;
	c.keys[0] = 0x03; /* fn */
	n = vhid_report_encode_keys(&c, buf);
	expect_rejected(kb, "bad.apple-fn-untranslatable", buf, (size_t)n, -VHID_EAPPLE);
}

/* 32 consumer keys held, then one more via an Apple usage: the 33rd key is an error */
static void
thirty_third_key(struct vt_dev *kb)
{
	uint16_t keys[VHID_MAX_KEYS];
	unsigned int n;
	const struct usage_key *t = usage_consumer_table(&n);
	struct vhid_keys_report a = {.id = VHID_REPORT_APPLE_KEYBOARD, .keys = {0x01}};
	uint8_t buf[VHID_MAX_REPORT_SIZE];
	int held = 0;

	/* 32 usages with 32 different keys, none of them KEY_SEARCH, none of them
	 * power-type (those leave on the System Control node) */
	for (unsigned int i = 0, k = 0; k < VHID_MAX_KEYS && i < n; i++) {
		bool dup = t[i].key == KEY_SEARCH ||
			   usage_power_translation(VHID_REPORT_CONSUMER, t[i].usage);
		for (unsigned int j = 0; j < k && !dup; j++)
			dup = usage_consumer_lookup(keys[j])->key == t[i].key;
		if (!dup)
			keys[k++] = t[i].usage;
	}
	for (int i = 1; i <= VHID_MAX_KEYS; i++) {
		vt_post_keys(kb, VHID_REPORT_CONSUMER, keys, i);
		bool ok =
			vt_wait_event(kb, EV_KEY, usage_consumer_lookup(keys[i - 1])->key, 1, 1000);
		if (!ok)
			printf("# no key-down for consumer usage 0x%03x\n", keys[i - 1]);
		held += ok;
	}
	vt_check(held == VHID_MAX_KEYS, "bad.33rd-key.32-held", "%d of 32 consumer keys down",
		 held);
	expect_rejected(kb, "bad.33rd-key", buf, (size_t)vhid_report_encode_keys(&a, buf),
			-VHID_ETOOMANYKEYS);
	vdev_reset(kb->dev);
	vt_wait_event(kb, EV_KEY, usage_consumer_lookup(keys[VHID_MAX_KEYS - 1])->key, 0, 1000);
	while (vt_read_frame(kb, (struct input_event[64]){0}, 64, 50) > 0)
		;
}

static void
pointer_cases(struct vt_dev *m)
{
	uint8_t buf[VHID_MAX_REPORT_SIZE + 8];
	struct vhid_pointer_report p = {.x = -32767};
	int n = vhid_report_encode_pointer(&p, buf);

	expect_rejected(m, "bad.pointer-length", buf, (size_t)n + 2, -VHID_EREPORTLEN);
	buf[0] = VHID_REPORT_MULTIPLIER;
	expect_rejected(m, "bad.pointer-feature-id", buf, (size_t)n, -VHID_EREPORTID);
	p.x = -32768;
	n = vhid_report_encode_pointer(&p, buf);
	expect_rejected(m, "bad.pointer-x-range", buf, (size_t)n, -VHID_EUSAGE);
	p.x = 0;
	p.wheel = -32768;
	n = vhid_report_encode_pointer(&p, buf);
	expect_rejected(m, "bad.pointer-wheel-range", buf, (size_t)n, -VHID_EUSAGE);
}

int
main(void)
{
	struct vdev_params pk, pm;
	struct vt_dev kb, m;
	uint16_t b = 0x05;

	vt_params(&pk, VHID_DEVICE_KEYBOARD);
	vt_params(&pm, VHID_DEVICE_POINTER);
	if (!vt_check(vt_create(&kb, &pk) == 0 && vt_create(&m, &pm) == 0, "create", "failed"))
		return vt_finish();
	keyboard_cases(&kb);
	thirty_third_key(&kb);
	pointer_cases(&m);
	/* nothing stuck, nothing lost: a good report still goes through */
	struct input_event down = EV(EV_KEY, KEY_B, 1), motion = EV(EV_REL, REL_X, 5);
	vt_post_keyboard(&kb, 0, &b, 1);
	vt_expect_frame(&kb, "after.keyboard-still-works", &down, 1, 1000);
	vt_post_pointer(&m, 0, 5, 0, 0, 0);
	vt_expect_frame(&m, "after.pointer-still-works", &motion, 1, 1000);
	vt_destroy(&kb);
	vt_destroy(&m);
	return vt_finish();
}
