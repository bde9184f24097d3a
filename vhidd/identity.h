/*
 * identity.h - which kernel HID driver a device identity would bind. A client
 * chooses its device's bus, vendor and product, and with them the kernel code
 * that drives the device: the table of special drivers (every "hid:" alias in
 * modules.alias and modules.builtin.modinfo but hid-generic's) tells vhidd
 * which identities only hid-generic binds (DESIGN.md "Identity").
 */
#ifndef VHIDD_IDENTITY_H
#define VHIDD_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

struct identity_alias {
	char pattern[48]; /* "hid:b0003g*v000005ACp00000250" */
	char module[32];  /* "hid_apple" */
};

struct identity_table {
	struct identity_alias *aliases;
	size_t n;
	bool loaded; /* false: no alias file could be read; see identity_driver() */
};

/* /lib/modules/$(uname -r) */
int identity_load_running(struct identity_table *t);
void identity_free(struct identity_table *t);

/*
 * The special driver (module name) a generic-group HID device with this
 * identity would bind, or NULL when only hid-generic would. Without a table
 * every identity but vhid's own defaults (16c0:27d9..27db) is "unknown": the
 * caller refuses what it cannot check.
 */
const char *identity_driver(const struct identity_table *t, unsigned int bus, unsigned int vendor,
			    unsigned int product);

#endif
