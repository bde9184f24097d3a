/* uevent.c - open and parse kernel uevents; see uevent.h. */
#include "uevent.h"

#include <errno.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
uevent_parse(char *buf, size_t len, struct uevent *ev)
{
	char *p = buf, *end = buf + len;

	memset(ev, 0, sizeof(*ev));
	/* kernel messages start with "ACTION@DEVPATH"; udev's with "libudev" */
	if (len == 0 || !memchr(buf, '@', strnlen(buf, len)))
		return -EINVAL;
	p += strnlen(p, (size_t)(end - p)) + 1;
	while (p < end) {
		size_t n = strnlen(p, (size_t)(end - p));

		if (strncmp(p, "ACTION=", 7) == 0)
			ev->action = p + 7;
		else if (strncmp(p, "DEVPATH=", 8) == 0)
			ev->devpath = p + 8;
		else if (strncmp(p, "SUBSYSTEM=", 10) == 0)
			ev->subsystem = p + 10;
		else if (strncmp(p, "DEVNAME=", 8) == 0)
			ev->devname = p + 8;
		else if (strncmp(p, "HID_UNIQ=", 9) == 0)
			ev->hid_uniq = p + 9;
		p += n + 1;
	}
	return ev->action && ev->devpath && ev->subsystem ? 0 : -EINVAL;
}

int
uevent_open(void)
{
	struct sockaddr_nl addr = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1, /* the kernel's own group; udev re-broadcasts on 2 */
	};
	int fd, size = 1 << 20;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	/* a burst of devices must not overflow the queue; FORCE needs root */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}
