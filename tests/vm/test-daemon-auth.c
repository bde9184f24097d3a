/*
 * test-daemon-auth: who may use vhidd. uid 1000 outside group vhid is denied
 * with a message naming its uid and the group; in the group it is allowed.
 * The daemon's own policy check (SO_PEERCRED) refuses callers the socket lets
 * through, and SIGHUP reloads it. Every connection is logged with pid, uid,
 * gid and executable.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmdaemon.h"

#define LOG "/run/vhid-test-auth.log"
#define VHID_GID 990

static void
reload(struct vt_daemon *d, const char *policy)
{
	vt_write_policy(policy);
	kill(d->pid, SIGHUP);
	/* the daemon handles SIGHUP before the next connection it accepts: a
	 * round trip through it proves the signal was processed */
	struct vhid_client *c;
	vhid_client_new("sync", NULL, NULL, &c);
	vhid_client_connect(c, NULL);
	vhid_client_destroy(c);
}

static int
connect_as(struct vt_agent *a, unsigned int uid, const unsigned int *groups, int n, char *ans,
	   size_t len)
{
	vt_agent_spawn(a, "auth-test", uid, uid, groups, n);
	return vt_agent_cmd(a, ans, len, 3000, "connect");
}

int
main(void)
{
	struct vt_daemon d;
	struct vt_agent a, in_group;
	struct stat st;
	char ans[512], log[8192] = "";
	const char *args[] = {"-l", LOG, NULL};
	const unsigned int plain[] = {1000}, member[] = {1000, VHID_GID};

	setvbuf(stdout, NULL, _IOLBF, 0);
	unlink(VT_CONFIG);
	if (!vt_check(vt_daemon_start(&d, args) == 0, "daemon.start", "vhidd did not become ready"))
		return vt_finish();
	vt_check(stat(VT_SOCKET, &st) == 0 && (st.st_mode & 0777) == 0660 && st.st_gid == VHID_GID,
		 "socket.mode.0660.group.vhid", "mode %o gid %u", st.st_mode & 0777, st.st_gid);
	vt_check(stat("/run/vhid", &st) == 0 && st.st_uid == 0 && st.st_gid == VHID_GID &&
			 (st.st_mode & 0777) == 0750,
		 "socket.dir.root.vhid.0750", "mode %o uid %u gid %u", st.st_mode & 0777, st.st_uid,
		 st.st_gid);

	int r = connect_as(&a, 1000, plain, 1, ans, sizeof(ans));
	printf("# uid 1000 without the group: %s\n", ans);
	vt_check(r == 1 && strstr(ans, "permission denied: uid 1000 is not in group 'vhid'") &&
			 strstr(ans, "vhidctl doctor"),
		 "denied.not.in.group.with.message", "%s", ans);
	vt_agent_kill(&a);

	r = connect_as(&in_group, 1000, member, 2, ans, sizeof(ans));
	vt_check(r == 0, "allowed.once.in.group", "%s", ans);
	r = vt_agent_cmd(&in_group, ans, sizeof(ans), 3000, "create keyboard");
	vt_check(r == 0, "allowed.user.creates.a.keyboard", "%s", ans);

	/* the daemon's own check: the socket admits group vhid, the policy only wheel */
	reload(&d, "allow-groups = wheel\n");
	r = vt_agent_cmd(&in_group, ans, sizeof(ans), 3000, "wait disconnected 2000");
	vt_check(r == 0, "reload.disconnects.no.longer.allowed", "%s", ans);
	vt_agent_kill(&in_group);
	r = connect_as(&a, 1000, member, 2, ans, sizeof(ans));
	printf("# uid 1000 refused by the policy: %s\n", ans);
	vt_check(r == 1 && strstr(ans, "-1008") && strstr(ans, "uid 1000 is not in group 'wheel'"),
		 "policy.denies.with.uid.and.group", "%s", ans);
	vt_agent_kill(&a);

	reload(&d, "allow-groups = wheel\nallow-users = user\n");
	r = connect_as(&a, 1000, member, 2, ans, sizeof(ans));
	vt_check(r == 0, "sighup.reload.allows.listed.user", "%s", ans);
	vt_agent_kill(&a);

	r = connect_as(&a, 0, NULL, 0, ans, sizeof(ans));
	vt_check(r == 0, "root.always.allowed", "%s", ans);
	vt_agent_kill(&a);

	vt_daemon_stop(&d, SIGTERM);
	FILE *f = fopen(LOG, "r");
	size_t n = f ? fread(log, 1, sizeof(log) - 1, f) : 0;
	log[n] = '\0';
	if (f)
		fclose(f);
	vt_check(strstr(log, "uid 1000 gid 1000 exe /tests/test-daemon-auth") != NULL,
		 "log.connection.pid.uid.gid.exe", "no connect line for uid 1000 in the log");
	vt_check(strstr(log, "denied: permission denied: uid 1000") != NULL, "log.names.denials",
		 "no denial line in the log");
	unlink(VT_CONFIG);
	return vt_finish();
}
