/*
 * errors.c - every error code libvhid can return, with its meaning and usual
 * fix. vhid_strerror() and `vhidctl explain` both read this table, so a code
 * is documented in exactly one place.
 */
#include "errors.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "export.h"
#include "vhid.h"

/* clang-format off */
static const struct vhid_error_info table[] = {
	{VHID_EREPORTID, "VHID_EREPORTID",
	 "The report ID is not an input report of this device kind.",
	 "Keyboards take IDs 1 (keys), 2 (consumer), 3 and 4 (Apple), 7 (system); pointers take ID 1."},
	{VHID_EREPORTLEN, "VHID_EREPORTLEN",
	 "The report length does not match its report ID.",
	 "Keyboard reports are 66 bytes, key-array reports 65, pointer reports 13 (ID included)."},
	{VHID_EUSAGE, "VHID_EUSAGE",
	 "A usage or value lies outside the range the device's descriptor declares.",
	 "Keyboard usages are 0x00-0xff, consumer 0x000-0x2ff, system 0x81-0x8f; axes are -32767..32767 (absolute 0..32767)."},
	{VHID_EUSAGEKIND, "VHID_EUSAGEKIND",
	 "The usage is in range but the kernel would not treat it as a key (an axis, or an error-rollover code that voids the whole report).",
	 "Use the pointer's wheel for AC Pan and the volume keys for Volume; never post usages 0x01-0x03."},
	{VHID_EAPPLE, "VHID_EAPPLE",
	 "An Apple vendor usage has no standard equivalent that Linux understands.",
	 "See the Apple translation table in DESIGN.md; post the equivalent consumer usage, or drop the key."},
	{VHID_ETOOMANYKEYS, "VHID_ETOOMANYKEYS",
	 "All 32 key slots of the report are taken; the key was not added.",
	 "Release keys first. vhid never drops a 33rd key silently."},
	{VHID_EBUTTON, "VHID_EBUTTON",
	 "The device has no such button.",
	 "Buttons are numbered 1 (left), 2 (right), 3 (middle), 4 (side), 5 (extra): up to 16 on "
	 "a pointer, 3 on an absolute pointer. More would make Linux give the device a joystick "
	 "node (/dev/input/js), which games take for a controller."},
	{VHID_EVERSION, "VHID_EVERSION",
	 "The client library and the daemon speak different protocol versions.",
	 "Install matching libvhid and vhidd versions, then restart the daemon (vhidctl version shows both)."},
	{VHID_EDENIED, "VHID_EDENIED",
	 "The daemon's policy does not allow this user.",
	 "Add the user to the 'vhid' group (then log in again), or list it in /etc/vhid/vhidd.conf and send vhidd SIGHUP. See vhidctl doctor."},
	{VHID_EPROTO, "VHID_EPROTO",
	 "A malformed frame reached the daemon, which closed the connection and destroyed its devices.",
	 "This is a client bug: check the frame layout against PROTOCOL.md. The daemon log names the violation."},
	{VHID_ENOUHID, "VHID_ENOUHID",
	 "The kernel has no uhid: /dev/uhid is missing.",
	 "Run 'modprobe uhid' (and add uhid to /etc/modules-load.d), or use a kernel with CONFIG_UHID."},
	{VHID_ENODRIVER, "VHID_ENODRIVER",
	 "The kernel created the HID device but no driver bound it, so it has no input node.",
	 "Run 'modprobe hid-generic' (udev normally loads it); vhidctl doctor checks this."},
	{VHID_ELIMIT, "VHID_ELIMIT",
	 "This client already has the most devices allowed (one of each kind).",
	 "Destroy a device first, or open another connection."},
	{VHID_ELEASE, "VHID_ELEASE",
	 "The client was silent past its lease, so the daemon released all its keys and buttons.",
	 "Delivered through the lease_expired callback. Dispatch the client (it heartbeats at a third of the lease) or call vhid_client_heartbeat(); raise lease-ms in /etc/vhid/vhidd.conf if the program must pause longer."},
	{VHID_ENOTREADY, "VHID_ENOTREADY",
	 "The device exists but the kernel has not finished creating it; the report was not sent.",
	 "Wait for the ready callback (or vhid_device_wait_ready) before posting."},
	{VHID_ENODAEMON, "VHID_ENODAEMON",
	 "No daemon is listening on the socket.",
	 "Start it: 'systemctl start vhidd' or 'sudo vhidd'. vhidctl doctor checks the socket."},
	{VHID_EADMIN, "VHID_EADMIN",
	 "The request acts on other clients' devices and needs root or the policy's admin group.",
	 "Run it as root, or add 'admin-groups = GROUP' to /etc/vhid/vhidd.conf and send vhidd SIGHUP."},
	{VHID_ENOCAP, "VHID_ENOCAP",
	 "The daemon lacks the capability the request needs: it is older than the client library, or the request type is unknown to it.",
	 "Upgrade vhidd to at least the libvhid version (vhidctl version shows both and the protocol each speaks), then restart it; the message names the capability."},
	{VHID_EUNTYPEABLE, "VHID_EUNTYPEABLE",
	 "The keyboard layout cannot produce some characters of the text, so nothing was typed; the message names them.",
	 "Type on the layout the target uses (vhidctl type --layout/--variant, or the names given to vhid_keymap_new), or leave the characters out."},
	/* errno values libvhid passes through */
	{EACCES, "EACCES", "Permission denied opening the daemon's socket.",
	 "Join the socket's group (default 'vhid') and log in again; vhidctl doctor names the group."},
	{ENOENT, "ENOENT", "The socket (or another file) does not exist.",
	 "Is vhidd running? Check the path (VHID_SOCKET, default /run/vhid/vhidd.sock)."},
	{ECONNREFUSED, "ECONNREFUSED", "Nothing accepts connections on the socket: a stale socket file.",
	 "Start vhidd; it replaces a stale socket itself."},
	{ENODEV, "ENODEV", "No such device: it was destroyed, or the kernel removed it.",
	 "Create it again; devices die with their connection (a DEVICE_GONE push says why)."},
	{ENOTCONN, "ENOTCONN", "The client is not connected to the daemon.",
	 "Reconnect, or enable vhid_client_set_reconnect()."},
	{ECONNRESET, "ECONNRESET", "The daemon closed the connection.",
	 "Check 'vhidctl log' for the reason (policy, protocol violation, shutdown)."},
	{EPIPE, "EPIPE", "The connection broke while sending.",
	 "The daemon went away; reconnect."},
	{ETIMEDOUT, "ETIMEDOUT", "The daemon or the kernel did not answer in time.",
	 "Check that vhidd runs and that the kernel has uhid and hid-generic (vhidctl doctor)."},
	{EINVAL, "EINVAL", "An argument is invalid.", "Check the arguments against vhid.h."},
	{ENOMEM, "ENOMEM", "Out of memory.", "Free memory."},
	{EAGAIN, "EAGAIN", "The operation would block; try again later.",
	 "Wait for the fd to become writable (or readable) and retry."},
	{EBUSY, "EBUSY", "A blocking call is already in progress on this client, or typing jobs are still running on the keyboard.",
	 "Do not call blocking helpers from inside callbacks; wait for the typed callback (or vhid_device_type_cancel) before pressing keys yourself."},
	{EILSEQ, "EILSEQ", "The text is not valid UTF-8.",
	 "Convert it to UTF-8 (iconv -t UTF-8) before typing it."},
	{ECANCELED, "ECANCELED", "The typing job was cancelled (vhid_device_type_cancel); its keys were released.",
	 "Nothing to fix; start it again if it is still wanted."},
	{EMSGSIZE, "EMSGSIZE", "A message or string is longer than the protocol allows.",
	 "Client names are at most 31 bytes, device names 127, reports 66."},
	{EPERM, "EPERM", "Operation not permitted.", "Run as root, or check the policy."},
};
/* clang-format on */

#define TABLE_LEN (sizeof(table) / sizeof(table[0]))

const struct vhid_error_info *
vhid_error_lookup(int code)
{
	code = abs(code);
	for (size_t i = 0; i < TABLE_LEN; i++)
		if (table[i].code == code)
			return &table[i];
	return NULL;
}

const struct vhid_error_info *
vhid_error_lookup_name(const char *name)
{
	for (size_t i = 0; i < TABLE_LEN; i++) {
		const char *n = table[i].name;
		if (strcasecmp(n, name) == 0 ||
		    (strncmp(n, "VHID_", 5) == 0 && strcasecmp(n + 5, name) == 0))
			return &table[i];
	}
	return NULL;
}

const struct vhid_error_info *
vhid_error_at(unsigned int i)
{
	return i < TABLE_LEN ? &table[i] : NULL;
}

VHID_EXPORT const char *
vhid_strerror(int error)
{
	const struct vhid_error_info *e = vhid_error_lookup(error);

	if (error == 0)
		return "Success";
	if (e)
		return e->meaning;
	/* an errno value the table does not describe: libc knows it */
	return abs(error) < VHID_EFIRST ? strerror(abs(error)) : "Unknown vhid error";
}

VHID_EXPORT const char *
vhid_error_name(int error)
{
	const struct vhid_error_info *e = vhid_error_lookup(error);

	return e ? e->name : NULL;
}
