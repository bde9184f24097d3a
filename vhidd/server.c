/*
 * server.c - the listening socket: systemd's (socket activation), or our own
 * with its directory and permissions, stale sockets and the single-instance
 * lock; and accepting connections.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "log.h"
#if HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

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
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.pid == 1)
			log_error("systemd listens on %s (vhidd.socket): stop it first with "
				  "'systemctl stop vhidd.socket vhidd.service'",
				  path);
		else if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
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

/* The uid of the daemon's system user (packages and `meson install` create it), or -1. */
static uid_t
daemon_user_uid(void)
{
	struct passwd *pw = getpwnam(VHID_DEFAULT_USER);

	return pw ? pw->pw_uid : (uid_t)-1;
}

/*
 * The socket's directory, when vhidd makes its own socket: created 0750 if
 * missing. An existing one must be a real directory, never a symlink (the
 * socket, and its unlink at exit, would go wherever it points), owned by root,
 * by us or by vhid's daemon user, and writable by no one else unless sticky
 * (/tmp): anyone who can rename in it could put their own socket in front of
 * clients. The default directory is then set to 0750 root:group (when root).
 */
static int
prepare_dir(const char *path, unsigned int gid)
{
	char copy[sizeof(((struct sockaddr_un *)0)->sun_path)], def[sizeof(copy)];
	char *dir;
	struct stat st;

	snprintf(copy, sizeof(copy), "%s", path);
	snprintf(def, sizeof(def), "%s", VHID_DEFAULT_SOCKET);
	dir = dirname(copy);
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		log_warn("cannot create %s: %s", dir, strerror(errno));
	if (lstat(dir, &st) < 0) {
		log_error("cannot use %s: %s", dir, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_error("%s is %s: refusing to put the socket there", dir,
			  S_ISLNK(st.st_mode) ? "a symbolic link" : "not a directory");
		return -ENOTDIR;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid() && st.st_uid != daemon_user_uid()) {
		log_error("%s belongs to uid %u: its owner could replace the socket", dir,
			  (unsigned int)st.st_uid);
		return -EPERM;
	}
	if ((st.st_mode & 0022) && !(st.st_mode & S_ISVTX)) {
		log_error("%s is writable by others (mode %04o): they could replace the socket",
			  dir, (unsigned int)(st.st_mode & 07777));
		return -EPERM;
	}
	if (strcmp(dir, dirname(def)) != 0 || geteuid() != 0 || st.st_uid != 0)
		return 0;
	if (chown(dir, 0, (gid_t)gid) < 0 || chmod(dir, 0750) < 0)
		log_warn("cannot set owner root:%u and mode 0750 on %s: %s", gid, dir,
			 strerror(errno));
	return 0;
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

/*
 * The socket systemd passed (vhidd.socket), or -1. systemd owns it: vhidd
 * never chowns, chmods or unlinks it, so a reload or restart leaves every
 * client's access as it was.
 */
static int
inherited_socket(void)
{
#if HAVE_LIBSYSTEMD
	int n = sd_listen_fds(1);

	if (n < 0)
		log_warn("cannot read the sockets systemd passed: %s", strerror(-n));
	if (n > 1)
		log_warn("systemd passed %d sockets; using the first", n);
	if (n < 1)
		return -1;
	if (sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL, 0) <= 0) {
		log_error("systemd passed fd %d, which is not a listening AF_UNIX stream socket",
			  SD_LISTEN_FDS_START);
		return -1;
	}
	if (fcntl(SD_LISTEN_FDS_START, F_SETFL, O_NONBLOCK) < 0)
		log_warn("cannot make the socket non-blocking: %s", strerror(errno));
	return SD_LISTEN_FDS_START;
#else
	return -1;
#endif
}

/* The socket's group and directory, before anything else (the log file lives there). */
int
server_prepare(struct daemon *d)
{
	struct sockaddr_un addr;
	socklen_t len = sizeof(addr);

	d->lock_fd = -1;
	d->socket_gid = lookup_group(d->opt.socket_group);
	d->inherited_fd = inherited_socket();
	if (d->inherited_fd < 0)
		return prepare_dir(d->opt.socket_path, d->socket_gid);
	/* status and logs name the socket systemd made, whatever -s said */
	if (getsockname(d->inherited_fd, (struct sockaddr *)&addr, &len) == 0 && addr.sun_path[0]) {
		snprintf(d->socket_path, sizeof(d->socket_path), "%s", addr.sun_path);
		d->opt.socket_path = d->socket_path;
	}
	return 0;
}

/*
 * One daemon per socket path: an flock on PATH.lock, held while serving. Two
 * daemons started together can then never both find "no live socket" and bind,
 * and a stopping daemon unlinks its socket while it still holds the lock. The
 * lock file holds the pid, to name the daemon that has it.
 */
static int
take_lock(struct daemon *d)
{
	char pid[16] = "";
	struct stat a, b;
	int fd;

	snprintf(d->lock_path, sizeof(d->lock_path), "%s.lock", d->opt.socket_path);
	for (int tries = 0; tries < 8; tries++) {
		fd = open(d->lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			log_error("cannot open %s: %s", d->lock_path, strerror(errno));
			return -errno;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (read(fd, pid, sizeof(pid) - 1) < 0)
				pid[0] = '\0';
			close(fd);
			log_error("another vhidd (pid %.*s) is serving %s (it holds %s)",
				  (int)strcspn(pid, "\n"), pid[0] ? pid : "?", d->opt.socket_path,
				  d->lock_path);
			return -EADDRINUSE;
		}
		/* the previous holder unlinks the file when it stops: lock the current one */
		if (fstat(fd, &a) == 0 && stat(d->lock_path, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino)
			break;
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		return -EAGAIN;
	if (a.st_uid != geteuid()) {
		log_error("%s belongs to uid %u, not to us", d->lock_path, (unsigned int)a.st_uid);
		close(fd);
		return -EPERM;
	}
	if (ftruncate(fd, 0) < 0 || dprintf(fd, "%d\n", (int)getpid()) < 0)
		log_debug("cannot write the pid to %s: %s", d->lock_path, strerror(errno));
	d->lock_fd = fd;
	return 0;
}

int
server_listen(struct daemon *d)
{
	const char *path = d->opt.socket_path;
	struct sockaddr_un addr;
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &d->listen_fd};
	struct stat st;
	int fd, r;

	if (d->inherited_fd >= 0) {
		d->listen_fd = d->inherited_fd;
		if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->listen_fd, &ev) < 0)
			return -errno;
		log_info("listening on %s (socket from systemd)", path);
		return 0;
	}
	if ((r = fill_addr(&addr, path)) < 0) {
		log_error("socket path %s is too long (at most %zu bytes)", path,
			  sizeof(addr.sun_path) - 1);
		return r;
	}
	if ((r = take_lock(d)) < 0 || (r = check_existing(path)) < 0)
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
	if (lstat(path, &st) == 0) {
		d->socket_dev = st.st_dev;
		d->socket_ino = st.st_ino;
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
	struct stat st;

	if (d->listen_fd < 0)
		return;
	close(d->listen_fd);
	d->listen_fd = -1;
	if (d->inherited_fd >= 0)
		return; /* systemd's socket stays: clients wait in its backlog */
	/* only the socket this daemon bound, and only while it holds the lock */
	if (lstat(d->opt.socket_path, &st) == 0 && st.st_dev == d->socket_dev &&
	    st.st_ino == d->socket_ino) {
		unlink(d->opt.socket_path);
		log_info("removed %s", d->opt.socket_path);
	}
	unlink(d->lock_path);
	close(d->lock_fd);
	d->lock_fd = -1;
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
