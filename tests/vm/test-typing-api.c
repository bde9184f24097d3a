/*
 * test-typing-api: libvhid's typing API from C, on a real kernel. What the
 * keyboard produced on evdev is decoded back to text through xkbcommon and the
 * Compose table (xkbdecode.c), as a compositor would, and must equal the text
 * exactly: us, de, fr (AZERTY, dead keys) and us(dvorak), with the blocking
 * call and with typing jobs. Untypeable text is refused naming the characters
 * and produces no event; Caps Lock comes from the LEDs; keys the program held
 * are released first; a cancelled job leaves nothing pressed; a blocking call
 * returns with the reason when vhidd dies in the middle. Prints the
 * characters per second of both forms (a result, not a check).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmdaemon.h"
#include "xkbdecode.h"

struct job_state {
	unsigned int job;
	bool done;
	int error;
	char message[300];
};

static void
on_typed(struct vhid_client *c, struct vhid_device *d, unsigned int job, int error,
	 const char *message, void *data)
{
	struct job_state *s = data;

	if (job != s->job)
		return;
	s->done = true;
	s->error = error;
	snprintf(s->message, sizeof(s->message), "%s", message);
}

static struct vhid_client *client;
static struct vhid_device *kbd;
static struct vt_dev node;
static struct job_state js;

static struct vhid_keymap *
keymap(const char *layout, const char *variant)
{
	struct vhid_rmlvo names = {.size = sizeof(names), .layout = layout, .variant = variant};
	struct vhid_keymap *km = NULL;
	char msg[300];

	if (vhid_keymap_new(&names, VHID_KEYMAP_NO_DETECT, &km, msg, sizeof(msg)) < 0)
		vt_fail("keymap.new", "%s", msg);
	return km;
}

/* Feed one frame of the node to the decoder; the number of events, 0 when idle. */
static int
decode_frame(struct xkb_decoder *dec, int timeout_ms)
{
	struct input_event ev[64];
	int n = vt_read_frame(&node, ev, 64, timeout_ms);

	if (n < 0)
		printf("# SYN_DROPPED while typing\n");
	for (int i = 0; i < n; i++)
		if (ev[i].type == EV_KEY)
			xkb_decoder_key(dec, ev[i].code, ev[i].value);
	return n;
}

/* ---- the blocking form: a thread decodes while the call types ---- */

struct reader {
	struct xkb_decoder *dec;
	volatile bool stop;
};

static void *
read_thread(void *arg)
{
	struct reader *r = arg;

	for (int idle = 0; idle < 3;) {
		int n = decode_frame(r->dec, 100);
		idle = r->stop && n <= 0 ? idle + 1 : 0; /* -ENODEV: gone, so quiet */
	}
	return NULL;
}

static int
type_blocking(struct vhid_keymap *km, const char *text, struct xkb_decoder *dec)
{
	struct reader rd = {.dec = dec};
	pthread_t t;
	int r;

	pthread_create(&t, NULL, read_thread, &rd);
	r = vhid_device_type(kbd, km, text, strlen(text));
	rd.stop = true;
	pthread_join(t, NULL);
	return r;
}

/* ---- the job form: one loop dispatches the client and decodes the node ---- */

static int
type_job(struct vhid_keymap *km, const char *text, struct xkb_decoder *dec)
{
	int r = vhid_device_type_start(kbd, km, text, strlen(text), &js.job);

	js.done = false;
	if (r < 0)
		return r;
	for (int idle = 0; idle < 3;) {
		struct pollfd p = {.fd = vhid_client_get_fd(client), .events = POLLIN};

		if (!js.done && poll(&p, 1, 5) > 0)
			vhid_client_dispatch(client);
		/* all that is there, as a compositor reads: a keystroke is several frames */
		int n = decode_frame(dec, js.done ? 100 : 0);
		while (n > 0 && decode_frame(dec, 0) > 0)
			;
		idle = js.done && n <= 0 ? idle + 1 : 0;
	}
	return js.error;
}

static void
round_trip(const char *name, const char *layout, const char *variant, const char *text, bool job)
{
	struct vhid_keymap *km = keymap(layout, variant);
	struct xkb_decoder *dec;
	char label[128];
	int r;

	if (!km || xkb_decoder_new(layout, variant, &dec) < 0)
		return vt_fail(name, "no keymap or decoder for %s", layout);
	uint64_t t0 = monotonic_ms();
	r = job ? type_job(km, text, dec) : type_blocking(km, text, dec);
	uint64_t ms = monotonic_ms() - t0;
	const char *got = xkb_decoder_text(dec);
	size_t at = 0;
	while (got[at] && got[at] == text[at])
		at++;
	printf("# %s: %zu bytes in %llu ms (%s)\n", name, strlen(text), (unsigned long long)ms,
	       job ? "job" : "blocking");
	snprintf(label, sizeof(label), "%s.%s.exact", name, job ? "job" : "blocking");
	vt_check(r == 0 && strcmp(got, text) == 0, label,
		 "r=%d (%s); differs at byte %zu: typed \"%.40s\", decoded \"%.40s\"", r,
		 vhid_client_last_error(client), at, text + at, got + at);
	xkb_decoder_free(dec);
	vhid_keymap_destroy(km);
}

static void
untypeable(void)
{
	struct vhid_keymap *km = keymap("us", NULL);
	const char *text = "naïve 3 € ok";
	int r = vhid_device_type(kbd, km, text, strlen(text));
	const char *msg = vhid_client_last_error(client);
	unsigned int job = 0;

	vt_check(r == -VHID_EUNTYPEABLE && strstr(msg, "'ï' (U+00EF)") &&
			 strstr(msg, "'€' (U+20AC)") && strstr(msg, "nothing was typed"),
		 "untypeable.refused.naming.the.characters", "r=%d: %s", r, msg);
	r = vhid_device_type_start(kbd, km, text, strlen(text), &job);
	vt_check(r == -VHID_EUNTYPEABLE && vhid_device_type_pending(kbd) == 0,
		 "untypeable.job.not.queued", "r=%d, pending %u", r, vhid_device_type_pending(kbd));
	vt_check(vt_quiet(&node, 300), "untypeable.nothing.sent", "events arrived");
	vhid_keymap_destroy(km);
}

static bool
wait_leds(unsigned int want)
{
	uint64_t end = monotonic_ms() + 3000;

	while ((vhid_device_get_leds(kbd) & VHID_LED_CAPS_LOCK) != want && monotonic_ms() < end) {
		struct pollfd p = {.fd = vhid_client_get_fd(client), .events = POLLIN};
		poll(&p, 1, 20);
		vhid_client_dispatch(client);
	}
	return (vhid_device_get_leds(kbd) & VHID_LED_CAPS_LOCK) == want;
}

/* The compositor's Caps Lock is on: capitals need no Shift, small letters do. */
static void
caps_lock_from_leds(void)
{
	struct vhid_keymap *km = keymap("us", NULL);
	struct xkb_decoder *dec;
	const char *text = "Hello, World! abc XYZ";

	libevdev_kernel_set_led_value(node.evdev, LED_CAPSL, LIBEVDEV_LED_ON);
	if (!vt_check(wait_leds(VHID_LED_CAPS_LOCK), "capslock.led.seen", "no LED push"))
		return vhid_keymap_destroy(km);
	xkb_decoder_new("us", NULL, &dec);
	xkb_decoder_key(dec, KEY_CAPSLOCK, 1); /* the target's state: locked */
	xkb_decoder_key(dec, KEY_CAPSLOCK, 0);
	int r = type_blocking(km, text, dec);
	vt_check(r == 0 && !strcmp(xkb_decoder_text(dec), text), "capslock.from.leds.exact",
		 "r=%d, decoded \"%s\"", r, xkb_decoder_text(dec));
	libevdev_kernel_set_led_value(node.evdev, LED_CAPSL, LIBEVDEV_LED_OFF);
	wait_leds(0);
	xkb_decoder_free(dec);
	vhid_keymap_destroy(km);
}

/* A held Ctrl would turn "ab" into shortcuts: typing releases it first. */
static void
held_keys_released_first(void)
{
	struct vhid_keymap *km = keymap("us", NULL);
	struct xkb_decoder *dec;

	xkb_decoder_new("us", NULL, &dec);
	vhid_key_press(kbd, KEY_LEFTCTRL);
	decode_frame(dec, 500);
	int r = type_blocking(km, "ab", dec);
	vt_check(r == 0 && !strcmp(xkb_decoder_text(dec), "ab") &&
			 !vt_key_down(&node, KEY_LEFTCTRL),
		 "held.ctrl.released.before.typing", "r=%d, decoded \"%s\"", r,
		 xkb_decoder_text(dec));
	xkb_decoder_free(dec);
	vhid_keymap_destroy(km);
}

static bool
any_key_down(void)
{
	for (int code = 1; code < 0x100; code++)
		if (vt_key_down(&node, code))
			return true;
	return false;
}

/* Cancel a job halfway: its callback says -ECANCELED and no key stays down. */
static void
cancel_midway(void)
{
	struct vhid_keymap *km = keymap("de", NULL);
	char text[301];
	int busy;

	for (int i = 0; i < 300; i++)
		text[i] = "AbC{@}"[i % 6]; /* Shift and AltGr all the way */
	text[300] = '\0';
	js.done = false;
	vhid_device_type_start(kbd, km, text, 300, &js.job);
	for (int i = 0; i < 40 && !js.done; i++) {
		struct pollfd p = {.fd = vhid_client_get_fd(client), .events = POLLIN};
		poll(&p, 1, 50);
		vhid_client_dispatch(client);
	}
	busy = vhid_key_press(kbd, KEY_A);
	vt_check(vhid_device_type_cancel(kbd) == 1 && busy == -EBUSY, "job.cancel",
		 "press during the job gave %d", busy);
	vhid_client_dispatch(client);
	vt_check(js.done && js.error == -ECANCELED, "job.cancelled.callback", "done %d error %d",
		 js.done, js.error);
	while (vt_read_frame(&node, (struct input_event[64]){0}, 64, 200) != 0)
		;
	vt_check(!any_key_down(), "job.cancel.released.everything", "a key is still down");
	vhid_keymap_destroy(km);
}

static struct vt_daemon dmn;

/* vhidd dies as soon as the typing reaches the node */
static void *
kill_daemon(void *arg)
{
	struct input_event ev[64];

	(void)arg;
	vt_read_frame(&node, ev, 64, vt_bound(5000));
	vt_daemon_stop(&dmn, SIGKILL);
	return NULL;
}

/* The blocking call returns when the connection is lost in the middle of a
 * keystroke's reports, with the reason, instead of waiting for answers. */
static void
daemon_gone_midway(void)
{
	struct vhid_keymap *km = keymap("us", NULL);
	char text[2001];
	pthread_t t;

	vt_mixed_ascii(text, 2000, 7);
	pthread_create(&t, NULL, kill_daemon, NULL);
	int r = vhid_device_type(kbd, km, text, strlen(text));
	pthread_join(t, NULL);
	vt_check(r < 0 && strstr(vhid_client_last_error(client), "vhidd"), "daemon.gone.midway",
		 "r=%d: %s", r, vhid_client_last_error(client));
	vt_check(vhid_device_type_pending(kbd) == 0, "daemon.gone.no.job.left", "%u pending",
		 vhid_device_type_pending(kbd));
	vhid_keymap_destroy(km);
}

static int
setup(void)
{
	static const struct vhid_client_listener l = {.size = sizeof(l), .typed = on_typed};
	struct vhid_device_params p = {.kind = VHID_DEVICE_KEYBOARD, .name = "api keyboard"};

	if (vhid_client_new("typing-api", &l, &js, &client) < 0 ||
	    vhid_client_connect(client, NULL) < 0 || vhid_device_create(client, &p, &kbd) < 0 ||
	    vhid_device_wait_ready(kbd, 5000) < 0)
		return -1;
	if (vt_open_node(&node, vhid_device_get_evdev(kbd)) < 0)
		return -1;
	/* the VT sets the LEDs as the node appears; start from all off */
	wait_leds(0);
	libevdev_kernel_set_led_value(node.evdev, LED_CAPSL, LIBEVDEV_LED_OFF);
	libevdev_kernel_set_led_value(node.evdev, LED_NUML, LIBEVDEV_LED_OFF);
	return 0;
}

int
main(void)
{
	char ascii[501];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!vt_check(vt_daemon_start(&dmn, NULL) == 0, "daemon.start", "no vhidd"))
		return vt_finish();
	if (!vt_check(setup() == 0, "keyboard.create", "%s",
		      client ? vhid_client_last_error(client) : "no client"))
		return vt_finish();
	vt_mixed_ascii(ascii, 500, 4242);
	round_trip("us.500.mixed", "us", NULL, ascii, false);
	round_trip("us.500.mixed", "us", NULL, ascii, true);
	round_trip("de.umlauts", "de", NULL,
		   "Größe, Übermaß: Äpfel & Öl für 3 €, heißt's? {x} [y] @ ~ | µ ²³ °", false);
	round_trip("fr.azerty", "fr", NULL,
		   "Où êtes-vous allé ? ça coûte 10 € à l'hôtel, même naïf : « très » bien !",
		   true);
	round_trip("us.dvorak", "us", "dvorak",
		   "The quick brown fox; 1234567890 <>?:\"{}|!@#$%^&*()_+ -=[]\\',./`~", false);
	round_trip("us.newline.tab", "us", NULL, "line one\n\tindented\nend", true);
	untypeable();
	caps_lock_from_leds();
	held_keys_released_first();
	cancel_midway();
	daemon_gone_midway(); /* last: it kills vhidd */
	vhid_client_destroy(client);
	vt_close_node(&node);
	vt_daemon_stop(&dmn, SIGTERM);
	return vt_finish();
}
