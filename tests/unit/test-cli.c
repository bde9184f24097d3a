/* Unit tests of vhidctl's argument parsing: values, key names and combos, JSON output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keynames.h"
#include "planner.h"
#include "vhidctl.h"

static void
integers(void **state)
{
	long v;

	assert_int_equal(parse_int("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_int("-7", -10, 10, &v), 0);
	assert_int_equal(v, -7);
	assert_int_equal(parse_int("101", 0, 100, &v), -EINVAL);
	assert_int_equal(parse_int("12x", 0, 100, &v), -EINVAL);
	assert_int_equal(parse_int("", 0, 100, &v), -EINVAL);
	assert_int_equal(parse_int("99999999999999999999", 0, 100, &v), -EINVAL);
}

static void
durations(void **state)
{
	long long ms;

	assert_int_equal(parse_duration_ms("1500", &ms), 0);
	assert_int_equal(ms, 1500);
	assert_int_equal(parse_duration_ms("1.5s", &ms), 0);
	assert_int_equal(ms, 1500);
	assert_int_equal(parse_duration_ms("90s", &ms), 0);
	assert_int_equal(ms, 90000);
	assert_int_equal(parse_duration_ms("30m", &ms), 0);
	assert_int_equal(ms, 1800000);
	assert_int_equal(parse_duration_ms("2h", &ms), 0);
	assert_int_equal(ms, 7200000);
	assert_int_equal(parse_duration_ms("1d", &ms), 0);
	assert_int_equal(ms, 86400000);
	assert_int_equal(parse_duration_ms("250ms", &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_equal(parse_duration_ms("5 s", &ms), -EINVAL);
	assert_int_equal(parse_duration_ms("-1s", &ms), -EINVAL);
	assert_int_equal(parse_duration_ms("1w", &ms), -EINVAL);
	assert_int_equal(parse_duration_ms("h", &ms), -EINVAL);
}

static void
fractions(void **state)
{
	int v;

	assert_int_equal(parse_fraction("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_fraction("1", &v), 0);
	assert_int_equal(v, 32767);
	assert_int_equal(parse_fraction("0.5", &v), 0);
	assert_int_equal(v, 16384);
	assert_int_equal(parse_fraction("1.01", &v), -EINVAL);
	assert_int_equal(parse_fraction("-0.1", &v), -EINVAL);
	assert_int_equal(parse_fraction("nan", &v), -EINVAL);
	assert_int_equal(parse_fraction("50%", &v), -EINVAL);
}

static struct planner *
planner(const char *layout)
{
	struct planner *p = NULL;
	struct planner_layout l = {.layout = layout};
	char err[200];

	assert_int_equal(planner_new(&l, &p, err, sizeof(err)), 0);
	return p;
}

static void
combo(struct planner *p, const char *text, const uint16_t *want, int n)
{
	struct combo c;
	char err[300] = "";

	if (keyname_parse_combo(p, text, &c, err, sizeof(err)) != 0)
		fail_msg("%s: %s", text, err);
	assert_int_equal(c.n, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(c.codes[i], want[i]);
}

static void
key_combos(void **state)
{
	struct planner *us = planner("us"), *fr = planner("fr");

	combo(us, "ctrl+alt+t", (const uint16_t[]){KEY_LEFTCTRL, KEY_LEFTALT, KEY_T}, 3);
	combo(us, "shift+a", (const uint16_t[]){KEY_LEFTSHIFT, KEY_A}, 2);
	combo(us, "super", (const uint16_t[]){KEY_LEFTMETA}, 1);
	combo(us, "Control+Shift+Escape", (const uint16_t[]){KEY_LEFTCTRL, KEY_LEFTSHIFT, KEY_ESC},
	      3);
	combo(us, "at", (const uint16_t[]){KEY_LEFTSHIFT, KEY_2}, 2); /* a keysym with its shift */
	combo(us, "shift+at", (const uint16_t[]){KEY_LEFTSHIFT, KEY_2}, 2); /* no duplicate shift */
	combo(us, "KEY_F5", (const uint16_t[]){KEY_F5}, 1);
	combo(us, "key_volumeup", (const uint16_t[]){KEY_VOLUMEUP}, 1);
	combo(us, "volume-up", (const uint16_t[]){KEY_VOLUMEUP}, 1); /* HID usage name */
	combo(us, "play-pause", (const uint16_t[]){KEY_PLAYPAUSE}, 1);
	combo(us, "ctrl+plus", (const uint16_t[]){KEY_LEFTCTRL, KEY_LEFTSHIFT, KEY_EQUAL}, 3);
	combo(us, "enter", (const uint16_t[]){KEY_ENTER}, 1);
	combo(us, "backspace", (const uint16_t[]){KEY_BACKSPACE}, 1); /* keysym, case-insensitive */
	/* the layout decides: q is on KEY_A on AZERTY, so ctrl+q is what the application sees */
	combo(fr, "ctrl+q", (const uint16_t[]){KEY_LEFTCTRL, KEY_A}, 2);
	combo(NULL, "ctrl+KEY_Q", (const uint16_t[]){KEY_LEFTCTRL, KEY_Q},
	      2); /* no layout needed */
	planner_free(us);
	planner_free(fr);
}

static void
bad_combos(void **state)
{
	struct planner *us = planner("us");
	struct combo c;
	char err[300];

	assert_int_equal(keyname_parse_combo(us, "ctrl+entr", &c, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "unknown key name 'entr'"));
	assert_non_null(strstr(err, "'enter'"));
	assert_int_equal(keyname_parse_combo(us, "shfit+a", &c, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "'shift'"));
	assert_int_equal(keyname_parse_combo(us, "ctrl+", &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "ctrl+plus"));
	assert_int_equal(keyname_parse_combo(us, "ctrl++a", &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(keyname_parse_combo(us, "", &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(keyname_parse_combo(us, "zzzzzzzzzzzzzzz", &c, err, sizeof(err)), -ENOENT);
	assert_null(strstr(err, "did you mean")); /* nothing is close */
	planner_free(us);
}

static void
json_output(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	json_init(&j, f);
	json_begin_object(&j, NULL);
	json_string(&j, "name", "a \"quoted\"\\ name\n");
	json_int(&j, "n", -3);
	json_bool(&j, "ok", true);
	json_null(&j, "none");
	json_begin_array(&j, "list");
	json_string(&j, NULL, "x");
	json_int(&j, NULL, 1);
	json_end_array(&j);
	json_begin_array(&j, "empty");
	json_end_array(&j);
	json_end_object(&j);
	json_finish(&j);
	fclose(f);
	assert_string_equal(
		buf, "{\n  \"name\": \"a \\\"quoted\\\"\\\\ name\\n\",\n  \"n\": -3,\n"
		     "  \"ok\": true,\n  \"none\": null,\n  \"list\": [\n    \"x\",\n    1\n  ],\n"
		     "  \"empty\": []\n}\n");
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(integers),   cmocka_unit_test(durations),
		cmocka_unit_test(fractions),  cmocka_unit_test(key_combos),
		cmocka_unit_test(bad_combos), cmocka_unit_test(json_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
