/*
 * fuzz-policy.c - the policy parser, policy_parse(), on arbitrary text with a
 * resolver that knows a few users and groups; then the decisions and the
 * description of what it parsed. Oracles: it never accepts more entries than it
 * holds, and its error and warning texts are terminated and free of control
 * bytes (they go to the log and may quote the file: escape_text()d, or nothing).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct name {
	const char *name;
	unsigned int id;
};

static int
lookup(const struct name *t, const char *name, unsigned int *id)
{
	for (; t->name; t++) {
		if (strcmp(t->name, name) == 0) {
			*id = t->id;
			return 0;
		}
	}
	return -1;
}

static int
group(const char *name, unsigned int *gid)
{
	static const struct name t[] = {{"vhid", 990}, {"wheel", 10}, {"input", 104}, {NULL, 0}};

	return lookup(t, name, gid);
}

static int
user(const char *name, unsigned int *uid)
{
	static const struct name t[] = {{"root", 0}, {"alice", 1000}, {"kanata", 998}, {NULL, 0}};

	return lookup(t, name, uid);
}

static const struct policy_resolver resolver = {group, user};

static void
check_text(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	FUZZ_ASSERT(n < size);
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

static void
decide(const struct policy *p)
{
	static const unsigned int groups[] = {990, 10, 104, 1000, 4242};
	static const unsigned int buses[] = {0x03, 0x05, 0x06, 0x11, 0x18, 0, 0xffff};
	char why[300], desc[512];

	FUZZ_ASSERT(p->n_users <= POLICY_MAX && p->n_groups <= POLICY_MAX);
	FUZZ_ASSERT(p->n_admin_groups <= POLICY_MAX && p->n_buses <= POLICY_MAX);
	FUZZ_ASSERT(p->n_ids <= POLICY_MAX);
	for (int i = 0; i < 5; i++) {
		if (!policy_allows(p, 1000 + (unsigned)i, groups + i, 5 - i, why, sizeof(why)))
			check_text(why, sizeof(why));
		policy_is_admin(p, 1000, groups + i, 5 - i);
	}
	for (size_t i = 0; i < sizeof(buses) / sizeof(buses[0]); i++) {
		if (!policy_allows_identity(p, buses[i], 0x05ac, 0x0250, i & 1 ? "hid_apple" : NULL,
					    "/etc/vhid/vhidd.conf", why, sizeof(why)))
			check_text(why, sizeof(why));
		policy_bus_name(buses[i]);
	}
	policy_describe(p, desc, sizeof(desc));
	check_text(desc, sizeof(desc));
	policy_describe(p, desc, 7); /* a short buffer is cut, not overrun */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[256], warn[512];
	struct policy p;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0'; /* policy_load() refuses NUL bytes; the parser sees the first line */
	policy_default(&p, "vhid", &resolver);
	err[0] = '\0';
	if (policy_parse(&p, text, &resolver, err, sizeof(err), warn, sizeof(warn)) < 0) {
		FUZZ_ASSERT(err[0]);
		check_text(err, sizeof(err));
	} else {
		check_text(warn, sizeof(warn));
		decide(&p);
	}
	free(text);
	return 0;
}
