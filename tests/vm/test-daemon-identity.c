/*
 * test-daemon-identity: a client's bus, vendor and product choose the kernel
 * driver of its device. vhidd creates only what hid-generic binds on USB,
 * Bluetooth or virtual buses; an Apple ID (hid-apple claims it) or an i8042
 * keyboard (libinput takes it for the built-in one) is refused with an error
 * naming the rule and the policy key, until the policy allows it. What the
 * kernel then binds is read from sysfs: hid-generic, or apple for the Apple ID.
 */
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmdaemon.h"

#define VHID_GID 990

static struct vhid_client *
connect_root(void)
{
	struct vhid_client *c = NULL;

	if (vhid_client_new("identity", NULL, NULL, &c) < 0 || vhid_client_connect(c, NULL) < 0) {
		vhid_client_destroy(c);
		return NULL;
	}
	return c;
}

/* The driver bound to the device behind /dev/hidrawN: "hid-generic", "apple", or "". */
static void
bound_driver(const char *hidraw, char *out, size_t len)
{
	char link[300], target[300];
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/class/hidraw/%s/device/driver",
		 basename((char *)hidraw));
	n = readlink(link, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	snprintf(out, len, "%s", n > 0 ? basename(target) : "");
}

/*
 * Create a keyboard with this identity. want_ok: it must be created and the
 * kernel must bind want_driver (NULL: do not check); else it must be refused
 * with an error containing want_text.
 */
static void
try_identity(const char *name, uint16_t bus, uint32_t vendor, uint32_t product, bool want_ok,
	     const char *want)
{
	struct vhid_device_params p = {.kind = VHID_DEVICE_KEYBOARD,
				       .name = name,
				       .vendor = vendor,
				       .product = product,
				       .bus = bus};
	struct vhid_client *c = connect_root();
	struct vhid_device *dev = NULL;
	char check[128], driver[64] = "";
	int r;

	snprintf(check, sizeof(check), "%s.%s", name, want_ok ? "created" : "refused");
	if (!c)
		return vt_fail(check, "cannot connect");
	r = vhid_device_create(c, &p, &dev);
	if (!want_ok) {
		printf("# %04x:%04x bus 0x%02x: %s\n", vendor, product, bus,
		       vhid_client_last_error(c));
		vt_check(r == -VHID_EDENIED && strstr(vhid_client_last_error(c), want), check,
			 "%d: %s", r, vhid_client_last_error(c));
	} else if (vt_check(r == 0 && vhid_device_wait_ready(dev, 5000) == 0, check, "%d: %s", r,
			    vhid_client_last_error(c)) &&
		   want) {
		bound_driver(vhid_device_get_hidraw(dev), driver, sizeof(driver));
		snprintf(check, sizeof(check), "%s.bound.by.%s", name, want);
		vt_check(strcmp(driver, want) == 0, check, "bound by '%s'", driver);
	}
	vhid_client_destroy(c);
}

static void
reload(struct vt_daemon *d, const char *policy)
{
	struct vhid_client *c;

	vt_write_policy(policy);
	kill(d->pid, SIGHUP);
	/* a round trip after the signal: the daemon handled it before this connection */
	if ((c = connect_root()))
		vhid_client_destroy(c);
}

int
main(void)
{
	struct vt_daemon d;
	bool apple = access("/sys/bus/hid/drivers/apple", F_OK) == 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	unlink(VT_CONFIG);
	if (!vt_check(vt_daemon_start(&d, NULL) == 0, "daemon.start", "vhidd did not start"))
		return vt_finish();
	if (!apple)
		printf("# hid-apple is not loaded: what it binds is not checked\n");
	try_identity("default", 0x03, 0x16c0, 0x27db, true, "hid-generic");
	try_identity("pid-codes", 0x03, 0x1209, 0xabcd, true, "hid-generic");
	try_identity("virtual", 0x06, 0x1234, 0x5678, true, "hid-generic");
	try_identity("bluetooth", 0x05, 0x1209, 0xabcd, true, "hid-generic");
	try_identity("apple", 0x03, 0x05ac, 0x0250, false,
		     "claimed by the kernel driver hid_apple");
	try_identity("apple-bt", 0x05, 0x05ac, 0x0255, false,
		     "allow-ids in " /* the policy path follows the prefix */);
	try_identity("i8042", 0x11, 0x16c0, 0x27db, false, "allow-buses in ");
	try_identity("host", 0x19, 0x16c0, 0x27db, false, "bus 0x19 (host) is not allowed");

	reload(&d, "allow-groups = vhid\nallow-ids = 05ac:0250\nallow-buses = i8042\n");
	try_identity("apple-allowed", 0x03, 0x05ac, 0x0250, true, apple ? "apple" : NULL);
	try_identity("apple-other-still", 0x03, 0x05ac, 0x0251, false, "hid_apple");
	try_identity("i8042-allowed", 0x11, 0x16c0, 0x27db, true, "hid-generic");
	vt_check(vt_daemon_stop(&d, SIGTERM) == 0, "daemon.stop", "vhidd did not exit 0");
	return vt_finish();
}
