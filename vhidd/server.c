/*
 * server.c - the listening socket: its directory and permissions, stale
 * sockets, the single-instance check, and accepting connections.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "log.h"

static int
fill_addr(struct sockaddr_un *addr, const char *path)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr->sun_path))
		return -ENAMETOOLONG;
	strcpy(addr->sun_path, path);
	return 0;
}

/*
 * Something exists at the socket path. A live daemon answers connect(): then
 * refuse to start, naming its pid (SO_PEERCRED of a connected socket is the
 * listener's). A socket nobody answers is stale: replace it. Anything that is
 * not a socket is left alone.
 */
static int
check_existing(const char *path)
{
	struct sockaddr_un addr;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		log_error("%s exists and is not a socket; remove it or choose another path with -s",
			  path);
		return -EEXIST;
	}
	fill_addr(&addr, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (struct sockaddr *)&addr, sizeof(addr));
	if (r == 0) {
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
			log_error("another vhidd (pid %d) is serving %s", (int)cred.pid, path);
		else
			log_error("another vhidd is serving %s", path);
		close(fd);
		return -EADDRINUSE;
	}
	close(fd);
	log_info("replacing stale socket %s (nothing answered: %s)", path, strerror(errno));
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/*
 * The socket's directory: root-owned, group-readable, 0750. Created if
 * missing; an existing one is fixed up only if it is the default /run/vhid
 * (systemd's RuntimeDirectory= creates it root:root), never a directory the
 * administrator chose with -s.
 */
static void
prepare_dir(const char *path, unsigned int gid)
{
	char copy[sizeof(((struct sockaddr_un *)0)->sun_path)], def[sizeof(copy)];
	char *dir;

	snprintf(copy, sizeof(copy), "%s", path);
	snprintf(def, sizeof(def), "%s", VHID_DEFAULT_SOCKET);
	dir = dirname(copy);
	if (mkdir(dir, 0750) < 0) {
		if (errno != EEXIST)
			log_warn("cannot create %s: %s", dir, strerror(errno));
		if (errno != EEXIST || strcmp(dir, dirname(def)) != 0)
			return;
	}
	if (chown(dir, 0, (gid_t)gid) < 0 || chmod(dir, 0750) < 0)
		log_warn("cannot set owner root:%u and mode 0750 on %s: %s", gid, dir,
			 strerror(errno));
}

static unsigned int
lookup_group(const char *name)
{
	struct group *g;

	if (!name || !*name)
		return 0;
	g = getgrnam(name);
	if (g)
		return (unsigned int)g->gr_gid;
	log_warn("group '%s' does not exist, so only root can reach the socket; create it with "
		 "'groupadd --system %s' (or install contrib/sysusers.d/vhid.conf)",
		 name, name);
	return 0;
}

/* The socket's group and directory, before anything else (the log file lives there). */
void
server_prepare(struct daemon *d)
{
	d->socket_gid = lookup_group(d->opt.socket_group);
	prepare_dir(d->opt.socket_path, d->socket_gid);
}

int
server_listen(struct daemon *d)
{
	const char *path = d->opt.socket_path;
	struct sockaddr_un addr;
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &d->listen_fd};
	int fd, r;

	if ((r = fill_addr(&addr, path)) < 0) {
		log_error("socket path %s is too long (at most %zu bytes)", path,
			  sizeof(addr.sun_path) - 1);
		return r;
	}
	if ((r = check_existing(path)) < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* create the socket with no access at all, then open it up: no window
	 * in which anyone else can connect */
	mode_t old = umask(0777);
	r = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (r < 0) {
		r = -errno;
		log_error("cannot bind %s: %s", path, strerror(-r));
		close(fd);
		return r;
	}
	if (chown(path, 0, (gid_t)d->socket_gid) < 0 && geteuid() == 0)
		log_warn("cannot chown %s to root:%u: %s", path, d->socket_gid, strerror(errno));
	if (chmod(path, 0660) < 0)
		log_warn("cannot chmod %s: %s", path, strerror(errno));
	if (listen(fd, 128) < 0 || epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		r = -errno;
		close(fd);
		unlink(path);
		return r;
	}
	d->listen_fd = fd;
	log_info("listening on %s (mode 0660, group %s)", path,
		 d->socket_gid ? d->opt.socket_group : "root");
	return 0;
}

void
server_close(struct daemon *d)
{
	if (d->listen_fd < 0)
		return;
	close(d->listen_fd);
	d->listen_fd = -1;
	unlink(d->opt.socket_path);
	log_info("removed %s", d->opt.socket_path);
}

/* Stop (or resume) accepting: a listening socket that stays readable while
 * accept() fails with EMFILE would spin the loop. */
void
server_pause(struct daemon *d, bool paused)
{
	struct epoll_event ev = {.events = paused ? 0 : EPOLLIN, .data.ptr = &d->listen_fd};

	if (d->listen_fd < 0 || d->accept_paused == paused)
		return;
	d->accept_paused = paused;
	epoll_ctl(d->epfd, EPOLL_CTL_MOD, d->listen_fd, &ev);
	if (paused)
		log_error("out of file descriptors with %d clients: not accepting until one leaves",
			  d->n_clients);
	else
		log_info("accepting connections again");
}

/*
 * A bounded number per wakeup: the listening socket stays readable, so the
 * rest wait for the next turn of the loop, after every client had its turn. An
 * unbounded loop let one user's connect flood stall everyone for seconds.
 */
void
server_accept(struct daemon *d)
{
	for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
		int fd = accept4(d->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE)
				server_pause(d, true);
			else if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_error("accept failed: %s", strerror(errno));
			return;
		}
		client_new(d, fd);
	}
}
