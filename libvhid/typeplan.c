/*
 * typeplan.c - keystrokes into the exact sequence of keyboard reports that
 * types them: a modifier goes down just before the first key that needs it and
 * up as soon as a key does not, one change per report, so the order the
 * compositor sees is the order a person would type, and no modifier is ever
 * down while a key that does not want it is pressed ("Can you", never
 * "CAN YOu"). Every report carries the whole state, so a lost report cannot
 * leave a key stuck.
 */
#include "typeplan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "usage.h"

/* The modifier keys held, in press order (evdev codes). */
struct held {
	uint16_t codes[HELD_MAX];
	int n;
};

static bool
held_has(const struct held *h, uint16_t code)
{
	for (int i = 0; i < h->n; i++)
		if (h->codes[i] == code)
			return true;
	return false;
}

/* Add a key to a step: HID modifiers as bits, everything else into the array. */
static int
step_add(struct type_step *st, uint16_t code)
{
	uint8_t id;
	uint16_t usage;

	if (usage_from_key(code, &id, &usage) < 0 || id != VHID_REPORT_KEYBOARD)
		return -EINVAL; /* the planner only plans keyboard-page keys */
	if (usage >= 0xe0 && usage <= 0xe7)
		st->mods |= (uint8_t)(1u << (usage - 0xe0));
	else if (st->n_keys < HELD_MAX)
		st->keys[st->n_keys++] = usage;
	return 0;
}

/* Append the report for the held modifiers plus key (0: none). */
static int
emit(struct type_steps *s, const struct held *h, uint16_t key, bool pause)
{
	struct type_step st = {.pause = pause};
	int r = 0;

	for (int i = 0; i < h->n && r == 0; i++)
		r = step_add(&st, h->codes[i]);
	if (key && r == 0)
		r = step_add(&st, key);
	if (r < 0)
		return r;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct type_step *p = realloc(s->s, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		s->s = p;
		s->cap = cap;
	}
	s->s[s->n++] = st;
	return 0;
}

/* Release the held modifiers the keystroke does not want (last pressed first),
 * then press the ones it wants that are not held, one report each. */
static int
change_mods(struct type_steps *s, struct held *h, const struct keystroke *want)
{
	struct held w = {.n = want->n_mods};
	int r = 0;

	memcpy(w.codes, want->mods, want->n_mods * sizeof(want->mods[0]));
	for (int i = h->n - 1; i >= 0 && r == 0; i--) {
		if (held_has(&w, h->codes[i]))
			continue;
		memmove(&h->codes[i], &h->codes[i + 1],
			(size_t)(h->n - i - 1) * sizeof(h->codes[0]));
		h->n--;
		r = emit(s, h, 0, false);
	}
	for (int i = 0; i < w.n && r == 0; i++) {
		if (held_has(h, w.codes[i]) || h->n == HELD_MAX)
			continue;
		h->codes[h->n++] = w.codes[i];
		r = emit(s, h, 0, false);
	}
	return r;
}

int
type_steps(const struct keystroke *ks, size_t n, bool start_empty, struct type_steps *s)
{
	static const struct keystroke none = {0};
	struct held h = {0};
	int r = start_empty ? emit(s, &h, 0, false) : 0;

	for (size_t i = 0; i < n && r == 0; i++) {
		r = change_mods(s, &h, &ks[i]);
		if (r == 0)
			r = emit(s, &h, ks[i].key, false);
		if (r == 0)
			r = emit(s, &h, 0, true);
	}
	if (r == 0)
		r = change_mods(s, &h, &none);
	return r;
}

void
type_step_report(const struct type_step *st, struct vhid_keyboard_report *k)
{
	memset(k, 0, sizeof(*k));
	k->modifiers = st->mods;
	memcpy(k->keys, st->keys, st->n_keys * sizeof(st->keys[0]));
}
