/*
 * vdev.c - uhid devices: creation, the kernel's requests, teardown (reports are
 * vdev-reports.c's, nodes and readers vdev-nodes.c's).
 * See vdev.h for the contract and DESIGN.md for why readiness is the driver
 * "bind" uevent rather than UHID_START.
 */
#include "vdev-private.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <linux/input.h>
#include <linux/uhid.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "descriptor.h"
#include "log.h"
#include "protocol.h"
#include "uevent.h"

static void finish_destroy(struct vdev *dev);

/*
 * The reaper: UHID_DESTROY (and close) run synchronously in the kernel and can
 * wait on hidraw's global lock, which a hidraw reader of *another* device holds
 * while it waits for our answer to its GET_REPORT: the loop would deadlock for
 * the kernel's 5 s timeout. So destroys happen on this thread, and the loop
 * keeps answering.
 */
static void *
reaper_main(void *arg)
{
	int in = *(int *)arg, fd;

	while (read(in, &fd, sizeof(fd)) == sizeof(fd)) {
		struct uhid_event ev = {.type = UHID_DESTROY};
		if (write(fd, &ev, sizeof(ev.type)) < 0) {
			/* the device is gone either way once its fd is closed */
		}
		close(fd);
	}
	return NULL;
}

static int
start_reaper(struct vdev_ctx *ctx)
{
	if (pipe2(ctx->reaper_pipe, O_CLOEXEC) < 0)
		return -errno;
	if (pthread_create(&ctx->reaper, NULL, reaper_main, &ctx->reaper_pipe[0]) != 0) {
		close(ctx->reaper_pipe[0]);
		close(ctx->reaper_pipe[1]);
		return -EAGAIN;
	}
	ctx->reaper_started = true;
	return 0;
}

/* Wait until every handed-over device is destroyed. */
static void
stop_reaper(struct vdev_ctx *ctx)
{
	if (!ctx->reaper_started)
		return;
	close(ctx->reaper_pipe[1]);
	pthread_join(ctx->reaper, NULL);
	close(ctx->reaper_pipe[0]);
	ctx->reaper_started = false;
}

/* epoll tags for the ctx's own fds; devices are tagged with their pointer */
static char tag_uevent, tag_timer, tag_inotify;

void
vdev_params_default(struct vdev_params *p, enum vhid_device_kind kind)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->bus = BUS_USB;
	p->vendor = 0x16c0; /* V-USB's shared IDs, as the seed system uses */
	p->version = 1;
	switch (kind) {
	case VHID_DEVICE_KEYBOARD:
		p->product = 0x27db;
		snprintf(p->name, sizeof(p->name), "vhid keyboard");
		break;
	case VHID_DEVICE_POINTER:
		p->product = 0x27da;
		snprintf(p->name, sizeof(p->name), "vhid pointer");
		break;
	case VHID_DEVICE_ABSOLUTE:
		p->product = 0x27d9;
		snprintf(p->name, sizeof(p->name), "vhid absolute pointer");
		break;
	}
}

/* ---- timers ---------------------------------------------------------- */

void
vdev_arm_timer(struct vdev_ctx *ctx)
{
	uint64_t next = 0;
	struct itimerspec its = {0};

	for (struct vdev *d = ctx->devices; d; d = d->next) {
		uint64_t t = d->deadline_ns;
		/* without uevents, pending devices are re-checked every 10 ms */
		if (ctx->uevent_fd < 0 && d->started && !d->ready && !d->failed)
			t = monotonic_ns() + POLL_INTERVAL_NS;
		if (d->settle_at_ns && (!t || d->settle_at_ns < t))
			t = d->settle_at_ns;
		if (d->led_late_until_ns && (!t || d->led_late_until_ns < t))
			t = d->led_late_until_ns;
		if (t && (!next || t < next))
			next = t;
	}
	if (next) {
		its.it_value.tv_sec = (time_t)(next / 1000000000ull);
		its.it_value.tv_nsec = (long)(next % 1000000000ull);
	}
	timerfd_settime(ctx->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* ---- kernel writes ------------------------------------------------------ */

int
vdev_uhid_write(struct vdev *dev, const struct uhid_event *ev, size_t len)
{
	ssize_t n;

	do
		n = write(dev->fd, ev, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == (ssize_t)len ? 0 : -EIO;
}

int
vdev_send_input(struct vdev *dev, const uint8_t *data, size_t len)
{
	struct uhid_event ev;
	int r;

	ev.type = UHID_INPUT2;
	ev.u.input2.size = (uint16_t)len;
	memcpy(ev.u.input2.data, data, len);
	r = vdev_uhid_write(dev, &ev, offsetof(struct uhid_event, u.input2.data) + len);
	if (r < 0)
		dev->write_error = r; /* vdev_post/vdev_reset decide what it means */
	return r;
}

/* ---- lifecycle ---------------------------------------------------------- */

void
vdev_fail(struct vdev *dev, int error, const char *why)
{
	if (dev->failed)
		return;
	dev->failed = true;
	dev->deadline_ns = 0;
	log_error("%s: %s", dev->params.label, why);
	if (dev->standby)
		vdev_standby_failed(dev);
	if (dev->listener && dev->listener->failed)
		dev->listener->failed(dev, error, dev->data);
}

static void
log_ready(struct vdev *dev)
{
	char nodes[200] = "";
	size_t n = 0;

	for (int i = 0; i < dev->n_evdev; i++)
		n += (size_t)snprintf(nodes + n, sizeof(nodes) - n, "%s%s", n ? " " : "",
				      dev->evdev[i]);
	if (dev->hidraw[0] && n < sizeof(nodes))
		snprintf(nodes + n, sizeof(nodes) - n, "%s%s", n ? " " : "", dev->hidraw);
	log_info("%s: ready after %.1f ms: %s", dev->params.label, (double)(dev->ready_ns) / 1e6,
		 nodes[0] ? nodes : "(no nodes)");
}

void
vdev_check_ready(struct vdev *dev)
{
	if (dev->ready || dev->failed || !dev->started || !dev->bound)
		return;
	dev->ready = true;
	dev->deadline_ns = 0;
	dev->ready_ns = monotonic_ns() - dev->created_ns;
	log_ready(dev);
	vdev_led_probe_start(dev);
	if (dev->listener && dev->listener->ready)
		dev->listener->ready(dev, dev->data);
}

static void
on_start(struct vdev *dev, uint64_t flags)
{
	dev->started = true;
	dev->deadline_ns = monotonic_ns() + dev->ctx->ready_timeout_ns;
	log_info("%s: start (dev_flags 0x%llx)", dev->params.label, (unsigned long long)flags);
	vdev_check_ready(dev);
}

/* UHID_OPEN/CLOSE: the first and last in-kernel handle. A keyboard is opened by
 * the kernel's own kbd handler, so this is logged but readers come from inotify. */
static void
on_open(struct vdev *dev, bool open)
{
	if (dev->open == open)
		return;
	dev->open = open;
	log_info("%s: %s", dev->params.label, open ? "open" : "close");
}

static bool
is_pointer_kind(const struct vdev *dev)
{
	return dev->params.kind == VHID_DEVICE_POINTER || dev->params.kind == VHID_DEVICE_ABSOLUTE;
}

/* The bytes of report (rtype, rnum) as the device holds it now; 0 if none. */
static size_t
current_report(const struct vdev *dev, uint8_t rtype, uint8_t rnum, uint8_t *out)
{
	const uint8_t *src = NULL;
	size_t len = 0;

	if (rtype == UHID_FEATURE_REPORT && rnum == VHID_REPORT_MULTIPLIER &&
	    is_pointer_kind(dev)) {
		out[0] = VHID_REPORT_MULTIPLIER;
		memcpy(out + 1, dev->multiplier, 2);
		return MULTIPLIER_REPORT_SIZE;
	}
	if (rtype == UHID_OUTPUT_REPORT && rnum == VHID_REPORT_LED &&
	    dev->params.kind == VHID_DEVICE_KEYBOARD) {
		out[0] = VHID_REPORT_LED;
		out[1] = dev->leds;
		return LED_REPORT_SIZE;
	}
	if (rtype != UHID_INPUT_REPORT)
		return 0;
	if (is_pointer_kind(dev) && rnum == VHID_REPORT_POINTER) {
		src = dev->last_pointer;
		len = sizeof(dev->last_pointer);
	} else if (dev->params.kind == VHID_DEVICE_KEYBOARD) {
		if (rnum == VHID_REPORT_KEYBOARD)
			src = dev->last_keyboard, len = sizeof(dev->last_keyboard);
		else if (rnum == VHID_REPORT_CONSUMER)
			src = dev->last_consumer, len = sizeof(dev->last_consumer);
		else if (rnum == VHID_REPORT_SYSTEM)
			src = dev->last_system, len = sizeof(dev->last_system);
	}
	if (src)
		memcpy(out, src, len);
	return len;
}

/* The kernel blocks (up to 5 s) until it gets this reply: answer at once. */
static void
on_get_report(struct vdev *dev, const struct uhid_get_report_req *req)
{
	struct uhid_event ev;
	size_t len;

	memset(&ev, 0, offsetof(struct uhid_event, u.get_report_reply.data));
	ev.type = UHID_GET_REPORT_REPLY;
	ev.u.get_report_reply.id = req->id;
	len = current_report(dev, req->rtype, req->rnum, ev.u.get_report_reply.data);
	ev.u.get_report_reply.err = len ? 0 : EIO;
	ev.u.get_report_reply.size = (uint16_t)len;
	log_debug("%s: GET_REPORT type %u id %u -> %zu bytes", dev->params.label, req->rtype,
		  req->rnum, len);
	vdev_uhid_write(dev, &ev, offsetof(struct uhid_event, u.get_report_reply.data) + len);
}

static void
on_set_report(struct vdev *dev, const struct uhid_set_report_req *req)
{
	struct uhid_event ev;
	uint16_t err = EIO;

	if (req->rtype == UHID_FEATURE_REPORT && req->rnum == VHID_REPORT_MULTIPLIER &&
	    is_pointer_kind(dev) && req->size >= MULTIPLIER_REPORT_SIZE) {
		memcpy(dev->multiplier, req->data + 1, 2);
		log_debug("%s: resolution multipliers set to %u/%u", dev->params.label,
			  dev->multiplier[0], dev->multiplier[1]);
		err = 0;
	} else if (req->rtype == UHID_OUTPUT_REPORT && req->rnum == VHID_REPORT_LED &&
		   dev->params.kind == VHID_DEVICE_KEYBOARD && req->size >= LED_REPORT_SIZE) {
		err = 0;
	}
	ev.type = UHID_SET_REPORT_REPLY;
	ev.u.set_report_reply.id = req->id;
	ev.u.set_report_reply.err = err;
	vdev_uhid_write(dev, &ev,
			offsetof(struct uhid_event, u.set_report_reply) +
				sizeof(ev.u.set_report_reply));
	/* report LEDs after replying: the callback may be slow or destroy dev */
	if (!err && req->rtype == UHID_OUTPUT_REPORT)
		vdev_led_output(dev, req->data[1]);
}

static void
on_output(struct vdev *dev, const struct uhid_output_req *out)
{
	if (out->rtype == UHID_OUTPUT_REPORT && out->size >= LED_REPORT_SIZE &&
	    out->data[0] == VHID_REPORT_LED && dev->params.kind == VHID_DEVICE_KEYBOARD)
		vdev_led_output(dev, out->data[1]);
	else
		log_debug("%s: ignoring output report type %u, %u bytes", dev->params.label,
			  out->rtype, out->size);
}

void
vdev_handle_uhid_event(struct vdev *dev, const struct uhid_event *ev)
{
	switch (ev->type) {
	case UHID_START:
		on_start(dev, ev->u.start.dev_flags);
		break;
	case UHID_STOP:
		/* we only see this if the driver went away while we still exist */
		log_info("%s: stop", dev->params.label);
		if (dev->ready)
			vdev_fail(dev, -ENODEV, "the kernel stopped the device (driver unbound)");
		break;
	case UHID_OPEN:
		on_open(dev, true);
		break;
	case UHID_CLOSE:
		on_open(dev, false);
		break;
	case UHID_OUTPUT:
		on_output(dev, &ev->u.output);
		break;
	case UHID_GET_REPORT:
		on_get_report(dev, &ev->u.get_report);
		break;
	case UHID_SET_REPORT:
		on_set_report(dev, &ev->u.set_report);
		break;
	default:
		log_debug("%s: ignoring uhid event %u", dev->params.label, ev->type);
	}
}

static void
dispatch_device(struct vdev *dev)
{
	struct uhid_event ev;

	while (!dev->dead) {
		ssize_t n = read(dev->fd, &ev, sizeof(ev));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < (ssize_t)sizeof(ev.type)) {
			vdev_fail(dev, -EIO, "reading /dev/uhid failed");
			return;
		}
		vdev_handle_uhid_event(dev, &ev);
	}
}

static void
dispatch_timer(struct vdev_ctx *ctx)
{
	uint64_t expirations, now = monotonic_ns();

	if (read(ctx->timer_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		return;
	for (struct vdev *d = ctx->devices, *next; d; d = next) {
		next = d->next;
		vdev_settle_readers(d, now);
		vdev_led_probe_expire(d, now);
		if (d->lingering && now >= d->deadline_ns && !vdev_standby_recycle(d)) {
			finish_destroy(d);
			continue;
		}
		if (d->standby && d->failed && now >= d->deadline_ns) {
			finish_destroy(d);
			continue;
		}
		if (d->dead || d->failed || d->ready || d->lingering)
			continue;
		if (d->started &&
		    (ctx->uevent_fd < 0 || (d->deadline_ns && now >= d->deadline_ns))) {
			vdev_resolve_sysfs(
				d); /* fallback polling, or a last look before giving up */
			if (d->ready && ctx->uevent_fd >= 0)
				log_warn("%s: its uevents were lost: ready only at its deadline",
					 d->params.label);
		}
		if (d->ready || !d->deadline_ns || now < d->deadline_ns)
			continue;
		if (!d->started)
			vdev_fail(d, -VHID_ENODRIVER,
				  "no HID driver bound the device (no UHID_START): "
				  "is hid-generic loaded? try 'modprobe hid-generic'");
		else
			vdev_fail(d, -ETIMEDOUT,
				  "started, but the kernel never finished binding it");
	}
}

/* ---- context ------------------------------------------------------------- */

static int
epoll_add(int epfd, int fd, void *tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = tag};

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int
vdev_ctx_new(const struct vdev_ctx_options *opts, struct vdev_ctx **out)
{
	struct vdev_ctx *ctx = calloc(1, sizeof(*ctx));
	int r;

	if (!ctx)
		return -ENOMEM;
	snprintf(ctx->uhid_path, sizeof(ctx->uhid_path), "%s",
		 opts && opts->uhid_path ? opts->uhid_path : "/dev/uhid");
	ctx->start_timeout_ns =
		(uint64_t)(opts && opts->start_timeout_ms > 0 ? opts->start_timeout_ms : 5000) *
		1000000ull;
	ctx->ready_timeout_ns =
		(uint64_t)(opts && opts->ready_timeout_ms > 0 ? opts->ready_timeout_ms : 5000) *
		1000000ull;
	ctx->linger_ns = !opts || opts->linger_ms == 0 ? 100000000ull
			 : opts->linger_ms < 0         ? 0
						       : (uint64_t)opts->linger_ms * 1000000ull;
	ctx->keep_ns = VDEV_DEFAULT_KEEP_MS * 1000000ull;
	ctx->uevent_fd = -1;
	ctx->inotify_fd = -1;
	ctx->input_wd = ctx->dev_wd = ctx->udev_wd = -1;
	ctx->epfd = epoll_create1(EPOLL_CLOEXEC);
	ctx->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (ctx->epfd < 0 || ctx->timer_fd < 0) {
		r = -errno;
		goto fail;
	}
	if ((r = epoll_add(ctx->epfd, ctx->timer_fd, &tag_timer)) < 0)
		goto fail;
	if (start_reaper(ctx) < 0)
		log_warn("no reaper thread: device destruction will run inline");
	ctx->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ctx->inotify_fd < 0)
		log_warn("inotify unavailable (%s): readers of devices will not be reported",
			 strerror(errno));
	else if ((r = epoll_add(ctx->epfd, ctx->inotify_fd, &tag_inotify)) < 0)
		goto fail;
	if (ctx->inotify_fd >= 0) {
		vdev_watch_input_dir(ctx);
		vdev_watch_udev(ctx);
	}
	ctx->uevent_fd = uevent_open();
	if (ctx->uevent_fd < 0) {
		log_warn("kernel uevents unavailable (%s); readiness falls back to polling sysfs",
			 strerror(-ctx->uevent_fd));
		ctx->uevent_fd = -1;
	} else if ((r = epoll_add(ctx->epfd, ctx->uevent_fd, &tag_uevent)) < 0) {
		goto fail;
	}
	*out = ctx;
	return 0;
fail:
	vdev_ctx_free(ctx);
	return r;
}

static void
free_graveyard(struct vdev_ctx *ctx)
{
	while (ctx->graveyard) {
		struct vdev *d = ctx->graveyard;
		ctx->graveyard = d->next;
		free(d);
	}
}

void
vdev_ctx_free(struct vdev_ctx *ctx)
{
	if (!ctx)
		return;
	ctx->linger_ns = 0; /* no event loop left to wait in */
	while (ctx->devices) {
		struct vdev *d = ctx->devices;
		if (d->lingering)
			finish_destroy(d);
		else
			vdev_destroy(d);
	}
	free_graveyard(ctx);
	stop_reaper(ctx); /* every device is gone from the kernel when this returns */
	if (ctx->uevent_fd >= 0)
		close(ctx->uevent_fd);
	if (ctx->inotify_fd >= 0)
		close(ctx->inotify_fd);
	free(ctx->nodes);
	if (ctx->timer_fd >= 0)
		close(ctx->timer_fd);
	if (ctx->epfd >= 0)
		close(ctx->epfd);
	free(ctx);
}

int
vdev_ctx_get_fd(struct vdev_ctx *ctx)
{
	return ctx->epfd;
}

bool
vdev_ctx_has_uevents(const struct vdev_ctx *ctx)
{
	return ctx->uevent_fd >= 0;
}

bool
vdev_ctx_has_readers(const struct vdev_ctx *ctx)
{
	return ctx->readers_ok;
}

int
vdev_ctx_dispatch(struct vdev_ctx *ctx)
{
	struct epoll_event events[32];
	int n;

	do
		n = epoll_wait(ctx->epfd, events, 32, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	ctx->dispatching++;
	for (int i = 0; i < n; i++) {
		void *tag = events[i].data.ptr;
		if (tag == &tag_uevent)
			vdev_dispatch_uevents(ctx);
		else if (tag == &tag_inotify)
			vdev_dispatch_inotify(ctx);
		else if (tag == &tag_timer)
			dispatch_timer(ctx);
		else
			dispatch_device(tag);
	}
	vdev_flush_led_writes(ctx);
	ctx->dispatching--;
	if (!ctx->dispatching)
		free_graveyard(ctx);
	vdev_arm_timer(ctx);
	return 0;
}

/* ---- devices ------------------------------------------------------------- */

static int
open_uhid(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
		return -VHID_ENOUHID;
	return -errno;
}

static int
write_create2(struct vdev *dev)
{
	const struct vdev_params *p = &dev->params;
	struct uhid_event ev;
	const uint8_t *rd;
	size_t rd_len;

	rd = descriptor_get(p->kind, &rd_len);
	memset(&ev, 0, sizeof(ev));
	ev.type = UHID_CREATE2;
	memcpy(ev.u.create2.name, p->name, sizeof(p->name));
	memcpy(ev.u.create2.phys, p->phys, sizeof(p->phys));
	memcpy(ev.u.create2.uniq, p->uniq, sizeof(p->uniq));
	ev.u.create2.rd_size = (uint16_t)rd_len;
	ev.u.create2.bus = p->bus;
	ev.u.create2.vendor = p->vendor;
	ev.u.create2.product = p->product;
	ev.u.create2.version = p->version;
	ev.u.create2.country = p->country;
	memcpy(ev.u.create2.rd_data, rd, rd_len);
	return vdev_uhid_write(dev, &ev, offsetof(struct uhid_event, u.create2.rd_data) + rd_len);
}

static void
init_reports(struct vdev *dev)
{
	dev->last_keyboard[0] = VHID_REPORT_KEYBOARD;
	dev->last_consumer[0] = VHID_REPORT_CONSUMER;
	dev->last_system[0] = VHID_REPORT_SYSTEM;
	dev->last_pointer[0] = VHID_REPORT_POINTER;
}

int
vdev_create(struct vdev_ctx *ctx, const struct vdev_params *params,
	    const struct vdev_listener *listener, void *data, struct vdev **out)
{
	struct vdev *dev;
	size_t rd_len;
	int r;

	if (!descriptor_get(params->kind, &rd_len) || !params->uniq[0] ||
	    !memchr(params->name, 0, sizeof(params->name)) ||
	    !memchr(params->uniq, 0, sizeof(params->uniq)) ||
	    !memchr(params->phys, 0, sizeof(params->phys)))
		return -EINVAL;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	dev->ctx = ctx;
	dev->params = *params;
	if (!dev->params.label[0])
		snprintf(dev->params.label, sizeof(dev->params.label), "%s \"%.64s\"",
			 proto_kind_name(params->kind), params->name);
	dev->listener = listener;
	dev->data = data;
	init_reports(dev);
	dev->fd = open_uhid(ctx->uhid_path);
	if (dev->fd < 0) {
		r = dev->fd;
		log_error("%s: cannot open %s: %s", dev->params.label, ctx->uhid_path,
			  vhid_strerror(r));
		free(dev);
		return r;
	}
	dev->created_ns = monotonic_ns();
	if ((r = write_create2(dev)) < 0 || (r = epoll_add(ctx->epfd, dev->fd, dev)) < 0) {
		log_error("%s: UHID_CREATE2 failed: %s", dev->params.label, strerror(-r));
		close(dev->fd);
		free(dev);
		return r;
	}
	dev->deadline_ns = dev->created_ns + ctx->start_timeout_ns;
	dev->next = ctx->devices;
	ctx->devices = dev;
	vdev_arm_timer(ctx);
	log_info("%s: create (%04x:%04x bus 0x%02x country %u, phys %s, uniq %s)",
		 dev->params.label, params->vendor, params->product, params->bus, params->country,
		 params->phys[0] ? params->phys : "-", params->uniq);
	*out = dev;
	return 0;
}

static void
unlink_device(struct vdev *dev)
{
	struct vdev **pp = &dev->ctx->devices;

	while (*pp && *pp != dev)
		pp = &(*pp)->next;
	if (*pp)
		*pp = dev->next;
}

static void
finish_destroy(struct vdev *dev)
{
	struct vdev_ctx *ctx = dev->ctx;
	struct uhid_event ev;

	/* out of the loop first: from here the fd belongs to the reaper */
	epoll_ctl(ctx->epfd, EPOLL_CTL_DEL, dev->fd, NULL);
	if (ctx->reaper_started &&
	    write(ctx->reaper_pipe[1], &dev->fd, sizeof(dev->fd)) == sizeof(dev->fd)) {
		dev->fd = -1;
	} else {
		ev.type = UHID_DESTROY;
		vdev_uhid_write(dev, &ev, sizeof(ev.type));
		close(dev->fd);
	}
	dev->dead = true;
	log_info("%s: destroy", dev->params.label);
	unlink_device(dev);
	if (ctx->dispatching) {
		dev->next = ctx->graveyard;
		ctx->graveyard = dev;
	} else {
		free(dev);
	}
}

/* Another kept device of the same owner and kind goes its ordinary way: one each. */
static void
unkeep_others(struct vdev *dev, uint64_t now)
{
	for (struct vdev *d = dev->ctx->devices; d; d = d->next) {
		if (d == dev || !d->kept || d->params.owner != dev->params.owner ||
		    d->params.kind != dev->params.kind)
			continue;
		d->kept = false;
		d->deadline_ns = now + dev->ctx->linger_ns;
	}
}

/*
 * Release everything through the normal report path, then keep the device a
 * while before UHID_DESTROY: evdev refuses to hand buffered events to readers
 * once the device is gone, so a compositor reading a moment later would never
 * see the last events, the key-ups among them. What a reader has consumed
 * cannot be seen from here (DESIGN §9), so a device somebody reads is kept for
 * seconds, as plugged-in hardware stays, and its owner's next client of the
 * same kind and identity takes it over (vdev_adopt) instead of making the
 * desktop discover a new one. Others linger briefly.
 */
void
vdev_destroy(struct vdev *dev)
{
	struct vdev_ctx *ctx;
	uint64_t now = monotonic_ns();

	if (!dev || dev->dead || dev->lingering)
		return;
	ctx = dev->ctx;
	/* the caller's handle ends here; a reader's settle goes on: a kept or standby
	 * keyboard's next client gets that reader, reported once it has settled */
	dev->listener = NULL;
	if (dev->ready && !dev->failed && ctx->linger_ns) {
		vdev_reset(dev);
		if (vdev_standby_recycle(dev)) {
			vdev_arm_timer(ctx);
			return;
		}
		dev->lingering = true;
		dev->kept = dev->raw_readers > 0 && ctx->keep_ns > ctx->linger_ns;
		dev->deadline_ns = now + (dev->kept ? ctx->keep_ns : ctx->linger_ns);
		if (dev->kept) {
			unkeep_others(dev, now);
			log_info("%s: released; kept %llu ms for its owner", dev->params.label,
				 (unsigned long long)(ctx->keep_ns / 1000000ull));
		}
		vdev_arm_timer(ctx);
		return;
	}
	finish_destroy(dev);
	vdev_arm_timer(ctx);
}

static bool
same_device(const struct vdev_params *a, const struct vdev_params *b)
{
	return a->owner == b->owner && a->kind == b->kind && a->bus == b->bus &&
	       a->vendor == b->vendor && a->product == b->product && a->version == b->version &&
	       a->country == b->country && strcmp(a->name, b->name) == 0;
}

struct vdev *
vdev_adopt(struct vdev_ctx *ctx, const struct vdev_params *params,
	   const struct vdev_listener *listener, void *data)
{
	struct vdev *d;

	/* a pointer that was sent part of a wheel notch is not taken over: hid-input
	 * keeps the remainder per device, and it would shift the next one's scroll */
	for (d = ctx->devices; d; d = d->next)
		if (d->kept && !d->dead && !d->failed && !d->partial_wheel &&
		    same_device(&d->params, params))
			break;
	if (!d && !(d = vdev_standby_take(ctx, params)))
		return NULL;
	/* a kept one's deadline was its keep; a standby still being made keeps its
	 * start or ready timeout */
	if (d->lingering)
		d->deadline_ns = 0;
	d->kept = d->lingering = false;
	d->listener = listener;
	d->data = data;
	log_info("%s: taken over by %s", d->params.label, params->label);
	snprintf(d->params.label, sizeof(d->params.label), "%s", params->label);
	vdev_arm_timer(ctx);
	return d;
}

void
vdev_ctx_set_keep(struct vdev_ctx *ctx, unsigned int keep_ms)
{
	ctx->keep_ns = (uint64_t)keep_ms * 1000000ull;
}

void
vdev_ctx_release_kept(struct vdev_ctx *ctx)
{
	uint64_t now = monotonic_ns();

	for (struct vdev *d = ctx->devices; d; d = d->next) {
		if (!d->kept)
			continue;
		d->kept = false;
		if (d->deadline_ns > now + ctx->linger_ns)
			d->deadline_ns = now + ctx->linger_ns;
	}
	vdev_arm_timer(ctx);
}

int
vdev_ctx_lingering(const struct vdev_ctx *ctx)
{
	int n = 0;

	for (const struct vdev *d = ctx->devices; d; d = d->next)
		n += d->lingering;
	return n;
}

/* ---- accessors ----------------------------------------------------------- */

const struct vdev_params *
vdev_get_params(const struct vdev *dev)
{
	return &dev->params;
}

bool
vdev_is_ready(const struct vdev *dev)
{
	return dev->ready && !dev->failed;
}

unsigned int
vdev_get_readers(const struct vdev *dev)
{
	return dev->readers;
}

uint8_t
vdev_get_leds(const struct vdev *dev)
{
	return dev->leds;
}

const char *
vdev_get_evdev(const struct vdev *dev, int i)
{
	return i >= 0 && i < dev->n_evdev ? dev->evdev[i] : NULL;
}

const char *
vdev_get_hidraw(const struct vdev *dev)
{
	return dev->hidraw[0] ? dev->hidraw : NULL;
}

const char *
vdev_get_syspath(const struct vdev *dev)
{
	return dev->devpath[0] ? dev->devpath : NULL;
}

uint64_t
vdev_get_ready_ns(const struct vdev *dev)
{
	return dev->ready ? dev->ready_ns : 0;
}
