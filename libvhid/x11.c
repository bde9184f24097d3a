/* x11.c - wait until an X server that reads evdev itself has enabled a device.
 *
 * Why: Xorg's input drivers open a new device through logind and enable it, which
 * drains what the device queued, 100-300 ms later; nothing of that enable reaches
 * the device or vhidd (DESIGN.md 21), so a click sent when vhidd reports the reader
 * is lost. The X server itself says when it is done: XInput 2 lists the device, by
 * its "Device Node" property, as an enabled slave, and sends a hierarchy event when
 * that changes. Only the client can ask, since only it is in the user's session.
 *
 * A keyboard has two nodes, and the server takes each as a device of its own.
 * Typing that began at the main node's enable, with System Control still to
 * come, lost its first characters with one SYN_DROPPED in Xorg's log, as it did
 * under weston (DESIGN.md 21). So the watch waits for every node of the device
 * that the server lists (see sibling_grace_ms).
 *
 * An X server that reads no evdev node (Xwayland, Xvfb, Xephyr: no device has a
 * "Device Node") is not waited for, and neither is one that cannot be reached. */
#include "config.h"

#include "x11.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#if HAVE_XCB_XINPUT

#include <dirent.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdint.h>
#include <xcb/xcb.h>
#include <xcb/xinput.h>

#include "clock.h"

enum node_state { NO_EVDEV, NOT_YET, ENABLED };

#define MAX_STALE 8
#define MAX_NODES 4 /* the main node first, then the device's others */

/*
 * The node names of /dev/input are reused: a short-lived device gets the name the
 * one before the last just gave up, and Xorg may not have removed that one yet.
 * Its entry, enabled and with this node, is not this device's: on trixie one
 * `vhidctl scroll` in ten was sent on such an entry and lost (2026-12-02). So
 * the devices that list the node when the watch starts are stale until the server
 * removes them (a hierarchy event); once vhidd counts a reader of the node, the
 * server has handled the removal (udev's events come in order) and an entry with
 * the node is this device's.
 */
struct x11_watch {
	xcb_connection_t *c;
	xcb_atom_t prop;
	uint8_t xi_opcode;
	char node[MAX_NODES][64];
	int nnodes;
	uint64_t start_ms;   /* when the watch began */
	uint64_t enabled_ms; /* when the main node was first seen enabled, 0 = not yet */
	xcb_input_device_id_t stale[MAX_STALE];
	int nstale;
};

static bool
is_stale(const struct x11_watch *w, xcb_input_device_id_t id)
{
	for (int i = 0; i < w->nstale; i++)
		if (w->stale[i] == id)
			return true;
	return false;
}

static void
forget_stale(struct x11_watch *w, xcb_input_device_id_t id)
{
	for (int i = 0; i < w->nstale; i++)
		if (w->stale[i] == id)
			w->stale[i--] = w->stale[--w->nstale];
}

/* 1 if the property reply is NODE, 0 if it is another path, -1 if there is none */
static int
node_is(xcb_input_xi_get_property_reply_t *r, const char *node)
{
	xcb_input_xi_get_property_items_t items;
	size_t len = strlen(node);

	if (!r || r->format != 8 || r->num_items == 0)
		return -1;
	xcb_input_xi_get_property_items_unpack(xcb_input_xi_get_property_items(r), r->num_items,
					       r->format, &items);
	/* the drivers store the path without its NUL; accept one anyway */
	return (r->num_items == len || (r->num_items == len + 1 && !items.data8[len])) &&
	       memcmp(items.data8, node, len) == 0;
}

static bool
is_slave(const xcb_input_xi_device_info_t *info)
{
	return info->type == XCB_INPUT_DEVICE_TYPE_SLAVE_POINTER ||
	       info->type == XCB_INPUT_DEVICE_TYPE_SLAVE_KEYBOARD ||
	       info->type == XCB_INPUT_DEVICE_TYPE_FLOATING_SLAVE;
}

/*
 * How long after the main node's enable a node of the device that the server does
 * not list yet is still waited for: as long as the server took for the main node,
 * 0.5 to 3 s. Xorg adds a device's nodes one after the other, as udev announces
 * them; one it never lists (a configuration that ignores it) costs that once.
 */
static uint64_t
sibling_grace_ms(const struct x11_watch *w)
{
	uint64_t took = w->enabled_ms - w->start_ms;

	return took < 500 ? 500 : took > 3000 ? 3000 : took;
}

/* the index of NODE among the watched nodes (a property reply), or -1; -2 when the
 * device has no "Device Node" at all */
static int
node_index(const struct x11_watch *w, xcb_input_xi_get_property_reply_t *p)
{
	for (int i = 0; i < w->nnodes; i++) {
		int is = node_is(p, w->node[i]);

		if (is < 0)
			return -2;
		if (is > 0)
			return i;
	}
	return -1;
}

/* The answer from what the server lists: LISTED and ENABLED per watched node. */
static enum node_state
nodes_state(struct x11_watch *w, const bool *listed, const bool *enabled)
{
	uint64_t now = monotonic_ms();

	if (!enabled[0])
		return NOT_YET;
	if (!w->enabled_ms)
		w->enabled_ms = now;
	for (int i = 1; i < w->nnodes; i++)
		if (listed[i] ? !enabled[i] : now < w->enabled_ms + sibling_grace_ms(w))
			return NOT_YET;
	return ENABLED;
}

/* One round trip for the list, one for every device's "Device Node": the
 * requests all go out before the first reply is read. RECORD (the first query):
 * every entry with a watched node is stale. TRUST_STALE: a stale entry counts
 * too (see struct x11_watch). */
static enum node_state
query(struct x11_watch *w, bool record, bool trust_stale)
{
	xcb_connection_t *c = w->c;
	xcb_input_xi_query_device_reply_t *r = xcb_input_xi_query_device_reply(
		c, xcb_input_xi_query_device(c, XCB_INPUT_DEVICE_ALL), NULL);
	xcb_input_xi_get_property_cookie_t ck[128];
	xcb_input_xi_device_info_iterator_t it;
	bool listed[MAX_NODES] = {false}, enabled[MAX_NODES] = {false}, evdev = false;
	int n = 0, i = 0;

	if (!r)
		return NO_EVDEV;
	for (it = xcb_input_xi_query_device_infos_iterator(r); it.rem > 0 && n < 128;
	     xcb_input_xi_device_info_next(&it))
		if (is_slave(it.data))
			ck[n++] = xcb_input_xi_get_property(c, it.data->deviceid, 0, w->prop,
							    XCB_GET_PROPERTY_TYPE_ANY, 0, 64);
	for (it = xcb_input_xi_query_device_infos_iterator(r); it.rem > 0 && i < n;
	     xcb_input_xi_device_info_next(&it)) {
		xcb_input_xi_get_property_reply_t *p;
		int k;

		if (!is_slave(it.data))
			continue;
		p = xcb_input_xi_get_property_reply(c, ck[i++], NULL);
		k = node_index(w, p);
		free(p);
		evdev = evdev || k != -2;
		if (k < 0)
			continue;
		if (record && w->nstale < MAX_STALE)
			w->stale[w->nstale++] = it.data->deviceid;
		if (is_stale(w, it.data->deviceid) && !trust_stale)
			continue; /* another device's entry, on its way out */
		listed[k] = true;
		enabled[k] = enabled[k] || it.data->enabled;
	}
	free(r);
	return evdev ? nodes_state(w, listed, enabled) : NO_EVDEV;
}

/* /dev/input/NAME as a watched node, if NAME is an event node other than MAIN */
static void
add_node(struct x11_watch *w, const char *name, const char *main)
{
	static const char dir[] = "/dev/input/";
	size_t len = strlen(name);

	if (strncmp(name, "event", 5) || !strcmp(name, main) ||
	    sizeof(dir) + len > sizeof(w->node[0]))
		return;
	memcpy(w->node[w->nnodes], dir, sizeof(dir) - 1);
	memcpy(w->node[w->nnodes] + sizeof(dir) - 1, name, len + 1);
	w->nnodes++;
}

/*
 * The device's other evdev nodes (a keyboard's System Control), from sysfs: the
 * event nodes of the other input devices of the main node's HID device
 * (/sys/class/input/eventN -> .../<hid>/input/inputM/eventN).
 */
static void
find_siblings(struct x11_watch *w)
{
	const char *name = strrchr(w->node[0], '/') + 1;
	char path[PATH_MAX], link[96], sub[PATH_MAX + 300];
	struct dirent *e, *f;
	DIR *inputs, *one;
	char *cut;

	snprintf(link, sizeof(link), "/sys/class/input/%s", name);
	if (!realpath(link, path) || !(cut = strrchr(path, '/')))
		return;
	*cut = '\0';
	if (!(cut = strrchr(path, '/')))
		return;
	*cut = '\0'; /* .../<hid>/input */
	if (!(inputs = opendir(path)))
		return;
	while ((e = readdir(inputs)) && w->nnodes < MAX_NODES) {
		if (strncmp(e->d_name, "input", 5))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (!(one = opendir(sub)))
			continue;
		while ((f = readdir(one)) && w->nnodes < MAX_NODES)
			add_node(w, f->d_name, name);
		closedir(one);
	}
	closedir(inputs);
}

/* XInput 2 announced, hierarchy events selected: 0, or -1 when the server lacks XI 2 */
static int
setup(xcb_connection_t *c, xcb_atom_t *prop, uint8_t *opcode)
{
	/* both requests out before either reply: one round trip */
	xcb_input_xi_query_version_cookie_t vc = xcb_input_xi_query_version(c, 2, 0);
	xcb_intern_atom_cookie_t ac = xcb_intern_atom(c, 1, strlen("Device Node"), "Device Node");
	xcb_input_xi_query_version_reply_t *v = xcb_input_xi_query_version_reply(c, vc, NULL);
	xcb_intern_atom_reply_t *a = xcb_intern_atom_reply(c, ac, NULL);
	struct {
		xcb_input_event_mask_t head;
		uint32_t mask;
	} m = {{XCB_INPUT_DEVICE_ALL, 1}, XCB_INPUT_XI_EVENT_MASK_HIERARCHY};
	int ok = v && v->major_version >= 2 && a && a->atom != XCB_ATOM_NONE;

	if (ok) {
		*prop = a->atom;
		*opcode = xcb_get_extension_data(c, &xcb_input_id)->major_opcode;
		/* selected before the first query, so no change between them is missed */
		xcb_input_xi_select_events(c, xcb_setup_roots_iterator(xcb_get_setup(c)).data->root,
					   1, &m.head);
		xcb_flush(c);
	}
	free(v);
	free(a);
	return ok ? 0 : -1;
}

struct x11_watch *
x11_watch_new(const char *node)
{
	const char *display = getenv("DISPLAY");
	struct x11_watch *w;

	/* under a Wayland session DISPLAY is Xwayland's, which reads no evdev node; and
	 * only a server on this machine can read this machine's devices: "host:N"
	 * (ssh -X's localhost:10) is another machine's, or nobody's */
	if (!display || (display[0] != ':' && strncmp(display, "unix:", 5)) ||
	    getenv("WAYLAND_DISPLAY") || !node || !strrchr(node, '/') ||
	    strlen(node) >= sizeof(w->node[0]))
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	strcpy(w->node[0], node);
	w->nnodes = 1;
	w->start_ms = monotonic_ms();
	find_siblings(w);
	w->c = xcb_connect(display, NULL);
	if (xcb_connection_has_error(w->c) || setup(w->c, &w->prop, &w->xi_opcode) < 0 ||
	    query(w, true, false) == NO_EVDEV) {
		x11_watch_free(w);
		return NULL;
	}
	return w;
}

int
x11_watch_fd(const struct x11_watch *w)
{
	return xcb_get_file_descriptor(w->c);
}

/* a hierarchy event: the stale entries the server removed are gone */
static void
hierarchy(struct x11_watch *w, xcb_generic_event_t *ev)
{
	xcb_ge_generic_event_t *ge = (xcb_ge_generic_event_t *)ev;
	xcb_input_hierarchy_info_iterator_t it;

	if ((ev->response_type & 0x7f) != XCB_GE_GENERIC || ge->extension != w->xi_opcode ||
	    ge->event_type != XCB_INPUT_HIERARCHY)
		return;
	for (it = xcb_input_hierarchy_infos_iterator((xcb_input_hierarchy_event_t *)ev); it.rem > 0;
	     xcb_input_hierarchy_info_next(&it))
		if (it.data->flags & XCB_INPUT_HIERARCHY_MASK_SLAVE_REMOVED)
			forget_stale(w, it.data->deviceid);
}

int
x11_watch_check(struct x11_watch *w, bool vhidd_reader)
{
	xcb_generic_event_t *ev;

	/* the events wake the caller and retire stale entries; the answer is the query's */
	while ((ev = xcb_poll_for_event(w->c))) {
		hierarchy(w, ev);
		free(ev);
	}
	if (xcb_connection_has_error(w->c))
		return -1;
	switch (query(w, false, vhidd_reader)) {
	case ENABLED:
		return 1;
	case NOT_YET:
		return 0;
	default:
		return -1;
	}
}

void
x11_watch_free(struct x11_watch *w)
{
	if (!w)
		return;
	xcb_disconnect(w->c);
	free(w);
}

#else

struct x11_watch *
x11_watch_new(const char *node)
{
	(void)node;
	return NULL;
}

int
x11_watch_fd(const struct x11_watch *w)
{
	(void)w;
	return -1;
}

int
x11_watch_check(struct x11_watch *w, bool vhidd_reader)
{
	(void)w, (void)vhidd_reader;
	return -1;
}

void
x11_watch_free(struct x11_watch *w)
{
	(void)w;
}

#endif
