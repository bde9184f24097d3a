/*
 * test-vhidctl-explain: `vhidctl explain --list` covers every VHID_E* code
 * and every errno entry of the error table; `explain` finds a code by number
 * (either sign) or by name (any case, with or without VHID_) and prints the
 * same words vhid_strerror() returns; an unknown code is a usage error (2).
 */
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "vmcli.h"
#include "vmdaemon.h"

static bool
listed(const char *list, int code, const char *name)
{
	char num[16], word[64], line[512];

	snprintf(num, sizeof(num), "%d ", code);
	snprintf(word, sizeof(word), " %s ", name);
	return vt_find_line(list, num, word, line, sizeof(line)) &&
	       strncmp(line, num, strlen(num)) == 0;
}

static void
check_list(void)
{
	const struct error_info *e;
	struct vt_cli r;
	int missing = 0, errnos = 0;

	vt_vhidctl(&r, "explain", "--list", NULL);
	vt_check(r.status == 0, "list.exit.0", "exit %d: %s", r.status, r.err);
	for (int code = VHID_EFIRST; code <= VHID_ELAST; code++) {
		const char *name = vhid_error_name(code);
		if (!name || !listed(r.out, code, name)) {
			printf("# %d %s is not listed\n", code, name ? name : "(no name)");
			missing++;
		}
	}
	vt_check(missing == 0, "list.every.vhid.code", "%d of %d codes missing", missing,
		 VHID_ELAST - VHID_EFIRST + 1);
	missing = 0;
	for (unsigned int i = 0; (e = error_at(i)); i++) {
		if (e->code >= VHID_EFIRST)
			continue;
		errnos++;
		if (!listed(r.out, e->code, e->name)) {
			printf("# errno entry %d %s is not listed\n", e->code, e->name);
			missing++;
		}
	}
	vt_check(errnos > 0 && missing == 0, "list.every.errno.entry",
		 "%d of %d errno entries missing", missing, errnos);
	vt_cli_free(&r);
}

/* explain ARG prints "CODE NAME", the meaning vhid_strerror() gives, and a fix. */
static void
check_one(const char *arg, int code, const char *test)
{
	char head[64];
	struct vt_cli r;

	snprintf(head, sizeof(head), "%d %s\n  meaning: ", code, vhid_error_name(code));
	vt_vhidctl(&r, "explain", arg, NULL);
	vt_check(r.status == 0 && strncmp(r.out, head, strlen(head)) == 0 &&
			 strstr(r.out, vhid_strerror(code)) && strstr(r.out, "\n  fix: "),
		 test, "explain %s: exit %d: %s%s", arg, r.status, r.out, r.err);
	vt_cli_free(&r);
}

static void
check_unknown(const char *arg, const char *test)
{
	struct vt_cli r;
	char want[128];

	snprintf(want, sizeof(want), "unknown error code or name '%s'; see vhidctl explain --list",
		 arg);
	vt_vhidctl(&r, "explain", arg, NULL);
	vt_check(r.status == 2 && strstr(r.err, want) && !r.out[0], test, "explain %s: exit %d: %s",
		 arg, r.status, r.err);
	vt_cli_free(&r);
}

int
main(void)
{
	struct vt_cli r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	check_list();
	check_one("1002", VHID_EUSAGE, "explain.1002");
	check_one("-1002", VHID_EUSAGE, "explain.minus.1002");
	check_one("eusage", VHID_EUSAGE, "explain.eusage");
	check_one("VHID_EUSAGE", VHID_EUSAGE, "explain.VHID_EUSAGE");
	check_one("-13", 13, "explain.minus.13");
	check_one("EACCES", 13, "explain.EACCES");
	check_one("enodaemon", VHID_ENODAEMON, "explain.enodaemon");
	check_unknown("99999", "explain.unknown.code.exit.2");
	check_unknown("-5", "explain.errno.not.in.table.exit.2");
	check_unknown("ENOSUCH", "explain.unknown.name.exit.2");
	vt_vhidctl(&r, "explain", NULL);
	vt_check(r.status == 2, "explain.no.argument.exit.2", "exit %d", r.status);
	vt_cli_free(&r);
	return vt_finish();
}
