/*
 * keyboard.c - what key, type and session share: the options that choose the
 * layout and how long to wait for a reader, and the keyboard they type on.
 */
#include <stdio.h>

#include "vhidctl.h"

int
cli_keyboard_option(const char *cmd, int ch, const char *arg, struct kbd_opts *o)
{
	switch (ch) {
	case 'l':
		o->layout = arg;
		return 1;
	case 'v':
		o->variant = arg;
		return 1;
	case 'w':
		return cli_parse_wait(cmd, arg, &o->wait_ms) ? -1 : 1;
	case 'd':
		if (!o->delay_hint)
			return 0;
		if (parse_duration_ms(arg, &o->delay_ms) < 0 || o->delay_ms > 10000) {
			cli_usage(cmd, "bad --delay '%s' (%s)", arg, o->delay_hint);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

struct vhid_device *
cli_keyboard(struct cli *cli, const struct kbd_opts *o, const struct vhid_client_listener *l,
	     void *data, struct vhid_client **c, int *code)
{
	struct vhid_device *kbd;

	if (!(*c = cli_connect(cli, l, data, code)))
		return NULL;
	if (!(kbd = cli_device(*c, VHID_DEVICE_KEYBOARD, (int)o->wait_ms, code)))
		return NULL;
	if (o->delay_ms >= 0)
		vhid_device_set_type_delay(kbd, (unsigned int)o->delay_ms);
	return kbd;
}
