/*
 * test-examples: examples/remap-caps-escape on a real keyboard device. The test
 * creates the "real" keyboard (a second vhid keyboard, which the kernel treats
 * like any other), starts the remapper on its node and checks what the
 * remapper's own keyboard produces: Caps Lock arrives as Escape, other keys as
 * themselves, nothing leaks past the grab, and a key held when the remapper is
 * killed (SIGTERM, and SIGKILL) is released; after it the source is free again.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "vmdaemon.h"
#include "vmspawn.h"

#define REMAP "/usr/bin/remap-caps-escape"

static struct vhid_client *client;
static struct vhid_device *src;
static struct vt_dev src_node; /* another reader of the source: must see nothing while grabbed */
static int watch;

static int
create_source(void)
{
	struct vhid_device_params p = {.kind = VHID_DEVICE_KEYBOARD, .name = "source keyboard"};

	if (vhid_client_new("examples-test", NULL, NULL, &client) < 0 ||
	    vhid_client_connect(client, NULL) < 0 || vhid_device_create(client, &p, &src) < 0 ||
	    vhid_device_wait_ready(src, 5000) < 0)
		return -1;
	return vt_open_node(&src_node, vhid_device_get_evdev(src));
}

/* Start the remapper on the source and open its keyboard. */
static bool
start_remapper(struct vt_proc *p, struct vt_dev *out)
{
	const char *argv[] = {REMAP, vhid_device_get_evdev(src), NULL};
	const char *node;

	vt_spawn(p, argv, NULL);
	node = vt_nodes_next(watch, "vhid remapper", 15000);
	if (!node[0] || vt_open_node(out, node) < 0)
		return false;
	/* it says so once it forwards */
	return vt_proc_expect(p, "remapping", 5000);
}

static void
tap(unsigned int code)
{
	vhid_key_press(src, code);
	vhid_key_release(src, code);
}

static void
remaps(struct vt_dev *out)
{
	struct input_event esc[] = {EV(EV_KEY, KEY_ESC, 1), EV(EV_KEY, KEY_ESC, 0)};
	struct input_event a[] = {EV(EV_KEY, KEY_A, 1), EV(EV_KEY, KEY_A, 0)};

	tap(KEY_CAPSLOCK);
	vt_expect_frame(out, "remap.capslock.becomes.escape", esc, 2, 3000);
	tap(KEY_A);
	vt_expect_frame(out, "remap.a.stays.a", a, 2, 3000);
	vt_check(vt_quiet(&src_node, 300), "remap.source.grabbed", "another reader saw the keys");
}

/* Hold Shift, kill the remapper: its keyboard releases Shift; the source is free again. */
static void
killed_holding(struct vt_proc *p, struct vt_dev *out, int sig, const char *name)
{
	char label[96];
	int st;

	vhid_key_press(src, KEY_LEFTSHIFT);
	snprintf(label, sizeof(label), "remap.%s.shift.forwarded", name);
	vt_check(vt_wait_event(out, EV_KEY, KEY_LEFTSHIFT, 1, 3000), label, "no Shift press");
	kill(p->pid, sig);
	snprintf(label, sizeof(label), "remap.%s.releases.shift", name);
	vt_check(vt_wait_event(out, EV_KEY, KEY_LEFTSHIFT, 0, 5000), label,
		 "Shift stayed down after the remapper died");
	st = vt_proc_wait(p, 5000);
	snprintf(label, sizeof(label), "remap.%s.exit", name);
	vt_check(sig == SIGKILL ? st == 128 + SIGKILL || st == 137 : st == 0, label, "exit %d: %s",
		 st, p->buf);
	vhid_key_release(src, KEY_LEFTSHIFT);
	snprintf(label, sizeof(label), "remap.%s.source.ungrabbed", name);
	vt_check(vt_wait_event(&src_node, EV_KEY, KEY_LEFTSHIFT, 0, 3000), label,
		 "the source is still grabbed");
	vt_close_node(out);
}

int
main(void)
{
	struct vt_daemon dmn;
	struct vt_proc p;
	struct vt_dev out;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!vt_check(vt_daemon_start(&dmn, NULL) == 0, "daemon.start", "no vhidd"))
		return vt_finish();
	watch = vt_nodes_watch();
	if (!vt_check(create_source() == 0, "source.keyboard", "no source keyboard"))
		return vt_finish();
	if (vt_check(start_remapper(&p, &out), "remap.starts", "%s", p.buf)) {
		remaps(&out);
		killed_holding(&p, &out, SIGTERM, "sigterm");
	}
	if (vt_check(start_remapper(&p, &out), "remap.starts.again", "%s", p.buf))
		killed_holding(&p, &out, SIGKILL, "sigkill");
	vhid_client_destroy(client);
	vt_close_node(&src_node);
	vt_daemon_stop(&dmn, SIGTERM);
	return vt_finish();
}
