/*
 * demo: the main job, shown on a real kernel. Creates a keyboard and a
 * pointer, types "hello", moves and clicks, and prints every event the kernel
 * put on their evdev nodes, evtest-style ("EV_KEY KEY_H 1").
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "vmtest.h"

static void
print_events(struct vt_dev *d, const char *who)
{
	struct input_event ev;

	/* everything queued so far, MSC_SCAN and SYN included */
	while (libevdev_next_event(d->evdev, LIBEVDEV_READ_FLAG_NORMAL, &ev) == LIBEVDEV_READ_STATUS_SUCCESS) {
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

int
main(void)
{
	struct vdev_params pk, pm;
	struct vt_dev kb, m;
	int r;

	vt_params(&pk, VHID_DEVICE_KEYBOARD);
	vt_params(&pm, VHID_DEVICE_POINTER);
	if ((r = vt_create(&kb, &pk)) < 0 || (r = vt_create(&m, &pm)) < 0) {
		printf("demo: cannot create devices: %s\n", vhid_strerror(r));
		return 1;
	}
	printf("\n== keyboard \"%s\" is %s; pointer \"%s\" is %s\n", pk.name, vdev_get_evdev(kb.dev, 0),
	       pm.name, vdev_get_evdev(m.dev, 0));

	printf("\n== typing \"hello\"\n");
	/* vt_wait_event consumes what it reads, so replay by reading after each key */
	for (const char *c = "hello"; *c; c++) {
		uint16_t usage = (uint16_t)(0x04 + (*c - 'a')); /* a..z are 0x04..0x1d */
		vt_post_keyboard(&kb, 0, &usage, 1);
		vt_post_keyboard(&kb, 0, NULL, 0);
		struct pollfd p = {.fd = kb.evfd, .events = POLLIN};
		poll(&p, 1, 1000);
		print_events(&kb, "keyboard");
	}

	printf("\n== moving right 100 and down 50, then clicking the left button\n");
	vt_post_pointer(&m, 0, 100, 50, 0, 0);
	vt_post_pointer(&m, 1, 0, 0, 0, 0);
	vt_post_pointer(&m, 0, 0, 0, 0, 0);
	struct pollfd p = {.fd = m.evfd, .events = POLLIN};
	poll(&p, 1, 1000);
	print_events(&m, "pointer");

	printf("\n== scrolling one notch down\n");
	vt_post_pointer(&m, 0, 0, 0, -120, 0);
	poll(&p, 1, 1000);
	print_events(&m, "pointer");
	vt_destroy(&kb);
	vt_destroy(&m);
	vt_cleanup();
	return 0;
}
