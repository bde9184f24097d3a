/*
 * demo: the main job on a real kernel. Starts vhidd, connects with libvhid,
 * creates a keyboard and a pointer, types "hello", moves, clicks and scrolls,
 * and prints every event the kernel put on their evdev nodes, evtest-style
 * ("EV_KEY KEY_H 1"), then vhidd's lifecycle log.
 */
#include <linux/input.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmdaemon.h"

#define LOG "/run/vhidd-demo.log"

static void
print_events(struct vt_dev *d, const char *who)
{
	struct input_event ev;
	struct pollfd p = {.fd = d->evfd, .events = POLLIN};

	poll(&p, 1, 1000);
	while (libevdev_next_event(d->evdev, LIBEVDEV_READ_FLAG_NORMAL, &ev) ==
	       LIBEVDEV_READ_STATUS_SUCCESS) {
		if (ev.type == EV_SYN)
			printf("%-8s -------------- %s ------------\n", who,
			       libevdev_event_code_get_name(ev.type, ev.code));
		else if (ev.type == EV_MSC)
			printf("%-8s %s %s 0x%x\n", who, libevdev_event_type_get_name(ev.type),
			       libevdev_event_code_get_name(ev.type, ev.code), ev.value);
		else
			printf("%-8s %s\n", who, vt_event_str(&ev));
	}
}

static int
fail(struct vhid_client *c, const char *what)
{
	printf("demo: %s: %s\n", what, vhid_client_last_error(c));
	return 1;
}

int
main(void)
{
	static const unsigned int hello[] = {KEY_H, KEY_E, KEY_L, KEY_L, KEY_O};
	const char *args[] = {"-q", "-l", LOG, NULL};
	struct vt_daemon d;
	struct vhid_client *c;
	struct vhid_device *kb, *ptr;
	struct vt_dev nk, np;
	char line[512];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (vt_daemon_start(&d, args) < 0) {
		printf("demo: vhidd did not start\n");
		return 1;
	}
	printf("== vhidd is running; connecting with libvhid\n");
	vhid_client_new("demo", NULL, NULL, &c);
	if (vhid_client_connect(c, NULL) < 0)
		return fail(c, "connect");
	if (vhid_device_create(c, &(struct vhid_device_params){.kind = VHID_DEVICE_KEYBOARD}, &kb) <
		    0 ||
	    vhid_device_create(c, &(struct vhid_device_params){.kind = VHID_DEVICE_POINTER}, &ptr) <
		    0)
		return fail(c, "create");
	/* readiness is an event from the kernel, pushed by vhidd: no sleep */
	if (vhid_device_wait_ready(kb, 2000) < 0 || vhid_device_wait_ready(ptr, 2000) < 0)
		return fail(c, "wait for ready");
	printf("== keyboard ready at %s, pointer ready at %s\n", vhid_device_get_evdev(kb),
	       vhid_device_get_evdev(ptr));
	vt_open_node(&nk, vhid_device_get_evdev(kb));
	vt_open_node(&np, vhid_device_get_evdev(ptr));

	printf("\n== typing \"hello\" (vhid_key_press / vhid_key_release)\n");
	for (size_t i = 0; i < sizeof(hello) / sizeof(hello[0]); i++) {
		vhid_key_press(kb, hello[i]);
		vhid_key_release(kb, hello[i]);
		print_events(&nk, "keyboard");
	}

	printf("\n== moving right 100 and down 50, then clicking the left button\n");
	vhid_pointer_move(ptr, 100, 50);
	vhid_pointer_press(ptr, 1);
	vhid_pointer_release(ptr, 1);
	print_events(&np, "pointer");

	printf("\n== scrolling one notch down (-120 = one notch toward the user)\n");
	vhid_pointer_scroll(ptr, -120, 0);
	print_events(&np, "pointer");

	vt_close_node(&nk);
	vt_close_node(&np);
	vhid_client_destroy(c);
	vt_daemon_stop(&d, SIGTERM);

	printf("\n== vhidd's log\n");
	FILE *f = fopen(LOG, "r");
	while (f && fgets(line, sizeof(line), f))
		fputs(line, stdout);
	if (f)
		fclose(f);
	return 0;
}
