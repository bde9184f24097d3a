/*
 * test-daemon-shutdown: SIGTERM releases every key, removes every device and
 * the socket, and exits 0. Restarting the daemon lets a client with reconnect
 * enabled create its devices again and type.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmdaemon.h"

int
main(void)
{
	struct vt_daemon d;
	struct vt_agent a, b;
	struct vt_dev na, nb;
	struct stat st;
	char ans[256];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!vt_check(vt_daemon_start(&d, NULL) == 0, "daemon.start", "vhidd did not become ready"))
		return vt_finish();
	vt_agent_spawn(&a, "survivor", 0, 0, NULL, 0);
	vt_agent_spawn(&b, "mouse", 0, 0, NULL, 0);
	vt_agent_cmd(&a, NULL, 0, 2000, "reconnect 1");
	if (vt_agent_cmd(&a, ans, sizeof(ans), 3000, "connect") ||
	    vt_agent_cmd(&a, ans, sizeof(ans), 3000, "create keyboard") ||
	    vt_agent_cmd(&b, ans, sizeof(ans), 3000, "connect") ||
	    vt_agent_cmd(&b, ans, sizeof(ans), 3000, "create pointer") ||
	    vt_open_node(&na, a.node) < 0 || vt_open_node(&nb, b.node) < 0) {
		vt_fail("setup", "%s", ans);
		return vt_finish();
	}
	vt_agent_cmd(&a, NULL, 0, 2000, "press 0xe1");
	vt_agent_cmd(&a, NULL, 0, 2000, "press 0x04");
	vt_agent_cmd(&b, NULL, 0, 2000, "button 1 1");
	vt_wait_event(&na, EV_KEY, KEY_A, 1, 1000);
	vt_wait_event(&nb, EV_KEY, BTN_LEFT, 1, 1000);

	/* read while the daemon shuts down, as a compositor would */
	kill(d.pid, SIGTERM);
	struct input_event kup[2] = {EV(EV_KEY, KEY_LEFTSHIFT, 0), EV(EV_KEY, KEY_A, 0)};
	struct input_event bup = EV(EV_KEY, BTN_LEFT, 0);
	vt_expect_frame(&na, "sigterm.releases.keys", kup, 2, 1000);
	vt_expect_frame(&nb, "sigterm.releases.buttons", &bup, 1, 1000);
	int status = vt_daemon_stop(&d, 0);
	vt_check(status == 0, "sigterm.exit.0", "exit status %d", status);
	struct input_event ev;
	vt_check(libevdev_next_event(na.evdev, LIBEVDEV_READ_FLAG_NORMAL, &ev) == -ENODEV &&
			 libevdev_next_event(nb.evdev, LIBEVDEV_READ_FLAG_NORMAL, &ev) == -ENODEV,
		 "sigterm.devices.removed", "an evdev node survived the daemon");
	vt_check(stat(VT_SOCKET, &st) < 0 && errno == ENOENT, "sigterm.socket.removed",
		 "%s still exists", VT_SOCKET);
	vt_check(vt_agent_cmd(&a, ans, sizeof(ans), 3000, "wait disconnected 2000") == 0,
		 "client.told.disconnected", "%s", ans);
	vt_close_node(&na);
	vt_close_node(&nb);

	if (!vt_check(vt_daemon_start(&d, NULL) == 0, "restart", "vhidd did not come back"))
		return vt_finish();
	vt_check(vt_agent_cmd(&a, ans, sizeof(ans), 5000, "wait reconnected 3000") == 0,
		 "reconnect.after.restart", "%s", ans);
	vt_check(vt_agent_cmd(&a, ans, sizeof(ans), 5000, "wait ready 3000") == 0,
		 "reconnect.device.recreated", "%s", ans);
	vt_agent_cmd(&a, ans, sizeof(ans), 2000, "node");
	char node[64] = "";
	sscanf(ans, "ok %63s", node);
	if (vt_open_node(&na, node) < 0) {
		vt_fail("reconnect.open", "cannot open %s", node);
	} else {
		struct input_event b_down = EV(EV_KEY, KEY_B, 1);
		vt_agent_cmd(&a, NULL, 0, 2000, "press 0x05");
		vt_expect_frame(&na, "reconnect.types.again", &b_down, 1, 1000);
		vt_close_node(&na);
	}
	vt_agent_quit(&a);
	vt_agent_kill(&b);
	vt_check(vt_daemon_stop(&d, SIGINT) == 0, "sigint.exit.0", "bad exit");
	return vt_finish();
}
