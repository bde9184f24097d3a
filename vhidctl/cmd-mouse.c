/*
 * cmd-mouse.c - `vhidctl mouse move|to`, `click`, `scroll`, `hscroll`.
 * Relative motion and clicks use a pointer; `mouse to` uses the absolute
 * pointer, which places the cursor exactly (0..1 of the screen), with no
 * acceleration and no "slam to the corner" trick.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vhidctl.h"

#define AXIS_MAX 32767

struct mouse_opts {
	long wait_ms;
	bool double_click, hi_res;
};

/* Options shared by every pointer command; returns -1 to go on, or an exit code. */
static int
parse_opts(struct cli *cli, const char *cmd, struct mouse_opts *o)
{
	static const struct option opts[] = {
		{"wait", required_argument, NULL, 'w'},
		{"double", no_argument, NULL, 'd'},
		{"hi-res", no_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int ch, code;

	*o = (struct mouse_opts){.wait_ms = CLI_WAIT_READER_MS};
	for (;;) {
		/* "-3" is a value (scroll down), not an option */
		const char *next = optind < cli->argc ? cli->argv[optind] : "";
		if (next[0] == '-' && next[1] >= '0' && next[1] <= '9')
			break;
		if ((ch = cli_getopt(cli, "+w:drh", opts, &code)) < 0)
			return code;
		if (ch == 0)
			break;
		switch (ch) {
		case 'w':
			if (cli_parse_wait(cmd, optarg, &o->wait_ms))
				return EXIT_USAGE;
			break;
		case 'd':
			o->double_click = true;
			break;
		case 'r':
			o->hi_res = true;
			break;
		}
	}
	return -1;
}

/* Run fn on a fresh device of `kind`; the device lives as long as this call. */
static int
with_device(struct cli *cli, enum vhid_device_kind kind, long wait_ms,
	    int (*fn)(struct vhid_device *d, const void *arg), const void *arg)
{
	struct vhid_client *c;
	struct vhid_device *d;
	int code = EXIT_OK;

	if (!(c = cli_connect(cli, NULL, NULL, &code)))
		return code;
	if ((d = cli_device(c, kind, (int)wait_ms, &code)) != NULL) {
		int r = fn(d, arg);
		if (r < 0)
			code = cli_fail(cli_exit_for(r), "%s", vhid_client_last_error(c));
	}
	vhid_client_destroy(c);
	return code;
}

/* Large motions and scrolls are split into reports within the axis range. */
static int
split(long total, int (*step)(struct vhid_device *, int, int), struct vhid_device *d,
      bool second_axis)
{
	while (total) {
		int part = (int)(total > AXIS_MAX    ? AXIS_MAX
				 : total < -AXIS_MAX ? -AXIS_MAX
						     : total);
		int r = second_axis ? step(d, 0, part) : step(d, part, 0);
		if (r < 0)
			return r;
		total -= part;
	}
	return 0;
}

struct motion {
	long dx, dy;
};

static int
do_move(struct vhid_device *d, const void *arg)
{
	const struct motion *m = arg;
	int r = split(m->dx, vhid_pointer_move, d, false);

	return r < 0 ? r : split(m->dy, vhid_pointer_move, d, true);
}

static int
do_move_to(struct vhid_device *d, const void *arg)
{
	const int *xy = arg;

	return vhid_absolute_move(d, xy[0], xy[1]);
}

int
cmd_mouse(struct cli *cli)
{
	struct mouse_opts o;
	int code = parse_opts(cli, "mouse", &o);
	const char *sub;

	if (code >= 0)
		return code;
	if (cli->argc - optind != 3)
		return cli_usage("mouse", "expected 'mouse move DX DY' or 'mouse to X Y'");
	sub = cli->argv[optind];
	if (strcmp(sub, "move") == 0) {
		struct motion m;
		if (parse_int(cli->argv[optind + 1], -1000000, 1000000, &m.dx) < 0 ||
		    parse_int(cli->argv[optind + 2], -1000000, 1000000, &m.dy) < 0)
			return cli_usage("mouse",
					 "DX and DY are integers (device units, about pixels)");
		return with_device(cli, VHID_DEVICE_POINTER, o.wait_ms, do_move, &m);
	}
	if (strcmp(sub, "to") == 0) {
		int xy[2];
		if (parse_fraction(cli->argv[optind + 1], &xy[0]) < 0 ||
		    parse_fraction(cli->argv[optind + 2], &xy[1]) < 0)
			return cli_usage(
				"mouse",
				"X and Y are fractions of the screen, 0..1 (0.5 0.5 is the centre)");
		return with_device(cli, VHID_DEVICE_ABSOLUTE, o.wait_ms, do_move_to, xy);
	}
	return cli_usage("mouse", "unknown 'mouse %s'; use 'move' or 'to'", sub);
}

static int
parse_button(const char *s, unsigned int *out)
{
	static const struct {
		const char *name;
		unsigned int button;
	} names[] = {{"left", 1}, {"right", 2}, {"middle", 3}, {"side", 4},
		     {"back", 4}, {"extra", 5}, {"forward", 5}};
	long n;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i].name) == 0) {
			*out = names[i].button;
			return 0;
		}
	if (parse_int(s, 1, 16, &n) < 0)
		return -1;
	*out = (unsigned int)n;
	return 0;
}

/*
 * A click or scroll as the first thing a new pointer does: move it one unit and
 * back first. weston clears its pointer focus when the seat's last pointer goes,
 * and a new pointer gets one back only when it moves; its buttons and wheel went
 * nowhere until then (DESIGN.md 9). A pointer that moves first is what a hand on
 * a mouse does. The two moves are equal and opposite; the compositor's pointer
 * acceleration may leave a sub-pixel difference (-0.58 px measured under weston).
 */
static int
hover(struct vhid_device *d)
{
	int r = vhid_pointer_move(d, 1, 0);

	return r < 0 ? r : vhid_pointer_move(d, -1, 0);
}

struct click {
	unsigned int button;
	int times;
};

static int
do_click(struct vhid_device *d, const void *arg)
{
	const struct click *k = arg;
	int r = hover(d);

	for (int i = 0; i < k->times && r == 0; i++) {
		r = vhid_pointer_press(d, k->button);
		if (r == 0)
			r = vhid_pointer_release(d, k->button);
	}
	return r;
}

int
cmd_click(struct cli *cli)
{
	struct mouse_opts o;
	struct click k = {.button = 1};
	int code = parse_opts(cli, "click", &o);

	if (code >= 0)
		return code;
	if (cli->argc - optind > 1)
		return cli_usage("click", "one button at most");
	if (cli->argc - optind == 1 && parse_button(cli->argv[optind], &k.button) < 0)
		return cli_usage("click",
				 "unknown button '%s' (left, right, middle, side, extra, or 1..16)",
				 cli->argv[optind]);
	k.times = o.double_click ? 2 : 1;
	return with_device(cli, VHID_DEVICE_POINTER, o.wait_ms, do_click, &k);
}

static int
scroll_step(struct vhid_device *d, int v, int h)
{
	return vhid_pointer_scroll(d, v, h);
}

struct scroll {
	long amount;
	bool horizontal;
};

static int
do_scroll(struct vhid_device *d, const void *arg)
{
	const struct scroll *s = arg;
	int r = hover(d);

	return r < 0 ? r : split(s->amount, scroll_step, d, s->horizontal);
}

static int
scroll(struct cli *cli, const char *cmd, bool horizontal)
{
	struct mouse_opts o;
	struct scroll s = {.horizontal = horizontal};
	int code = parse_opts(cli, cmd, &o);

	if (code >= 0)
		return code;
	if (cli->argc - optind != 1 || parse_int(cli->argv[optind], -100000, 100000, &s.amount) < 0)
		return cli_usage(cmd,
				 "expected one integer: notches (or 1/120 notch with --hi-res)");
	if (!o.hi_res)
		s.amount *= 120; /* the device's unit is 1/120 of a notch */
	return with_device(cli, VHID_DEVICE_POINTER, o.wait_ms, do_scroll, &s);
}

int
cmd_scroll(struct cli *cli)
{
	return scroll(cli, "scroll", false);
}

int
cmd_hscroll(struct cli *cli)
{
	return scroll(cli, "hscroll", true);
}
