/* policy.c - see policy.h. */
#include "policy.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"

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

static void append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

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

static void
set_defaults(struct policy *p)
{
	memset(p, 0, sizeof(*p));
	p->lease_ms = POLICY_DEFAULT_LEASE_MS;
	p->max_connections = POLICY_DEFAULT_MAX_CONNECTIONS;
	p->handshake_timeout_ms = POLICY_DEFAULT_HANDSHAKE_MS;
	p->idle_timeout_ms = POLICY_DEFAULT_IDLE_MS;
	p->keep_ms = POLICY_DEFAULT_KEEP_MS;
	p->standby_keyboard = true;
}

void
policy_default(struct policy *p, const char *group, const struct policy_resolver *r)
{
	set_defaults(p);
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

/*
 * A token of the file as an error message may quote it: short, escaped, or not
 * at all. Pointed at /etc/shadow, vhidd once logged its first line.
 */
static const char *
excerpt(char *buf, size_t len, const char *tok)
{
	size_t n = strlen(tok);

	if (n > 24) {
		snprintf(buf, len, "a %zu-byte value (not shown)", n);
		return buf;
	}
	buf[0] = '\'';
	escape_text(buf + 1, len - 2, tok, n, ESCAPE_BACKSLASH);
	strcat(buf, "'");
	return buf;
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
			char q[120];
			append(warn, warnlen, "line %d: %s %s does not exist; ignored. ", line,
			       what, excerpt(q, sizeof(q), tok));
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

static const struct {
	const char *name;
	unsigned int bus;
} bus_names[] = {{"usb", 0x03},  {"bluetooth", 0x05}, {"virtual", 0x06}, {"i8042", 0x11},
		 {"host", 0x19}, {"i2c", 0x18},       {"spi", 0x1c},     {"rmi", 0x1d}};

const char *
policy_bus_name(unsigned int bus)
{
	for (size_t i = 0; i < sizeof(bus_names) / sizeof(bus_names[0]); i++)
		if (bus_names[i].bus == bus)
			return bus_names[i].name;
	return NULL;
}

static int
parse_number(const char *value, int base, unsigned long min, unsigned long max, unsigned int *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)*value))
		return -1;
	errno = 0;
	v = strtoul(value, &end, base);
	if (*end || errno || v < min || v > max)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

int
policy_parse_yes_no(const char *value, bool *out)
{
	if (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0) {
		*out = value[0] == 'y';
		return 0;
	}
	return -EINVAL;
}

static int
parse_buses(struct policy *p, char *value)
{
	char *save = NULL;

	p->n_buses = 0;
	for (char *t = strtok_r(value, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
		unsigned int bus = 0;
		bool named = false;

		for (size_t i = 0; i < sizeof(bus_names) / sizeof(bus_names[0]) && !named; i++)
			if ((named = strcmp(t, bus_names[i].name) == 0))
				bus = bus_names[i].bus;
		if ((!named && parse_number(t, 0, 1, 0xffff, &bus) < 0) || p->n_buses == POLICY_MAX)
			return -1;
		p->buses[p->n_buses++] = bus;
	}
	return 0;
}

static int
parse_ids(struct policy *p, char *value)
{
	char *save = NULL;

	p->n_ids = 0;
	for (char *t = strtok_r(value, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
		unsigned int vendor, product;
		int n = 0;

		if (p->n_ids == POLICY_MAX)
			return -1;
		if (sscanf(t, "%4x:*%n", &vendor, &n) == 1 && n == 6 && !t[n])
			p->ids[p->n_ids++] = (struct policy_hid_id){vendor, -1};
		else if (sscanf(t, "%4x:%4x%n", &vendor, &product, &n) == 2 && n == 9 && !t[n])
			p->ids[p->n_ids++] = (struct policy_hid_id){vendor, (int)product};
		else
			return -1;
	}
	return 0;
}

/* One "key = value"; 0, -EINVAL with err set, or another -errno for a list. */
static int
parse_key(struct policy *p, const char *key, char *value, const struct policy_resolver *r, int line,
	  char *err, size_t errlen, char *warn, size_t warnlen)
{
	static const struct {
		const char *key;
		unsigned long min, max;
		size_t offset;
	} numbers[] = {
		{"lease-ms", 100, 600000, offsetof(struct policy, lease_ms)},
		{"max-connections-per-user", 0, 65536, offsetof(struct policy, max_connections)},
		{"handshake-timeout-ms", 100, 600000,
		 offsetof(struct policy, handshake_timeout_ms)},
		{"idle-timeout-ms", 0, 86400000, offsetof(struct policy, idle_timeout_ms)},
		{"keep-ms", 0, 60000, offsetof(struct policy, keep_ms)},
	};
	char q[120];

	if (strcmp(key, "allow-users") == 0)
		return parse_list(p->users, &p->n_users, value, r->user, "user", line, warn,
				  warnlen);
	if (strcmp(key, "allow-groups") == 0)
		return parse_list(p->groups, &p->n_groups, value, r->group, "group", line, warn,
				  warnlen);
	if (strcmp(key, "admin-groups") == 0)
		return parse_list(p->admin_groups, &p->n_admin_groups, value, r->group, "group",
				  line, warn, warnlen);
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		if (strcmp(key, numbers[i].key) != 0)
			continue;
		if (parse_number(value, 10, numbers[i].min, numbers[i].max,
				 (unsigned int *)((char *)p + numbers[i].offset)) == 0)
			return 0;
		snprintf(err, errlen, "line %d: %s must be %lu..%lu, got %s", line, key,
			 numbers[i].min, numbers[i].max, excerpt(q, sizeof(q), value));
		return -EINVAL;
	}
	if (strcmp(key, "standby-keyboard") == 0) {
		if (policy_parse_yes_no(value, &p->standby_keyboard) == 0)
			return 0;
		snprintf(err, errlen, "line %d: %s must be yes or no, got %s", line, key,
			 excerpt(q, sizeof(q), value));
		return -EINVAL;
	}
	if (strcmp(key, "allow-buses") == 0 && parse_buses(p, value) == 0)
		return 0;
	if (strcmp(key, "allow-ids") == 0 && parse_ids(p, value) == 0)
		return 0;
	if (strcmp(key, "allow-buses") == 0 || strcmp(key, "allow-ids") == 0) {
		snprintf(err, errlen, "line %d: %s takes at most %d %s", line, key, POLICY_MAX,
			 key[6] == 'b'
				 ? "bus names (usb, bluetooth, virtual, i8042, i2c, host, "
				   "spi, rmi) or numbers"
				 : "IDs written vendor:product in hex, e.g. 05ac:0250 or 05ac:*");
		return -EINVAL;
	}
	snprintf(
		err, errlen,
		"line %d: unknown key %s (known: allow-users, allow-groups, admin-groups, "
		"lease-ms, max-connections-per-user, handshake-timeout-ms, idle-timeout-ms, keep-ms, "
		"standby-keyboard, allow-buses, allow-ids)",
		line, excerpt(q, sizeof(q), key));
	return -EINVAL;
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
	set_defaults(p);
	/* strtok_r would skip empty lines and break the line count; split by hand */
	for (char *l = copy; l && rc == 0; line++) {
		char *next = strchr(l, '\n'), *key, *eq;
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
			/* no quote of the line: it may be any file's, a password's */
			snprintf(err, errlen,
				 "line %d: expected 'key = value', found no '=' (is this a vhidd "
				 "policy?)",
				 line + 1);
			rc = -EINVAL;
			break;
		}
		*eq = '\0';
		key = trim(key);
		rc = parse_key(p, key, trim(eq + 1), r, line + 1, err, errlen, warn, warnlen);
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

static const char *
file_kind(mode_t m)
{
	return S_ISFIFO(m)                ? "a FIFO"
	       : S_ISDIR(m)               ? "a directory"
	       : S_ISSOCK(m)              ? "a socket"
	       : S_ISCHR(m) || S_ISBLK(m) ? "a device"
					  : "not a regular file";
}

/* Refuse what would block, lie or let someone else write the policy. */
static int
check_file(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot stat %s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is %s, not a regular file: refused", path,
			 file_kind(st.st_mode));
		return -EINVAL;
	}
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022)) {
		snprintf(err, errlen,
			 "%s may be written by others (owner uid %u, mode %04o): refused; make it "
			 "root's and not group- or world-writable",
			 path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	if (st.st_size >= POLICY_MAX_FILE) {
		/* a policy is a few lines; silently parsing half of one would be worse */
		snprintf(err, errlen, "%s is larger than %d bytes", path, POLICY_MAX_FILE - 1);
		return -EFBIG;
	}
	return 0;
}

static int
read_all(int fd, char *text, size_t cap, size_t *n)
{
	ssize_t r;

	*n = 0;
	while (*n < cap && (r = read(fd, text + *n, cap - *n)) != 0) {
		if (r < 0 && errno != EINTR)
			return -errno;
		*n += r > 0 ? (size_t)r : 0;
	}
	return 0;
}

int
policy_load(struct policy *p, const char *path, const struct policy_resolver *r, char *err,
	    size_t errlen, char *warn, size_t warnlen)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), rc;
	char text[POLICY_MAX_FILE];
	const char *nul;
	size_t n = 0;

	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(-rc));
		return rc;
	}
	if ((rc = check_file(fd, path, err, errlen)) == 0 &&
	    (rc = read_all(fd, text, sizeof(text) - 1, &n)) < 0)
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(-rc));
	close(fd);
	if (rc < 0)
		return rc;
	if (n == sizeof(text) - 1) {
		snprintf(err, errlen, "%s is larger than %zu bytes", path, sizeof(text) - 2);
		return -EFBIG;
	}
	if ((nul = memchr(text, '\0', n))) {
		int line = 1;
		for (const char *c = text; c < nul; c++)
			line += *c == '\n';
		snprintf(err, errlen, "line %d: a NUL byte: the policy is a text file", line);
		return -EINVAL;
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

static bool
id_allowed(const struct policy *p, unsigned int vendor, unsigned int product)
{
	for (int i = 0; i < p->n_ids; i++)
		if (p->ids[i].vendor == vendor &&
		    (p->ids[i].product < 0 || (unsigned int)p->ids[i].product == product))
			return true;
	return false;
}

bool
policy_allows_identity(const struct policy *p, unsigned int bus, unsigned int vendor,
		       unsigned int product, const char *driver, const char *config, char *why,
		       size_t whylen)
{
	const char *name = policy_bus_name(bus);
	bool bus_ok = bus == 0x03 || bus == 0x05 || bus == 0x06;

	for (int i = 0; i < p->n_buses && !bus_ok; i++)
		bus_ok = p->buses[i] == bus;
	if (!bus_ok) {
		snprintf(
			why, whylen,
			"bus 0x%02x%s%s%s is not allowed: vhidd creates USB, Bluetooth and virtual "
			"devices unless allow-buses in %s lists more (an i8042 keyboard passes "
			"for a laptop's built-in one)",
			bus, name ? " (" : "", name ? name : "", name ? ")" : "", config);
		return false;
	}
	if (driver && !id_allowed(p, vendor, product)) {
		snprintf(why, whylen,
			 "%04x:%04x on bus 0x%02x is claimed by the kernel driver %s, not "
			 "hid-generic: a client may choose only IDs hid-generic binds, unless "
			 "allow-ids in %s lists it",
			 vendor, product, bus, driver, config);
		return false;
	}
	return true;
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
