/*
 * vhid-hold: a distro-tier helper. Creates vhid devices of the kinds named on
 * the command line (keyboard, pointer, absolute), prints "READY kind
 * /dev/input/eventN" for each, and keeps them until standard input closes or a
 * signal ends it. vhidctl's devices live only as long as one command; a test
 * that looks at a device from outside (libinput list-devices) needs one that stays.
 *
 *   vhid-hold [-s SOCKET] KIND...
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vhid.h"

static enum vhid_device_kind
kind_of(const char *s)
{
	if (strcmp(s, "keyboard") == 0)
		return VHID_DEVICE_KEYBOARD;
	if (strcmp(s, "pointer") == 0)
		return VHID_DEVICE_POINTER;
	if (strcmp(s, "absolute") == 0)
		return VHID_DEVICE_ABSOLUTE;
	return 0;
}

static int
create(struct vhid_client *c, const char *kind)
{
	char name[64];
	struct vhid_device *d;
	struct vhid_device_params p = {.kind = kind_of(kind), .name = name};

	snprintf(name, sizeof(name), "vhid-hold %s", kind);
	if (!p.kind) {
		fprintf(stderr, "vhid-hold: unknown kind %s (keyboard, pointer, absolute)\n", kind);
		return -1;
	}
	if (vhid_device_create(c, &p, &d) < 0 || vhid_device_wait_ready(d, 5000) < 0) {
		fprintf(stderr, "vhid-hold: %s: %s\n", kind, vhid_client_last_error(c));
		return -1;
	}
	printf("READY %s %s\n", kind, vhid_device_get_evdev(d));
	fflush(stdout);
	return 0;
}

/* Until stdin closes: keep the connection alive (vhidd's lease) and answered. */
static void
hold(struct vhid_client *c)
{
	struct pollfd p[2] = {{.fd = 0, .events = POLLIN},
			      {.fd = vhid_client_get_fd(c), .events = POLLIN}};
	char buf[256];

	for (;;) {
		if (poll(p, 2, 500) < 0)
			return;
		if (p[0].revents && read(0, buf, sizeof(buf)) <= 0)
			return;
		if (p[1].revents && vhid_client_dispatch(c) < 0)
			return;
		vhid_client_heartbeat(c);
	}
}

int
main(int argc, char **argv)
{
	struct vhid_client *c = NULL;
	const char *sock = NULL;
	int i = 1;

	if (argc > 2 && strcmp(argv[1], "-s") == 0) {
		sock = argv[2];
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: vhid-hold [-s SOCKET] keyboard|pointer|absolute...\n");
		return 2;
	}
	if (vhid_client_new("vhid-hold", NULL, NULL, &c) < 0 || vhid_client_connect(c, sock) < 0) {
		fprintf(stderr, "vhid-hold: %s\n", c ? vhid_client_last_error(c) : "out of memory");
		return 1;
	}
	for (; i < argc; i++)
		if (create(c, argv[i]) < 0)
			return 1;
	hold(c);
	vhid_client_destroy(c);
	return 0;
}
