/*
 * layout.c - which keyboard layout to type for: the names the caller gave, then
 * libxkbcommon's XKB_DEFAULT_* variables, then the system's keyboard
 * configuration (/etc/default/keyboard, as written by Debian's
 * keyboard-configuration and read by the console and most compositors).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"

/* The settings of a keyboard file; empty strings when unset. */
struct kbd_file {
	char model[64], layout[64], variant[64], options[256];
};

static bool
is_set(const char *s)
{
	return s && *s;
}

/* Copy the first element of a comma-separated list ("de,us" -> "de"). */
static void
copy_first(char *dst, size_t size, const char *src)
{
	size_t n = strcspn(src, ",");

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void
copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

/* The value after '=': quoted up to the closing quote, otherwise up to a blank or '#'. */
static void
parse_value(char *v)
{
	char *end;

	if (*v == '"' || *v == '\'') {
		char quote = *v;

		memmove(v, v + 1, strlen(v));
		end = strchr(v, quote);
	} else {
		end = v + strcspn(v, " \t\r\n#");
	}
	if (end)
		*end = '\0';
}

static void
parse_line(struct kbd_file *kf, char *line)
{
	static const struct {
		const char *key;
		size_t offset, size;
	} keys[] = {
		{"XKBMODEL", offsetof(struct kbd_file, model), sizeof(kf->model)},
		{"XKBLAYOUT", offsetof(struct kbd_file, layout), sizeof(kf->layout)},
		{"XKBVARIANT", offsetof(struct kbd_file, variant), sizeof(kf->variant)},
		{"XKBOPTIONS", offsetof(struct kbd_file, options), sizeof(kf->options)},
	};
	char *eq, *key = line;

	while (isspace((unsigned char)*key))
		key++;
	if (strncmp(key, "export ", 7) == 0)
		key += 7;
	eq = strchr(key, '=');
	if (*key == '#' || !eq)
		return;
	*eq = '\0';
	parse_value(eq + 1);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(key, keys[i].key) == 0)
			copy_str((char *)kf + keys[i].offset, keys[i].size, eq + 1);
}

/* A missing or unreadable file sets nothing: the next source decides. */
static void
read_keyboard_file(struct kbd_file *kf, const char *path)
{
	char line[512];
	FILE *f;

	memset(kf, 0, sizeof(*kf));
	if (!path || !(f = fopen(path, "re")))
		return;
	while (fgets(line, sizeof(line), f))
		parse_line(kf, line);
	fclose(f);
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return is_set(v) ? v : NULL;
}

/* Layout and variant travel together: a variant belongs to its layout. */
static void
pick_layout(struct layout_names *out, const char *layout, const char *variant,
	    const struct kbd_file *kf, const char *keyboard_file)
{
	const char *l = "us", *v = "", *src = "default (us)";

	if (is_set(layout))
		l = layout, v = "", src = "the caller";
	else if (env("XKB_DEFAULT_LAYOUT"))
		l = env("XKB_DEFAULT_LAYOUT"), v = env("XKB_DEFAULT_VARIANT"),
		src = "XKB_DEFAULT_LAYOUT";
	else if (*kf->layout)
		l = kf->layout, v = kf->variant, src = keyboard_file;
	copy_first(out->layout, sizeof(out->layout), l);
	/* an explicit variant alone applies to whichever layout was found */
	copy_first(out->variant, sizeof(out->variant), is_set(variant) ? variant : v ? v : "");
	if (is_set(variant) && !is_set(layout))
		snprintf(out->source, sizeof(out->source), "%s, variant from the caller", src);
	else
		copy_str(out->source, sizeof(out->source), src);
}

int
layout_detect(struct layout_names *out, const char *layout, const char *variant,
	      const char *keyboard_file)
{
	struct kbd_file kf;
	const char *s;

	memset(out, 0, sizeof(*out));
	read_keyboard_file(&kf, keyboard_file);
	if ((s = env("XKB_DEFAULT_RULES")))
		copy_str(out->rules, sizeof(out->rules), s);
	if ((s = env("XKB_DEFAULT_MODEL")) || (s = is_set(kf.model) ? kf.model : NULL))
		copy_str(out->model, sizeof(out->model), s);
	if ((s = env("XKB_DEFAULT_OPTIONS")) || (s = is_set(kf.options) ? kf.options : NULL))
		copy_str(out->options, sizeof(out->options), s);
	pick_layout(out, layout, variant, &kf, keyboard_file);
	return 0;
}
