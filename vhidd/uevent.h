/*
 * uevent.h - the kernel's device events (NETLINK_KOBJECT_UEVENT), which tell
 * vhidd when hid-generic has bound a device and which eventN/hidrawN nodes it
 * got - without udev, without polling, and without sleeping.
 */
#ifndef VHIDD_UEVENT_H
#define VHIDD_UEVENT_H

#include <stddef.h>

struct uevent {
	const char *action;    /* "add", "bind", "remove", ... */
	const char *devpath;   /* "/devices/virtual/misc/uhid/0003:16C0:27DB.0001" */
	const char *subsystem; /* "hid", "input", "hidraw" */
	const char *devname;   /* "input/event5", "hidraw2", or NULL */
	const char *hid_uniq;  /* HID_UNIQ of a "hid" device, or NULL */
};

/*
 * Parse one kernel uevent datagram ("ACTION@DEVPATH\0KEY=VALUE\0..."). The
 * pointers point into buf, which must be NUL-terminated at buf[len].
 * Returns 0, or -EINVAL for anything else (udev's "libudev" messages too).
 */
int uevent_parse(char *buf, size_t len, struct uevent *ev);

/* Open a non-blocking, close-on-exec socket on the kernel's uevent group. */
int uevent_open(void);

#endif
