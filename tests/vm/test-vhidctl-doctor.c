/*
 * test-vhidctl-doctor: `vhidctl doctor` passes every check on the healthy VM
 * (root, and a member of group vhid) and, for each broken setup, fails the
 * right check with the right fix: vhidd stopped, a user outside group vhid,
 * a user added to the group after logging in, a stale socket left by a
 * SIGKILLed daemon, a second vhidd, a socket whose group is root (the fix is
 * not groupadd: the group exists), libvhid where no program finds it, and a
 * policy file where vhidd does not read it. There is no systemd here: the
 * service checks say so (tests/distro/tests/packages cover the units).
 */
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmcli.h"
#include "vmdaemon.h"

#define VHID_GID 990
#define GROUP_FILE "/etc/group"

static const char *const checks[] = {"kernel",  "uhid-node", "daemon",        "socket",
				     "access",  "versions",  "single-daemon", "readers",
				     "library", "policy",    "device"};
#define N_CHECKS (int)(sizeof(checks) / sizeof(checks[0]))

static int
doctor_as(struct vt_cli *r, unsigned int uid, const unsigned int *groups, int n)
{
	const char *const argv[] = {"doctor", NULL};
	char title[32];

	run_vhidctl(r, uid, uid, groups, n, argv);
	snprintf(title, sizeof(title), "doctor as uid %u", uid);
	vt_print_output(title, r->out);
	return r->status;
}

/* "VERDICT check: ..." containing what, followed by "  fix: FIX..." when fix is given */
static bool
has(const struct vt_cli *r, const char *verdict, const char *check, const char *what,
    const char *fix)
{
	char head[64], line[1024];
	const char *at, *next;

	snprintf(head, sizeof(head), "%s %s: ", verdict, check);
	if (!vt_find_line(r->out, head, what, line, sizeof(line)) ||
	    strncmp(line, head, strlen(head)))
		return false;
	if (!fix)
		return true;
	at = strstr(r->out, line);
	next = at ? strchr(at, '\n') : NULL;
	return next && strncmp(next + 1, "  fix: ", 7) == 0 &&
	       strncmp(next + 8, fix, strlen(fix)) == 0;
}

static void
check_healthy(const char *who, unsigned int uid, const unsigned int *groups, int n)
{
	struct vt_cli r;
	char test[64];
	int passed = 0;

	doctor_as(&r, uid, groups, n);
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		passed += has(&r, "PASS", checks[i], NULL, NULL);
	snprintf(test, sizeof(test), "healthy.%s.all.pass.exit.0", who);
	vt_check(r.status == 0 && passed == N_CHECKS &&
			 strstr(r.out, "\n11 checks passed, 0 failed\n"),
		 test, "exit %d, %d of %d passed", r.status, passed, N_CHECKS);
	snprintf(test, sizeof(test), "healthy.%s.service.not-systemd", who);
	vt_check(has(&r, "SKIP", "service", "not under systemd", NULL) &&
			 has(&r, "SKIP", "exec-start", "not under systemd", NULL),
		 test, "no word that systemd is not there");
	snprintf(test, sizeof(test), "healthy.%s.device.nodes", who);
	vt_check(has(&r, "PASS", "device", "/dev/input/event", NULL) &&
			 strstr(r.out, "/dev/hidraw"),
		 test, "no nodes named");
	vt_cli_free(&r);
}

static void
check_not_member(void)
{
	const unsigned int plain[] = {1000};
	struct vt_cli r;

	doctor_as(&r, 1000, plain, 1);
	vt_check(r.status == 1 && has(&r, "FAIL", "access", "not in group 'vhid'",
				      "sudo usermod -aG vhid $USER"),
		 "not.member.fails.access.with.usermod", "exit %d", r.status);
	vt_check(has(&r, "PASS", "daemon", "refuses this user", NULL) &&
			 has(&r, "SKIP", "device", NULL, NULL),
		 "not.member.daemon.runs.device.skipped", "daemon or device line wrong");
	vt_cli_free(&r);
}

/* user is listed in group vhid now, but this "session" was started without it */
static void
check_session_predates(void)
{
	const unsigned int plain[] = {1000};
	char *saved = NULL;
	size_t len = 0;
	struct vt_cli r;
	FILE *f = fopen(GROUP_FILE, "r");

	if (f) {
		saved = calloc(1, 4096);
		len = fread(saved, 1, 4095, f);
		fclose(f);
	}
	if (!saved || !(f = fopen(GROUP_FILE, "w"))) {
		vt_fail("session.predates.group", "cannot rewrite %s", GROUP_FILE);
		free(saved);
		return;
	}
	fprintf(f, "root:x:0:\nvhid:x:990:user\nuser:x:1000:\nother:x:1001:\nwheel:x:10:\n");
	fclose(f);
	doctor_as(&r, 1000, plain, 1);
	vt_check(r.status == 1 && has(&r, "FAIL", "access",
				      "you were added to group 'vhid' but this session predates it",
				      "log out and back in, or run: newgrp vhid"),
		 "session.predates.group", "exit %d", r.status);
	vt_cli_free(&r);
	if ((f = fopen(GROUP_FILE, "w"))) {
		fwrite(saved, 1, len, f);
		fclose(f);
	}
	free(saved);
}

/* The socket's group lost (what 0.1.0's reload did): restore it, never groupadd. */
static void
check_socket_group(void)
{
	const unsigned int member[] = {1000, VHID_GID};
	struct vt_cli r;

	if (chown(VT_SOCKET, 0, 0) < 0)
		return vt_fail("socket.group.lost", "chown %s: %m", VT_SOCKET);
	doctor_as(&r, 1000, member, 2);
	vt_check(r.status == 1 &&
			 has(&r, "FAIL", "socket", "group is root, not vhid",
			     "sudo chgrp vhid " VT_SOCKET " && sudo chmod 0660 " VT_SOCKET),
		 "socket.group.lost.fails.with.chgrp", "exit %d", r.status);
	vt_check(!strstr(r.out, "groupadd"), "socket.group.lost.no.groupadd",
		 "doctor advises groupadd for a group that exists");
	chown(VT_SOCKET, 0, VHID_GID);
	vt_cli_free(&r);
}

/* libvhid only where LD_LIBRARY_PATH points: vhidctl runs, other programs would not. */
static void
check_library_lost(void)
{
	static const char lib[] = "/usr/lib/libvhid.so.1", moved[] = "/usr/vhidlib/libvhid.so.1";
	struct vt_cli r;

	mkdir("/usr/vhidlib", 0755);
	if (rename(lib, moved) < 0)
		return vt_fail("library.lost", "rename %s: %m", lib);
	setenv("LD_LIBRARY_PATH", "/usr/vhidlib", 1);
	doctor_as(&r, 0, NULL, 0);
	unsetenv("LD_LIBRARY_PATH");
	rename(moved, lib);
	vt_check(r.status == 1 &&
			 has(&r, "FAIL", "library", "programs cannot find libvhid.so.1",
			     "echo /usr/vhidlib | sudo tee /etc/ld.so.conf.d/vhid.conf && sudo "
			     "ldconfig"),
		 "library.lost.fails.with.ldconfig", "exit %d", r.status);
	vt_cli_free(&r);
}

/* A policy where this vhidd does not look (0.1.0: /usr/local/etc vs /etc), with and
 * without one where it does. */
static void
check_policy_elsewhere(struct vt_daemon *d)
{
	static const char other[] = "/etc/vhid/vhidd.conf";
	struct vt_cli r;
	FILE *f = fopen(other, "w");

	if (!f || fclose(f) != 0)
		return vt_fail("policy.elsewhere", "cannot write %s", other);
	doctor_as(&r, 0, NULL, 0);
	vt_check(r.status == 1 && has(&r, "FAIL", "policy", "never reads /etc/vhid/vhidd.conf",
				      "sudo install -D -m 644 /etc/vhid/vhidd.conf " VT_CONFIG),
		 "policy.elsewhere.defaults.fails.with.install", "exit %d", r.status);
	vt_cli_free(&r);
	vt_write_policy("lease-ms = 2500\n");
	kill(d->pid, SIGHUP);
	/* SIGHUP has no answer to wait for: ask until vhidd reports the file */
	for (int i = 0;; i++) {
		doctor_as(&r, 0, NULL, 0);
		if (has(&r, "FAIL", "policy", "vhidd reads", NULL) || i >= vt_bound(2000) / 50)
			break;
		vt_cli_free(&r);
		usleep(50000);
	}
	vt_check(r.status == 1 && has(&r, "FAIL", "policy",
				      "vhidd reads " VT_CONFIG "; /etc/vhid/vhidd.conf exists too",
				      "move what /etc/vhid/vhidd.conf says into " VT_CONFIG),
		 "policy.elsewhere.both.fails.with.move", "exit %d", r.status);
	vt_cli_free(&r);
	unlink(other);
	doctor_as(&r, 0, NULL, 0);
	vt_check(has(&r, "PASS", "policy", "vhidd reads " VT_CONFIG, NULL), "policy.read.passes",
		 "%s", r.out);
	vt_cli_free(&r);
	unlink(VT_CONFIG);
	kill(d->pid, SIGHUP);
}

static void
check_stopped(void)
{
	struct vt_cli r;

	doctor_as(&r, 0, NULL, 0);
	vt_check(r.status == 1 && has(&r, "FAIL", "daemon", "vhidd is not running",
				      "sudo systemctl enable --now vhidd   (or run: sudo vhidd)"),
		 "stopped.fails.daemon.with.systemctl", "exit %d", r.status);
	vt_check(has(&r, "SKIP", "device", NULL, NULL) && has(&r, "PASS", "kernel", NULL, NULL) &&
			 strstr(r.out, "checks passed, "),
		 "stopped.skips.device", "device not skipped");
	vt_cli_free(&r);
}

static void
check_stale(void)
{
	struct vt_cli r;

	doctor_as(&r, 0, NULL, 0);
	vt_check(r.status == 1 && has(&r, "FAIL", "single-daemon", "stale socket " VT_SOCKET,
				      "sudo systemctl restart vhidd (vhidd replaces a stale "
				      "socket), or: sudo rm " VT_SOCKET),
		 "stale.socket.fails.with.fix", "exit %d", r.status);
	vt_check(has(&r, "FAIL", "daemon", "single-daemon", NULL),
		 "stale.daemon.points.at.single.daemon",
		 "no daemon line pointing at the stale socket check");
	vt_cli_free(&r);
}

static void
check_duplicate(void)
{
	const char *args[] = {"-s", "/run/vhid2/vhidd.sock", "-l", "none", NULL};
	struct vt_daemon second;
	struct vt_cli r;
	char fix[64];

	if (!vt_check(vt_daemon_start(&second, args) == 0, "duplicate.start",
		      "second vhidd not ready"))
		return;
	snprintf(fix, sizeof(fix), "stop the extra one: sudo kill %d", (int)second.pid);
	doctor_as(&r, 0, NULL, 0);
	vt_check(r.status == 1 && has(&r, "FAIL", "single-daemon", "2 vhidd processes run", fix),
		 "duplicate.daemon.fails.with.kill", "exit %d, want fix '%s'", r.status, fix);
	vt_cli_free(&r);
	vt_daemon_stop(&second, SIGTERM);
}

int
main(void)
{
	const unsigned int member[] = {1000, VHID_GID};
	struct vt_daemon d;

	setvbuf(stdout, NULL, _IOLBF, 0);
	unlink(VT_CONFIG);
	if (!vt_check(vt_daemon_start(&d, NULL) == 0, "daemon.start", "vhidd did not become ready"))
		return vt_finish();
	check_healthy("root", 0, NULL, 0);
	check_healthy("member", 1000, member, 2);
	check_not_member();
	check_session_predates();
	check_socket_group();
	check_library_lost();
	check_policy_elsewhere(&d);
	check_duplicate();
	vt_daemon_stop(&d, SIGTERM);
	check_stopped();

	/* SIGKILL leaves the socket file behind with nobody listening */
	if (vt_check(vt_daemon_start(&d, NULL) == 0, "daemon.restart",
		     "vhidd did not become ready")) {
		vt_daemon_stop(&d, SIGKILL);
		check_stale();
	}
	/* and vhidd replaces the stale socket itself */
	if (vt_check(vt_daemon_start(&d, NULL) == 0, "daemon.replaces.stale.socket",
		     "vhidd did not start")) {
		check_healthy("after.stale", 0, NULL, 0);
		vt_daemon_stop(&d, SIGTERM);
	}
	return vt_finish();
}
