/* hold.h - holding keys until a time or a signal; finding other holders. */
#ifndef VHIDCTL_HOLD_H
#define VHIDCTL_HOLD_H

#include <stddef.h>

#include "vhid.h"

/* Block SIGINT, SIGTERM, SIGHUP and return a signalfd for them (or -errno). */
int hold_signals(void);
/* Dispatch the client for ms (-1: until a signal). Returns 0 when the time is
 * up, 1 on a signal, or a negative error (the daemon went away). */
int hold_wait(struct vhid_client *c, int sigfd, long long ms);
/* Announce this process as a holder ($XDG_RUNTIME_DIR/vhidctl/held-PID). */
int hold_register(char *path, size_t len);
/* SIGTERM every other holder of this user; returns how many were told. */
int hold_release_others(void);

#endif
