/*
 * vdev-nodes.c - how vhidd learns a device's nodes and readers: kernel uevents
 * name its HID device (by uniq), its eventN and hidrawN, and the driver's bind
 * (readiness, DESIGN.md §7); sysfs is the fallback when uevents are missing or
 * were lost; inotify on the evdev node counts the programs reading it (§21).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

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

static void
add_node(struct vdev *dev, const char *devname)
{
	if (strncmp(devname, "input/event", 11) == 0) {
		for (int i = 0; i < dev->n_evdev; i++)
			if (strcmp(dev->evdev[i] + 5, devname) == 0)
				return;
		if (dev->n_evdev < VDEV_MAX_EVDEV)
			snprintf(dev->evdev[dev->n_evdev++], sizeof(dev->evdev[0]), "/dev/%s",
				 devname);
		/* watch at once: udev and readers open the node only after its uevent */
		watch_node(dev);
	} else if (strncmp(devname, "hidraw", 6) == 0) {
		snprintf(dev->hidraw, sizeof(dev->hidraw), "/dev/%s", devname);
	}
}

void
handle_uevent(struct vdev_ctx *ctx, const struct uevent *ue)
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
		check_ready(dev);
	} else if (is_hid && strcmp(ue->action, "remove") == 0 && dev->ready) {
		fail_device(dev, -ENODEV, "the kernel removed the device");
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
resolve_sysfs(struct vdev *dev)
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
	check_ready(dev);
}

void
dispatch_uevents(struct vdev_ctx *ctx)
{
	char buf[8192];
	struct uevent ue;

	for (;;) {
		ssize_t n = recv(ctx->uevent_fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			/* the kernel dropped uevents: ask sysfs about everyone pending */
			log_warn("uevent queue overflowed; rescanning sysfs");
			for (struct vdev *d = ctx->devices; d; d = d->next)
				if (!d->ready && !d->dead && d->started)
					resolve_sysfs(d);
			continue;
		}
		if (n <= 0)
			return;
		buf[n] = '\0';
		if (uevent_parse(buf, (size_t)n, &ue) == 0)
			handle_uevent(ctx, &ue);
	}
}

static void
set_readers(struct vdev *dev, unsigned int readers)
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
 * Programs that opened the node before the watch existed: count the file
 * descriptors in /proc that refer to it. Needs root; without it the count
 * starts at 0 and only later opens are seen.
 */
static unsigned int
count_openers(const char *node)
{
	struct stat want, st;
	char fdpath[300], self[16];
	struct dirent *p, *f;
	unsigned int n = 0;
	DIR *procs, *fds;

	if (stat(node, &want) < 0 || !(procs = opendir("/proc")))
		return 0;
	snprintf(self, sizeof(self), "%d", (int)getpid());
	while ((p = readdir(procs))) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9' || strcmp(p->d_name, self) == 0)
			continue;
		snprintf(fdpath, sizeof(fdpath), "/proc/%.20s/fd", p->d_name);
		if (!(fds = opendir(fdpath)))
			continue;
		while ((f = readdir(fds)))
			if (f->d_name[0] != '.' && fstatat(dirfd(fds), f->d_name, &st, 0) == 0 &&
			    S_ISCHR(st.st_mode) && st.st_rdev == want.st_rdev)
				n++;
		closedir(fds);
	}
	closedir(procs);
	return n;
}

/* Watch the first evdev node for opens and closes from user space. */
void
watch_node(struct vdev *dev)
{
	unsigned int already;

	if (dev->wd >= 0 || dev->ctx->inotify_fd < 0 || dev->n_evdev == 0)
		return;
	dev->wd = inotify_add_watch(dev->ctx->inotify_fd, dev->evdev[0], IN_OPEN | IN_CLOSE);
	if (dev->wd < 0) {
		log_debug("%s: cannot watch %s: %s", dev->params.label, dev->evdev[0],
			  strerror(errno));
		return;
	}
	/* a fast reader may have opened the node before its uevent reached us */
	already = count_openers(dev->evdev[0]);
	if (already)
		set_readers(dev, already);
}

static struct vdev *
find_by_wd(struct vdev_ctx *ctx, int wd)
{
	for (struct vdev *d = ctx->devices; d; d = d->next)
		if (d->wd == wd)
			return d;
	return NULL;
}

void
dispatch_inotify(struct vdev_ctx *ctx)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(ctx->inotify_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			struct vdev *d = find_by_wd(ctx, ev->wd);
			p += sizeof(*ev) + ev->len;
			if (!d || d->dead)
				continue;
			if (ev->mask & IN_IGNORED)
				d->wd = -1;
			else if (ev->mask & IN_OPEN)
				set_readers(d, d->readers + 1);
			else if ((ev->mask & IN_CLOSE) && d->readers > 0)
				set_readers(d, d->readers - 1);
		}
	}
}
