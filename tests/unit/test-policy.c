/*
 * Unit tests of vhidd's access policy (vhidd/policy.c), with a fake resolver:
 * groups vhid=990, input=104, wheel=10; users alice=1000, bob=1001; nothing else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"

#define N(a) (int)(sizeof(a) / sizeof((a)[0]))

struct fake_id {
	const char *name;
	unsigned int id;
};

static const struct fake_id fake_groups[] = {{"vhid", 990}, {"input", 104}, {"wheel", 10}};
static const struct fake_id fake_users[] = {{"alice", 1000}, {"bob", 1001}};

static int
lookup(const struct fake_id *list, int n, const char *name, unsigned int *id)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(list[i].name, name) == 0) {
			*id = list[i].id;
			return 0;
		}
	}
	return -1;
}

static int
fake_group(const char *name, unsigned int *gid)
{
	return lookup(fake_groups, N(fake_groups), name, gid);
}

static int
fake_user(const char *name, unsigned int *uid)
{
	return lookup(fake_users, N(fake_users), name, uid);
}

static const struct policy_resolver fake = {fake_group, fake_user};

/* parse text that must be valid; the warnings go to warn */
static void
parse_ok(struct policy *p, const char *text, char *warn, size_t warnlen)
{
	char err[256] = "";
	int rc = policy_parse(p, text, &fake, err, sizeof(err), warn, warnlen);

	if (rc != 0)
		fail_msg("policy_parse returned %d: %s\n--- text:\n%s", rc, err, text);
}

/* parse text that must be rejected with -EINVAL; the error goes to err */
static void
parse_bad(const char *text, char *err, size_t errlen)
{
	struct policy p;
	int rc;

	err[0] = '\0';
	rc = policy_parse(&p, text, &fake, err, errlen, NULL, 0);
	if (rc != -EINVAL)
		fail_msg("policy_parse returned %d, expected -EINVAL\n--- text:\n%s", rc, text);
	assert_true(err[0] != '\0');
}

static bool
allows(const struct policy *p, unsigned int uid, const unsigned int *groups, int n)
{
	char why[256];

	return policy_allows(p, uid, groups, n, why, sizeof(why));
}

static void
defaults(void **state)
{
	struct policy p;
	const unsigned int vhid[] = {990}, other[] = {1000, 104, 10};
	char why[256], desc[256];

	memset(&p, 0x5a, sizeof(p));
	policy_default(&p, "vhid", &fake);
	assert_int_equal(p.n_groups, 1);
	assert_int_equal(p.groups[0].id, 990);
	assert_string_equal(p.groups[0].name, "vhid");
	assert_int_equal(p.n_users, 0);
	assert_int_equal(p.n_admin_groups, 0);
	assert_int_equal(p.lease_ms, 3000);
	assert_int_equal(p.lease_ms, POLICY_DEFAULT_LEASE_MS);
	assert_int_equal(p.keep_ms, POLICY_DEFAULT_KEEP_MS);
	assert_string_equal(p.path, "");

	assert_true(allows(&p, 0, NULL, 0));
	assert_true(allows(&p, 1000, vhid, 1));
	assert_false(policy_allows(&p, 1000, other, 3, why, sizeof(why)));
	assert_string_equal(
		why, "permission denied: uid 1000 is not in group 'vhid' (see vhidctl doctor)");
	assert_true(policy_is_admin(&p, 0, NULL, 0));
	assert_false(policy_is_admin(&p, 1000, vhid, 1));
	policy_describe(&p, desc, sizeof(desc));
	assert_string_equal(desc, "root, group 'vhid'");

	/* a group that does not exist: root only */
	policy_default(&p, "nosuchgroup", &fake);
	assert_int_equal(p.n_groups, 0);
	assert_int_equal(p.lease_ms, 3000);
	assert_true(allows(&p, 0, NULL, 0));
	assert_false(allows(&p, 1000, vhid, 1));
	policy_default(&p, NULL, &fake);
	assert_int_equal(p.n_groups, 0);
	policy_default(&p, "", &fake);
	assert_int_equal(p.n_groups, 0);
	/* a number needs no resolver */
	policy_default(&p, "4242", &fake);
	assert_int_equal(p.n_groups, 1);
	assert_int_equal(p.groups[0].id, 4242);
}

static void
root_always(void **state)
{
	struct policy p;
	const unsigned int nobody[] = {65534};
	char why[256];

	parse_ok(&p, "", NULL, 0);
	assert_int_equal(p.n_groups, 0);
	assert_int_equal(p.n_users, 0);
	assert_int_equal(p.lease_ms, 3000);
	assert_true(allows(&p, 0, NULL, 0));
	assert_true(allows(&p, 0, nobody, 1));
	assert_true(policy_allows(&p, 0, NULL, 0, NULL, 0));
	assert_true(policy_is_admin(&p, 0, NULL, 0));

	assert_false(policy_allows(&p, 1000, nobody, 1, why, sizeof(why)));
	assert_non_null(strstr(why, "uid 1000"));
	assert_non_null(strstr(why, "(see vhidctl doctor)"));
	assert_false(policy_allows(&p, 1000, nobody, 1, NULL, 0));

	/* even a policy that lists only others */
	parse_ok(&p, "allow-users = bob\nallow-groups = input\n", NULL, 0);
	assert_true(allows(&p, 0, NULL, 0));
}

static void
primary_and_supplementary(void **state)
{
	struct policy p;
	const unsigned int primary[] = {990}, supplementary[] = {1000, 27, 990, 44},
			   input_only[] = {1001, 104}, none[] = {1000, 27, 44};

	parse_ok(&p, "allow-groups = vhid, input\n", NULL, 0);
	assert_int_equal(p.n_groups, 2);
	assert_int_equal(p.groups[0].id, 990);
	assert_int_equal(p.groups[1].id, 104);
	assert_true(allows(&p, 1000, primary, 1));
	assert_true(allows(&p, 1000, supplementary, N(supplementary)));
	assert_true(allows(&p, 1001, input_only, N(input_only)));
	assert_false(allows(&p, 1000, none, N(none)));
	assert_false(allows(&p, 1000, NULL, 0));
	/* a uid equal to an allowed gid is not a member */
	assert_false(allows(&p, 990, none, N(none)));
}

static void
denied_messages(void **state)
{
	struct policy p;
	const unsigned int groups[] = {1000};
	char why[256];

	parse_ok(&p, "allow-groups = vhid\n", NULL, 0);
	assert_false(policy_allows(&p, 1000, groups, 1, why, sizeof(why)));
	assert_string_equal(
		why, "permission denied: uid 1000 is not in group 'vhid' (see vhidctl doctor)");

	parse_ok(&p, "allow-groups = vhid input\n", NULL, 0);
	assert_false(policy_allows(&p, 1000, groups, 1, why, sizeof(why)));
	assert_non_null(strstr(why, "permission denied: uid 1000 "));
	assert_non_null(strstr(why, "'vhid'"));
	assert_non_null(strstr(why, "'input'"));
	assert_non_null(strstr(why, "(see vhidctl doctor)"));

	parse_ok(&p, "allow-groups = vhid\nallow-users = alice, bob\n", NULL, 0);
	assert_false(policy_allows(&p, 1002, groups, 1, why, sizeof(why)));
	assert_non_null(strstr(why, "uid 1002"));
	assert_non_null(strstr(why, "'vhid'"));
	assert_non_null(strstr(why, "alice"));
	assert_non_null(strstr(why, "bob"));
	assert_non_null(strstr(why, "(see vhidctl doctor)"));

	/* a short buffer is cut, not overrun */
	memset(why, 0x7f, sizeof(why));
	assert_false(policy_allows(&p, 1002, groups, 1, why, 20));
	assert_int_equal(strlen(why), 19);
	assert_int_equal(why[20], 0x7f);
}

static void
allow_users(void **state)
{
	struct policy p;
	const unsigned int groups[] = {2000};

	parse_ok(&p, "allow-users = alice, 1005\n", NULL, 0);
	assert_int_equal(p.n_users, 2);
	assert_int_equal(p.users[0].id, 1000);
	assert_string_equal(p.users[0].name, "alice");
	assert_int_equal(p.users[1].id, 1005);
	assert_string_equal(p.users[1].name, "1005");
	assert_int_equal(p.n_groups, 0);
	assert_true(allows(&p, 1000, groups, 1));
	assert_true(allows(&p, 1005, groups, 1));
	assert_true(allows(&p, 1005, NULL, 0));
	assert_false(allows(&p, 1001, groups, 1)); /* bob */
	/* the uid is what counts, not a group with the same number */
	{
		const unsigned int g1000[] = {1000};
		assert_false(allows(&p, 1001, g1000, 1));
	}
}

static void
admin_groups(void **state)
{
	struct policy p;
	const unsigned int wheel[] = {1000, 10}, vhid[] = {990}, nogroups[] = {1000};

	parse_ok(&p, "allow-groups = vhid\nadmin-groups = wheel\n", NULL, 0);
	assert_int_equal(p.n_admin_groups, 1);
	assert_int_equal(p.admin_groups[0].id, 10);
	assert_string_equal(p.admin_groups[0].name, "wheel");
	assert_true(policy_is_admin(&p, 0, NULL, 0));
	assert_true(policy_is_admin(&p, 1000, wheel, N(wheel)));
	assert_false(policy_is_admin(&p, 1000, vhid, 1));
	assert_false(policy_is_admin(&p, 1000, nogroups, 1));
	assert_false(policy_is_admin(&p, 10, nogroups, 1));
	assert_true(allows(&p, 1000, vhid, 1));

	parse_ok(&p, "admin-groups = wheel 990\n", NULL, 0);
	assert_int_equal(p.n_admin_groups, 2);
	assert_true(policy_is_admin(&p, 1000, vhid, 1));
}

static void
lease_ms(void **state)
{
	static const char *bad[] = {"99",  "0", "600001", "1000000",   "abc",
				    "10s", "",  "-1",     "3000 4000", "99999999999999999999999"};
	struct policy p;
	char err[256], text[128], want[200];

	parse_ok(&p, "lease-ms = 100\n", NULL, 0);
	assert_int_equal(p.lease_ms, 100);
	parse_ok(&p, "lease-ms = 600000\n", NULL, 0);
	assert_int_equal(p.lease_ms, 600000);
	parse_ok(&p, "lease-ms=5000", NULL, 0);
	assert_int_equal(p.lease_ms, 5000);

	for (int i = 0; i < N(bad); i++) {
		snprintf(text, sizeof(text), "# lease\nlease-ms = %s\n", bad[i]);
		parse_bad(text, err, sizeof(err));
		snprintf(want, sizeof(want), "line 2: lease-ms must be 100..600000, got '%s'",
			 bad[i]);
		assert_string_equal(err, want);
	}
	/* keep-ms: 0 turns keeping released devices off */
	parse_ok(&p, "keep-ms = 0\n", NULL, 0);
	assert_int_equal(p.keep_ms, 0);
	parse_ok(&p, "keep-ms = 60000\n", NULL, 0);
	assert_int_equal(p.keep_ms, 60000);
	parse_bad("keep-ms = 60001\n", err, sizeof(err));
	assert_string_equal(err, "line 1: keep-ms must be 0..60000, got '60001'");
	/* standby-keyboard: on unless the policy says no */
	assert_true(p.standby_keyboard);
	parse_ok(&p, "standby-keyboard = no\n", NULL, 0);
	assert_false(p.standby_keyboard);
	parse_ok(&p, "standby-keyboard = yes\n", NULL, 0);
	assert_true(p.standby_keyboard);
	parse_bad("standby-keyboard = 1\n", err, sizeof(err));
	assert_string_equal(err, "line 1: standby-keyboard must be yes or no, got '1'");
}

static void
comments_and_spaces(void **state)
{
	struct policy p;
	char warn[256];
	const char *text = "# vhidd policy\n"
			   "\n"
			   "   \t \n"
			   "allow-groups=vhid # trailing comment\n"
			   "  lease-ms   =   5000  \n"
			   "\tallow-users\t=\tbob\t\n"
			   "   # indented comment with = sign\n"
			   "admin-groups =wheel,input\r\n";

	parse_ok(&p, text, warn, sizeof(warn));
	assert_string_equal(warn, "");
	assert_int_equal(p.n_groups, 1);
	assert_string_equal(p.groups[0].name, "vhid");
	assert_int_equal(p.lease_ms, 5000);
	assert_int_equal(p.n_users, 1);
	assert_string_equal(p.users[0].name, "bob");
	assert_int_equal(p.users[0].id, 1001);
	assert_int_equal(p.n_admin_groups, 2);
	assert_string_equal(p.admin_groups[0].name, "wheel");
	assert_string_equal(p.admin_groups[1].name, "input");

	/* an empty list allows nobody beyond root */
	parse_ok(&p, "allow-groups =\n", NULL, 0);
	assert_int_equal(p.n_groups, 0);
	/* no trailing newline */
	parse_ok(&p, "allow-groups = input", NULL, 0);
	assert_int_equal(p.n_groups, 1);
	assert_int_equal(p.groups[0].id, 104);
}

static void
unknown_key(void **state)
{
	char err[256];

	parse_bad("\n# comment\nallow-groups = vhid\nallow-group = vhid\n", err, sizeof(err));
	assert_string_equal(
		err,
		"line 4: unknown key 'allow-group' (known: allow-users, "
		"allow-groups, admin-groups, lease-ms, max-connections-per-user, "
		"handshake-timeout-ms, idle-timeout-ms, keep-ms, standby-keyboard, allow-buses, "
		"allow-ids)");
	parse_bad("lease = 100\n", err, sizeof(err));
	assert_non_null(strstr(err, "line 1:"));
	assert_non_null(strstr(err, "'lease'"));
	assert_non_null(strstr(err, "allow-users"));
	assert_non_null(strstr(err, "allow-groups"));
	assert_non_null(strstr(err, "admin-groups"));
	assert_non_null(strstr(err, "lease-ms"));
	parse_bad("= vhid\n", err, sizeof(err));
	assert_non_null(strstr(err, "line 1:"));
}

static void
missing_equals(void **state)
{
	char err[256];

	parse_bad("allow-groups = vhid\n\nallow-users alice\n", err, sizeof(err));
	assert_string_equal(err, "line 3: expected 'key = value', found no '=' (is this a vhidd "
				 "policy?)");
	parse_bad("  garbage   # comment = not a value\n", err, sizeof(err));
	assert_string_equal(err, "line 1: expected 'key = value', found no '=' (is this a vhidd "
				 "policy?)");
}

static void
unknown_names(void **state)
{
	struct policy p;
	char warn[512];
	const unsigned int vhid[] = {990};

	parse_ok(&p,
		 "allow-groups = vhid, nosuchgroup, input\n"
		 "allow-users = carol alice\n"
		 "admin-groups = staff\n",
		 warn, sizeof(warn));
	assert_int_equal(p.n_groups, 2);
	assert_string_equal(p.groups[0].name, "vhid");
	assert_string_equal(p.groups[1].name, "input");
	assert_int_equal(p.n_users, 1);
	assert_string_equal(p.users[0].name, "alice");
	assert_int_equal(p.n_admin_groups, 0);
	assert_non_null(strstr(warn, "line 1: group 'nosuchgroup' does not exist"));
	assert_non_null(strstr(warn, "line 2: user 'carol' does not exist"));
	assert_non_null(strstr(warn, "line 3: group 'staff' does not exist"));
	assert_null(strstr(warn, "'vhid'"));
	assert_null(strstr(warn, "alice"));
	assert_true(allows(&p, 1000, vhid, 1));

	/* no warning buffer: still loads */
	parse_ok(&p, "allow-groups = nosuchgroup vhid\n", NULL, 0);
	assert_int_equal(p.n_groups, 1);
	assert_int_equal(p.groups[0].id, 990);

	/* warnings from a previous parse do not stay */
	parse_ok(&p, "allow-groups = vhid\n", warn, sizeof(warn));
	assert_string_equal(warn, "");
}

static void
too_many_names(void **state)
{
	struct policy p;
	char text[512], err[256];
	size_t n;

	/* POLICY_MAX is fine */
	n = (size_t)snprintf(text, sizeof(text), "allow-users =");
	for (int i = 1; i <= POLICY_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " %d", 2000 + i);
	parse_ok(&p, text, NULL, 0);
	assert_int_equal(p.n_users, POLICY_MAX);
	assert_int_equal(p.users[POLICY_MAX - 1].id, 2000 + POLICY_MAX);

	/* one more is not */
	snprintf(text + n, sizeof(text) - n, ", 3000\n");
	parse_bad(text, err, sizeof(err));
	assert_non_null(strstr(err, "line 1:"));
	assert_non_null(strstr(err, "allow-users"));

	n = (size_t)snprintf(text, sizeof(text), "lease-ms = 200\nallow-groups =");
	for (int i = 0; i <= POLICY_MAX; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%svhid", i ? "," : " ");
	parse_bad(text, err, sizeof(err));
	assert_non_null(strstr(err, "line 2:"));

	/* a name too long for the field */
	parse_bad("admin-groups = abcdefghijklmnopqrstuvwxyz0123456\n", err, sizeof(err));
	assert_non_null(strstr(err, "line 1:"));
}

static void
describe(void **state)
{
	struct policy p;
	char buf[256];

	parse_ok(&p, "", NULL, 0);
	policy_describe(&p, buf, sizeof(buf));
	assert_string_equal(buf, "root");

	parse_ok(&p, "allow-groups = vhid input\nallow-users = alice\nadmin-groups = wheel\n", NULL,
		 0);
	policy_describe(&p, buf, sizeof(buf));
	assert_string_equal(buf,
			    "root, group 'vhid', group 'input', user 'alice'; admin group 'wheel'");

	/* cut, not overrun */
	memset(buf, 0x7f, sizeof(buf));
	policy_describe(&p, buf, 12);
	assert_string_equal(buf, "root, group");
	assert_int_equal(buf[12], 0x7f);
}

static void
load_missing(void **state)
{
	struct policy p;
	char err[256] = "";

	assert_int_equal(policy_load(&p, "/nonexistent-vhid-dir/vhidd.conf", &fake, err,
				     sizeof(err), NULL, 0),
			 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent-vhid-dir/vhidd.conf"));
}

static void
load_file(void **state)
{
	static const char text[] =
		"# test policy\nallow-groups = input\nallow-users = bob, nobody\n"
		"lease-ms = 1500\n";
	struct policy p;
	char path[] = "/tmp/vhid-test-policy-XXXXXX", err[256] = "", warn[256] = "";
	int fd = mkstemp(path), rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);
	close(fd);

	rc = policy_load(&p, path, &fake, err, sizeof(err), warn, sizeof(warn));
	if (rc != 0) {
		unlink(path);
		fail_msg("policy_load returned %d: %s", rc, err);
	}
	assert_string_equal(p.path, path);
	assert_int_equal(p.n_groups, 1);
	assert_int_equal(p.groups[0].id, 104);
	assert_int_equal(p.n_users, 1);
	assert_int_equal(p.users[0].id, 1001);
	assert_int_equal(p.lease_ms, 1500);
	assert_non_null(strstr(warn, "line 3: user 'nobody' does not exist"));

	/* a bad file: -EINVAL and the parse error */
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "lease-ms = 5\n", 13), 13);
	close(fd);
	rc = policy_load(&p, path, &fake, err, sizeof(err), NULL, 0);
	unlink(path);
	assert_int_equal(rc, -EINVAL);
	assert_non_null(strstr(err, "line 1: lease-ms"));
}

/* -c pointed at /etc/shadow once copied its first line into the log */
static void
errors_quote_no_file_contents(void **state)
{
	static const char *secrets[] = {
		"root:$y$j9T$Fg8.vYk1cEXAMPLEsalt$Hx3SOMEHASHvalue0123456789abcdefghij:19500:0:99999:7:::\n",
		"hunter2\n",
		"password=$y$j9T$Fg8.vYk1cEXAMPLEsalt\n",
		"lease-ms = $y$j9T$Fg8.vYk1cEXAMPLEsalt$Hx3SOMEHASH\n",
		"allow-users = alice\x1b]0;title\x07\n\nnope\n",
	};
	char err[512], warn[512];
	struct policy p;

	for (int i = 0; i < N(secrets); i++) {
		err[0] = warn[0] = '\0';
		assert_int_equal(
			policy_parse(&p, secrets[i], &fake, err, sizeof(err), warn, sizeof(warn)),
			-EINVAL);
		assert_null(strstr(err, "EXAMPLEsalt"));
		assert_null(strstr(err, "hunter2"));
		assert_null(strchr(err, '\x1b'));
		assert_null(strchr(warn, '\x1b'));
		assert_null(strchr(warn, '\x07'));
	}
	assert_non_null(strstr(err, "line 3:"));
	assert_non_null(strstr(warn, "\\x1b]0;title\\x07"));
}

static void
connection_limits(void **state)
{
	struct policy p;
	char err[256];

	parse_ok(&p, "", NULL, 0);
	assert_int_equal(p.max_connections, POLICY_DEFAULT_MAX_CONNECTIONS);
	assert_int_equal(p.handshake_timeout_ms, POLICY_DEFAULT_HANDSHAKE_MS);
	assert_int_equal(p.idle_timeout_ms, POLICY_DEFAULT_IDLE_MS);
	parse_ok(&p,
		 "max-connections-per-user = 0\nhandshake-timeout-ms = 100\n"
		 "idle-timeout-ms = 0\n",
		 NULL, 0);
	assert_int_equal(p.max_connections, 0);
	assert_int_equal(p.handshake_timeout_ms, 100);
	assert_int_equal(p.idle_timeout_ms, 0);
	parse_bad("max-connections-per-user = -1\n", err, sizeof(err));
	assert_string_equal(err, "line 1: max-connections-per-user must be 0..65536, got '-1'");
	parse_bad("handshake-timeout-ms = 0100\nx\n", err, sizeof(err)); /* decimal, not octal */
	assert_string_equal(err, "line 2: expected 'key = value', found no '=' (is this a vhidd "
				 "policy?)");
	parse_bad("handshake-timeout-ms = 99\n", err, sizeof(err));
	assert_non_null(strstr(err, "100..600000"));
}

/* the decision table of DESIGN.md "Identity" */
static void
identity_rules(void **state)
{
	struct policy p;
	char why[512], err[256];

	parse_ok(&p, "", NULL, 0);
	assert_true(policy_allows_identity(&p, 0x03, 0x16c0, 0x27db, NULL, "C", why, sizeof(why)));
	assert_true(policy_allows_identity(&p, 0x05, 0x1209, 0xabcd, NULL, "C", why, sizeof(why)));
	assert_true(policy_allows_identity(&p, 0x06, 0x1234, 0x5678, NULL, "C", why, sizeof(why)));
	assert_false(policy_allows_identity(&p, 0x11, 0x16c0, 0x27db, NULL, "C", why, sizeof(why)));
	assert_string_equal(why, "bus 0x11 (i8042) is not allowed: vhidd creates USB, Bluetooth "
				 "and virtual devices unless allow-buses in C lists more (an i8042 "
				 "keyboard passes for a laptop's built-in one)");
	assert_false(policy_allows_identity(&p, 0x18, 1, 2, NULL, "C", why, sizeof(why)));
	assert_non_null(strstr(why, "(i2c)"));
	assert_false(policy_allows_identity(&p, 0x42, 1, 2, NULL, "C", why, sizeof(why)));
	assert_non_null(strstr(why, "bus 0x42 is not allowed"));
	assert_false(policy_allows_identity(&p, 0x03, 0x05ac, 0x0250, "hid_apple", "C", why,
					    sizeof(why)));
	assert_string_equal(why, "05ac:0250 on bus 0x03 is claimed by the kernel driver hid_apple, "
				 "not hid-generic: a client may choose only IDs hid-generic binds, "
				 "unless allow-ids in C lists it");

	parse_ok(&p, "allow-buses = i8042, 0x18\nallow-ids = 05ac:0250 046D:*\n", NULL, 0);
	assert_true(policy_allows_identity(&p, 0x11, 0x16c0, 0x27db, NULL, "C", why, sizeof(why)));
	assert_true(policy_allows_identity(&p, 0x18, 1, 2, NULL, "C", why, sizeof(why)));
	assert_true(policy_allows_identity(&p, 0x03, 0x05ac, 0x0250, "hid_apple", "C", why,
					   sizeof(why)));
	assert_true(policy_allows_identity(&p, 0x03, 0x046d, 0xc52b, "hid_logitech_dj", "C", why,
					   sizeof(why)));
	assert_false(policy_allows_identity(&p, 0x03, 0x05ac, 0x0251, "hid_apple", "C", why,
					    sizeof(why)));
	/* allow-ids does not open a bus */
	assert_false(policy_allows_identity(&p, 0x19, 0x05ac, 0x0250, "hid_apple", "C", why,
					    sizeof(why)));

	parse_bad("allow-ids = 5ac-250\n", err, sizeof(err));
	assert_non_null(strstr(err, "vendor:product"));
	parse_bad("allow-buses = usb, parallel\n", err, sizeof(err));
	assert_non_null(strstr(err, "allow-buses"));
}

static int
write_temp(char *path, const void *text, size_t len, mode_t mode)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	fchmod(fd, mode);
	close(fd);
	return 0;
}

/* A NUL used to end the policy silently; a FIFO froze the daemon on SIGHUP. */
static void
load_refuses_nul_fifo_and_others(void **state)
{
	static const char nul[] = "lease-ms = 2000\n\nallow-users = alice\0allow-users = bob\n";
	char path[] = "/tmp/vhid-test-policy-XXXXXX", fifo[64], err[256] = "";
	struct policy p;

	write_temp(path, nul, sizeof(nul) - 1, 0644);
	assert_int_equal(policy_load(&p, path, &fake, err, sizeof(err), NULL, 0), -EINVAL);
	assert_string_equal(err, "line 3: a NUL byte: the policy is a text file");

	chmod(path, 0666);
	assert_int_equal(policy_load(&p, path, &fake, err, sizeof(err), NULL, 0), -EPERM);
	assert_non_null(strstr(err, "may be written by others"));
	unlink(path);

	snprintf(fifo, sizeof(fifo), "%s.fifo", path);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* returns at once: no writer is waited for */
	assert_int_equal(policy_load(&p, fifo, &fake, err, sizeof(err), NULL, 0), -EINVAL);
	unlink(fifo);
	assert_non_null(strstr(err, "is a FIFO, not a regular file"));
	assert_int_equal(policy_load(&p, "/tmp", &fake, err, sizeof(err), NULL, 0), -EINVAL);
	assert_non_null(strstr(err, "a directory"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(root_always),
		cmocka_unit_test(primary_and_supplementary),
		cmocka_unit_test(denied_messages),
		cmocka_unit_test(allow_users),
		cmocka_unit_test(admin_groups),
		cmocka_unit_test(lease_ms),
		cmocka_unit_test(comments_and_spaces),
		cmocka_unit_test(unknown_key),
		cmocka_unit_test(errors_quote_no_file_contents),
		cmocka_unit_test(connection_limits),
		cmocka_unit_test(identity_rules),
		cmocka_unit_test(load_refuses_nul_fifo_and_others),
		cmocka_unit_test(missing_equals),
		cmocka_unit_test(unknown_names),
		cmocka_unit_test(too_many_names),
		cmocka_unit_test(describe),
		cmocka_unit_test(load_missing),
		cmocka_unit_test(load_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
