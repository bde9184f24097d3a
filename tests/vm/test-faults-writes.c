/*
 * test-faults-writes (issue 13 E): writes to /dev/uhid that fail affect only
 * their device, and its client is told. Debian's kernels cannot inject the
 * fault, so vhidd runs with the vtfault.c shim (LD_PRELOAD), which fails the
 * UHID_INPUT2 writes of devices named "vt-fault ERRNO AFTER TIMES"
 * (DESIGN.md §27):
 *   - EIO, ENODEV: the post gets that error naming the cause, DEVICE_GONE
 *     follows with it, the device is destroyed (so the kernel drops the key it
 *     held); the same client's pointer and another client's held key and
 *     typing are untouched, and the client can create a keyboard again;
 *   - ENOMEM: transient; the post fails naming it, nothing changed, and the
 *     retry works;
 *   - a release that fails (the reset when the lease expires) destroys the
 *     device, so no key stays held while its client is silent.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmdaemon.h"

#define SHIM "/usr/lib/vhid-test/libvtfault.so"

static struct vt_agent bystander;
static struct vt_dev bystander_node;

/* The bystander still holds A, and a D pressed now arrives. */
static void
bystander_unharmed(const char *when)
{
	char name[64];
	struct input_event d[2] = {EV(EV_KEY, KEY_D, 1), EV(EV_KEY, KEY_D, 0)}, ev[64];
	int r;

	/* what came before, the held A's repeats too: an unread node may have overflowed */
	while ((r = vt_read_frame(&bystander_node, ev, 64, 0)) != 0 && r != -ENODEV)
		;

	snprintf(name, sizeof(name), "%s.bystander.holds", when);
	vt_check(vt_key_down(&bystander_node, KEY_A), name, "its held A was released");
	snprintf(name, sizeof(name), "%s.bystander.types", when);
	vt_agent_cmd(&bystander, NULL, 0, 2000, "press 0x07");
	vt_agent_cmd(&bystander, NULL, 0, 2000, "release 0x07");
	vt_expect_frame(&bystander_node, name, d, 2, 1000);
}

/* EIO, ENODEV: the device is gone, the rest of the client and everyone else are not. */
static void
fatal(const char *err, int code, const char *text)
{
	struct vt_agent a;
	struct vt_dev kbd, ptr;
	char ans[300], name[64], want[16], kbd_node[64];
	struct input_event btn = EV(EV_KEY, BTN_LEFT, 1);

	snprintf(name, sizeof(name), "%s.setup", err);
	vt_agent_spawn(&a, err, 0, 0, NULL, 0);
	if (!vt_check(!vt_agent_cmd(&a, ans, sizeof(ans), 3000, "connect") &&
			      !vt_agent_cmd(&a, ans, sizeof(ans), 3000, "create pointer") &&
			      vt_open_node(&ptr, a.node) == 0 &&
			      !vt_agent_cmd(&a, ans, sizeof(ans), 3000,
					    "create keyboard vt-fault %s 1 0", err) &&
			      vt_open_node(&kbd, a.node) == 0,
		      name, "%s", ans)) {
		vt_agent_kill(&a);
		return;
	}
	snprintf(kbd_node, sizeof(kbd_node), "%s", a.node);
	/* the first write passes: B is held */
	vt_agent_cmd(&a, NULL, 0, 2000, "press 0x05");
	snprintf(name, sizeof(name), "%s.first.write", err);
	vt_check(vt_key_down(&kbd, KEY_B), name, "B is not down");

	snprintf(name, sizeof(name), "%s.post.told", err);
	snprintf(want, sizeof(want), "err -%d ", code);
	vt_check(vt_agent_cmd(&a, ans, sizeof(ans), 2000, "press 0x06") == 1 &&
			 !strncmp(ans, want, strlen(want)) && strstr(ans, text) &&
			 strstr(ans, "/dev/uhid"),
		 name, "answer: %s", ans);
	snprintf(name, sizeof(name), "%s.device.gone", err);
	snprintf(want, sizeof(want), "ok -%d", code);
	vt_check(vt_agent_cmd(&a, ans, sizeof(ans), 3000, "wait gone 2000") == 0 &&
			 !strcmp(ans, want),
		 name, "DEVICE_GONE: %s", ans);
	/* destroyed: the kernel let go of B with it */
	snprintf(name, sizeof(name), "%s.node.gone", err);
	vt_check(vt_node_gone(&kbd, kbd_node, 3000), name, "%s is still there", kbd_node);
	vt_close_node(&kbd);

	snprintf(name, sizeof(name), "%s.pointer.works", err);
	vt_agent_cmd(&a, NULL, 0, 2000, "button 1 1");
	vt_expect_frame(&ptr, name, &btn, 1, 1000);
	vt_close_node(&ptr);
	bystander_unharmed(err);
	snprintf(name, sizeof(name), "%s.new.keyboard", err);
	if (vt_check(vt_agent_cmd(&a, ans, sizeof(ans), 3000, "create keyboard") == 0 &&
			     vt_open_node(&kbd, a.node) == 0,
		     name, "%s", ans)) {
		snprintf(name, sizeof(name), "%s.new.keyboard.types", err);
		vt_agent_types(&a, &kbd, "Still typing, exactly.", name);
		vt_close_node(&kbd);
	}
	vt_agent_quit(&a);
}

/* ENOMEM: the post fails, nothing changes, the retry works. */
static void
transient(void)
{
	struct vt_agent a;
	struct vt_dev kbd;
	char ans[300];
	struct input_event c = EV(EV_KEY, KEY_C, 1);

	vt_agent_spawn(&a, "ENOMEM", 0, 0, NULL, 0);
	if (!vt_check(!vt_agent_cmd(&a, ans, sizeof(ans), 3000, "connect") &&
			      !vt_agent_cmd(&a, ans, sizeof(ans), 3000,
					    "create keyboard vt-fault ENOMEM 1 1") &&
			      vt_open_node(&kbd, a.node) == 0,
		      "ENOMEM.setup", "%s", ans)) {
		vt_agent_kill(&a);
		return;
	}
	vt_agent_cmd(&a, NULL, 0, 2000, "press 0x05");
	vt_check(vt_agent_cmd(&a, ans, sizeof(ans), 2000, "press 0x06") == 1 &&
			 !strncmp(ans, "err -12 ", 8) && strstr(ans, "Cannot allocate memory") &&
			 strstr(ans, "try again"),
		 "ENOMEM.post.told", "answer: %s", ans);
	vt_check(vt_key_down(&kbd, KEY_B) && !vt_key_down(&kbd, KEY_C), "ENOMEM.nothing.changed",
		 "B %d, C %d", vt_key_down(&kbd, KEY_B), vt_key_down(&kbd, KEY_C));
	vt_check(vt_agent_cmd(&a, ans, sizeof(ans), 2000, "press 0x06") == 0, "ENOMEM.retry", "%s",
		 ans);
	vt_expect_frame(&kbd, "ENOMEM.retry.arrives", &c, 1, 1000);
	/* a "must not happen" window, unscaled: a slow machine can only make it pass */
	vt_check(vt_agent_cmd(&a, ans, sizeof(ans), 2000, "wait gone 100") == 1,
		 "ENOMEM.device.stays", "DEVICE_GONE: %s", ans);
	bystander_unharmed("ENOMEM");
	vt_close_node(&kbd);
	vt_agent_quit(&a);
}

/* The lease expires and the release fails: the device goes, and B with it. */
static void
failed_release(void)
{
	struct vt_agent a;
	struct vt_dev kbd;
	char ans[300], node[64];

	vt_agent_spawn(&a, "silent", 0, 0, NULL, 0);
	if (!vt_check(!vt_agent_cmd(&a, ans, sizeof(ans), 3000, "connect") &&
			      !vt_agent_cmd(&a, ans, sizeof(ans), 3000,
					    "create keyboard vt-fault ENOMEM 1 0") &&
			      vt_open_node(&kbd, a.node) == 0,
		      "release.setup", "%s", ans)) {
		vt_agent_kill(&a);
		return;
	}
	snprintf(node, sizeof(node), "%s", a.node);
	vt_agent_cmd(&a, NULL, 0, 2000, "press 0x05");
	vt_check(vt_key_down(&kbd, KEY_B), "release.held", "B is not down");
	kill(a.pid, SIGSTOP); /* no heartbeat: the lease (3 s) expires */
	vt_check(vt_node_gone(&kbd, node, 3000 + 2000), "release.failed.device.gone",
		 "%s (holding B) survived a failed release", node);
	vt_close_node(&kbd);
	kill(a.pid, SIGCONT);
	vt_check(vt_agent_cmd(&a, ans, sizeof(ans), 3000, "wait gone 2000") == 0 &&
			 !strcmp(ans, "ok -12"),
		 "release.failed.told", "DEVICE_GONE: %s", ans);
	bystander_unharmed("release");
	vt_agent_quit(&a);
}

int
main(void)
{
	struct vt_daemon d;
	struct stat st;
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!vt_check(stat(SHIM, &st) == 0, "shim", "%s is not in the VM", SHIM))
		return vt_finish();
	setenv("LD_PRELOAD", SHIM, 1);
	r = vt_daemon_start(&d, NULL);
	unsetenv("LD_PRELOAD");
	if (!vt_check(r == 0, "daemon.start", "vhidd did not become ready"))
		return vt_finish();
	if (!vt_check(vt_agent_keyboard(&bystander, "bystander", &bystander_node) == 0 &&
			      vt_agent_cmd(&bystander, NULL, 0, 2000, "press 0x04") == 0,
		      "bystander", "no keyboard holding A"))
		return vt_finish();
	fatal("EIO", 5, "Input/output error");
	fatal("ENODEV", 19, "No such device");
	transient();
	failed_release();
	vt_close_node(&bystander_node);
	vt_agent_quit(&bystander);
	vt_check(vt_daemon_stop(&d, SIGTERM) == 0, "daemon.exit.0", "bad exit");
	return vt_finish();
}
