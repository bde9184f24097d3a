/*
 * cmd-leds.c - `vhidctl leds [--watch] [--json] [--wait MS]`: the keyboard LEDs as the
 * compositor sets them. A vhid keyboard that a program already reads knows
 * the current state; otherwise vhidctl makes one and waits for the compositor
 * to open it and set its LEDs. --watch prints every change vhidd pushes, and
 * across a restart of vhidd reads the state again from the new keyboard.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hold.h"
#include "vhidctl.h"

static const struct {
	unsigned int bit;
	const char *name, *label;
} leds[] = {
	{VHID_LED_NUM_LOCK, "num", "NumLock"},
	{VHID_LED_CAPS_LOCK, "caps", "CapsLock"},
	{VHID_LED_SCROLL_LOCK, "scroll", "ScrollLock"},
	{VHID_LED_COMPOSE, "compose", "Compose"},
	{VHID_LED_KANA, "kana", "Kana"},
};

#define N_LEDS (sizeof(leds) / sizeof(leds[0]))

static void
print_state(unsigned int state, bool json)
{
	struct json j;

	if (json) {
		json_init(&j, stdout);
		json_begin_object(&j, NULL);
		for (size_t i = 0; i < N_LEDS; i++)
			json_bool(&j, leds[i].name, state & leds[i].bit);
		json_end_object(&j);
		json_finish(&j);
		return;
	}
	for (size_t i = 0; i < N_LEDS; i++)
		printf("%s%s %s", i ? ", " : "", leds[i].label, state & leds[i].bit ? "on" : "off");
	printf("\n");
	fflush(stdout);
}

struct watch {
	struct vhid_device *kbd;
	unsigned int state;
	bool json, watching;
};

static void
on_leds(struct vhid_client *c, struct vhid_device *d, unsigned int state, void *data)
{
	struct watch *w = data;
	unsigned int changed = state ^ w->state;

	w->state = state;
	if (!w->watching || !changed)
		return;
	if (w->json) {
		print_state(state, true);
		return;
	}
	for (size_t i = 0; i < N_LEDS; i++)
		if (changed & leds[i].bit)
			printf("%s %s\n", leds[i].label, state & leds[i].bit ? "on" : "off");
	fflush(stdout);
}

static const struct vhid_client_listener listener = {.size = sizeof(listener), .leds = on_leds};

/* After vhidd restarted: the compositor has set the new keyboard's LEDs as it opened it. */
static int
reread(void *data, char *what, size_t len)
{
	struct watch *w = data;
	unsigned int state = vhid_device_get_leds(w->kbd);
	size_t at = (size_t)snprintf(what, len, "LEDs now");

	for (size_t i = 0; i < N_LEDS && at < len; i++)
		at += (size_t)snprintf(what + at, len - at, "%s %s %s", i ? "," : "", leds[i].label,
				       state & leds[i].bit ? "on" : "off");
	on_leds(NULL, w->kbd, state, w);
	return 0;
}

int
cmd_leds(struct cli *cli)
{
	static const struct option opts[] = {
		{"watch", no_argument, NULL, 'w'},
		{"json", no_argument, NULL, 'j'},
		{"wait", required_argument, NULL, 'W'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct watch w = {0};
	long wait_ms = CLI_WAIT_READER_MS;
	struct vhid_client *c;
	struct vhid_device *kbd;
	struct resume resume;
	int ch, code = EXIT_OK, sigfd;

	while ((ch = cli_getopt(cli, "wjW:h", opts, &code)) > 0) {
		if (ch == 'w')
			w.watching = true;
		else if (ch == 'W' && cli_parse_wait("leds", optarg, &wait_ms))
			return EXIT_USAGE;
		else if (ch == 'j')
			w.json = true;
	}
	if (ch < 0)
		return code;
	sigfd = hold_signals();
	if (!(c = cli_connect(cli, &listener, &w, &code)))
		return code;
	if (!(kbd = cli_device(c, VHID_DEVICE_KEYBOARD, (int)wait_ms, &code)))
		goto out;
	/* the compositor sets a new keyboard's LEDs as it opens it; an all-off state
	 * changes nothing, so give its LED report a moment rather than wait forever */
	hold_wait(c, sigfd, 100);
	w.state = vhid_device_get_leds(kbd);
	w.kbd = kbd;
	print_state(w.state, w.json);
	resume_init(&resume, c, kbd, (int)wait_ms, reread, &w);
	if (w.watching && hold_wait_holder(c, sigfd, -1, -1, &resume) < 0)
		code = EXIT_FAIL;
out:
	vhid_client_destroy(c);
	if (sigfd >= 0)
		close(sigfd);
	return code;
}
