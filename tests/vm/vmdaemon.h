/*
 * vmdaemon.h - helpers for the VM tests of vhidd and libvhid: start and stop
 * the real daemon (readiness through --ready-fd, never a sleep), and "agents":
 * libvhid clients in child processes, optionally as another user, driven by
 * line commands over pipes, so tests can SIGKILL or SIGSTOP a real client.
 */
#ifndef VMDAEMON_H
#define VMDAEMON_H

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"
#include "vhid.h"
#include "vmtest.h"

#define VT_SOCKET "/run/vhid/vhidd.sock"
#define VT_CONFIG VHID_DEFAULT_CONFIG /* where vhidd reads it: <prefix>/<sysconfdir>/vhid */

struct vt_daemon {
	pid_t pid;
};

/* Start /usr/bin/vhidd with extra args (NULL-terminated); returns 0 once it listens. */
int vt_daemon_start(struct vt_daemon *d, const char *const *args);
/* Send sig and wait for the exit; returns the exit status, or -1. */
int vt_daemon_stop(struct vt_daemon *d, int sig);
/* Write the policy file. */
void vt_write_policy(const char *text);

struct vt_agent {
	pid_t pid;
	int to_child, from_child;
	char node[64]; /* the evdev node of the agent's last created device */
	char last_cmd[16];
};

/*
 * Fork a libvhid client. uid 0 keeps root; otherwise the child drops to
 * uid/gid with exactly the given supplementary groups first. It does nothing
 * until commands arrive; between commands it dispatches its client, so it
 * heartbeats like any well-behaved program.
 */
int vt_agent_spawn(struct vt_agent *a, const char *name, unsigned int uid, unsigned int gid,
		   const unsigned int *groups, int n_groups);
/*
 * Send one command and wait for its one-line answer ("ok ..." or "err CODE
 * message"). Commands: connect | create keyboard|pointer|absolute [NAME] |
 * press USAGE | release USAGE (the last keyboard) | button N 0|1 | move DX DY
 * (the last pointer) | type TEXT | typestart TEXT | typeloop TEXT (a job typed
 * again each time it ends well, until one fails; all in "us" on the last keyboard,
 * the rest of the line is the text) | reconnect 0|1 |
 * wait ready|lease|leds|reconnected|disconnected|gone|typed TIMEOUT_MS ("ok ERROR"
 * for gone and typed) | leds | node | nodes ("ok KEYBOARD POINTER", "-" for none) |
 * quit | maxgap (the longest time in ms the agent's loop did not run since the last
 * maxgap).
 * "wait" consumes one event of that kind, including one that arrived before.
 * Bounds are scaled by vt_bound(), the one inside "wait" too. Returns 0 for "ok",
 * 1 for "err", -1 if the agent died or timed out.
 */
int vt_agent_cmd(struct vt_agent *a, char *answer, size_t len, int timeout_ms, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* vt_agent_cmd in two halves: send a command now, read its answer later. */
int vt_agent_send(struct vt_agent *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vt_agent_answer(struct vt_agent *a, char *answer, size_t len, int timeout_ms);
/* A root agent called name, connected, with a keyboard whose evdev node is
 * open in node: the start of every stuck-key test. 0, or -1 if a step failed. */
int vt_agent_keyboard(struct vt_agent *a, const char *name, struct vt_dev *node);
/* SIGKILL and reap. */
void vt_agent_kill(struct vt_agent *a);
void vt_agent_quit(struct vt_agent *a);

/*
 * The agent types text (a typing job, "us") on its keyboard while node is
 * decoded as a compositor would (xkbdecode): PASS name when the node produced
 * exactly text and the job ended without error.
 */
bool vt_agent_types(struct vt_agent *a, struct vt_dev *node, const char *text, const char *name);

/* A libvhid client as root called name, connected (a FAIL "connect" if not). */
struct vhid_client *vt_connect_root(const char *name);
/* A keyboard of c (name NULL: vhid's default identity), ready within vt_bound(5000). */
struct vhid_device *vt_keyboard(struct vhid_client *c, const char *name);
/* The same for a device of any kind. */
struct vhid_device *vt_device(struct vhid_client *c, enum vhid_device_kind kind, const char *name);
/* Dispatch c until kb's LEDs include Caps Lock, or vt_bound(timeout_ms). */
bool vt_caps_lock_seen(struct vhid_client *c, struct vhid_device *kb, int timeout_ms);
/* The event node of the newest input device called name (and whose phys is phys,
 * unless NULL), from /proc/bus/input/devices, which opens no node; false if none. */
bool vt_proc_node(const char *name, const char *phys, char *node, size_t len);

/* Open an evdev node for reading into d (d->dev stays NULL). */
int vt_open_node(struct vt_dev *d, const char *node);
void vt_close_node(struct vt_dev *d);
/* Whether key `code` is down right now (EVIOCGKEY). */
bool vt_key_down(struct vt_dev *d, int code);
/* The first key or button the device of an evdev fd holds (EVIOCGKEY), -1 for none. */
int vt_held_key(int fd);
/* The device behind d is gone: reading says ENODEV, and path (its node) is
 * unlinked (at most vt_bound(timeout_ms)). The read, not EVIOCGKEY: evdev refuses
 * buffered events once the device is gone. */
bool vt_node_gone(struct vt_dev *d, const char *path, int timeout_ms);

#endif
