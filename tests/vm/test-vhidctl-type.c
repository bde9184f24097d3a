/*
 * test-vhidctl-type: `vhidctl type` round-trips. What the kernel put on evdev
 * is decoded back to text through xkbcommon and the Compose table, as a
 * compositor would, and must equal the input exactly: 500 mixed characters on
 * us, German on de, French on fr (AZERTY, dead keys), us with Dvorak.
 * Characters a layout lacks are refused, listed, and nothing is typed.
 * `vhidctl session` types a stream of commands with one keyboard, answers each
 * line, goes on after a failing one, and releases held keys when it ends.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmdaemon.h"
#include "vmspawn.h"
#include "xkbdecode.h"

static int watch;

/*
 * Decode what the device produced until the device is gone: the daemon destroys
 * it once vhidctl has left, after its last report, so that is the end of the
 * input (no quiet period to time). Then collect vhidctl's exit status.
 */
static bool dropped; /* the last decode saw SYN_DROPPED: the reader fell behind */

static void
decode_until_done(struct vt_proc *p, struct vt_dev *d, struct xkb_decoder *dec, int *status)
{
	struct input_event ev[64];
	uint64_t end = monotonic_ms() + (uint64_t)vt_bound(10000);
	int n;

	dropped = false;
	do {
		n = vt_read_frame(d, ev, 64, 200);
		for (int i = 0; i < n; i++)
			if (ev[i].type == EV_KEY)
				xkb_decoder_key(dec, ev[i].code, ev[i].value);
		if (n == -1) {
			printf("# SYN_DROPPED while typing\n");
			dropped = true;
		}
	} while (n != -ENODEV && monotonic_ms() < end);
	if (n != -ENODEV)
		printf("# the device was still there after %d ms\n", vt_bound(10000));
	*status = vt_proc_wait(p, 5000); /* closes p->out */
	p->out = -1;
}

/*
 * Type text and decode it. When the kernel dropped events because this reader fell
 * behind (SYN_DROPPED: evdev's buffer holds 64 events, and a loaded machine may not
 * run the test for a while), the comparison says nothing about vhid, so the round runs
 * again; one that drops every time (e.g. typing without pacing) still fails.
 */
static void round_trip_once(const char *name, const char *layout, const char *variant,
			    const char *text, bool last);

static void
round_trip(const char *name, const char *layout, const char *variant, const char *text)
{
	for (int round = 1; round <= 5; round++) {
		dropped = false;
		round_trip_once(name, layout, variant, text, round == 5);
		if (!dropped)
			return;
		if (round < 5)
			printf("# %s: round %d lost events to SYN_DROPPED; again\n", name, round);
	}
}

static void
round_trip_once(const char *name, const char *layout, const char *variant, const char *text,
		bool last)
{
	const char *args[10] = {"type", "--layout", layout};
	struct xkb_decoder *dec;
	struct vt_proc p;
	struct vt_dev d;
	char label[128];
	int n = 3, status;

	if (variant) {
		args[n++] = "--variant";
		args[n++] = variant;
	}
	args[n++] = text;
	args[n] = NULL;
	if (xkb_decoder_new(layout, variant, &dec) < 0)
		return vt_fail(name, "no decoder for %s", layout);
	uint64_t t0 = monotonic_ms();
	vt_spawn_vhidctl(&p, 0, NULL, 0, args);
	const char *node = vt_nodes_next(watch, "vhid keyboard", 3000);
	if (!node[0] || vt_open_node(&d, node) < 0) {
		vt_fail(name, "no keyboard node appeared");
		vt_proc_wait(&p, 5000);
		xkb_decoder_free(dec);
		return;
	}
	decode_until_done(&p, &d, dec, &status);
	if (dropped && !last) {
		vt_close_node(&d);
		xkb_decoder_free(dec);
		return;
	}
	const char *got = xkb_decoder_text(dec);
	size_t at = 0;
	while (got[at] && got[at] == text[at])
		at++;
	printf("# %s: %zu bytes in %llu ms (vhidctl start to last event)\n", name, strlen(text),
	       (unsigned long long)(monotonic_ms() - t0));
	snprintf(label, sizeof(label), "%s.exact", name);
	vt_check(strcmp(got, text) == 0, label,
		 "differs at byte %zu: typed \"%.40s\", decoded \"%.40s\"", at, text + at,
		 got + at);
	snprintf(label, sizeof(label), "%s.exit.0", name);
	vt_check(status == 0, label, "exit %d: %s", status, p.buf);
	vt_close_node(&d);
	xkb_decoder_free(dec);
}

static void
refused(void)
{
	struct vt_proc p;
	const char *args[] = {"type", "--layout", "us", "naïve 3 € ok", NULL};

	vt_spawn_vhidctl(&p, 0, NULL, 0, args);
	int st = vt_proc_wait(&p, 5000);
	vt_check(st == 5 && strstr(p.buf, "'ï' (U+00EF)") && strstr(p.buf, "'€' (U+20AC)") &&
			 strstr(p.buf, "nothing was typed"),
		 "untypable.listed.and.refused", "exit %d: %s", st, p.buf);
	vt_check(vt_nodes_none(watch, "vhid keyboard", 300), "untypable.no.device.created",
		 "a keyboard appeared");
}

static void
default_layout_from_environment(void)
{
	const char *args[] = {"type", "Grüße", NULL};
	struct xkb_decoder *dec;
	struct vt_proc p;
	struct vt_dev d;
	int status;

	/* the decoder first: compiling a keymap takes long enough under TCG that the
	 * device was gone (and its buffered events with it) before the first read */
	if (xkb_decoder_new("de", NULL, &dec) < 0)
		return vt_fail("default.layout.env", "no decoder for de");
	setenv("XKB_DEFAULT_LAYOUT", "de", 1);
	vt_spawn_vhidctl(&p, 0, NULL, 0, args);
	unsetenv("XKB_DEFAULT_LAYOUT");
	const char *node = vt_nodes_next(watch, "vhid keyboard", 3000);
	if (!node[0] || vt_open_node(&d, node) < 0) {
		xkb_decoder_free(dec);
		vt_proc_wait(&p, 5000);
		return vt_fail("default.layout.env", "no keyboard");
	}
	decode_until_done(&p, &d, dec, &status);
	vt_check(!strcmp(xkb_decoder_text(dec), "Grüße") && status == 0,
		 "default.layout.from.XKB_DEFAULT_LAYOUT", "decoded \"%s\", exit %d",
		 xkb_decoder_text(dec), status);
	vt_close_node(&d);
	xkb_decoder_free(dec);
}

/* Decode the node until `text` shows in the output (and the node is quiet). */
static bool
decode_until_output(struct vt_proc *p, struct vt_dev *d, struct xkb_decoder *dec, const char *text,
		    int timeout_ms)
{
	struct input_event ev[64];
	uint64_t end = monotonic_ms() + (uint64_t)timeout_ms;

	for (;;) {
		int n = vt_read_frame(d, ev, 64, 50);
		for (int i = 0; i < n; i++)
			if (ev[i].type == EV_KEY)
				xkb_decoder_key(dec, ev[i].code, ev[i].value);
		if (n == 0 && vt_proc_expect(p, text, 1))
			return true;
		if (monotonic_ms() > end)
			return false;
	}
}

static const char session_input[] = "type Grüße\n"
				    "key enter\n"
				    "# a comment\n"
				    "type λ\n"
				    "bogus\n"
				    "type x\n"
				    "keydown shift\n";

static void
session(void)
{
	const char *argv[] = {"/usr/bin/vhidctl", "session", "--layout", "de", "--ack", NULL};
	struct xkb_decoder *dec;
	struct vt_proc p;
	struct vt_dev d;
	int in;

	vt_spawn(&p, argv, &in);
	const char *node = vt_nodes_next(watch, "vhid keyboard", 15000);
	if (!node[0] || vt_open_node(&d, node) < 0 || xkb_decoder_new("de", NULL, &dec) < 0) {
		close(in);
		vt_proc_wait(&p, 5000);
		return vt_fail("session.starts", "no keyboard: %s", p.buf);
	}
	vt_check(vt_proc_expect(&p, "ready de", 10000), "session.ready", "%s", p.buf);
	if (write(in, session_input, strlen(session_input)) < 0)
		vt_fail("session.input", "cannot write");
	bool acked = decode_until_output(&p, &d, dec, "ok 7", 20000);
	vt_check(acked && !strcmp(xkb_decoder_text(dec), "Grüße\nx"), "session.types.lines",
		 "decoded \"%s\": %s", xkb_decoder_text(dec), p.buf);
	vt_check(strstr(p.buf, "error 4 ") && strstr(p.buf, "cannot type 'λ'") &&
			 strstr(p.buf, "error 5 unknown command 'bogus'") && strstr(p.buf, "ok 6"),
		 "session.errors.per.line", "%s", p.buf);
	vt_check(vt_key_down(&d, KEY_LEFTSHIFT), "session.keydown.holds", "Shift is up");
	kill(p.pid, SIGTERM);
	vt_check(vt_wait_event(&d, EV_KEY, KEY_LEFTSHIFT, 0, 5000), "session.end.releases.held",
		 "Shift stayed down");
	int st = vt_proc_wait(&p, 5000);
	vt_check(st == 1, "session.exit.1.after.failed.lines", "exit %d", st);
	close(in);
	xkb_decoder_free(dec);
	vt_close_node(&d);
}

/* The end of input ends the session: exit 0 when every line worked. */
static void
session_eof(void)
{
	const char *argv[] = {"/usr/bin/vhidctl", "session", "--layout", "us", NULL};
	struct xkb_decoder *dec;
	struct vt_proc p;
	struct vt_dev d;
	int in, status;

	vt_spawn(&p, argv, &in);
	const char *node = vt_nodes_next(watch, "vhid keyboard", 15000);
	if (!node[0] || vt_open_node(&d, node) < 0 || xkb_decoder_new("us", NULL, &dec) < 0) {
		close(in);
		vt_proc_wait(&p, 5000);
		return vt_fail("session.eof", "no keyboard: %s", p.buf);
	}
	if (write(in, "type abc\ntype  d e", 18) < 0)
		vt_fail("session.eof", "cannot write");
	close(in);
	decode_until_done(&p, &d, dec, &status);
	vt_check(status == 0 && !strcmp(xkb_decoder_text(dec), "abc d e"), "session.eof.exit.0",
		 "exit %d, decoded \"%s\"", status, xkb_decoder_text(dec));
	close(p.out);
	xkb_decoder_free(dec);
	vt_close_node(&d);
}

int
main(void)
{
	struct vt_daemon dmn;
	char ascii[501];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!vt_check(vt_daemon_start(&dmn, NULL) == 0, "daemon.start",
		      "vhidd did not become ready"))
		return vt_finish();
	watch = vt_nodes_watch();
	vt_mixed_ascii(ascii, 500, 12345);
	round_trip("type.us.500.mixed", "us", NULL, ascii);
	round_trip("type.de.umlauts", "de", NULL,
		   "Größe, Übermaß: Äpfel & Öl für 3 €, heißt's? {x} [y] @ ~ | µ ²³ °");
	round_trip(
		"type.fr.azerty", "fr", NULL,
		"Où êtes-vous allé ? ça coûte 10 € à l'hôtel, même naïf : « très » bien ! Noël, île, dîner.");
	round_trip(
		"type.us.dvorak", "us", "dvorak",
		"The quick brown fox jumps over the lazy dog; 1234567890 <>?:\"{}|!@#$%^&*()_+ -=[]\\',./`~");
	round_trip("type.newline.and.tab", "us", NULL, "line one\n\tindented\nend");
	refused();
	default_layout_from_environment();
	session();
	session_eof();
	vt_daemon_stop(&dmn, SIGTERM);
	return vt_finish();
}
