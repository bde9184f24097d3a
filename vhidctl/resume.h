/*
 * resume.h - long-running vhidctl modes (key --down, leds --watch, session)
 * across a restart of vhidd: libvhid reconnects and creates the device again;
 * the mode then restores what it held and says so on stderr (resume.c).
 */
#ifndef VHIDCTL_RESUME_H
#define VHIDCTL_RESUME_H

#include <stdbool.h>
#include <stddef.h>

#include "vhid.h"

struct resume {
	struct vhid_client *c;
	struct vhid_device *dev;
	int wait_reader_ms; /* as for the first device: a compositor must see the presses */
	/* Press again, re-read: 0, or a negative error (then the mode ends).
	 * what says what was restored ("pressed shift again"). */
	int (*restore)(void *data, char *what, size_t len);
	void *data;
	bool lost;
};

/* Turn on libvhid's reconnect for a mode that holds dev. */
void resume_init(struct resume *r, struct vhid_client *c, struct vhid_device *dev,
		 int wait_reader_ms, int (*restore)(void *data, char *what, size_t len),
		 void *data);
/* After each dispatch: say that vhidd went away, or restore once the device is back.
 * Returns 0, or the restore's error after saying so (the mode exits non-zero). */
int resume_poll(struct resume *r);

#endif
