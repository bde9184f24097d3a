/*
 * planner.h - layout-aware typing: which keys, with which modifiers, produce
 * each character on a given XKB layout. Built on libxkbcommon; characters the
 * layout reaches only through a dead key (French "ê") become two keystrokes,
 * found through the locale's Compose table.
 */
#ifndef LIBVHID_PLANNER_H
#define LIBVHID_PLANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct planner;

/* XKB rule names; NULL or "" fields take libxkbcommon's defaults (evdev rules). */
struct planner_layout {
	const char *rules, *model, *layout, *variant, *options;
};

/* One key tap: hold the modifier keys (in order), tap `key`, release them. */
struct keystroke {
	uint16_t key;     /* Linux evdev code (KEY_A) */
	uint16_t mods[4]; /* evdev codes of modifier keys (KEY_LEFTSHIFT, KEY_RIGHTALT) */
	uint8_t n_mods;
};

/* Compile the keymap. Returns 0, or -EINVAL with "unknown layout 'xx'" etc. in err. */
int planner_new(const struct planner_layout *layout, struct planner **out, char *err,
		size_t errlen);
void planner_free(struct planner *p);

/* The target's lock state (from the keyboard LEDs); plans compensate for it.
 * 0, or -ENOMEM (the previous state stays). */
int planner_set_locks(struct planner *p, bool caps_lock, bool num_lock);

/*
 * Plan UTF-8 text. Returns 0 with *strokes (malloc'd; the caller frees) in
 * typing order, one or more per character. Returns -ENOENT when characters
 * cannot be typed on this layout: *missing (malloc'd, each code point once, in
 * order of first appearance) lists them and *strokes is NULL. -EINVAL for
 * invalid UTF-8. Newline types Return, tab types Tab.
 */
int planner_plan(struct planner *p, const char *utf8, size_t len, struct keystroke **strokes,
		 size_t *n_strokes, uint32_t **missing, size_t *n_missing);

/* The keystroke producing a keysym given by name ("a", "ssharp", "Return", "F5",
 * "at"): 0, or -ENOENT when the name is unknown or not on this layout. */
int planner_keysym(const struct planner *p, const char *name, struct keystroke *out);

/* "de(nodeadkeys)", for messages. */
const char *planner_describe(const struct planner *p);

#endif
