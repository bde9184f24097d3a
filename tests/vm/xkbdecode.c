/*
 * xkbdecode.c - the referee for typing tests: evdev key events to text, the
 * way a Wayland compositor and its text input do it (xkb_state for levels and
 * locks, xkb_compose_state for dead keys). Deliberately shares nothing with
 * vhidctl's planner, so a planner bug cannot hide behind the same bug here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xkbcommon/xkbcommon-compose.h>
#include <xkbcommon/xkbcommon.h>

#include "xkbdecode.h"

struct xkb_decoder {
	struct xkb_context *ctx;
	struct xkb_keymap *keymap;
	struct xkb_state *state;
	struct xkb_compose_table *compose_table; /* NULL: no dead keys */
	struct xkb_compose_state *compose;
	char *text;
	size_t len, cap;
};

/* The same choice a compositor makes: LC_ALL, LC_CTYPE, LANG; C means en_US.UTF-8. */
static struct xkb_compose_table *
decoder_compose_table(struct xkb_context *ctx)
{
	const char *locale = getenv("LC_ALL");
	struct xkb_compose_table *t = NULL;

	if (!locale || !*locale)
		locale = getenv("LC_CTYPE");
	if (!locale || !*locale)
		locale = getenv("LANG");
	if (locale && *locale && strcmp(locale, "C") != 0 && strcmp(locale, "POSIX") != 0)
		t = xkb_compose_table_new_from_locale(ctx, locale, XKB_COMPOSE_COMPILE_NO_FLAGS);
	if (!t)
		t = xkb_compose_table_new_from_locale(ctx, "en_US.UTF-8",
						      XKB_COMPOSE_COMPILE_NO_FLAGS);
	return t;
}

int
xkb_decoder_new(const char *layout, const char *variant, struct xkb_decoder **out)
{
	struct xkb_rule_names names = {.layout = layout, .variant = variant ? variant : ""};
	struct xkb_decoder *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (!d)
		return -ENOMEM;
	d->text = calloc(1, 1);
	d->cap = 1;
	d->ctx = xkb_context_new(XKB_CONTEXT_NO_ENVIRONMENT_NAMES);
	if (!d->text || !d->ctx)
		goto nomem;
	d->keymap = xkb_keymap_new_from_names(d->ctx, &names, XKB_KEYMAP_COMPILE_NO_FLAGS);
	if (!d->keymap) {
		xkb_decoder_free(d);
		return -EINVAL;
	}
	d->state = xkb_state_new(d->keymap);
	if (!d->state)
		goto nomem;
	d->compose_table = decoder_compose_table(d->ctx);
	if (d->compose_table) {
		d->compose = xkb_compose_state_new(d->compose_table, XKB_COMPOSE_STATE_NO_FLAGS);
		if (!d->compose)
			goto nomem;
	}
	*out = d;
	return 0;
nomem:
	xkb_decoder_free(d);
	return -ENOMEM;
}

void
xkb_decoder_free(struct xkb_decoder *d)
{
	if (!d)
		return;
	xkb_compose_state_unref(d->compose);
	xkb_compose_table_unref(d->compose_table);
	xkb_state_unref(d->state);
	xkb_keymap_unref(d->keymap);
	xkb_context_unref(d->ctx);
	free(d->text);
	free(d);
}

static void
append(struct xkb_decoder *d, const char *s, size_t n)
{
	if (d->len + n + 1 > d->cap) {
		size_t cap = d->cap;
		char *t;

		while (d->len + n + 1 > cap)
			cap *= 2;
		t = realloc(d->text, cap);
		if (!t)
			abort(); /* a test helper: no partial text to report */
		d->text = t;
		d->cap = cap;
	}
	memcpy(d->text + d->len, s, n);
	d->len += n;
	d->text[d->len] = '\0';
}

/* What the key types on its own, outside any Compose sequence. */
static void
append_key(struct xkb_decoder *d, xkb_keycode_t kc, xkb_keysym_t sym)
{
	char buf[64];
	int n;

	/* text inputs insert a line break for Return; xkb's own string for it is "\r" */
	if (sym == XKB_KEY_Return || sym == XKB_KEY_KP_Enter) {
		append(d, "\n", 1);
		return;
	}
	n = xkb_state_key_get_utf8(d->state, kc, buf, sizeof(buf));
	if (n > 0 && (size_t)n < sizeof(buf))
		append(d, buf, (size_t)n);
}

static void
press(struct xkb_decoder *d, xkb_keycode_t kc)
{
	xkb_keysym_t sym = xkb_state_key_get_one_sym(d->state, kc);
	char buf[64];
	int n;

	if (!d->compose) {
		append_key(d, kc, sym);
		return;
	}
	xkb_compose_state_feed(d->compose, sym);
	switch (xkb_compose_state_get_status(d->compose)) {
	case XKB_COMPOSE_COMPOSING:
		break;
	case XKB_COMPOSE_COMPOSED:
		n = xkb_compose_state_get_utf8(d->compose, buf, sizeof(buf));
		if (n > 0 && (size_t)n < sizeof(buf))
			append(d, buf, (size_t)n);
		xkb_compose_state_reset(d->compose);
		break;
	case XKB_COMPOSE_CANCELLED:
		xkb_compose_state_reset(d->compose);
		break;
	case XKB_COMPOSE_NOTHING:
		append_key(d, kc, sym);
		break;
	}
}

void
xkb_decoder_key(struct xkb_decoder *d, unsigned int code, int value)
{
	xkb_keycode_t kc = code + 8; /* evdev to xkb keycode */

	if (value == 2)
		return;
	/* the keysym is looked up before the press updates the state, as compositors do */
	if (value == 1)
		press(d, kc);
	xkb_state_update_key(d->state, kc, value ? XKB_KEY_DOWN : XKB_KEY_UP);
}

const char *
xkb_decoder_text(const struct xkb_decoder *d)
{
	return d->text;
}
