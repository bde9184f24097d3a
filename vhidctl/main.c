/*
 * vhidctl - the command-line tool of vhid: inspect and diagnose vhidd, and
 * type, press keys and move the pointer through it. git-style subcommands.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "vhidctl.h"

const struct command commands[] = {
	{"status", cmd_status, "status [--json]",
	 "what is installed and running: daemon, clients, devices, kernel support",
	 "Shows the daemon (version, protocol, pid, uptime, socket and its group, policy file,\n"
	 "lease, log file), whether this kernel has uhid (/dev/uhid; the module loaded, built in\n"
	 "or only installed), every client (id, name, pid, uid, executable, devices, idle time)\n"
	 "and every device (id, client, kind, name, vendor:product, bus, /dev/input/eventN,\n"
	 "/dev/hidrawN, lit LEDs, readers, ready). vhidctl's own connection is not listed.\n\n"
	 "  --json   one JSON object; vhidctl(1) lists its fields\n\n"
	 "Exit status 3 when vhidd is not running (the kernel part is still shown), 4 when\n"
	 "this user may not use it."},
	{"devices", cmd_devices, "devices [--json]", "the devices of every client",
	 "The device part of 'vhidctl status': for each device of each client its id, client,\n"
	 "kind, name, vendor:product, bus, /dev/input/eventN, /dev/hidrawN, lit LEDs, how many\n"
	 "programs read it, and whether the kernel finished creating it.\n\n"
	 "  --json   {\"devices\": [...]} with the fields of 'vhidctl status --json'"},
	{"doctor", cmd_doctor, "doctor", "check everything vhid needs, each with its fix",
	 "Checks, in order: the kernel has uhid (kernel); /dev/uhid exists (uhid-node); vhidd\n"
	 "runs and answers (daemon); the socket and its directory have the right mode, owner\n"
	 "and group (socket); this user may connect (access); libvhid and vhidd versions match\n"
	 "(versions); one vhidd runs and no stale socket is left (single-daemon); a test\n"
	 "keyboard gets its /dev/input and /dev/hidraw nodes (device).\n\n"
	 "Each line is PASS, FAIL followed by 'fix:' and the exact command, or SKIP when an\n"
	 "earlier failure prevents the check. Exit status 1 if any check failed."},
	{"log", cmd_log, "log [--since TIME] [-f]", "vhidd's log: connections and device lifecycle",
	 "Under journald, runs 'journalctl -u vhidd'. Otherwise prints the file vhidd keeps\n"
	 "next to its socket (default /run/vhid/vhidd.log, after the rotated vhidd.log.1),\n"
	 "which only root may read (it names every user's programs).\n\n"
	 "  -S, --since TIME   only lines from the last TIME: 90s, 30m, 1h, 2d\n"
	 "  -f, --follow       then print new lines as vhidd writes them (across rotations)\n"
	 "                     until interrupted"},
	{"reset", cmd_reset, "reset [--all]", "release every key and button (yours, or everyone's)",
	 NULL},
	{"explain", cmd_explain, "explain CODE|NAME | explain --list",
	 "what an error code means and how to fix it",
	 "CODE is a number as libvhid returns it or as printed: 1002, -1002, 13, -13. NAME is a\n"
	 "symbolic name in any case, with or without the VHID_ prefix: VHID_EUSAGE, eusage,\n"
	 "EACCES.\n\n"
	 "  -l, --list   every code libvhid can return, with its meaning\n\n"
	 "Exit status 2 for a code or name that is not in the table."},
	{"type", cmd_type, "type [--layout L] [--variant V] [--delay MS] [--wait MS] TEXT|-",
	 "type text exactly, on the keyboard layout in use", NULL},
	{"key", cmd_key, "key [--down|--up] [--hold MS] [--wait MS] COMBO...",
	 "press key combinations such as ctrl+alt+t", NULL},
	{"session", cmd_session,
	 "session [--layout L] [--variant V] [--delay MS] [--wait MS] [--ack]",
	 "type and press keys from commands on standard input, with one keyboard",
	 "Creates one keyboard, waits for the compositor to open it, then runs one command\n"
	 "per line of standard input until its end (or SIGINT/SIGTERM):\n\n"
	 "  type TEXT            type the rest of the line exactly (no newline: key enter)\n"
	 "  key COMBO...         press and release combinations, e.g. key ctrl+s\n"
	 "  keydown COMBO...     press and keep them down; keyup COMBO... releases them\n"
	 "  delay MS             wait\n"
	 "  typedelay MS         pause MS after each typed key from now on (default 0)\n"
	 "  layout L [VARIANT]   type for another layout from now on\n\n"
	 "Empty lines and lines starting with # are skipped. A failing line is reported on\n"
	 "stderr as 'vhidctl: line N: why' and the session goes on; the exit status is 1\n"
	 "if any line failed. Keys held with keydown are released when the session ends.\n\n"
	 "  -a, --ack   also answer every command on stdout: 'ok N' or 'error N why', after\n"
	 "              'ready LAYOUT' once the keyboard is open, so a program can wait"},
	{"mouse", cmd_mouse, "mouse move DX DY | mouse to X Y",
	 "move the pointer, relative or absolute", NULL},
	{"click", cmd_click, "click [--double] [BUTTON]", "click a pointer button (default left)",
	 NULL},
	{"scroll", cmd_scroll, "scroll [--hi-res] N", "scroll vertically N notches (positive: up)",
	 NULL},
	{"hscroll", cmd_hscroll, "hscroll [--hi-res] N",
	 "scroll horizontally N notches (positive: right)", NULL},
	{"leds", cmd_leds, "leds [--watch] [--json] [--wait MS]",
	 "the keyboard LEDs (Caps Lock, ...); --watch follows them", NULL},
	{"version", cmd_version, "version", "versions of vhidctl, libvhid, vhidd and the protocol",
	 "Prints the version of vhidctl, of the libvhid it runs with and of the running vhidd,\n"
	 "each with its protocol version. Exit status 3 when vhidd is not running."},
	{"help", cmd_help, "help [COMMAND]", "this list, or one command's help", NULL},
	{NULL, NULL, NULL, NULL, NULL},
};

const struct command *
cli_find_command(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static void
usage(FILE *f)
{
	fprintf(f, "Usage: vhidctl [-s SOCKET] COMMAND [ARGS]\n\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f,
		"\nOptions:\n"
		"  -s, --socket PATH  vhidd's socket (default $VHID_SOCKET or %s)\n"
		"  -h, --help         this help; 'vhidctl help COMMAND' for one command\n"
		"  -V, --version      vhidctl's version\n\n"
		"Exit status: 0 ok, 1 failed, 2 bad usage, 3 vhidd not reachable,\n"
		"4 not allowed, 5 text the layout cannot type. See vhidctl(1).\n",
		VHID_DEFAULT_SOCKET);
}

int
cli_help(const char *name)
{
	const struct command *c = cli_find_command(name);

	if (!c)
		return cli_usage(NULL, "unknown command '%s'", name);
	printf("Usage: vhidctl %s\n\n%s.\n", c->synopsis, c->summary);
	if (c->help)
		printf("\n%s\n", c->help);
	return EXIT_OK;
}

int
cmd_help(struct cli *cli)
{
	if (cli->argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	return cli_help(cli->argv[1]);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"socket", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{0},
	};
	struct cli cli = {0};
	const struct command *c;
	int ch;

	/* '+': stop at the command, its options are its own */
	while ((ch = getopt_long(argc, argv, "+s:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			cli.socket = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf("vhidctl %s\n", VHID_VERSION);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	c = cli_find_command(argv[optind]);
	if (!c)
		return cli_usage(NULL, "unknown command '%s'", argv[optind]);
	cli.argc = argc - optind;
	cli.argv = argv + optind;
	optind = 1; /* each command parses its own options */
	return c->run(&cli);
}
