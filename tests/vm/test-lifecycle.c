/*
 * test-lifecycle: readiness is an event and comes fast; the kernel's
 * GET/SET_REPORT requests are answered at once; UHID_OPEN/CLOSE are tracked;
 * reset and destroy release what is held; a missing driver is reported, not
 * waited on forever.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/hidraw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "protocol.h"
#include "vmtest.h"

static void
ready_fast(void)
{
	static const enum vhid_device_kind kinds[] = {VHID_DEVICE_KEYBOARD, VHID_DEVICE_POINTER,
						      VHID_DEVICE_ABSOLUTE};
	char name[64];

	for (size_t i = 0; i < 3; i++) {
		struct vdev_params p;
		struct vt_dev d;
		uint8_t report[VHID_MAX_REPORT_SIZE];
		int r;

		vt_params(&p, kinds[i]);
		r = vt_create(&d, &p);
		snprintf(name, sizeof(name), "ready.%s.in-bound", proto_kind_name(kinds[i]));
		if (!vt_check(r == 0, name, "create failed: %s", vhid_strerror(r)))
			continue;
		uint64_t ms = vdev_get_ready_ns(d.dev) / 1000000;
		printf("# %s: create -> ready %.2f ms, nodes %s %s\n", proto_kind_name(kinds[i]),
		       vdev_get_ready_ns(d.dev) / 1e6, vdev_get_evdev(d.dev, 0),
		       vdev_get_hidraw(d.dev) ? vdev_get_hidraw(d.dev) : "-");
		/* 1 s on an idle machine; scaled, so only a device that never gets ready fails */
		vt_check(ms < (uint64_t)vt_bound(1000), name, "took %llu ms",
			 (unsigned long long)ms);
		snprintf(name, sizeof(name), "ready.%s.nodes-known", proto_kind_name(kinds[i]));
		vt_check(vdev_get_evdev(d.dev, 0) && vdev_get_hidraw(d.dev), name,
			 "evdev %s hidraw %s", vdev_get_evdev(d.dev, 0), vdev_get_hidraw(d.dev));
		/* the first report after the ready event is delivered: no race */
		snprintf(name, sizeof(name), "ready.%s.first-report-delivered",
			 proto_kind_name(kinds[i]));
		if (kinds[i] == VHID_DEVICE_KEYBOARD) {
			struct vhid_keyboard_report k = {.keys = {0x1d}};
			vdev_post(d.dev, report, (size_t)vhid_report_encode_keyboard(&k, report),
				  NULL, 0);
			vt_check(vt_wait_event(&d, EV_KEY, KEY_Z, 1, 1000), name, "no KEY_Z");
		} else {
			vt_post_pointer(&d, 1, 0, 0, 0, 0);
			vt_check(vt_wait_event(&d, EV_KEY, BTN_LEFT, 1, 1000), name, "no BTN_LEFT");
		}
		vt_destroy(&d);
	}
}

/*
 * hid-input set the wheel multipliers through SET_REPORT at probe time; a
 * hidraw reader gets them back through GET_REPORT. The reader is a child
 * process: the kernel blocks it until this process (the device's owner)
 * answers, which it does from its event loop.
 */
static void
feature_report(void)
{
	struct vdev_params p;
	struct vt_dev d;
	int status = -1;
	pid_t pid;

	vt_params(&p, VHID_DEVICE_POINTER);
	if (vt_create(&d, &p) < 0)
		return vt_fail("feature.create", "failed");
	pid = fork();
	if (pid == 0) {
		unsigned char buf[8] = {VHID_REPORT_MULTIPLIER};
		int fd = open(vdev_get_hidraw(d.dev), O_RDWR);
		int n = fd < 0 ? -1 : ioctl(fd, HIDIOCGFEATURE(sizeof(buf)), buf);
		printf("# HIDIOCGFEATURE: %d bytes: %02x %02x %02x\n", n, buf[0], buf[1], buf[2]);
		_exit(n == 3 && buf[0] == 2 && buf[1] == 1 && buf[2] == 1 ? 0 : 1);
	}
	uint64_t start = monotonic_ms(), end = start + (uint64_t)vt_bound(3000);
	while (monotonic_ms() < end && waitpid(pid, &status, WNOHANG) == 0)
		vt_pump(5);
	vt_check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "feature.multipliers-set-to-max",
		 "child status %d", status);
	/* unanswered, the kernel's own 5 s GET_REPORT timeout would fail the ioctl above */
	printf("# GET_REPORT answered after %llu ms\n",
	       (unsigned long long)(monotonic_ms() - start));
	vt_destroy(&d);
}

static void
open_close(void)
{
	struct vdev_params p;
	struct vt_dev d;

	vt_params(&p, VHID_DEVICE_POINTER);
	if (vt_create(&d, &p) < 0)
		return vt_fail("open.create", "failed");
	uint64_t until = monotonic_ms() + (uint64_t)vt_bound(1000);
	while (vdev_get_readers(d.dev) == 0 && monotonic_ms() < until)
		vt_pump(10);
	vt_check(vdev_get_readers(d.dev) == 1 && d.opens >= 1, "open.reader-opens",
		 "opens %d readers %u", d.opens, vdev_get_readers(d.dev));
	libevdev_free(d.evdev);
	close(d.evfd);
	d.evdev = NULL;
	d.evfd = -1;
	uint64_t end = monotonic_ms() + (uint64_t)vt_bound(1000);
	while (vdev_get_readers(d.dev) && monotonic_ms() < end)
		vt_pump(10);
	vt_check(vdev_get_readers(d.dev) == 0 && d.closes >= 1, "open.last-reader-closes",
		 "still open");
	vt_destroy(&d);
}

static void
reset_and_destroy_release(void)
{
	struct vdev_params pk, pm;
	struct vt_dev kb, m;
	uint16_t a = 0x04, mute = 0xe2;
	const uint8_t mods = VHID_MOD_LEFT_CTRL | VHID_MOD_LEFT_SHIFT;

	vt_params(&pk, VHID_DEVICE_KEYBOARD);
	vt_params(&pm, VHID_DEVICE_POINTER);
	if (vt_create(&kb, &pk) < 0 || vt_create(&m, &pm) < 0)
		return vt_fail("release.create", "failed");

	/* reset */
	vt_post_keyboard(&kb, mods, &a, 1);
	vt_post_keys(&kb, VHID_REPORT_CONSUMER, &mute, 1);
	vt_wait_event(&kb, EV_KEY, KEY_MUTE, 1, 1000);
	struct input_event kb_up[4] = {EV(EV_KEY, KEY_LEFTCTRL, 0), EV(EV_KEY, KEY_LEFTSHIFT, 0),
				       EV(EV_KEY, KEY_A, 0), EV(EV_KEY, KEY_MUTE, 0)};
	vdev_reset(kb.dev);
	vt_expect_frame(&kb, "reset.keyboard-releases-all", kb_up, 4, 1000);

	/* destroy while Ctrl+Shift+A and two buttons are held */
	vt_post_keyboard(&kb, mods, &a, 1);
	vt_wait_event(&kb, EV_KEY, KEY_A, 1, 1000);
	vt_post_pointer(&m, 0x3, 0, 0, 0, 0);
	vt_wait_event(&m, EV_KEY, BTN_RIGHT, 1, 1000);
	vdev_destroy(kb.dev);
	kb.dev = NULL;
	vdev_destroy(m.dev);
	m.dev = NULL;
	/* a reader that keeps reading gets the key-ups, then the device goes away */
	vt_expect_frame(&kb, "destroy.keyboard-releases", kb_up, 3, 1000);
	struct input_event btn_up[2] = {EV(EV_KEY, BTN_LEFT, 0), EV(EV_KEY, BTN_RIGHT, 0)};
	vt_expect_frame(&m, "destroy.pointer-releases", btn_up, 2, 1000);
	/* the linger is 100 ms; UHID_DESTROY then runs on the reaper thread, so
	 * allow it a generous deadline rather than a fixed sleep */
	struct input_event ev;
	int r = -EAGAIN;
	for (uint64_t end = monotonic_ms() + (uint64_t)vt_bound(3000);
	     r != -ENODEV && monotonic_ms() < end;) {
		vt_pump(50);
		r = libevdev_next_event(kb.evdev, LIBEVDEV_READ_FLAG_NORMAL, &ev);
	}
	vt_check(r == -ENODEV, "destroy.node-gone-after-linger", "read returned %d", r);
	vt_destroy(&kb);
	vt_destroy(&m);
}

/* Without hid-generic no driver binds: the device layer must say so. */
static bool nodriver_failed;
static int nodriver_error;

static void
nodriver_on_failed(struct vdev *dev, int error, void *data)
{
	nodriver_failed = true;
	nodriver_error = error;
}

static void
no_driver(void)
{
	static const struct vdev_listener l = {.failed = nodriver_on_failed};
	struct vdev_ctx_options o = {.start_timeout_ms = 300};
	struct vdev_ctx *ctx;
	struct vdev_params p;
	struct vdev *dev;
	char msg[200];

	if (system("rmmod hid_generic") != 0)
		return vt_fail("nodriver.rmmod", "cannot unload hid-generic");
	vdev_ctx_new(&o, &ctx);
	vt_params(&p, VHID_DEVICE_KEYBOARD);
	if (vdev_create(ctx, &p, &l, NULL, &dev) == 0) {
		struct pollfd pfd = {.fd = vdev_ctx_get_fd(ctx), .events = POLLIN};
		uint64_t end = monotonic_ms() + (uint64_t)vt_bound(3000);
		while (!nodriver_failed && monotonic_ms() < end) {
			poll(&pfd, 1, 100);
			vdev_ctx_dispatch(ctx);
		}
		vt_check(nodriver_failed && nodriver_error == -VHID_ENODRIVER, "nodriver.reported",
			 "failed=%d error=%d", nodriver_failed, nodriver_error);
		int err = vdev_post(dev, (const uint8_t[66]){1}, 66, msg, sizeof(msg));
		vt_check(err == -ENODEV, "nodriver.post-refused", "post returned %d", err);
	}
	vdev_ctx_free(ctx);
	if (system("insmod /lib/modules/hid-generic.ko") != 0)
		vt_fail("nodriver.restore", "cannot reload hid-generic");
}

int
main(void)
{
	ready_fast();
	feature_report();
	open_close();
	reset_and_destroy_release();
	no_driver();
	return vt_finish();
}
