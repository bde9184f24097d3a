/*
 * vdev-standby.c - the standby keyboard (DESIGN §9).
 *
 * A new keyboard costs the desktop a discovery: udev, the compositor's open
 * through logind, its setup and its LED write, which is what makes the first
 * key safe (§21). Under TCG that is most of a second, longer than ydotool's
 * whole run, whose daemon made its one device at start. So vhidd keeps one
 * keyboard of vhid's default identity that belongs to nobody: made when vhidd
 * starts, found by the desktop before any client asks. The first client of any
 * uid that asks for that identity takes it (vdev_adopt) and it is that client's
 * until released. A released keyboard of that identity, all keys up, becomes
 * the standby again where there is none, instead of being destroyed: the desktop
 * reads its last events from a device that stays, and never discovers another.
 *
 * Nothing passes from one user to the next through it: its keys are up (the
 * reset of vdev_destroy), its LED state is the desktop's, which every new
 * keyboard gets written, and its evdev node is readable only by the desktop.
 */
#include "vdev-private.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

static bool
standby_identity(const struct vdev_params *p)
{
	struct vdev_params d;

	vdev_params_default(&d, VHID_DEVICE_KEYBOARD);
	return p->kind == d.kind && p->bus == d.bus && p->vendor == d.vendor &&
	       p->product == d.product && p->version == d.version && p->country == d.country &&
	       strcmp(p->name, d.name) == 0;
}

static struct vdev *
find_standby(struct vdev_ctx *ctx)
{
	for (struct vdev *d = ctx->devices; d; d = d->next)
		if (d->standby && !d->dead)
			return d;
	return NULL;
}

static void
become_standby(struct vdev *dev)
{
	dev->standby = true;
	dev->params.owner = VDEV_NO_OWNER;
	snprintf(dev->params.label, sizeof(dev->params.label), "standby keyboard");
}

void
vdev_standby_make(struct vdev_ctx *ctx)
{
	struct vdev_params p;
	struct vdev *dev;
	int r;

	if (!ctx->standby_on || ctx->standby_failed || find_standby(ctx))
		return;
	vdev_params_default(&p, VHID_DEVICE_KEYBOARD);
	snprintf(p.phys, sizeof(p.phys), "vhid/standby/input0");
	snprintf(p.uniq, sizeof(p.uniq), "vhid-%d-s%u", (int)getpid(), ++ctx->standby_serial);
	snprintf(p.label, sizeof(p.label), "standby keyboard");
	r = vdev_create(ctx, &p, NULL, NULL, &dev);
	if (r < 0) {
		ctx->standby_failed = true;
		log_warn("standby keyboard: cannot make it (%s); each client's keyboard is made "
			 "when it asks, until the policy is reloaded",
			 vhid_strerror(r));
		return;
	}
	become_standby(dev);
}

/* A failed standby is destroyed (dispatch_timer) and not made again until a reload. */
void
vdev_standby_failed(struct vdev *dev)
{
	dev->ctx->standby_failed = true;
	dev->deadline_ns = monotonic_ns();
	vdev_arm_timer(dev->ctx);
}

bool
vdev_standby_recycle(struct vdev *dev)
{
	struct vdev_ctx *ctx = dev->ctx;
	char was[sizeof(dev->params.label)];

	if (!ctx->standby_on || dev->failed || !dev->ready || dev->write_error ||
	    !standby_identity(&dev->params) || find_standby(ctx))
		return false;
	memcpy(was, dev->params.label, sizeof(was));
	dev->lingering = dev->kept = false;
	dev->deadline_ns = 0;
	become_standby(dev);
	log_info("%s: released; now the standby keyboard", was);
	return true;
}

struct vdev *
vdev_standby_take(struct vdev_ctx *ctx, const struct vdev_params *params)
{
	struct vdev *d = find_standby(ctx);

	/* one still being made too: it is further along than a new one, and the desktop
	 * then discovers one keyboard, not two (a client whose connect started vhidd) */
	if (!d || d->failed || params->owner == VDEV_NO_OWNER || !standby_identity(params))
		return NULL;
	d->standby = false;
	d->params.owner = params->owner;
	return d;
}

void
vdev_ctx_set_standby(struct vdev_ctx *ctx, bool on)
{
	struct vdev *d = find_standby(ctx);

	ctx->standby_on = on;
	ctx->standby_failed = false;
	if (on) {
		vdev_standby_make(ctx);
		return;
	}
	if (!d)
		return;
	/* never used since it became the standby, or reset when it did: nothing to release */
	d->standby = false;
	log_info("%s: no longer wanted", d->params.label);
	if (!d->ready || d->failed) {
		vdev_destroy(d); /* not ready: at once, as any device nobody could read */
		return;
	}
	d->lingering = true;
	d->deadline_ns = monotonic_ns() + ctx->linger_ns;
	vdev_arm_timer(ctx);
}
