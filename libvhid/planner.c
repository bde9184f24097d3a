/*
 * planner.c - layout-aware typing on libxkbcommon (libvhid's keymaps, keymap.c).
 *
 * At planner_new time (and again on every lock change) we simulate every key
 * of the keymap under a few modifier combinations, the way the target's
 * compositor will interpret them, and keep two sorted tables: code point ->
 * cheapest keystroke(s), and keysym -> cheapest keystroke. Characters only
 * reachable through a dead key are found by feeding the locale's Compose
 * table (libxkbcommon 1.5 cannot enumerate one, so we try every dead key with
 * every typeable keysym).
 */
#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xkbcommon/xkbcommon-compose.h>
#include <xkbcommon/xkbcommon.h>

#include "planner.h"
#include "usage.h"

/* evdev codes are xkb keycodes minus 8 (the X11 offset) */
#define EVDEV_OFFSET 8

/* A modifier we may hold: the key that produces it and the state bits it sets. */
struct modkey {
	uint16_t code; /* 0: the layout has no such key */
	xkb_mod_mask_t mask;
};

/* One way to hold modifiers while tapping a key. */
struct combo {
	xkb_mod_mask_t mask;
	uint16_t mods[3];
	uint8_t n_mods;
};

struct char_entry {
	uint32_t cp;
	uint64_t rank; /* lower is cheaper; ties broken by discovery order */
	struct keystroke ks[2];
	uint8_t n;
};

struct sym_entry {
	xkb_keysym_t sym;
	uint64_t rank;
	struct keystroke ks;
	bool base; /* usable after a dead key (not a keypad or modifier key) */
};

struct dead_key {
	xkb_keysym_t sym;
	struct keystroke ks;
};

struct tables {
	struct char_entry *chars;
	size_t n_chars, cap_chars;
	struct sym_entry *syms;
	size_t n_syms, cap_syms;
	struct dead_key *dead;
	size_t n_dead, cap_dead;
};

struct planner {
	struct xkb_context *ctx;
	struct xkb_keymap *keymap;
	struct xkb_compose_table *compose; /* NULL: dead keys unavailable */
	char name[192];
	xkb_keycode_t min_kc, max_kc;
	uint8_t *key_kind; /* per keycode - min_kc: KIND_* */
	struct modkey shift, level3, level5;
	xkb_mod_mask_t caps_mask, num_mask;
	bool caps_lock, num_lock;
	struct tables t;
};

enum { KIND_MAIN, KIND_KEYPAD, KIND_MODIFIER, KIND_UNSENDABLE };

static void
tables_free(struct tables *t)
{
	free(t->chars);
	free(t->syms);
	free(t->dead);
	memset(t, 0, sizeof(*t));
}

/* Grow *arr (of elem-sized items) so one more fits; false on ENOMEM. */
static bool
grow(void **arr, size_t n, size_t *cap, size_t elem)
{
	size_t ncap;
	void *tmp;

	if (n < *cap)
		return true;
	ncap = *cap ? *cap * 2 : 256;
	tmp = realloc(*arr, ncap * elem);
	if (!tmp)
		return false;
	*arr = tmp;
	*cap = ncap;
	return true;
}

/* Strict UTF-8: no overlong forms, surrogates or code points past U+10FFFF. */
static bool
utf8_next(const unsigned char *s, size_t len, size_t *pos, uint32_t *out)
{
	static const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t i = *pos, n;
	uint32_t cp;

	if (s[i] < 0x80) {
		*out = s[i];
		*pos = i + 1;
		return true;
	}
	if ((s[i] & 0xe0) == 0xc0)
		n = 2, cp = s[i] & 0x1f;
	else if ((s[i] & 0xf0) == 0xe0)
		n = 3, cp = s[i] & 0x0f;
	else if ((s[i] & 0xf8) == 0xf0)
		n = 4, cp = s[i] & 0x07;
	else
		return false;
	if (len - i < n)
		return false;
	for (size_t k = 1; k < n; k++) {
		if ((s[i + k] & 0xc0) != 0x80)
			return false;
		cp = (cp << 6) | (s[i + k] & 0x3f);
	}
	if (cp < min_for_len[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return false;
	*out = cp;
	*pos = i + n;
	return true;
}

/* Control characters are not text to type; '\n' and '\t' are mapped by keysym. */
static bool
is_text(uint32_t cp)
{
	return cp >= 0x20 && !(cp >= 0x7f && cp < 0xa0);
}

static struct keystroke
make_stroke(xkb_keycode_t kc, const struct combo *c)
{
	struct keystroke ks = {.key = (uint16_t)(kc - EVDEV_OFFSET), .n_mods = c->n_mods};

	memcpy(ks.mods, c->mods, c->n_mods * sizeof(c->mods[0]));
	return ks;
}

static bool
has_prefix(xkb_keysym_t sym, const char *prefix)
{
	char name[64];

	if (xkb_keysym_get_name(sym, name, sizeof(name)) <= 0)
		return false;
	return strncmp(name, prefix, strlen(prefix)) == 0;
}

/* ---- which keys are modifiers, and which keys produce Shift, Level3, Level5 ---- */

static xkb_keysym_t
level1_sym(struct xkb_keymap *keymap, xkb_keycode_t kc)
{
	const xkb_keysym_t *syms;

	if (xkb_keymap_key_get_syms_by_level(keymap, kc, 0, 0, &syms) < 1)
		return XKB_KEY_NoSymbol;
	return syms[0];
}

/*
 * The virtual keyboard sends HID usages: an evdev code no usage produces
 * (KEY_EURO, KEY_DOLLAR, which evdev keymaps do bind) cannot be typed.
 */
static bool
sendable(xkb_keycode_t kc)
{
	uint8_t report_id;
	uint16_t usage;

	return kc >= EVDEV_OFFSET && kc - EVDEV_OFFSET <= 0xffff &&
	       usage_from_key((uint16_t)(kc - EVDEV_OFFSET), &report_id, &usage) == 0;
}

/*
 * Keys whose press changes the state (modifiers, locks, group switches) are
 * never typed as characters; keypad keys only where the main block lacks the
 * character, so the target's NumLock cannot change what we type.
 */
static int
classify_keys(struct planner *p)
{
	struct xkb_state *st = xkb_state_new(p->keymap);

	p->key_kind = calloc(p->max_kc - p->min_kc + 1, 1);
	if (!st || !p->key_kind) {
		xkb_state_unref(st);
		return -ENOMEM;
	}
	for (xkb_keycode_t kc = p->min_kc; kc <= p->max_kc; kc++) {
		bool changed;

		if (!sendable(kc)) {
			p->key_kind[kc - p->min_kc] = KIND_UNSENDABLE;
			continue;
		}
		changed = xkb_state_update_key(st, kc, XKB_KEY_DOWN) != 0;
		xkb_state_update_key(st, kc, XKB_KEY_UP);
		if (changed) {
			p->key_kind[kc - p->min_kc] = KIND_MODIFIER;
			/* a lock or latch may linger; start over clean */
			xkb_state_unref(st);
			st = xkb_state_new(p->keymap);
			if (!st)
				return -ENOMEM;
		} else if (has_prefix(level1_sym(p->keymap, kc), "KP_")) {
			p->key_kind[kc - p->min_kc] = KIND_KEYPAD;
		}
	}
	xkb_state_unref(st);
	return 0;
}

/*
 * Press the key in a fresh state: a key we can hold must set modifiers while
 * down and leave nothing latched or locked behind (CapsLock would toggle).
 */
static xkb_mod_mask_t
held_mask(struct xkb_keymap *keymap, xkb_keycode_t kc)
{
	struct xkb_state *st = xkb_state_new(keymap);
	xkb_mod_mask_t mask, left;

	if (!st)
		return 0;
	xkb_state_update_key(st, kc, XKB_KEY_DOWN);
	mask = xkb_state_serialize_mods(st, XKB_STATE_MODS_DEPRESSED);
	xkb_state_update_key(st, kc, XKB_KEY_UP);
	left = xkb_state_serialize_mods(st, XKB_STATE_MODS_LATCHED | XKB_STATE_MODS_LOCKED);
	if (left || xkb_state_serialize_layout(st, XKB_STATE_LAYOUT_EFFECTIVE) != 0)
		mask = 0;
	xkb_state_unref(st);
	return mask;
}

static void
find_modifier_keys(struct planner *p)
{
	/* in order of preference: left Shift, then right Alt as AltGr */
	static const uint16_t candidates[] = {
		KEY_LEFTSHIFT, KEY_RIGHTSHIFT, KEY_RIGHTALT, KEY_LEFTALT,
		KEY_LEFTCTRL,  KEY_RIGHTCTRL,  KEY_LEFTMETA, KEY_RIGHTMETA,
		KEY_102ND,     KEY_CAPSLOCK,   KEY_COMPOSE,  KEY_BACKSLASH,
	};

	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		xkb_keycode_t kc = candidates[i] + EVDEV_OFFSET;
		struct modkey *slot = NULL;
		xkb_keysym_t sym;
		xkb_mod_mask_t mask;

		if (kc < p->min_kc || kc > p->max_kc || !sendable(kc))
			continue;
		sym = level1_sym(p->keymap, kc);
		if (sym == XKB_KEY_Shift_L || sym == XKB_KEY_Shift_R)
			slot = &p->shift;
		else if (sym == XKB_KEY_ISO_Level3_Shift)
			slot = &p->level3;
		else if (sym == XKB_KEY_ISO_Level5_Shift)
			slot = &p->level5;
		if (!slot || slot->code)
			continue;
		mask = held_mask(p->keymap, kc);
		if (mask)
			*slot = (struct modkey){.code = candidates[i], .mask = mask};
	}
}

/* Press and release a lock key in a fresh state; what stays locked is its modifier. */
static xkb_mod_mask_t
locked_mask(struct xkb_keymap *keymap, uint16_t code)
{
	struct xkb_state *st = xkb_state_new(keymap);
	xkb_mod_mask_t mask;

	if (!st)
		return 0;
	xkb_state_update_key(st, code + EVDEV_OFFSET, XKB_KEY_DOWN);
	xkb_state_update_key(st, code + EVDEV_OFFSET, XKB_KEY_UP);
	mask = xkb_state_serialize_mods(st, XKB_STATE_MODS_LOCKED);
	xkb_state_unref(st);
	return mask;
}

/* The CapsLock LED shows Lock; NumLock's modifier is whatever the NumLock key locks. */
static void
find_lock_masks(struct planner *p)
{
	xkb_mod_index_t lock = xkb_keymap_mod_get_index(p->keymap, XKB_MOD_NAME_CAPS);
	xkb_mod_index_t num = xkb_keymap_mod_get_index(p->keymap, XKB_MOD_NAME_NUM);

	p->caps_mask = lock == XKB_MOD_INVALID ? 0 : 1u << lock;
	p->num_mask = locked_mask(p->keymap, KEY_NUMLOCK);
	if (!p->num_mask && num != XKB_MOD_INVALID)
		p->num_mask = 1u << num;
}

/* Cheapest first: fewer modifiers, Shift before Level3 before Level5. */
static size_t
make_combos(const struct planner *p, struct combo *out)
{
	const struct modkey *mk[3] = {&p->shift, &p->level3, &p->level5};
	static const uint8_t sets[] = {0, 1, 2, 4, 3, 5, 6, 7};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(sets); i++) {
		struct combo c = {0};
		bool ok = true;

		for (int b = 0; b < 3; b++) {
			if (!(sets[i] & (1 << b)))
				continue;
			if (!mk[b]->code)
				ok = false;
			else {
				c.mask |= mk[b]->mask;
				c.mods[c.n_mods++] = mk[b]->code;
			}
		}
		if (ok)
			out[n++] = c;
	}
	return n;
}

/* ---- the tables ---- */

static bool
add_char(struct tables *t, uint32_t cp, uint64_t rank, const struct keystroke *ks, uint8_t n)
{
	struct char_entry *e;

	if (!grow((void **)&t->chars, t->n_chars, &t->cap_chars, sizeof(*t->chars)))
		return false;
	e = &t->chars[t->n_chars++];
	*e = (struct char_entry){.cp = cp, .rank = rank, .n = n};
	memcpy(e->ks, ks, n * sizeof(*ks));
	return true;
}

static bool
add_sym(struct tables *t, xkb_keysym_t sym, uint64_t rank, struct keystroke ks, bool base)
{
	if (!grow((void **)&t->syms, t->n_syms, &t->cap_syms, sizeof(*t->syms)))
		return false;
	t->syms[t->n_syms++] = (struct sym_entry){.sym = sym, .rank = rank, .ks = ks, .base = base};
	return true;
}

static bool
add_dead(struct tables *t, xkb_keysym_t sym, struct keystroke ks)
{
	for (size_t i = 0; i < t->n_dead; i++)
		if (t->dead[i].sym == sym)
			return true; /* found cheaper before */
	if (!grow((void **)&t->dead, t->n_dead, &t->cap_dead, sizeof(*t->dead)))
		return false;
	t->dead[t->n_dead++] = (struct dead_key){.sym = sym, .ks = ks};
	return true;
}

static int
cmp_char(const void *a, const void *b)
{
	const struct char_entry *x = a, *y = b;

	if (x->cp != y->cp)
		return x->cp < y->cp ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

static int
cmp_sym(const void *a, const void *b)
{
	const struct sym_entry *x = a, *y = b;

	if (x->sym != y->sym)
		return x->sym < y->sym ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* Sort by key then rank and keep the cheapest entry of each key. */
static void
sort_chars(struct tables *t)
{
	size_t n = 0;

	qsort(t->chars, t->n_chars, sizeof(*t->chars), cmp_char);
	for (size_t i = 0; i < t->n_chars; i++)
		if (n == 0 || t->chars[n - 1].cp != t->chars[i].cp)
			t->chars[n++] = t->chars[i];
	t->n_chars = n;
}

static void
sort_syms(struct tables *t)
{
	size_t n = 0;

	qsort(t->syms, t->n_syms, sizeof(*t->syms), cmp_sym);
	for (size_t i = 0; i < t->n_syms; i++)
		if (n == 0 || t->syms[n - 1].sym != t->syms[i].sym)
			t->syms[n++] = t->syms[i];
	t->n_syms = n;
}

/* Binary search of the first n (sorted) entries. */
static const struct char_entry *
find_char(const struct tables *t, size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->chars[mid].cp == cp)
			return &t->chars[mid];
		if (t->chars[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const struct sym_entry *
find_sym(const struct tables *t, xkb_keysym_t sym)
{
	size_t lo = 0, hi = t->n_syms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->syms[mid].sym == sym)
			return &t->syms[mid];
		if (t->syms[mid].sym < sym)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A keysym that starts a Compose sequence on its own would swallow what follows. */
static bool
starts_sequence(struct xkb_compose_state *cs, xkb_keysym_t sym)
{
	if (!cs)
		return false;
	xkb_compose_state_reset(cs);
	xkb_compose_state_feed(cs, sym);
	return xkb_compose_state_get_status(cs) == XKB_COMPOSE_COMPOSING;
}

/* Record what one key produces under the state's current modifiers. */
static bool
scan_key(struct planner *p, struct xkb_state *st, struct xkb_compose_state *cs, xkb_keycode_t kc,
	 const struct combo *c, uint64_t rank)
{
	uint8_t kind = p->key_kind[kc - p->min_kc];
	struct keystroke ks = make_stroke(kc, c);
	xkb_keysym_t sym = xkb_state_key_get_one_sym(st, kc);
	uint32_t cp;

	if (sym == XKB_KEY_NoSymbol)
		return true;
	if (!add_sym(&p->t, sym, rank, ks, kind == KIND_MAIN))
		return false;
	if (kind != KIND_MAIN && kind != KIND_KEYPAD)
		return true;
	if (has_prefix(sym, "dead_"))
		return add_dead(&p->t, sym, ks);
	cp = xkb_state_key_get_utf32(st, kc);
	if (!is_text(cp) || starts_sequence(cs, sym))
		return true;
	return add_char(&p->t, cp, rank, &ks, 1);
}

/*
 * Ranks: main-block keys before keypad keys before modifier keys (the latter
 * only for planner_keysym, without modifiers held), then the combination's
 * cost, then the keycode.
 */
static bool
scan_keys(struct planner *p, struct xkb_state *st, struct xkb_compose_state *cs)
{
	static const uint8_t pass_kind[] = {KIND_MAIN, KIND_KEYPAD, KIND_MODIFIER};
	xkb_mod_mask_t locked = (p->caps_lock ? p->caps_mask : 0) | (p->num_lock ? p->num_mask : 0);
	struct combo combos[8];
	size_t n_combos = make_combos(p, combos);
	uint64_t rank = 0;

	for (size_t pass = 0; pass < sizeof(pass_kind); pass++) {
		for (size_t c = 0; c < n_combos; c++) {
			if (pass_kind[pass] == KIND_MODIFIER && combos[c].n_mods)
				break;
			xkb_state_update_mask(st, combos[c].mask, 0, locked, 0, 0, 0);
			for (xkb_keycode_t kc = p->min_kc; kc <= p->max_kc; kc++) {
				if (p->key_kind[kc - p->min_kc] != pass_kind[pass])
					continue;
				if (!scan_key(p, st, cs, kc, &combos[c], rank++))
					return false;
			}
		}
	}
	return true;
}

/* What a dead key followed by a keysym composes to: one code point, or 0. */
static uint32_t
compose_pair(struct xkb_compose_state *cs, xkb_keysym_t dead, xkb_keysym_t base)
{
	char buf[16];
	size_t pos = 0;
	uint32_t cp;
	int len;

	xkb_compose_state_reset(cs);
	xkb_compose_state_feed(cs, dead);
	xkb_compose_state_feed(cs, base);
	if (xkb_compose_state_get_status(cs) != XKB_COMPOSE_COMPOSED)
		return 0;
	len = xkb_compose_state_get_utf8(cs, buf, sizeof(buf));
	if (len <= 0 || (size_t)len >= sizeof(buf))
		return 0;
	if (!utf8_next((const unsigned char *)buf, (size_t)len, &pos, &cp) || pos != (size_t)len)
		return 0;
	return cp;
}

/*
 * Compose must ignore the modifiers held for the second stroke: libxkbcommon
 * 1.5 feeds ISO_Level5_Shift like any keysym, so pressing it mid-sequence
 * cancels the sequence (libxkbcommon issue #413). Returns the keys it does not
 * ignore, as a bit per modifier slot.
 */
static unsigned int
mods_compose_sees(const struct planner *p, struct xkb_compose_state *cs)
{
	const struct modkey *mk[3] = {&p->shift, &p->level3, &p->level5};
	unsigned int seen = 0;

	for (int i = 0; i < 3; i++) {
		xkb_keysym_t sym = level1_sym(p->keymap, mk[i]->code + EVDEV_OFFSET);

		xkb_compose_state_reset(cs);
		if (mk[i]->code && xkb_compose_state_feed(cs, sym) != XKB_COMPOSE_FEED_IGNORED)
			seen |= 1u << i;
	}
	return seen;
}

static bool
holds_any(const struct planner *p, const struct keystroke *ks, unsigned int slots)
{
	const struct modkey *mk[3] = {&p->shift, &p->level3, &p->level5};

	for (int i = 0; i < 3; i++)
		for (int m = 0; m < ks->n_mods; m++)
			if ((slots & (1u << i)) && ks->mods[m] == mk[i]->code)
				return true;
	return false;
}

/* Dead key x every typeable keysym: characters the layout reaches in two strokes. */
static bool
scan_dead_keys(struct planner *p, struct xkb_compose_state *cs)
{
	const struct tables *t = &p->t;
	unsigned int seen = mods_compose_sees(p, cs);
	size_t n_direct = t->n_chars;
	uint64_t order = 0;

	for (size_t d = 0; d < t->n_dead; d++) {
		for (size_t s = 0; s < t->n_syms; s++) {
			struct keystroke ks[2] = {t->dead[d].ks, t->syms[s].ks};
			uint32_t cp;
			uint64_t cost;

			if (!t->syms[s].base || holds_any(p, &t->syms[s].ks, seen))
				continue;
			cp = compose_pair(cs, t->dead[d].sym, t->syms[s].sym);
			if (!is_text(cp) || find_char(t, n_direct, cp))
				continue;
			/* after every direct entry; fewer modifiers held wins */
			cost = (uint64_t)(ks[0].n_mods + ks[1].n_mods) << 32;
			if (!add_char(&p->t, cp, (1ull << 40) + cost + order++, ks, 2))
				return false;
		}
	}
	return true;
}

/* Rebuild both tables for the current lock state; on failure the old ones stay. */
static int
build_tables(struct planner *p)
{
	struct tables old = p->t;
	struct xkb_state *st = xkb_state_new(p->keymap);
	struct xkb_compose_state *cs = NULL;
	bool ok;

	if (p->compose)
		cs = xkb_compose_state_new(p->compose, XKB_COMPOSE_STATE_NO_FLAGS);
	memset(&p->t, 0, sizeof(p->t));
	ok = st && (cs || !p->compose) && scan_keys(p, st, cs);
	if (ok) {
		sort_chars(&p->t);
		sort_syms(&p->t);
		ok = !cs || scan_dead_keys(p, cs);
		sort_chars(&p->t);
	}
	xkb_compose_state_unref(cs);
	xkb_state_unref(st);
	if (!ok) {
		tables_free(&p->t);
		p->t = old;
		return -ENOMEM;
	}
	tables_free(&old);
	return 0;
}

/*
 * The Compose table a compositor would load for the user's locale. Tests and
 * services often run with LANG=C, which has no table: fall back to en_US.UTF-8,
 * whose dead-key sequences are the ones every UTF-8 locale includes.
 */
static struct xkb_compose_table *
load_compose(struct xkb_context *ctx)
{
	static const char *const vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
	struct xkb_compose_table *table = NULL;
	const char *locale = NULL;

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]) && !locale; i++) {
		const char *v = getenv(vars[i]);

		if (v && *v)
			locale = v;
	}
	if (locale && strcmp(locale, "C") != 0 && strcmp(locale, "POSIX") != 0)
		table = xkb_compose_table_new_from_locale(ctx, locale,
							  XKB_COMPOSE_COMPILE_NO_FLAGS);
	if (!table)
		table = xkb_compose_table_new_from_locale(ctx, "en_US.UTF-8",
							  XKB_COMPOSE_COMPILE_NO_FLAGS);
	return table;
}

static const char *
str_or_empty(const char *s)
{
	return s ? s : "";
}

static void
compile_error(const struct xkb_rule_names *names, char *err, size_t errlen)
{
	const char *layout = names->layout && *names->layout ? names->layout : "(default)";
	char extra[320] = "";

	if (names->variant && *names->variant && names->options && *names->options)
		snprintf(extra, sizeof(extra), " (variant '%s', options '%s')", names->variant,
			 names->options);
	else if (names->variant && *names->variant)
		snprintf(extra, sizeof(extra), " (variant '%s')", names->variant);
	else if (names->options && *names->options)
		snprintf(extra, sizeof(extra), " (options '%s')", names->options);
	if (err && errlen)
		snprintf(
			err, errlen,
			"cannot compile keyboard layout '%s'%s: is it installed in /usr/share/X11/xkb?",
			layout, extra);
}

static void
describe(struct planner *p, const struct xkb_rule_names *names)
{
	const char *layout = str_or_empty(names->layout), *variant = str_or_empty(names->variant);

	if (!*layout)
		layout = str_or_empty(xkb_keymap_layout_get_name(p->keymap, 0));
	if (*variant)
		snprintf(p->name, sizeof(p->name), "%s(%s)", layout, variant);
	else
		snprintf(p->name, sizeof(p->name), "%s", layout);
}

static int
setup(struct planner *p, const struct xkb_rule_names *names, char *err, size_t errlen)
{
	int r;

	/* layout_detect has already applied XKB_DEFAULT_*; do not apply them twice */
	p->ctx = xkb_context_new(XKB_CONTEXT_NO_ENVIRONMENT_NAMES);
	if (!p->ctx)
		return -ENOMEM;
	/* our message names the layout and the fix; xkbcommon's parser errors add only noise */
	xkb_context_set_log_level(p->ctx, XKB_LOG_LEVEL_CRITICAL);
	p->keymap = xkb_keymap_new_from_names(p->ctx, names, XKB_KEYMAP_COMPILE_NO_FLAGS);
	if (!p->keymap) {
		compile_error(names, err, errlen);
		return -EINVAL;
	}
	describe(p, names);
	p->min_kc = xkb_keymap_min_keycode(p->keymap);
	p->max_kc = xkb_keymap_max_keycode(p->keymap);
	r = classify_keys(p);
	if (r < 0)
		return r;
	find_modifier_keys(p);
	find_lock_masks(p);
	p->compose = load_compose(p->ctx);
	return build_tables(p);
}

int
planner_new(const struct planner_layout *layout, struct planner **out, char *err, size_t errlen)
{
	struct xkb_rule_names names = {0};
	struct planner *p;
	int r;

	*out = NULL;
	if (layout)
		names = (struct xkb_rule_names){layout->rules, layout->model, layout->layout,
						layout->variant, layout->options};
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	r = setup(p, &names, err, errlen);
	if (r < 0) {
		if (r == -ENOMEM && err && errlen)
			snprintf(err, errlen, "out of memory while preparing the keyboard layout");
		planner_free(p);
		return r;
	}
	*out = p;
	return 0;
}

void
planner_free(struct planner *p)
{
	if (!p)
		return;
	tables_free(&p->t);
	free(p->key_kind);
	xkb_compose_table_unref(p->compose);
	xkb_keymap_unref(p->keymap);
	xkb_context_unref(p->ctx);
	free(p);
}

int
planner_set_locks(struct planner *p, bool caps_lock, bool num_lock)
{
	bool old_caps = p->caps_lock, old_num = p->num_lock;

	if (caps_lock == old_caps && num_lock == old_num)
		return 0;
	p->caps_lock = caps_lock;
	p->num_lock = num_lock;
	if (build_tables(p) < 0) {
		/* the old tables stay, and so must the state they were built for */
		p->caps_lock = old_caps;
		p->num_lock = old_num;
		return -ENOMEM;
	}
	return 0;
}

struct plan {
	struct keystroke *ks;
	size_t n, cap;
	uint32_t *missing;
	size_t n_missing, cap_missing;
};

static bool
plan_missing(struct plan *pl, uint32_t cp)
{
	for (size_t i = 0; i < pl->n_missing; i++)
		if (pl->missing[i] == cp)
			return true;
	if (!grow((void **)&pl->missing, pl->n_missing, &pl->cap_missing, sizeof(*pl->missing)))
		return false;
	pl->missing[pl->n_missing++] = cp;
	return true;
}

static bool
plan_strokes(struct plan *pl, const struct keystroke *ks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!grow((void **)&pl->ks, pl->n, &pl->cap, sizeof(*pl->ks)))
			return false;
		pl->ks[pl->n++] = ks[i];
	}
	return true;
}

static bool
plan_char(const struct planner *p, struct plan *pl, uint32_t cp)
{
	const struct char_entry *e;
	const struct sym_entry *s = NULL;

	if (cp == '\n' || cp == '\t') {
		s = find_sym(&p->t, cp == '\n' ? XKB_KEY_Return : XKB_KEY_Tab);
		if (s)
			return pl->n_missing || plan_strokes(pl, &s->ks, 1);
	} else if ((e = find_char(&p->t, p->t.n_chars, cp))) {
		/* once something is missing, only the missing list matters */
		return pl->n_missing || plan_strokes(pl, e->ks, e->n);
	}
	return plan_missing(pl, cp);
}

int
planner_plan(struct planner *p, const char *utf8, size_t len, struct keystroke **strokes,
	     size_t *n_strokes, uint32_t **missing, size_t *n_missing)
{
	struct plan pl = {0};
	size_t pos = 0;
	int r = 0;

	*strokes = NULL;
	*n_strokes = 0;
	*missing = NULL;
	*n_missing = 0;
	while (pos < len) {
		uint32_t cp;

		if (!utf8_next((const unsigned char *)utf8, len, &pos, &cp)) {
			r = -EINVAL;
			goto fail;
		}
		if (!plan_char(p, &pl, cp)) {
			r = -ENOMEM;
			goto fail;
		}
	}
	if (pl.n_missing) {
		free(pl.ks);
		*missing = pl.missing;
		*n_missing = pl.n_missing;
		return -ENOENT;
	}
	*strokes = pl.ks;
	*n_strokes = pl.n;
	return 0;
fail:
	free(pl.ks);
	free(pl.missing);
	return r;
}

int
planner_keysym(const struct planner *p, const char *name, struct keystroke *out)
{
	const struct sym_entry *e;
	xkb_keysym_t sym;

	if (!name || !*name)
		return -ENOENT;
	sym = xkb_keysym_from_name(name, XKB_KEYSYM_NO_FLAGS);
	if (sym == XKB_KEY_NoSymbol)
		sym = xkb_keysym_from_name(name, XKB_KEYSYM_CASE_INSENSITIVE);
	if (sym == XKB_KEY_NoSymbol)
		return -ENOENT;
	e = find_sym(&p->t, sym);
	if (!e)
		return -ENOENT;
	*out = e->ks;
	return 0;
}

const char *
planner_describe(const struct planner *p)
{
	return p->name;
}
