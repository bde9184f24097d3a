/*
 * test-python: the Python binding on a real kernel, through the examples
 * people copy. examples/dictate.py types lines on us, de, fr and us(dvorak);
 * what the kernel produced is decoded through xkbcommon (xkbdecode.c) and must
 * equal the lines exactly; a line the layout lacks characters for is reported
 * and nothing of it is typed. examples/pointer.py's relative, scroll and
 * absolute events arrive as sent. A Caps Lock LED change reaches a Python
 * callback. vm.sh ships python3 and the modules the binding needs. Built three
 * times: test-python-typing (PART 1), test-python-layouts (2), test-python-devices (3).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmdaemon.h"
#include "vmspawn.h"
#include "xkbdecode.h"

#ifndef PART
#define PART 1
#endif
#define PYTHON "/usr/bin/python3"
#define EXAMPLES "/usr/share/vhid/examples"

static int watch;

/* Decode until the program exits and its node goes quiet; its exit status. */
static int
decode_until_exit(struct vt_proc *p, struct vt_dev *d, struct xkb_decoder *dec)
{
	struct input_event ev[64];
	int status = -1;

	for (int idle = 0; idle < 3;) {
		int n = vt_read_frame(d, ev, 64, 200);
		for (int i = 0; i < n; i++)
			if (ev[i].type == EV_KEY)
				xkb_decoder_key(dec, ev[i].code, ev[i].value);
		if (status < 0) {
			int st;
			if (waitpid(p->pid, &st, WNOHANG) == p->pid)
				status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		/* a node that went away (-ENODEV) after the exit is quiet too */
		idle = status >= 0 && n <= 0 ? idle + 1 : 0;
	}
	return status;
}

/* dictate.py --layout L: write the text as one line, close stdin, decode. */
static void
dictate(const char *name, const char *layout, const char *variant, const char *text)
{
	const char *argv[] = {PYTHON, EXAMPLES "/dictate.py",       "--layout",
			      layout, variant ? "--variant" : NULL, variant,
			      NULL};
	struct xkb_decoder *dec;
	struct vt_proc p;
	struct vt_dev d;
	char label[128];
	int in;

	vt_spawn(&p, argv, &in);
	const char *node = vt_nodes_next(watch, "dictate keyboard", 30000);
	if (!node[0] || vt_open_node(&d, node) < 0 || xkb_decoder_new(layout, variant, &dec) < 0) {
		vt_fail(name, "no dictate keyboard appeared: %s", p.buf);
		close(in);
		vt_proc_wait(&p, 5000);
		return;
	}
	uint64_t t0 = monotonic_ms();
	if (write(in, text, strlen(text)) < 0 || write(in, "\n", 1) < 0)
		vt_fail(name, "cannot write to dictate.py");
	close(in);
	int st = decode_until_exit(&p, &d, dec);
	printf("# %s: %zu bytes typed from Python in %llu ms\n", name, strlen(text),
	       (unsigned long long)(monotonic_ms() - t0));
	snprintf(label, sizeof(label), "python.%s.exact", name);
	vt_check(st == 0 && !strcmp(xkb_decoder_text(dec), text), label,
		 "exit %d, decoded \"%.60s\"", st, xkb_decoder_text(dec));
	xkb_decoder_free(dec);
	vt_close_node(&d);
	close(p.out);
}

static void
untypeable(void)
{
	const char *argv[] = {PYTHON, EXAMPLES "/dictate.py", "--layout", "us", NULL};
	struct vt_proc p;
	struct vt_dev d;
	int in;

	vt_spawn(&p, argv, &in);
	const char *node = vt_nodes_next(watch, "dictate keyboard", 30000);
	if (!node[0] || vt_open_node(&d, node) < 0) {
		close(in);
		vt_proc_wait(&p, 5000);
		return vt_fail("python.untypeable", "no keyboard");
	}
	if (write(in, "naïve\n", strlen("naïve\n")) < 0)
		vt_fail("python.untypeable", "cannot write");
	close(in);
	/* dictate.py exits at once, so its device may be gone (-ENODEV) before the
	 * 500 ms are over: only events count as typed */
	struct input_event ev[64];
	int n = vt_read_frame(&d, ev, 64, 500);
	vt_check(n <= 0, "python.untypeable.nothing.typed", "keys arrived: %s",
		 n > 0 ? vt_event_str(&ev[0]) : "");
	int st = vt_proc_wait(&p, 10000);
	vt_check(st == 1 && strstr(p.buf, "cannot type 'ï'"), "python.untypeable.named",
		 "exit %d: %s", st, p.buf);
	vt_close_node(&d);
}

struct tally {
	int rel_x, rel_y, wheel_hi, hwheel_hi, left, middle, abs_x, abs_y, saw_center;
};

static void
count(struct tally *t, const struct input_event *e)
{
	if (e->type == EV_REL && e->code == REL_X)
		t->rel_x += e->value;
	else if (e->type == EV_REL && e->code == REL_Y)
		t->rel_y += e->value;
	else if (e->type == EV_REL && e->code == REL_WHEEL_HI_RES)
		t->wheel_hi += e->value;
	else if (e->type == EV_REL && e->code == REL_HWHEEL_HI_RES)
		t->hwheel_hi += e->value;
	else if (e->type == EV_KEY && e->code == BTN_LEFT && e->value == 1)
		t->left++;
	else if (e->type == EV_KEY && e->code == BTN_MIDDLE && e->value == 1)
		t->middle++;
	else if (e->type == EV_ABS && e->code == ABS_X)
		t->abs_x = e->value;
	else if (e->type == EV_ABS && e->code == ABS_Y)
		t->abs_y = e->value;
	if (t->abs_x == 16384 && t->abs_y == 16384)
		t->saw_center = 1;
}

/* Everything a node produces until the program says `done` and the node goes quiet. */
static bool
collect(struct vt_proc *p, const char *devname, const char *done, struct tally *t)
{
	struct input_event ev[64];
	struct vt_dev d;
	const char *node = vt_nodes_next(watch, devname, 30000);

	if (!node[0] || vt_open_node(&d, node) < 0)
		return false;
	for (int idle = 0; idle < 3;) {
		int n = vt_read_frame(&d, ev, 64, 200);
		for (int i = 0; i < n; i++)
			count(t, &ev[i]);
		vt_proc_expect(p, done, 1); /* collects its output so far */
		/* a node that went away (-ENODEV: the device's linger ended) is as quiet
		 * as one that stays silent: the loop must end either way */
		idle = strstr(p->buf, done) && n <= 0 ? idle + 1 : 0;
	}
	vt_close_node(&d);
	return true;
}

static void
pointer(void)
{
	/* --wait: the tablet appears while the pointer is still being read */
	const char *argv[] = {PYTHON, EXAMPLES "/pointer.py", "--size", "40", "--wait", "20", NULL};
	struct tally rel = {0}, abs = {0};
	struct vt_proc p;

	vt_spawn(&p, argv, NULL);
	if (!vt_check(collect(&p, "demo pointer", "relative done", &rel), "python.pointer.node",
		      "%s", p.buf))
		return (void)vt_proc_wait(&p, 5000);
	/* a square (back to the start), then a 30,20 drag */
	vt_check(rel.rel_x == 30 && rel.rel_y == 20, "python.pointer.moves", "net %d,%d", rel.rel_x,
		 rel.rel_y);
	vt_check(rel.left == 2 && rel.middle == 1, "python.pointer.buttons", "left %d middle %d",
		 rel.left, rel.middle);
	vt_check(rel.wheel_hi == -120 && rel.hwheel_hi == 60, "python.pointer.scroll",
		 "wheel %d hwheel %d (1/120 notch)", rel.wheel_hi, rel.hwheel_hi);
	if (vt_check(collect(&p, "demo tablet", "absolute done", &abs), "python.absolute.node",
		     "%s", p.buf))
		vt_check(abs.saw_center && abs.abs_x == 0 && abs.abs_y == 32767 && abs.left == 1,
			 "python.absolute.positions", "center %d, last %d,%d, clicks %d",
			 abs.saw_center, abs.abs_x, abs.abs_y, abs.left);
	vt_check(vt_proc_wait(&p, 10000) == 0, "python.pointer.exit", "%s", p.buf);
}

static const char led_script[] =
	"import vhid, time\n"
	"with vhid.Client('py-leds') as c, c.keyboard('py leds', wait_reader=20) as k:\n"
	"    k.on_leds = lambda kb, leds: print('leds', int(leds), flush=True)\n"
	"    print('ready', flush=True)\n"
	"    end = time.monotonic() + 20\n"
	"    while not k.leds & vhid.Led.CAPS_LOCK and time.monotonic() < end:\n"
	"        c.dispatch(0.2)\n";

static void
led_callback(void)
{
	const char *argv[] = {PYTHON, "-c", led_script, NULL};
	struct vt_proc p;
	struct vt_dev d;

	vt_spawn(&p, argv, NULL);
	const char *node = vt_nodes_next(watch, "py leds", 30000);
	if (!node[0] || vt_open_node(&d, node) < 0 || !vt_proc_expect(&p, "ready", 20000)) {
		vt_proc_wait(&p, 5000);
		return vt_fail("python.leds.callback", "no keyboard: %s", p.buf);
	}
	libevdev_kernel_set_led_value(d.evdev, LED_CAPSL, LIBEVDEV_LED_ON);
	vt_check(vt_proc_expect(&p, "leds 2", 10000), "python.leds.callback",
		 "the Caps Lock change did not reach Python: %s", p.buf);
	vt_check(vt_proc_wait(&p, 10000) == 0, "python.leds.exit", "%s", p.buf);
	vt_close_node(&d);
}

/* Decode a keyboard until the text is complete; false after timeout_ms. */
static bool
decode_text(struct vt_dev *d, struct xkb_decoder *dec, const char *want, int timeout_ms)
{
	struct input_event ev[64];
	uint64_t end = monotonic_ms() + (uint64_t)timeout_ms;

	while (strcmp(xkb_decoder_text(dec), want) && monotonic_ms() < end) {
		int n = vt_read_frame(d, ev, 64, 100);
		for (int i = 0; i < n; i++)
			if (ev[i].type == EV_KEY)
				xkb_decoder_key(dec, ev[i].code, ev[i].value);
	}
	return !strcmp(xkb_decoder_text(dec), want);
}

static const char async_script[] =
	"import asyncio, vhid\n"
	"async def main():\n"
	"    with vhid.Client('py-async') as c, c.keyboard('py async', keymap='de',"
	" wait_reader=20) as k:\n"
	"        c.attach()\n"
	"        await asyncio.gather(k.type_async('Grüße '), k.type_async('aus Köln'))\n"
	"        try:\n"
	"            await k.type_async('λ')\n"
	"        except vhid.UntypeableError as e:\n"
	"            print('untypeable', e.characters, flush=True)\n"
	"asyncio.run(main())\n";

/* asyncio: two jobs in order from the loop, and an untypeable one raising. */
static void
asyncio_typing(void)
{
	const char *argv[] = {PYTHON, "-c", async_script, NULL};
	struct xkb_decoder *dec;
	struct vt_proc p;
	struct vt_dev d;

	vt_spawn(&p, argv, NULL);
	const char *node = vt_nodes_next(watch, "py async", 30000);
	if (!node[0] || vt_open_node(&d, node) < 0 || xkb_decoder_new("de", NULL, &dec) < 0) {
		vt_proc_wait(&p, 5000);
		return vt_fail("python.asyncio", "no keyboard: %s", p.buf);
	}
	int st = decode_until_exit(&p, &d, dec);
	vt_check(st == 0 && !strcmp(xkb_decoder_text(dec), "Grüße aus Köln"),
		 "python.asyncio.type_async.exact", "exit %d, decoded \"%s\"", st,
		 xkb_decoder_text(dec));
	/* decode_until_exit reaped it; its output is still in the pipe */
	vt_check(vt_proc_expect(&p, "untypeable ['λ']", 2000), "python.asyncio.untypeable.raises",
		 "%s", p.buf);
	close(p.out);
	xkb_decoder_free(dec);
	vt_close_node(&d);
}

/* README's example, as a reader of it would run it: text, ctrl+s, then the pointer. */
static void
readme_example(void)
{
	const char *argv[] = {PYTHON, EXAMPLES "/hello.py", NULL};
	struct input_event click[] = {EV(EV_REL, REL_X, 100), EV(EV_REL, REL_Y, -40)};
	struct xkb_decoder *dec;
	struct vt_proc p;
	struct vt_dev d;

	vt_spawn(&p, argv, NULL);
	const char *node = vt_nodes_next(watch, "vhid keyboard", 30000);
	if (!node[0] || vt_open_node(&d, node) < 0 || xkb_decoder_new("us", NULL, &dec) < 0) {
		vt_proc_wait(&p, 5000);
		return vt_fail("python.readme.keyboard", "no keyboard: %s", p.buf);
	}
	/* ctrl+s is the control character 0x13 to xkbcommon */
	vt_check(decode_text(&d, dec, "Hello from vhid!\n\x13", 20000), "python.readme.typed",
		 "decoded \"%s\"", xkb_decoder_text(dec));
	xkb_decoder_free(dec);
	vt_close_node(&d);
	node = vt_nodes_next(watch, "vhid pointer", 20000);
	if (!node[0] || vt_open_node(&d, node) < 0) {
		vt_proc_wait(&p, 5000);
		return vt_fail("python.readme.pointer", "no pointer: %s", p.buf);
	}
	vt_expect_frame(&d, "python.readme.pointer.moves", click, 2, 5000);
	vt_check(vt_wait_event(&d, EV_KEY, BTN_LEFT, 0, 5000) &&
			 vt_wait_event(&d, EV_REL, REL_WHEEL, -1, 5000),
		 "python.readme.click.and.scroll", "no click or scroll");
	vt_check(vt_proc_wait(&p, 10000) == 0, "python.readme.exit", "%s", p.buf);
	vt_close_node(&d);
}

int
main(void)
{
	struct vt_daemon dmn;
	char ascii[301];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (access(PYTHON, X_OK) != 0) {
		printf("# no %s in this initramfs: the Python tests need it\n", PYTHON);
		vt_fail("python.present", "vm.sh ships no python3");
		return vt_finish();
	}
	if (!vt_check(vt_daemon_start(&dmn, NULL) == 0, "daemon.start", "no vhidd"))
		return vt_finish();
	watch = vt_nodes_watch();
	/* three programs (meson builds this file with PART 1, 2, 3), so that each stays far
	 * inside the guest's per-test limit while python3 starts slowly under TCG */
	if (PART == 1) {
		vt_mixed_ascii(ascii, 300, 777);
		dictate("us.300.mixed", "us", NULL, ascii);
		dictate("de.umlauts", "de", NULL,
			"Größe, Übermaß: Äpfel & Öl für 3 €, heißt's? {x} [y] @ ~ | µ ²³ °");
		untypeable();
	} else if (PART == 2) {
		dictate("fr.azerty", "fr", NULL,
			"Où êtes-vous allé ? ça coûte 10 € à l'hôtel, même naïf : « très » bien !");
		dictate("us.dvorak", "us", "dvorak",
			"The quick brown fox; 1234567890 <>?:\"{}|!@#$%^&*()_+ -=[]\\',./`~");
		asyncio_typing();
	} else {
		pointer();
		led_callback();
		readme_example();
	}
	vt_daemon_stop(&dmn, SIGTERM);
	return vt_finish();
}
