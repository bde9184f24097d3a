/*
 * test-vhidctl-log: `vhidctl log` shows vhidd's lifecycle lines for a client
 * that created and destroyed a keyboard (connect, create, start, ready,
 * destroy), `-f` delivers them as they are written, --since selects by the
 * lines' timestamps, only root reads the file (mode 0600: it names every
 * user's programs) and anyone else is told so, and with vhidd stopped the file
 * next to the socket is read.
 * No journald in the VM: vhidd keeps /run/vhid/vhidd.log.
 */
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

/* Members of group vhid and others alike: the file is root's alone (issue 13 A.2). */
static void
check_not_root(const char *test, const unsigned int *groups, int n)
{
	const char *const argv[] = {"log", NULL};
	const char *want = "cannot read /run/vhid/vhidd.log: Permission denied (only its owner and "
			   "root may: it names every user's programs; try sudo)";
	struct vt_cli r;
	struct stat st;

	run_vhidctl(&r, 1000, 1000, groups, n, argv);
	vt_check(r.status == 4 && strstr(r.err, want), test, "exit %d: %s", r.status, r.err);
	vt_cli_free(&r);
	vt_check(stat("/run/vhid/vhidd.log", &st) == 0 && (st.st_mode & 07777) == 0600 &&
			 st.st_uid == 0,
		 "log.file.mode.0600.root", "mode %o uid %u", st.st_mode & 07777, st.st_uid);
}

int
main(void)
{
	const unsigned int member[] = {1000, VHID_GID};
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
	check_not_root("group.member.cannot.read.log", member, 2);
	check_not_root("non.member.told.who.may.read", member, 1);
	vt_daemon_stop(&d, SIGTERM);
	check_log("no.daemon.reads.file.next.to.socket", &m, 0, NULL, 0, NULL);
	return vt_finish();
}
