/*
 * test-identity: name, vendor, product, version, bus, phys and uniq chosen at
 * creation appear on the evdev node; defaults are the seed system's IDs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmtest.h"

static void
check_identity(const char *what, const struct vdev_params *p, struct vt_dev *d)
{
	char name[96];

	snprintf(name, sizeof(name), "%s.name", what);
	vt_check(strcmp(libevdev_get_name(d->evdev), p->name) == 0, name,
		 "EVIOCGNAME \"%s\", want \"%s\"", libevdev_get_name(d->evdev), p->name);
	snprintf(name, sizeof(name), "%s.id", what);
	vt_check(libevdev_get_id_vendor(d->evdev) == (int)p->vendor &&
			 libevdev_get_id_product(d->evdev) == (int)p->product &&
			 libevdev_get_id_version(d->evdev) == (int)p->version &&
			 libevdev_get_id_bustype(d->evdev) == p->bus,
		 name, "EVIOCGID bus %04x %04x:%04x v%04x, want bus %04x %04x:%04x v%04x",
		 libevdev_get_id_bustype(d->evdev), libevdev_get_id_vendor(d->evdev),
		 libevdev_get_id_product(d->evdev), libevdev_get_id_version(d->evdev), p->bus,
		 p->vendor, p->product, p->version);
	/* the HID country code is not on evdev; hid-core shows it in sysfs */
	char path[300], buf[32] = "";
	snprintf(path, sizeof(path), "/sys%s/country", vdev_get_syspath(d->dev));
	FILE *f = fopen(path, "r");
	if (f && fgets(buf, sizeof(buf), f))
		buf[strcspn(buf, "\n")] = '\0';
	if (f)
		fclose(f);
	snprintf(name, sizeof(name), "%s.country", what);
	vt_check(f && strtol(buf, NULL, 16) == p->country, name, "%s says '%s', want %02x", path,
		 buf, p->country);
	snprintf(name, sizeof(name), "%s.phys-uniq", what);
	vt_check(libevdev_get_phys(d->evdev) && libevdev_get_uniq(d->evdev) &&
			 strcmp(libevdev_get_phys(d->evdev), p->phys) == 0 &&
			 strcmp(libevdev_get_uniq(d->evdev), p->uniq) == 0,
		 name, "phys \"%s\" uniq \"%s\"", libevdev_get_phys(d->evdev),
		 libevdev_get_uniq(d->evdev));
}

int
main(void)
{
	struct vdev_params p;
	struct vt_dev d;

	/* defaults: the seed system's V-USB IDs */
	vt_params(&p, VHID_DEVICE_KEYBOARD);
	if (vt_check(vt_create(&d, &p) == 0, "default-keyboard.create", "failed")) {
		check_identity("default-keyboard", &p, &d);
		vt_check(p.vendor == 0x16c0 && p.product == 0x27db, "default-keyboard.seed-ids",
			 "%04x:%04x", p.vendor, p.product);
		vt_destroy(&d);
	}

	vt_params(&p, VHID_DEVICE_KEYBOARD);
	/* pid.codes' open VID: no special driver claims it, hid-generic binds */
	snprintf(p.name, sizeof(p.name), "Kinesis-like Keyboard / remapped");
	p.vendor = 0x1209;
	p.product = 0xabcd;
	p.version = 0x0219;
	p.country = 33;
	if (vt_check(vt_create(&d, &p) == 0, "custom-keyboard.create", "failed")) {
		check_identity("custom-keyboard", &p, &d);
		vt_destroy(&d);
	}

	vt_params(&p, VHID_DEVICE_POINTER);
	snprintf(p.name, sizeof(p.name), "remote desktop mouse");
	p.vendor = 0x1234;
	p.product = 0x5678;
	p.version = 7;
	p.bus = BUS_VIRTUAL;
	if (vt_check(vt_create(&d, &p) == 0, "custom-pointer.create", "failed")) {
		check_identity("custom-pointer", &p, &d);
		vt_destroy(&d);
	}

	vt_params(&p, VHID_DEVICE_ABSOLUTE);
	p.bus = BUS_I8042; /* libinput treats i8042 devices as internal */
	if (vt_check(vt_create(&d, &p) == 0, "absolute-i8042.create", "failed")) {
		check_identity("absolute-i8042", &p, &d);
		vt_destroy(&d);
	}
	return vt_finish();
}
