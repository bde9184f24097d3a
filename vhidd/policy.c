/* policy.c - see policy.h. */
#include "policy.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
system_group(const char *name, unsigned int *gid)
{
	struct group g, *res = NULL;
	char buf[4096];

	if (getgrnam_r(name, &g, buf, sizeof(buf), &res) != 0 || !res)
		return -1;
	*gid = (unsigned int)g.gr_gid;
	return 0;
}

static int
system_user(const char *name, unsigned int *uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return -1;
	*uid = (unsigned int)pw.pw_uid;
	return 0;
}

const struct policy_resolver policy_system_resolver = {system_group, system_user};

static void
append(char *buf, size_t len, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (!buf || (n = strlen(buf)) >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* A name or a decimal id; numbers need no resolver. */
static int
resolve(const char *name, int (*fn)(const char *, unsigned int *), unsigned int *id)
{
	char *end;
	unsigned long long v;

	if (*name >= '0' && *name <= '9') {
		errno = 0;
		v = strtoull(name, &end, 10);
		if (*end == '\0') {
			/* an id that does not fit would silently alias another one */
			if (errno || v > UINT_MAX)
				return -1;
			*id = (unsigned int)v;
			return 0;
		}
	}
	return fn(name, id);
}

void
policy_default(struct policy *p, const char *group, const struct policy_resolver *r)
{
	memset(p, 0, sizeof(*p));
	p->lease_ms = POLICY_DEFAULT_LEASE_MS;
	if (group && *group && resolve(group, r->group, &p->groups[0].id) == 0) {
		snprintf(p->groups[0].name, POLICY_NAME, "%s", group);
		p->n_groups = 1;
	}
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
parse_list(struct policy_id *list, int *n, char *value, int (*fn)(const char *, unsigned int *),
	   const char *what, int line, char *warn, size_t warnlen)
{
	char *save = NULL;

	*n = 0;
	for (char *tok = strtok_r(value, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		unsigned int id;

		if (strlen(tok) >= POLICY_NAME)
			return -ENAMETOOLONG;
		if (resolve(tok, fn, &id) < 0) {
			append(warn, warnlen, "line %d: %s '%s' does not exist; ignored. ", line,
			       what, tok);
			continue;
		}
		if (*n == POLICY_MAX)
			return -E2BIG;
		list[*n].id = id;
		snprintf(list[*n].name, POLICY_NAME, "%s", tok);
		(*n)++;
	}
	return 0;
}

int
policy_parse(struct policy *p, const char *text, const struct policy_resolver *r, char *err,
	     size_t errlen, char *warn, size_t warnlen)
{
	char *copy = strdup(text);
	int line = 0, rc = 0;

	if (!copy)
		return -ENOMEM;
	if (warn && warnlen)
		warn[0] = '\0';
	memset(p, 0, sizeof(*p));
	p->lease_ms = POLICY_DEFAULT_LEASE_MS;
	/* strtok_r would skip empty lines and break the line count; split by hand */
	for (char *l = copy; l && rc == 0; line++) {
		char *next = strchr(l, '\n'), *key, *value, *eq;
		if (next)
			*next++ = '\0';
		char *comment = strchr(l, '#');
		if (comment)
			*comment = '\0';
		key = trim(l);
		l = next;
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			snprintf(err, errlen, "line %d: expected 'key = value', got '%s'", line + 1,
				 key);
			rc = -EINVAL;
			break;
		}
		*eq = '\0';
		value = trim(eq + 1);
		key = trim(key);
		if (strcmp(key, "allow-users") == 0)
			rc = parse_list(p->users, &p->n_users, value, r->user, "user", line + 1,
					warn, warnlen);
		else if (strcmp(key, "allow-groups") == 0)
			rc = parse_list(p->groups, &p->n_groups, value, r->group, "group", line + 1,
					warn, warnlen);
		else if (strcmp(key, "admin-groups") == 0)
			rc = parse_list(p->admin_groups, &p->n_admin_groups, value, r->group,
					"group", line + 1, warn, warnlen);
		else if (strcmp(key, "lease-ms") == 0) {
			char *end;
			unsigned long v = strtoul(value, &end, 10);
			if (*end || v < 100 || v > 600000) {
				snprintf(err, errlen,
					 "line %d: lease-ms must be 100..600000, got '%s'",
					 line + 1, value);
				rc = -EINVAL;
			}
			p->lease_ms = (unsigned int)v;
		} else {
			snprintf(
				err, errlen,
				"line %d: unknown key '%s' (known: allow-users, allow-groups, admin-groups, lease-ms)",
				line + 1, key);
			rc = -EINVAL;
		}
		if (rc < 0 && rc != -EINVAL)
			snprintf(err, errlen,
				 "line %d: %s: too many or too long names (at most %d of %d bytes)",
				 line + 1, key, POLICY_MAX, POLICY_NAME - 1);
		if (rc < 0)
			rc = -EINVAL;
	}
	free(copy);
	return rc;
}

int
policy_load(struct policy *p, const char *path, const struct policy_resolver *r, char *err,
	    size_t errlen, char *warn, size_t warnlen)
{
	FILE *f = fopen(path, "re");
	char text[16384];
	size_t n;
	int rc;

	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -errno;
	}
	n = fread(text, 1, sizeof(text), f);
	fclose(f);
	if (n == sizeof(text)) {
		/* a policy is a few lines; silently parsing half of one would be worse */
		snprintf(err, errlen, "%s is larger than %zu bytes", path, sizeof(text) - 1);
		return -EFBIG;
	}
	text[n] = '\0';
	rc = policy_parse(p, text, r, err, errlen, warn, warnlen);
	snprintf(p->path, sizeof(p->path), "%s", path);
	return rc;
}

static bool
in_list(const struct policy_id *list, int n, unsigned int id)
{
	for (int i = 0; i < n; i++)
		if (list[i].id == id)
			return true;
	return false;
}

static bool
any_group(const struct policy_id *list, int n, const unsigned int *groups, int ngroups)
{
	for (int i = 0; i < ngroups; i++)
		if (in_list(list, n, groups[i]))
			return true;
	return false;
}

bool
policy_allows(const struct policy *p, unsigned int uid, const unsigned int *groups, int n,
	      char *why, size_t whylen)
{
	if (uid == 0 || in_list(p->users, p->n_users, uid) ||
	    any_group(p->groups, p->n_groups, groups, n))
		return true;
	if (!why || !whylen)
		return false;
	snprintf(why, whylen, "permission denied: uid %u is not", uid);
	if (p->n_groups == 0)
		append(why, whylen, " root, and no group is allowed");
	for (int i = 0; i < p->n_groups; i++)
		append(why, whylen, "%s group '%s'", i == 0 ? " in" : " or", p->groups[i].name);
	if (p->n_users) {
		append(why, whylen, " and not one of the allowed users (");
		for (int i = 0; i < p->n_users; i++)
			append(why, whylen, "%s%s", i ? ", " : "", p->users[i].name);
		append(why, whylen, ")");
	}
	append(why, whylen, " (see vhidctl doctor)");
	return false;
}

bool
policy_is_admin(const struct policy *p, unsigned int uid, const unsigned int *groups, int n)
{
	return uid == 0 || any_group(p->admin_groups, p->n_admin_groups, groups, n);
}

void
policy_describe(const struct policy *p, char *buf, size_t len)
{
	snprintf(buf, len, "root");
	for (int i = 0; i < p->n_groups; i++)
		append(buf, len, ", group '%s'", p->groups[i].name);
	for (int i = 0; i < p->n_users; i++)
		append(buf, len, ", user '%s'", p->users[i].name);
	for (int i = 0; i < p->n_admin_groups; i++)
		append(buf, len, "; admin group '%s'", p->admin_groups[i].name);
}
