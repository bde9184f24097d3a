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
	const char *layout, *variant, *text;
	long long delay_ms;
	long wait_ms;
};

static int
parse_opts(struct cli *cli, struct type_opts *o)
{
	static const struct option opts[] = {
		{"layout", required_argument, NULL, 'l'}, {"variant", required_argument, NULL, 'v'},
		{"delay", required_argument, NULL, 'd'},  {"wait", required_argument, NULL, 'w'},
		{"help", no_argument, NULL, 'h'},         {0},
	};
	int ch, code;

	o->wait_ms = CLI_WAIT_READER_MS;
	while ((ch = cli_getopt(cli, "l:v:d:w:h", opts, &code)) > 0) {
		switch (ch) {
		case 'l':
			o->layout = optarg;
			break;
		case 'v':
			o->variant = optarg;
			break;
		case 'd':
			if (parse_duration_ms(optarg, &o->delay_ms) < 0 || o->delay_ms > 10000)
				return cli_usage("type",
						 "bad --delay '%s' (milliseconds between keys, "
						 "at most 10000)",
						 optarg);
			break;
		case 'w':
			if (cli_parse_wait("type", optarg, &o->wait_ms))
				return EXIT_USAGE;
			break;
		}
	}
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
	if (!(c = cli_connect(cli, &cli_typing_listener, &t, &code)))
		goto out;
	if (!(kbd = cli_device(c, VHID_DEVICE_KEYBOARD, (int)o->wait_ms, &code)))
		goto out;
	vhid_device_set_type_delay(kbd, (unsigned int)o->delay_ms);
	/* the compositor sets the lock LEDs as it opens the keyboard; a Caps Lock
	 * that is on changes which level every letter needs (libvhid plans for the LEDs) */
	hold_wait(c, sigfd, 50);
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
	km = cli_open_keymap(o.layout, o.variant, err, sizeof(err));
	if (km)
		code = type_text(cli, &o, km, text ? text : o.text, text ? len : strlen(o.text));
	else
		code = cli_error("%s", err);
	vhid_keymap_destroy(km);
	free(text);
	return code;
}
