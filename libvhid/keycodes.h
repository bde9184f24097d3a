/* keycodes.h - the names of Linux key codes, from the generated libvhid/keycodes.c. */
#ifndef LIBVHID_KEYCODES_H
#define LIBVHID_KEYCODES_H

struct keycode_name {
	const char *name; /* "KEY_A", "BTN_LEFT" */
	unsigned int code;
};

/* Every name, sorted by code; a code's first entry is its canonical name. */
const struct keycode_name *keycode_table(unsigned int *count);

#endif
