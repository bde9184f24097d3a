/* Unit tests of the report helpers and validators (common/report.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "vhid.h"

/* seed semantics: first empty slot, no duplicates, erase every match */
static void
keys_insert_erase(void **state)
{
	uint16_t keys[VHID_MAX_KEYS] = {0};

	assert_int_equal(vhid_keys_count(keys), 0);
	assert_int_equal(vhid_keys_insert(keys, 10), 0);
	assert_int_equal(keys[0], 10);
	assert_int_equal(vhid_keys_insert(keys, 10), 0); /* duplicate: no-op */
	assert_int_equal(vhid_keys_count(keys), 1);
	assert_int_equal(vhid_keys_insert(keys, 20), 0);
	assert_int_equal(keys[1], 20);
	assert_int_equal(vhid_keys_erase(keys, 10), 0);
	assert_int_equal(keys[0], 0); /* no compaction */
	assert_int_equal(keys[1], 20);
	assert_int_equal(vhid_keys_insert(keys, 30), 0);
	assert_int_equal(keys[0], 30); /* first empty slot */
	assert_int_equal(vhid_keys_erase(keys, 99), 0);
	assert_int_equal(vhid_keys_count(keys), 2);
	assert_true(vhid_keys_exists(keys, 20));
	assert_false(vhid_keys_exists(keys, 10));
	assert_false(vhid_keys_exists(keys, 0));
	assert_int_equal(vhid_keys_insert(keys, 0), -EINVAL);
}

static void
keys_erase_every_match(void **state)
{
	uint16_t keys[VHID_MAX_KEYS] = {5, 6, 5, 0, 5};

	vhid_keys_erase(keys, 5);
	assert_int_equal(keys[0], 0);
	assert_int_equal(keys[1], 6);
	assert_int_equal(keys[2], 0);
	assert_int_equal(keys[4], 0);
}

static void
keys_33rd_is_an_error(void **state)
{
	uint16_t keys[VHID_MAX_KEYS] = {0}, before[VHID_MAX_KEYS];

	for (uint16_t k = 1; k <= 32; k++)
		assert_int_equal(vhid_keys_insert(keys, (uint16_t)(k + 3)), 0);
	memcpy(before, keys, sizeof(keys));
	assert_int_equal(vhid_keys_insert(keys, 100), -VHID_ETOOMANYKEYS);
	assert_memory_equal(keys, before, sizeof(keys));
	/* a duplicate of a held key is still fine when full */
	assert_int_equal(vhid_keys_insert(keys, 4), 0);
	assert_int_equal(vhid_keys_count(keys), 32);
}

static void
modifiers(void **state)
{
	uint8_t m = 0;

	assert_int_equal(vhid_modifiers_insert(&m, VHID_MOD_LEFT_CTRL), 0);
	assert_int_equal(m, 0x01);
	vhid_modifiers_insert(&m, VHID_MOD_RIGHT_CTRL);
	assert_int_equal(m, 0x11);
	vhid_modifiers_erase(&m, VHID_MOD_LEFT_SHIFT);
	assert_int_equal(m, 0x11);
	vhid_modifiers_erase(&m, VHID_MOD_LEFT_CTRL);
	assert_int_equal(m, 0x10);
	assert_int_equal(vhid_modifiers_insert(&m, 0), -EINVAL);
}

static void
buttons(void **state)
{
	uint32_t b = 0;

	assert_int_equal(vhid_buttons_insert(&b, 1), 0);
	assert_int_equal(b, 0x1);
	assert_int_equal(vhid_buttons_insert(&b, 32), 0);
	assert_int_equal(b, 0x80000001u);
	assert_int_equal(vhid_buttons_insert(&b, 0), -VHID_EBUTTON);
	assert_int_equal(vhid_buttons_insert(&b, 33), -VHID_EBUTTON);
	assert_int_equal(b, 0x80000001u);
	assert_true(vhid_buttons_exists(b, 32));
	assert_false(vhid_buttons_exists(b, 33));
	vhid_buttons_erase(&b, 1);
	assert_int_equal(b, 0x80000000u);
}

static void
encode_layouts(void **state)
{
	uint8_t buf[VHID_MAX_REPORT_SIZE];
	struct vhid_keyboard_report k = {.modifiers = 0x22, .keys = {0x04, 0x0123}};
	struct vhid_keys_report c = {.id = VHID_REPORT_CONSUMER, .keys = {0xe9}};
	struct vhid_pointer_report p = {
		.buttons = 0x80000001u, .x = -2, .y = 300, .wheel = 120, .hwheel = -30};
	struct vhid_absolute_report a = {.buttons = 1, .x = 32767, .y = 16384};

	assert_int_equal(vhid_report_encode_keyboard(&k, buf), 66);
	assert_int_equal(buf[0], 1);
	assert_int_equal(buf[1], 0x22);
	assert_int_equal(buf[2], 0x04);
	assert_int_equal(buf[3], 0x00);
	assert_int_equal(buf[4], 0x23);
	assert_int_equal(buf[5], 0x01);

	assert_int_equal(vhid_report_encode_keys(&c, buf), 65);
	assert_int_equal(buf[0], 2);
	assert_int_equal(buf[1], 0xe9);

	assert_int_equal(vhid_report_encode_pointer(&p, buf), 13);
	const uint8_t want[] = {1, 0x01, 0, 0, 0x80, 0xfe, 0xff, 0x2c, 0x01, 0x78, 0, 0xe2, 0xff};
	assert_memory_equal(buf, want, sizeof(want));

	assert_int_equal(vhid_report_encode_absolute(&a, buf), 13);
	assert_int_equal(buf[5], 0xff);
	assert_int_equal(buf[6], 0x7f);
	assert_int_equal(buf[8], 0x40);
}

static int
validate_keyboard(const struct vhid_keyboard_report *k, char *msg)
{
	uint8_t buf[VHID_MAX_REPORT_SIZE];
	int n = vhid_report_encode_keyboard(k, buf);
	return vhid_report_validate(VHID_DEVICE_KEYBOARD, buf, (size_t)n, msg, 200);
}

static int
validate_keys(uint8_t id, uint16_t usage, char *msg)
{
	uint8_t buf[VHID_MAX_REPORT_SIZE];
	struct vhid_keys_report r = {.id = id, .keys = {usage}};
	int n = vhid_report_encode_keys(&r, buf);
	return vhid_report_validate(VHID_DEVICE_KEYBOARD, buf, (size_t)n, msg, 200);
}

static void
validate_ids_and_lengths(void **state)
{
	uint8_t buf[VHID_MAX_REPORT_SIZE] = {0};
	char msg[200];

	buf[0] = 9;
	assert_int_equal(vhid_report_validate(VHID_DEVICE_KEYBOARD, buf, 65, msg, sizeof(msg)),
			 -VHID_EREPORTID);
	assert_non_null(strstr(msg, "report ID 9"));
	buf[0] = VHID_REPORT_LED; /* output only */
	assert_int_equal(vhid_report_validate(VHID_DEVICE_KEYBOARD, buf, 2, msg, sizeof(msg)),
			 -VHID_EREPORTID);
	buf[0] = 1;
	assert_int_equal(vhid_report_validate(VHID_DEVICE_KEYBOARD, buf, 65, msg, sizeof(msg)),
			 -VHID_EREPORTLEN);
	assert_non_null(strstr(msg, "must be 66 bytes, got 65"));
	assert_int_equal(vhid_report_validate(VHID_DEVICE_KEYBOARD, buf, 66, msg, sizeof(msg)), 0);
	assert_int_equal(vhid_report_validate(VHID_DEVICE_KEYBOARD, buf, 0, msg, sizeof(msg)),
			 -VHID_EREPORTLEN);
	buf[0] = 2;
	assert_int_equal(vhid_report_validate(VHID_DEVICE_KEYBOARD, buf, 66, msg, sizeof(msg)),
			 -VHID_EREPORTLEN);
	buf[0] = 1;
	assert_int_equal(vhid_report_validate(VHID_DEVICE_POINTER, buf, 13, msg, sizeof(msg)), 0);
	assert_int_equal(vhid_report_validate(VHID_DEVICE_POINTER, buf, 12, msg, sizeof(msg)),
			 -VHID_EREPORTLEN);
	buf[0] = 2; /* the feature report is not postable */
	assert_int_equal(vhid_report_validate(VHID_DEVICE_ABSOLUTE, buf, 13, msg, sizeof(msg)),
			 -VHID_EREPORTID);
	assert_int_equal(vhid_report_validate(99, buf, 13, msg, sizeof(msg)), -EINVAL);
}

static void
validate_usage_ranges(void **state)
{
	char msg[200];
	struct vhid_keyboard_report k = {.keys = {0x04, 0x28}};

	assert_int_equal(validate_keyboard(&k, msg), 0);
	k.keys[5] = 0x100;
	assert_int_equal(validate_keyboard(&k, msg), -VHID_EUSAGE);
	assert_non_null(strstr(msg, "0x0100"));
	k.keys[5] = 0x01; /* ErrorRollOver would void the whole report */
	assert_int_equal(validate_keyboard(&k, msg), -VHID_EUSAGEKIND);
	k.keys[5] = 0xe0; /* a modifier in the array is allowed */
	assert_int_equal(validate_keyboard(&k, msg), 0);

	assert_int_equal(validate_keys(VHID_REPORT_CONSUMER, 0xe9, msg), 0);
	assert_int_equal(validate_keys(VHID_REPORT_CONSUMER, 0x2ff, msg), 0);
	assert_int_equal(validate_keys(VHID_REPORT_CONSUMER, 0x300, msg), -VHID_EUSAGE);
	assert_int_equal(validate_keys(VHID_REPORT_CONSUMER, 0x238, msg), -VHID_EUSAGEKIND);
	assert_non_null(strstr(msg, "AC Pan"));
	assert_int_equal(validate_keys(VHID_REPORT_CONSUMER, 0x0e0, msg), -VHID_EUSAGEKIND);
	assert_int_equal(validate_keys(VHID_REPORT_SYSTEM, 0x81, msg), 0);
	assert_int_equal(validate_keys(VHID_REPORT_SYSTEM, 0x8f, msg), 0);
	assert_int_equal(validate_keys(VHID_REPORT_SYSTEM, 0x80, msg), -VHID_EUSAGE);
	assert_int_equal(validate_keys(VHID_REPORT_SYSTEM, 0x91, msg), -VHID_EUSAGE);
}

static void
validate_apple(void **state)
{
	char msg[200];

	assert_int_equal(validate_keys(VHID_REPORT_APPLE_KEYBOARD, 0x01, msg), 0); /* spotlight */
	assert_int_equal(validate_keys(VHID_REPORT_APPLE_KEYBOARD, 0x10, msg),
			 0); /* mission control */
	assert_int_equal(validate_keys(VHID_REPORT_APPLE_TOP_CASE, 0x04, msg), 0); /* brightness */
	assert_int_equal(validate_keys(VHID_REPORT_APPLE_TOP_CASE, 0x03, msg), -VHID_EAPPLE);
	assert_non_null(strstr(msg, "(fn)"));
	assert_int_equal(validate_keys(VHID_REPORT_APPLE_KEYBOARD, 0x02, msg), -VHID_EAPPLE);
	assert_non_null(strstr(msg, "dashboard"));
	assert_int_equal(validate_keys(VHID_REPORT_APPLE_KEYBOARD, 0x77, msg), -VHID_EAPPLE);
	assert_int_equal(validate_keys(VHID_REPORT_APPLE_KEYBOARD, 0x100, msg), -VHID_EUSAGE);
}

static int
validate_pointer(enum vhid_device_kind kind, int x, int y, int wheel)
{
	uint8_t buf[VHID_MAX_REPORT_SIZE];
	char msg[200];
	struct vhid_pointer_report p = {.x = (int16_t)x, .y = (int16_t)y, .wheel = (int16_t)wheel};

	vhid_report_encode_pointer(&p, buf);
	if (kind == VHID_DEVICE_ABSOLUTE) {
		struct vhid_absolute_report a = {
			.x = (uint16_t)x, .y = (uint16_t)y, .wheel = (int16_t)wheel};
		vhid_report_encode_absolute(&a, buf);
	}
	return vhid_report_validate(kind, buf, 13, msg, sizeof(msg));
}

static void
validate_axes(void **state)
{
	assert_int_equal(validate_pointer(VHID_DEVICE_POINTER, 32767, -32767, 0), 0);
	assert_int_equal(validate_pointer(VHID_DEVICE_POINTER, -32768, 0, 0), -VHID_EUSAGE);
	assert_int_equal(validate_pointer(VHID_DEVICE_POINTER, 0, 0, -32768), -VHID_EUSAGE);
	assert_int_equal(validate_pointer(VHID_DEVICE_ABSOLUTE, 0, 32767, 120), 0);
	assert_int_equal(validate_pointer(VHID_DEVICE_ABSOLUTE, 32768, 0, 0), -VHID_EUSAGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys_insert_erase),
		cmocka_unit_test(keys_erase_every_match),
		cmocka_unit_test(keys_33rd_is_an_error),
		cmocka_unit_test(modifiers),
		cmocka_unit_test(buttons),
		cmocka_unit_test(encode_layouts),
		cmocka_unit_test(validate_ids_and_lengths),
		cmocka_unit_test(validate_usage_ranges),
		cmocka_unit_test(validate_apple),
		cmocka_unit_test(validate_axes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
