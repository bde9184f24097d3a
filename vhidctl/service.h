/* service.h - vhidd.socket and vhidd.service as systemd sees them (service.c). */
#ifndef VHIDCTL_SERVICE_H
#define VHIDCTL_SERVICE_H

#include <stdbool.h>
#include <stddef.h>

struct service_unit {
	char name[32];
	char load[32], active[32], sub[32], result[40]; /* "" when systemd did not say */
	unsigned int main_pid, restarts;                /* service only */
	int exec_code, exec_status;                     /* ExecMainCode, ExecMainStatus */
	char exec_path[256];                            /* ExecStart's program */
	char exec_config[256];                          /* its --config FILE, if any */
	char exec_source[256];                          /* the file that sets ExecStart */
};

struct service_state {
	bool systemd;  /* the system runs systemd and its bus answered */
	char why[200]; /* otherwise: why not */
	struct service_unit socket, service;
};

/* Ask systemd (read-only D-Bus calls any user may make) about both units. */
void service_query(struct service_state *s);
/* "active (running)", "failed (exit-code, status 203)", "not installed", ... */
void service_describe(const struct service_unit *u, char *buf, size_t len);
/* Whether the unit is installed (systemd found its file). */
bool service_installed(const struct service_unit *u);

#endif
