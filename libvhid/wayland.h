/* wayland.h - a Wayland compositor's own word that a seat has a pointer (wayland.c) */
#ifndef VHID_WAYLAND_H
#define VHID_WAYLAND_H

#include <stdbool.h>

struct wl_watch;

/*
 * Watch the compositor of $WAYLAND_DISPLAY for a seat with a pointer. Call it
 * before the compositor can have added the device.
 * @return the watch, or NULL when there is nothing to wait for: no
 *         WAYLAND_DISPLAY, no compositor, no seat, a seat that already has a
 *         pointer (another device gave it), or a build without libwayland-client.
 */
struct wl_watch *wl_watch_new(void);
/* readable when the compositor sent something (poll it, then wl_watch_check()) */
int wl_watch_fd(const struct wl_watch *w);
/* whether a seat has announced a pointer, after reading what the compositor sent;
 * false also when the connection failed (then wl_watch_check() says so) */
bool wl_watch_announced(struct wl_watch *w);
/* the device has just moved: the clients' settle is measured from here */
void wl_watch_moved(struct wl_watch *w);
/* @return 1 once a seat has announced a pointer and the compositor's clients have
 *         had a settle to take it up, 0 not yet, -1 when the connection failed;
 *         call it again within 100 ms while it returns 0 (the settle sends no event) */
int wl_watch_check(struct wl_watch *w);
void wl_watch_free(struct wl_watch *w);

#endif
