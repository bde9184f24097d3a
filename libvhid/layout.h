/* layout.h - which keyboard layout to type for. */
#ifndef LIBVHID_LAYOUT_H
#define LIBVHID_LAYOUT_H

struct layout_names {
	char rules[64], model[64], layout[64], variant[64], options[256];
	char source[160]; /* where the layout came from, for messages */
};

/*
 * The layout to use, field by field from the first source that sets it: the
 * explicit layout/variant (may be NULL), XKB_DEFAULT_RULES/MODEL/LAYOUT/
 * VARIANT/OPTIONS, keyboard_file (normally /etc/default/keyboard: XKBLAYOUT=,
 * XKBVARIANT=, XKBMODEL=, XKBOPTIONS=; NULL skips it), then "us". When the
 * layout comes from one source, its variant does too (a variant of another
 * layout would be meaningless). Returns 0.
 */
int layout_detect(struct layout_names *out, const char *layout, const char *variant,
		  const char *keyboard_file);

#endif
