/*
 * hold.c - waiting while something is held, and how `vhidctl key --up` ends a
 * `vhidctl key --down` started earlier: each holder listens on a socket of its
 * own in a private directory, and --up asks it to let go. Nothing is ever
 * signalled: 0.1.0 sent SIGTERM to whatever pid a file named, and any user
 * could plant that file for root (DESIGN.md "vhidctl"). Keys never outlive
 * the vhidctl that pressed them: vhidd releases them when it exits.
 */
#include "hold.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"

int
hold_signals(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	return signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

int
hold_wait_holder(struct vhid_client *c, int sigfd, int hold_fd, long long ms, struct resume *r)
{
	int e;

	uint64_t end = ms >= 0 ? monotonic_ms() + (uint64_t)ms : 0;

	for (;;) {
		struct pollfd p[3] = {{.fd = vhid_client_get_fd(c), .events = POLLIN},
				      {.fd = sigfd, .events = POLLIN},
				      {.fd = hold_fd, .events = POLLIN}};
		int timeout = -1;

		if (ms >= 0) {
			uint64_t now = monotonic_ms();
			if (now >= end)
				return 0;
			timeout = (int)(end - now);
		}
		if (poll(p, 3, timeout) < 0 && errno != EINTR)
			return -errno;
		if (p[0].revents && vhid_client_dispatch(c) == -ENOTCONN)
			return -ENOTCONN;
		if (p[0].revents && (e = resume_poll(r)) < 0)
			return e;
		if (sigfd >= 0 && p[1].revents)
			return 1;
		if (hold_fd >= 0 && p[2].revents && hold_accept(hold_fd))
			return 1;
	}
}

int
hold_wait(struct vhid_client *c, int sigfd, long long ms)
{
	return hold_wait_holder(c, sigfd, -1, ms, NULL);
}

static void
holder_dir(char *buf, size_t len)
{
	const char *run = getenv("XDG_RUNTIME_DIR");

	if (run && *run)
		snprintf(buf, len, "%s/vhidctl", run);
	else
		snprintf(buf, len, "/tmp/vhidctl-%u", (unsigned)getuid());
}

/* A shared /tmp: only trust a directory that is ours and private; fd or -EPERM. */
static int
open_private_dir(const char *dir)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_uid != getuid() || (st.st_mode & 077)) {
		close(fd);
		fprintf(stderr, "vhidctl: ignoring %s: not a private directory of uid %u\n", dir,
			(unsigned)getuid());
		return -EPERM;
	}
	return fd;
}

static int
holder_addr(struct sockaddr_un *a, const char *dir, const char *name)
{
	*a = (struct sockaddr_un){.sun_family = AF_UNIX};
	if ((size_t)snprintf(a->sun_path, sizeof(a->sun_path), "%s/%s", dir, name) >=
	    sizeof(a->sun_path))
		return -ENAMETOOLONG;
	return 0;
}

/* The peer is a process of this user (SO_PEERCRED), never anyone else's. */
static bool
peer_is_mine(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && len == sizeof(cred) &&
	       cred.uid == getuid();
}

bool
hold_accept(int hold_fd)
{
	int fd = accept4(hold_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return false;
	if (!peer_is_mine(fd)) {
		close(fd);
		return false;
	}
	/* stays open until this process exits: its EOF tells --up the keys are released */
	return true;
}

int
hold_register(char *path, size_t len)
{
	char dir[256], name[64];
	struct sockaddr_un a;
	int dfd, fd;

	holder_dir(dir, sizeof(dir));
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	if ((dfd = open_private_dir(dir)) < 0)
		return dfd;
	close(dfd);
	snprintf(name, sizeof(name), "held-%d.sock", (int)getpid());
	if (holder_addr(&a, dir, name) < 0)
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(a.sun_path); /* a leftover of an earlier process with this pid */
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 4) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	snprintf(path, len, "%s", a.sun_path);
	return fd;
}

/* Ask one holder to let go; the connected fd (to wait on), or -1. */
static int
ask_holder(int dfd, const char *dir, const char *name)
{
	struct timeval tv = {.tv_sec = 1};
	struct sockaddr_un a;
	struct stat st;
	int fd;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISSOCK(st.st_mode) ||
	    st.st_uid != getuid() || holder_addr(&a, dir, name) < 0)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (errno == ECONNREFUSED)
			unlinkat(dfd, name, 0); /* its holder is gone: a leftover */
		close(fd);
		return -1;
	}
	if (!peer_is_mine(fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Each holder closes its end when it exits, after releasing its keys. */
static void
wait_closed(const int *fds, int n, int timeout_ms)
{
	uint64_t end = monotonic_ms() + (uint64_t)timeout_ms;
	char byte;

	for (int i = 0; i < n; i++) {
		struct pollfd p = {.fd = fds[i], .events = POLLIN};
		uint64_t now = monotonic_ms();
		while (now < end && poll(&p, 1, (int)(end - now)) > 0 &&
		       recv(fds[i], &byte, 1, MSG_DONTWAIT) > 0)
			now = monotonic_ms();
		close(fds[i]);
	}
}

int
hold_release_others(void)
{
	char dir[256];
	struct dirent *de;
	int dfd, fds[64], n = 0;
	DIR *d;

	holder_dir(dir, sizeof(dir));
	if ((dfd = open_private_dir(dir)) < 0 || !(d = fdopendir(dfd))) {
		if (dfd >= 0)
			close(dfd);
		return 0;
	}
	while ((de = readdir(d)) && n < 64) {
		int pid, len = 0, fd;
		if (sscanf(de->d_name, "held-%d.sock%n", &pid, &len) != 1 ||
		    de->d_name[len] != '\0' || pid == (int)getpid())
			continue;
		if ((fd = ask_holder(dfd, dir, de->d_name)) >= 0)
			fds[n++] = fd;
	}
	closedir(d);
	wait_closed(fds, n, 5000);
	return n;
}
