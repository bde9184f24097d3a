/*
 * test-daemon-pushes: what vhidd pushes reaches libvhid's callbacks: ready
 * (no test here sleeps for a device), LED state when CapsLock is written to
 * the evdev node, a reader opening and closing the pointer. Status carries
 * the real nodes and the LED state.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "vmdaemon.h"

struct events {
	int ready, leds_events, opens, closes;
	unsigned int leds;
};

static void
on_ready(struct vhid_client *c, struct vhid_device *d, void *data)
{
	((struct events *)data)->ready++;
}

static void
on_leds(struct vhid_client *c, struct vhid_device *d, unsigned int leds, void *data)
{
	((struct events *)data)->leds_events++;
	((struct events *)data)->leds = leds;
}

static void
on_readers(struct vhid_client *c, struct vhid_device *d, unsigned int readers, void *data)
{
	if (readers)
		((struct events *)data)->opens++;
	else
		((struct events *)data)->closes++;
}

static const struct vhid_client_listener listener = {
	.size = sizeof(listener),
	.ready = on_ready,
	.leds = on_leds,
	.readers = on_readers,
};

/* Dispatch until *value differs from its value at the call, or vt_bound(timeout_ms). */
static bool
wait_change(struct vhid_client *c, const int *value, int timeout_ms)
{
	int start = *value;
	uint64_t end = monotonic_ms() + (uint64_t)vt_bound(timeout_ms);
	struct pollfd p = {.fd = vhid_client_get_fd(c), .events = POLLIN};

	while (*value == start && monotonic_ms() < end) {
		poll(&p, 1, (int)(end - monotonic_ms()));
		vhid_client_dispatch(c);
	}
	return *value != start;
}

struct status_seen {
	unsigned int leds;
	char evdev[32];
};

static void
on_status_device(const struct vhid_status_device *d, void *data)
{
	struct status_seen *s = data;
	if (d->kind == VHID_DEVICE_KEYBOARD) {
		s->leds = d->leds;
		snprintf(s->evdev, sizeof(s->evdev), "%s", d->evdev);
	}
}

int
main(void)
{
	struct vt_daemon dmn;
	struct vhid_client *c;
	struct vhid_device *kb, *ptr;
	struct events ev = {0};
	struct vt_dev node;
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!vt_check(vt_daemon_start(&dmn, NULL) == 0, "daemon.start",
		      "vhidd did not become ready"))
		return vt_finish();
	vhid_client_new("pushes", &listener, &ev, &c);
	r = vhid_client_connect(c, NULL);
	if (!vt_check(r == 0, "connect", "%s", vhid_client_last_error(c)))
		return vt_finish();

	uint64_t t0 = monotonic_ms();
	r = vhid_device_create(c, &(struct vhid_device_params){.kind = VHID_DEVICE_KEYBOARD}, &kb);
	vt_check(r == 0 && !vhid_device_is_ready(kb), "create.returns.before.ready", "r=%d", r);
	vt_check(wait_change(c, &ev.ready, 2000) && vhid_device_is_ready(kb), "ready.pushed",
		 "no ready callback");
	printf("# keyboard ready %llu ms after the create request, at %s\n",
	       (unsigned long long)(monotonic_ms() - t0), vhid_device_get_evdev(kb));
	vt_check(vhid_device_get_evdev(kb) && vhid_device_get_hidraw(kb), "ready.names.nodes",
		 "no nodes");
	/* the kernel's kbd handler opened the keyboard (UHID_OPEN), but no program has */
	vhid_client_dispatch(c);
	vt_check(vhid_device_get_readers(kb) == 0 && ev.opens == 0, "keyboard.no.reader.yet",
		 "readers %u", vhid_device_get_readers(kb));
	if (vt_open_node(&node, vhid_device_get_evdev(kb)) < 0) {
		vt_fail("open", "cannot open %s", vhid_device_get_evdev(kb));
		return vt_finish();
	}
	vt_check(vhid_device_wait_reader(kb, vt_bound(2000)) == 0 &&
			 vhid_device_get_readers(kb) == 1,
		 "keyboard.reader.pushed.when.opened", "readers %u", vhid_device_get_readers(kb));
	struct input_event q = EV(EV_KEY, KEY_Q, 1);
	vhid_keyboard_press_usage(kb, 0x14);
	vt_expect_frame(&node, "first.report.after.ready.delivered", &q, 1, 1000);
	vhid_keyboard_release_usage(kb, 0x14);

	libevdev_kernel_set_led_value(node.evdev, LED_CAPSL, LIBEVDEV_LED_ON);
	bool got = wait_change(c, &ev.leds_events, 2000);
	while (got && !(ev.leds & VHID_LED_CAPS_LOCK) && wait_change(c, &ev.leds_events, 1000))
		;
	vt_check(ev.leds & VHID_LED_CAPS_LOCK, "led.push.capslock.on", "leds 0x%x", ev.leds);
	vt_check(vhid_device_get_leds(kb) & VHID_LED_CAPS_LOCK, "led.state.on.device", "0x%x",
		 vhid_device_get_leds(kb));

	struct status_seen s = {0};
	struct vhid_status_listener sl = {.size = sizeof(sl), .device = on_status_device};
	r = vhid_client_get_status(c, 0, &sl, &s);
	vt_check(r == 0 && (s.leds & VHID_LED_CAPS_LOCK) &&
			 !strcmp(s.evdev, vhid_device_get_evdev(kb)),
		 "status.has.node.and.leds", "r=%d leds=0x%x node=%s", r, s.leds, s.evdev);

	libevdev_kernel_set_led_value(node.evdev, LED_CAPSL, LIBEVDEV_LED_OFF);
	got = wait_change(c, &ev.leds_events, 2000);
	while (got && (ev.leds & VHID_LED_CAPS_LOCK) && wait_change(c, &ev.leds_events, 1000))
		;
	vt_check(!(ev.leds & VHID_LED_CAPS_LOCK), "led.push.capslock.off", "leds 0x%x", ev.leds);

	/* a pointer is opened only by readers: the test is one */
	r = vhid_device_create(c, &(struct vhid_device_params){.kind = VHID_DEVICE_POINTER}, &ptr);
	r = r ? r : vhid_device_wait_ready(ptr, vt_bound(2000));
	vt_check(r == 0, "pointer.ready", "%s", vhid_client_last_error(c));
	struct vt_dev pnode;
	int opens = ev.opens;
	vt_open_node(&pnode, vhid_device_get_evdev(ptr));
	vt_check(ev.opens > opens || wait_change(c, &ev.opens, 2000), "open.push.when.reader.opens",
		 "no opened(1)");
	vt_close_node(&pnode);
	vt_check(wait_change(c, &ev.closes, 2000), "close.push.when.last.reader.closes",
		 "no opened(0)");

	vt_close_node(&node);
	vhid_client_destroy(c);
	vt_check(vt_daemon_stop(&dmn, SIGTERM) == 0, "daemon.exit.0", "bad exit");
	return vt_finish();
}
