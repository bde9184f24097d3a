/*
 * service.c - the state of vhidd.socket and vhidd.service, from systemd over
 * D-Bus (sd-bus): what `vhidctl status` shows and `vhidctl doctor` judges.
 * Only property reads, which systemd allows every user: no polkit, no root.
 * A unit's object path is its encoded name; reading it loads the unit if
 * systemd had not, so "not installed" comes back as LoadState "not-found".
 */
#include "service.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#if HAVE_LIBSYSTEMD
#include <dlfcn.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

#define SYSTEMD "org.freedesktop.systemd1"

/*
 * libsystemd is opened when status or doctor asks, not linked: with the
 * compression and crypto libraries it pulls in, it was 7 of vhidctl's 22
 * libraries, and loading them took 10-25 of the 55-65 ms a `vhidctl type`
 * spent starting in a Debian 12 guest under TCG, on every command.
 */
static struct {
	__typeof__(sd_booted) *booted;
	__typeof__(sd_bus_open_system) *bus_open_system;
	__typeof__(sd_bus_flush_close_unref) *bus_flush_close_unref;
	__typeof__(sd_bus_path_encode) *bus_path_encode;
	__typeof__(sd_bus_get_property) *bus_get_property;
	__typeof__(sd_bus_get_property_string) *bus_get_property_string;
	__typeof__(sd_bus_get_property_strv) *bus_get_property_strv;
	__typeof__(sd_bus_get_property_trivial) *bus_get_property_trivial;
	__typeof__(sd_bus_message_enter_container) *bus_message_enter_container;
	__typeof__(sd_bus_message_read) *bus_message_read;
	__typeof__(sd_bus_message_unref) *bus_message_unref;
} sd;

/* dlsym's answer as the member's type (POSIX: a function pointer converts from void *) */
#define LOAD(lib, member, name) (sd.member = (__typeof__(sd.member))dlsym(lib, name))

static bool
load_libsystemd(char *why, size_t len)
{
	void *lib;

	if (sd.booted)
		return true;
	if (!(lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL))) {
		snprintf(why, len, "unknown: libsystemd.so.0 cannot be loaded (%s)", dlerror());
		return false;
	}
	if (!LOAD(lib, bus_open_system, "sd_bus_open_system") ||
	    !LOAD(lib, bus_flush_close_unref, "sd_bus_flush_close_unref") ||
	    !LOAD(lib, bus_path_encode, "sd_bus_path_encode") ||
	    !LOAD(lib, bus_get_property, "sd_bus_get_property") ||
	    !LOAD(lib, bus_get_property_string, "sd_bus_get_property_string") ||
	    !LOAD(lib, bus_get_property_strv, "sd_bus_get_property_strv") ||
	    !LOAD(lib, bus_get_property_trivial, "sd_bus_get_property_trivial") ||
	    !LOAD(lib, bus_message_enter_container, "sd_bus_message_enter_container") ||
	    !LOAD(lib, bus_message_read, "sd_bus_message_read") ||
	    !LOAD(lib, bus_message_unref, "sd_bus_message_unref") ||
	    !LOAD(lib, booted, "sd_booted")) { /* last: it says all are there */
		snprintf(why, len, "unknown: libsystemd.so.0 lacks sd-bus (%s)", dlerror());
		memset(&sd, 0, sizeof(sd));
		dlclose(lib);
		return false;
	}
	return true;
}

static void
get_string(sd_bus *bus, const char *path, const char *iface, const char *prop, char *buf,
	   size_t len)
{
	char *v = NULL;

	if (sd.bus_get_property_string(bus, SYSTEMD, path, iface, prop, NULL, &v) >= 0)
		snprintf(buf, len, "%s", v);
	free(v);
}

static unsigned int
get_u32(sd_bus *bus, const char *path, const char *prop, char type)
{
	uint32_t v = 0;

	sd.bus_get_property_trivial(bus, SYSTEMD, path, SYSTEMD ".Service", prop, NULL, type, &v);
	return v;
}

/* ExecStart's first command: a(sasbttttuii), path then argv. A --config names the policy. */
static void
read_exec_start(sd_bus *bus, const char *path, struct service_unit *u)
{
	sd_bus_message *m = NULL;
	const char *exe, *arg, *prev = "";

	if (sd.bus_get_property(bus, SYSTEMD, path, SYSTEMD ".Service", "ExecStart", NULL, &m,
				"a(sasbttttuii)") < 0)
		return;
	if (sd.bus_message_enter_container(m, 'a', "(sasbttttuii)") > 0 &&
	    sd.bus_message_enter_container(m, 'r', "sasbttttuii") > 0 &&
	    sd.bus_message_read(m, "s", &exe) > 0) {
		snprintf(u->exec_path, sizeof(u->exec_path), "%s", exe);
		if (sd.bus_message_enter_container(m, 'a', "s") > 0) {
			while (sd.bus_message_read(m, "s", &arg) > 0) {
				if (!strcmp(prev, "--config") || !strcmp(prev, "-c"))
					snprintf(u->exec_config, sizeof(u->exec_config), "%s", arg);
				else if (!strncmp(arg, "--config=", 9))
					snprintf(u->exec_config, sizeof(u->exec_config), "%s",
						 arg + 9);
				prev = arg;
			}
		}
	}
	sd.bus_message_unref(m);
}

/* The drop-in that sets ExecStart last, else the unit file (for doctor's message). */
static void
read_source(sd_bus *bus, const char *path, struct service_unit *u)
{
	char **dropins = NULL;

	get_string(bus, path, SYSTEMD ".Unit", "FragmentPath", u->exec_source,
		   sizeof(u->exec_source));
	if (sd.bus_get_property_strv(bus, SYSTEMD, path, SYSTEMD ".Unit", "DropInPaths", NULL,
				     &dropins) < 0)
		return;
	for (char **p = dropins; p && *p; p++) {
		FILE *f = fopen(*p, "re");
		char line[512];
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "ExecStart=", 10) && line[10] != '\n')
				snprintf(u->exec_source, sizeof(u->exec_source), "%s", *p);
		if (f)
			fclose(f);
		free(*p);
	}
	free(dropins);
}

static void
query_unit(sd_bus *bus, const char *name, struct service_unit *u)
{
	char *path = NULL;
	bool service = strstr(name, ".service") != NULL;

	snprintf(u->name, sizeof(u->name), "%s", name);
	if (sd.bus_path_encode("/org/freedesktop/systemd1/unit", name, &path) < 0)
		return;
	get_string(bus, path, SYSTEMD ".Unit", "LoadState", u->load, sizeof(u->load));
	get_string(bus, path, SYSTEMD ".Unit", "ActiveState", u->active, sizeof(u->active));
	get_string(bus, path, SYSTEMD ".Unit", "SubState", u->sub, sizeof(u->sub));
	get_string(bus, path, service ? SYSTEMD ".Service" : SYSTEMD ".Socket", "Result", u->result,
		   sizeof(u->result));
	if (service && service_installed(u)) {
		u->main_pid = get_u32(bus, path, "MainPID", 'u');
		u->restarts = get_u32(bus, path, "NRestarts", 'u');
		u->exec_code = (int)get_u32(bus, path, "ExecMainCode", 'i');
		u->exec_status = (int)get_u32(bus, path, "ExecMainStatus", 'i');
		read_exec_start(bus, path, u);
		read_source(bus, path, u);
	}
	free(path);
}

void
service_query(struct service_state *s)
{
	sd_bus *bus = NULL;
	int r;

	memset(s, 0, sizeof(*s));
	if (!load_libsystemd(s->why, sizeof(s->why)))
		return;
	if (sd.booted() <= 0) {
		snprintf(s->why, sizeof(s->why), "not under systemd (no /run/systemd/system)");
		return;
	}
	if ((r = sd.bus_open_system(&bus)) < 0) {
		snprintf(s->why, sizeof(s->why), "systemd's bus is not reachable: %s",
			 strerror(-r));
		return;
	}
	query_unit(bus, "vhidd.socket", &s->socket);
	query_unit(bus, "vhidd.service", &s->service);
	sd.bus_flush_close_unref(bus);
	s->systemd = s->socket.load[0] || s->service.load[0];
	if (!s->systemd)
		snprintf(s->why, sizeof(s->why), "systemd did not answer on its bus");
}

#else

void
service_query(struct service_state *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->why, sizeof(s->why), "unknown: vhidctl was built without libsystemd");
}

#endif

bool
service_installed(const struct service_unit *u)
{
	return u->load[0] && strcmp(u->load, "not-found") != 0;
}

/* "status 203/EXEC" or "signal 9/KILL", when the main process ended badly */
static void
describe_exit(const struct service_unit *u, char *buf, size_t len)
{
	enum { EXITED = 1, KILLED = 2, DUMPED = 3 }; /* si_code values, as systemd reports */

	buf[0] = '\0';
	if (u->exec_code == EXITED && u->exec_status)
		snprintf(buf, len, ", status %d%s", u->exec_status,
			 u->exec_status == 203 ? "/EXEC" : "");
	else if (u->exec_code == KILLED || u->exec_code == DUMPED)
		snprintf(buf, len, ", signal %d%s", u->exec_status,
			 u->exec_status == SIGKILL ? "/KILL" : "");
}

void
service_describe(const struct service_unit *u, char *buf, size_t len)
{
	char exit[64], pid[64] = "", restarts[32] = "";

	if (!service_installed(u)) {
		snprintf(buf, len, "not installed%s", u->load[0] ? "" : " (systemd did not say)");
		return;
	}
	describe_exit(u, exit, sizeof(exit));
	if (u->main_pid)
		snprintf(pid, sizeof(pid), ", pid %u", u->main_pid);
	if (u->restarts)
		snprintf(restarts, sizeof(restarts), ", %u restart%s", u->restarts,
			 u->restarts == 1 ? "" : "s");
	if (u->result[0] && strcmp(u->result, "success") != 0)
		snprintf(buf, len, "%s (%s), last result %s%s%s%s", u->active, u->sub, u->result,
			 exit, restarts, pid);
	else
		snprintf(buf, len, "%s (%s)%s%s", u->active, u->sub, pid, restarts);
}
