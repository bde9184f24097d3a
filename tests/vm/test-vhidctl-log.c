/*
 * test-vhidctl-log: `vhidctl log` shows vhidd's lifecycle lines for a client
 * that created and destroyed a keyboard (connect, create, start, ready,
 * destroy), `-f` delivers them as they are written, --since selects by the
 * lines' timestamps. The lines come from vhidd's log ring (GET_LOG): a member
 * of group vhid sees daemon-wide lines and its own clients' but never root's
 * (not even an LED change, which is logged at debug level only), anyone else is
 * refused with the policy's message, the file next to the socket is mode 0600
 * (root/vhidd only: it names every user's programs), and with vhidd stopped
 * that file is read. No journald in the VM: vhidd keeps /run/vhid/vhidd.log.
 */
#include <libevdev/libevdev.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmcli.h"
#include "vmdaemon.h"

#define VHID_GID 990

/* What identifies the agent's lines: its connect line and its keyboard's label. */
struct marks {
	char connect[96];
	char device[96];
};

static const char *const phases[] = {"create (", "start (", "ready after", "destroy"};

/*
 * Every lifecycle line of the agent and its keyboard is in text. Labels repeat
 * across daemons (each numbers clients from 1) and the file outlives them:
 * only lines from the agent's connect line on count.
 */
static bool
all_lines(const char *text, const struct marks *m, char *missing, size_t len)
{
	char line[1024];

	snprintf(missing, len, "connect line '%s'", m->connect);
	if (!(text = strstr(text, m->connect)))
		return false;
	for (size_t i = 0; i < sizeof(phases) / sizeof(phases[0]); i++) {
		snprintf(missing, len, "'%s' line for %s", phases[i], m->device);
		if (!vt_find_line(text, m->device, phases[i], line, sizeof(line)))
			return false;
	}
	return true;
}

/* Follow the log while the agent lives and dies; learn its client id on the way. */
static bool
follow_agent(struct marks *m)
{
	const char *const argv[] = {"log", "-f", NULL};
	struct vt_cli_proc *p = calloc(1, sizeof(*p));
	struct vt_agent a;
	char ans[256], line[1024], destroy[160], missing[160];
	unsigned int id = 0;
	bool ok = false;

	if (!p || vt_cli_start(p, argv) < 0)
		return vt_check(false, "follow.start", "cannot run vhidctl log -f");
	vt_agent_spawn(&a, "log-agent", 0, 0, NULL, 0);
	vt_check(vt_agent_cmd(&a, ans, sizeof(ans), 3000, "connect") == 0 &&
			 vt_agent_cmd(&a, ans, sizeof(ans), 6000, "create keyboard") == 0,
		 "agent.keyboard", "%s", ans);
	/* the name comes with HELLO, after the connect line */
	snprintf(m->connect, sizeof(m->connect), "(pid %d, uid 0): connect pid %d", (int)a.pid,
		 (int)a.pid);
	vt_agent_quit(&a);
	if (vt_check(vt_cli_wait_for(p, m->connect, 5000), "follow.shows.connect", "no '%s'",
		     m->connect) &&
	    vt_find_line(p->buf, m->connect, NULL, line, sizeof(line)))
		sscanf(strstr(line, "] info: client ") + 15, "%u", &id);
	if (!strstr(p->buf, m->connect)) {
		vt_cli_stop(p, SIGKILL);
		free(p);
		return false;
	}
	p->from = (size_t)(strstr(p->buf, m->connect) - p->buf);
	/* device ids are (client id << 8) | serial, serials from 1 (DESIGN.md 15) */
	snprintf(m->device, sizeof(m->device), "client %u keyboard 0x%x \"vhid keyboard\"", id,
		 id << 8 | 1);
	snprintf(destroy, sizeof(destroy), "%s: destroy", m->device);
	/* the device lingers a moment after the client left: wait for the line, not a time */
	vt_check(vt_cli_wait_for(p, destroy, 5000), "follow.shows.destroy", "no '%s'", destroy);
	int st = vt_cli_stop(p, SIGINT);
	vt_check(st == 0, "follow.sigint.exit.0", "exit %d", st);
	ok = vt_check(all_lines(p->buf, m, missing, sizeof(missing)), "follow.lifecycle.lines",
		      "no %s", missing);
	free(p);
	return ok;
}

static void
check_log(const char *test, const struct marks *m, unsigned int uid, const unsigned int *groups,
	  int n, const char *since)
{
	const char *argv[] = {"log", since ? "--since" : NULL, since, NULL};
	char missing[160];
	struct vt_cli r;

	run_vhidctl(&r, uid, uid, groups, n, argv);
	vt_check(r.status == 0 && all_lines(r.out, m, missing, sizeof(missing)), test,
		 "exit %d: no %s%s", r.status, missing, r.err);
	vt_cli_free(&r);
}

static void
check_since_now(const struct marks *m)
{
	char line[1024];
	struct vt_cli r;

	vt_vhidctl(&r, "log", "--since", "0s", NULL);
	vt_check(r.status == 0 && !vt_find_line(r.out, m->connect, NULL, line, sizeof(line)) &&
			 !vt_find_line(r.out, m->device, NULL, line, sizeof(line)),
		 "since.0s.shows.none.of.the.old.lines", "exit %d: %s", r.status, r.out);
	vt_cli_free(&r);

	vt_vhidctl(&r, "log", "--since", "soon", NULL);
	vt_check(r.status == 2 && strstr(r.err, "--since"), "since.bad.value.exit.2", "exit %d: %s",
		 r.status, r.err);
	vt_cli_free(&r);
}

/*
 * A member sees its own agent's lines and the daemon's, but nothing about root's
 * keyboard: not its lifecycle, not its LED state (Caps Lock set from evdev here).
 */
static void
check_member_view(const struct marks *m)
{
	const unsigned int member[] = {1000, VHID_GID};
	const char *const argv[] = {"log", NULL};
	struct vt_agent root, own;
	struct vt_dev node;
	char ans[256], mine[96], line[1024];
	struct vt_cli r;

	if (!vt_check(vt_agent_keyboard(&root, "led-agent", &node) == 0, "member.root.keyboard",
		      "no root keyboard"))
		return;
	vt_agent_spawn(&own, "member-agent", 1000, 1000, member, 2);
	vt_check(vt_agent_cmd(&own, ans, sizeof(ans), 3000, "connect") == 0,
		 "member.agent.connects", "%s", ans);
	snprintf(mine, sizeof(mine), "(member-agent, pid %d, uid 1000): hello", (int)own.pid);
	libevdev_kernel_set_led_value(node.evdev, LED_CAPSL, LIBEVDEV_LED_ON);
	vt_check(vt_agent_cmd(&root, ans, sizeof(ans), 3000, "wait leds 2000") == 0,
		 "member.root.caps.lock.on", "%s", ans);
	run_vhidctl(&r, 1000, 1000, member, 2, argv);
	vt_check(r.status == 0 && vt_find_line(r.out, mine, NULL, line, sizeof(line)) &&
			 strstr(r.out, "listening on"),
		 "member.sees.own.and.daemon.lines", "exit %d:\n%s%s", r.status, r.out, r.err);
	vt_check(!strstr(r.out, "LED output") && !strstr(r.out, m->connect) &&
			 !strstr(r.out, "led-agent") && !strstr(r.out, "uid 0)"),
		 "member.sees.nothing.of.roots.clients", "%s", r.out);
	vt_cli_free(&r);
	vt_close_node(&node);
	vt_agent_quit(&own);
	vt_agent_quit(&root);
}

/* Refused by vhidd's policy, with its message; never pointed at a file instead. */
static void
check_not_member(void)
{
	const unsigned int plain[] = {1000};
	const char *const argv[] = {"log", NULL};
	const char *want = "permission denied: uid 1000 is not in group 'vhid'";
	struct vt_cli r;
	struct stat st;

	run_vhidctl(&r, 1000, 1000, plain, 1, argv);
	vt_check(r.status == 4 && strstr(r.err, want), "non.member.told.who.may.read",
		 "exit %d: %s", r.status, r.err);
	vt_cli_free(&r);
	vt_check(stat("/run/vhid/vhidd.log", &st) == 0 && (st.st_mode & 07777) == 0600 &&
			 st.st_uid == 0,
		 "log.file.mode.0600.root", "mode %o uid %u", st.st_mode & 07777, st.st_uid);
}

int
main(void)
{
	struct vt_daemon d;
	struct marks m = {0};

	setvbuf(stdout, NULL, _IOLBF, 0);
	unlink(VT_CONFIG);
	/* earlier tests in this VM may have filled it (a connect flood): start afresh */
	unlink("/run/vhid/vhidd.log");
	unlink("/run/vhid/vhidd.log.1");
	if (!vt_check(vt_daemon_start(&d, NULL) == 0, "daemon.start", "vhidd did not become ready"))
		return vt_finish();
	if (!follow_agent(&m)) {
		vt_daemon_stop(&d, SIGTERM);
		return vt_finish();
	}
	check_log("log.lifecycle.lines", &m, 0, NULL, 0, NULL);
	check_log("since.1h.lifecycle.lines", &m, 0, NULL, 0, "1h");
	check_since_now(&m);
	check_member_view(&m);
	check_not_member();
	vt_daemon_stop(&d, SIGTERM);
	check_log("no.daemon.reads.file.next.to.socket", &m, 0, NULL, 0, NULL);
	return vt_finish();
}
