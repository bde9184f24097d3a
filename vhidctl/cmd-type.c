/*
 * cmd-type.c - `vhidctl type TEXT|-`: type text exactly, on the layout the
 * compositor uses, through libvhid's typing (vhid_keymap_*, typing jobs). The
 * text is checked before connecting; characters the layout cannot produce are
 * listed and no device is created. There are no fixed delays: each report
 * waits for vhidd's answer, which paces typing to what the kernel takes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hold.h"
#include "vhidctl.h"

struct type_opts {
	struct kbd_opts kbd;
	const char *text;
};

static int
parse_opts(struct cli *cli, struct type_opts *o)
{
	static const struct option opts[] = {CLI_DELAY_OPTION, CLI_KEYBOARD_OPTIONS, {0}};
	int ch, code;

	o->kbd = (struct kbd_opts){.wait_ms = CLI_WAIT_READER_MS,
				   .delay_ms = -1,
				   .delay_hint = "milliseconds between keys, at most 10000"};
	while ((ch = cli_getopt(cli, "l:v:d:w:h", opts, &code)) > 0)
		if (cli_keyboard_option("type", ch, optarg, &o->kbd) < 0)
			return EXIT_USAGE;
	if (ch < 0)
		return code;
	if (cli->argc - optind != 1)
		return cli_usage("type", "expected one TEXT argument, or - to read standard input");
	o->text = cli->argv[optind];
	return -1;
}

static char *
read_all(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap), *p;

	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		cap *= 2;
		p = realloc(buf, cap);
		if (!p)
			free(buf);
		buf = p;
	}
	*len = n;
	return buf;
}

/* Refuse untypeable text before connecting: no device appears for nothing. */
static int
check_text(struct vhid_keymap *km, const char *text, size_t len)
{
	char msg[1200];
	int r = vhid_keymap_check(km, text, len, msg, sizeof(msg));

	if (r == -VHID_EUNTYPEABLE)
		return cli_fail(EXIT_UNTYPABLE, "%s (choose the layout with --layout)", msg);
	if (r == -EILSEQ)
		return cli_usage("type", "the text is not valid UTF-8");
	if (r < 0)
		return cli_error("cannot plan the text: %s", msg);
	return EXIT_OK;
}

static int
type_text(struct cli *cli, struct type_opts *o, struct vhid_keymap *km, const char *text,
	  size_t len)
{
	struct cli_typing t = {0};
	struct vhid_client *c;
	struct vhid_device *kbd;
	int code, sigfd, r;

	if ((code = check_text(km, text, len)) != EXIT_OK)
		return code;
	sigfd = hold_signals();
	if (!(kbd = cli_keyboard(cli, &o->kbd, &cli_typing_listener, &t, &c, &code)))
		goto out;
	/* no wait for the lock LEDs: vhidd pushes a desktop's LED state before it
	 * reports the desktop as a reader (PROTOCOL 3.16), and cli_keyboard waited
	 * for that reader, so the Caps Lock that libvhid plans for is known */
	r = cli_type(&t, kbd, km, text, len, sigfd);
	if (r < 0)
		code = cli_type_failed(&t, c, r);
out:
	vhid_client_destroy(c);
	if (sigfd >= 0)
		close(sigfd);
	return code;
}

int
cmd_type(struct cli *cli)
{
	struct type_opts o = {0};
	struct vhid_keymap *km;
	char *text = NULL;
	size_t len;
	int code;

	if ((code = parse_opts(cli, &o)) >= 0)
		return code;
	if (strcmp(o.text, "-") == 0) {
		text = read_all(stdin, &len);
		if (!text)
			return cli_error("out of memory reading standard input");
	}
	char err[400];
	km = cli_open_keymap(o.kbd.layout, o.kbd.variant, err, sizeof(err));
	if (km)
		code = type_text(cli, &o, km, text ? text : o.text, text ? len : strlen(o.text));
	else
		code = cli_error("%s", err);
	vhid_keymap_destroy(km);
	free(text);
	return code;
}
