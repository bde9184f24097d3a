/*
 * test-daemon-standby: the standby keyboard (DESIGN §9). vhidd makes a keyboard
 * of vhid's default identity before any client asks; the first client of any
 * user that asks for that identity takes it (same node, its reader and LEDs
 * known at once), another identity gets a device of its own, a released
 * standby-identity keyboard becomes the standby again (its key-ups read from a
 * device that stays) and then serves another user, a client that asks while it
 * is being made takes it too, the policy turns it off and on again on reload,
 * and shutdown does not wait for it.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmdaemon.h"

#define VHID_GID 990
#define POLICY "allow-groups = vhid\n"

/* The standby's node, once vhidd has made it (bound scaled). */
static bool
standby_node(char *node, size_t len, int timeout_ms)
{
	uint64_t end = monotonic_ms() + (uint64_t)vt_bound(timeout_ms);

	while (!vt_proc_node("vhid keyboard", "vhid/standby/input0", node, len) &&
	       monotonic_ms() < end)
		usleep(10000);
	return vt_proc_node("vhid keyboard", "vhid/standby/input0", node, len);
}

static void
reload(struct vt_daemon *d, const char *policy)
{
	vt_write_policy(policy);
	kill(d->pid, SIGHUP);
}

/* Root takes the standby, sees the desktop's state at once, types, and leaves holding a key. */
static void
root_takes_it(const char *path, struct vt_dev *node)
{
	struct vhid_client *c = vt_connect_root("standby-root");
	struct vhid_device *kb = c ? vt_keyboard(c, NULL) : NULL;

	if (!vt_check(kb != NULL, "root.keyboard", "no keyboard"))
		return vhid_client_destroy(c);
	vt_check(strcmp(vhid_device_get_evdev(kb), path) == 0, "taken.same.node",
		 "got %s, the standby is %s", vhid_device_get_evdev(kb), path);
	/* the reader the standby had (at once if its settle has run out, as on a desktop
	 * that found it long ago; test-daemon-keep shows that for a kept keyboard) */
	vt_check(vhid_device_wait_reader(kb, vt_bound(2000)) == 0 &&
			 vhid_device_get_readers(kb) == 1,
		 "taken.reader.known", "readers %u", vhid_device_get_readers(kb));
	/* the desktop's write is the kernel's LED work, not ordered with our create */
	vt_check(vt_caps_lock_seen(c, kb, 2000), "taken.leds.pushed", "leds 0x%x",
		 vhid_device_get_leds(kb));
	vhid_keyboard_press_usage(kb, 0x04);
	vt_expect_frame(node, "taken.delivers", &EV(EV_KEY, KEY_A, 1), 1, 2000);
	vhid_client_destroy(c);
	vt_expect_frame(node, "release.on.disconnect", &EV(EV_KEY, KEY_A, 0), 1, 2000);
}

/* Another identity gets a device of its own, and that one does not become the standby. */
static void
other_identity(const char *path)
{
	struct vhid_client *c = vt_connect_root("standby-named");
	struct vhid_device *kb = c ? vt_keyboard(c, "vhid-standby-named") : NULL;
	char own[64] = "", after[64] = "";

	if (kb)
		snprintf(own, sizeof(own), "%s", vhid_device_get_evdev(kb));
	vt_check(kb && strcmp(own, path) != 0, "other.identity.own.device",
		 "got %s, the standby is %s", own, path);
	vhid_client_destroy(c);
	vt_check(standby_node(after, sizeof(after), 100) && strcmp(after, path) == 0,
		 "other.identity.standby.unchanged", "standby %s, was %s", after, path);
}

/* uid 1000 (group vhid) takes the keyboard root released: the same node serves it. */
static void
other_user_takes_it(const char *path, struct vt_dev *node)
{
	static const unsigned int groups[] = {VHID_GID};
	struct vt_agent a;
	char ans[200] = "";

	vt_agent_spawn(&a, "standby-user", 1000, 1000, groups, 1);
	int r = vt_agent_cmd(&a, ans, sizeof(ans), 5000, "connect");
	r = r ? r : vt_agent_cmd(&a, ans, sizeof(ans), 8000, "create keyboard");
	vt_check(r == 0 && strcmp(ans + 3, path) == 0, "other.user.takes.standby",
		 "uid 1000 got '%s' (the standby is %s)", ans, path);
	vt_agent_cmd(&a, NULL, 0, 2000, "press 0x05");
	vt_expect_frame(node, "other.user.delivers", &EV(EV_KEY, KEY_B, 1), 1, 2000);
	vt_agent_quit(&a);
	vt_expect_frame(node, "other.user.release", &EV(EV_KEY, KEY_B, 0), 1, 2000);
}

/* A client that asks at once, while vhidd is still making the standby (a connect
 * that started vhidd), takes it all the same: ready comes when it is ready, and
 * the desktop discovers one keyboard, not two. */
static void
taken_while_made(void)
{
	struct vhid_client *c = vt_connect_root("standby-early");
	struct vhid_device *kb = c ? vt_keyboard(c, NULL) : NULL;
	char node[64] = "";

	vt_check(kb && standby_node(node, sizeof(node), 0) &&
			 strcmp(node, vhid_device_get_evdev(kb)) == 0,
		 "taken.while.made", "got %s, the standby's node is '%s'",
		 kb ? vhid_device_get_evdev(kb) : "no keyboard", node);
	vhid_client_destroy(c);
}

int
main(void)
{
	struct vt_daemon dmn;
	struct vt_dev node;
	struct input_event ev;
	char path[64] = "", again[64] = "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	setenv("VT_STANDBY_POLICY", "1", 1);
	vt_write_policy(POLICY);
	if (!vt_check(vt_daemon_start(&dmn, NULL) == 0, "daemon.start",
		      "vhidd did not become ready"))
		return vt_finish();
	taken_while_made();
	if (!vt_check(standby_node(path, sizeof(path), 5000), "made.at.start",
		      "no device with phys vhid/standby/input0"))
		return vt_daemon_stop(&dmn, SIGTERM), vt_finish();
	vt_check(vt_node_sysfs_is(path + 11, "name", "vhid keyboard"), "default.identity",
		 "%s is not named 'vhid keyboard'", path);
	/* the desktop reads it */
	if (vt_open_node(&node, path) < 0)
		return vt_fail("open", "cannot open %s", path), vt_finish();
	other_identity(path);
	/* and writes its LED state, Caps Lock on (after the other keyboard came: the
	 * console's keyboard handler gives every keyboard its LED state, all off) */
	libevdev_kernel_set_led_values(node.evdev, LED_CAPSL, LIBEVDEV_LED_ON, -1);
	root_takes_it(path, &node);
	/* the same kernel device all along: its phys stays vhid/standby/input0 */
	vt_check(vt_read_frame(&node, &ev, 1, 300) != -ENODEV &&
			 standby_node(again, sizeof(again), 100) && strcmp(again, path) == 0,
		 "released.stays", "the device went away (standby now '%s')", again);
	other_user_takes_it(path, &node);

	/* off on reload: the unused standby goes; on again: a new one */
	reload(&dmn, POLICY "standby-keyboard = no\n");
	vt_check(vt_node_gone(&node, path, 3000), "reload.off.gone", "%s still there", path);
	vt_close_node(&node);
	reload(&dmn, POLICY "standby-keyboard = yes\n");
	vt_check(standby_node(again, sizeof(again), 5000), "reload.on.made", "no standby");

	/* shutdown does not wait for it */
	vt_check(vt_daemon_stop(&dmn, SIGTERM) == 0, "daemon.exit.0", "bad exit");
	vt_check(!standby_node(again, sizeof(again), 0), "gone.at.shutdown", "%s still there",
		 again);
	vt_write_policy(POLICY);
	return vt_finish();
}
