/*
 * cmd-type.c - `vhidctl type TEXT|-`: type text exactly, on the layout the
 * compositor uses. Every character is planned (planner.c) before anything is
 * typed; characters the layout cannot produce are listed and nothing is sent.
 * There are no fixed delays: each report waits for vhidd's answer, which paces
 * typing to what the kernel takes, and a held modifier stays held across
 * characters that need it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hold.h"
#include "planner.h"
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
	int ch;

	o->wait_ms = CLI_WAIT_READER_MS;
	while ((ch = getopt_long(cli->argc, cli->argv, "l:v:d:w:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			o->layout = optarg;
			break;
		case 'v':
			o->variant = optarg;
			break;
		case 'd':
			if (parse_duration_ms(optarg, &o->delay_ms) < 0)
				return cli_usage("type",
						 "bad --delay '%s' (milliseconds between keys)",
						 optarg);
			break;
		case 'w':
			if (cli_parse_wait("type", optarg, &o->wait_ms))
				return EXIT_USAGE;
			break;
		case 'h':
			return cli_help("type");
		default:
			return cli_usage("type", "unknown option");
		}
	}
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

static void
append_char(char *buf, size_t len, size_t *n, uint32_t cp)
{
	char u[8] = "";

	if (cp < 0x80)
		snprintf(u, sizeof(u), "%c", cp >= 0x20 ? (int)cp : '?');
	else if (cp < 0x800)
		snprintf(u, sizeof(u), "%c%c", 0xc0 | cp >> 6, 0x80 | (cp & 0x3f));
	else if (cp < 0x10000)
		snprintf(u, sizeof(u), "%c%c%c", 0xe0 | cp >> 12, 0x80 | ((cp >> 6) & 0x3f),
			 0x80 | (cp & 0x3f));
	else
		snprintf(u, sizeof(u), "%c%c%c%c", 0xf0 | cp >> 18, 0x80 | ((cp >> 12) & 0x3f),
			 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
	if (*n < len)
		*n += (size_t)snprintf(buf + *n, len - *n, "%s'%s' (U+%04X)", *n ? ", " : "", u,
				       cp);
}

/* Plan the text; on characters the layout lacks, name them all and type nothing. */
static int
plan(struct planner *p, const char *text, size_t len, struct keystroke **strokes, size_t *n)
{
	uint32_t *missing = NULL;
	size_t n_missing = 0, used = 0;
	char list[1024];
	int r = planner_plan(p, text, len, strokes, n, &missing, &n_missing);

	if (r == -EINVAL)
		return cli_usage("type", "the text is not valid UTF-8");
	if (r == -ENOENT) {
		for (size_t i = 0; i < n_missing; i++)
			append_char(list, sizeof(list), &used, missing[i]);
		free(missing);
		return cli_fail(
			EXIT_UNTYPABLE,
			"layout '%s' cannot type %s; nothing was typed (choose the layout with --layout)",
			planner_describe(p), list);
	}
	if (r < 0)
		return cli_error("cannot plan the text: %s", strerror(-r));
	return EXIT_OK;
}

static bool
has_mod(const struct keystroke *k, uint16_t mod)
{
	for (int i = 0; i < k->n_mods; i++)
		if (k->mods[i] == mod)
			return true;
	return false;
}

/* Type the strokes, keeping a modifier held while consecutive strokes need it. */
static int
type_strokes(struct vhid_device *kbd, const struct keystroke *s, size_t n, struct type_opts *o,
	     int sigfd)
{
	struct keystroke held = {0}, none = {0};
	int r = 0;

	for (size_t i = 0; i <= n && r == 0; i++) {
		const struct keystroke *want = i < n ? &s[i] : &none;
		for (int m = held.n_mods - 1; m >= 0 && r == 0; m--)
			if (!has_mod(want, held.mods[m]))
				r = vhid_key_release(kbd, held.mods[m]);
		for (int m = 0; m < want->n_mods && r == 0; m++)
			if (!has_mod(&held, want->mods[m]))
				r = vhid_key_press(kbd, want->mods[m]);
		held = *want;
		if (i == n || r)
			break;
		r = vhid_key_press(kbd, want->key);
		if (r == 0)
			r = vhid_key_release(kbd, want->key);
		if (r == 0 && o->delay_ms > 0 &&
		    hold_wait(vhid_device_get_client(kbd), sigfd, o->delay_ms) != 0)
			r = -EINTR;
	}
	return r;
}

static int
type_text(struct cli *cli, struct type_opts *o, struct planner *p, const char *text, size_t len)
{
	struct keystroke *strokes = NULL;
	struct vhid_client *c;
	struct vhid_device *kbd;
	size_t n = 0;
	int code, sigfd, r;

	if ((code = plan(p, text, len, &strokes, &n)) != EXIT_OK)
		return code;
	code = EXIT_OK;
	sigfd = hold_signals();
	if (!(c = cli_connect(cli, NULL, NULL, &code)))
		goto out;
	if (!(kbd = cli_device(c, VHID_DEVICE_KEYBOARD, (int)o->wait_ms, &code)))
		goto out;
	/* the compositor sets the lock LEDs as it opens the keyboard; a Caps Lock
	 * that is on changes which level every letter needs */
	hold_wait(c, sigfd, 50);
	unsigned int leds = vhid_device_get_leds(kbd);
	if (leds & (VHID_LED_CAPS_LOCK | VHID_LED_NUM_LOCK)) {
		planner_set_locks(p, leds & VHID_LED_CAPS_LOCK, leds & VHID_LED_NUM_LOCK);
		free(strokes);
		strokes = NULL;
		if ((code = plan(p, text, len, &strokes, &n)) != EXIT_OK)
			goto out;
	}
	r = type_strokes(kbd, strokes, n, o, sigfd);
	if (r == -EINTR)
		code = cli_error("interrupted; released every key");
	else if (r < 0)
		code = cli_fail(cli_exit_for(r), "%s", vhid_client_last_error(c));
out:
	free(strokes);
	vhid_client_destroy(c);
	if (sigfd >= 0)
		close(sigfd);
	return code;
}

int
cmd_type(struct cli *cli)
{
	struct type_opts o = {0};
	struct planner *p;
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
	char err[300];
	p = cli_open_planner(o.layout, o.variant, err, sizeof(err));
	if (p)
		code = type_text(cli, &o, p, text ? text : o.text, text ? len : strlen(o.text));
	else
		code = cli_error("%s", err);
	planner_free(p);
	free(text);
	return code;
}
