/* keynames.h - key names (vhid_key_parse, `vhidctl key`): resolution and suggestions. */
#ifndef LIBVHID_KEYNAMES_H
#define LIBVHID_KEYNAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "planner.h"

#define KEY_SPEC_MAX 6

/* The Linux key codes one name stands for, in press order: a keysym that needs
 * Shift or AltGr on the layout comes with them. */
struct key_spec {
	uint16_t codes[KEY_SPEC_MAX];
	int n;
	const char *how; /* "alias", "keysym", ... */
};

/* The canonical name of a code ("KEY_A"), or NULL. */
const char *keyname_of_code(unsigned int code);
#define COMBO_MAX 32

/* A key combination: key codes in press order, each once. */
struct combo {
	uint16_t codes[COMBO_MAX];
	int n;
};

/*
 * Parse "ctrl+alt+t": names separated by '+'. Returns 0; -EINVAL for an
 * empty name (write "plus" for '+'), with the message in err; -ENOENT for an
 * unknown name, with "unknown key name 'x'; did you mean 'y'" in err.
 */
int keyname_parse_combo(const struct planner *p, const char *text, struct combo *out, char *err,
			size_t errlen);

#endif
