/* vmtest.c - see vmtest.h. */
#include "vmtest.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vhidd/log.h"

static int passes, failures;
static struct vdev_ctx *ctx;

void
vt_pass(const char *name)
{
	printf("PASS %s\n", name);
	fflush(stdout);
	passes++;
}

static void
vfail(const char *name, const char *fmt, va_list ap)
{
	printf("FAIL %s: ", name);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	failures++;
}

void
vt_fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(name, fmt, ap);
	va_end(ap);
}

bool
vt_check(bool cond, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (cond) {
		vt_pass(name);
		return true;
	}
	va_start(ap, fmt);
	vfail(name, fmt, ap);
	va_end(ap);
	return false;
}

void
vt_cleanup(void)
{
	if (ctx)
		vdev_ctx_free(ctx);
	ctx = NULL;
}

int
vt_finish(void)
{
	vt_cleanup();
	printf("RESULT %s passed=%d failed=%d\n", failures ? "FAIL" : "PASS", passes, failures);
	fflush(stdout);
	return failures ? 1 : 0;
}

int
vt_bound(int ms)
{
	static int scale;

	if (!scale) {
		const char *e = getenv("VHID_TIME_SCALE");
		scale = e && atoi(e) > 0 ? atoi(e) : 10;
	}
	return ms * scale;
}

bool
vt_node_sysfs_is(const char *event, const char *attr, const char *want)
{
	char path[128], got[256] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/input/%s/device/%s", event, attr);
	if (!(f = fopen(path, "r")))
		return false;
	if (!fgets(got, sizeof(got), f))
		got[0] = '\0';
	fclose(f);
	got[strcspn(got, "\n")] = '\0';
	return strcmp(got, want) == 0;
}

static void
log_to_stdout(enum log_level level, const char *msg, void *data)
{
	printf("# vdev: %s\n", msg);
}

struct vdev_ctx *
vt_ctx(void)
{
	if (!ctx) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		log_set_handler(log_to_stdout, NULL);
		if (vdev_ctx_new(NULL, &ctx) < 0) {
			printf("FAIL setup: cannot create the device context\n");
			exit(1);
		}
	}
	return ctx;
}

static bool
pump(const bool *flag, int timeout_ms)
{
	uint64_t end = monotonic_ms() + (uint64_t)timeout_ms;
	struct pollfd p = {.fd = vdev_ctx_get_fd(vt_ctx()), .events = POLLIN};

	for (;;) {
		vdev_ctx_dispatch(ctx);
		if (flag && *flag)
			return true;
		uint64_t now = monotonic_ms();
		if (now >= end)
			return flag ? *flag : true;
		poll(&p, 1, (int)(end - now));
	}
}

bool
vt_pump_until(const bool *flag, int timeout_ms)
{
	return pump(flag, vt_bound(timeout_ms));
}

void
vt_pump(int timeout_ms)
{
	pump(NULL, timeout_ms);
}

static void
on_ready(struct vdev *dev, void *data)
{
	struct vt_dev *d = data;

	d->ready = true;
	d->ready_ms = monotonic_ms();
}

static void
on_readers(struct vdev *dev, unsigned int readers, void *data)
{
	struct vt_dev *d = data;

	if (readers && d->opens++ == 0)
		d->leds_at_open = d->leds;
	else if (!readers)
		d->closes++;
}

static void
on_leds(struct vdev *dev, uint8_t leds, void *data)
{
	struct vt_dev *d = data;

	d->leds = leds;
	d->led_events++;
}

static void
on_failed(struct vdev *dev, int error, void *data)
{
	struct vt_dev *d = data;

	d->failed = true;
	d->fail_error = error;
}

static const struct vdev_listener listener = {
	.ready = on_ready,
	.readers = on_readers,
	.leds = on_leds,
	.failed = on_failed,
};

void
vt_params(struct vdev_params *p, enum vhid_device_kind kind)
{
	static int n;

	vdev_params_default(p, kind);
	snprintf(p->uniq, sizeof(p->uniq), "vt-%d-%d", (int)getpid(), ++n);
	snprintf(p->phys, sizeof(p->phys), "vhid/test%d/input%d", (int)getpid(), n);
}

int
vt_open_evdev(struct vt_dev *d)
{
	return vt_open_evdev_path(d, vdev_get_evdev(d->dev, 0));
}

int
vt_open_evdev_path(struct vt_dev *d, const char *node)
{
	int r;

	if (!node)
		return -ENOENT;
	d->evfd = open(node, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (d->evfd < 0)
		return -errno;
	r = libevdev_new_from_fd(d->evfd, &d->evdev);
	if (r < 0) {
		close(d->evfd);
		return r;
	}
	return 0;
}

int
vt_open_system_node(const struct vt_dev *kb, struct vt_dev *sys)
{
	const char *node = vdev_get_evdev(kb->dev, 1);

	memset(sys, 0, sizeof(*sys));
	sys->evfd = -1;
	if (!node || !strstr(node, "/dev/input/event"))
		return -ENOENT;
	return vt_open_evdev_path(sys, node);
}

void
vt_close_evdev(struct vt_dev *d)
{
	if (d->evdev)
		libevdev_free(d->evdev);
	if (d->evfd >= 0)
		close(d->evfd);
	d->evdev = NULL;
	d->evfd = -1;
}

int
vt_create_start(struct vt_dev *d, const struct vdev_params *p)
{
	memset(d, 0, sizeof(*d));
	d->evfd = -1;
	d->created_ms = monotonic_ms();
	return vdev_create(vt_ctx(), p, &listener, d, &d->dev);
}

int
vt_create_closed(struct vt_dev *d, const struct vdev_params *p)
{
	int r = vt_create_start(d, p);

	if (r < 0)
		return r;
	vt_pump_until(&d->ready, 5000);
	if (!d->ready)
		return d->failed ? d->fail_error : -ETIMEDOUT;
	return 0;
}

int
vt_create(struct vt_dev *d, const struct vdev_params *p)
{
	int r = vt_create_closed(d, p);

	return r < 0 ? r : vt_open_evdev(d);
}

void
vt_destroy(struct vt_dev *d)
{
	if (d->evdev)
		libevdev_free(d->evdev);
	if (d->evfd >= 0)
		close(d->evfd);
	if (d->dev)
		vdev_destroy(d->dev);
	memset(d, 0, sizeof(*d));
	d->evfd = -1;
}

int
vt_post(struct vt_dev *d, const uint8_t *buf, size_t len)
{
	char msg[256];
	int r = vdev_post(d->dev, buf, len, msg, sizeof(msg));

	if (r < 0)
		printf("# post rejected: %s (%s)\n", msg,
		       vhid_error_name(r) ? vhid_error_name(r) : "?");
	return r;
}

int
vt_post_keyboard(struct vt_dev *d, uint8_t modifiers, const uint16_t *keys, int n)
{
	struct vhid_keyboard_report r = {.modifiers = modifiers};
	uint8_t buf[VHID_MAX_REPORT_SIZE];

	for (int i = 0; i < n && i < VHID_MAX_KEYS; i++)
		r.keys[i] = keys[i];
	return vt_post(d, buf, (size_t)vhid_report_encode_keyboard(&r, buf));
}

int
vt_post_keys(struct vt_dev *d, uint8_t id, const uint16_t *keys, int n)
{
	struct vhid_keys_report r = {.id = id};
	uint8_t buf[VHID_MAX_REPORT_SIZE];

	for (int i = 0; i < n && i < VHID_MAX_KEYS; i++)
		r.keys[i] = keys[i];
	return vt_post(d, buf, (size_t)vhid_report_encode_keys(&r, buf));
}

int
vt_post_pointer(struct vt_dev *d, uint32_t buttons, int x, int y, int wheel, int hwheel)
{
	struct vhid_pointer_report r = {buttons, (int16_t)x, (int16_t)y, (int16_t)wheel,
					(int16_t)hwheel};
	uint8_t buf[VHID_MAX_REPORT_SIZE];

	return vt_post(d, buf, (size_t)vhid_report_encode_pointer(&r, buf));
}

int
vt_post_absolute(struct vt_dev *d, uint32_t buttons, int x, int y, int wheel)
{
	struct vhid_absolute_report r = {buttons, (uint16_t)x, (uint16_t)y, (int16_t)wheel, 0};
	uint8_t buf[VHID_MAX_REPORT_SIZE];

	return vt_post(d, buf, (size_t)vhid_report_encode_absolute(&r, buf));
}

int
vt_read_frame(struct vt_dev *d, struct input_event *out, int max, int timeout_ms)
{
	uint64_t end = monotonic_ms() + (uint64_t)timeout_ms;
	int n = 0;

	for (;;) {
		struct input_event ev;
		int r = libevdev_next_event(d->evdev, LIBEVDEV_READ_FLAG_NORMAL, &ev);

		if (r == LIBEVDEV_READ_STATUS_SYNC) {
			printf("# SYN_DROPPED on %s\n", libevdev_get_name(d->evdev));
			/* drain the sync so the device state is consistent again */
			while (libevdev_next_event(d->evdev, LIBEVDEV_READ_FLAG_SYNC, &ev) ==
			       LIBEVDEV_READ_STATUS_SYNC)
				;
			return -1;
		}
		if (r == -ENODEV)
			return -ENODEV;
		if (r == LIBEVDEV_READ_STATUS_SUCCESS) {
			if (ev.type == EV_SYN && ev.code == SYN_REPORT) {
				if (n > 0)
					return n;
				continue;
			}
			if (ev.type == EV_SYN || ev.type == EV_MSC || ev.type == EV_LED ||
			    (ev.type == EV_KEY && ev.value == 2))
				continue;
			if (n < max)
				out[n++] = ev;
			continue;
		}
		uint64_t now = monotonic_ms();
		if (now >= end)
			return 0;
		struct pollfd p = {.fd = d->evfd, .events = POLLIN};
		poll(&p, 1, (int)(end - now));
	}
}

bool
vt_wait_event(struct vt_dev *d, int type, int code, int value, int timeout_ms)
{
	uint64_t end = monotonic_ms() + (uint64_t)vt_bound(timeout_ms);
	struct input_event evs[64];

	while (monotonic_ms() < end) {
		int n = vt_read_frame(d, evs, 64, (int)(end - monotonic_ms()));
		if (n <= 0)
			return false;
		for (int i = 0; i < n; i++)
			if (evs[i].type == type && evs[i].code == code && evs[i].value == value)
				return true;
	}
	return false;
}

const char *
vt_event_str(const struct input_event *ev)
{
	static char buf[4][96];
	static int slot;
	const char *t = libevdev_event_type_get_name(ev->type);
	const char *c = libevdev_event_code_get_name(ev->type, ev->code);
	char *b = buf[slot++ % 4];

	snprintf(b, sizeof(buf[0]), "%s %s %d", t ? t : "?", c ? c : "?", ev->value);
	return b;
}

/* The first expected event not seen yet. */
static const struct input_event *
first_missing(const struct input_event *want, const bool *matched, int n)
{
	for (int i = 0; i < n; i++)
		if (!matched[i])
			return &want[i];
	return &want[0];
}

bool
vt_expect_frame(struct vt_dev *d, const char *name, const struct input_event *want, int n,
		int timeout_ms)
{
	uint64_t end = monotonic_ms() + (uint64_t)vt_bound(timeout_ms);
	bool matched[64] = {false};
	int left = n;

	/* the kernel splits a report into several frames when it changes many
	 * keys (input core: max_vals), so collect frames until every expected
	 * event arrived; any other event fails the check */
	while (left > 0) {
		struct input_event got[64];
		int now = (int)(end > monotonic_ms() ? end - monotonic_ms() : 0);
		int m = vt_read_frame(d, got, 64, now);
		const char *miss = vt_event_str(first_missing(want, matched, n));

		if (m < 0 || m == 0) {
			vt_fail(name, "%s while waiting for %s (%d of %d expected events seen)",
				m == -ENODEV ? "device gone"
				: m < 0      ? "SYN_DROPPED"
					     : "nothing more",
				miss, n - left, n);
			return false;
		}
		for (int j = 0; j < m; j++) {
			int i;
			for (i = 0; i < n; i++)
				if (!matched[i] && got[j].type == want[i].type &&
				    got[j].code == want[i].code && got[j].value == want[i].value)
					break;
			if (i == n) {
				vt_fail(name,
					"unexpected %s while waiting for %s (%d of %d expected "
					"events seen)",
					vt_event_str(&got[j]), miss, n - left, n);
				return false;
			}
			matched[i] = true;
			left--;
		}
	}
	vt_pass(name);
	return true;
}

bool
vt_absent(struct vt_dev *d, int type, int code, int value, int ms)
{
	uint64_t end = monotonic_ms() + (uint64_t)ms;
	struct input_event evs[64];

	for (uint64_t now; (now = monotonic_ms()) < end;) {
		int n = vt_read_frame(d, evs, 64, (int)(end - now));
		if (n < 0) { /* the absence is not proven */
			printf("# %s\n", n == -ENODEV ? "device gone" : "SYN_DROPPED");
			return false;
		}
		for (int i = 0; i < n; i++)
			if (evs[i].type == type && evs[i].code == code && evs[i].value == value) {
				printf("# arrived: %s\n", vt_event_str(&evs[i]));
				return false;
			}
	}
	return true;
}

bool
vt_quiet(struct vt_dev *d, int ms)
{
	struct input_event evs[64];
	int n = vt_read_frame(d, evs, 64, ms);

	if (n > 0)
		printf("# unexpected: %s\n", vt_event_str(&evs[0]));
	return n == 0;
}

void
vt_mixed_ascii(char *out, size_t n, unsigned int seed)
{
	unsigned int x = seed;

	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		out[i] = (char)(0x20 + (x >> 16) % 95);
	}
	out[n] = '\0';
}
