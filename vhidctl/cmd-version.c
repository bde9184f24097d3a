/*
 * cmd-version.c - `vhidctl version`: the versions of vhidctl, the libvhid it
 * runs with (which need not be the one it was built against) and the running
 * vhidd, each with its protocol, so a mismatch is visible at a glance.
 */
#include <getopt.h>
#include <stdio.h>

#include "config.h"
#include "vhidctl.h"

static void
print_version(const char *what, unsigned int v, unsigned int protocol)
{
	printf("%s %u.%u.%u (protocol %u)\n", what, v / 10000, v / 100 % 100, v % 100, protocol);
}

int
cmd_version(struct cli *cli)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {0}};
	struct vhid_daemon_info info;
	struct vhid_client *c;
	int ch, r;

	opterr = 0;
	while ((ch = getopt_long(cli->argc, cli->argv, "h", opts, NULL)) != -1) {
		if (ch == 'h')
			return cmd_help(
				&(struct cli){.argc = 2, .argv = (char *[]){"help", "version"}});
		return cli_usage("version", "version: unknown option '%s'", cli->argv[optind - 1]);
	}
	if (optind < cli->argc)
		return cli_usage("version", "version: unexpected argument '%s'", cli->argv[optind]);
	printf("vhidctl %s\n", VHID_VERSION);
	print_version("libvhid", vhid_library_version(), vhid_protocol_version());
	fflush(stdout);
	if ((r = vhid_client_new("vhidctl", NULL, NULL, &c)) < 0)
		return cli_error("%s", vhid_strerror(r));
	r = vhid_client_connect(c, cli->socket);
	if (r == 0 && (r = vhid_client_get_daemon_info(c, &info)) == 0)
		print_version("vhidd", info.daemon_version, info.protocol_version);
	else
		printf("vhidd: not reachable: %s\n", vhid_client_last_error(c));
	vhid_client_destroy(c);
	return r < 0 ? cli_exit_for(r) : EXIT_OK;
}
