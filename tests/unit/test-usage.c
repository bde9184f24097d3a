/* Unit tests of the usage tables (common/usage.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <linux/input-event-codes.h>

#include "usage.h"

static void
keyboard_page(void **state)
{
	/* the usages the device acceptance test names */
	assert_int_equal(usage_keyboard_key(0x04), KEY_A);
	assert_int_equal(usage_keyboard_key(0x28), KEY_ENTER);
	assert_int_equal(usage_keyboard_key(0x39), KEY_CAPSLOCK);
	assert_int_equal(usage_keyboard_key(0x64), KEY_102ND);
	assert_int_equal(usage_keyboard_key(0x87), KEY_RO);
	assert_int_equal(usage_keyboard_key(0x90), KEY_HANGEUL);
	assert_int_equal(usage_keyboard_key(0xe0), KEY_LEFTCTRL);
	assert_int_equal(usage_keyboard_key(0xe7), KEY_RIGHTMETA);
	assert_int_equal(usage_keyboard_key(0x01), 0);
	assert_int_equal(usage_keyboard_key(0xa5), KEY_UNKNOWN);
	assert_int_equal(usage_keyboard_key(0x100), 0);
}

static void
tables_sorted_and_in_range(void **state)
{
	unsigned int n;
	const struct usage_key *t = usage_consumer_table(&n);

	assert_true(n > 100);
	for (unsigned int i = 1; i < n; i++)
		assert_true(t[i - 1].usage < t[i].usage);
	for (unsigned int i = 0; i < n; i++) {
		assert_true(t[i].usage <= CONSUMER_USAGE_MAX);
		assert_null(usage_consumer_axis_name(t[i].usage));
		assert_ptr_equal(usage_consumer_lookup(t[i].usage), &t[i]);
	}
	t = usage_system_table(&n);
	for (unsigned int i = 0; i < n; i++) {
		assert_true(t[i].usage >= SYSTEM_USAGE_MIN && t[i].usage <= SYSTEM_USAGE_MAX);
		assert_ptr_equal(usage_system_lookup(t[i].usage), &t[i]);
	}
	assert_null(usage_consumer_lookup(0x001));
	assert_null(usage_system_lookup(0x90));
}

static void
apple_translations(void **state)
{
	const struct apple_usage *a;
	unsigned int n;

	a = usage_apple_lookup(USAGE_PAGE_APPLE_KEYBOARD, 0x10);
	assert_non_null(a);
	assert_int_equal(usage_consumer_lookup(a->consumer)->key, KEY_SCALE);
	a = usage_apple_lookup(USAGE_PAGE_APPLE_KEYBOARD, 0x01);
	assert_int_equal(usage_consumer_lookup(a->consumer)->key, KEY_SEARCH);
	a = usage_apple_lookup(USAGE_PAGE_APPLE_KEYBOARD, 0x04);
	assert_int_equal(usage_consumer_lookup(a->consumer)->key, KEY_ALL_APPLICATIONS);
	a = usage_apple_lookup(USAGE_PAGE_APPLE_TOP_CASE, 0x05);
	assert_int_equal(usage_consumer_lookup(a->consumer)->key, KEY_BRIGHTNESSDOWN);
	assert_int_equal(usage_apple_lookup(USAGE_PAGE_APPLE_TOP_CASE, 0x03)->consumer, 0);
	assert_null(usage_apple_lookup(USAGE_PAGE_APPLE_TOP_CASE, 0x55));
	/* every translation lands on a consumer usage the kernel maps to a key */
	a = usage_apple_table(&n);
	for (unsigned int i = 0; i < n; i++)
		if (a[i].consumer)
			assert_non_null(usage_consumer_lookup(a[i].consumer));
}

static void
reverse_lookup(void **state)
{
	uint8_t id;
	uint16_t u;

	assert_int_equal(usage_from_key(KEY_A, &id, &u), 0);
	assert_int_equal(id, 1);
	assert_int_equal(u, 0x04);
	assert_int_equal(usage_from_key(KEY_LEFTSHIFT, &id, &u), 0);
	assert_int_equal(u, 0xe1);
	assert_int_equal(usage_from_key(KEY_MUTE, &id, &u), 0); /* keyboard page 0x7f first */
	assert_int_equal(id, 1);
	assert_int_equal(u, 0x7f);
	assert_int_equal(usage_from_key(KEY_PLAYPAUSE, &id, &u), 0);
	assert_int_equal(id, 2);
	assert_int_equal(u, 0xcd);
	assert_int_equal(usage_from_key(KEY_WAKEUP, &id, &u), 0);
	assert_int_equal(id, 7);
	assert_int_equal(u, 0x83);
	assert_int_equal(usage_from_key(KEY_CALC, &id, &u), 0);
	assert_int_equal(id, 2);
	assert_int_equal(usage_from_key(KEY_UNKNOWN, &id, &u), -1);
	assert_int_equal(usage_from_key(KEY_MAX, &id, &u), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keyboard_page),
		cmocka_unit_test(tables_sorted_and_in_range),
		cmocka_unit_test(apple_translations),
		cmocka_unit_test(reverse_lookup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
