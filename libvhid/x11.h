/* x11.h - an X server's own word that it reads a device (x11.c) */
#ifndef VHID_X11_H
#define VHID_X11_H

#include <stdbool.h>

struct x11_watch;

/*
 * Watch the X server of $DISPLAY for the evdev NODE ("/dev/input/eventN") as an
 * enabled input device, and the device's other nodes (sysfs) that it lists.
 * @return the watch, or NULL when there is nothing to wait for: no DISPLAY, a
 *         Wayland session, no X server, no XInput 2, a server that reads no evdev
 *         node (no device has a "Device Node"), or a build without xcb-xinput.
 */
struct x11_watch *x11_watch_new(const char *node);
/* readable when the server's hierarchy changed (poll it, then x11_watch_check()) */
int x11_watch_fd(const struct x11_watch *w);
/* @return 1 when the server has enabled the node and its others, 0 not yet, -1
 *         when the connection failed. VHIDD_READER: vhidd counts a reader of the
 *         node, so an entry the server listed with the node when the watch began
 *         is this device's too */
int x11_watch_check(struct x11_watch *w, bool vhidd_reader);
void x11_watch_free(struct x11_watch *w);

#endif
