/* typeplan.h - keystrokes into keyboard reports (typeplan.c). */
#ifndef LIBVHID_TYPEPLAN_H
#define LIBVHID_TYPEPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "planner.h"
#include "vhid.h"

#define HELD_MAX 8

/* One keyboard report of a plan. */
struct type_step {
	uint8_t mods;   /* HID modifier bits */
	uint8_t n_keys; /* keys[] in use */
	bool pause;     /* a keystroke ends here: where the delay goes */
	uint16_t keys[HELD_MAX];
};

struct type_steps {
	struct type_step *s; /* malloc'd */
	size_t n, cap;
};

/*
 * Append the reports typing n keystrokes to *s; the last report is empty.
 * start_empty: begin with an empty report (the device holds keys of its own).
 * 0, -ENOMEM, or -EINVAL for a key outside the keyboard page.
 */
int type_steps(const struct keystroke *ks, size_t n, bool start_empty, struct type_steps *s);

/* The keyboard report of a step. */
void type_step_report(const struct type_step *st, struct vhid_keyboard_report *k);

#endif
