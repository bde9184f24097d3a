/*
 * machine.c - what vhidctl finds out on this machine without asking vhidd: the
 * socket path in use and the state of the uhid module. status, doctor and log
 * all need them, also when vhidd is not reachable.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "config.h"
#include "vhidctl.h"

const char *
cli_socket_path(const struct cli *cli)
{
	const char *env = getenv("VHID_SOCKET");

	if (cli->socket)
		return cli->socket;
	return env && *env ? env : VHID_DEFAULT_SOCKET;
}

/* Whether a modules.* file of the running kernel lists uhid.ko (any compression). */
static bool
modules_file_lists_uhid(const char *file)
{
	static const char uhid[] = "kernel/drivers/hid/uhid.ko";
	struct utsname u;
	char path[512], *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;

	if (uname(&u) < 0)
		return false;
	snprintf(path, sizeof(path), "/lib/modules/%s/%s", u.release, file);
	if (!(f = fopen(path, "re")))
		return false;
	while (!found && getline(&line, &cap, f) > 0)
		found = strncmp(line, uhid, sizeof(uhid) - 1) == 0;
	free(line);
	fclose(f);
	return found;
}

/*
 * A loaded module has /sys/module/uhid/initstate; a built-in one has no
 * initstate (and often no /sys/module entry at all, hence modules.builtin).
 */
const char *
uhid_module_state(void)
{
	if (access("/sys/module/uhid/initstate", F_OK) == 0)
		return "loaded";
	if (access("/sys/module/uhid", F_OK) == 0 || modules_file_lists_uhid("modules.builtin"))
		return "builtin";
	if (modules_file_lists_uhid("modules.dep"))
		return "loadable";
	return "missing";
}
