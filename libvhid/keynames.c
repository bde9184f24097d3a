/*
 * keynames.c - what a key name means (vhid_key_parse(), `vhidctl key`). In order: modifier
 * aliases (ctrl, alt, super, ...), "KEY_*" Linux codes, xkb keysym names on the
 * layout in use (so "ctrl+q" is the key that types q on AZERTY too), vhid's
 * HID usage names ("volume-up"), and Linux names without the prefix ("enter").
 * An unknown name is answered with the nearest known names.
 */
#include "keynames.h"

#include <ctype.h>
#include <errno.h>
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keycodes.h"
#include "usage.h"

static const struct {
	const char *name;
	uint16_t code;
} aliases[] = {
	{"ctrl", KEY_LEFTCTRL},     {"control", KEY_LEFTCTRL}, {"lctrl", KEY_LEFTCTRL},
	{"rctrl", KEY_RIGHTCTRL},   {"shift", KEY_LEFTSHIFT},  {"lshift", KEY_LEFTSHIFT},
	{"rshift", KEY_RIGHTSHIFT}, {"alt", KEY_LEFTALT},      {"lalt", KEY_LEFTALT},
	{"ralt", KEY_RIGHTALT},     {"altgr", KEY_RIGHTALT},   {"super", KEY_LEFTMETA},
	{"meta", KEY_LEFTMETA},     {"win", KEY_LEFTMETA},     {"logo", KEY_LEFTMETA},
	{"cmd", KEY_LEFTMETA},      {"rsuper", KEY_RIGHTMETA}, {"esc", KEY_ESC},
	{"del", KEY_DELETE},        {"ins", KEY_INSERT},       {"pgup", KEY_PAGEUP},
	{"pgdn", KEY_PAGEDOWN},     {"enter", KEY_ENTER},      {"return", KEY_ENTER},
};

static int
single(struct key_spec *out, uint16_t code, const char *how)
{
	memset(out, 0, sizeof(*out));
	out->codes[0] = code;
	out->n = 1;
	out->how = how;
	return 0;
}

/* A Linux name, any case ("KEY_A", "btn_left"): its code, or -ENOENT. */
static int
keyname_code(const char *name)
{
	unsigned int n;
	const struct keycode_name *t = keycode_table(&n);

	for (unsigned int i = 0; i < n; i++)
		if (strcasecmp(t[i].name, name) == 0)
			return (int)t[i].code;
	return -ENOENT;
}

const char *
keyname_of_code(unsigned int code)
{
	unsigned int n;
	const struct keycode_name *t = keycode_table(&n);

	for (unsigned int i = 0; i < n; i++)
		if (t[i].code == code)
			return t[i].name;
	return NULL;
}

static int
from_evdev_name(const char *name, struct key_spec *out)
{
	int code = keyname_code(name);

	if (code < 0)
		return -ENOENT;
	return single(out, (uint16_t)code, "Linux key code");
}

static int
from_usage_name(const char *name, struct key_spec *out)
{
	unsigned int n;
	const struct usage_key *t = usage_consumer_table(&n);

	for (unsigned int i = 0; i < n; i++)
		if (strcasecmp(t[i].name, name) == 0)
			return single(out, t[i].key, "HID consumer usage");
	t = usage_system_table(&n);
	for (unsigned int i = 0; i < n; i++)
		if (strcasecmp(t[i].name, name) == 0)
			return single(out, t[i].key, "HID system-control usage");
	return -ENOENT;
}

/* A keysym of the layout: its key, after the modifiers it needs. */
static int
from_keysym(const struct planner *p, const char *name, struct key_spec *out)
{
	struct keystroke k;

	if (!p || planner_keysym(p, name, &k) < 0)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < k.n_mods && out->n < KEY_SPEC_MAX - 1; i++)
		out->codes[out->n++] = k.mods[i];
	out->codes[out->n++] = k.key;
	out->how = "keysym";
	return 0;
}

/* p may be NULL (then keysyms are not tried). 0 or -ENOENT. */
static int
keyname_resolve(const struct planner *p, const char *name, struct key_spec *out)
{
	char with_prefix[64];

	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (strcasecmp(name, aliases[i].name) == 0)
			return single(out, aliases[i].code, "alias");
	if (strncasecmp(name, "KEY_", 4) == 0 || strncasecmp(name, "BTN_", 4) == 0)
		return from_evdev_name(name, out);
	if (from_keysym(p, name, out) == 0)
		return 0;
	if (from_usage_name(name, out) == 0)
		return 0;
	snprintf(with_prefix, sizeof(with_prefix), "KEY_%s", name);
	return from_evdev_name(with_prefix, out);
}

/* ---- suggestions -------------------------------------------------------- */

static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = tolower((unsigned char)a[i - 1]) !=
				      tolower((unsigned char)b[j - 1]);
			size_t best = prev[j - 1] + cost;
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			cur[j] = best;
		}
		memcpy(prev, cur, sizeof(size_t) * (lb + 1));
	}
	return prev[lb];
}

struct best {
	char names[3][48];
	size_t dist[3];
};

static void
consider(struct best *b, const char *name, const char *candidate)
{
	size_t d = distance(name, candidate);

	for (int i = 0; i < 3; i++)
		if (!strcasecmp(b->names[i], candidate))
			return;
	for (int i = 0; i < 3; i++) {
		if (d < b->dist[i]) {
			for (int j = 2; j > i; j--) {
				b->dist[j] = b->dist[j - 1];
				memcpy(b->names[j], b->names[j - 1], sizeof(b->names[0]));
			}
			b->dist[i] = d;
			snprintf(b->names[i], sizeof(b->names[0]), "%s", candidate);
			return;
		}
	}
}

/* Up to three nearest known names, "'enter', 'KEY_END'", or "" when none is close. */
static void
keyname_suggest(const char *name, char *buf, size_t len)
{
	struct best b = {.dist = {99, 99, 99}};
	size_t limit = strlen(name) / 3 + 2, n = 0;
	unsigned int count;
	const struct usage_key *t;
	const struct keycode_name *kt = keycode_table(&count);

	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		consider(&b, name, aliases[i].name);
	for (unsigned int i = 0; i < count; i++) {
		if (strncmp(kt[i].name, "KEY_", 4) == 0) {
			consider(&b, name, kt[i].name);
			consider(&b, name, kt[i].name + 4);
		}
	}
	t = usage_consumer_table(&count);
	for (unsigned int i = 0; i < count; i++)
		consider(&b, name, t[i].name);
	buf[0] = '\0';
	for (int i = 0; i < 3; i++)
		if (b.names[i][0] && b.dist[i] <= limit && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s'%s'", n ? ", " : "",
					      b.names[i]);
}

static void
add_code(struct combo *c, uint16_t code)
{
	for (int i = 0; i < c->n; i++)
		if (c->codes[i] == code)
			return;
	if (c->n < COMBO_MAX)
		c->codes[c->n++] = code;
}

int
keyname_parse_combo(const struct planner *p, const char *text, struct combo *out, char *err,
		    size_t errlen)
{
	char copy[256], *save = NULL, hint[200];
	struct key_spec spec;

	memset(out, 0, sizeof(*out));
	if (strlen(text) >= sizeof(copy) || !*text || text[0] == '+' ||
	    text[strlen(text) - 1] == '+' || strstr(text, "++")) {
		snprintf(err, errlen, "bad key combination '%s' (write ctrl+plus for '+')", text);
		return -EINVAL;
	}
	snprintf(copy, sizeof(copy), "%s", text);
	for (char *name = strtok_r(copy, "+", &save); name; name = strtok_r(NULL, "+", &save)) {
		if (keyname_resolve(p, name, &spec) < 0) {
			keyname_suggest(name, hint, sizeof(hint));
			snprintf(err, errlen, "unknown key name '%s'%s%s", name,
				 hint[0] ? "; did you mean " : "", hint);
			return -ENOENT;
		}
		for (int i = 0; i < spec.n; i++)
			add_code(out, spec.codes[i]);
	}
	return 0;
}
