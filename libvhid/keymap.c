/*
 * keymap.c - the public face of the typing planner (planner.c): compiling a
 * layout from RMLVO names, detected like vhidctl always did (layout.c), and
 * checking text against it. The keymap owns one planner; typing (type.c)
 * plans with it and then no longer needs it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keymap.h"
#include "layout.h"

struct vhid_keymap {
	struct planner *planner;
	char source[160];
};

static const char *
member(const struct vhid_rmlvo *names, size_t offset)
{
	const char *s;

	if (!names || names->size < offset + sizeof(s))
		return NULL; /* a shorter struct of an older caller lacks it */
	memcpy(&s, (const char *)names + offset, sizeof(s));
	return s && *s ? s : NULL;
}

#define MEMBER(names, m) member(names, offsetof(struct vhid_rmlvo, m))

static void
set_if(char *dst, size_t len, const char *value)
{
	if (value)
		snprintf(dst, len, "%s", value);
}

/* The names to compile: given ones win, the rest detected unless NO_DETECT. */
static void
resolve_names(const struct vhid_rmlvo *names, unsigned int flags, struct layout_names *ln)
{
	if (flags & VHID_KEYMAP_NO_DETECT) {
		memset(ln, 0, sizeof(*ln));
		set_if(ln->layout, sizeof(ln->layout), MEMBER(names, layout));
		set_if(ln->variant, sizeof(ln->variant), MEMBER(names, variant));
		snprintf(ln->source, sizeof(ln->source), "%s",
			 MEMBER(names, layout) ? "the caller" : "default (us)");
	} else {
		layout_detect(ln, MEMBER(names, layout), MEMBER(names, variant),
			      "/etc/default/keyboard");
	}
	set_if(ln->rules, sizeof(ln->rules), MEMBER(names, rules));
	set_if(ln->model, sizeof(ln->model), MEMBER(names, model));
	set_if(ln->options, sizeof(ln->options), MEMBER(names, options));
}

static void
set_msg(char *msg, size_t msglen, const char *text)
{
	if (msg && msglen)
		snprintf(msg, msglen, "%s", text);
}

VHID_EXPORT int
vhid_keymap_new(const struct vhid_rmlvo *names, unsigned int flags, struct vhid_keymap **out,
		char *msg, size_t msglen)
{
	struct layout_names ln;
	struct vhid_keymap *km;
	char why[300];
	int r;

	*out = NULL;
	set_msg(msg, msglen, "");
	if (names && names->size < sizeof(names->size)) {
		set_msg(msg, msglen, "struct vhid_rmlvo: set size to sizeof(struct vhid_rmlvo)");
		return -EINVAL;
	}
	if (flags & ~(unsigned int)VHID_KEYMAP_NO_DETECT) {
		set_msg(msg, msglen, "unknown vhid_keymap_new flags");
		return -EINVAL;
	}
	if (!(km = calloc(1, sizeof(*km))))
		return -ENOMEM;
	resolve_names(names, flags, &ln);
	snprintf(km->source, sizeof(km->source), "%s", ln.source);
	struct planner_layout pl = {ln.rules, ln.model, ln.layout, ln.variant, ln.options};
	r = planner_new(&pl, &km->planner, why, sizeof(why));
	if (r < 0) {
		/* where a detected layout came from is the first thing to check */
		if (msg && msglen && strcmp(ln.source, "the caller") != 0)
			snprintf(msg, msglen, "%s (layout from %s)", why, ln.source);
		else
			set_msg(msg, msglen, why);
		free(km);
		return r;
	}
	*out = km;
	return 0;
}

VHID_EXPORT void
vhid_keymap_destroy(struct vhid_keymap *km)
{
	if (!km)
		return;
	planner_free(km->planner);
	free(km);
}

VHID_EXPORT const char *
vhid_keymap_get_layout(const struct vhid_keymap *km)
{
	return planner_describe(km->planner);
}

VHID_EXPORT const char *
vhid_keymap_get_source(const struct vhid_keymap *km)
{
	return km->source;
}

VHID_EXPORT int
vhid_keymap_set_leds(struct vhid_keymap *km, unsigned int leds)
{
	return planner_set_locks(km->planner, leds & VHID_LED_CAPS_LOCK, leds & VHID_LED_NUM_LOCK);
}

static const struct planner *
keymap_planner(const struct vhid_keymap *km)
{
	return km ? km->planner : NULL;
}

/* One character of a message: 'ñ' (U+00F1); control characters show as '?'. */
static size_t
append_char(char *buf, size_t len, size_t n, uint32_t cp)
{
	char u[5] = "?";

	if (cp >= 0x20 && cp < 0x80)
		u[0] = (char)cp;
	else if (cp >= 0x80 && cp < 0x800)
		snprintf(u, sizeof(u), "%c%c", 0xc0 | cp >> 6, 0x80 | (cp & 0x3f));
	else if (cp >= 0x800 && cp < 0x10000)
		snprintf(u, sizeof(u), "%c%c%c", 0xe0 | cp >> 12, 0x80 | ((cp >> 6) & 0x3f),
			 0x80 | (cp & 0x3f));
	else if (cp >= 0x10000)
		snprintf(u, sizeof(u), "%c%c%c%c", 0xf0 | cp >> 18, 0x80 | ((cp >> 12) & 0x3f),
			 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, "%s'%s' (U+%04X)", n ? ", " : "", u, cp);
	return n;
}

static void
untypeable_message(const struct vhid_keymap *km, const uint32_t *missing, size_t n, char *msg,
		   size_t msglen)
{
	char list[1024];
	size_t used = 0;

	if (!msg || !msglen)
		return;
	list[0] = '\0';
	for (size_t i = 0; i < n; i++)
		used = append_char(list, sizeof(list), used, missing[i]);
	snprintf(msg, msglen, "the keyboard layout '%s' cannot type %s; nothing was typed",
		 planner_describe(km->planner), list);
}

int
keymap_plan(struct vhid_keymap *km, const char *text, size_t len, struct keystroke **strokes,
	    size_t *n, char *msg, size_t msglen)
{
	uint32_t *missing = NULL;
	size_t n_missing = 0;
	int r = planner_plan(km->planner, text, len, strokes, n, &missing, &n_missing);

	if (r == -ENOENT) {
		untypeable_message(km, missing, n_missing, msg, msglen);
		free(missing);
		return -VHID_EUNTYPEABLE;
	}
	if (r == -EINVAL) {
		set_msg(msg, msglen, "the text is not valid UTF-8");
		return -EILSEQ;
	}
	if (r < 0)
		set_msg(msg, msglen, "out of memory while planning the text");
	return r;
}

VHID_EXPORT int
vhid_keymap_check(struct vhid_keymap *km, const char *text, size_t len, char *msg, size_t msglen)
{
	struct keystroke *strokes = NULL;
	size_t n = 0;
	int r;

	set_msg(msg, msglen, "");
	r = keymap_plan(km, text, len, &strokes, &n, msg, msglen);
	free(strokes);
	return r;
}

VHID_EXPORT int
vhid_keymap_get_untypeable(struct vhid_keymap *km, const char *text, size_t len, uint32_t *chars,
			   size_t max)
{
	struct keystroke *strokes = NULL;
	uint32_t *missing = NULL;
	size_t n = 0, n_missing = 0;
	int r = planner_plan(km->planner, text, len, &strokes, &n, &missing, &n_missing);

	free(strokes);
	if (r == -ENOENT) {
		for (size_t i = 0; i < n_missing && i < max; i++)
			chars[i] = missing[i];
		free(missing);
		return n_missing > 0x7fffffff ? 0x7fffffff : (int)n_missing;
	}
	return r == -EINVAL ? -EILSEQ : r;
}

VHID_EXPORT int
vhid_key_parse(const struct vhid_keymap *km, const char *text, unsigned int *codes, size_t max,
	       char *msg, size_t msglen)
{
	struct combo c;
	char err[300];
	int r = keyname_parse_combo(keymap_planner(km), text ? text : "", &c, err, sizeof(err));

	set_msg(msg, msglen, r < 0 ? err : "");
	if (r < 0)
		return r;
	if ((size_t)c.n > max) {
		if (msg && msglen)
			snprintf(msg, msglen, "'%s' has %d keys, more than the %zu asked for", text,
				 c.n, max);
		return -E2BIG;
	}
	for (int i = 0; i < c.n; i++)
		codes[i] = c.codes[i];
	return c.n;
}

VHID_EXPORT const char *
vhid_key_get_name(unsigned int code)
{
	return keyname_of_code(code);
}
