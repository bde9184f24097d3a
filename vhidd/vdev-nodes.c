/*
 * vdev-nodes.c - how vhidd learns a device's nodes and readers: kernel uevents
 * name its HID device (by uniq), its eventN and hidrawN, and the driver's bind
 * (readiness, DESIGN.md §7); sysfs is the fallback when uevents are missing or
 * were lost; inotify on the directory /dev/input counts the programs reading
 * each node (§21).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/input.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "vdev-private.h"

static struct vdev *
find_by_uniq(struct vdev_ctx *ctx, const char *uniq)
{
	for (struct vdev *d = ctx->devices; d; d = d->next)
		if (!d->devpath[0] && strcmp(d->params.uniq, uniq) == 0)
			return d;
	return NULL;
}

/* The device whose HID node is devpath or an ancestor of it. */
static struct vdev *
find_by_devpath(struct vdev_ctx *ctx, const char *devpath)
{
	for (struct vdev *d = ctx->devices; d; d = d->next) {
		size_t n = strlen(d->devpath);
		if (n && strncmp(devpath, d->devpath, n) == 0 &&
		    (devpath[n] == '\0' || devpath[n] == '/'))
			return d;
	}
	return NULL;
}

/*
 * The number M of the input device ("inputM") that owns /dev/input/<event>.
 * Input devices are numbered in creation order and never reuse a number; the
 * nodes' minors are the lowest free ones, so a device destroyed meanwhile can
 * give the second node of a keyboard a lower N than its first.
 */
static long
input_number(const char *event)
{
	char path[64], target[256];
	const char *p;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/input/%s", event);
	if ((n = readlink(path, target, sizeof(target) - 1)) < 0)
		return LONG_MAX; /* gone already: last */
	target[n] = '\0';
	p = strstr(target, "/input/input");
	return p ? strtol(p + 12, NULL, 10) : LONG_MAX;
}

/*
 * Keep the evdev nodes in the order hid-input made them: the keyboard's main
 * application first (the node readers are counted on, and the one READY
 * names), then "System Control". Uevents come in that order, a sysfs rescan
 * (lost uevents) in directory order: sort by input device number.
 */
static int
insert_evdev(struct vdev *dev, const char *devname)
{
	long n = input_number(devname + 6);
	int at = dev->n_evdev;

	for (int i = 0; i < dev->n_evdev; i++)
		if (strcmp(dev->evdev[i] + 5, devname) == 0)
			return -1;
	if (dev->n_evdev == VDEV_MAX_EVDEV)
		return -1;
	while (at > 0 && dev->evdev_input[at - 1] > n) {
		memcpy(dev->evdev[at], dev->evdev[at - 1], sizeof(dev->evdev[0]));
		dev->evdev_input[at] = dev->evdev_input[at - 1];
		at--;
	}
	snprintf(dev->evdev[at], sizeof(dev->evdev[0]), "/dev/%s", devname);
	dev->evdev_input[at] = n;
	dev->n_evdev++;
	return at;
}

static void
add_node(struct vdev *dev, const char *devname)
{
	if (strncmp(devname, "input/event", 11) == 0) {
		/* readers counted since the node appeared, before we knew it was ours */
		if (insert_evdev(dev, devname) == 0)
			vdev_node_added(dev->ctx, devname + 6);
	} else if (strncmp(devname, "hidraw", 6) == 0) {
		snprintf(dev->hidraw, sizeof(dev->hidraw), "/dev/%s", devname);
	}
}

void
vdev_handle_uevent(struct vdev_ctx *ctx, const struct uevent *ue)
{
	struct vdev *dev;
	bool is_hid = strcmp(ue->subsystem, "hid") == 0;

	if (strncmp(ue->devpath, "/devices/virtual/misc/uhid/", 27) != 0)
		return;
	if (is_hid && strcmp(ue->action, "add") == 0 && ue->hid_uniq) {
		dev = find_by_uniq(ctx, ue->hid_uniq);
		if (dev)
			snprintf(dev->devpath, sizeof(dev->devpath), "%s", ue->devpath);
		return;
	}
	dev = find_by_devpath(ctx, ue->devpath);
	if (!dev || dev->dead)
		return;
	if (strcmp(ue->action, "add") == 0 && ue->devname) {
		add_node(dev, ue->devname);
	} else if (is_hid && strcmp(ue->action, "bind") == 0 &&
		   strcmp(ue->devpath, dev->devpath) == 0) {
		dev->bound = true;
		vdev_check_ready(dev);
	} else if (is_hid && strcmp(ue->action, "remove") == 0 && dev->ready) {
		vdev_fail(dev, -ENODEV, "the kernel removed the device");
	}
}

static int
read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

/* Collect "<dir>/<prefix>*" child names matching "<want>*" into the device. */
static void
scan_children(struct vdev *dev, const char *dir, const char *want, const char *devdir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char name[64];

	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, want, strlen(want)) != 0)
			continue;
		snprintf(name, sizeof(name), "%s%.40s", devdir, de->d_name);
		add_node(dev, name);
	}
	if (d)
		closedir(d);
}

/*
 * Fallback when uevents are unavailable or were lost: find the device in
 * sysfs by its uniq, collect its nodes, and treat "driver bound and nodes
 * present" as bound.
 */
void
vdev_resolve_sysfs(struct vdev *dev)
{
	char path[512], buf[4096], want[96];
	DIR *d;
	struct dirent *de;

	if (!dev->devpath[0] && (d = opendir(UHID_SYSFS))) {
		snprintf(want, sizeof(want), "HID_UNIQ=%s\n", dev->params.uniq);
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), UHID_SYSFS "/%s/uevent", de->d_name);
			if (read_file(path, buf, sizeof(buf)) > 0 && strstr(buf, want)) {
				snprintf(dev->devpath, sizeof(dev->devpath),
					 "/devices/virtual/misc/uhid/%.200s", de->d_name);
				break;
			}
		}
		closedir(d);
	}
	if (!dev->devpath[0])
		return;
	snprintf(path, sizeof(path), "/sys%s/input", dev->devpath);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		char sub[600];
		if (strncmp(de->d_name, "input", 5) != 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%.64s", path, de->d_name);
		scan_children(dev, sub, "event", "input/");
	}
	if (d)
		closedir(d);
	snprintf(path, sizeof(path), "/sys%s/hidraw", dev->devpath);
	scan_children(dev, path, "hidraw", "");
	snprintf(path, sizeof(path), "/sys%s/driver", dev->devpath);
	if (access(path, F_OK) == 0 && dev->n_evdev > 0 &&
	    (dev->hidraw[0] || access("/sys/class/hidraw", F_OK) != 0))
		dev->bound = true;
	vdev_check_ready(dev);
}

void
vdev_dispatch_uevents(struct vdev_ctx *ctx)
{
	char buf[8192];
	struct uevent ue;

	for (;;) {
		ssize_t n = recv(ctx->uevent_fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			/* the kernel dropped uevents: ask sysfs about everyone pending, the
			 * not yet started too: its UHID_START may be read just after this,
			 * and the bind it waits for may be among the lost */
			log_warn("uevent queue overflowed; rescanning sysfs");
			for (struct vdev *d = ctx->devices; d; d = d->next)
				if (!d->ready && !d->dead)
					vdev_resolve_sysfs(d);
			continue;
		}
		if (n <= 0)
			return;
		buf[n] = '\0';
		if (uevent_parse(buf, (size_t)n, &ue) == 0)
			vdev_handle_uevent(ctx, &ue);
	}
}

/* The settle after a device's first reader: SETTLE_FACTOR times what that reader
 * took to come, taken within SETTLE_MIN_NS..SETTLE_MAX_NS, and at most
 * SETTLE_LIMIT_NS (see set_readers and count_open). */
#define SETTLE_MIN_NS (10 * 1000000ull)
#define SETTLE_MAX_NS (1000 * 1000000ull)
#define SETTLE_FACTOR 4
#define SETTLE_LIMIT_NS (2000 * 1000000ull)
/* the wait for a desktop's LED write: LED_WAIT_FACTOR times the longest it has
 * taken here, within SETTLE_LIMIT_NS..LED_WAIT_MAX_NS (see set_readers) */
#define LED_WAIT_FACTOR 4
#define LED_WAIT_MAX_NS (10000 * 1000000ull)

static void
report_readers(struct vdev *dev, unsigned int readers)
{
	if (readers == dev->readers)
		return;
	log_info("%s: %s by a reader (%u reader%s)", dev->params.label,
		 readers > dev->readers ? "opened" : "closed", readers, readers == 1 ? "" : "s");
	dev->readers = readers;
	if (dev->listener && dev->listener->readers)
		dev->listener->readers(dev, readers, dev->data);
}

/*
 * How long a keyboard whose LED probe is pending waits for the desktop's LED
 * write: at least SETTLE_LIMIT_NS, and four times the longest the desktop has
 * taken here from its first reader to that write, so that a machine under load
 * waits longer rather than reports early. On a host overloaded beyond stress-ng
 * (load 8-9 on 2 cores, 2026-12-02) a ctrl+alt+t on a new keyboard reached
 * weston without its Ctrl, most likely sent before weston had set the keyboard
 * up. At most LED_WAIT_MAX_NS: what a reader that writes no LEDs waits on such
 * a machine.
 */
static uint64_t
led_wait_ns(const struct vdev_ctx *ctx)
{
	uint64_t ns = ctx->led_write_max_ns * LED_WAIT_FACTOR;

	return ns < SETTLE_LIMIT_NS ? SETTLE_LIMIT_NS : ns > LED_WAIT_MAX_NS ? LED_WAIT_MAX_NS : ns;
}

/* A reader wrote a keyboard's LED state: how long that took, for led_wait_ns(). */
void
vdev_note_led_write(struct vdev *dev)
{
	uint64_t took;

	if (!dev->first_read_ns)
		return;
	took = monotonic_ns() - dev->first_read_ns;
	dev->led_took_ns = took;
	if (took > dev->ctx->led_write_max_ns) {
		dev->ctx->led_write_max_ns = took;
		log_debug("%s: LED state written %.0f ms after its reader came; new keyboards "
			  "wait up to %.0f ms for it",
			  dev->params.label, (double)took / 1e6,
			  (double)led_wait_ns(dev->ctx) / 1e6);
	}
}

/* The settle of a node whose first reader came WAITED ns after its announcement. */
static uint64_t
first_reader_settle(uint64_t waited)
{
	waited = waited < SETTLE_MIN_NS   ? SETTLE_MIN_NS
		 : waited > SETTLE_MAX_NS ? SETTLE_MAX_NS
					  : waited;
	/*
	 * Four times what the reader took to come. Twice was too short: weston
	 * 14 opened a new keyboard through logind and started reading it (its
	 * log says "configuring device") 380 ms later, three times the time from
	 * udev's announcement to that open, and a new pointer's only motion and
	 * a keyboard's ctrl+alt+t sent at the settle's end were lost (trixie,
	 * TCG, 2026-12-02). The open is logind's; weston gets the fd over D-Bus,
	 * which on that guest took longer than the discovery itself.
	 */
	return waited * SETTLE_FACTOR > SETTLE_LIMIT_NS ? SETTLE_LIMIT_NS : waited * SETTLE_FACTOR;
}

static void check_others(struct vdev *dev, uint64_t now);

/*
 * A reader that leaves is reported at once. One that comes is reported when the
 * count has held still for the node's settle: a desktop's open is not yet its
 * reading. libinput (every Wayland compositor, Xorg's libinput driver) discards
 * whatever is queued on a device it has just opened (evdev_drain_fd), and a
 * compositor under logind opens it through logind (TakeDevice) and gets the fd over
 * D-Bus first; Xorg opens a device, closes it, and opens it again to enable it;
 * libevdev reads the key state after the open and drops events that do not change
 * it. Nothing of that reaches the device, so the settle is four times as long as
 * the reader took from the node's announcement (by udev, or its creation) to its
 * open: the same kind of work on the same machine, so a slow machine gets a long
 * settle, not lost keys (DESIGN §21).
 */
static void
set_readers(struct vdev *dev, unsigned int raw, uint64_t settle_ns)
{
	/*
	 * Where a reader has written a keyboard's LED state before, the desktop of
	 * this machine does, and its write is the exact signal: a keyboard whose
	 * probe waits for it gets the longest settle, which only a reader that
	 * writes no LEDs waits out. Under stress-ng the first open (logind's) came
	 * early and weston configured the keyboard 0.9 s later, long after four
	 * times the open's delay: ctrl+alt+t was lost (bookworm, 2026-12-02).
	 */
	if (settle_ns && dev->ctx->leds_written && vdev_led_probe_pending(dev))
		settle_ns = led_wait_ns(dev->ctx);
	if (raw && !dev->first_read_ns)
		dev->first_read_ns = monotonic_ns();
	else if (raw > dev->raw_readers)
		vdev_led_probe_reader_came(dev, monotonic_ns());
	dev->raw_readers = raw;
	if (dev->others_until_ns && raw > dev->readers) {
		check_others(dev, monotonic_ns()); /* the desktop has set up the main node */
		return;
	}
	if (raw <= dev->readers || !settle_ns || dev->led_synced) {
		dev->settle_at_ns = 0;
		report_readers(dev, raw);
		return;
	}
	dev->settle_at_ns = monotonic_ns() + settle_ns;
	vdev_arm_timer(dev->ctx);
}

static struct vdev_node *node_state(struct vdev_ctx *ctx, const char *name);

/* The name of the device's Nth node (dev->evdev) in /dev/input. */
static const char *
node_name(const struct vdev *dev, int n)
{
	return dev->evdev[n] + strlen("/dev/input/");
}

/*
 * Whether the desktop has taken the device's other nodes (a keyboard's System
 * Control): each has a reader whose last open is a settle old, the settle being
 * four times what the desktop took from the main node's first open to its LED
 * write. Else *next_ns is when to look again (0: at the next open).
 */
static bool
others_taken(struct vdev *dev, uint64_t now, uint64_t *next_ns)
{
	uint64_t settle = first_reader_settle(dev->led_took_ns), at;
	struct vdev_node *st;

	*next_ns = 0;
	for (int i = 1; i < dev->n_evdev; i++) {
		if (!(st = node_state(dev->ctx, node_name(dev, i))))
			continue;
		if (!st->readers)
			return false;
		at = st->last_open_ns + settle;
		if (now < at && (!*next_ns || at > *next_ns))
			*next_ns = at;
	}
	return !*next_ns;
}

/* Report the reader once the other nodes are taken, or at others_until_ns. */
static void
check_others(struct vdev *dev, uint64_t now)
{
	uint64_t next;

	if (others_taken(dev, now, &next) || now >= dev->others_until_ns) {
		if (now >= dev->others_until_ns)
			log_debug("%s: the desktop did not take its other nodes within %.0f ms; "
				  "reporting its reader anyway",
				  dev->params.label, (double)led_wait_ns(dev->ctx) / 1e6);
		dev->others_until_ns = dev->settle_at_ns = 0;
		report_readers(dev, dev->raw_readers);
		return;
	}
	dev->settle_at_ns = next && next < dev->others_until_ns ? next : dev->others_until_ns;
	vdev_arm_timer(dev->ctx);
}

void
vdev_settle_readers(struct vdev *dev, uint64_t now)
{
	if (!dev->settle_at_ns || now < dev->settle_at_ns)
		return;
	if (dev->others_until_ns) {
		check_others(dev, now);
		return;
	}
	dev->settle_at_ns = 0;
	/* a reader that writes no LEDs, or a desktop slower than the settle */
	vdev_led_probe_settled(dev);
	report_readers(dev, dev->raw_readers);
}

/*
 * A reader wrote the keyboard's LED state (vdev-leds.c): the desktop has set up
 * its main node, so a reader waiting out its settle is reported once the
 * desktop has taken the other node too, or after led_wait_ns() at most. weston
 * takes each node through logind (a blocking D-Bus call) and reads nothing
 * meanwhile: it wrote a new keyboard's LEDs, then took its System Control node
 * for 100 ms (idle) to 600 ms (stress-ng), and the typing begun at the LED write
 * overflowed the main node's 64-event buffer (SYN_DROPPED; weston and Xorg,
 * bookworm, 2026-12-02). A main-node reader not yet counted (its open still
 * queued in inotify) is reported without a settle once it is (led_synced).
 */
void
vdev_readers_enabled(struct vdev *dev)
{
	uint64_t now = monotonic_ns();

	if (dev->readers)
		return;
	dev->others_until_ns = now + led_wait_ns(dev->ctx);
	check_others(dev, now);
}

/* N of "eventN", or -1 for any other name (jsN, mouseN, by-id, ...). */
static int
event_number(const char *name)
{
	char *end;
	long n;

	if (strncmp(name, "event", 5) != 0 || !name[5])
		return -1;
	n = strtol(name + 5, &end, 10);
	return *end || n < 0 || n >= VDEV_MAX_EVENT_NODES ? -1 : (int)n;
}

static struct vdev_node *
node_state(struct vdev_ctx *ctx, const char *name)
{
	int n = event_number(name);
	struct vdev_node *grown;

	if (n < 0)
		return NULL;
	if ((size_t)n >= ctx->n_nodes) {
		grown = realloc(ctx->nodes, ((size_t)n + 64) * sizeof(*grown));
		if (!grown)
			return NULL;
		memset(grown + ctx->n_nodes, 0, ((size_t)n + 64 - ctx->n_nodes) * sizeof(*grown));
		ctx->nodes = grown;
		ctx->n_nodes = (size_t)n + 64;
	}
	return &ctx->nodes[n];
}

/* The name in /dev/input of the device's main (first) evdev node, or NULL. */
static const char *
main_node(const struct vdev *dev)
{
	return dev->n_evdev > 0 ? node_name(dev, 0) : NULL;
}

/* Whether /dev/input/<name> is the main node of a live device. */
static bool
has_main_node(const struct vdev *dev, const char *name)
{
	return !dev->dead && main_node(dev) && strcmp(main_node(dev), name) == 0;
}

/* Whether /dev/input/<name> is one of the device's nodes. */
static bool
has_node(const struct vdev *dev, const char *name)
{
	for (int i = 0; i < dev->n_evdev; i++)
		if (strcmp(node_name(dev, i), name) == 0)
			return true;
	return false;
}

/* Tell the device whose first evdev node is /dev/input/<name> its reader count,
 * and one waiting for the desktop to take its other nodes that one changed. */
void
vdev_update_readers(struct vdev_ctx *ctx, const char *name)
{
	struct vdev_node *st = node_state(ctx, name);

	for (struct vdev *d = ctx->devices; st && d; d = d->next) {
		if (has_main_node(d, name))
			set_readers(d, st->readers, st->settle_ns);
		else if (d->others_until_ns && !d->dead && has_node(d, name))
			check_others(d, monotonic_ns());
	}
}

/* Whether udev's database has /dev/input/<name> ("c13:M", named by its device number). */
static bool
udev_has(const char *name)
{
	char path[96], dev[32];

	snprintf(path, sizeof(path), "/sys/class/input/%.40s/dev", name);
	if (read_file(path, dev, sizeof(dev)) <= 0)
		return false;
	dev[strcspn(dev, "\n")] = '\0';
	snprintf(path, sizeof(path), "/run/udev/data/c%.30s", dev);
	return access(path, F_OK) == 0;
}

/*
 * The node is public: the desktop learns of it from udev from now on. Opens
 * before were early: udev's own, where udev runs. Without udev nobody else
 * opens a node for it, so an early open is a reader that came before inotify
 * reported the node's creation, which devtmpfs allows: vfs_mknod() makes the
 * node visible before it calls fsnotify_create() (seen on 7.2, 2026-12-02).
 */
static void
announce(struct vdev_ctx *ctx, const char *name)
{
	struct vdev_node *st = node_state(ctx, name);

	if (!st || st->announced)
		return;
	st->announced = true;
	st->announced_ns = monotonic_ns();
	st->settle_ns = 0;
	if (ctx->udev_wd < 0 && st->early) {
		st->readers += st->early;
		st->early = 0;
		st->settle_ns = first_reader_settle(0);
	}
	for (struct vdev *d = ctx->devices; d; d = d->next)
		if (has_main_node(d, name))
			vdev_led_probe_start(d);
}

/* Whether the device's main node is public (see announce). */
bool
vdev_node_public(const struct vdev *dev)
{
	const struct vdev_node *st;
	int n;

	if (!main_node(dev) || (n = event_number(main_node(dev))) < 0)
		return false;
	st = (size_t)n < dev->ctx->n_nodes ? &dev->ctx->nodes[n] : NULL;
	return st ? st->announced : dev->ctx->udev_wd < 0;
}

/*
 * Write an LED of the device's main node, as a desktop does (the LED probe,
 * vdev-leds.c). inotify reports this open and close like anyone's: they are
 * marked as vhidd's own, so they count as no reader.
 */
int
vdev_node_write_led(struct vdev *dev, unsigned int led, bool on)
{
	struct input_event ev[2];
	struct vdev_node *st;
	char uniq[sizeof(dev->params.uniq)] = "";
	ssize_t n;
	int fd;

	if (!main_node(dev) || !(st = node_state(dev->ctx, main_node(dev))))
		return -ENODEV;
	fd = open(dev->evdev[0], O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	st->own_opens++;
	st->own_closes++;
	/* the name may have passed to another device since: write only to ours */
	if (ioctl(fd, EVIOCGUNIQ(sizeof(uniq)), uniq) < 0 ||
	    strncmp(uniq, dev->params.uniq, sizeof(uniq)) != 0) {
		close(fd);
		return -ESTALE;
	}
	memset(ev, 0, sizeof(ev));
	ev[0].type = EV_LED;
	ev[0].code = (uint16_t)led;
	ev[0].value = on;
	ev[1].type = EV_SYN;
	ev[1].code = SYN_REPORT;
	n = write(fd, ev, sizeof(ev));
	close(fd);
	return n == (ssize_t)sizeof(ev) ? 0 : n < 0 ? -errno : -EIO;
}

/* A node became one of our devices': without udev it is public from its creation. */
void
vdev_node_added(struct vdev_ctx *ctx, const char *name)
{
	if (ctx->udev_wd < 0 || udev_has(name))
		announce(ctx, name);
	vdev_update_readers(ctx, name);
}

/* udev wrote "c13:M": the name of that char device is /sys/dev/char/13:M's last part */
static void
handle_udev_event(struct vdev_ctx *ctx, const struct inotify_event *ev)
{
	char path[64], target[256];
	const char *base;
	ssize_t n;

	if (ev->mask & IN_IGNORED) {
		ctx->udev_wd = -1;
		log_warn("udev's database went away: every open of a node counts as a reader");
		return;
	}
	if (!ev->len || strncmp(ev->name, "c13:", 4) != 0)
		return;
	snprintf(path, sizeof(path), "/sys/dev/char/%.30s", ev->name + 1);
	if ((n = readlink(path, target, sizeof(target) - 1)) < 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	if (base && event_number(base + 1) >= 0)
		announce(ctx, base + 1);
}

/*
 * Watch udev's database, so that udev's own open of a new node (O_PATH, to set
 * its permissions; inotify reports it as an open) is not taken for a reader:
 * udev writes the node's entry after that, and before it tells anyone else of
 * the node. Without udev (the busybox tier, containers) every open counts.
 */
void
vdev_watch_udev(struct vdev_ctx *ctx)
{
	ctx->udev_wd = -1;
	if (access("/run/udev/control", F_OK) != 0) {
		log_debug("udev is not running: every open of a node counts as a reader");
		return;
	}
	ctx->udev_wd = inotify_add_watch(ctx->inotify_fd, "/run/udev/data",
					 IN_MOVED_TO | IN_CREATE | IN_ONLYDIR);
	/* a desktop, whose LED write the probe waits for, runs only with udev; without
	 * it (containers, the busybox tier) a reader may open a node the moment it
	 * appears, and an own open then could be merged with its open by inotify */
	ctx->led_probe = ctx->udev_wd >= 0;
	if (ctx->udev_wd < 0)
		log_warn("cannot watch udev's database /run/udev/data: %s. udev's own look at "
			 "a new device may count as a reader",
			 strerror(errno));
}

/*
 * One watch on the directory, not one per node: a node watch needs the node
 * to be openable, which DevicePolicy=closed and an unprivileged vhidd forbid
 * (EPERM), while the directory only has to be readable. It also sees a node
 * from its creation, so no reader is missed before its uevent reaches us.
 * Without /dev/input yet (no input device so far), watch /dev for it.
 */
void
vdev_watch_input_dir(struct vdev_ctx *ctx)
{
	ctx->input_wd = inotify_add_watch(ctx->inotify_fd, "/dev/input",
					  IN_OPEN | IN_CLOSE | IN_CREATE | IN_DELETE | IN_ONLYDIR);
	if (ctx->input_wd >= 0) {
		ctx->readers_ok = true;
		return;
	}
	if (errno == ENOENT && ctx->dev_wd < 0)
		ctx->dev_wd = inotify_add_watch(ctx->inotify_fd, "/dev", IN_CREATE | IN_ONLYDIR);
	if (errno == ENOENT && ctx->dev_wd >= 0) {
		ctx->readers_ok = true;
		log_debug("no /dev/input yet: watching /dev for it");
		return;
	}
	ctx->readers_ok = false;
	log_warn("cannot watch /dev/input: %s. Programs reading vhid's devices cannot be "
		 "counted, and clients waiting for a reader wait their full timeout",
		 strerror(errno));
}

static void
count_open(struct vdev_node *st)
{
	if (!st->announced) {
		st->early++;
		return;
	}
	st->last_open_ns = monotonic_ns();
	if (!st->readers && !st->settle_ns)
		st->settle_ns = first_reader_settle(st->last_open_ns - st->announced_ns);
	st->readers++;
}

/* Closes come oldest first: a removed node's, then udev's, then a reader's. */
static void
count_close(struct vdev_node *st)
{
	if (st->stale)
		st->stale--;
	else if (st->early)
		st->early--;
	else if (st->readers)
		st->readers--;
}

static void
handle_dir_event(struct vdev_ctx *ctx, const struct inotify_event *ev)
{
	struct vdev_node *st;

	if (ev->wd == ctx->udev_wd) {
		handle_udev_event(ctx, ev);
		return;
	}
	if (ev->wd == ctx->dev_wd) {
		if ((ev->mask & IN_CREATE) && ev->len && strcmp(ev->name, "input") == 0) {
			inotify_rm_watch(ctx->inotify_fd, ctx->dev_wd);
			ctx->dev_wd = -1;
			vdev_watch_input_dir(ctx);
		}
		return;
	}
	if (ev->wd != ctx->input_wd)
		return;
	if (ev->mask & IN_IGNORED) {
		ctx->input_wd = -1;
		ctx->readers_ok = false;
		log_warn("/dev/input went away: readers are no longer counted");
		return;
	}
	if (!ev->len || (ev->mask & IN_ISDIR) || !(st = node_state(ctx, ev->name)))
		return;
	if (ev->mask & IN_DELETE) {
		/* its files may still be open: their closes are not the next node's */
		st->stale += st->early + st->readers;
		st->early = st->readers = 0;
		st->announced = false;
	} else if (ev->mask & IN_CREATE) {
		/*
		 * Counts are not reset here: the old node's went to stale at its
		 * IN_DELETE, and what came since is this node's. A reader's open (or
		 * udev's, or ours) can come before this event (see announce), and the
		 * node may be announced already, by its uevent (vdev_node_added).
		 */
		if (ctx->udev_wd < 0 || udev_has(ev->name))
			announce(ctx, ev->name);
	} else if (ev->mask & IN_OPEN) {
		if (st->own_opens)
			st->own_opens--;
		else
			count_open(st);
		log_debug("%s: opened (%u readers, %u early)", ev->name, st->readers, st->early);
	} else if (ev->mask & IN_CLOSE) {
		if (st->own_closes)
			st->own_closes--;
		else
			count_close(st);
		log_debug("%s: closed (%u readers, %u early)", ev->name, st->readers, st->early);
	}
	vdev_update_readers(ctx, ev->name);
}

void
vdev_dispatch_inotify(struct vdev_ctx *ctx)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(ctx->inotify_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_Q_OVERFLOW)
				log_warn("inotify queue overflowed: reader counts may be off until "
					 "the devices are recreated");
			else
				handle_dir_event(ctx, ev);
		}
	}
}
