/*
 * device.c - libvhid's device handles: creation, reports, and the
 * press/release helpers that keep each device's held keys and buttons.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "wayland.h"
#include "x11.h"
#include "report.h"
#include "usage.h"

void
device_clear_state(struct vhid_device *d)
{
	memset(&d->keyboard, 0, sizeof(d->keyboard));
	memset(d->consumer, 0, sizeof(d->consumer));
	memset(d->system, 0, sizeof(d->system));
	d->buttons = 0;
}

int
device_create_remote(struct vhid_device *d)
{
	struct answer a = {.created_id = &d->id};

	d->id = 0; /* no push names 0: the old id's are not this device's any more */
	d->ready = false;
	d->gone = 0;
	d->readers = 0;
	d->evdev[0] = d->hidraw[0] = '\0';
	device_clear_state(d);
	return client_transact(d->client, VHID_MSG_CREATE_DEVICE, &d->params, NULL, 0, &a);
}

/* Reserved members are where later ones go: a caller that sets one today would be
 * misread by the library that gives it a meaning. */
static int
check_params(struct vhid_client *c, const struct vhid_device_params *p)
{
	if (!p || p->kind < VHID_DEVICE_KEYBOARD || p->kind > VHID_DEVICE_ABSOLUTE)
		return client_fail(c, -EINVAL, "unknown device kind %d", p ? (int)p->kind : -1);
	if (p->name && strlen(p->name) >= VHID_DEVNAME_LEN)
		return client_fail(c, -EMSGSIZE, "device name longer than %d bytes",
				   VHID_DEVNAME_LEN - 1);
	if (p->reserved0)
		return client_fail(c, -EINVAL,
				   "struct vhid_device_params: reserved0 is 0x%x, must be 0",
				   p->reserved0);
	for (size_t i = 0; i < sizeof(p->reserved) / sizeof(p->reserved[0]); i++)
		if (p->reserved[i])
			return client_fail(
				c, -EINVAL,
				"struct vhid_device_params: reserved[%zu] is 0x%x, must be 0", i,
				(unsigned int)p->reserved[i]);
	if (p->kind == VHID_DEVICE_ABSOLUTE)
		return client_need_cap(c, VHID_CAP_ABSOLUTE, "CREATE_DEVICE kind 3",
				       "an absolute pointer");
	return 0;
}

VHID_EXPORT int
vhid_device_create(struct vhid_client *c, const struct vhid_device_params *p,
		   struct vhid_device **out)
{
	struct vhid_device *d;
	int r;

	if ((r = check_params(c, p)) < 0)
		return r;
	if (!c->connected)
		return client_fail(c, -ENOTCONN, "not connected to vhidd");
	d = calloc(1, sizeof(*d));
	if (!d)
		return client_fail(c, -ENOMEM, "out of memory");
	d->client = c;
	d->serial = ++c->next_serial;
	d->kind = p->kind;
	d->type_delay_ms = VHID_DEFAULT_TYPE_DELAY_MS;
	d->type_burst = VHID_DEFAULT_TYPE_BURST;
	d->params.kind = (uint8_t)p->kind;
	d->params.country = p->country;
	d->params.bus = p->bus;
	d->params.vendor = p->vendor;
	d->params.product = p->product;
	d->params.version = p->version;
	proto_set_string(d->params.name, sizeof(d->params.name), p->name);
	/* listed before the request: pushes may follow its reply at once */
	d->next = c->devices;
	c->devices = d;
	if ((r = device_create_remote(d)) < 0) {
		c->devices = d->next;
		free(d);
		return r;
	}
	*out = d;
	return 0;
}

VHID_EXPORT int
vhid_device_wait_ready(struct vhid_device *d, int timeout_ms)
{
	struct vhid_client *c = d->client;
	uint64_t end = monotonic_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
	struct pollfd p = {.fd = c->epfd, .events = POLLIN};
	uint32_t id = d->id;

	while (!d->ready) {
		uint64_t now = monotonic_ms();
		if (d->gone)
			return client_fail(c, d->gone, "device 0x%x failed: %s", id,
					   vhid_strerror(d->gone));
		if (!c->connected && !c->reconnect)
			return client_fail(c, -ENOTCONN, "not connected to vhidd");
		if (now >= end)
			return client_fail(c, -ETIMEDOUT, "device 0x%x not ready after %d ms", id,
					   timeout_ms);
		poll(&p, 1, (int)(end - now));
		int r = vhid_client_dispatch(c);
		if (r == -EBUSY)
			return client_fail(c, -EBUSY,
					   "vhid_device_wait_ready() cannot run inside a callback");
		/* the callback may have destroyed d: look it up by id before touching it */
		if (!client_find_device(c, id) && c->connected)
			return client_fail(c, -ENODEV, "device destroyed while waiting");
	}
	return 0;
}

static void
unlink_device(struct vhid_device *d)
{
	struct vhid_device **pp = &d->client->devices;

	while (*pp && *pp != d)
		pp = &(*pp)->next;
	if (*pp)
		*pp = d->next;
}

VHID_EXPORT int
vhid_device_destroy(struct vhid_device *d)
{
	struct vhid_client *c;
	struct vhid_msg_device m;
	struct answer a = {0};
	int r = 0;

	if (!d)
		return 0;
	c = d->client;
	m.device = d->id;
	if (c->connected && d->id) {
		if (c->pipelined)
			r = client_send_async(c, VHID_MSG_DESTROY_DEVICE, &m, NULL, 0, 0);
		else
			r = client_transact(c, VHID_MSG_DESTROY_DEVICE, &m, NULL, 0, &a);
	}
	unlink_device(d);
	typing_free(d);
	free(d);
	return r == -ENODEV ? 0 : r; /* already gone is fine */
}

VHID_EXPORT int
vhid_device_reset(struct vhid_device *d)
{
	struct vhid_msg_device m = {.device = d->id};
	struct answer a = {0};

	device_clear_state(d);
	if (!d->client->connected)
		return client_fail(d->client, -ENOTCONN, "not connected to vhidd");
	if (d->client->pipelined)
		return client_send_async(d->client, VHID_MSG_RESET_DEVICE, &m, NULL, 0, d->id);
	return client_transact(d->client, VHID_MSG_RESET_DEVICE, &m, NULL, 0, &a);
}

static bool
is_apple_report(const struct vhid_device *d, const void *report)
{
	uint8_t id = *(const uint8_t *)report;

	return d->kind == VHID_DEVICE_KEYBOARD &&
	       (id == VHID_REPORT_APPLE_TOP_CASE || id == VHID_REPORT_APPLE_KEYBOARD);
}

int
device_post(struct vhid_device *d, const void *report, size_t len, bool wait, uint32_t *tracked)
{
	struct vhid_client *c = d->client;
	struct vhid_msg_post m = {.device = d->id};
	struct answer a = {0};
	char msg[200];
	int r;

	/* the daemon checks too; checking here saves a round trip and names the problem */
	r = vhid_report_validate(d->kind, report, len, msg, sizeof(msg));
	if (r < 0)
		return client_fail(c, r, "%s", msg);
	if (!c->connected)
		return client_fail(c, -ENOTCONN, "not connected to vhidd");
	if (is_apple_report(d, report) &&
	    (r = client_need_cap(c, VHID_CAP_APPLE_TRANSLATION, "POST_REPORT of report 3 or 4",
				 "an Apple usage")) < 0)
		return r;
	if (!d->ready)
		return client_fail(c, d->gone ? d->gone : -VHID_ENOTREADY,
				   d->gone ? "the device is gone"
					   : "the device is not ready yet (wait for ready)");
	if (!wait && tracked)
		return client_send_tracked(c, VHID_MSG_POST_REPORT, &m, report, len, d->id,
					   tracked);
	if (!wait) {
		m.flags = VHID_POST_NO_REPLY;
		return client_send_async(c, VHID_MSG_POST_REPORT, &m, report, len, d->id);
	}
	return client_transact(c, VHID_MSG_POST_REPORT, &m, report, len, &a);
}

VHID_EXPORT int
vhid_device_post(struct vhid_device *d, const void *report, size_t len)
{
	return device_post(d, report, len, !d->client->pipelined, NULL);
}

VHID_EXPORT int
vhid_device_send(struct vhid_device *d, const void *report, size_t len)
{
	return device_post(d, report, len, false, NULL);
}

VHID_EXPORT int
vhid_device_is_ready(const struct vhid_device *d)
{
	return d->ready;
}

VHID_EXPORT enum vhid_device_kind
vhid_device_get_kind(const struct vhid_device *d)
{
	return d->kind;
}

VHID_EXPORT uint32_t
vhid_device_get_id(const struct vhid_device *d)
{
	return d->id;
}

VHID_EXPORT const char *
vhid_device_get_evdev(const struct vhid_device *d)
{
	return d->ready && d->evdev[0] ? d->evdev : NULL;
}

VHID_EXPORT const char *
vhid_device_get_hidraw(const struct vhid_device *d)
{
	return d->ready && d->hidraw[0] ? d->hidraw : NULL;
}

VHID_EXPORT unsigned int
vhid_device_get_leds(const struct vhid_device *d)
{
	return d->leds;
}

VHID_EXPORT unsigned int
vhid_device_get_readers(const struct vhid_device *d)
{
	return d->readers;
}

/*
 * One step of vhid_device_wait_reader(): poll the client, and the X server's fd
 * when XFD >= 0 (then at most 100 ms: its state is re-checked without an event
 * too), until END; then dispatch.
 * @return 0, -EBUSY (called from a callback) or -ENODEV (a callback destroyed
 *         device ID), already reported.
 */
static int
reader_wait_step(struct vhid_client *c, uint32_t id, int xfd, uint64_t end)
{
	uint64_t now = monotonic_ms(), left = end > now ? end - now : 0;
	struct pollfd p[2] = {{.fd = c->epfd, .events = POLLIN}, {.fd = xfd, .events = POLLIN}};

	poll(p, xfd >= 0 ? 2 : 1, (int)(xfd >= 0 && left > 100 ? 100 : left));
	if (vhid_client_dispatch(c) == -EBUSY)
		return client_fail(c, -EBUSY,
				   "vhid_device_wait_reader() cannot run inside a callback");
	if (!client_find_device(c, id))
		return client_fail(c, -ENODEV, "device destroyed while waiting");
	return 0;
}

/*
 * Under an X server that reads evdev itself, its enable is the answer, and vhidd's
 * count (a settle, when every LED is off) adds only delay: wait for the server's
 * word alone. Where the server does not enable the device in time (its session
 * is not the active one) vhidd's reader stands: it may be another session's.
 * @return 0, 1 when there is no such server, or a negative error.
 */
static int
wait_x11_enabled(struct vhid_device *d, uint64_t end, int timeout_ms)
{
	struct vhid_client *c = d->client;
	struct x11_watch *w = d->ready ? x11_watch_new(d->evdev) : NULL;
	uint32_t id = d->id;
	int rc = 0, enabled;

	if (!w)
		return 1;
	while ((enabled = x11_watch_check(w, d->readers > 0)) == 0 && monotonic_ms() < end &&
	       (rc = reader_wait_step(c, id, x11_watch_fd(w), end)) == 0)
		;
	x11_watch_free(w);
	if (rc == 0 && enabled < 0)
		return 1; /* the server went away: vhidd's count, in the time that is left */
	if (rc == 0 && enabled == 0 && d->readers == 0)
		rc = client_fail(c, -ETIMEDOUT,
				 "the X server did not enable device 0x%x within %d ms", id,
				 timeout_ms);
	return rc;
}

/*
 * Under a Wayland compositor whose seat had no pointer, its clients get a new
 * pointer's events only once they have taken up the seat's announcement of it
 * (wayland.c), and weston makes that announcement only when the pointer first
 * moves: so move it one unit right and back, as vhidctl's hover does (DESIGN.md
 * 9), and wait for the announcement and the clients' settle. Where it does not
 * come in time (the device went to another seat), vhidd's reader stands.
 * @return 0 or a negative error.
 */
static int
wait_wayland_seat(struct vhid_device *d, struct wl_watch *w, uint64_t end)
{
	uint32_t id = d->id;
	int rc = 0;

	if (!wl_watch_announced(w)) {
		if ((rc = vhid_pointer_move(d, 1, 0)) < 0 || (rc = vhid_pointer_move(d, -1, 0)) < 0)
			return rc;
		wl_watch_moved(w);
	}
	while (wl_watch_check(w) == 0 && monotonic_ms() < end &&
	       (rc = reader_wait_step(d->client, id, wl_watch_fd(w), end)) == 0)
		;
	return rc;
}

/*
 * After vhidd's reader, under a Wayland compositor: one round trip, which the
 * compositor answers only once back in its event loop, after its setup of the
 * device whose open vhidd saw (wayland.c). Where no answer comes in time, vhidd's
 * reader stands.
 * @return 0 or a negative error.
 */
static int
wait_wayland_fence(struct vhid_device *d, struct wl_watch *w, uint64_t end)
{
	uint32_t id = d->id;
	int rc = 0;

	if (wl_watch_fence(w) < 0)
		return 0;
	while (wl_watch_fenced(w) == 0 && monotonic_ms() < end &&
	       (rc = reader_wait_step(d->client, id, wl_watch_fd(w), end)) == 0)
		;
	return rc;
}

static int
wait_vhidd_reader(struct vhid_device *d, uint64_t end, int timeout_ms)
{
	struct vhid_client *c = d->client;
	uint32_t id = d->id;
	int r;

	while (d->readers == 0) {
		if (!d->ready)
			return client_fail(c, -VHID_ENOTREADY, "device 0x%x is not ready", id);
		if (monotonic_ms() >= end)
			return client_fail(c, -ETIMEDOUT, "nothing opened device 0x%x within %d ms",
					   id, timeout_ms);
		if ((r = reader_wait_step(c, id, -1, end)) < 0)
			return r;
	}
	return 0;
}

VHID_EXPORT int
vhid_device_wait_reader(struct vhid_device *d, int timeout_ms)
{
	uint64_t end = monotonic_ms() + (uint64_t)(timeout_ms < 0 ? 0 : timeout_ms);
	/* before anything is waited for: the seat's state without this device. Only
	 * for pointers: a keyboard's readiness is the desktop's LED write, which
	 * vhidd sees (DESIGN.md 21) */
	struct wl_watch *w = d->ready && d->kind != VHID_DEVICE_KEYBOARD ? wl_watch_new(end) : NULL;
	int r = wait_x11_enabled(d, end, timeout_ms);

	if (r == 1)
		r = wait_vhidd_reader(d, end, timeout_ms);
	/* the seat's announcement only for a relative pointer: an absolute one cannot
	 * move without going somewhere (its first motion places the pointer, and the
	 * clients' enter carries that place) */
	if (r == 0 && w && d->kind == VHID_DEVICE_POINTER && !wl_watch_had_pointer(w))
		r = wait_wayland_seat(d, w, end);
	if (r == 0 && w)
		r = wait_wayland_fence(d, w, end);
	wl_watch_free(w);
	return r;
}

VHID_EXPORT struct vhid_client *
vhid_device_get_client(const struct vhid_device *d)
{
	return d->client;
}

VHID_EXPORT void
vhid_device_set_user_data(struct vhid_device *d, void *data)
{
	d->user_data = data;
}

VHID_EXPORT void *
vhid_device_get_user_data(const struct vhid_device *d)
{
	return d->user_data;
}

/* ---- convenience ------------------------------------------------------------ */

static int
need_kind(struct vhid_device *d, bool keyboard)
{
	bool ok = keyboard ? d->kind == VHID_DEVICE_KEYBOARD : d->kind != VHID_DEVICE_KEYBOARD;

	/* a typing job's reports carry the whole keyboard state: a press now would be lost */
	if (ok && keyboard && d->jobs)
		return client_fail(d->client, -EBUSY,
				   "typing jobs are still running on this keyboard");
	if (ok)
		return 0;
	return client_fail(d->client, -EINVAL, "this helper needs a %s device",
			   keyboard ? "keyboard" : "pointer or absolute pointer");
}

static int
post_keyboard(struct vhid_device *d, const struct vhid_keyboard_report *k)
{
	uint8_t buf[VHID_MAX_REPORT_SIZE];
	int r = vhid_device_post(d, buf, (size_t)vhid_report_encode_keyboard(k, buf));

	if (r == 0)
		d->keyboard = *k;
	return r;
}

static int
post_keys(struct vhid_device *d, uint8_t id, uint16_t *held, const uint16_t *keys)
{
	struct vhid_keys_report rep = {.id = id};
	uint8_t buf[VHID_MAX_REPORT_SIZE];
	int r;

	memcpy(rep.keys, keys, sizeof(rep.keys));
	r = vhid_device_post(d, buf, (size_t)vhid_report_encode_keys(&rep, buf));
	if (r == 0)
		memcpy(held, keys, sizeof(rep.keys));
	return r;
}

/* Build the next state from the held one; only a successful post commits it. */
static int
change_keyboard(struct vhid_device *d, uint16_t usage, bool down)
{
	struct vhid_keyboard_report k = d->keyboard;
	int r;

	if ((r = need_kind(d, true)) < 0)
		return r;
	if (usage >= 0xe0 && usage <= 0xe7) {
		uint8_t bit = (uint8_t)(1u << (usage - 0xe0));
		r = down ? vhid_modifiers_insert(&k.modifiers, bit)
			 : vhid_modifiers_erase(&k.modifiers, bit);
	} else {
		r = down ? vhid_keys_insert(k.keys, usage) : vhid_keys_erase(k.keys, usage);
	}
	if (r < 0)
		return client_fail(d->client, r, "cannot %s keyboard usage 0x%02x: %s",
				   down ? "press" : "release", usage, vhid_strerror(r));
	return post_keyboard(d, &k);
}

static int
change_keys(struct vhid_device *d, uint8_t id, uint16_t *held, uint16_t usage, bool down)
{
	uint16_t keys[VHID_MAX_KEYS];
	int r;

	if ((r = need_kind(d, true)) < 0)
		return r;
	memcpy(keys, held, sizeof(keys));
	r = down ? vhid_keys_insert(keys, usage) : vhid_keys_erase(keys, usage);
	if (r < 0)
		return client_fail(d->client, r, "cannot %s usage 0x%03x: %s",
				   down ? "press" : "release", usage, vhid_strerror(r));
	return post_keys(d, id, held, keys);
}

VHID_EXPORT int
vhid_keyboard_press_usage(struct vhid_device *d, uint16_t usage)
{
	return change_keyboard(d, usage, true);
}

VHID_EXPORT int
vhid_keyboard_release_usage(struct vhid_device *d, uint16_t usage)
{
	return change_keyboard(d, usage, false);
}

VHID_EXPORT int
vhid_consumer_press_usage(struct vhid_device *d, uint16_t usage)
{
	return change_keys(d, VHID_REPORT_CONSUMER, d->consumer, usage, true);
}

VHID_EXPORT int
vhid_consumer_release_usage(struct vhid_device *d, uint16_t usage)
{
	return change_keys(d, VHID_REPORT_CONSUMER, d->consumer, usage, false);
}

VHID_EXPORT int
vhid_key_to_usage(unsigned int code, uint8_t *report_id, uint16_t *usage)
{
	if (code > 0xffff || usage_from_key((uint16_t)code, report_id, usage) < 0)
		return -ENOENT;
	return 0;
}

static int
change_code(struct vhid_device *d, unsigned int code, bool down)
{
	uint8_t id;
	uint16_t usage;

	if (vhid_key_to_usage(code, &id, &usage) < 0)
		return client_fail(d->client, -ENOENT, "no vhid usage produces key code %u", code);
	if (id == VHID_REPORT_KEYBOARD)
		return change_keyboard(d, usage, down);
	if (id == VHID_REPORT_CONSUMER)
		return change_keys(d, id, d->consumer, usage, down);
	return change_keys(d, id, d->system, usage, down);
}

VHID_EXPORT int
vhid_key_press(struct vhid_device *d, unsigned int code)
{
	return change_code(d, code, true);
}

VHID_EXPORT int
vhid_key_release(struct vhid_device *d, unsigned int code)
{
	return change_code(d, code, false);
}

/* One pointer report: held buttons, this motion, and (absolute) the held position. */
static int
post_pointer(struct vhid_device *d, uint32_t buttons, int dx, int dy, int wheel, int hwheel)
{
	uint8_t buf[VHID_MAX_REPORT_SIZE];
	int n, r;

	if (d->kind == VHID_DEVICE_POINTER) {
		struct vhid_pointer_report p = {buttons, (int16_t)dx, (int16_t)dy, (int16_t)wheel,
						(int16_t)hwheel};
		if (dx < -32767 || dx > 32767 || dy < -32767 || dy > 32767)
			return client_fail(d->client, -VHID_EUSAGE,
					   "motion %d,%d is outside -32767..32767", dx, dy);
		n = vhid_report_encode_pointer(&p, buf);
	} else {
		struct vhid_absolute_report a = {buttons, d->abs_x, d->abs_y, (int16_t)wheel,
						 (int16_t)hwheel};
		n = vhid_report_encode_absolute(&a, buf);
	}
	if (wheel < -32767 || wheel > 32767 || hwheel < -32767 || hwheel > 32767)
		return client_fail(d->client, -VHID_EUSAGE, "scroll %d,%d is outside -32767..32767",
				   wheel, hwheel);
	r = vhid_device_post(d, buf, (size_t)n);
	if (r == 0)
		d->buttons = buttons;
	return r;
}

static int
change_button(struct vhid_device *d, unsigned int button, bool down)
{
	uint32_t b = d->buttons;
	int r;

	if ((r = need_kind(d, false)) < 0)
		return r;
	r = down ? vhid_buttons_insert(&b, button) : vhid_buttons_erase(&b, button);
	if (r < 0)
		return client_fail(d->client, r, "button %u is outside 1..%u", button,
				   report_max_button(d->kind));
	return post_pointer(d, b, 0, 0, 0, 0);
}

VHID_EXPORT int
vhid_pointer_press(struct vhid_device *d, unsigned int button)
{
	return change_button(d, button, true);
}

VHID_EXPORT int
vhid_pointer_release(struct vhid_device *d, unsigned int button)
{
	return change_button(d, button, false);
}

VHID_EXPORT int
vhid_pointer_move(struct vhid_device *d, int dx, int dy)
{
	int r = need_kind(d, false);

	if (r == 0 && d->kind != VHID_DEVICE_POINTER)
		return client_fail(d->client, -EINVAL, "relative motion needs a pointer device");
	return r < 0 ? r : post_pointer(d, d->buttons, dx, dy, 0, 0);
}

VHID_EXPORT int
vhid_pointer_scroll(struct vhid_device *d, int vertical, int horizontal)
{
	int r = need_kind(d, false);

	return r < 0 ? r : post_pointer(d, d->buttons, 0, 0, vertical, horizontal);
}

VHID_EXPORT int
vhid_absolute_move(struct vhid_device *d, int x, int y)
{
	uint16_t ox = d->abs_x, oy = d->abs_y;
	int r;

	if (d->kind != VHID_DEVICE_ABSOLUTE)
		return client_fail(d->client, -EINVAL,
				   "vhid_absolute_move() needs an absolute pointer");
	if (x < 0 || x > 32767 || y < 0 || y > 32767)
		return client_fail(d->client, -VHID_EUSAGE, "position %d,%d is outside 0..32767", x,
				   y);
	d->abs_x = (uint16_t)x;
	d->abs_y = (uint16_t)y;
	r = post_pointer(d, d->buttons, 0, 0, 0, 0);
	if (r < 0) {
		d->abs_x = ox;
		d->abs_y = oy;
	}
	return r;
}
