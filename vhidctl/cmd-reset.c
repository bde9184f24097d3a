/*
 * cmd-reset.c - `vhidctl reset [--all]`: release every key and button of
 * your vhid devices, or with --all of everyone's (root or an admin group).
 * The answer to "everything is stuck" without a reboot.
 */
#include <getopt.h>
#include <stdio.h>

#include "vhidctl.h"

int
cmd_reset(struct cli *cli)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct vhid_client *c;
	bool all = false;
	int ch, code = EXIT_OK, n;

	while ((ch = cli_getopt(cli, "ah", opts, &code)) > 0)
		all = true; /* -a, the only option */
	if (ch < 0)
		return code;
	if (optind < cli->argc)
		return cli_usage("reset", "unexpected argument '%s'", cli->argv[optind]);
	if (!(c = cli_connect(cli, NULL, NULL, &code)))
		return code;
	n = vhid_client_reset_all(c, all);
	if (n < 0)
		code = cli_fail(cli_exit_for(n), "%s", vhid_client_last_error(c));
	else
		printf("released every key and button of %d device%s (%s)\n", n, n == 1 ? "" : "s",
		       all ? "every user's" : "yours");
	vhid_client_destroy(c);
	return code;
}
