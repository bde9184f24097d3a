/*
 * vmspawn.h - run /usr/bin/vhidctl in the background and talk to it, and
 * find the evdev node a program creates (inotify on /dev/input, no polling).
 */
#ifndef VMSPAWN_H
#define VMSPAWN_H

#include <stdbool.h>
#include <sys/types.h>

struct vt_proc {
	pid_t pid;
	int out; /* its stdout and stderr */
	char buf[8192];
	size_t len;
};

/* Start vhidctl with args (NULL-terminated) as uid (0: root) with the groups. Commands
 * that create a device get --wait 60000 unless args name one: the test's open starts them. */
int vt_spawn_vhidctl(struct vt_proc *p, unsigned int uid, const unsigned int *groups, int n,
		     const char *const *args);
/* Start any program (argv[0] a path) as root; with in, its stdin is a pipe whose write
 * end lands there (else /dev/null). */
int vt_spawn(struct vt_proc *p, const char *const *argv, int *in);
/* Read until `text` appears in the output (true) or vt_bound(timeout_ms) ends. */
bool vt_proc_expect(struct vt_proc *p, const char *text, int timeout_ms);
/* Wait for exit (collecting output); returns the exit status, or -1 after vt_bound(timeout_ms)
 * (then killed). */
int vt_proc_wait(struct vt_proc *p, int timeout_ms);

/* Watch /dev/input for new nodes; call before starting what creates them. */
int vt_nodes_watch(void);
/* Whether input node `event` (e.g. "event3") belongs to a device called name,
 * by sysfs: opening the node would count as a reader. */
bool vt_node_has_name(const char *event, const char *name);
/* The next new /dev/input/eventN whose device name is `name`, or "" after vt_bound(timeout_ms). */
const char *vt_nodes_next(int watch, const char *name, int timeout_ms);
/* No such node appears within ms (unscaled). */
bool vt_nodes_none(int watch, const char *name, int ms);

#endif
