/*
 * bench-create.c - device creation. vhid: from the create request until the
 * ready push (vhid_device_create + vhid_device_wait_ready). Raw: from
 * open(/dev/uhid) + UHID_CREATE2 until UHID_START - and, to be honest about
 * what "ready" means (DESIGN.md §7), also until the evdev node exists and until
 * the driver's bind uevent, which is where vhid declares a device ready.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"
#include "uevent.h"
#include "vmtest.h"

struct samples {
	const char *name;
	uint64_t *ns;
	int n;
};

static void
raw_once(int i, int watch, int uevent_fd, struct samples *s)
{
	struct raw_uhid u;
	char name[64];

	snprintf(name, sizeof(name), "bench create raw %d", i);
	if (raw_uhid_create(&u, name) < 0 ||
	    raw_uhid_wait(&u, watch, uevent_fd, vt_bound(5000)) < 0) {
		printf("# raw device %d: start %d node %d bind %d\n", i, !!u.start_ns, !!u.node_ns,
		       !!u.bind_ns);
		raw_uhid_destroy(&u);
		return;
	}
	s[0].ns[s[0].n++] = u.start_ns - u.created_ns;
	s[1].ns[s[1].n++] = u.node_ns - u.created_ns;
	s[2].ns[s[2].n++] = u.bind_ns - u.created_ns;
	/* the kernel removes the device inside this write(): whoever writes it waits */
	uint64_t t0 = monotonic_ns();
	raw_uhid_destroy(&u);
	s[4].ns[s[4].n++] = monotonic_ns() - t0;
}

/* The HID device behind an evdev node: "0003:16C0:27DB.0002". */
static void
hid_name(const char *node, char *out, size_t len)
{
	char path[128], target[256] = "";
	const char *slash;

	snprintf(path, sizeof(path), "/sys/class/input/%s/device/device", node + 11);
	if (readlink(path, target, sizeof(target) - 1) < 0)
		target[0] = '\0';
	slash = strrchr(target, '/');
	snprintf(out, len, "%s", slash ? slash + 1 : target);
}

/*
 * Until the kernel has removed this HID device. A creation while a removal
 * runs waits for it inside the kernel (the input core's lock), so each sample
 * starts with none in flight: raw's UHID_DESTROY returns once the device is
 * gone; vhid destroys after its 100 ms linger, so we wait for the uevent.
 */
static void
wait_removed(int uevent_fd, const char *hid)
{
	uint64_t end = monotonic_ns() + 3000000000ull;
	char buf[8192];
	struct uevent ue;

	while (monotonic_ns() < end) {
		struct pollfd p = {.fd = uevent_fd, .events = POLLIN};
		ssize_t n;
		if (poll(&p, 1, 100) <= 0 ||
		    (n = recv(uevent_fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) <= 0)
			continue;
		buf[n] = '\0';
		if (uevent_parse(buf, (size_t)n, &ue) == 0 && !strcmp(ue.action, "remove") &&
		    !strcmp(ue.subsystem, "hid") && strstr(ue.devpath, hid))
			return;
	}
	printf("# the kernel did not remove %s within 3 s\n", hid);
}

static void
vhid_once(struct vhid_client *c, int uevent_fd, struct samples *s)
{
	struct vhid_device_params p = {.kind = VHID_DEVICE_KEYBOARD, .name = "bench create vhid"};
	struct vhid_device *d = NULL;
	char hid[64] = "";
	uint64_t t0 = monotonic_ns();
	int r = vhid_device_create(c, &p, &d);

	if (r == 0 && (r = vhid_device_wait_ready(d, vt_bound(5000))) == 0) {
		s->ns[s->n++] = monotonic_ns() - t0;
		hid_name(vhid_device_get_evdev(d), hid, sizeof(hid));
	}
	if (r < 0)
		printf("# vhid device: %s\n", vhid_client_last_error(c));
	if (d)
		vhid_device_destroy(d);
	if (hid[0])
		wait_removed(uevent_fd, hid);
}

void
bench_create(void)
{
	int n = bench_opts.creates, watch = bench_watch_nodes(), uevent_fd = uevent_open();
	struct samples s[5] = {{.name = "raw_start"},
			       {.name = "raw_node"},
			       {.name = "raw_bind"},
			       {.name = "vhid_ready"},
			       {.name = "raw_destroy"}};
	struct bench_client bc = {0};

	for (int i = 0; i < 5; i++)
		s[i].ns = calloc((size_t)n, sizeof(uint64_t));
	if (uevent_fd < 0 || vhid_client_new("bench create", NULL, NULL, &bc.client) < 0 ||
	    vhid_client_connect(bc.client, NULL) < 0) {
		vt_fail("bench.create.setup", "uevent socket or vhidd connection");
		goto out;
	}
	/* one round unmeasured: the devices of earlier phases may still be being removed,
	 * and the kernel's first probe of a run is slower */
	struct samples warm[5] = {{.ns = (uint64_t[1]){0}},
				  {.ns = (uint64_t[1]){0}},
				  {.ns = (uint64_t[1]){0}},
				  {.ns = (uint64_t[1]){0}},
				  {.ns = (uint64_t[1]){0}}};
	raw_once(-1, watch, uevent_fd, warm);
	vhid_once(bc.client, uevent_fd, &warm[3]);
	/* the paths take turns, so a slow spell of the host hurts both */
	for (int i = 0; i < n; i++) {
		raw_once(i, watch, uevent_fd, s);
		vhid_once(bc.client, uevent_fd, &s[3]);
	}
	for (int i = 0; i < 5; i++)
		bench_report("create", s[i].name, s[i].ns, s[i].n, n, "devices", -1);
out:
	vhid_client_destroy(bc.client);
	for (int i = 0; i < 5; i++)
		free(s[i].ns);
	if (uevent_fd >= 0)
		close(uevent_fd);
	close(watch);
}
