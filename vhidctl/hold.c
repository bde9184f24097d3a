/*
 * hold.c - waiting while something is held, and the pid files that let
 * `vhidctl key --up` end a `vhidctl key --down` started earlier. Keys never
 * outlive the vhidctl that pressed them: vhidd releases them when it exits.
 */
#include "hold.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

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
hold_wait(struct vhid_client *c, int sigfd, long long ms)
{
	uint64_t end = ms >= 0 ? now_ms() + (uint64_t)ms : 0;

	for (;;) {
		struct pollfd p[2] = {{.fd = vhid_client_get_fd(c), .events = POLLIN},
				      {.fd = sigfd, .events = POLLIN}};
		int timeout = -1;

		if (ms >= 0) {
			uint64_t now = now_ms();
			if (now >= end)
				return 0;
			timeout = (int)(end - now);
		}
		if (poll(p, sigfd >= 0 ? 2 : 1, timeout) < 0 && errno != EINTR)
			return -errno;
		if (p[0].revents && vhid_client_dispatch(c) == -ENOTCONN)
			return -ENOTCONN;
		if (sigfd >= 0 && p[1].revents)
			return 1;
	}
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

int
hold_register(char *path, size_t len)
{
	char dir[256];
	struct stat st;
	int fd;

	holder_dir(dir, sizeof(dir));
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	/* a shared /tmp: only trust a directory that is ours and private */
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & 077))
		return -EPERM;
	snprintf(path, len, "%s/held-%d", dir, (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int
hold_release_others(void)
{
	char dir[256], path[512];
	struct dirent *de;
	DIR *d;
	int n = 0;

	holder_dir(dir, sizeof(dir));
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		long pid;
		if (sscanf(de->d_name, "held-%ld", &pid) != 1 || pid <= 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (kill((pid_t)pid, SIGTERM) == 0)
			n++;
		else
			unlink(path); /* the holder is gone: a leftover */
	}
	if (d)
		closedir(d);
	return n;
}
