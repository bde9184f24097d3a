/*
 * cmd-key.c - `vhidctl key COMBO...`: press key combinations such as
 * ctrl+alt+t. Every name is resolved before anything is pressed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hold.h"
#include "vhidctl.h"

#define COMBO_MAX 32

/* A key combination: Linux key codes in press order. */
struct combo {
	unsigned int codes[COMBO_MAX];
	int n;
};

struct key_opts {
	bool down, up;
	long long hold_ms;
	struct kbd_opts kbd;
};

static struct vhid_keymap *
open_keymap(const struct key_opts *o)
{
	char err[400];
	struct vhid_keymap *km = cli_open_keymap(o->kbd.layout, o->kbd.variant, err, sizeof(err));

	if (!km)
		fprintf(stderr, "vhidctl: warning: %s; keysym names are unavailable\n", err);
	return km;
}

static int
parse_combo(struct vhid_keymap *km, const char *text, struct combo *out)
{
	char err[300];
	int n = vhid_key_parse(km, text, out->codes, COMBO_MAX, err, sizeof(err));

	if (n < 0)
		return cli_usage("key", "%s", err);
	out->n = n;
	return 0;
}

/*
 * Press a combination. With resumable (--down), a vhidd that goes away after the
 * kernel has the key and before its answer reached us is no failure: the end of
 * the connection released the key, as it would in the hold, and 1 lets the hold
 * resume it (resume.c) like a loss during the hold. Seen under stress-ng (sid's
 * 7.2, 2026-12-02): vhidd killed right after the key was seen held, and vhidctl
 * exited instead of resuming.
 */
static int
press_all(struct vhid_device *kbd, const struct combo *c, bool resumable)
{
	for (int i = 0; i < c->n; i++) {
		int r = vhid_key_press(kbd, c->codes[i]);
		if (r < 0 && resumable && !vhid_client_is_connected(vhid_device_get_client(kbd)))
			return 1;
		if (r < 0)
			return cli_fail(cli_exit_for(r), "%s",
					vhid_client_last_error(vhid_device_get_client(kbd)));
	}
	return 0;
}

static int
release_all(struct vhid_device *kbd, const struct combo *c)
{
	for (int i = c->n - 1; i >= 0; i--) {
		int r = vhid_key_release(kbd, c->codes[i]);
		if (r < 0)
			return cli_fail(cli_exit_for(r), "%s",
					vhid_client_last_error(vhid_device_get_client(kbd)));
	}
	return 0;
}

static int
parse_opts(struct cli *cli, struct key_opts *o)
{
	static const struct option opts[] = {
		{"down", no_argument, NULL, 'd'},
		{"up", no_argument, NULL, 'u'},
		{"hold", required_argument, NULL, 'H'},
		CLI_KEYBOARD_OPTIONS,
		{0},
	};
	int ch, code, r;

	o->hold_ms = -1;
	o->kbd.wait_ms = CLI_WAIT_READER_MS;
	o->kbd.delay_ms = -1; /* key types no text: libvhid's default stays */
	while ((ch = cli_getopt(cli, "duH:w:l:v:h", opts, &code)) > 0) {
		if ((r = cli_keyboard_option("key", ch, optarg, &o->kbd)) != 0) {
			if (r < 0)
				return EXIT_USAGE;
			continue;
		}
		switch (ch) {
		case 'd':
			o->down = true;
			break;
		case 'u':
			o->up = true;
			break;
		case 'H':
			if (parse_duration_ms(optarg, &o->hold_ms) < 0)
				return cli_usage("key", "bad --hold '%s' (milliseconds, or 1.5s)",
						 optarg);
			break;
		}
	}
	if (ch < 0)
		return code;
	if (o->down && o->up)
		return cli_usage("key", "--down and --up exclude each other");
	if (!o->up && optind >= cli->argc)
		return cli_usage("key", "which keys? e.g. vhidctl key ctrl+alt+t");
	return -1;
}

/* --up: end the `key --down` holders of this user; without any, release everything of yours. */
static int
key_up(struct cli *cli)
{
	int code, n = hold_release_others();
	struct vhid_client *c;

	if (n > 0) {
		printf("released the keys of %d holding vhidctl%s\n", n, n == 1 ? "" : "s");
		return EXIT_OK;
	}
	if (!(c = cli_connect(cli, NULL, NULL, &code)))
		return code;
	n = vhid_client_reset_all(c, 0);
	if (n < 0)
		code = cli_fail(cli_exit_for(n), "%s", vhid_client_last_error(c));
	else
		printf("no vhidctl holds keys; released all keys of your %d vhid device%s\n", n,
		       n == 1 ? "" : "s");
	vhid_client_destroy(c);
	return n < 0 ? code : EXIT_OK;
}

struct held {
	struct vhid_device *kbd;
	const struct combo *combos;
	int n;
	char *const *names; /* as given on the command line */
};

/* After vhidd restarted: the same keys on the new keyboard (resume.h). */
static int
press_again(void *data, char *what, size_t len)
{
	const struct held *h = data;
	size_t at = (size_t)snprintf(what, len, "holding");

	for (int i = 0; i < h->n; i++) {
		if (press_all(h->kbd, &h->combos[i], false) != 0)
			return -EIO;
		if (at < len)
			at += (size_t)snprintf(what + at, len - at, " %s", h->names[i]);
	}
	if (at < len)
		snprintf(what + at, len - at, " again");
	return 0;
}

/* --down: hold until --hold elapses, `key --up` asks (hold.c), or a signal (Ctrl-C),
 * across restarts of vhidd. The holder registered before pressing, so an --up right
 * after the press finds it. */
static int
hold_down(struct vhid_client *c, const struct held *h, long long hold_ms, int wait_ms, int sigfd,
	  int hold_fd)
{
	struct resume resume;
	int r;

	if (hold_ms < 0 && isatty(STDERR_FILENO))
		fprintf(stderr, "vhidctl: holding; Ctrl-C or 'vhidctl key --up' releases\n");
	resume_init(&resume, c, h->kbd, wait_ms, press_again, (void *)h);
	r = hold_wait_holder(c, sigfd, hold_fd, hold_ms, &resume);
	for (int i = h->n - 1; i >= 0; i--)
		release_all(h->kbd, &h->combos[i]);
	return r < 0 ? EXIT_FAIL : EXIT_OK;
}

int
cmd_key(struct cli *cli)
{
	struct key_opts o = {0};
	struct combo combos[16];
	struct vhid_client *c;
	struct vhid_device *kbd;
	struct vhid_keymap *km;
	int n = 0, code = EXIT_OK, sigfd;

	if ((code = parse_opts(cli, &o)) >= 0)
		return code;
	if (o.up)
		return key_up(cli);
	if (cli->argc - optind > 16)
		return cli_usage("key", "at most 16 combinations at once");
	km = open_keymap(&o);
	for (int i = optind; i < cli->argc; i++, n++)
		if ((code = parse_combo(km, cli->argv[i], &combos[n])) != 0)
			break;
	vhid_keymap_destroy(km);
	if (code)
		return code;
	sigfd = hold_signals();
	if (!(kbd = cli_keyboard(cli, &o.kbd, NULL, NULL, &c, &code)))
		goto out;
	if (o.down) {
		char path[512];
		int hold_fd = hold_register(path, sizeof(path)), r = 0;
		for (int i = 0; i < n && !r; i++)
			r = press_all(kbd, &combos[i], true);
		code = r == 1 ? EXIT_OK : r;
		struct held h = {kbd, combos, n, cli->argv + optind};
		code = code ? code
			    : hold_down(c, &h, o.hold_ms, (int)o.kbd.wait_ms, sigfd, hold_fd);
		if (hold_fd >= 0) {
			unlink(path);
			close(hold_fd);
		}
		goto out;
	}
	for (int i = 0; i < n && !code; i++) {
		code = press_all(kbd, &combos[i], false);
		if (!code && o.hold_ms > 0 && hold_wait(c, sigfd, o.hold_ms) != 0)
			code = EXIT_FAIL;
		int r = release_all(kbd, &combos[i]);
		code = code ? code : r;
	}
out:
	vhid_client_destroy(c);
	if (sigfd >= 0)
		close(sigfd);
	return code;
}
