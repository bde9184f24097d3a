/*
 * test-compat: protocol 1.x across releases, on a real kernel. vhidctl of
 * v0.1.0 (with its libvhid.so.0, built from git history) against this vhidd,
 * and this vhidctl and libvhid against the v0.1.0 vhidd: devices are created
 * and keys delivered both ways. The old client absorbs what 1.1 added (the
 * minor, capability bits, status scopes) without an error; the new one names
 * what the old daemon lacks, and falls back where it can.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "vmcli.h"
#include "vmdaemon.h"
#include "vmspawn.h"

#define VHID_GID 990
#define OLD_VHIDCTL "/usr/bin/vhidctl-0.1.0"
#define OLD_VHIDD "/usr/bin/vhidd-0.1.0"
#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static int watch;

/* `vhidctl key a` (whichever VT_VHIDCTL_BIN says): A goes down and up on its keyboard,
 * named by that vhidctl (0.1.0's "vhidctl keyboard", now vhid's default). */
static void
key_delivered(const char *name, const char *device)
{
	struct input_event want[2] = {EV(EV_KEY, KEY_A, 1), EV(EV_KEY, KEY_A, 0)};
	struct vt_proc p;
	struct vt_dev d;
	char label[128];
	const char *node;

	/* --wait: type only once this test has the node open, however slow the host is */
	vt_spawn_vhidctl(&p, 0, NULL, 0, ARGS("key", "--wait", "20000", "a"));
	node = vt_nodes_next(watch, device, 10000);
	if (!node[0] || vt_open_node(&d, node) < 0) {
		vt_fail(name, "no keyboard node appeared: %s", p.buf);
		vt_proc_wait(&p, 3000);
		return;
	}
	snprintf(label, sizeof(label), "%s.press", name);
	vt_expect_frame(&d, label, &want[0], 1, 2000);
	snprintf(label, sizeof(label), "%s.release", name);
	vt_expect_frame(&d, label, &want[1], 1, 2000);
	snprintf(label, sizeof(label), "%s.exit.0", name);
	int st = vt_proc_wait(&p, 5000);
	vt_check(st == 0, label, "exit %d: %s", st, p.buf);
	vt_close_node(&d);
}

static void
old_client_new_daemon(void)
{
	const unsigned int member[] = {1000, VHID_GID};
	struct vt_agent root;
	struct vt_dev node;
	struct vt_cli r;

	setenv("VT_VHIDCTL_BIN", OLD_VHIDCTL, 1);
	key_delivered("old.client.key.a", "vhidctl keyboard");
	vt_vhidctl(&r, "version", NULL);
	vt_check(r.status == 0 && strstr(r.out, "vhidd " VHID_VERSION " (protocol 1)"),
		 "old.client.version", "exit %d: %s%s", r.status, r.out, r.err);
	vt_cli_free(&r);
	/* its scope ALL is answered as USER for a plain member: works, shows none of root's */
	if (vt_agent_keyboard(&root, "root-agent", &node) == 0) {
		run_vhidctl(&r, 1000, 1000, member, 2, ARGS("status"));
		vt_check(r.status == 0 && strstr(r.out, "clients: 0") && !strstr(r.out, root.node),
			 "old.client.status.as.member.sees.own.only", "exit %d: %s%s", r.status,
			 r.out, r.err);
		vt_cli_free(&r);
		vt_vhidctl(&r, "status", NULL);
		vt_check(r.status == 0 && strstr(r.out, root.node), "old.client.status.as.root",
			 "exit %d: %s%s", r.status, r.out, r.err);
		vt_cli_free(&r);
		vt_close_node(&node);
		vt_agent_quit(&root);
	}
	unsetenv("VT_VHIDCTL_BIN");
}

/* libvhid 1.1 in this process against the 1.0 daemon: what it lacks is named, not hidden */
static void
new_library_old_daemon(void)
{
	struct vhid_client *c;
	unsigned int major = 9, minor = 9;
	int r;

	vhid_client_new("compat", NULL, NULL, &c);
	r = vhid_client_connect(c, NULL);
	vt_check(r == 0 && vhid_client_get_protocol(c, &major, &minor) == 0 && major == 1 &&
			 minor == 0 && vhid_client_get_capabilities(c) == 0xf &&
			 vhid_client_get_daemon_version(c) == 100,
		 "new.library.sees.1.0", "r=%d %u.%u caps 0x%x", r, major, minor,
		 vhid_client_get_capabilities(c));
	r = vhid_client_get_log(c, 0, 0, NULL, NULL, NULL);
	vt_check(r == -VHID_ENOCAP &&
			 !strcmp(vhid_client_last_error(c),
				 "vhidd 0.1.0 speaks protocol 1.0 and lacks 'log' (GET_LOG), which "
				 "vhid_client_get_log needs; this libvhid speaks 1.2"),
		 "new.library.get.log.enocap", "r=%d: %s", r, vhid_client_last_error(c));
	r = vhid_client_get_status(c, VHID_STATUS_USER, NULL, NULL);
	vt_check(r == -VHID_ENOCAP && strstr(vhid_client_last_error(c), "lacks 'status-user'"),
		 "new.library.status.user.enocap", "r=%d: %s", r, vhid_client_last_error(c));
	vt_check(vhid_client_heartbeat(c) == 0 && vhid_client_is_connected(c),
		 "new.library.still.connected", "%s", vhid_client_last_error(c));
	vhid_client_destroy(c);
}

static void
new_client_old_daemon(void)
{
	struct vt_cli r;

	key_delivered("new.client.key.a", "vhid keyboard");
	vt_vhidctl(&r, "version", NULL);
	vt_check(r.status == 0 && strstr(r.out, "vhidd 0.1.0 (protocol 1.0)") &&
			 strstr(r.out, "in use: protocol 1.0, capabilities apple-translation "
				       "absolute lease status-all\n"),
		 "new.client.version.protocol.1.0", "exit %d: %s%s", r.status, r.out, r.err);
	vt_cli_free(&r);
	vt_vhidctl(&r, "log", NULL);
	vt_check(r.status == 0 && strstr(r.err, "lacks 'log' (GET_LOG)") &&
			 strstr(r.err, "reading the journal or log file instead") &&
			 strstr(r.out, "listening on"),
		 "new.client.log.falls.back.to.file", "exit %d: %s%s", r.status, r.out, r.err);
	vt_cli_free(&r);
	new_library_old_daemon();
}

int
main(void)
{
	struct vt_daemon d;

	setvbuf(stdout, NULL, _IOLBF, 0);
	unlink(VT_CONFIG);
	if (!vt_check(access(OLD_VHIDD, X_OK) == 0 && access(OLD_VHIDCTL, X_OK) == 0,
		      "release.0.1.0.present", "vm.sh did not ship the v0.1.0 binaries"))
		return vt_finish();
	watch = vt_nodes_watch();
	if (vt_check(vt_daemon_start(&d, NULL) == 0, "new.daemon.start", "vhidd did not start")) {
		old_client_new_daemon();
		vt_check(vt_daemon_stop(&d, SIGTERM) == 0, "new.daemon.exit.0", "bad exit");
	}
	setenv("VT_VHIDD_BIN", OLD_VHIDD, 1);
	if (vt_check(vt_daemon_start(&d, NULL) == 0, "old.daemon.start",
		     "vhidd 0.1.0 did not start")) {
		new_client_old_daemon();
		vt_check(vt_daemon_stop(&d, SIGTERM) == 0, "old.daemon.exit.0", "bad exit");
	}
	unsetenv("VT_VHIDD_BIN");
	return vt_finish();
}
