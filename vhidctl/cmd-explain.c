/*
 * cmd-explain.c - `vhidctl explain CODE|NAME` and `vhidctl explain --list`:
 * what an error code means and how to fix it, straight from common/errors.c,
 * the one table behind vhid_strerror(), so the two can never disagree.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "vhidctl.h"

static void
list_all(void)
{
	const struct error_info *e;

	printf("%-6s %-18s %s\n", "CODE", "NAME", "MEANING");
	for (unsigned int i = 0; (e = error_at(i)); i++)
		printf("%-6d %-18s %s\n", e->code, e->name, e->meaning);
}

/* "1002", "-1002", "13", "-13": a number, in either sign convention. */
static bool
is_number(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static const struct error_info *
lookup(const char *arg)
{
	long code;

	if (is_number(arg))
		return parse_int(arg, -100000, 100000, &code) == 0 ? error_lookup((int)code) : NULL;
	return error_lookup_name(arg);
}

static int
explain(const char *arg)
{
	const struct error_info *e = lookup(arg);

	if (!e)
		return cli_usage("explain",
				 "unknown error code or name '%s'; see vhidctl explain --list",
				 arg);
	printf("%d %s\n  meaning: %s\n  fix: %s\n", e->code, e->name, e->meaning, e->fix);
	return EXIT_OK;
}

int
cmd_explain(struct cli *cli)
{
	static const struct option opts[] = {
		{"list", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	bool list = false;
	int ch, code;

	/* a negative code ("-13") is an argument, not an option */
	if (cli->argc == 2 && is_number(cli->argv[1]))
		return explain(cli->argv[1]);
	while ((ch = cli_getopt(cli, "lh", opts, &code)) > 0)
		list = true; /* -l, the only option */
	if (ch < 0)
		return code;
	if (list && optind == cli->argc) {
		list_all();
		return EXIT_OK;
	}
	if (list || cli->argc - optind != 1)
		return cli_usage("explain", "explain: give one CODE or NAME, or --list");
	return explain(cli->argv[optind]);
}
