/* hold.h - holding keys until a time or a signal; finding other holders. */
#ifndef VHIDCTL_HOLD_H
#define VHIDCTL_HOLD_H

#include <stdbool.h>
#include <stddef.h>

#include "resume.h"
#include "vhid.h"

/* Block SIGINT, SIGTERM, SIGHUP and return a signalfd for them (or -errno). */
int hold_signals(void);
/* Dispatch the client for ms (-1: until a signal). Returns 0 when the time is
 * up, 1 on a signal, or a negative error (the daemon went away). */
int hold_wait(struct vhid_client *c, int sigfd, long long ms);
/* As hold_wait(), and also return 1 when `vhidctl key --up` of this user
 * connects to hold_fd (hold_register's socket; -1: none); with r, survive a
 * restart of vhidd (resume.h): a negative error then only if restoring failed. */
int hold_wait_holder(struct vhid_client *c, int sigfd, int hold_fd, long long ms, struct resume *r);
/* Announce this process as a holder: a socket it listens on,
 * $XDG_RUNTIME_DIR/vhidctl/held-PID.sock (else /tmp/vhidctl-UID/, which must be
 * ours and private). Returns the listening fd and its path, or -errno. */
int hold_register(char *path, size_t len);
/* Accept on hold_fd: true when the peer is a process of this user. */
bool hold_accept(int hold_fd);
/* Ask every other holder of this user to release its keys and exit: only
 * sockets of this user, in its private directory, whose listener is a process
 * of this user (SO_PEERCRED). No signal is sent. Waits up to 5 s for them to
 * finish; returns how many were asked. */
int hold_release_others(void);

#endif
