/* json.c - just enough JSON for vhidctl's --json output. */
#include <stdio.h>

#include "vhidctl.h"

void
json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->need_comma[0] = false;
}

static void
escape(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* separator, indentation and "key": for the next value */
static void
begin_value(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	if (j->depth > 0) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	if (key) {
		escape(j->f, key);
		fputs(": ", j->f);
	}
	j->need_comma[j->depth] = true;
}

static void
open_container(struct json *j, const char *key, char c)
{
	begin_value(j, key);
	fputc(c, j->f);
	if (j->depth < 15)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void
close_container(struct json *j, char c)
{
	bool had = j->need_comma[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (had) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	fputc(c, j->f);
}

void
json_begin_object(struct json *j, const char *key)
{
	open_container(j, key, '{');
}

void
json_end_object(struct json *j)
{
	close_container(j, '}');
}

void
json_begin_array(struct json *j, const char *key)
{
	open_container(j, key, '[');
}

void
json_end_array(struct json *j)
{
	close_container(j, ']');
}

void
json_string(struct json *j, const char *key, const char *value)
{
	begin_value(j, key);
	if (value)
		escape(j->f, value);
	else
		fputs("null", j->f);
}

void
json_int(struct json *j, const char *key, long long value)
{
	begin_value(j, key);
	fprintf(j->f, "%lld", value);
}

void
json_bool(struct json *j, const char *key, bool value)
{
	begin_value(j, key);
	fputs(value ? "true" : "false", j->f);
}

void
json_null(struct json *j, const char *key)
{
	begin_value(j, key);
	fputs("null", j->f);
}

void
json_finish(struct json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}
