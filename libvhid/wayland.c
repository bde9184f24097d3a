/* wayland.c - wait until a Wayland seat that had no pointer announces one.
 *
 * Why: a Wayland client gets pointer events only through a wl_pointer, which it
 * makes when its seat announces the pointer capability. Where a new vhid pointer
 * is the seat's only one (a VM, a kiosk, a headless compositor), every client
 * asks for its wl_pointer after that announcement, and what comes before the
 * request reaches nobody. weston 10 announces a new pointer only when it first
 * moves, not when it adds the device (distro tier, 2026-12-02: a held pointer
 * that weston had configured was announced 11 s later, at the first injected
 * motion). So a first click went to no client, and so did the first click after
 * each gap with no vhid pointer: the seat loses the capability with its last
 * pointer. vhidd cannot see any of it: it is between the compositor and its
 * clients. The client can ask the compositor, as any Wayland client does.
 *
 * The wait ends when a seat has announced a pointer and its clients have had a
 * settle to take it up (wl_watch_check). Where a seat already has one (a real
 * mouse), nothing changes for the clients.
 *
 * Then, for any pointer, one round trip after vhidd's reader (wl_watch_fence):
 * the compositor answers it only once it is back in its event loop. weston,
 * and every compositor that opens devices through logind or libseat in its
 * main loop, asks logind for the device with a blocking call (TakeDevice) and
 * sets the device up, draining what is queued on it, before it returns to the
 * loop; so the answer means its setup of the device that vhidd saw opened is
 * done. vhidd's settle alone was short under load: logind opened a new
 * pointer 11 ms after udev's announcement, the settle ended 45 ms later, and
 * weston configured the device 250 ms after logind's open and drained the
 * scroll sent in between (distro tier, bookworm, stress-ng, 2026-12-03). */
#include "config.h"

#include "wayland.h"

#include <stdlib.h>

#if HAVE_WAYLAND_CLIENT

#include <poll.h>
#include <string.h>
#include <wayland-client.h>

#include "clock.h"

#define MAX_SEATS 8
/* the clients' settle after the announcement: see wl_watch_check() */
#define SETTLE_MIN_MS 20
#define SETTLE_MAX_MS 500

struct wl_watch {
	struct wl_display *d;
	struct wl_registry *r;
	struct wl_seat *seats[MAX_SEATS];
	int nseats;
	bool has; /* a seat has a pointer */
	bool had; /* ... already when the watch began */
	bool failed;
	bool fenced; /* the compositor answered wl_watch_fence()'s sync */
	struct wl_callback *sync;
	uint64_t start_ms, settle_end_ms;
};

static void
seat_caps(void *data, struct wl_seat *seat, uint32_t caps)
{
	struct wl_watch *w = data;

	(void)seat;
	if (caps & WL_SEAT_CAPABILITY_POINTER)
		w->has = true;
}

static void
seat_name(void *data, struct wl_seat *seat, const char *name)
{
	(void)data, (void)seat, (void)name;
}

static const struct wl_seat_listener seat_listener = {seat_caps, seat_name};

static void
global(void *data, struct wl_registry *r, uint32_t name, const char *iface, uint32_t version)
{
	struct wl_watch *w = data;

	(void)version;
	if (strcmp(iface, wl_seat_interface.name) || w->nseats == MAX_SEATS)
		return;
	/* version 1 has the capabilities event, all this needs */
	w->seats[w->nseats] = wl_registry_bind(r, name, &wl_seat_interface, 1);
	if (w->seats[w->nseats])
		wl_seat_add_listener(w->seats[w->nseats++], &seat_listener, w);
}

static void
global_remove(void *data, struct wl_registry *r, uint32_t name)
{
	(void)data, (void)r, (void)name;
}

static const struct wl_registry_listener registry_listener = {global, global_remove};

static int roundtrip(struct wl_watch *w, uint64_t end);

struct wl_watch *
wl_watch_new(uint64_t end)
{
	const char *display = getenv("WAYLAND_DISPLAY");
	struct wl_watch *w;

	/* wl_display_connect(NULL) falls back to "wayland-0": only a session that
	 * names its compositor is one; and a name is found in XDG_RUNTIME_DIR, without
	 * which libwayland prints an error on the program's stderr (sudo drops both) */
	if (!display || !*display || (display[0] != '/' && !getenv("XDG_RUNTIME_DIR")))
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->d = wl_display_connect(NULL);
	if (!w->d || !(w->r = wl_display_get_registry(w->d)) ||
	    wl_registry_add_listener(w->r, &registry_listener, w) < 0 ||
	    /* the globals, then each seat's capabilities */
	    roundtrip(w, end) < 0 || roundtrip(w, end) < 0 || !w->nseats) {
		wl_watch_free(w);
		return NULL;
	}
	w->had = w->has;
	w->start_ms = monotonic_ms();
	return w;
}

bool
wl_watch_had_pointer(const struct wl_watch *w)
{
	return w->had;
}

int
wl_watch_fd(const struct wl_watch *w)
{
	return wl_display_get_fd(w->d);
}

/* read what the compositor sent, without blocking (the caller polled the fd) */
static int
read_events(struct wl_watch *w)
{
	struct pollfd p = {.fd = wl_display_get_fd(w->d), .events = POLLIN};

	while (wl_display_prepare_read(w->d) != 0)
		if (wl_display_dispatch_pending(w->d) < 0)
			return -1;
	wl_display_flush(w->d);
	if (poll(&p, 1, 0) > 0) {
		if (wl_display_read_events(w->d) < 0)
			return -1;
	} else {
		wl_display_cancel_read(w->d);
	}
	return wl_display_dispatch_pending(w->d) < 0 ? -1 : 0;
}

bool
wl_watch_announced(struct wl_watch *w)
{
	if (!w->failed && read_events(w) < 0)
		w->failed = true;
	return w->has;
}

void
wl_watch_moved(struct wl_watch *w)
{
	w->start_ms = monotonic_ms();
}

int
wl_watch_check(struct wl_watch *w)
{
	if (w->failed || read_events(w) < 0)
		return -1;
	if (!w->has)
		return 0;
	/*
	 * The clients got the same announcement, and each now asks for its
	 * wl_pointer; nothing shows when they have. So they get a settle as long
	 * again as the announcement took to come after the device moved (or after
	 * the wait began), as vhidd's settle for a reader (DESIGN.md 21): the same
	 * kind of work on the same machine, long on a slow one.
	 */
	if (!w->settle_end_ms) {
		uint64_t now = monotonic_ms(), took = now - w->start_ms;

		w->settle_end_ms = now + (took < SETTLE_MIN_MS   ? SETTLE_MIN_MS
					  : took > SETTLE_MAX_MS ? SETTLE_MAX_MS
								 : took);
		if (roundtrip(w, now + SETTLE_MAX_MS) < 0)
			return -1;
	}
	return monotonic_ms() >= w->settle_end_ms;
}

static void
sync_done(void *data, struct wl_callback *cb, uint32_t serial)
{
	struct wl_watch *w = data;

	(void)serial;
	wl_callback_destroy(cb);
	w->sync = NULL;
	w->fenced = true;
}

static const struct wl_callback_listener sync_listener = {sync_done};

int
wl_watch_fence(struct wl_watch *w)
{
	if (w->failed || !(w->sync = wl_display_sync(w->d)) ||
	    wl_callback_add_listener(w->sync, &sync_listener, w) < 0)
		return -1;
	w->fenced = false;
	wl_display_flush(w->d);
	return 0;
}

int
wl_watch_fenced(struct wl_watch *w)
{
	if (w->failed || read_events(w) < 0)
		return w->failed = true, -1;
	return w->fenced;
}

/* wl_display_roundtrip(), but given up at END (monotonic ms): a compositor that
 * hangs must not hang the program */
static int
roundtrip(struct wl_watch *w, uint64_t end)
{
	int r;

	if (wl_watch_fence(w) < 0)
		return -1;
	while ((r = wl_watch_fenced(w)) == 0) {
		struct pollfd p = {.fd = wl_display_get_fd(w->d), .events = POLLIN};
		uint64_t now = monotonic_ms();

		if (now >= end)
			return -1;
		poll(&p, 1, (int)(end - now > 100 ? 100 : end - now));
	}
	return r < 0 ? -1 : 0;
}

void
wl_watch_free(struct wl_watch *w)
{
	if (!w)
		return;
	if (w->sync)
		wl_callback_destroy(w->sync);
	for (int i = 0; i < w->nseats; i++)
		wl_seat_destroy(w->seats[i]);
	if (w->r)
		wl_registry_destroy(w->r);
	if (w->d)
		wl_display_disconnect(w->d);
	free(w);
}

#else

struct wl_watch *
wl_watch_new(uint64_t end)
{
	(void)end;
	return NULL;
}

int
wl_watch_fd(const struct wl_watch *w)
{
	(void)w;
	return -1;
}

bool
wl_watch_announced(struct wl_watch *w)
{
	(void)w;
	return false;
}

void
wl_watch_moved(struct wl_watch *w)
{
	(void)w;
}

int
wl_watch_check(struct wl_watch *w)
{
	(void)w;
	return -1;
}

bool
wl_watch_had_pointer(const struct wl_watch *w)
{
	(void)w;
	return false;
}

int
wl_watch_fence(struct wl_watch *w)
{
	(void)w;
	return -1;
}

int
wl_watch_fenced(struct wl_watch *w)
{
	(void)w;
	return -1;
}

void
wl_watch_free(struct wl_watch *w)
{
	(void)w;
}

#endif
