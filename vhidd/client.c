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
#include "le.h"
#include "log.h"
#include "logring.h"

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

/*
 * The supplementary groups as they were at connect(); SO_PEERCRED has only the
 * primary one. A member of more groups than the first guess holds gets ERANGE
 * and the size needed: ask again with that (a group past the 64th once lost
 * its member the connection). Without SO_PEERGROUPS (Linux < 4.13) only the
 * primary group counts: fewer groups can only allow less.
 */
static void
read_groups(struct client *c, int fd, gid_t primary)
{
	gid_t first[64], *g = first;
	socklen_t glen = sizeof(first);
	size_t n = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &glen) < 0) {
		glen = errno == ERANGE ? glen : 0;
		if (glen && (g = malloc(glen)) &&
		    getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &glen) < 0)
			glen = 0;
		if (glen == 0)
			log_debug("%s: SO_PEERGROUPS: %s; only the primary group counts", c->label,
				  strerror(errno));
	}
	n = g ? glen / sizeof(gid_t) : 0;
	c->groups = malloc((n + 1) * sizeof(*c->groups));
	if (c->groups) {
		c->groups[c->n_groups++] = primary;
		for (size_t i = 0; i < n; i++)
			c->groups[c->n_groups++] = g[i];
	}
	if (g != first)
		free(g);
}

/* 0, or -errno when the peer's credentials are unknown: such a caller is refused. */
static int
read_credentials(struct client *c, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char path[64];
	ssize_t n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof(cred))
		return errno ? -errno : -EINVAL;
	c->pid = cred.pid;
	c->uid = cred.uid;
	c->gid = cred.gid;
	read_groups(c, fd, cred.gid);
	if (!c->groups)
		return -ENOMEM;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)c->pid);
	n = readlink(path, c->exe, sizeof(c->exe) - 1);
	c->exe[n > 0 ? n : 0] = '\0';
	/* exe needs ptrace access, which an unprivileged vhidd has to its own processes
	 * only; anyone may read argv[0] and comm, what the client calls itself */
	if (n <= 0 && !read_proc(c->pid, "cmdline", c->exe, sizeof(c->exe)) &&
	    !read_proc(c->pid, "comm", c->exe, sizeof(c->exe)))
		snprintf(c->exe, sizeof(c->exe), "?");
	return 0;
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
	/* a half-closed client is only written to: its EOF would wake the loop forever */
	struct epoll_event ev = {.events = (c->draining ? 0 : EPOLLIN) |
					   (c->want_write ? EPOLLOUT : 0),
				 .data.ptr = c};

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

static int
connections_of(const struct daemon *d, unsigned int uid)
{
	int n = 0;

	for (const struct client *o = d->clients; o; o = o->next)
		n += o->uid == uid;
	return n;
}

/* Who may stay: known credentials, the policy, and the per-user connection limit. */
static bool
admit(struct client *c, int cred_error)
{
	struct daemon *d = c->daemon;
	unsigned int max = d->policy.max_connections;
	char why[300];

	if (cred_error < 0) {
		/* unknown credentials are nobody's, least of all root's */
		log_warn("%s: refused: cannot read its credentials: %s", c->label,
			 strerror(-cred_error));
		client_send_error(c, 0, 0, -VHID_EDENIED,
				  "vhidd cannot read this connection's credentials (%s)",
				  strerror(-cred_error));
		client_flush(c);
		client_destroy(c, "credentials unknown");
		return false;
	}
	logring_note_client(c->id, c->uid);
	log_info("%s: connect pid %d uid %u gid %u exe %s", c->label, (int)c->pid, c->uid, c->gid,
		 c->exe);
	if (!policy_allows(&d->policy, c->uid, c->groups, c->n_groups, why, sizeof(why))) {
		log_warn("%s: denied: %s", c->label, why);
		client_send_error(c, 0, 0, -VHID_EDENIED, "%s", why);
		client_flush(c);
		client_destroy(c, "not authorized");
		return false;
	}
	/* root is exempt: it can stop vhidd or open /dev/uhid anyway (DESIGN.md §16) */
	if (c->uid != 0 && max && connections_of(d, c->uid) > (int)max) {
		log_warn(
			"%s: refused: uid %u already has %u connections (max-connections-per-user)",
			c->label, c->uid, max);
		client_send_error(c, 0, 0, -VHID_ELIMIT,
				  "too many connections: uid %u already has %u, the most vhidd "
				  "allows one user (max-connections-per-user in %s)",
				  c->uid, max, d->opt.config_path);
		client_flush(c);
		client_destroy(c, "too many connections");
		return false;
	}
	return true;
}

struct client *
client_new(struct daemon *d, int fd)
{
	struct client *c = calloc(1, sizeof(*c));
	struct epoll_event ev = {.events = EPOLLIN};
	int cred;

	if (!c) {
		log_error("out of memory accepting a connection");
		close(fd);
		return NULL;
	}
	c->daemon = d;
	c->id = next_client_id(d);
	c->next_serial = 1;
	c->connect_ms = c->last_rx_ms = now_ms();
	c->uid = (unsigned int)-1; /* until SO_PEERCRED says otherwise: nobody */
	connection_init(&c->conn, fd, CLIENT_OUT_LIMIT);
	cred = read_credentials(c, fd);
	update_label(c);
	ev.data.ptr = c;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		log_error("%s: epoll: %s", c->label, strerror(errno));
		connection_close(&c->conn);
		free(c->groups);
		free(c);
		return NULL;
	}
	c->next = d->clients;
	d->clients = c;
	d->n_clients++;
	return admit(c, cred) ? c : NULL;
}

void
client_reset_devices(struct client *c)
{
	for (int i = 0; i < MAX_DEVICES_PER_CLIENT; i++)
		if (c->devices[i].dev && vdev_is_ready(c->devices[i].dev))
			vdev_reset(c->devices[i].dev);
}

static int
destroy_devices(struct client *c)
{
	int n = 0;

	for (int i = 0; i < MAX_DEVICES_PER_CLIENT; i++) {
		if (!c->devices[i].dev)
			continue;
		vdev_destroy(c->devices[i].dev); /* releases every key first */
		c->devices[i].dev = NULL;
		n++;
	}
	return n;
}

void
client_destroy(struct client *c, const char *why)
{
	struct daemon *d = c->daemon;
	struct client **pp = &d->clients;
	int n;

	if (c->dead)
		return;
	c->dead = true;
	n = c->n_destroyed + destroy_devices(c);
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
		free(c->groups);
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
	/* a message newer than the client's protocol minor would only confuse it */
	if (proto_type_minor(type) > c->minor)
		return 0;
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
	char text[VHID_MAX_ERROR_TEXT + 1];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = proto_error_text(text, fmt, ap);
	va_end(ap);
	e.message_length = (uint16_t)n;
	return client_send(c, VHID_MSG_ERROR, id, &e, text, n);
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
	/* a large reply has been read: the usual bound holds again */
	if (c->conn.out_len <= CLIENT_OUT_LIMIT)
		c->conn.out_limit = CLIENT_OUT_LIMIT;
	if (r == 0 && c->draining) {
		client_destroy(c, "closed after its last replies");
		return;
	}
	if ((r == 1) != c->want_write) {
		c->want_write = r == 1;
		set_events(c);
	}
}

bool
client_reserve_output(struct client *c, size_t bytes)
{
	if (c->conn.out_len > CLIENT_OUT_LIMIT) {
		log_warn("%s: asks for more while %zu bytes wait unread; dropping it", c->label,
			 c->conn.out_len);
		client_destroy(c, "output queue full");
		return false;
	}
	/* one reply may exceed the bound; pushes still get the usual room beyond it */
	if (c->conn.out_len + bytes + CLIENT_OUT_LIMIT > c->conn.out_limit)
		c->conn.out_limit = c->conn.out_len + bytes + CLIENT_OUT_LIMIT;
	return true;
}

/*
 * EOF: the client sends nothing more (shutdown(SHUT_WR), or it closed). Its keys
 * are released now, as for any close; replies to what it sent before still go
 * out before the connection closes.
 */
static void
client_read_closed(struct client *c, bool mid_frame)
{
	/* a frame cut off by EOF is a violation too, but nobody is left to tell */
	if (mid_frame || !connection_has_output(&c->conn)) {
		client_destroy(c, mid_frame ? "closed mid-frame" : "closed");
		return;
	}
	c->n_destroyed = destroy_devices(c);
	c->draining = true;
	c->last_rx_ms = now_ms();
	set_events(c);
	client_flush(c);
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
	for (int reads = 0; reads < 16 && !c->draining; reads++) {
		r = connection_read(&c->conn);
		if (r == -EAGAIN)
			break;
		if (r == 0) {
			client_read_closed(c, c->conn.in_len > c->conn.in_pos);
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
				 (unsigned)le16_get(c->conn.in + c->conn.in_pos + 2),
				 VHID_MAX_PAYLOAD);
			client_violation(c, 0, 0, msg);
			return;
		}
	}
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

/* The lease ran out: release everything, tell the client, keep its devices. */
static void
lease_expired(struct client *c, uint64_t now, uint64_t lease)
{
	struct vhid_msg_lease_expired m = {.lease_ms = (uint32_t)lease};

	c->lease_expired = true;
	log_warn("%s: silent for %llu ms (lease %llu ms); released its keys and buttons", c->label,
		 (unsigned long long)(now - c->last_rx_ms), (unsigned long long)lease);
	client_reset_devices(c);
	client_send(c, VHID_MSG_LEASE_EXPIRED, 0, &m, NULL, 0);
	/* a silent client sends nothing that would carry the push out later */
	client_flush(c);
}

/*
 * The client's next deadline and what happens then: the lease while it has
 * devices; without any, the handshake timeout before HELLO and the idle
 * timeout after; the time to read its last replies once it half-closed.
 */
static uint64_t
deadline(const struct client *c, const char **what)
{
	const struct policy *p = &c->daemon->policy;

	if (c->draining) {
		*what = "did not read its last replies";
		return c->last_rx_ms + p->handshake_timeout_ms;
	}
	if (!c->hello) {
		*what = "handshake";
		return c->connect_ms + p->handshake_timeout_ms;
	}
	if (!has_devices(c)) {
		*what = p->idle_timeout_ms ? "idle" : NULL;
		return c->last_rx_ms + p->idle_timeout_ms;
	}
	*what = c->lease_expired ? NULL : "lease";
	return c->last_rx_ms + (c->lease_ms ? c->lease_ms : p->lease_ms);
}

static void
timed_out(struct client *c, const char *what, uint64_t now)
{
	const struct policy *p = &c->daemon->policy;

	if (strcmp(what, "lease") == 0) {
		lease_expired(c, now, c->lease_ms ? c->lease_ms : p->lease_ms);
		return;
	}
	if (strcmp(what, "handshake") == 0) {
		log_warn("%s: no HELLO within %u ms; closing it", c->label,
			 p->handshake_timeout_ms);
		client_send_error(c, 0, 0, -ETIMEDOUT,
				  "no HELLO within %u ms of connecting (handshake-timeout-ms)",
				  p->handshake_timeout_ms);
	} else if (strcmp(what, "idle") == 0) {
		log_info("%s: idle for %u ms without a device; closing it", c->label,
			 p->idle_timeout_ms);
		client_send_error(c, 0, 0, -ETIMEDOUT,
				  "idle for %u ms without a device (idle-timeout-ms); closed",
				  p->idle_timeout_ms);
	}
	client_flush(c);
	client_destroy(c, what);
}

/*
 * Before a deadline counts, read what the client already sent: under load (a
 * connect flood) its heartbeat may wait in the socket while the loop was busy,
 * and a client that was on time must never lose its keys for that.
 */
static bool
still_late(struct client *c, const char **what)
{
	char byte;
	uint64_t due;

	if (!c->draining && recv(c->conn.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) != -1)
		client_handle_input(c);
	if (c->dead)
		return false;
	due = deadline(c, what);
	return *what && now_ms() >= due;
}

int
clients_check_leases(struct daemon *d)
{
	int next = -1;

	for (struct client *c = d->clients, *after; c; c = after) {
		const char *what;
		uint64_t due = deadline(c, &what), now = now_ms();

		after = c->next; /* c may be destroyed below */
		if (!what)
			continue;
		if (now >= due && still_late(c, &what)) {
			timed_out(c, what, now_ms());
			if (c->dead)
				continue;
		}
		if (c->dead || !(due = deadline(c, &what), what))
			continue;
		now = now_ms();
		int left = due > now ? (int)(due - now) : 0;
		if (next < 0 || left < next)
			next = left;
	}
	return next;
}

bool
client_is_admin(const struct client *c)
{
	return policy_is_admin(&c->daemon->policy, c->uid, c->groups, c->n_groups);
}

void
client_set_name(struct client *c, const char *name)
{
	snprintf(c->name, sizeof(c->name), "%s", name);
	update_label(c);
}
