/* Unit tests of common/escape.c: what a client-chosen string may look like once printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "escape.h"

static const char *
esc(const char *in, size_t len, unsigned int flags)
{
	static char out[256];

	escape_text(out, sizeof(out), in, len, flags);
	return out;
}

#define E(s, f) esc(s, sizeof(s) - 1, f)

static void
controls(void **state)
{
	assert_string_equal(E("plain name", 0), "plain name");
	assert_string_equal(E("a\nb\r\tc", 0), "a\\x0ab\\x0d\\x09c");
	assert_string_equal(E("\x1b[2J\x1b]0;t\x07", 0), "\\x1b[2J\\x1b]0;t\\x07");
	assert_string_equal(E("del\x7f", 0), "del\\x7f");
	assert_string_equal(E("nul\0x", 0), "nul\\x00x");
	/* a forged journal priority needs a line start: there is none */
	assert_string_equal(E("x\n<0>boom", 0), "x\\x0a<0>boom");
}

static void
utf8(void **state)
{
	assert_string_equal(E("Grüße, 日本, 🙂", 0), "Grüße, 日本, 🙂");
	/* C1 controls, raw (8-bit CSI) and encoded */
	assert_string_equal(E("\x9b"
			      "31m",
			      0),
			    "\\x9b31m");
	assert_string_equal(E("\xc2\x9b"
			      "31m",
			      0),
			    "\\xc2\\x9b31m");
	/* bidi overrides reorder what a reader sees; line separators break lines */
	assert_string_equal(E("a\xe2\x80\xae"
			      "b",
			      0),
			    "a\\xe2\\x80\\xaeb");
	assert_string_equal(E("a\xe2\x80\xa8"
			      "b",
			      0),
			    "a\\xe2\\x80\\xa8b");
	/* broken UTF-8: overlong, surrogate, cut short, stray continuation */
	assert_string_equal(E("\xc0\xaf", 0), "\\xc0\\xaf");
	assert_string_equal(E("\xed\xa0\x80", 0), "\\xed\\xa0\\x80");
	assert_string_equal(E("x\xe6\x97", 0), "x\\xe6\\x97");
	assert_string_equal(E("\x80z", 0), "\\x80z");
}

static void
backslash_and_bounds(void **state)
{
	char out[8];

	assert_string_equal(E("a\\x0a", 0), "a\\x0a");
	assert_string_equal(E("a\\x0a", ESCAPE_BACKSLASH), "a\\\\x0a");
	/* never half an escape, always terminated */
	memset(out, 'Z', sizeof(out));
	assert_int_equal(escape_text(out, 6, "ab\ncd", 5, 0), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(escape_text(out, sizeof(out), "ab\ncd", 5, 0), 7);
	assert_string_equal(out, "ab\\x0ac");
	assert_int_equal(escape_text(out, 1, "abc", 3, 0), 0);
	assert_string_equal(out, "");
	assert_string_equal(escape_str(out, sizeof(out), "日本"), "日本");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(controls),
		cmocka_unit_test(utf8),
		cmocka_unit_test(backslash_and_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
