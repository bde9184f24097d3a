/* keymap.h - what type.c needs of a struct vhid_keymap (keymap.c). */
#ifndef LIBVHID_KEYMAP_H
#define LIBVHID_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

#include "keynames.h"
#include "planner.h"
#include "private.h"

/*
 * Plan text for the keymap's current lock state: 0 with *strokes (malloc'd),
 * -VHID_EUNTYPEABLE naming the characters in msg, -EILSEQ, -ENOMEM.
 */
int keymap_plan(struct vhid_keymap *km, const char *text, size_t len, struct keystroke **strokes,
		size_t *n, char *msg, size_t msglen);

#endif
