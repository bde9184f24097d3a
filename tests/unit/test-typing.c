/*
 * Unit tests of libvhid's typing API without a daemon: keymaps (vhid_keymap_*),
 * key names (vhid_key_parse, vhid_key_get_name), and the keyboard reports a
 * plan becomes (typeplan.c). The reports are replayed as the kernel turns them
 * into key events and decoded through tests/vm/xkbdecode.c, an independent
 * model of a compositor: the text must come back exactly, and no modifier may
 * be down while a key that does not want it is pressed. It also reports how
 * long compiling a keymap and planning 500 characters take.
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
#include <time.h>

#include "clock.h"
#include "keymap.h"
#include "typeplan.h"
#include "usage.h"
#include "vhid.h"
#include "xkbdecode.h"

static struct vhid_keymap *
keymap(const char *layout, const char *variant)
{
	struct vhid_rmlvo names = {.size = sizeof(names), .layout = layout, .variant = variant};
	struct vhid_keymap *km = NULL;
	char msg[300];
	int r = vhid_keymap_new(&names, VHID_KEYMAP_NO_DETECT, &km, msg, sizeof(msg));

	if (r < 0)
		fail_msg("vhid_keymap_new(%s): %d %s", layout, r, msg);
	return km;
}

/* ---- reports as the kernel reports them ---- */

static void
diff_mods(struct xkb_decoder *d, uint8_t from, uint8_t to)
{
	for (int b = 0; b < 8; b++)
		if ((from ^ to) & (1u << b))
			xkb_decoder_key(d, usage_keyboard_key((uint16_t)(0xe0 + b)), (to >> b) & 1);
}

static bool
has_key(const struct vhid_keyboard_report *r, uint16_t usage)
{
	return vhid_keys_exists(r->keys, usage) != 0;
}

/* hid-input: modifiers first, then released keys, then pressed keys. */
static void
replay(struct xkb_decoder *d, const struct vhid_keyboard_report *from,
       const struct vhid_keyboard_report *to)
{
	diff_mods(d, from->modifiers, to->modifiers);
	for (int i = 0; i < VHID_MAX_KEYS; i++)
		if (from->keys[i] && !has_key(to, from->keys[i]))
			xkb_decoder_key(d, usage_keyboard_key(from->keys[i]), 0);
	for (int i = 0; i < VHID_MAX_KEYS; i++)
		if (to->keys[i] && !has_key(from, to->keys[i]))
			xkb_decoder_key(d, usage_keyboard_key(to->keys[i]), 1);
}

static struct type_steps
plan_steps(struct vhid_keymap *km, const char *text)
{
	struct keystroke *ks = NULL;
	size_t n = 0;
	struct type_steps s = {0};

	assert_int_equal(keymap_plan(km, text, strlen(text), &ks, &n, NULL, 0), 0);
	assert_int_equal(type_steps(ks, n, false, &s), 0);
	free(ks);
	return s;
}

static void
reports_round_trip(const char *layout, const char *variant, const char *text)
{
	struct vhid_keymap *km = keymap(layout, variant);
	struct type_steps s = plan_steps(km, text);
	struct vhid_keyboard_report prev = {0}, cur;
	struct xkb_decoder *d;

	assert_int_equal(xkb_decoder_new(layout, variant, &d), 0);
	for (size_t i = 0; i < s.n; i++) {
		type_step_report(&s.s[i], &cur);
		replay(d, &prev, &cur);
		prev = cur;
	}
	assert_string_equal(xkb_decoder_text(d), text);
	/* nothing is left held */
	assert_int_equal(prev.modifiers, 0);
	assert_int_equal(vhid_keys_count(prev.keys), 0);
	xkb_decoder_free(d);
	free(s.s);
	vhid_keymap_destroy(km);
}

static void
reports_us(void **state)
{
	reports_round_trip("us", NULL,
			   "Can you SEE this? The quick brown fox: 1234567890 !@#$%^&*()\n\tend");
}

static void
reports_de(void **state)
{
	reports_round_trip("de", NULL, "Größe, Übermaß: Äpfel & Öl für 3 € {x} [y] @ ~ | µ ²³ °");
}

static void
reports_fr(void **state)
{
	reports_round_trip("fr", NULL, "Où êtes-vous allé ? ça coûte 10 € à l'hôtel, naïf : « x »");
}

static void
reports_dvorak(void **state)
{
	reports_round_trip("us", "dvorak", "The lazy dog; <>?:\"{}|!@#$%^&*()_+ -=[]\\',./`~");
}

/* "Can you": Shift is down for C only; the report pressing a, n, y, o, u has no modifier. */
static void
shift_never_leaks(void **state)
{
	struct vhid_keymap *km = keymap("us", NULL);
	struct type_steps s = plan_steps(km, "Can you");
	int presses = 0;

	for (size_t i = 0; i < s.n; i++) {
		bool letter = false;
		for (int k = 0; k < s.s[i].n_keys; k++)
			letter |= s.s[i].keys[k] >= 0x04 && s.s[i].keys[k] <= 0x1d;
		if (!letter)
			continue;
		/* the first letter is the capital C */
		assert_int_equal(s.s[i].mods, presses == 0 ? VHID_MOD_LEFT_SHIFT : 0);
		presses++;
	}
	assert_int_equal(presses, 6);
	free(s.s);
	vhid_keymap_destroy(km);
}

/* ---- the public keymap API ---- */

static void
untypeable_named(void **state)
{
	struct vhid_keymap *km = keymap("fr", NULL);
	uint32_t chars[4];
	char msg[400];

	assert_int_equal(vhid_keymap_check(km, "ça va", 6, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_int_equal(vhid_keymap_check(km, "año λ ñ", strlen("año λ ñ"), msg, sizeof(msg)),
			 -VHID_EUNTYPEABLE);
	assert_non_null(strstr(msg, "'fr' cannot type 'ñ' (U+00F1), 'λ' (U+03BB)"));
	assert_non_null(strstr(msg, "nothing was typed"));
	assert_int_equal(vhid_keymap_get_untypeable(km, "año λ ñ", strlen("año λ ñ"), chars, 4), 2);
	assert_int_equal(chars[0], 0xf1);
	assert_int_equal(chars[1], 0x3bb);
	assert_int_equal(vhid_keymap_get_untypeable(km, "ñλ", strlen("ñλ"), chars, 1), 2);
	assert_int_equal(vhid_keymap_get_untypeable(km, "ok", 2, NULL, 0), 0);
	assert_int_equal(vhid_keymap_check(km, "\xff", 1, msg, sizeof(msg)), -EILSEQ);
	assert_int_equal(vhid_keymap_get_untypeable(km, "\xc3", 1, NULL, 0), -EILSEQ);
	assert_string_equal(vhid_error_name(VHID_EUNTYPEABLE), "VHID_EUNTYPEABLE");
	vhid_keymap_destroy(km);
}

static void
keymap_names(void **state)
{
	struct vhid_keymap *km = keymap("de", "nodeadkeys");
	struct vhid_rmlvo bad = {.size = sizeof(bad), .layout = "nosuchlayout"};
	struct vhid_rmlvo unsized = {.layout = "us"};
	char msg[400];

	assert_string_equal(vhid_keymap_get_layout(km), "de(nodeadkeys)");
	assert_string_equal(vhid_keymap_get_source(km), "the caller");
	vhid_keymap_destroy(km);
	km = (struct vhid_keymap *)1;
	assert_int_equal(vhid_keymap_new(&bad, VHID_KEYMAP_NO_DETECT, &km, msg, sizeof(msg)),
			 -EINVAL);
	assert_null(km);
	assert_non_null(strstr(msg, "cannot compile keyboard layout 'nosuchlayout'"));
	assert_int_equal(vhid_keymap_new(&unsized, 0, &km, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(vhid_keymap_new(NULL, 0x80, &km, msg, sizeof(msg)), -EINVAL);
	vhid_keymap_destroy(NULL);
}

/* NULL names: detected, here from XKB_DEFAULT_LAYOUT; an older caller's shorter struct. */
static void
keymap_detected(void **state)
{
	struct vhid_keymap *km = NULL;
	struct vhid_rmlvo old = {.size = offsetof(struct vhid_rmlvo, variant),
				 .layout = "fr",
				 .variant = "garbage-past-the-size"};

	setenv("XKB_DEFAULT_LAYOUT", "de", 1);
	assert_int_equal(vhid_keymap_new(NULL, 0, &km, NULL, 0), 0);
	unsetenv("XKB_DEFAULT_LAYOUT");
	assert_string_equal(vhid_keymap_get_layout(km), "de");
	assert_string_equal(vhid_keymap_get_source(km), "XKB_DEFAULT_LAYOUT");
	vhid_keymap_destroy(km);
	assert_int_equal(vhid_keymap_new(&old, VHID_KEYMAP_NO_DETECT, &km, NULL, 0), 0);
	assert_string_equal(vhid_keymap_get_layout(km), "fr");
	vhid_keymap_destroy(km);
}

/* Caps Lock from the LEDs: the plan compensates (a capital needs no Shift). */
static void
keymap_leds(void **state)
{
	struct vhid_keymap *km = keymap("us", NULL);
	struct type_steps s;

	assert_int_equal(vhid_keymap_set_leds(km, VHID_LED_CAPS_LOCK), 0);
	s = plan_steps(km, "A");
	assert_int_equal(s.s[0].mods, 0);
	free(s.s);
	assert_int_equal(vhid_keymap_set_leds(km, 0), 0);
	s = plan_steps(km, "A");
	assert_int_equal(s.s[0].mods, VHID_MOD_LEFT_SHIFT);
	free(s.s);
	vhid_keymap_destroy(km);
}

static void
key_names(void **state)
{
	struct vhid_keymap *fr = keymap("fr", NULL);
	unsigned int codes[8];
	char msg[300];

	assert_int_equal(vhid_key_parse(NULL, "ctrl+alt+t", codes, 8, msg, sizeof(msg)), 3);
	assert_int_equal(codes[0], KEY_LEFTCTRL);
	assert_int_equal(codes[1], KEY_LEFTALT);
	assert_int_equal(codes[2], KEY_T);
	assert_int_equal(vhid_key_parse(NULL, "KEY_A", codes, 8, NULL, 0), 1);
	assert_int_equal(codes[0], KEY_A);
	assert_int_equal(vhid_key_parse(NULL, "btn_left", codes, 8, NULL, 0), 1);
	assert_int_equal(codes[0], BTN_LEFT);
	assert_int_equal(vhid_key_parse(NULL, "volume-up", codes, 8, NULL, 0), 1);
	assert_int_equal(codes[0], KEY_VOLUMEUP);
	/* a keysym on AZERTY: q is the key at the A position */
	assert_int_equal(vhid_key_parse(fr, "ctrl+q", codes, 8, NULL, 0), 2);
	assert_int_equal(codes[1], KEY_A);
	/* '@' needs AltGr on fr */
	assert_int_equal(vhid_key_parse(fr, "at", codes, 8, NULL, 0), 2);
	assert_int_equal(codes[0], KEY_RIGHTALT);
	assert_int_equal(vhid_key_parse(NULL, "ctlr+x", codes, 8, msg, sizeof(msg)), -ENOENT);
	assert_non_null(strstr(msg, "unknown key name 'ctlr'; did you mean 'ctrl'"));
	assert_int_equal(vhid_key_parse(NULL, "ctrl++", codes, 8, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(vhid_key_parse(NULL, "ctrl+alt+t", codes, 2, msg, sizeof(msg)), -E2BIG);
	assert_string_equal(vhid_key_get_name(KEY_A), "KEY_A");
	assert_string_equal(vhid_key_get_name(BTN_LEFT), "BTN_LEFT");
	assert_string_equal(vhid_key_get_name(BTN_0), "BTN_0");
	assert_null(vhid_key_get_name(0x2ff));
	vhid_keymap_destroy(fr);
}

/* ---- speed: a result, printed, never asserted ---- */

static void
planning_speed(void **state)
{
	char text[501];
	struct vhid_keymap *km;
	char msg[200];
	double t0 = (double)monotonic_ns() / 1e6, t1, t2;

	for (int i = 0; i < 500; i++)
		text[i] = (char)(0x20 + (i * 37) % 95);
	text[500] = '\0';
	km = keymap("de", NULL);
	t1 = (double)monotonic_ns() / 1e6;
	for (int i = 0; i < 100; i++)
		assert_int_equal(vhid_keymap_check(km, text, 500, msg, sizeof(msg)), 0);
	t2 = (double)monotonic_ns() / 1e6;
	print_message("# keymap de: compiled in %.1f ms; 500 characters planned in %.3f ms\n",
		      t1 - t0, (t2 - t1) / 100);
	vhid_keymap_destroy(km);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reports_us),        cmocka_unit_test(reports_de),
		cmocka_unit_test(reports_fr),        cmocka_unit_test(reports_dvorak),
		cmocka_unit_test(shift_never_leaks), cmocka_unit_test(untypeable_named),
		cmocka_unit_test(keymap_names),      cmocka_unit_test(keymap_detected),
		cmocka_unit_test(keymap_leds),       cmocka_unit_test(key_names),
		cmocka_unit_test(planning_speed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
