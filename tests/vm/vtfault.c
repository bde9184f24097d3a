/*
 * vtfault.c - an LD_PRELOAD shim for vhidd in the VM tests (never installed):
 * makes writes to /dev/uhid fail, or stops vhidd, for the devices that a test
 * names so. Debian's kernels have no fault injection (CONFIG_FAULT_INJECTION
 * and CONFIG_FUNCTION_ERROR_INJECTION are off), so this is the seam; DESIGN.md
 * §27 says what it proves and what it cannot.
 *
 * A device is chosen by the name its client gave it (UHID_CREATE2's name):
 *   "vt-fault ERRNO AFTER TIMES"  its UHID_INPUT2 writes after the first AFTER
 *                                 fail with ERRNO (EIO, ENOMEM, ENODEV, EINVAL),
 *                                 TIMES of them (0: all); nothing reaches the kernel
 *   "... [stop] ..."              vhidd stops itself (SIGSTOP) after the next
 *                                 send() that follows the device's UHID_CREATE2:
 *                                 the CREATE_DEVICE reply, before the loop reads
 *                                 anything of the new device
 * With VT_FAULT_STOP_INPUT=1 in vhidd's environment, vhidd stops itself after
 * its first UHID_INPUT2 write: the kernel has the report, the client has no
 * answer yet.
 * Every other write passes through unchanged. With VT_FAULT_RCVBUF=BYTES in
 * vhidd's environment, its netlink (uevent) socket gets that receive buffer
 * instead of the 1 MiB it asks for, so that a test overflows it in a
 * fraction of the uevents.
 */
#include <dlfcn.h>
#include <errno.h>
#include <linux/uhid.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FD 4096

struct fault {
	int error; /* 0: none */
	int after, times, seen, failed;
};

static struct fault faults[MAX_FD];

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_send)(int, const void *, size_t, int);
static volatile bool stop_pending;

static bool
is_uhid(int fd)
{
	static dev_t uhid;
	struct stat st;

	if (!uhid && stat("/dev/uhid", &st) == 0)
		uhid = st.st_rdev;
	return fd >= 0 && fd < MAX_FD && fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
	       st.st_rdev == uhid;
}

static int
errno_named(const char *name)
{
	static const struct {
		const char *name;
		int value;
	} names[] = {{"EIO", EIO}, {"ENOMEM", ENOMEM}, {"ENODEV", ENODEV}, {"EINVAL", EINVAL}};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i].name))
			return names[i].value;
	return 0;
}

/* A new device on fd: read its instructions from its name. */
static bool
on_create(int fd, const struct uhid_create2_req *req)
{
	char name[sizeof(req->name) + 1] = "", err[16] = "";
	struct fault f = {0};

	memcpy(name, req->name, sizeof(req->name));
	if (sscanf(name, "vt-fault %15s %d %d", err, &f.after, &f.times) == 3)
		f.error = errno_named(err);
	faults[fd] = f;
	return strstr(name, "[stop]") != NULL;
}

/* exported: the project builds with -fvisibility=hidden */
__attribute__((visibility("default"))) ssize_t
write(int fd, const void *buf, size_t len)
{
	const struct uhid_event *ev = buf;

	if (!real_write)
		real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (len >= sizeof(ev->type) && is_uhid(fd)) {
		if (ev->type == UHID_CREATE2 &&
		    len >= offsetof(struct uhid_event, u.create2.rd_data))
			stop_pending |= on_create(fd, &ev->u.create2);
		struct fault *f = &faults[fd];
		if (ev->type == UHID_INPUT2 && f->error && f->seen++ >= f->after &&
		    (!f->times || f->failed < f->times)) {
			f->failed++;
			errno = f->error;
			return -1;
		}
		if (ev->type == UHID_INPUT2 && getenv("VT_FAULT_STOP_INPUT")) {
			static bool stopped;
			ssize_t n = real_write(fd, buf, len);
			if (!stopped) {
				stopped = true;
				raise(SIGSTOP); /* the test kills vhidd */
			}
			return n;
		}
	}
	return real_write(fd, buf, len);
}

__attribute__((visibility("default"))) ssize_t
send(int fd, const void *buf, size_t len, int flags)
{
	ssize_t n;

	if (!real_send)
		real_send = (ssize_t(*)(int, const void *, size_t, int))dlsym(RTLD_NEXT, "send");
	n = real_send(fd, buf, len, flags);
	if (stop_pending) {
		stop_pending = false;
		raise(SIGSTOP); /* the test continues vhidd once its uevents overflowed */
	}
	return n;
}

__attribute__((visibility("default"))) int
setsockopt(int fd, int level, int name, const void *value, socklen_t len)
{
	static int (*real)(int, int, int, const void *, socklen_t);
	const char *bytes = getenv("VT_FAULT_RCVBUF");
	int domain = 0, size;
	socklen_t dlen = sizeof(domain);

	if (!real)
		real = (int (*)(int, int, int, const void *, socklen_t))dlsym(RTLD_NEXT,
									      "setsockopt");
	if (bytes && level == SOL_SOCKET && (name == SO_RCVBUF || name == SO_RCVBUFFORCE) &&
	    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) == 0 && domain == AF_NETLINK) {
		size = atoi(bytes);
		return real(fd, level, name, &size, sizeof(size));
	}
	return real(fd, level, name, value, len);
}
