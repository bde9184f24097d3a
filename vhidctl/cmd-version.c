/*
 * cmd-version.c - `vhidctl version`: the versions of vhidctl, the libvhid it
 * runs with (which need not be the one it was built against) and the running
 * vhidd, each with its protocol major.minor, then the protocol and capabilities
 * the two agreed on, so what a mismatch costs is visible at a glance.
 */
#include <getopt.h>
#include <stdio.h>

#include "config.h"
#include "vhidctl.h"

static void
print_version(const char *what, unsigned int v, unsigned int major, unsigned int minor)
{
	printf("%s %u.%u.%u (protocol %u.%u)\n", what, v / 10000, v / 100 % 100, v % 100, major,
	       minor);
}

/* the daemon's versions, then what this vhidctl can use of it */
static void
print_daemon(const struct vhid_client *c)
{
	unsigned int major, minor;
	char in_use[256];

	vhid_client_get_protocol(c, &major, &minor);
	print_version("vhidd", vhid_client_get_daemon_version(c), major, minor);
	cli_describe_protocol(c, in_use, sizeof(in_use));
	printf("in use: protocol %s\n", in_use);
}

int
cmd_version(struct cli *cli)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {0}};
	struct vhid_client *c;
	int code, r;

	if (cli_getopt(cli, "h", opts, &code) < 0)
		return code;
	if (optind < cli->argc)
		return cli_usage("version", "version: unexpected argument '%s'", cli->argv[optind]);
	printf("vhidctl %s\n", VHID_VERSION);
	print_version("libvhid", vhid_library_version(), vhid_protocol_version(),
		      vhid_protocol_minor());
	fflush(stdout);
	if ((r = vhid_client_new("vhidctl", NULL, NULL, &c)) < 0)
		return cli_error("%s", vhid_strerror(r));
	r = vhid_client_connect(c, cli->socket);
	if (r == 0)
		print_daemon(c);
	else
		printf("vhidd: not reachable: %s\n", vhid_client_last_error(c));
	vhid_client_destroy(c);
	return r < 0 ? cli_exit_for(r) : EXIT_OK;
}
