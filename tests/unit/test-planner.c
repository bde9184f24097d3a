/*
 * Unit tests of the typing planner (vhidctl/planner.c) and layout detection
 * (vhidctl/layout.c). Plans are checked by round trip: the keystrokes go
 * through tests/vm/xkbdecode.c, an independent model of what a compositor
 * makes of them, and must give back exactly the text planned.
 */
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
#include <unistd.h>

#include "layout.h"
#include "planner.h"
#include "xkbdecode.h"

static struct planner *
new_planner(const char *layout, const char *variant)
{
	struct planner_layout pl = {.layout = layout, .variant = variant};
	struct planner *p = NULL;
	char err[256] = "";
	int r = planner_new(&pl, &p, err, sizeof(err));

	if (r != 0)
		fail_msg("planner_new(%s, %s): %d %s", layout, variant ? variant : "", r, err);
	return p;
}

/* Tap each stroke the way vhidctl does: modifiers down in order, key, then all up reversed. */
static void
type_into(struct xkb_decoder *d, const struct keystroke *ks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t m = 0; m < ks[i].n_mods; m++)
			xkb_decoder_key(d, ks[i].mods[m], 1);
		xkb_decoder_key(d, ks[i].key, 1);
		xkb_decoder_key(d, ks[i].key, 0);
		for (size_t m = ks[i].n_mods; m-- > 0;)
			xkb_decoder_key(d, ks[i].mods[m], 0);
	}
}

static struct xkb_decoder *
new_decoder(const char *layout, const char *variant, bool caps_lock)
{
	struct xkb_decoder *d = NULL;

	assert_int_equal(xkb_decoder_new(layout, variant, &d), 0);
	if (caps_lock) {
		xkb_decoder_key(d, KEY_CAPSLOCK, 1);
		xkb_decoder_key(d, KEY_CAPSLOCK, 0);
	}
	return d;
}

static void
print_missing(const uint32_t *missing, size_t n)
{
	for (size_t i = 0; i < n; i++)
		print_message("# missing U+%04X\n", missing[i]);
}

static void
round_trip(const char *layout, const char *variant, const char *text, bool caps_lock)
{
	struct planner *p = new_planner(layout, variant);
	struct keystroke *ks;
	uint32_t *missing;
	size_t n, n_missing;
	struct xkb_decoder *d;
	int r;

	planner_set_locks(p, caps_lock, false);
	r = planner_plan(p, text, strlen(text), &ks, &n, &missing, &n_missing);
	print_missing(missing, n_missing);
	assert_int_equal(r, 0);
	d = new_decoder(layout, variant, caps_lock);
	type_into(d, ks, n);
	assert_string_equal(xkb_decoder_text(d), text);
	xkb_decoder_free(d);
	free(ks);
	planner_free(p);
}

/* Every printable ASCII character, tab and newline once, then a reproducible mix. */
static void
make_us_text(char *buf, size_t len)
{
	uint32_t x = 20240607;
	size_t n = 0;

	for (int c = 0x20; c < 0x7f; c++)
		buf[n++] = (char)c;
	buf[n++] = '\t';
	buf[n++] = '\n';
	while (n < len) {
		unsigned int r;

		x = x * 1103515245u + 12345u;
		r = (x >> 16) % 97;
		buf[n++] = r < 95 ? (char)(0x20 + r) : r == 95 ? '\t' : '\n';
	}
	buf[len] = '\0';
}

static void
us_ascii(void **state)
{
	char text[501];

	make_us_text(text, 500);
	assert_int_equal(strlen(text), 500);
	round_trip("us", NULL, text, false);
}

static const char de_text[] = "Größe, Übermaß: Äpfel & Öl für 3 € — heißt's? "
			      "Mail an a@b.de {x} [y] \\ | ~ µ ² ³ °; "
			      "Crème brûlée, café, à la carte.\n";

static void
de_german(void **state)
{
	round_trip("de", NULL, de_text, false);
}

/* plain fr has no Ç (neither a key nor a dead cedilla): that sentence is in fr_oss */
static const char fr_text[] = "Où êtes-vous allé ? Ah, ça coûte 10 € à l'hôtel, même naïf. "
			      "Noël, île, dîner, sûr, âge, côté, çà et là, où ; « guillemets » !\n";

static void
fr_azerty(void **state)
{
	round_trip("fr", NULL, fr_text, false);
}

static void
fr_oss(void **state)
{
	round_trip("fr", "oss",
		   "Où êtes-vous allé ? Ça coûte 10 € à l'hôtel, même naïf. Œuvre, Ève.\n", false);
}

static const char dvorak_text[] = "The Quick Brown Fox jumps over 13 lazy dogs! "
				  "-=[]\\;',./ `~@#$%^&*()_+{}|:\"<>?\tDone.\n";

static void
us_dvorak(void **state)
{
	round_trip("us", "dvorak", dvorak_text, false);
}

/* With CapsLock on at the target, "a" needs Shift and "H" must not hold it. */
static void
caps_lock(void **state)
{
	struct planner *p = new_planner("us", NULL);
	struct keystroke *ks;
	uint32_t *missing;
	size_t n, n_missing;

	planner_set_locks(p, true, false);
	assert_int_equal(planner_plan(p, "Ha", 2, &ks, &n, &missing, &n_missing), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ks[0].key, KEY_H);
	assert_int_equal(ks[0].n_mods, 0);
	assert_int_equal(ks[1].key, KEY_A);
	assert_int_equal(ks[1].n_mods, 1);
	assert_int_equal(ks[1].mods[0], KEY_LEFTSHIFT);
	free(ks);
	planner_free(p);

	round_trip("us", NULL, "Hello World", true);
	round_trip("de", NULL, "Grüne Äpfel aus Köln, ÄÖÜ äöü @€ êÊ", true);
	/* with CapsLock the ç key types Ç, which plain fr otherwise lacks */
	round_trip("fr", NULL, "Ça coûte 10 € à l'hôtel", true);
}

/* de's ß key types ẞ under CapsLock (FOUR_LEVEL_PLUS_LOCK): no way to ß then */
static void
caps_lock_sharp_s(void **state)
{
	static const uint32_t want[] = {0xdf};
	struct planner *p = new_planner("de", NULL);
	struct keystroke *ks;
	uint32_t *missing;
	size_t n, n_missing;

	planner_set_locks(p, true, false);
	assert_int_equal(planner_plan(p, "ß", 2, &ks, &n, &missing, &n_missing), -ENOENT);
	assert_int_equal(n_missing, 1);
	assert_memory_equal(missing, want, sizeof(want));
	free(missing);
	planner_free(p);
	round_trip("de", NULL, "GROẞ", true);
}

/* Back and forth: the table is rebuilt for each lock state. */
static void
caps_lock_toggles(void **state)
{
	struct planner *p = new_planner("us", NULL);
	struct keystroke *ks;
	uint32_t *missing;
	size_t n, n_missing;

	planner_set_locks(p, true, true);
	planner_set_locks(p, false, false);
	assert_int_equal(planner_plan(p, "a", 1, &ks, &n, &missing, &n_missing), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ks[0].n_mods, 0);
	free(ks);
	planner_free(p);
}

/*
 * Every character a layout claims to type must come back out of the decoder,
 * alone, for the Basic Multilingual Plane's first 0x3400 code points.
 */
static void
all_typeable(const char *layout, const char *variant, bool caps)
{
	struct planner *p = new_planner(layout, variant);
	struct xkb_decoder *d = new_decoder(layout, variant, caps);
	size_t typeable = 0, dead = 0;

	planner_set_locks(p, caps, false);
	for (uint32_t cp = 0x20; cp < 0x3400; cp++) {
		char buf[4] = {0};
		size_t len = 0, before = strlen(xkb_decoder_text(d)), n, n_missing;
		struct keystroke *ks;
		uint32_t *missing;
		int r;

		if (cp >= 0x7f && cp < 0xa0)
			continue;
		if (cp < 0x80) {
			buf[len++] = (char)cp;
		} else if (cp < 0x800) {
			buf[len++] = (char)(0xc0 | cp >> 6);
			buf[len++] = (char)(0x80 | (cp & 0x3f));
		} else {
			buf[len++] = (char)(0xe0 | cp >> 12);
			buf[len++] = (char)(0x80 | ((cp >> 6) & 0x3f));
			buf[len++] = (char)(0x80 | (cp & 0x3f));
		}
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		r = planner_plan(p, buf, len, &ks, &n, &missing, &n_missing);
		free(missing);
		if (r == -ENOENT)
			continue;
		assert_int_equal(r, 0);
		typeable++;
		dead += n > 1;
		type_into(d, ks, n);
		free(ks);
		if (strcmp(xkb_decoder_text(d) + before, buf) != 0)
			fail_msg("%s(%s) U+%04X: typed '%s', decoded '%s'", layout,
				 variant ? variant : "", cp, buf, xkb_decoder_text(d) + before);
	}
	print_message("# %s%s%s%s: %zu characters typeable, %zu through dead keys\n", layout,
		      variant ? "(" : "", variant ? variant : "", variant ? ")" : "", typeable,
		      dead);
	xkb_decoder_free(d);
	planner_free(p);
}

static void
every_character_round_trips(void **state)
{
	all_typeable("us", NULL, false);
	all_typeable("us", "dvorak", false);
	all_typeable("us", "intl", false);
	all_typeable("de", NULL, false);
	all_typeable("de", "nodeadkeys", false);
	all_typeable("fr", NULL, false);
	all_typeable("fr", NULL, true);
	all_typeable("de", NULL, true);
	all_typeable("de", "neo", false);
	all_typeable("ch", NULL, false);
	all_typeable("es", NULL, false);
	all_typeable("ru", NULL, false);
	all_typeable("gb", "extd", false);
	all_typeable("ca", "multix", false);
	all_typeable("us", "altgr-intl", false);
	all_typeable("be", NULL, false);
	all_typeable("fr", "bepo", false);
}

static void
check_plan_missing(struct planner *p, const char *text, const uint32_t *want, size_t n_want)
{
	struct keystroke *ks = (struct keystroke *)1;
	uint32_t *missing;
	size_t n, n_missing;

	assert_int_equal(planner_plan(p, text, strlen(text), &ks, &n, &missing, &n_missing),
			 -ENOENT);
	assert_null(ks);
	assert_int_equal(n, 0);
	assert_int_equal(n_missing, n_want);
	assert_memory_equal(missing, want, n_want * sizeof(*want));
	free(missing);
}

static void
unknown_characters(void **state)
{
	static const uint32_t want[] = {0xef, 0x65e5, 0x672c}, want2[] = {0x65e5, 0x672c, 0xef};
	struct planner *p = new_planner("us", NULL);

	check_plan_missing(p, "naïve 日本", want, 3);
	/* each once, in order of first appearance */
	check_plan_missing(p, "日本 naïve 本日ï", want2, 3);
	planner_free(p);
}

static void
invalid_utf8(void **state)
{
	static const char *const bad[] = {
		"\xc0\xaf",         /* overlong '/' */
		"\xe0\x80\xaf",     /* overlong '/' */
		"\xed\xa0\x80",     /* surrogate */
		"\xf4\x90\x80\x80", /* past U+10FFFF */
		"ab\xe2\x82",       /* truncated */
		"\xff",
		"\x80",
		"a\xc3(",
	};
	struct planner *p = new_planner("us", NULL);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct keystroke *ks = (struct keystroke *)1;
		uint32_t *missing = (uint32_t *)1;
		size_t n = 1, n_missing = 1;

		assert_int_equal(
			planner_plan(p, bad[i], strlen(bad[i]), &ks, &n, &missing, &n_missing),
			-EINVAL);
		assert_null(ks);
		assert_null(missing);
	}
	planner_free(p);
}

/* The length is honoured: an embedded NUL is a character (an untypeable one). */
static void
plan_length(void **state)
{
	static const uint32_t nul[] = {0};
	struct planner *p = new_planner("us", NULL);
	struct keystroke *ks;
	uint32_t *missing;
	size_t n, n_missing;

	assert_int_equal(planner_plan(p, "abc", 2, &ks, &n, &missing, &n_missing), 0);
	assert_int_equal(n, 2);
	free(ks);
	assert_int_equal(planner_plan(p, "", 0, &ks, &n, &missing, &n_missing), 0);
	assert_int_equal(n, 0);
	free(ks);
	assert_int_equal(planner_plan(p, "a\0b", 3, &ks, &n, &missing, &n_missing), -ENOENT);
	assert_int_equal(n_missing, 1);
	assert_memory_equal(missing, nul, sizeof(nul));
	free(missing);
	planner_free(p);
}

static void
check_keysym(struct planner *p, const char *name, uint16_t key, int n_mods, uint16_t mod)
{
	struct keystroke ks;

	assert_int_equal(planner_keysym(p, name, &ks), 0);
	assert_int_equal(ks.key, key);
	assert_int_equal(ks.n_mods, n_mods);
	if (n_mods)
		assert_int_equal(ks.mods[0], mod);
}

static void
keysyms(void **state)
{
	struct planner *us = new_planner("us", NULL), *de = new_planner("de", NULL);
	struct keystroke ks;

	check_keysym(us, "Return", KEY_ENTER, 0, 0);
	check_keysym(us, "a", KEY_A, 0, 0);
	check_keysym(us, "A", KEY_A, 1, KEY_LEFTSHIFT);
	check_keysym(us, "at", KEY_2, 1, KEY_LEFTSHIFT);
	check_keysym(us, "F5", KEY_F5, 0, 0);
	check_keysym(us, "BackSpace", KEY_BACKSPACE, 0, 0);
	check_keysym(us, "Left", KEY_LEFT, 0, 0);
	check_keysym(us, "backspace", KEY_BACKSPACE, 0, 0); /* case-insensitive fallback */
	check_keysym(us, "Tab", KEY_TAB, 0, 0);
	check_keysym(de, "ssharp", KEY_MINUS, 0, 0);
	check_keysym(de, "at", KEY_Q, 1, KEY_RIGHTALT); /* AltGr found by simulation */
	check_keysym(de, "EuroSign", KEY_E, 1, KEY_RIGHTALT);
	check_keysym(de, "y", KEY_Z, 0, 0);
	assert_int_equal(planner_keysym(us, "nosuchkey", &ks), -ENOENT);
	assert_int_equal(planner_keysym(us, "ssharp", &ks), -ENOENT); /* not on us */
	assert_int_equal(planner_keysym(us, "", &ks), -ENOENT);
	planner_free(us);
	planner_free(de);
}

static void
describe(void **state)
{
	struct planner *p = new_planner("de", "nodeadkeys");

	assert_string_equal(planner_describe(p), "de(nodeadkeys)");
	planner_free(p);
	p = new_planner("fr", NULL);
	assert_string_equal(planner_describe(p), "fr");
	planner_free(p);
}

static void
invalid_layout(void **state)
{
	struct planner_layout pl = {.layout = "nosuchlayout", .variant = "nosuchvariant"};
	struct planner *p = (struct planner *)1;
	char err[256] = "";

	assert_int_equal(planner_new(&pl, &p, err, sizeof(err)), -EINVAL);
	assert_null(p);
	assert_non_null(strstr(err, "'nosuchlayout'"));
	assert_non_null(strstr(err, "'nosuchvariant'"));
	pl = (struct planner_layout){.layout = "us", .variant = "nosuchvariant"};
	assert_int_equal(planner_new(&pl, &p, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "'us'"));
}

/* ---- layout_detect ---- */

static char kbd_path[64];

static const char kbd_file[] = "# KEYBOARD CONFIGURATION FILE\n"
			       "\n"
			       "XKBMODEL=\"pc105\"\n"
			       "XKBLAYOUT=\"de,us\"\n"
			       "XKBVARIANT=\"nodeadkeys,\"\n"
			       "XKBOPTIONS=\"ctrl:nocaps\"\n"
			       "BACKSPACE=\"guess\"\n";

static void
clear_env(void)
{
	static const char *const vars[] = {"XKB_DEFAULT_RULES", "XKB_DEFAULT_MODEL",
					   "XKB_DEFAULT_LAYOUT", "XKB_DEFAULT_VARIANT",
					   "XKB_DEFAULT_OPTIONS"};

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

static int
write_kbd_file(void **state)
{
	int fd;

	clear_env();
	snprintf(kbd_path, sizeof(kbd_path), "/tmp/test-planner-keyboard-XXXXXX");
	fd = mkstemp(kbd_path);
	if (fd < 0)
		return -1;
	if (write(fd, kbd_file, strlen(kbd_file)) != (ssize_t)strlen(kbd_file)) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
remove_kbd_file(void **state)
{
	clear_env();
	unlink(kbd_path);
	return 0;
}

static void
layout_from_file(void **state)
{
	struct layout_names n;

	assert_int_equal(layout_detect(&n, NULL, NULL, kbd_path), 0);
	assert_string_equal(n.layout, "de");
	assert_string_equal(n.variant, "nodeadkeys");
	assert_string_equal(n.options, "ctrl:nocaps");
	assert_string_equal(n.model, "pc105");
	assert_string_equal(n.rules, "");
	assert_string_equal(n.source, kbd_path);
}

static void
layout_explicit_wins(void **state)
{
	struct layout_names n;

	setenv("XKB_DEFAULT_LAYOUT", "fr", 1);
	assert_int_equal(layout_detect(&n, "us", "dvorak", kbd_path), 0);
	assert_string_equal(n.layout, "us");
	assert_string_equal(n.variant, "dvorak");
	assert_string_equal(n.source, "the caller");
	/* the file's variant belongs to the file's layout, not to --layout */
	assert_int_equal(layout_detect(&n, "us", NULL, kbd_path), 0);
	assert_string_equal(n.variant, "");
	clear_env();
}

static void
layout_from_env(void **state)
{
	struct layout_names n;

	setenv("XKB_DEFAULT_LAYOUT", "fr", 1);
	setenv("XKB_DEFAULT_VARIANT", "bepo", 1);
	setenv("XKB_DEFAULT_OPTIONS", "lv3:ralt_switch", 1);
	assert_int_equal(layout_detect(&n, NULL, NULL, kbd_path), 0);
	assert_string_equal(n.layout, "fr");
	assert_string_equal(n.variant, "bepo");
	assert_string_equal(n.options, "lv3:ralt_switch");
	assert_string_equal(n.model, "pc105"); /* not set in the environment: the file's */
	assert_string_equal(n.source, "XKB_DEFAULT_LAYOUT");
	/* the environment's layout without a variant does not borrow the file's */
	unsetenv("XKB_DEFAULT_VARIANT");
	assert_int_equal(layout_detect(&n, NULL, NULL, kbd_path), 0);
	assert_string_equal(n.variant, "");
	clear_env();
}

static void
layout_default(void **state)
{
	struct layout_names n;

	assert_int_equal(layout_detect(&n, NULL, NULL, "/nonexistent/keyboard"), 0);
	assert_string_equal(n.layout, "us");
	assert_string_equal(n.variant, "");
	assert_string_equal(n.options, "");
	assert_string_equal(n.source, "default (us)");
	assert_int_equal(layout_detect(&n, NULL, NULL, NULL), 0);
	assert_string_equal(n.layout, "us");
}

static void
layout_file_syntax(void **state)
{
	static const char text[] = "  # a comment\n"
				   "XKBLAYOUT=fr # unquoted, with a comment\n"
				   "XKBVARIANT='oss'\n"
				   "NOT_OURS=\"x\"\n"
				   "garbage line\n";
	char path[] = "/tmp/test-planner-syntax-XXXXXX";
	struct layout_names n;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(layout_detect(&n, NULL, NULL, path), 0);
	unlink(path);
	assert_string_equal(n.layout, "fr");
	assert_string_equal(n.variant, "oss");
	assert_string_equal(n.options, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(us_ascii),
		cmocka_unit_test(de_german),
		cmocka_unit_test(fr_azerty),
		cmocka_unit_test(fr_oss),
		cmocka_unit_test(us_dvorak),
		cmocka_unit_test(caps_lock),
		cmocka_unit_test(caps_lock_sharp_s),
		cmocka_unit_test(caps_lock_toggles),
		cmocka_unit_test(every_character_round_trips),
		cmocka_unit_test(unknown_characters),
		cmocka_unit_test(invalid_utf8),
		cmocka_unit_test(plan_length),
		cmocka_unit_test(keysyms),
		cmocka_unit_test(describe),
		cmocka_unit_test(invalid_layout),
		cmocka_unit_test_setup_teardown(layout_from_file, write_kbd_file, remove_kbd_file),
		cmocka_unit_test_setup_teardown(layout_explicit_wins, write_kbd_file,
						remove_kbd_file),
		cmocka_unit_test_setup_teardown(layout_from_env, write_kbd_file, remove_kbd_file),
		cmocka_unit_test_setup_teardown(layout_default, write_kbd_file, remove_kbd_file),
		cmocka_unit_test_setup_teardown(layout_file_syntax, write_kbd_file,
						remove_kbd_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
