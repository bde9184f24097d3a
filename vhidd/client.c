/*
 * client.c - one connection: credentials and authorization at accept, frame
 * assembly, bounded output, leases, and teardown that releases every key.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

/* /proc/PID/<name> into buf, cut at the first NUL or newline; false if empty. */
static bool
read_proc(pid_t pid, const char *name, char *buf, size_t len)
{
	char path[64];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, buf, len - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf[0] != '\0';
}

static void
read_credentials(struct client *c, int fd)
{
	struct ucred cred = {0};
	socklen_t len = sizeof(cred);
	gid_t groups[MAX_GROUPS];
	socklen_t glen = sizeof(groups);
	char path[64];
	ssize_t n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		log_warn("SO_PEERCRED failed: %s", strerror(errno));
	c->pid = cred.pid;
	c->uid = cred.uid;
	c->gid = cred.gid;
	/* the supplementary groups as they were at connect(); SO_PEERCRED has only the primary */
	c->groups[c->n_groups++] = cred.gid;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == 0) {
		for (size_t i = 0; i < glen / sizeof(gid_t) && c->n_groups < MAX_GROUPS; i++)
			c->groups[c->n_groups++] = groups[i];
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)c->pid);
	n = readlink(path, c->exe, sizeof(c->exe) - 1);
	c->exe[n > 0 ? n : 0] = '\0';
	/* exe needs ptrace access, which an unprivileged vhidd has to its own processes
	 * only; anyone may read argv[0] and comm, what the client calls itself */
	if (n <= 0 && !read_proc(c->pid, "cmdline", c->exe, sizeof(c->exe)) &&
	    !read_proc(c->pid, "comm", c->exe, sizeof(c->exe)))
		snprintf(c->exe, sizeof(c->exe), "?");
}

static void
update_label(struct client *c)
{
	snprintf(c->label, sizeof(c->label), "client %u (%s%spid %d, uid %u)", c->id, c->name,
		 c->name[0] ? ", " : "", (int)c->pid, c->uid);
}

static void
set_events(struct client *c)
{
	struct epoll_event ev = {.events = EPOLLIN | (c->want_write ? EPOLLOUT : 0), .data.ptr = c};

	epoll_ctl(c->daemon->epfd, EPOLL_CTL_MOD, c->conn.fd, &ev);
}

/* Device ids are (client id << 8) | serial in 32 bits: client ids stay below
 * 2^24, wrapping around and skipping the ones still connected. */
static uint32_t
next_client_id(struct daemon *d)
{
	for (;;) {
		bool used = false;

		d->next_client_id = d->next_client_id >= 0xffffff ? 1 : d->next_client_id + 1;
		for (struct client *o = d->clients; o && !used; o = o->next)
			used = o->id == d->next_client_id;
		if (!used)
			return d->next_client_id;
	}
}

struct client *
client_new(struct daemon *d, int fd)
{
	struct client *c = calloc(1, sizeof(*c));
	struct epoll_event ev = {.events = EPOLLIN};
	char why[300];

	if (!c) {
		log_error("out of memory accepting a connection");
		close(fd);
		return NULL;
	}
	c->daemon = d;
	c->id = next_client_id(d);
	c->next_serial = 1;
	c->last_rx_ms = now_ms();
	connection_init(&c->conn, fd, CLIENT_OUT_LIMIT);
	read_credentials(c, fd);
	update_label(c);
	ev.data.ptr = c;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		log_error("%s: epoll: %s", c->label, strerror(errno));
		connection_close(&c->conn);
		free(c);
		return NULL;
	}
	c->next = d->clients;
	d->clients = c;
	d->n_clients++;
	log_info("%s: connect pid %d uid %u gid %u exe %s", c->label, (int)c->pid, c->uid, c->gid,
		 c->exe);
	if (!policy_allows(&d->policy, c->uid, c->groups, c->n_groups, why, sizeof(why))) {
		log_warn("%s: denied: %s", c->label, why);
		client_send_error(c, 0, 0, -VHID_EDENIED, "%s", why);
		client_flush(c);
		client_destroy(c, "not authorized");
		return NULL;
	}
	return c;
}

void
client_reset_devices(struct client *c)
{
	for (int i = 0; i < MAX_DEVICES_PER_CLIENT; i++)
		if (c->devices[i].dev && vdev_is_ready(c->devices[i].dev))
			vdev_reset(c->devices[i].dev);
}

void
client_destroy(struct client *c, const char *why)
{
	struct daemon *d = c->daemon;
	struct client **pp = &d->clients;
	int n = 0;

	if (c->dead)
		return;
	c->dead = true;
	for (int i = 0; i < MAX_DEVICES_PER_CLIENT; i++) {
		if (!c->devices[i].dev)
			continue;
		vdev_destroy(c->devices[i].dev); /* releases every key first */
		c->devices[i].dev = NULL;
		n++;
	}
	log_info("%s: disconnect (%s); %d device%s destroyed", c->label, why, n, n == 1 ? "" : "s");
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->conn.fd, NULL);
	connection_close(&c->conn);
	while (*pp && *pp != c)
		pp = &(*pp)->next;
	if (*pp)
		*pp = c->next;
	d->n_clients--;
	server_pause(d, false); /* an fd is free again */
	/* callers up the stack may still hold c: free it after this loop iteration */
	c->next = d->graveyard;
	d->graveyard = c;
}

void
clients_free_graveyard(struct daemon *d)
{
	while (d->graveyard) {
		struct client *c = d->graveyard;
		d->graveyard = c->next;
		free(c);
	}
}

int
client_send(struct client *c, uint16_t type, uint32_t id, const void *msg, const void *extra,
	    size_t extra_len)
{
	int r;

	if (c->dead)
		return -ENOTCONN;
	r = connection_queue(&c->conn, type, id, msg, extra, extra_len);
	if (r == -ENOBUFS) {
		log_warn("%s: does not read its socket (%zu bytes queued); dropping it", c->label,
			 c->conn.out_len);
		client_destroy(c, "output queue full");
	}
	return r;
}

int
client_send_error(struct client *c, uint32_t id, uint16_t request, int status, const char *fmt, ...)
{
	struct vhid_msg_error e = {.status = status, .request_type = request};
	char text[VHID_MAX_ERROR_MESSAGE + 1];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(text))
		n = sizeof(text) - 1;
	e.message_length = (uint16_t)n;
	return client_send(c, VHID_MSG_ERROR, id, &e, text, (size_t)n);
}

void
client_flush(struct client *c)
{
	int r;

	if (c->dead || !connection_has_output(&c->conn))
		return;
	r = connection_flush(&c->conn);
	if (r < 0) {
		client_destroy(c, strerror(-r));
		return;
	}
	if ((r == 1) != c->want_write) {
		c->want_write = r == 1;
		set_events(c);
	}
}

void
client_violation(struct client *c, uint32_t id, uint16_t type, const char *what)
{
	log_warn("%s: protocol violation: %s", c->label, what);
	client_send_error(c, id, type, -VHID_EPROTO, "protocol violation: %s", what);
	client_flush(c);
	client_destroy(c, "protocol violation");
}

void
client_handle_input(struct client *c)
{
	struct vhid_frame f;
	char msg[160];
	int r;

	/* a bounded number of reads per wakeup, so one busy client cannot starve the others */
	for (int reads = 0; reads < 16; reads++) {
		r = connection_read(&c->conn);
		if (r == -EAGAIN)
			break;
		if (r == 0) {
			/* a frame cut off by EOF is a violation too, but nobody is left to tell */
			client_destroy(c, c->conn.in_len > c->conn.in_pos ? "closed mid-frame"
									  : "closed");
			return;
		}
		if (r < 0) {
			/* a client that exits with unread replies resets the socket: still just a
			 * close */
			client_destroy(c, r == -ECONNRESET ? "closed" : strerror(-r));
			return;
		}
		c->last_rx_ms = now_ms();
		c->lease_expired = false;
		while ((r = connection_next(&c->conn, &f)) == 1) {
			request_dispatch(c, &f);
			if (c->dead)
				return;
		}
		if (c->dead)
			return;
		if (r < 0) {
			snprintf(msg, sizeof(msg),
				 "frame announces %u payload bytes, more than the %d allowed",
				 (unsigned)(c->conn.in[c->conn.in_pos + 2] |
					    c->conn.in[c->conn.in_pos + 3] << 8),
				 VHID_MAX_PAYLOAD);
			client_violation(c, 0, 0, msg);
			return;
		}
	}
	client_flush(c);
}

void
client_handle_output(struct client *c)
{
	client_flush(c);
}

static bool
has_devices(const struct client *c)
{
	for (int i = 0; i < MAX_DEVICES_PER_CLIENT; i++)
		if (c->devices[i].dev)
			return true;
	return false;
}

int
clients_check_leases(struct daemon *d)
{
	uint64_t now = now_ms();
	int next = -1;

	for (struct client *c = d->clients; c; c = c->next) {
		uint64_t lease = c->lease_ms ? c->lease_ms : d->policy.lease_ms;

		if (c->lease_expired || !has_devices(c))
			continue;
		if (now - c->last_rx_ms >= lease) {
			struct vhid_msg_lease_expired m = {.lease_ms = (uint32_t)lease};
			c->lease_expired = true;
			log_warn(
				"%s: silent for %llu ms (lease %llu ms); released its keys and buttons",
				c->label, (unsigned long long)(now - c->last_rx_ms),
				(unsigned long long)lease);
			client_reset_devices(c);
			client_send(c, VHID_MSG_LEASE_EXPIRED, 0, &m, NULL, 0);
			continue;
		}
		int left = (int)(c->last_rx_ms + lease - now);
		if (next < 0 || left < next)
			next = left;
	}
	return next;
}

void
client_set_name(struct client *c, const char *name)
{
	snprintf(c->name, sizeof(c->name), "%s", name);
	update_label(c);
}
