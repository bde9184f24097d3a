/*
 * test-faults-uevents (issue 13 E): lost uevents still lead to readiness. A
 * real overflow of vhidd's uevent socket, with the device's own uevents lost
 * and its UHID_START not yet read when vhidd learns of the loss:
 *   1. with /sys/bus/hid/drivers_autoprobe off, the kernel adds the HID device
 *      that vhidd's UHID_CREATE2 asks for but binds no driver yet; the vtfault.c
 *      shim stops vhidd (SIGSTOP) once it sent the CREATE_DEVICE reply;
 *   2. the test floods uevents ("change" on the uhid node) until its own
 *      socket, as large as vhidd's and emptied after the device's "add",
 *      overflows: vhidd's is full too. The shim gives vhidd's socket 4 KiB
 *      instead of 1 MiB (VT_FAULT_RCVBUF), so a handful of uevents fill it;
 *   3. the test binds hid-generic (drivers_probe): UHID_START goes to vhidd's
 *      uhid fd, and every uevent of the binding (input, event, hidraw, "bind")
 *      is dropped at vhidd's full socket;
 *   4. vhidd continues. Its first read says ENOBUFS, before it has read
 *      UHID_START. The device must become ready from the sysfs rescan, not from
 *      the last look at its 5 s deadline (vhidd logs that as a warning, and
 *      this test fails on it).
 * Steps 1-3 must fit in vhidd's 5 s start timeout, as every device creation
 * must: a few sysfs writes, no waiting on the machine's speed otherwise.
 * Three keyboards of three clients in turn; each then types exactly. Not a
 * pointer: the kernel's probe of one asks the device for its resolution
 * multiplier and waits up to 5 s per request for the stopped daemon.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmdaemon.h"

#define SHIM "/usr/lib/vhid-test/libvtfault.so"
#define LOG "/run/vt-uevents.log"
#define UHID_UEVENT "/sys/devices/virtual/misc/uhid/uevent"
#define AUTOPROBE "/sys/bus/hid/drivers_autoprobe"
#define PROBE "/sys/bus/hid/drivers_probe"
#define RCVBUF 4096

static struct vt_daemon daemon_;
#define N 3

static struct vt_agent agents[N];
static int nl = -1;

static int
uevent_socket(void)
{
	struct sockaddr_nl addr = {.nl_family = AF_NETLINK, .nl_groups = 1};
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			NETLINK_KOBJECT_UEVENT),
	    size = RCVBUF; /* what the shim gives vhidd */

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0 ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return -1;
	return fd;
}

static bool
write_sys(const char *path, const char *value)
{
	int fd;
	bool ok;

	errno = 0; /* what the failure left, not an older errno */
	fd = open(path, O_WRONLY | O_CLOEXEC);
	ok = fd >= 0 && write(fd, value, strlen(value)) == (ssize_t)strlen(value);

	if (fd >= 0)
		close(fd);
	return ok;
}

/* The kernel's last lines about HID and driver binding, as test comments. */
static void
print_kernel_log(void)
{
	char line[512];
	FILE *f = popen("dmesg 2>&1 | grep -i -E 'hid|uhid|probe|driver|bus' | tail -n 15", "r");

	while (f && fgets(line, sizeof(line), f))
		printf("# kernel: %s", line);
	if (f)
		pclose(f);
}

/*
 * Bind the HID device to its driver through drivers_probe. The verdict is the
 * device's driver link, not the write's result: under stress-ng one write was
 * reported failed with an errno left over from the flood (6.1, 2026-12-02),
 * and vhidd then saw the device start all the same. The kernel sends the "add"
 * uevent from inside device_add(), and a write soon after it can fail with
 * EINVAL and bind nothing (most likely the add is not finished): three in a row
 * failed a stressed make check (2026-12-03); in 16 stressed runs afterwards 2 of
 * 48 first writes failed so and the next, 20 ms later, bound the device, with
 * nothing in the kernel's log. So the writes go on, 20 ms apart, for up to 2 s
 * (vhidd's own start timeout, 5 s and not scaled, is the real bound). Why into
 * why; the kernel's log when none bound.
 */
static bool
bind_hid(const char *hid, char *why, size_t len)
{
	uint64_t end = monotonic_ms() + 2000;
	char link[128];
	int tries = 0;

	snprintf(link, sizeof(link), "/sys/bus/hid/devices/%s/driver", hid);
	do {
		bool written = write_sys(PROBE, hid);
		int e = errno;

		tries++;
		if (access(link, F_OK) == 0) {
			if (tries > 1)
				printf("# %s bound at write %d; before it: %s\n", hid, tries, why);
			return true;
		}
		snprintf(why, len, "%d writes, the last %s, errno %d (%s); no driver link", tries,
			 written ? "succeeded" : "failed", e, e ? strerror(e) : "none");
		usleep(20000);
	} while (monotonic_ms() < end);
	print_kernel_log();
	return false;
}

/* Read our socket until a uhid HID device is added; its name into name (bounded). */
static bool
wait_hid_add(char *name, size_t len)
{
	static const char prefix[] = "add@/devices/virtual/misc/uhid/";
	char buf[8192];

	for (uint64_t end = monotonic_ms() + (uint64_t)vt_bound(3000); monotonic_ms() < end;) {
		struct pollfd p = {.fd = nl, .events = POLLIN};
		poll(&p, 1, 100);
		ssize_t n;
		while ((n = recv(nl, buf, sizeof(buf) - 1, 0)) > 0) {
			buf[n] = '\0';
			const char *dev = buf + sizeof(prefix) - 1;
			if (!strncmp(buf, prefix, sizeof(prefix) - 1) && !strchr(dev, '/')) {
				snprintf(name, len, "%.63s", dev);
				return true;
			}
		}
	}
	return false;
}

/* Flood until our (unread) socket overflows; returns the uevents it took, or -1. */
static int
flood(void)
{
	char buf[64];
	int fd = open(UHID_UEVENT, O_WRONLY | O_CLOEXEC), n = 0;

	while (fd >= 0 && n < 10000) {
		for (int i = 0; i < 4; i++, n++)
			if (write(fd, "change", 6) != 6)
				goto out;
		if (recv(nl, buf, sizeof(buf), MSG_PEEK) < 0 && errno == ENOBUFS)
			break;
	}
out:
	if (fd >= 0)
		close(fd);
	return n < 10000 ? n : -1;
}

/* Empty our socket (and its overflow) of what came before. */
static void
drain(void)
{
	char buf[64];

	while (recv(nl, buf, sizeof(buf), 0) >= 0 || errno == ENOBUFS)
		;
}

static bool
wait_stopped(void)
{
	int st;

	for (uint64_t end = monotonic_ms() + (uint64_t)vt_bound(3000); monotonic_ms() < end;) {
		if (waitpid(daemon_.pid, &st, WNOHANG | WUNTRACED) == daemon_.pid)
			return WIFSTOPPED(st);
		usleep(5000);
	}
	return false;
}

static void
lose_uevents_of(int i)
{
	struct vt_agent *a = &agents[i];
	char ans[256], name[64], kind[16], hid[64] = "";
	struct vt_dev node;
	int n;

	snprintf(kind, sizeof(kind), "keyboard%d", i);
	vt_agent_spawn(a, kind, 0, 0, NULL, 0);
	snprintf(name, sizeof(name), "%s.connect", kind);
	if (!vt_check(vt_agent_cmd(a, ans, sizeof(ans), 3000, "connect") == 0, name, "%s", ans))
		return;
	write_sys(AUTOPROBE, "0");
	drain();
	vt_agent_send(a, "create keyboard [stop] lost %d", i);
	snprintf(name, sizeof(name), "%s.vhidd.stopped", kind);
	if (!vt_check(wait_stopped(), name, "the shim did not stop vhidd after UHID_CREATE2")) {
		write_sys(AUTOPROBE, "1");
		return;
	}
	snprintf(name, sizeof(name), "%s.kernel.added", kind);
	vt_check(wait_hid_add(hid, sizeof(hid)), name, "no add uevent of the HID device");
	drain(); /* from here our socket gets what vhidd's gets */
	n = flood();
	snprintf(name, sizeof(name), "%s.overflow", kind);
	vt_check(n > 0, name, "%d uevents did not overflow the socket", n);
	snprintf(name, sizeof(name), "%s.kernel.bound", kind);
	char why[160] = "";
	vt_check(bind_hid(hid, why, sizeof(why)), name, "cannot bind %s: %s", hid, why);
	write_sys(AUTOPROBE, "1");
	printf("# %s: %d uevents overflowed the socket\n", kind, n);
	kill(daemon_.pid, SIGCONT);
	snprintf(name, sizeof(name), "%s.ready", kind);
	if (vt_check(vt_agent_answer(a, ans, sizeof(ans), 5000) == 0, name, "%s", ans) &&
	    vt_open_node(&node, a->node) == 0) {
		snprintf(name, sizeof(name), "%s.types", kind);
		vt_agent_types(a, &node, "ready after all", name);
		vt_close_node(&node);
	}
}

/* Whether vhidd's log has a line containing s. */
static bool
logged(const char *s)
{
	char line[1024];
	FILE *f = fopen(LOG, "r");
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, s) != NULL;
	if (f)
		fclose(f);
	return found;
}

int
main(void)
{
	const char *args[] = {"--lease-ms", "600000", "-l", LOG, NULL};
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	unlink(LOG);
	if (!vt_check(access(SHIM, R_OK) == 0, "shim", "%s is not in the VM", SHIM) ||
	    !vt_check((nl = uevent_socket()) >= 0, "uevent.socket", "%s", strerror(errno)))
		return vt_finish();
	setenv("LD_PRELOAD", SHIM, 1);
	setenv("VT_FAULT_RCVBUF", "4096", 1);
	r = vt_daemon_start(&daemon_, args);
	unsetenv("LD_PRELOAD");
	unsetenv("VT_FAULT_RCVBUF");
	if (!vt_check(r == 0, "daemon.start", "vhidd did not become ready"))
		return vt_finish();
	for (int i = 0; i < N; i++)
		lose_uevents_of(i);
	vt_check(logged("uevent queue overflowed"), "vhidd.saw.overflow",
		 "vhidd never logged ENOBUFS on its uevent socket");
	vt_check(!logged("ready only at its deadline"), "ready.by.rescan",
		 "a device became ready only at its deadline, not from the rescan");
	for (int i = 0; i < N; i++)
		vt_agent_quit(&agents[i]);
	vt_check(vt_daemon_stop(&daemon_, SIGTERM) == 0, "daemon.exit.0", "bad exit");
	close(nl);
	return vt_finish();
}
