/*
 * test-vhidctl-hold: `vhidctl key --up` never signals a process a file names.
 * 0.1.0 sent SIGTERM to the pid of every held-PID file in /tmp/vhidctl-UID
 * (root without XDG_RUNTIME_DIR, as under sudo), and any user could create
 * that directory first. Here root runs --up with such a directory planted by
 * uid 1001, then with a stale file in its own directory, then through a
 * symlink: the process those files name (root's) must live through all three.
 * That --up still ends a real holder is test-vhidctl-input's key.up.* checks.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmcli.h"
#include "vmdaemon.h"

#define DIR0 "/tmp/vhidctl-0"

static pid_t
start_victim(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static bool
alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

/* Plant DIR0 with a held-<victim> file, as uid (and mode) given; as root if uid 0. */
static void
plant(unsigned int uid, mode_t mode, pid_t victim)
{
	char path[128];
	pid_t pid = fork();

	if (pid == 0) {
		if (uid && (setgid(uid) < 0 || setuid(uid) < 0))
			_exit(1);
		snprintf(path, sizeof(path), DIR0 "/held-%d", (int)victim);
		if (mkdir(DIR0, mode) < 0 || chmod(DIR0, mode) < 0)
			_exit(1);
		FILE *f = fopen(path, "w");
		_exit(f && fclose(f) == 0 ? 0 : 1);
	}
	waitpid(pid, NULL, 0);
}

static void
key_up_spares(const char *name, pid_t victim)
{
	const char *const argv[] = {"key", "--up", NULL};
	struct vt_cli r;
	char check[96];

	run_vhidctl(&r, 0, 0, NULL, 0, argv);
	vt_print_output("vhidctl key --up", r.out);
	snprintf(check, sizeof(check), "%s.victim.alive", name);
	vt_check(alive(victim), check, "root's --up killed pid %d: %s", (int)victim, r.out);
	vt_cli_free(&r);
	system("rm -rf " DIR0);
}

int
main(void)
{
	struct vt_daemon d;
	pid_t victim = start_victim();

	setvbuf(stdout, NULL, _IOLBF, 0);
	unsetenv("XDG_RUNTIME_DIR"); /* as under sudo: the /tmp directory is used */
	unlink(VT_CONFIG);
	system("rm -rf " DIR0);
	if (!vt_check(vt_daemon_start(&d, NULL) == 0, "daemon.start", "vhidd did not start"))
		return vt_finish();

	plant(1001, 0755, victim);
	key_up_spares("planted.by.another.user", victim);

	victim = alive(victim) ? victim : start_victim();
	plant(0, 0700, victim);
	key_up_spares("stale.file.in.own.directory", victim);

	victim = alive(victim) ? victim : start_victim();
	mkdir("/tmp/elsewhere", 0700);
	char path[64];
	snprintf(path, sizeof(path), "/tmp/elsewhere/held-%d", (int)victim);
	fclose(fopen(path, "w"));
	symlink("/tmp/elsewhere", DIR0);
	key_up_spares("directory.is.a.symlink", victim);

	kill(victim, SIGKILL);
	waitpid(victim, NULL, 0);
	vt_check(vt_daemon_stop(&d, SIGTERM) == 0, "daemon.stop", "vhidd did not exit 0");
	return vt_finish();
}
