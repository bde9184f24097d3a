/*
 * test-vhidctl-status: `vhidctl status` and `vhidctl devices`, human and
 * --json, against the real daemon with an agent holding a keyboard: the
 * device shows with the evdev node the kernel gave it, its kind and its
 * client's pid; a member of group vhid sees the same; a non-member is told
 * why it may not; with no daemon, status exits 3 and still shows the kernel.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmcli.h"
#include "vmdaemon.h"

#define VHID_GID 990

static bool contains(const struct vt_cli *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool
contains(const struct vt_cli *r, const char *fmt, ...)
{
	char needle[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(needle, sizeof(needle), fmt, ap);
	va_end(ap);
	return strstr(r->out, needle) != NULL;
}

static void
check_status_json(const struct vt_daemon *d, const struct vt_agent *a)
{
	struct vt_cli r;

	vt_vhidctl(&r, "status", "--json", NULL);
	vt_print_output("status --json", r.out);
	vt_check(r.status == 0, "status.json.exit.0", "exit %d: %s", r.status, r.err);
	vt_check(vt_json_valid(r.out), "status.json.valid", "not JSON");
	vt_check(contains(&r, "\"evdev\": \"%s\"", a->node), "status.json.device.evdev",
		 "no device with evdev %s", a->node);
	vt_check(contains(&r, "\"kind\": \"keyboard\""), "status.json.device.kind", "no keyboard");
	vt_check(contains(&r, "\"name\": \"status-agent\"") &&
			 contains(&r, "\"pid\": %d,", (int)a->pid),
		 "status.json.client.name.and.pid", "no client status-agent with pid %d",
		 (int)a->pid);
	vt_check(contains(&r, "\"pid\": %d,", (int)d->pid) &&
			 contains(&r, "\"version\": \"" VHID_VERSION "\""),
		 "status.json.daemon.pid.version", "daemon pid %d or version missing", (int)d->pid);
	vt_check(contains(&r, "\"uhid\": true") && contains(&r, "\"uhid_node\": true") &&
			 contains(&r, "\"uhid_module\": \"loaded\""),
		 "status.json.kernel.uhid", "uhid not reported as present");
	vt_check(contains(&r, "\"socket_group\": \"vhid\"") && contains(&r, "\"ready\": true") &&
			 contains(&r, "\"hidraw\": \"/dev/hidraw"),
		 "status.json.group.ready.hidraw", "socket_group, ready or hidraw missing");
	vt_check(!contains(&r, "\"name\": \"vhidctl\""), "status.json.omits.vhidctl.itself",
		 "vhidctl's own connection is listed");
	vt_cli_free(&r);
}

static void
check_status_text(const struct vt_agent *a)
{
	struct vt_cli r;

	vt_vhidctl(&r, "status", NULL);
	vt_print_output("status", r.out);
	vt_check(r.status == 0, "status.text.exit.0", "exit %d: %s", r.status, r.err);
	vt_check(contains(&r, "%s", a->node) && contains(&r, "keyboard") &&
			 contains(&r, "16c0:27db"),
		 "status.text.device.node.kind.ids", "node %s, kind or ids missing", a->node);
	vt_check(contains(&r, "status-agent") && contains(&r, "%d", (int)a->pid),
		 "status.text.client", "client status-agent (pid %d) missing", (int)a->pid);
	vt_check(contains(&r, "/dev/uhid    present") && contains(&r, "uhid module  loaded"),
		 "status.text.kernel", "kernel part missing");
	vt_cli_free(&r);
}

static void
check_devices(const struct vt_agent *a)
{
	struct vt_cli r;

	vt_vhidctl(&r, "devices", "--json", NULL);
	vt_print_output("devices --json", r.out);
	vt_check(r.status == 0 && vt_json_valid(r.out), "devices.json.exit.0.valid", "exit %d: %s",
		 r.status, r.err);
	vt_check(contains(&r, "\"evdev\": \"%s\"", a->node) &&
			 contains(&r, "\"kind\": \"keyboard\"") && !contains(&r, "\"daemon\""),
		 "devices.json.only.devices", "device %s missing, or more than devices", a->node);
	vt_cli_free(&r);

	vt_vhidctl(&r, "devices", NULL);
	vt_check(r.status == 0 && contains(&r, "%s", a->node) && !contains(&r, "socket"),
		 "devices.text.node", "exit %d: %s", r.status, r.out);
	vt_cli_free(&r);
}

static void
check_other_users(const struct vt_agent *a)
{
	const unsigned int member[] = {1000, VHID_GID}, plain[] = {1000};
	const char *const argv[] = {"status", "--json", NULL};
	struct vt_cli r;

	run_vhidctl(&r, 1000, 1000, member, 2, argv);
	vt_check(r.status == 0 && strstr(r.out, a->node), "status.group.member.sees.devices",
		 "exit %d: %s%s", r.status, r.out, r.err);
	vt_cli_free(&r);

	run_vhidctl(&r, 1000, 1000, plain, 1, argv);
	vt_check(r.status == 4 && vt_json_valid(r.out) && strstr(r.out, "\"daemon\": null") &&
			 strstr(r.out, "not in group 'vhid'"),
		 "status.non.member.exit.4.says.why", "exit %d: %s", r.status, r.out);
	vt_cli_free(&r);
}

static void
check_no_daemon(void)
{
	struct vt_cli r;

	vt_vhidctl(&r, "status", NULL);
	vt_print_output("status without vhidd", r.out);
	vt_check(r.status == 3 && contains(&r, "vhidd is not running") && contains(&r, "/dev/uhid"),
		 "status.no.daemon.exit.3", "exit %d: %s", r.status, r.out);
	vt_cli_free(&r);

	vt_vhidctl(&r, "status", "--json", NULL);
	vt_check(r.status == 3 && vt_json_valid(r.out) && contains(&r, "\"daemon\": null") &&
			 contains(&r, "\"uhid_node\": true") &&
			 contains(&r, "\"error\": \"vhidd is not running"),
		 "status.json.no.daemon", "exit %d: %s", r.status, r.out);
	vt_cli_free(&r);

	vt_vhidctl(&r, "devices", NULL);
	vt_check(r.status == 3 && strstr(r.err, "vhidd is not running"), "devices.no.daemon.exit.3",
		 "exit %d: %s", r.status, r.err);
	vt_cli_free(&r);
}

int
main(void)
{
	struct vt_daemon d;
	struct vt_agent a;
	char ans[256];

	setvbuf(stdout, NULL, _IOLBF, 0);
	unlink(VT_CONFIG);
	if (!vt_check(vt_daemon_start(&d, NULL) == 0, "daemon.start", "vhidd did not become ready"))
		return vt_finish();
	vt_agent_spawn(&a, "status-agent", 0, 0, NULL, 0);
	if (!vt_check(vt_agent_cmd(&a, ans, sizeof(ans), 3000, "connect") == 0 &&
			      vt_agent_cmd(&a, ans, sizeof(ans), 6000, "create keyboard") == 0,
		      "agent.keyboard", "%s", ans)) {
		vt_agent_kill(&a);
		vt_daemon_stop(&d, SIGTERM);
		return vt_finish();
	}
	check_status_json(&d, &a);
	check_status_text(&a);
	check_devices(&a);
	check_other_users(&a);
	vt_agent_quit(&a);
	vt_daemon_stop(&d, SIGTERM);
	check_no_daemon();
	return vt_finish();
}
