/* stubs.c - subcommands not written yet (removed as each one lands). */
#include "vhidctl.h"

#define STUB(fn) \
	int fn(struct cli *cli) { return cli_error("%s: not implemented yet", cli->argv[0]); }

STUB(cmd_status)
STUB(cmd_devices)
STUB(cmd_doctor)
STUB(cmd_log)
STUB(cmd_explain)
STUB(cmd_version)
STUB(cmd_type)
STUB(cmd_key)
STUB(cmd_mouse)
STUB(cmd_click)
STUB(cmd_scroll)
STUB(cmd_hscroll)
STUB(cmd_leds)
STUB(cmd_reset)
