/*
 * fail-peercred.c - LD_PRELOAD shim for test-daemon-security: every
 * getsockopt(SO_PEERCRED) fails, so the test can prove that vhidd refuses a
 * caller whose credentials it cannot read (0.1.0 took it for root).
 */
#include <dlfcn.h>
#include <errno.h>
#include <sys/socket.h>

/* the project builds with -fvisibility=hidden: this one must be seen */
__attribute__((visibility("default"))) int
getsockopt(int fd, int level, int name, void *value, socklen_t *len)
{
	static int (*real)(int, int, int, void *, socklen_t *);

	if (level == SOL_SOCKET && name == SO_PEERCRED) {
		errno = ENOPROTOOPT;
		return -1;
	}
	if (!real)
		real = (int (*)(int, int, int, void *, socklen_t *))dlsym(RTLD_NEXT, "getsockopt");
	return real(fd, level, name, value, len);
}
