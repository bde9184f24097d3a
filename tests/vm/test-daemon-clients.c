/*
 * test-daemon-clients: two clients of the real vhidd get two separate
 * keyboards; what one types never appears on the other's; the per-client
 * limit holds; status lists both with their real evdev nodes.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "vmdaemon.h"

struct seen {
	int clients, devices;
	char nodes[8][32];
};

static void
on_client(const struct vhid_status_client *c, void *data)
{
	((struct seen *)data)->clients++;
}

static void
on_device(const struct vhid_status_device *d, void *data)
{
	struct seen *s = data;
	if (s->devices < 8)
		snprintf(s->nodes[s->devices], sizeof(s->nodes[0]), "%s", d->evdev);
	s->devices++;
}

static bool
listed(const struct seen *s, const char *node)
{
	for (int i = 0; i < s->devices && i < 8; i++)
		if (!strcmp(s->nodes[i], node))
			return true;
	return false;
}

int
main(void)
{
	struct vt_daemon d;
	struct vt_agent a, b;
	struct vt_dev na, nb;
	char ans[256];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!vt_check(vt_daemon_start(&d, NULL) == 0, "daemon.start", "vhidd did not become ready"))
		return vt_finish();
	vt_agent_spawn(&a, "client-a", 0, 0, NULL, 0);
	vt_agent_spawn(&b, "client-b", 0, 0, NULL, 0);
	vt_check(vt_agent_cmd(&a, ans, sizeof(ans), 3000, "connect") == 0, "a.connect", "%s", ans);
	vt_check(vt_agent_cmd(&b, ans, sizeof(ans), 3000, "connect") == 0, "b.connect", "%s", ans);
	vt_check(vt_agent_cmd(&a, ans, sizeof(ans), 3000, "create keyboard") == 0, "a.keyboard",
		 "%s", ans);
	vt_check(vt_agent_cmd(&b, ans, sizeof(ans), 3000, "create keyboard") == 0, "b.keyboard",
		 "%s", ans);
	vt_check(strcmp(a.node, b.node) != 0, "two.separate.keyboards", "both on %s", a.node);
	if (vt_open_node(&na, a.node) < 0 || vt_open_node(&nb, b.node) < 0) {
		vt_fail("open.nodes", "cannot open %s / %s", a.node, b.node);
		return vt_finish();
	}

	struct input_event a_down = EV(EV_KEY, KEY_A, 1), a_up = EV(EV_KEY, KEY_A, 0);
	vt_agent_cmd(&a, NULL, 0, 2000, "press 0x04");
	vt_agent_cmd(&a, NULL, 0, 2000, "release 0x04");
	vt_expect_frame(&na, "a.types.a", &a_down, 1, 1000);
	vt_expect_frame(&na, "a.releases.a", &a_up, 1, 1000);
	vt_check(vt_quiet(&nb, 200), "b.sees.nothing.of.a", "B's keyboard got an event");

	struct input_event b_down = EV(EV_KEY, KEY_B, 1);
	vt_agent_cmd(&b, NULL, 0, 2000, "press 0x05");
	vt_expect_frame(&nb, "b.types.b", &b_down, 1, 1000);
	vt_check(vt_quiet(&na, 200), "a.sees.nothing.of.b", "A's keyboard got an event");

	int r = vt_agent_cmd(&a, ans, sizeof(ans), 3000, "create keyboard");
	vt_check(r == 1 && strstr(ans, "-1012") && strstr(ans, "one keyboard"),
		 "limit.one.keyboard.per.client", "second keyboard: %s", ans);
	vt_check(vt_agent_cmd(&a, ans, sizeof(ans), 3000, "create pointer") == 0,
		 "limit.pointer.still.allowed", "%s", ans);

	/* status, from a third client */
	struct vhid_client *c;
	struct seen s = {0};
	struct vhid_status_listener l = {
		.size = sizeof(l), .client = on_client, .device = on_device};
	vhid_client_new("status", NULL, NULL, &c);
	r = vhid_client_connect(c, NULL);
	r = r ? r : vhid_client_get_status(c, 1, &l, &s);
	vt_check(r == 0 && s.clients == 3 && s.devices == 3 && listed(&s, a.node) &&
			 listed(&s, b.node),
		 "status.lists.clients.and.nodes", "r=%d clients=%d devices=%d", r, s.clients,
		 s.devices);
	vhid_client_destroy(c);

	vt_agent_quit(&a);
	vt_agent_quit(&b);
	struct input_event b_up = EV(EV_KEY, KEY_B, 0);
	vt_expect_frame(&nb, "disconnect.releases.held.key", &b_up, 1, 1000);
	vt_close_node(&na);
	vt_close_node(&nb);
	vt_check(vt_daemon_stop(&d, SIGTERM) == 0, "daemon.sigterm.exit.0", "bad exit status");
	return vt_finish();
}
