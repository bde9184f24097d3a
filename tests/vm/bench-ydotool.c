/*
 * bench-ydotool.c - the best-known peer, Debian's ydotool 0.1.8: ydotoold
 * owns a uinput device and `ydotool` (one process per command) hands it
 * events over /tmp/.ydotool_socket. Both are static binaries that vm.sh copies
 * into the VM when the host has them.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "vmtest.h"

#define YDOTOOLD "/usr/bin/ydotoold"
#define YDOTOOL "/usr/bin/ydotool"
#define YDOTOOL_SOCKET "/tmp/.ydotool_socket"

static pid_t daemon_pid;

static bool
wait_socket(int timeout_ms)
{
	for (int i = 0; i < timeout_ms; i++) {
		if (access(YDOTOOL_SOCKET, F_OK) == 0)
			return true;
		usleep(1000);
	}
	return false;
}

bool
ydotool_start(struct evreader *r, char *why, size_t len)
{
	const char *const argv[] = {YDOTOOLD, NULL};
	const char *node;
	int watch;

	if (access(YDOTOOLD, X_OK) < 0 || access(YDOTOOL, X_OK) < 0) {
		snprintf(why, len,
			 "ydotool and ydotoold are not in the VM (install them on the host: "
			 "scripts/deps.sh bench)");
		return false;
	}
	watch = bench_watch_nodes();
	unlink(YDOTOOL_SOCKET);
	daemon_pid = bench_spawn(argv, "/tmp/ydotoold.log");
	node = bench_next_node(watch, "ydotoold virtual device", vt_bound(5000));
	close(watch);
	if (!node[0] || !wait_socket(5000) || evr_open(r, node) < 0) {
		snprintf(why, len, "ydotoold did not create its device and socket within 5 s");
		bench_show_file("/tmp/ydotoold.log", 5);
		ydotool_stop(NULL);
		return false;
	}
	return true;
}

void
ydotool_stop(struct evreader *r)
{
	if (r)
		evr_close(r);
	if (daemon_pid > 0) {
		kill(daemon_pid, SIGTERM);
		if (bench_reap(daemon_pid, 2000) < 0)
			printf("# ydotoold ignored SIGTERM; killed\n");
	}
	daemon_pid = 0;
	unlink(YDOTOOL_SOCKET);
}

pid_t
ydotool_spawn(const char *const *args)
{
	const char *argv[16] = {YDOTOOL};
	int n = 1;

	for (int i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return bench_spawn(argv, "/tmp/ydotool.out");
}
