/*
 * test-vhidctl-version: `vhidctl version` names vhidctl, libvhid and the
 * running vhidd with their protocol major.minor, then the protocol and
 * capabilities in use; without a daemon it still prints the
 * first two, says why vhidd is not reachable, and exits 3; a user outside
 * group vhid is told so and gets 4.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "vmcli.h"
#include "vmdaemon.h"

int
main(void)
{
	const unsigned int plain[] = {1000};
	const char *const argv[] = {"version", NULL};
	struct vt_daemon d;
	struct vt_cli r;
	char want[512], first_two[512];

	setvbuf(stdout, NULL, _IOLBF, 0);
	unlink(VT_CONFIG);
	snprintf(want, sizeof(want),
		 "vhidctl %s\nlibvhid %s (protocol 1.2)\nvhidd %s (protocol 1.2)\n"
		 "in use: protocol 1.2, capabilities apple-translation absolute lease status-all "
		 "log status-user lease-push keep\n",
		 VHID_VERSION, VHID_VERSION, VHID_VERSION);
	snprintf(first_two, sizeof(first_two), "%.*s", (int)(strstr(want, "vhidd ") - want), want);
	if (!vt_check(vt_daemon_start(&d, NULL) == 0, "daemon.start", "vhidd did not become ready"))
		return vt_finish();

	vt_vhidctl(&r, "version", NULL);
	vt_print_output("version", r.out);
	vt_check(r.status == 0, "version.exit.0", "exit %d: %s", r.status, r.err);
	vt_check(strcmp(r.out, want) == 0, "version.three.versions.and.protocol.in.use",
		 "got:\n%swant:\n%s", r.out, want);
	vt_cli_free(&r);

	run_vhidctl(&r, 1000, 1000, plain, 1, argv);
	vt_check(r.status == 4 && strstr(r.out, "vhidd: not reachable: permission denied"),
		 "version.non.member.exit.4", "exit %d: %s", r.status, r.out);
	vt_cli_free(&r);

	vt_vhidctl(&r, "version", "extra", NULL);
	vt_check(r.status == 2, "version.extra.argument.exit.2", "exit %d", r.status);
	vt_cli_free(&r);

	vt_daemon_stop(&d, SIGTERM);
	vt_vhidctl(&r, "version", NULL);
	vt_print_output("version without vhidd", r.out);
	vt_check(r.status == 3, "version.no.daemon.exit.3", "exit %d", r.status);
	vt_check(strncmp(r.out, first_two, strlen(first_two)) == 0 &&
			 strstr(r.out, "vhidd: not reachable: vhidd is not running"),
		 "version.no.daemon.says.why", "%s", r.out);
	vt_cli_free(&r);
	return vt_finish();
}
