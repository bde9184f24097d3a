/*
 * client.c - libvhid's connection to vhidd: handshake, requests and their
 * answers, pushes queued as events, heartbeats, reconnect. Callbacks run only
 * from vhid_client_dispatch(), never re-entrantly.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <poll.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "groups.h"
#include "private.h"

int
client_fail(struct vhid_client *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->last_error, sizeof(c->last_error), fmt, ap);
	va_end(ap);
	return err;
}

VHID_EXPORT unsigned int
vhid_library_version(void)
{
	return VHID_VERSION_NUMBER;
}

VHID_EXPORT unsigned int
vhid_protocol_version(void)
{
	return VHID_PROTOCOL_VERSION;
}

VHID_EXPORT unsigned int
vhid_protocol_minor(void)
{
	return VHID_PROTOCOL_MINOR;
}

static const char *const cap_names[] = {
	"apple-translation", "absolute",   "lease", "status-all", "log",
	"status-user",       "lease-push", "keep",
};

VHID_EXPORT const char *
vhid_capability_name(unsigned int cap)
{
	for (unsigned int i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (cap == 1u << i)
			return cap_names[i];
	return NULL;
}

/* "vhidd 0.1.0 speaks protocol 1.0 and lacks 'log' (GET_LOG), which vhid_client_get_log
 * needs; this libvhid speaks 1.1" */
int
client_need_cap(struct vhid_client *c, unsigned int cap, const char *request, const char *function)
{
	unsigned int v = c->hello.daemon_version;

	if (!c->connected)
		return client_fail(c, -ENOTCONN, "not connected to vhidd");
	if (c->hello.capabilities & cap)
		return 0;
	return client_fail(c, -VHID_ENOCAP,
			   "vhidd %u.%u.%u speaks protocol %u.%u and lacks '%s' (%s), which %s "
			   "needs; this libvhid speaks %u.%u",
			   v / 10000, v / 100 % 100, v % 100, c->hello.version, c->hello.minor,
			   vhid_capability_name(cap), request, function, VHID_PROTOCOL_VERSION,
			   VHID_PROTOCOL_MINOR);
}

/* ---- events ---------------------------------------------------------------- */

static void
queue_event(struct vhid_client *c, enum event_type type, uint32_t device, int value,
	    const char *msg)
{
	struct event *e;

	if (c->n_events == c->cap_events) {
		size_t cap = c->cap_events ? c->cap_events * 2 : 16;
		struct event *p = realloc(c->events, cap * sizeof(*p));
		if (!p)
			return; /* out of memory: the event is lost, the state is still updated */
		c->events = p;
		c->cap_events = cap;
	}
	e = &c->events[c->n_events++];
	e->type = type;
	e->device = device;
	e->value = value;
	e->job = 0;
	snprintf(e->message, sizeof(e->message), "%s", msg ? msg : "");
}

void
client_queue_typed(struct vhid_client *c, const struct vhid_device *d, unsigned int job, int error,
		   const char *message)
{
	size_t n = c->n_events;

	queue_event(c, EV_TYPED, d->serial, error, message);
	if (c->n_events > n)
		c->events[n].job = job;
}

struct vhid_device *
client_find_device(struct vhid_client *c, uint32_t id)
{
	for (struct vhid_device *d = c->devices; d; d = d->next)
		if (d->id == id && id)
			return d;
	return NULL;
}

static struct vhid_device *
find_serial(struct vhid_client *c, uint32_t serial)
{
	for (struct vhid_device *d = c->devices; d; d = d->next)
		if (d->serial == serial)
			return d;
	return NULL;
}

static void
deliver(struct vhid_client *c, const struct event *e)
{
	const struct vhid_client_listener *l = &c->listener;
	struct vhid_device *d =
		e->type == EV_TYPED ? find_serial(c, e->device) : client_find_device(c, e->device);

	switch (e->type) {
	case EV_READY:
		if (d && l->ready)
			l->ready(c, d, c->data);
		break;
	case EV_LEDS:
		if (d && l->leds)
			l->leds(c, d, (unsigned int)e->value, c->data);
		break;
	case EV_OPEN:
		if (d && l->readers)
			l->readers(c, d, (unsigned int)e->value, c->data);
		break;
	case EV_LEASE:
		if (l->lease_expired)
			l->lease_expired(c, c->data);
		break;
	case EV_GONE:
		if (d && l->device_gone)
			l->device_gone(c, d, e->value, c->data);
		break;
	case EV_ERROR:
		if (l->error)
			l->error(c, d, e->value, e->message, c->data);
		break;
	case EV_DISCONNECTED:
		if (l->disconnected)
			l->disconnected(c, e->value, c->data);
		break;
	case EV_RECONNECTED:
		if (l->reconnected)
			l->reconnected(c, c->data);
		break;
	case EV_TYPED:
		if (d && l->typed)
			l->typed(c, d, e->job, e->value, e->message, c->data);
		break;
	}
}

/* Deliver queued events in order; callbacks may queue more, which run too. */
static int
deliver_events(struct vhid_client *c)
{
	int n = 0;

	for (size_t i = 0; i < c->n_events; i++, n++) {
		struct event e = c->events[i]; /* copy: a callback may grow the array */
		deliver(c, &e);
	}
	c->n_events = 0;
	return n;
}

/* ---- connection loss ------------------------------------------------------- */

/* the lease to heartbeat for: none when the daemon enforces none */
static unsigned int
lease_ms(const struct vhid_client *c)
{
	return c->hello.capabilities & VHID_CAP_LEASE ? c->hello.lease_ms : 0;
}

static void
arm_timer(struct vhid_client *c)
{
	struct itimerspec its = {0};
	uint64_t at = 0, now = monotonic_ms(), typing = typing_due_ms(c);

	if (c->connected && lease_ms(c))
		at = c->last_tx_ms + lease_ms(c) / 3;
	else if (!c->connected && c->reconnect && c->ever_connected)
		at = c->reconnect_at_ms;
	if (typing && (!at || typing < at))
		at = typing;
	if (at) {
		uint64_t in = at > now ? at - now : 1;
		its.it_value.tv_sec = (time_t)(in / 1000);
		its.it_value.tv_nsec = (long)(in % 1000) * 1000000;
	}
	timerfd_settime(c->timer_fd, 0, &its, NULL);
}

void
client_arm_timer(struct vhid_client *c)
{
	arm_timer(c);
}

static void handle_frame(struct vhid_client *c, const struct vhid_frame *f, struct answer *a);

/* The daemon may have said why before closing: read what is left first. */
static void
drain(struct vhid_client *c)
{
	struct vhid_frame f;

	while (connection_read(&c->conn) > 0)
		while (connection_next(&c->conn, &f) == 1)
			handle_frame(c, &f, NULL);
}

static void
lost(struct vhid_client *c, int err)
{
	if (c->conn.fd < 0)
		return;
	drain(c);
	if (c->fatal)
		err = c->fatal;
	epoll_ctl(c->epfd, EPOLL_CTL_DEL, c->conn.fd, NULL);
	connection_close(&c->conn);
	c->connected = false;
	memset(&c->hello, 0, sizeof(c->hello));
	/* the daemon's own reason, when it gave one, stays; an older error must not */
	if (!c->fatal)
		client_fail(c, err, "vhidd closed the connection");
	/* while the devices still have their ids, which the typed callbacks look up */
	typing_fail_all(c, err, c->last_error);
	for (struct vhid_device *d = c->devices; d; d = d->next) {
		d->ready = false;
		d->id = 0;
		device_clear_state(d);
	}
	c->backoff_ms = 100;
	c->reconnect_at_ms = monotonic_ms() + c->backoff_ms;
	queue_event(c, EV_DISCONNECTED, 0, err, NULL);
	arm_timer(c);
}

/* ---- incoming frames ----------------------------------------------------- */

static void
copy_string(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src);
}

static void
status_part(struct answer *a, const struct vhid_frame *f)
{
	union {
		struct vhid_msg_status_daemon d;
		struct vhid_msg_status_client c;
		struct vhid_msg_status_device v;
	} m;
	const struct vhid_status_listener *l = &a->status_listener;

	if (proto_decode(f, &m, sizeof(m), NULL, 0) < 0)
		return;
	if (f->hdr.type == VHID_MSG_STATUS_DAEMON && l->daemon) {
		struct vhid_status_daemon d = {
			m.d.daemon_version,
			m.d.protocol,
			m.d.pid,
			m.d.uptime_s,
			m.d.clients,
			m.d.devices,
			m.d.lease_ms,
			!!(m.d.flags & VHID_DAEMON_HAS_UHID),
			!!(m.d.flags & VHID_DAEMON_HAS_UEVENTS),
			m.d.socket,
			m.d.config,
			m.d.socket_group,
			m.d.log_file,
			!!(m.d.flags & VHID_DAEMON_HAS_READERS),
		};
		l->daemon(&d, a->data);
	} else if (f->hdr.type == VHID_MSG_STATUS_CLIENT && l->client) {
		struct vhid_status_client s = {m.c.client_id, m.c.pid,     m.c.uid,  m.c.gid,
					       m.c.devices,   m.c.idle_ms, m.c.name, m.c.exe};
		l->client(&s, a->data);
	} else if (f->hdr.type == VHID_MSG_STATUS_DEVICE && l->device) {
		struct vhid_status_device s = {
			m.v.device,
			m.v.client_id,
			(enum vhid_device_kind)m.v.kind,
			!!(m.v.flags & VHID_DEVICE_READY),
			m.v.readers,
			m.v.leds,
			m.v.country,
			m.v.bus,
			m.v.vendor,
			m.v.product,
			m.v.version,
			m.v.name,
			m.v.evdev,
			m.v.hidraw,
			m.v.phys,
		};
		l->device(&s, a->data);
	}
}

/* LOG_LINE: the text is not NUL-terminated on the wire */
static void
log_part(struct answer *a, const struct vhid_frame *f)
{
	struct vhid_msg_log_line m;
	char text[VHID_MAX_LOG_TEXT + 1];
	size_t len = f->hdr.length - sizeof(m);

	if (!a->log_line || proto_decode(f, &m, sizeof(m), NULL, 0) < 0)
		return;
	memcpy(text, f->payload + sizeof(m), len);
	text[len] = '\0';
	struct vhid_log_line l = {
		.seq = m.seq,
		.time_us = (uint64_t)m.time_s * 1000000 + m.time_us,
		.priority = m.priority,
		.uid = m.uid,
		.text = text,
	};
	a->log_line(&l, a->data);
}

static uint32_t
sent_device(struct vhid_client *c, uint32_t id)
{
	for (unsigned int i = 0; i < sizeof(c->sent) / sizeof(c->sent[0]); i++)
		if (c->sent[i].id == id)
			return c->sent[i].device;
	return 0;
}

static void
handle_error(struct vhid_client *c, const struct vhid_frame *f, struct answer *a)
{
	struct vhid_msg_error e;
	char text[VHID_MAX_ERROR_MESSAGE + 1];

	if (proto_decode(f, &e, sizeof(e), NULL, 0) < 0)
		return;
	memcpy(text, f->payload + sizeof(e), e.message_length);
	text[e.message_length] = '\0';
	if (a && f->hdr.id == a->id && a->id) {
		a->done = true;
		a->status = e.status < 0 ? e.status : -EIO;
		client_fail(c, a->status, "%s", text);
	} else if (f->hdr.id) {
		/* a typing job's report: its typed callback says so, not the error callback */
		if (!typing_answer(c, f->hdr.id, e.status < 0 ? e.status : -EIO, text))
			queue_event(c, EV_ERROR, sent_device(c, f->hdr.id), e.status, text);
	} else {
		/* id 0: about the connection itself (denied, violation); the close follows */
		c->fatal = e.status < 0 ? e.status : -ECONNRESET;
		client_fail(c, e.status, "%s", text);
	}
}

static void
handle_push(struct vhid_client *c, const struct vhid_frame *f)
{
	union {
		struct vhid_msg_ready ready;
		struct vhid_msg_leds leds;
		struct vhid_msg_open open;
		struct vhid_msg_device_gone gone;
	} m;
	struct vhid_device *d;

	if (proto_decode(f, &m, sizeof(m), NULL, 0) < 0)
		return;
	switch (f->hdr.type) {
	case VHID_MSG_READY:
		if ((d = client_find_device(c, m.ready.device))) {
			d->ready = true;
			copy_string(d->evdev, sizeof(d->evdev), m.ready.evdev);
			copy_string(d->hidraw, sizeof(d->hidraw), m.ready.hidraw);
			queue_event(c, EV_READY, d->id, 0, NULL);
		}
		break;
	case VHID_MSG_LEDS:
		if ((d = client_find_device(c, m.leds.device))) {
			d->leds = m.leds.leds;
			queue_event(c, EV_LEDS, d->id, m.leds.leds, NULL);
		}
		break;
	case VHID_MSG_OPEN:
		if ((d = client_find_device(c, m.open.device))) {
			d->readers = m.open.readers;
			queue_event(c, EV_OPEN, d->id, m.open.readers, NULL);
		}
		break;
	case VHID_MSG_LEASE_EXPIRED:
		/* vhidd released everything: what we hold is gone too */
		for (d = c->devices; d; d = d->next)
			device_clear_state(d);
		queue_event(c, EV_LEASE, 0, 0, NULL);
		break;
	case VHID_MSG_DEVICE_GONE:
		if ((d = client_find_device(c, m.gone.device))) {
			d->ready = false;
			d->gone = m.gone.reason;
			queue_event(c, EV_GONE, d->id, m.gone.reason, NULL);
		}
		break;
	case VHID_MSG_SHUTDOWN:
		c->fatal = -ECONNRESET; /* the reason the close that follows keeps */
		client_fail(c, -ECONNRESET, "vhidd is shutting down");
		break;
	}
}

static void
handle_frame(struct vhid_client *c, const struct vhid_frame *f, struct answer *a)
{
	bool mine = a && a->id && f->hdr.id == a->id;

	switch (f->hdr.type) {
	case VHID_MSG_REPLY:
		if (mine) {
			struct vhid_msg_reply r;
			if (proto_decode(f, &r, sizeof(r), NULL, 0) == 0) {
				a->done = true;
				a->status = 0;
				a->value = r.value;
				if (a->created_id)
					*a->created_id = r.value;
			}
		} else {
			typing_answer(c, f->hdr.id, 0, "");
		}
		break; /* other replies: heartbeats, posts that asked for one */
	case VHID_MSG_HELLO_REPLY:
		if (mine && proto_decode(f, &a->hello, sizeof(a->hello), NULL, 0) == 0) {
			a->done = true;
			a->status = 0;
		}
		break;
	case VHID_MSG_ERROR:
		handle_error(c, f, a);
		break;
	case VHID_MSG_STATUS_DAEMON:
	case VHID_MSG_STATUS_CLIENT:
	case VHID_MSG_STATUS_DEVICE:
		if (mine)
			status_part(a, f);
		break;
	case VHID_MSG_LOG_LINE:
		if (mine)
			log_part(a, f);
		break;
	default:
		handle_push(c, f);
	}
}

/* Read and handle everything available. Returns 0, or a negative error when the connection died. */
static int
read_frames(struct vhid_client *c, struct answer *a)
{
	struct vhid_frame f;
	int r;

	for (;;) {
		r = connection_read(&c->conn);
		if (r == -EAGAIN)
			return 0;
		if (r <= 0) {
			lost(c, r == 0 ? -ECONNRESET : r);
			return -ENOTCONN;
		}
		while ((r = connection_next(&c->conn, &f)) == 1)
			handle_frame(c, &f, a);
		if (r < 0) {
			lost(c, -VHID_EPROTO);
			return -ENOTCONN;
		}
	}
}

/* ---- outgoing ---------------------------------------------------------------- */

/* Flush; while the socket is full, wait for it (reading what arrives, so neither side stalls). */
static int
flush_wait(struct vhid_client *c, size_t high_water, struct answer *a)
{
	uint64_t end = monotonic_ms() + c->timeout_ms;

	for (;;) {
		int r = connection_flush(&c->conn);
		if (r < 0) {
			lost(c, r);
			return -ENOTCONN;
		}
		if (c->conn.out_len <= high_water)
			return 0;
		uint64_t now = monotonic_ms();
		if (now >= end)
			return client_fail(c, -ETIMEDOUT, "vhidd did not read its socket for %u ms",
					   c->timeout_ms);
		struct pollfd p = {.fd = c->conn.fd, .events = POLLIN | POLLOUT};
		poll(&p, 1, (int)(end - now));
		if ((p.revents & POLLIN) && read_frames(c, a) < 0)
			return -ENOTCONN;
	}
}

static int
send_frame(struct vhid_client *c, uint16_t type, uint32_t id, const void *msg, const void *extra,
	   size_t extra_len)
{
	int r;

	if (!c->connected && type != VHID_MSG_HELLO)
		return client_fail(c, -ENOTCONN, "not connected to vhidd");
	r = connection_queue(&c->conn, type, id, msg, extra, extra_len);
	if (r < 0)
		return client_fail(c, r, "cannot queue %s: %s", proto_type_name(type),
				   vhid_strerror(r));
	c->last_tx_ms = monotonic_ms();
	return 0;
}

int
client_send_tracked(struct vhid_client *c, uint16_t type, const void *msg, const void *extra,
		    size_t extra_len, uint32_t device, uint32_t *id_out)
{
	uint32_t id = ++c->next_id;
	int r = send_frame(c, type, id, msg, extra, extra_len);

	if (r < 0)
		return r;
	if (id_out)
		*id_out = id;
	c->sent[c->sent_pos].id = id;
	c->sent[c->sent_pos].device = device;
	c->sent_pos = (c->sent_pos + 1) % (sizeof(c->sent) / sizeof(c->sent[0]));
	return flush_wait(c, PIPELINE_HIGH_WATER, NULL);
}

int
client_send_async(struct vhid_client *c, uint16_t type, const void *msg, const void *extra,
		  size_t extra_len, uint32_t device)
{
	return client_send_tracked(c, type, msg, extra, extra_len, device, NULL);
}

void
client_read_pending(struct vhid_client *c)
{
	if (c->connected)
		read_frames(c, NULL);
}

int
client_transact(struct vhid_client *c, uint16_t type, const void *msg, const void *extra,
		size_t extra_len, struct answer *a)
{
	uint64_t end;
	int r;

	a->id = ++c->next_id;
	a->done = false;
	if ((r = send_frame(c, type, a->id, msg, extra, extra_len)) < 0)
		return r;
	if ((r = flush_wait(c, 0, a)) < 0)
		return c->fatal ? c->fatal : r;
	end = monotonic_ms() + c->timeout_ms;
	while (!a->done) {
		uint64_t now = monotonic_ms();
		struct pollfd p = {.fd = c->conn.fd, .events = POLLIN};

		if (now >= end)
			return client_fail(c, -ETIMEDOUT, "vhidd did not answer %s within %u ms",
					   proto_type_name(type), c->timeout_ms);
		if (poll(&p, 1, (int)(end - now)) < 0 && errno != EINTR)
			return client_fail(c, -errno, "poll: %s", strerror(errno));
		if (read_frames(c, a) < 0 && !a->done) {
			/* keep the daemon's reason if it gave one (never format last_error into
			 * itself) */
			if (!c->last_error[0])
				client_fail(c, 0, "vhidd closed the connection");
			return c->fatal ? c->fatal : -ENOTCONN;
		}
	}
	if (a->status == 0)
		c->last_error[0] = '\0';
	return a->status;
}

/* ---- connecting ---------------------------------------------------------------- */

static const char *
resolve_path(const char *path)
{
	const char *env = getenv("VHID_SOCKET");

	if (path && *path)
		return path;
	return env && *env ? env : VHID_DEFAULT_SOCKET;
}

/* EACCES on connect: name the group the user lacks, or the stale login session. */
static int
explain_eacces(struct vhid_client *c, const char *path)
{
	struct stat st;
	char dir[sizeof(c->path)];
	const char *what = path;
	struct group *g;

	if (stat(path, &st) < 0) {
		snprintf(dir, sizeof(dir), "%s", path);
		what = dirname(dir);
		if (stat(what, &st) < 0)
			return client_fail(
				c, -EACCES,
				"permission denied: cannot reach %s (see vhidctl doctor)", path);
	}
	g = getgrgid(st.st_gid);
	if (!g || st.st_gid == 0)
		return client_fail(
			c, -EACCES,
			"permission denied: %s belongs to root only; vhidd's socket group is "
			"missing (see vhidctl doctor)",
			what);
	if (groups_user_member(st.st_gid) && !groups_process_has(st.st_gid))
		return client_fail(
			c, -EACCES,
			"permission denied: uid %u was added to group '%s', but this login "
			"session started before that: log in again, or run 'newgrp %s' (see "
			"vhidctl doctor)",
			(unsigned)getuid(), g->gr_name, g->gr_name);
	return client_fail(c, -EACCES,
			   "permission denied: uid %u is not in group '%s' (see vhidctl doctor)",
			   (unsigned)getuid(), g->gr_name);
}

static int
open_socket(struct vhid_client *c, const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd, e;

	if (strlen(path) >= sizeof(addr.sun_path))
		return client_fail(c, -ENAMETOOLONG, "socket path %s is too long", path);
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return client_fail(c, -errno, "socket: %s", strerror(errno));
	/*
	 * A unix socket's connect() waits while the listener's backlog is full, for
	 * ever by default; SO_SNDTIMEO bounds that wait (then EAGAIN). A non-blocking
	 * connect cannot be polled here: AF_UNIX fails it with EAGAIN at once.
	 */
	struct timeval tv = {.tv_sec = c->timeout_ms / 1000,
			     .tv_usec = (suseconds_t)(c->timeout_ms % 1000 * 1000)};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		e = errno;
		close(fd);
		if (e == EAGAIN || e == EINPROGRESS)
			return client_fail(
				c, -ETIMEDOUT,
				"vhidd did not accept the connection within %u ms: its "
				"queue of new connections at %s is full (it is overloaded "
				"or stopped)",
				c->timeout_ms, path);
		if (e == ENOENT)
			return client_fail(
				c, -VHID_ENODAEMON,
				"vhidd is not running: no socket at %s (start it with 'systemctl "
				"start vhidd' or 'sudo vhidd'; see vhidctl doctor)",
				path);
		if (e == ECONNREFUSED)
			return client_fail(
				c, -VHID_ENODAEMON,
				"vhidd is not running: %s is a stale socket nobody listens on "
				"(start vhidd; it replaces the socket)",
				path);
		if (e == EACCES || e == EPERM)
			return explain_eacces(c, path);
		return client_fail(c, -e, "cannot connect to %s: %s", path, strerror(e));
	}
	tv = (struct timeval){0};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static int
handshake(struct vhid_client *c)
{
	struct vhid_msg_hello h = {
		.magic = VHID_HELLO_MAGIC,
		.version = VHID_PROTOCOL_VERSION,
		.minor = VHID_PROTOCOL_MINOR,
	};
	struct answer a = {0};
	int r;

	proto_set_string(h.name, sizeof(h.name), c->name);
	if ((r = client_transact(c, VHID_MSG_HELLO, &h, NULL, 0, &a)) < 0)
		return r;
	if (a.hello.version != VHID_PROTOCOL_VERSION)
		return client_fail(
			c, -VHID_EVERSION,
			"protocol version mismatch: this libvhid speaks version %d (%d.%d), the "
			"daemon speaks version %u; install matching libvhid and vhidd",
			VHID_PROTOCOL_VERSION, VHID_PROTOCOL_VERSION, VHID_PROTOCOL_MINOR,
			a.hello.version);
	/* a 1.0 daemon sent 0 as HELLO_REPLY's minor ("reserved") and four capability bits */
	c->hello = a.hello;
	return 0;
}

static int
do_connect(struct vhid_client *c)
{
	struct epoll_event ev = {.events = EPOLLIN};
	int fd, r;

	c->last_error[0] = '\0';
	c->fatal = 0;
	fd = open_socket(c, c->path);
	if (fd < 0)
		return fd;
	connection_init(&c->conn, fd, 4 * 1024 * 1024);
	ev.data.fd = fd;
	epoll_ctl(c->epfd, EPOLL_CTL_ADD, fd, &ev);
	c->connected = true; /* for the handshake's sake; undone on failure */
	if ((r = handshake(c)) < 0) {
		char why[sizeof(c->last_error)];
		snprintf(why, sizeof(why), "%s", c->last_error);
		if (c->conn.fd >= 0) {
			epoll_ctl(c->epfd, EPOLL_CTL_DEL, c->conn.fd, NULL);
			connection_close(&c->conn);
		}
		c->connected = false;
		c->n_events = 0; /* the failed attempt's own disconnect is not news */
		return client_fail(c, r, "%s", why);
	}
	c->ever_connected = true;
	c->backoff_ms = 100;
	/* devices that existed before a disconnect are created again */
	for (struct vhid_device *d = c->devices; d; d = d->next)
		if ((r = device_create_remote(d)) < 0)
			queue_event(c, EV_ERROR, 0, r, c->last_error);
	arm_timer(c);
	return 0;
}

/* ---- public ---------------------------------------------------------------------- */

VHID_EXPORT int
vhid_client_new(const char *name, const struct vhid_client_listener *listener, void *data,
		struct vhid_client **out)
{
	struct vhid_client *c;
	struct epoll_event ev = {.events = EPOLLIN};

	if (listener && listener->size < sizeof(listener->size))
		return -EINVAL; /* size unset: nothing says how much of it is there */
	if (!(c = calloc(1, sizeof(*c))))
		return -ENOMEM;
	proto_set_string(c->name, sizeof(c->name), name ? name : program_invocation_short_name);
	/* an older caller's shorter listener: the callbacks it lacks stay NULL */
	if (listener)
		memcpy(&c->listener, listener,
		       listener->size < sizeof(c->listener) ? listener->size : sizeof(c->listener));
	c->listener.size = sizeof(c->listener);
	c->data = data;
	c->conn.fd = -1;
	c->timeout_ms = VHID_DEFAULT_TIMEOUT_MS;
	c->epfd = epoll_create1(EPOLL_CLOEXEC);
	c->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	ev.data.fd = c->timer_fd;
	if (c->epfd < 0 || c->timer_fd < 0 ||
	    epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->timer_fd, &ev) < 0) {
		int e = -errno;
		vhid_client_destroy(c);
		return e;
	}
	*out = c;
	return 0;
}

VHID_EXPORT int
vhid_client_connect(struct vhid_client *c, const char *path)
{
	if (c->conn.fd >= 0)
		return client_fail(c, -EISCONN, "already connected to %s", c->path);
	snprintf(c->path, sizeof(c->path), "%s", resolve_path(path));
	int r = do_connect(c);
	if (r < 0 && c->reconnect) {
		/* keep trying from dispatch */
		c->ever_connected = true;
		c->reconnect_at_ms = monotonic_ms() + 100;
		arm_timer(c);
	}
	return r;
}

VHID_EXPORT void
vhid_client_disconnect(struct vhid_client *c)
{
	bool reconnect = c->reconnect;

	c->reconnect = false; /* an explicit disconnect is not a loss to repair */
	if (c->conn.fd >= 0) {
		connection_flush(&c->conn);
		lost(c, -ECONNRESET);
		c->last_error[0] = '\0';
	}
	c->ever_connected = false;
	c->reconnect = reconnect;
	arm_timer(c);
}

VHID_EXPORT void
vhid_client_destroy(struct vhid_client *c)
{
	if (!c)
		return;
	if (c->conn.fd >= 0) {
		connection_flush(&c->conn);
		connection_close(&c->conn);
	}
	while (c->devices) {
		struct vhid_device *d = c->devices;
		c->devices = d->next;
		typing_free(d);
		free(d);
	}
	free(c->events);
	if (c->timer_fd >= 0)
		close(c->timer_fd);
	if (c->epfd >= 0)
		close(c->epfd);
	free(c);
}

VHID_EXPORT int
vhid_client_get_fd(const struct vhid_client *c)
{
	return c->epfd;
}

VHID_EXPORT int
vhid_client_heartbeat(struct vhid_client *c)
{
	int r = send_frame(c, VHID_MSG_HEARTBEAT, ++c->next_id, NULL, NULL, 0);

	return r < 0 ? r : flush_wait(c, PIPELINE_HIGH_WATER, NULL);
}

static void
maybe_reconnect(struct vhid_client *c)
{
	if (c->connected || !c->reconnect || !c->ever_connected ||
	    monotonic_ms() < c->reconnect_at_ms)
		return;
	if (do_connect(c) == 0) {
		queue_event(c, EV_RECONNECTED, 0, 0, NULL);
		return;
	}
	c->backoff_ms = c->backoff_ms >= 500 ? 1000 : c->backoff_ms * 2;
	c->reconnect_at_ms = monotonic_ms() + c->backoff_ms;
}

VHID_EXPORT int
vhid_client_dispatch(struct vhid_client *c)
{
	uint64_t expirations;
	int n;

	if (c->dispatching)
		return -EBUSY;
	c->dispatching = true;
	if (read(c->timer_fd, &expirations, sizeof(expirations)) < 0)
		expirations = 0;
	if (c->connected)
		read_frames(c, NULL);
	maybe_reconnect(c);
	if (c->connected && lease_ms(c) && monotonic_ms() - c->last_tx_ms >= lease_ms(c) / 3)
		vhid_client_heartbeat(c);
	typing_pump(c);
	if (c->connected && connection_flush(&c->conn) < 0)
		lost(c, -EPIPE);
	n = deliver_events(c);
	arm_timer(c);
	c->dispatching = false;
	if (!c->connected && !c->reconnect)
		return n ? n : -ENOTCONN;
	return n;
}

VHID_EXPORT int
vhid_client_set_reconnect(struct vhid_client *c, int enable)
{
	c->reconnect = enable != 0;
	arm_timer(c);
	return 0;
}

VHID_EXPORT int
vhid_client_set_pipelined(struct vhid_client *c, int enable)
{
	c->pipelined = enable != 0;
	return 0;
}

VHID_EXPORT int
vhid_client_set_timeout(struct vhid_client *c, unsigned int timeout_ms)
{
	if (timeout_ms < 1 || timeout_ms > MAX_TIMEOUT_MS)
		return client_fail(c, -EINVAL, "a timeout of %u ms is outside 1..%d ms", timeout_ms,
				   MAX_TIMEOUT_MS);
	c->timeout_ms = timeout_ms;
	return 0;
}

VHID_EXPORT int
vhid_client_is_connected(const struct vhid_client *c)
{
	return c->connected;
}

VHID_EXPORT const char *
vhid_client_last_error(const struct vhid_client *c)
{
	return c->last_error;
}

VHID_EXPORT int
vhid_client_get_protocol(const struct vhid_client *c, unsigned int *major, unsigned int *minor)
{
	if (major)
		*major = c->hello.version;
	if (minor)
		*minor = c->hello.minor;
	return c->connected ? 0 : -ENOTCONN;
}

VHID_EXPORT unsigned int
vhid_client_get_daemon_version(const struct vhid_client *c)
{
	return c->hello.daemon_version;
}

VHID_EXPORT unsigned int
vhid_client_get_capabilities(const struct vhid_client *c)
{
	return c->hello.capabilities;
}

VHID_EXPORT unsigned int
vhid_client_get_lease_ms(const struct vhid_client *c)
{
	return lease_ms(c);
}

VHID_EXPORT unsigned int
vhid_client_get_client_id(const struct vhid_client *c)
{
	return c->hello.client_id;
}

VHID_EXPORT unsigned int
vhid_client_get_max_devices(const struct vhid_client *c)
{
	return c->hello.max_devices;
}

static int
status_scope_cap(struct vhid_client *c, int scope)
{
	if (scope == VHID_STATUS_ALL)
		return client_need_cap(c, VHID_CAP_STATUS_ALL, "GET_STATUS scope ALL",
				       "vhid_client_get_status");
	if (scope == VHID_STATUS_USER)
		return client_need_cap(c, VHID_CAP_STATUS_USER, "GET_STATUS scope USER",
				       "vhid_client_get_status");
	if (scope != VHID_STATUS_SELF)
		return client_fail(c, -EINVAL, "unknown status scope %d", scope);
	return 0;
}

VHID_EXPORT int
vhid_client_get_status(struct vhid_client *c, int scope,
		       const struct vhid_status_listener *listener, void *data)
{
	struct vhid_msg_get_status m = {.scope = (uint32_t)scope};
	struct answer a = {.data = data};
	int r;

	if (listener && listener->size < sizeof(listener->size))
		return client_fail(c, -EINVAL, "struct vhid_status_listener: size is not set");
	if ((r = status_scope_cap(c, scope)) < 0)
		return r;
	if (listener)
		memcpy(&a.status_listener, listener,
		       listener->size < sizeof(a.status_listener) ? listener->size
								  : sizeof(a.status_listener));
	return client_transact(c, VHID_MSG_GET_STATUS, &m, NULL, 0, &a);
}

VHID_EXPORT int
vhid_client_get_log(struct vhid_client *c, unsigned int after_seq, unsigned int max_lines,
		    void (*line)(const struct vhid_log_line *line, void *data), void *data,
		    unsigned int *last_seq)
{
	struct vhid_msg_get_log m = {
		.after_seq = after_seq,
		.max_lines = (uint16_t)(max_lines > 0xffff ? 0xffff : max_lines),
	};
	struct answer a = {.log_line = line, .data = data};
	int r;

	if ((r = client_need_cap(c, VHID_CAP_LOG, "GET_LOG", "vhid_client_get_log")) < 0)
		return r;
	if ((r = client_transact(c, VHID_MSG_GET_LOG, &m, NULL, 0, &a)) < 0)
		return r;
	if (last_seq)
		*last_seq = a.value;
	return 0;
}

VHID_EXPORT int
vhid_client_reset_all(struct vhid_client *c, int every_user)
{
	struct vhid_msg_reset_all m = {.scope = every_user ? VHID_RESET_EVERYONE : VHID_RESET_MINE};
	struct answer a = {0};
	int r = client_transact(c, VHID_MSG_RESET_ALL, &m, NULL, 0, &a);

	if (r < 0)
		return r;
	for (struct vhid_device *d = c->devices; d; d = d->next)
		device_clear_state(d);
	return (int)a.value;
}
