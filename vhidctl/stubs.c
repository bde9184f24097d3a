/* stubs.c - subcommands not written yet (removed as each one lands). */
#include "vhidctl.h"

#define STUB(fn) \
	int fn(struct cli *cli) { return cli_error("%s: not implemented yet", cli->argv[0]); }

