/*
 * doctor-system.h - `vhidctl doctor`'s checks of how vhid is installed on this
 * system (doctor-system.c): the systemd units, the library, the policy file.
 * Each is a defect that broke real installs (issue 9), so each can recur.
 */
#ifndef VHIDCTL_DOCTOR_SYSTEM_H
#define VHIDCTL_DOCTOR_SYSTEM_H

#include <stdbool.h>
#include <stddef.h>

#include "service.h"

enum verdict { PASS, FAIL, SKIP };

struct finding {
	enum verdict verdict;
	char detail[1024];
	char fix[1024]; /* FAIL only */
};

/* What vhidd said about itself, when it answered. */
struct daemon_view {
	bool answers;
	unsigned int pid;
	const char *config; /* the policy file it read; "" = built-in defaults */
};

/* vhidd.socket and vhidd.service: failed, restarting, stopped, not installed. */
void doctor_service(const struct service_state *s, const struct daemon_view *v, struct finding *f);
/* The program vhidd.service starts exists (else 203/EXEC and a restart loop). */
void doctor_exec_start(const struct service_state *s, struct finding *f);
/* Programs find libvhid through the loader (its cache or a system directory),
 * not only vhidctl through LD_LIBRARY_PATH. */
void doctor_library(struct finding *f);
/* No policy file lies where vhidd does not read it (/usr/local/etc vs /etc). */
void doctor_policy(const struct service_state *s, const struct daemon_view *v, struct finding *f);
/* The fix for a socket whose group is not the clients' group. */
void doctor_group_fix(const struct service_state *s, const char *socket, char *fix, size_t len);

#endif
