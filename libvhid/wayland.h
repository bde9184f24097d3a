/* wayland.h - a Wayland compositor's own word that a seat has a pointer (wayland.c) */
#ifndef VHID_WAYLAND_H
#define VHID_WAYLAND_H

#include <stdbool.h>
#include <stdint.h>

struct wl_watch;

/*
 * Watch the compositor of $WAYLAND_DISPLAY for a seat with a pointer. Call it
 * before the compositor can have added the device.
 * @return the watch, or NULL when there is nothing to wait for: no
 *         WAYLAND_DISPLAY, no compositor, no seat, no answer by END (monotonic
 *         ms), or a build without libwayland-client.
 */
struct wl_watch *wl_watch_new(uint64_t end);
/* whether a seat had a pointer when the watch began (another device gave it) */
bool wl_watch_had_pointer(const struct wl_watch *w);
/* ask the compositor for an answer that it gives only once back in its event
 * loop, done with what it was doing (wayland.c); -1 when that cannot be sent */
int wl_watch_fence(struct wl_watch *w);
/* 1 once the compositor answered wl_watch_fence(), 0 not yet, -1 on failure;
 * poll wl_watch_fd() between calls */
int wl_watch_fenced(struct wl_watch *w);
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
