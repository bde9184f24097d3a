/*
 * requests.c - one handler per request type, and the device layer's events
 * turned into pushes. Every request gets exactly one REPLY or ERROR carrying
 * its id (POST_REPORT with VHID_POST_NO_REPLY gets one only on failure).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "le.h"
#include "log.h"
#include "logring.h"

/* what this daemon really has: every bit is one a client may rely on */
#define DAEMON_CAPS                                                                                \
	(VHID_CAP_APPLE_TRANSLATION | VHID_CAP_ABSOLUTE | VHID_CAP_LEASE | VHID_CAP_STATUS_ALL |   \
	 VHID_CAP_LOG | VHID_CAP_STATUS_USER | VHID_CAP_LEASE_PUSH | VHID_CAP_KEEP)

static void
reply(struct client *c, uint32_t id, uint32_t value)
{
	struct vhid_msg_reply r = {.status = 0, .value = value};

	client_send(c, VHID_MSG_REPLY, id, &r, NULL, 0);
}

/* ---- device events -> pushes ------------------------------------------- */

static void
on_ready(struct vdev *dev, void *data)
{
	struct client_device *cd = data;
	struct vhid_msg_ready m = {.device = cd->id};

	proto_set_string(m.evdev, sizeof(m.evdev), vdev_get_evdev(dev, 0));
	proto_set_string(m.hidraw, sizeof(m.hidraw), vdev_get_hidraw(dev));
	client_send(cd->client, VHID_MSG_READY, 0, &m, NULL, 0);
}

static void
on_readers(struct vdev *dev, unsigned int readers, void *data)
{
	struct client_device *cd = data;
	struct vhid_msg_open m = {.device = cd->id,
				  .readers = (uint16_t)(readers > 0xffff ? 0xffff : readers)};

	client_send(cd->client, VHID_MSG_OPEN, 0, &m, NULL, 0);
}

static void
on_leds(struct vdev *dev, uint8_t leds, void *data)
{
	struct client_device *cd = data;
	struct vhid_msg_leds m = {.device = cd->id, .leds = leds};

	client_send(cd->client, VHID_MSG_LEDS, 0, &m, NULL, 0);
}

static void
on_failed(struct vdev *dev, int error, void *data)
{
	struct client_device *cd = data;
	struct vhid_msg_device_gone m = {.device = cd->id, .reason = error};
	struct client *c = cd->client;

	vdev_destroy(dev);
	cd->dev = NULL;
	client_send(c, VHID_MSG_DEVICE_GONE, 0, &m, NULL, 0);
}

const struct vdev_listener device_listener = {
	.ready = on_ready,
	.readers = on_readers,
	.leds = on_leds,
	.failed = on_failed,
};

/*
 * The client took over a kept device or the standby keyboard (vdev_adopt): what
 * a new device would push over time has happened, or some of it (a standby still
 * being made), so that part goes out at once, after the CREATE reply, and the
 * rest when it happens. The LEDs go before the reader, as for a new keyboard
 * (vdev-leds.c): a client that has seen the reader types for the right Caps Lock.
 */
static void
adopted(struct client_device *cd)
{
	if (!vdev_is_ready(cd->dev))
		return;
	on_ready(cd->dev, cd);
	if (vdev_get_leds(cd->dev))
		on_leds(cd->dev, vdev_get_leds(cd->dev), cd);
	if (vdev_get_readers(cd->dev))
		on_readers(cd->dev, vdev_get_readers(cd->dev), cd);
}

/* ---- lookups ------------------------------------------------------------- */

/*
 * Device ids are (client id << 8) | serial, so an id tells whose it was: one
 * of this client's past devices is a plain ENODEV (it may have raced with a
 * DEVICE_GONE push), anyone else's is a protocol violation.
 */
static struct client_device *
find_device(struct client *c, uint32_t device, uint32_t id, uint16_t type)
{
	char what[96];

	for (int i = 0; i < MAX_DEVICES_PER_CLIENT; i++)
		if (c->devices[i].dev && c->devices[i].id == device)
			return &c->devices[i];
	if (device >> 8 == c->id) {
		client_send_error(c, id, type, -ENODEV,
				  "device 0x%x does not exist (destroyed, or gone)", device);
		return NULL;
	}
	snprintf(what, sizeof(what), "device 0x%x is not one of this client's devices", device);
	client_violation(c, id, type, what);
	return NULL;
}

static struct client_device *
free_slot(struct client *c, unsigned int kind, uint32_t id)
{
	struct client_device *slot = NULL;

	for (int i = 0; i < MAX_DEVICES_PER_CLIENT; i++) {
		if (!c->devices[i].dev) {
			slot = slot ? slot : &c->devices[i];
			continue;
		}
		if (vdev_get_params(c->devices[i].dev)->kind == (enum vhid_device_kind)kind) {
			client_send_error(
				c, id, VHID_MSG_CREATE_DEVICE, -VHID_ELIMIT,
				"this client already has a %s (device 0x%x); vhidd allows one "
				"keyboard, one pointer and one absolute pointer per connection",
				proto_kind_name(kind), c->devices[i].id);
			return NULL;
		}
	}
	return slot;
}

static uint32_t
new_device_id(struct client *c)
{
	for (;;) {
		uint32_t id = c->id << 8 | c->next_serial;
		bool used = false;

		c->next_serial = (uint8_t)(c->next_serial == 255 ? 1 : c->next_serial + 1);
		for (int i = 0; i < MAX_DEVICES_PER_CLIENT; i++)
			used |= c->devices[i].dev && c->devices[i].id == id;
		if (!used)
			return id;
	}
}

/* ---- handlers ------------------------------------------------------------ */

/*
 * A 1.0 client read HELLO_REPLY's minor as "reserved" and knew four capability bits:
 * it is shown nothing it cannot know (PROTOCOL.md 1.7).
 */
static void
handle_hello(struct client *c, uint32_t id, const struct vhid_msg_hello *h)
{
	struct vhid_msg_hello_reply r = {
		.version = VHID_PROTOCOL_VERSION,
		.minor = h->minor ? VHID_PROTOCOL_MINOR : 0,
		.daemon_version = VHID_VERSION_NUMBER,
		.capabilities = DAEMON_CAPS & (h->minor >= 2 ? VHID_CAPS_MINOR2
					       : h->minor    ? VHID_CAPS_MINOR1
							     : VHID_CAPS_MINOR0),
		.lease_ms = c->daemon->policy.lease_ms,
		.client_id = c->id,
		.max_devices = MAX_DEVICES_PER_CLIENT,
	};

	c->hello = true;
	c->minor = h->minor < VHID_PROTOCOL_MINOR ? h->minor : VHID_PROTOCOL_MINOR;
	c->lease_ms = r.lease_ms; /* fixed for this connection: a reload must not shorten it under
				     the client */
	client_set_name(c, h->name);
	log_info("%s: hello (protocol %u.%u)", c->label, h->version, h->minor);
	client_send(c, VHID_MSG_HELLO_REPLY, id, &r, NULL, 0);
}

static void
device_params(struct client *c, uint32_t device, int slot, const struct vhid_msg_create *m,
	      struct vdev_params *p)
{
	vdev_params_default(p, (enum vhid_device_kind)m->kind);
	if (m->name[0])
		snprintf(p->name, sizeof(p->name), "%s", m->name);
	if (m->vendor)
		p->vendor = m->vendor;
	if (m->product)
		p->product = m->product;
	if (m->version)
		p->version = m->version;
	if (m->bus)
		p->bus = m->bus;
	p->country = m->country;
	/* phys groups one client's devices; uniq is how vdev finds the device in sysfs */
	snprintf(p->phys, sizeof(p->phys), "vhid/client%u/input%d", c->id, slot);
	snprintf(p->uniq, sizeof(p->uniq), "vhid-%d-%x", (int)getpid(), device);
	snprintf(p->label, sizeof(p->label), "client %u %s 0x%x \"%.40s\"", c->id,
		 proto_kind_name(m->kind), device, p->name);
	p->owner = c->uid;
}

/* The identity chooses the kernel driver: only what hid-generic binds, unless allowed. */
static bool
identity_allowed(struct client *c, uint32_t id, const struct vdev_params *p)
{
	struct daemon *d = c->daemon;
	const char *driver = identity_driver(&d->identities, p->bus, p->vendor, p->product);
	char why[400];

	if (policy_allows_identity(&d->policy, p->bus, p->vendor, p->product, driver,
				   d->opt.config_path, why, sizeof(why)))
		return true;
	log_warn("%s: create refused: %s", c->label, why);
	client_send_error(c, id, VHID_MSG_CREATE_DEVICE, -VHID_EDENIED, "%s", why);
	return false;
}

static void
handle_create(struct client *c, uint32_t id, const struct vhid_msg_create *m)
{
	struct client_device *slot;
	struct vdev_params p;
	uint32_t device;
	int r;

	if (m->kind < VHID_DEVICE_KEYBOARD || m->kind > VHID_DEVICE_ABSOLUTE) {
		client_send_error(
			c, id, VHID_MSG_CREATE_DEVICE, -EINVAL,
			"unknown device kind %u (1 keyboard, 2 pointer, 3 absolute pointer)",
			m->kind);
		return;
	}
	if (!(slot = free_slot(c, m->kind, id)))
		return;
	device = new_device_id(c);
	device_params(c, device, (int)(slot - c->devices), m, &p);
	if (!identity_allowed(c, id, &p))
		return;
	slot->client = c;
	slot->id = device;
	/* before 1.2 a client lost pushes that came in the same read as the reply */
	if (c->minor >= 2 &&
	    (slot->dev = vdev_adopt(c->daemon->vdev, &p, &device_listener, slot))) {
		reply(c, id, device);
		adopted(slot);
		return;
	}
	r = vdev_create(c->daemon->vdev, &p, &device_listener, slot, &slot->dev);
	if (r < 0) {
		slot->dev = NULL;
		client_send_error(c, id, VHID_MSG_CREATE_DEVICE, r, "cannot create the %s: %s",
				  proto_kind_name(m->kind), vhid_strerror(r));
		return;
	}
	reply(c, id, device);
}

static void
handle_destroy(struct client *c, uint32_t id, const struct vhid_msg_device *m)
{
	struct client_device *cd = find_device(c, m->device, id, VHID_MSG_DESTROY_DEVICE);

	if (!cd)
		return;
	vdev_destroy(cd->dev);
	cd->dev = NULL;
	reply(c, id, 0);
}

static void
handle_reset(struct client *c, uint32_t id, const struct vhid_msg_device *m)
{
	struct client_device *cd;
	int r;

	if (m->device == 0) {
		client_reset_devices(c);
		reply(c, id, 0);
		return;
	}
	if (!(cd = find_device(c, m->device, id, VHID_MSG_RESET_DEVICE)))
		return;
	r = vdev_reset(cd->dev);
	if (r < 0)
		client_send_error(c, id, VHID_MSG_RESET_DEVICE, r, "cannot reset device 0x%x: %s",
				  m->device, vhid_strerror(r));
	else
		reply(c, id, 0);
}

static void
handle_post(struct client *c, uint32_t id, const struct vhid_msg_post *m, const uint8_t *report,
	    size_t len)
{
	struct client_device *cd = find_device(c, m->device, id, VHID_MSG_POST_REPORT);
	char msg[200];
	int r;

	if (!cd)
		return;
	r = vdev_post(cd->dev, report, len, msg, sizeof(msg));
	if (r < 0) {
		log_debug("%s: report refused: %s", c->label, msg);
		client_send_error(c, id, VHID_MSG_POST_REPORT, r, "%s",
				  msg[0] ? msg : vhid_strerror(r));
	} else if (!(m->flags & VHID_POST_NO_REPLY)) {
		reply(c, id, 0);
	}
}

static void
send_status_daemon(struct client *c, uint32_t id)
{
	struct daemon *d = c->daemon;
	struct vhid_msg_status_daemon m = {
		.daemon_version = VHID_VERSION_NUMBER,
		.protocol = VHID_PROTOCOL_VERSION,
		.pid = (uint32_t)getpid(),
		.uptime_s = (uint32_t)((now_ms() - d->start_ms) / 1000),
		.clients = (uint32_t)d->n_clients,
		.lease_ms = d->policy.lease_ms,
	};

	m.flags = (access(d->opt.uhid_path, F_OK) == 0 ? VHID_DAEMON_HAS_UHID : 0) |
		  (vdev_ctx_has_uevents(d->vdev) ? VHID_DAEMON_HAS_UEVENTS : 0) |
		  /* a bit of minor 1: a 1.0 client was told that bit is reserved */
		  (c->minor >= 1 && vdev_ctx_has_readers(d->vdev) ? VHID_DAEMON_HAS_READERS : 0);
	for (struct client *o = d->clients; o; o = o->next)
		for (int i = 0; i < MAX_DEVICES_PER_CLIENT; i++)
			m.devices += o->devices[i].dev != NULL;
	proto_set_string(m.socket, sizeof(m.socket), d->opt.socket_path);
	proto_set_string(m.config, sizeof(m.config),
			 d->policy.path); /* "": the built-in defaults */
	proto_set_string(m.socket_group, sizeof(m.socket_group),
			 d->socket_gid ? d->opt.socket_group : "root");
	proto_set_string(m.log_file, sizeof(m.log_file), d->log_path);
	client_send(c, VHID_MSG_STATUS_DAEMON, id, &m, NULL, 0);
}

static void
send_status_client(struct client *c, uint32_t id, const struct client *o)
{
	struct vhid_msg_status_client m = {
		.client_id = o->id,
		.pid = (uint32_t)o->pid,
		.uid = o->uid,
		.gid = o->gid,
		.idle_ms = (uint32_t)(now_ms() - o->last_rx_ms),
	};

	for (int i = 0; i < MAX_DEVICES_PER_CLIENT; i++)
		m.devices += o->devices[i].dev != NULL;
	proto_set_string(m.name, sizeof(m.name), o->name);
	proto_set_string(m.exe, sizeof(m.exe), o->exe);
	client_send(c, VHID_MSG_STATUS_CLIENT, id, &m, NULL, 0);
}

static int
send_status_devices(struct client *c, uint32_t id, const struct client *o)
{
	int n = 0;

	for (int i = 0; i < MAX_DEVICES_PER_CLIENT; i++) {
		const struct vdev *dev = o->devices[i].dev;
		const struct vdev_params *p;
		struct vhid_msg_status_device m = {0};

		if (!dev)
			continue;
		p = vdev_get_params(dev);
		m.device = o->devices[i].id;
		m.client_id = o->id;
		m.kind = (uint8_t)p->kind;
		m.flags = (vdev_is_ready(dev) ? VHID_DEVICE_READY : 0) |
			  (vdev_get_readers(dev) ? VHID_DEVICE_OPEN : 0);
		m.readers = (uint16_t)vdev_get_readers(dev);
		m.leds = vdev_get_leds(dev);
		m.country = p->country;
		m.bus = p->bus;
		m.vendor = p->vendor;
		m.product = p->product;
		m.version = p->version;
		proto_set_string(m.name, sizeof(m.name), p->name);
		proto_set_string(m.evdev, sizeof(m.evdev), vdev_get_evdev(dev, 0));
		proto_set_string(m.hidraw, sizeof(m.hidraw), vdev_get_hidraw(dev));
		proto_set_string(m.phys, sizeof(m.phys), p->phys);
		client_send(c, VHID_MSG_STATUS_DEVICE, id, &m, NULL, 0);
		n++;
	}
	return n;
}

/* "root or group 'wheel', 'adm' (admin-groups in /etc/vhid/vhidd.conf)" */
static void
describe_admins(const struct daemon *d, char *buf, size_t len)
{
	const struct policy *p = &d->policy;
	size_t n = (size_t)snprintf(buf, len, "root%s", p->n_admin_groups ? " or group " : "");

	for (int i = 0; i < p->n_admin_groups && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s'%s'", i ? ", " : "",
				      p->admin_groups[i].name);
	if (n < len)
		snprintf(buf + n, len - n, " (admin-groups in %s)", d->opt.config_path);
}

/*
 * Scope ALL shows every user's clients, their LED state and idle times (from which
 * keystroke times can be read): admins only. A 1.0 client cannot know scope USER, so
 * its ALL is answered as USER rather than failed; the daemon record's client count
 * still says that other clients exist.
 */
static bool
status_scope(struct client *c, uint32_t id, uint32_t *scope)
{
	char admins[200];

	if (*scope > VHID_STATUS_USER) {
		client_send_error(c, id, VHID_MSG_GET_STATUS, -EINVAL,
				  "unknown status scope %u (0 self, 1 all, 2 user)", *scope);
		return false;
	}
	if (*scope != VHID_STATUS_ALL || client_is_admin(c))
		return true;
	if (c->minor == 0) {
		*scope = VHID_STATUS_USER;
		return true;
	}
	describe_admins(c->daemon, admins, sizeof(admins));
	client_send_error(c, id, VHID_MSG_GET_STATUS, -VHID_EADMIN,
			  "every user's clients (status scope ALL) are shown to %s only; scope "
			  "USER shows uid %u's",
			  admins, c->uid);
	return false;
}

/* At most what a status reply takes: every client with every device. */
static size_t
status_bytes(const struct daemon *d)
{
	const size_t hdr = VHID_HEADER_SIZE;

	return hdr + sizeof(struct vhid_msg_status_daemon) + hdr + sizeof(struct vhid_msg_reply) +
	       (size_t)d->n_clients *
		       (hdr + sizeof(struct vhid_msg_status_client) +
			MAX_DEVICES_PER_CLIENT * (hdr + sizeof(struct vhid_msg_status_device)));
}

static void
handle_status(struct client *c, uint32_t id, const struct vhid_msg_get_status *m)
{
	uint32_t scope = m->scope;
	int n = 1;

	if (!status_scope(c, id, &scope))
		return;
	/* beyond ~1,350 clients the reply outgrew the output bound and cost its reader the
	 * connection: one reply may exceed it, a client that does not read may not */
	if (!client_reserve_output(c, status_bytes(c->daemon)))
		return;
	send_status_daemon(c, id);
	if (scope == VHID_STATUS_SELF) {
		n += send_status_devices(c, id, c);
	} else {
		for (struct client *o = c->daemon->clients; o && !c->dead; o = o->next) {
			if (scope == VHID_STATUS_USER && o->uid != c->uid)
				continue;
			send_status_client(c, id, o);
			n += 1 + send_status_devices(c, id, o);
		}
	}
	if (!c->dead)
		reply(c, id, (uint32_t)n);
}

/* ---- GET_LOG ------------------------------------------------------------- */

struct log_request {
	struct client *c;
	uint32_t id;
	bool admin;
};

/* daemon-wide lines and the caller's own; LED state and activity of others stay hidden */
static bool
log_visible(uint32_t uid, void *data)
{
	const struct log_request *r = data;

	return r->admin || uid == VHID_LOG_DAEMON_WIDE || uid == r->c->uid;
}

static bool
send_log_line(const struct logring_line *l, void *data)
{
	const struct log_request *r = data;
	struct vhid_msg_log_line m = {
		.seq = l->seq,
		.time_s = (uint32_t)(l->time_us / 1000000),
		.time_us = (uint32_t)(l->time_us % 1000000),
		.uid = l->uid == LOGRING_UNKNOWN_CLIENT ? VHID_LOG_DAEMON_WIDE : l->uid,
		.priority = l->priority,
	};

	return client_send(r->c, VHID_MSG_LOG_LINE, r->id, &m, l->text, l->len) == 0 && !r->c->dead;
}

static void
handle_get_log(struct client *c, uint32_t id, const struct vhid_msg_get_log *m)
{
	struct log_request r = {.c = c, .id = id, .admin = client_is_admin(c)};

	logring_read(m->after_seq, m->max_lines, log_visible, send_log_line, &r);
	if (!c->dead)
		reply(c, id, logring_newest());
}

static void
handle_reset_all(struct client *c, uint32_t id, const struct vhid_msg_reset_all *m)
{
	struct daemon *d = c->daemon;
	bool everyone = m->scope == VHID_RESET_EVERYONE;
	int clients = 0, devices = 0;

	if (m->scope != VHID_RESET_MINE && !everyone) {
		client_send_error(c, id, VHID_MSG_RESET_ALL, -EINVAL, "unknown reset scope %u",
				  m->scope);
		return;
	}
	if (everyone && !policy_is_admin(&d->policy, c->uid, c->groups, c->n_groups)) {
		client_send_error(c, id, VHID_MSG_RESET_ALL, -VHID_EADMIN,
				  "resetting every user's devices needs root or an admin group "
				  "(admin-groups in %s)",
				  d->opt.config_path);
		return;
	}
	for (struct client *o = d->clients; o; o = o->next) {
		int before = devices;
		if (!everyone && o->uid != c->uid)
			continue;
		for (int i = 0; i < MAX_DEVICES_PER_CLIENT; i++)
			if (o->devices[i].dev && vdev_is_ready(o->devices[i].dev) &&
			    vdev_reset(o->devices[i].dev) == 0)
				devices++;
		clients += devices > before;
	}
	log_warn("%s: reset %s: released %d device%s of %d client%s", c->label,
		 everyone ? "every user's devices" : "this user's devices", devices,
		 devices == 1 ? "" : "s", clients, clients == 1 ? "" : "s");
	reply(c, id, (uint32_t)devices);
}

/* ---- dispatch ------------------------------------------------------------ */

static bool
check_hello_version(struct client *c, const struct vhid_frame *f)
{
	uint32_t magic;
	uint16_t version;

	if (f->hdr.length < 8)
		return true; /* too short: proto_decode names the size problem */
	magic = le32_get(f->payload);
	version = le16_get(f->payload + 4);
	if (magic != VHID_HELLO_MAGIC) {
		client_violation(c, f->hdr.id, f->hdr.type,
				 "HELLO without the VHID magic: not a vhid client?");
		return false;
	}
	if (version != VHID_PROTOCOL_VERSION) {
		log_warn("%s: protocol version mismatch: client speaks %u, vhidd %s speaks %u.%u",
			 c->label, version, VHID_VERSION, VHID_PROTOCOL_VERSION,
			 VHID_PROTOCOL_MINOR);
		client_send_error(
			c, f->hdr.id, f->hdr.type, -VHID_EVERSION,
			"protocol version mismatch: the client speaks version %u, vhidd "
			"%s speaks version %u (%u.%u); install matching libvhid and vhidd",
			version, VHID_VERSION, VHID_PROTOCOL_VERSION, VHID_PROTOCOL_VERSION,
			VHID_PROTOCOL_MINOR);
		client_flush(c);
		client_destroy(c, "protocol version mismatch");
		return false;
	}
	return true;
}

static void
unknown_request(struct client *c, const struct vhid_frame *f, const char *name)
{
	uint16_t type = f->hdr.type;

	if (name)
		client_send_error(c, f->hdr.id, type, -VHID_ENOCAP,
				  "%s is a protocol %u.%u request, but this client's HELLO "
				  "announced %u.%u",
				  name, VHID_PROTOCOL_VERSION, proto_type_minor(type),
				  VHID_PROTOCOL_VERSION, c->minor);
	else
		client_send_error(c, f->hdr.id, type, -VHID_ENOCAP,
				  "unknown request type 0x%04x: this vhidd (%s) speaks protocol "
				  "%u.%u",
				  type, VHID_VERSION, VHID_PROTOCOL_VERSION, VHID_PROTOCOL_MINOR);
}

/*
 * A request type this daemon does not know, or one newer than the minor the client
 * announced, is answered with an ERROR: its length is known, so the connection
 * survives and the client learns what is missing. Types from 0x8000 are the
 * daemon's own, and nothing but HELLO may come first: those stay violations.
 */
static bool
check_type(struct client *c, const struct vhid_frame *f)
{
	uint16_t type = f->hdr.type;
	const char *name = proto_type_name(type);
	char what[200];

	if ((type & 0x8000) || (!name && !c->hello)) {
		if (name)
			snprintf(what, sizeof(what), "%s is sent by the daemon, not to it", name);
		else
			snprintf(what, sizeof(what), "unknown message type 0x%04x%s", type,
				 type & 0x8000 ? " (types from 0x8000 are the daemon's)"
					       : " before HELLO");
		client_violation(c, f->hdr.id, type, what);
		return false;
	}
	if (!name || (c->hello && proto_type_minor(type) > c->minor)) {
		unknown_request(c, f, name);
		return false;
	}
	return true;
}

/* The size, the strings and every reserved byte; then HELLO must have come first. */
static bool
check_payload(struct client *c, const struct vhid_frame *f, void *m, size_t size)
{
	char what[200];

	if (proto_decode(f, m, size, what, sizeof(what)) < 0 ||
	    proto_check_reserved(f, what, sizeof(what)) < 0) {
		client_violation(c, f->hdr.id, f->hdr.type, what);
		return false;
	}
	if (!c->hello && f->hdr.type != VHID_MSG_HELLO) {
		snprintf(what, sizeof(what), "%s before HELLO", proto_type_name(f->hdr.type));
		client_violation(c, f->hdr.id, f->hdr.type, what);
		return false;
	}
	return true;
}

void
request_dispatch(struct client *c, const struct vhid_frame *f)
{
	union {
		struct vhid_msg_hello hello;
		struct vhid_msg_create create;
		struct vhid_msg_device device;
		struct vhid_msg_post post;
		struct vhid_msg_get_status status;
		struct vhid_msg_reset_all reset_all;
		struct vhid_msg_get_log get_log;
	} m;
	uint16_t type = f->hdr.type;

	if (!check_type(c, f))
		return;
	if (type == VHID_MSG_HELLO && c->hello) {
		client_violation(c, f->hdr.id, type, "a second HELLO");
		return;
	}
	if (type == VHID_MSG_HELLO && !check_hello_version(c, f))
		return;
	if (!check_payload(c, f, &m, sizeof(m)))
		return;
	switch (type) {
	case VHID_MSG_HELLO:
		handle_hello(c, f->hdr.id, &m.hello);
		break;
	case VHID_MSG_HEARTBEAT:
		reply(c, f->hdr.id, 0);
		break;
	case VHID_MSG_CREATE_DEVICE:
		handle_create(c, f->hdr.id, &m.create);
		break;
	case VHID_MSG_DESTROY_DEVICE:
		handle_destroy(c, f->hdr.id, &m.device);
		break;
	case VHID_MSG_RESET_DEVICE:
		handle_reset(c, f->hdr.id, &m.device);
		break;
	case VHID_MSG_POST_REPORT:
		handle_post(c, f->hdr.id, &m.post, f->payload + sizeof(m.post),
			    f->hdr.length - sizeof(m.post));
		break;
	case VHID_MSG_GET_STATUS:
		handle_status(c, f->hdr.id, &m.status);
		break;
	case VHID_MSG_RESET_ALL:
		handle_reset_all(c, f->hdr.id, &m.reset_all);
		break;
	case VHID_MSG_GET_LOG:
		handle_get_log(c, f->hdr.id, &m.get_log);
		break;
	}
}
