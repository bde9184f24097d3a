/*
 * test-vhidctl-input: `vhidctl key`, `mouse`, `click`, `scroll`, `hscroll`,
 * `leds --watch` and `reset` produce exactly the evdev events they name on
 * the real kernel, through the real daemon.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "vmdaemon.h"
#include "vmspawn.h"

static int watch;

/* Run vhidctl, open the node it creates (which lets it start), and check the events. */
static void
expect_cmd(const char *name, const char *devname, const char *const *args,
	   const struct input_event *want, int n)
{
	struct vt_proc p;
	struct vt_dev d;
	char label[128];
	const char *node;

	/* vhidctl sends once a reader opened its device, or after --wait: the default
	 * second can pass before a busy host lets this test open the node. 10 s stays
	 * below vt_expect_frame's bound, so a missed open (DESIGN.md §21) is slow, not
	 * a failure. mouse takes it too, before move or to: under stress-ng its
	 * default 3 s passed before this test opened the node, and the motion went to
	 * nobody. */
	const char *argv[32] = {args[0], "--wait", "10000"};
	int n_args = 3;

	for (int i = 1; args[i] && n_args < 31; i++)
		argv[n_args++] = args[i];
	argv[n_args] = NULL;
	vt_spawn_vhidctl(&p, 0, NULL, 0, argv);
	/* bounds a failure only: a busy host may take seconds to start vhidctl */
	node = vt_nodes_next(watch, devname, 15000);
	if (!node[0] || vt_open_node(&d, node) < 0) {
		vt_fail(name, "no %s node appeared", devname);
		vt_proc_wait(&p, 3000);
		return;
	}
	bool ok = true;
	/* click and scroll move a unit and back first (cmd-mouse.c: hover) */
	if (!strcmp(args[0], "click") || strstr(args[0], "scroll")) {
		struct input_event there = EV(EV_REL, REL_X, 1), back = EV(EV_REL, REL_X, -1);

		snprintf(label, sizeof(label), "%s.hovers", name);
		ok = vt_expect_frame(&d, label, &there, 1, 2000) &&
		     vt_expect_frame(&d, label, &back, 1, 2000);
	}
	ok = ok && vt_expect_frame(&d, name, want, n, 2000);
	snprintf(label, sizeof(label), "%s.exit.0", name);
	int st = vt_proc_wait(&p, 5000);
	vt_check(st == 0, label, "exit %d: %s", st, p.buf);
	if (!ok) /* e.g. "no program opened ... sending anyway" */
		for (char *l = strtok(p.buf, "\n"); l; l = strtok(NULL, "\n"))
			printf("# vhidctl: %s\n", l);
	vt_close_node(&d);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define KB "vhid keyboard"
#define PTR "vhid pointer"

static void
keys(void)
{
	struct input_event chord_down[3] = {EV(EV_KEY, KEY_LEFTCTRL, 1), EV(EV_KEY, KEY_LEFTALT, 1),
					    EV(EV_KEY, KEY_T, 1)};
	struct input_event shift_a[2] = {EV(EV_KEY, KEY_LEFTSHIFT, 1), EV(EV_KEY, KEY_A, 1)};
	struct input_event at[2] = {EV(EV_KEY, KEY_LEFTSHIFT, 1), EV(EV_KEY, KEY_2, 1)};
	struct input_event vol = EV(EV_KEY, KEY_VOLUMEUP, 1), f5 = EV(EV_KEY, KEY_F5, 1);
	struct input_event super = EV(EV_KEY, KEY_LEFTMETA, 1), ent = EV(EV_KEY, KEY_ENTER, 1);

	expect_cmd("key.ctrl+alt+t", KB, ARGS("key", "ctrl+alt+t"), chord_down, 3);
	expect_cmd("key.shift+a", KB, ARGS("key", "shift+a"), shift_a, 2);
	expect_cmd("key.keysym.at.needs.shift", KB, ARGS("key", "at"), at, 2);
	expect_cmd("key.usage.name.volume-up", KB, ARGS("key", "volume-up"), &vol, 1);
	expect_cmd("key.linux.name.KEY_F5", KB, ARGS("key", "KEY_F5"), &f5, 1);
	expect_cmd("key.alias.super", KB, ARGS("key", "super"), &super, 1);
	expect_cmd("key.linux.name.enter", KB, ARGS("key", "Return"), &ent, 1);

	/* an unknown name is an error that suggests the nearest names, before any device */
	struct vt_proc p;
	vt_spawn_vhidctl(&p, 0, NULL, 0, ARGS("key", "ctrl+entr"));
	int st = vt_proc_wait(&p, 3000);
	vt_check(st == 2 && strstr(p.buf, "unknown key name 'entr'") && strstr(p.buf, "'enter'"),
		 "key.unknown.suggests", "exit %d: %s", st, p.buf);
}

/* --hold keeps the combination down that long; --down holds until --up */
static void
hold(void)
{
	struct vt_proc p, up;
	struct vt_dev d;
	struct input_event ev[4];
	const char *node;

	vt_spawn_vhidctl(&p, 0, NULL, 0, ARGS("key", "--hold", "300", "shift"));
	node = vt_nodes_next(watch, KB, 3000);
	if (!node[0] || vt_open_node(&d, node) < 0)
		return vt_fail("key.hold", "no node");
	vt_read_frame(&d, ev, 4, vt_bound(2000));
	struct timeval t0 = ev[0].time;
	int n = vt_read_frame(&d, ev, 4, vt_bound(2000));
	long ms = n > 0 ? (ev[0].time.tv_sec - t0.tv_sec) * 1000 +
				  (ev[0].time.tv_usec - t0.tv_usec) / 1000
			: -1;
	/* held at least the 300 ms asked for (kernel timestamps); the upper bound is scaled */
	vt_check(n > 0 && ev[0].code == KEY_LEFTSHIFT && ev[0].value == 0 && ms >= 290 &&
			 ms < vt_bound(1000),
		 "key.hold.300ms", "released after %ld ms", ms);
	vt_proc_wait(&p, 3000);
	vt_close_node(&d);

	vt_spawn_vhidctl(&p, 0, NULL, 0, ARGS("key", "--down", "shift"));
	node = vt_nodes_next(watch, KB, 3000);
	if (!node[0] || vt_open_node(&d, node) < 0)
		return vt_fail("key.down", "no node");
	vt_check(vt_wait_event(&d, EV_KEY, KEY_LEFTSHIFT, 1, 2000), "key.down.presses",
		 "no shift down");
	vt_check(vt_absent(&d, EV_KEY, KEY_LEFTSHIFT, 0, 500), "key.down.keeps.holding",
		 "released early");
	vt_spawn_vhidctl(&up, 0, NULL, 0, ARGS("key", "--up"));
	vt_check(vt_wait_event(&d, EV_KEY, KEY_LEFTSHIFT, 0, 3000), "key.up.releases.the.holder",
		 "no shift up");
	vt_check(vt_proc_wait(&up, 3000) == 0 && vt_proc_wait(&p, 3000) == 0,
		 "key.up.holder.exits.0", "%s / %s", up.buf, p.buf);
	vt_close_node(&d);
}

static void
pointer(void)
{
	struct input_event move[2] = {EV(EV_REL, REL_X, 10), EV(EV_REL, REL_Y, -20)};
	struct input_event to[2] = {EV(EV_ABS, ABS_X, 16384), EV(EV_ABS, ABS_Y, 8192)};
	struct input_event right = EV(EV_KEY, BTN_RIGHT, 1), left = EV(EV_KEY, BTN_LEFT, 1);
	struct input_event scroll2[2] = {EV(EV_REL, REL_WHEEL, 2),
					 EV(EV_REL, REL_WHEEL_HI_RES, 240)};
	struct input_event scroll_down[2] = {EV(EV_REL, REL_WHEEL, -1),
					     EV(EV_REL, REL_WHEEL_HI_RES, -120)};
	struct input_event hscroll[2] = {EV(EV_REL, REL_HWHEEL, 1),
					 EV(EV_REL, REL_HWHEEL_HI_RES, 120)};
	struct input_event hires = EV(EV_REL, REL_WHEEL_HI_RES, 30);

	expect_cmd("mouse.move.10.-20", PTR, ARGS("mouse", "move", "10", "-20"), move, 2);
	expect_cmd("mouse.to.0.5.0.25", "vhid absolute pointer", ARGS("mouse", "to", "0.5", "0.25"),
		   to, 2);
	expect_cmd("click.right", PTR, ARGS("click", "right"), &right, 1);
	expect_cmd("scroll.2", PTR, ARGS("scroll", "2"), scroll2, 2);
	expect_cmd("scroll.-1", PTR, ARGS("scroll", "-1"), scroll_down, 1 + 1);
	expect_cmd("hscroll.1", PTR, ARGS("hscroll", "1"), hscroll, 2);
	expect_cmd("scroll.hi-res.30", PTR, ARGS("scroll", "--hi-res", "30"), &hires, 1);

	/* a double click is two full clicks */
	struct vt_proc p;
	struct vt_dev d;
	/* --wait as in expect_cmd: a missed open is slow, not a failure */
	vt_spawn_vhidctl(&p, 0, NULL, 0, ARGS("click", "--wait", "10000", "--double"));
	const char *node = vt_nodes_next(watch, PTR, 3000);
	if (!node[0] || vt_open_node(&d, node) < 0)
		return vt_fail("click.double", "no node");
	int downs = 0;
	for (int i = 0; i < 2 + 4; i++) { /* the hover's two moves, then two clicks */
		struct input_event ev[4];
		int n = vt_read_frame(&d, ev, 4, vt_bound(2000));
		downs += n > 0 && ev[0].code == BTN_LEFT && ev[0].value == 1;
	}
	vt_check(downs == 2, "click.double.two.clicks", "%d presses", downs);
	(void)left;
	vt_proc_wait(&p, 15000);
	vt_close_node(&d);
}

static void
leds(void)
{
	struct vt_proc p;
	struct vt_dev d;
	const char *node;

	vt_spawn_vhidctl(&p, 0, NULL, 0, ARGS("leds", "--watch"));
	node = vt_nodes_next(watch, KB, 3000);
	if (!node[0] || vt_open_node(&d, node) < 0)
		return vt_fail("leds.watch", "no node");
	vt_check(vt_proc_expect(&p, "CapsLock off", 2000), "leds.prints.state", "%s", p.buf);
	libevdev_kernel_set_led_value(d.evdev, LED_CAPSL, LIBEVDEV_LED_ON);
	vt_check(vt_proc_expect(&p, "CapsLock on\n", 2000), "leds.watch.capslock.on", "%s", p.buf);
	libevdev_kernel_set_led_value(d.evdev, LED_CAPSL, LIBEVDEV_LED_OFF);
	vt_check(vt_proc_expect(&p, "CapsLock on\nCapsLock off\n", 2000), "leds.watch.capslock.off",
		 "%s", p.buf);
	kill(p.pid, SIGTERM);
	vt_check(vt_proc_wait(&p, 3000) == 0, "leds.watch.sigterm.exit.0", "%s", p.buf);
	vt_close_node(&d);
}

static void
reset(void)
{
	struct vt_agent a;
	struct vt_dev d;
	struct vt_proc p;
	const unsigned int member[] = {1000, 990};

	if (vt_agent_keyboard(&a, "stuck", &d) < 0)
		return vt_fail("reset.setup", "agent failed");
	vt_agent_cmd(&a, NULL, 0, 2000, "press 0x04");
	vt_wait_event(&d, EV_KEY, KEY_A, 1, 1000);

	/* a user who is not an admin may not reset everyone's devices */
	vt_spawn_vhidctl(&p, 1000, member, 2, ARGS("reset", "--all"));
	int st = vt_proc_wait(&p, 3000);
	vt_check(st == 4 && strstr(p.buf, "admin"), "reset.all.needs.admin", "exit %d: %s", st,
		 p.buf);
	vt_check(vt_key_down(&d, KEY_A), "reset.refused.changes.nothing", "the key was released");

	vt_spawn_vhidctl(&p, 0, NULL, 0, ARGS("reset", "--all"));
	vt_check(vt_wait_event(&d, EV_KEY, KEY_A, 0, 2000),
		 "reset.all.releases.another.clients.key", "no key-up");
	st = vt_proc_wait(&p, 3000);
	vt_check(st == 0 && strstr(p.buf, "released every key"), "reset.all.exit.0", "exit %d: %s",
		 st, p.buf);

	/* plain reset: the caller's own clients (the agent runs as root too) */
	vt_agent_cmd(&a, NULL, 0, 2000, "press 0x05");
	vt_wait_event(&d, EV_KEY, KEY_B, 1, 1000);
	vt_spawn_vhidctl(&p, 0, NULL, 0, ARGS("reset"));
	vt_check(vt_wait_event(&d, EV_KEY, KEY_B, 0, 2000), "reset.mine.releases.own.clients",
		 "no key-up");
	vt_proc_wait(&p, 3000);
	vt_agent_quit(&a);
	vt_close_node(&d);
}

int
main(void)
{
	struct vt_daemon dmn;
	/* keys stay down across vhidctl starts, which take seconds on a loaded host: the
	 * lease (test-daemon-stuck's subject) must not release them in between */
	const char *const args[] = {"--lease-ms", "600000", NULL};

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!vt_check(vt_daemon_start(&dmn, args) == 0, "daemon.start",
		      "vhidd did not become ready"))
		return vt_finish();
	watch = vt_nodes_watch();
	keys();
	hold();
	pointer();
	leds();
	reset();
	vt_daemon_stop(&dmn, SIGTERM);
	return vt_finish();
}
