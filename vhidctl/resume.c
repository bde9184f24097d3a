/*
 * resume.c - see resume.h. vhidd releases a client's keys when the connection
 * ends, so a restart (an upgrade, `systemctl restart`, a crash) silently ended
 * 0.1.0's `key --down` with exit 0 (issue 9). Now each mode says the keys went
 * up, waits for libvhid to be back (a socket-activated restart keeps the socket,
 * so the next connect waits in its backlog), presses them again on the new
 * device once something reads it, and says that too.
 */
#include "resume.h"

#include <errno.h>
#include <stdio.h>

#include "vhidctl.h"

void
resume_init(struct resume *r, struct vhid_client *c, struct vhid_device *dev, int wait_reader_ms,
	    int (*restore)(void *data, char *what, size_t len), void *data)
{
	*r = (struct resume){c, dev, wait_reader_ms, restore, data, false};
	vhid_client_set_reconnect(c, 1);
}

int
resume_poll(struct resume *r)
{
	char what[256] = "";
	int e;

	if (!r || !r->c)
		return 0;
	if (!r->lost && !vhid_client_is_connected(r->c)) {
		r->lost = true;
		fprintf(stderr,
			"vhidctl: vhidd went away (%s): it released what this vhidctl held; "
			"reconnecting\n",
			vhid_client_last_error(r->c));
		return 0;
	}
	if (r->lost && vhid_client_is_connected(r->c) && vhid_device_get_id(r->dev) == 0) {
		/* connected again, but vhidd refused to create the device: waiting on
		 * would hang silently */
		cli_error("reconnected to vhidd, but it could not create the device again: %s",
			  vhid_client_last_error(r->c));
		return -EIO;
	}
	if (!r->lost || !vhid_device_is_ready(r->dev))
		return 0;
	r->lost = false;
	if (r->wait_reader_ms > 0)
		vhid_device_wait_reader(r->dev, r->wait_reader_ms);
	if ((e = r->restore(r->data, what, sizeof(what))) < 0) {
		cli_error("reconnected to vhidd, but could not restore: %s",
			  vhid_client_last_error(r->c));
		return e;
	}
	fprintf(stderr, "vhidctl: reconnected to vhidd, new device %s: %s\n",
		vhid_device_get_evdev(r->dev), what);
	return 0;
}
