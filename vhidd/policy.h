/*
 * policy.h - who may use vhidd. Root always may; beyond that, the users and
 * groups listed in /etc/vhid/vhidd.conf (default: group "vhid"). Parsing and
 * decisions are pure; name lookups go through a resolver so tests need no
 * /etc/group.
 */
#ifndef VHIDD_POLICY_H
#define VHIDD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define POLICY_MAX 16
#define POLICY_NAME 32

struct policy_id {
	unsigned int id;
	char name[POLICY_NAME];
};

/* A vendor:product an administrator allows although a special driver claims it. */
struct policy_hid_id {
	unsigned int vendor;
	int product; /* -1: any product of the vendor */
};

struct policy {
	struct policy_id users[POLICY_MAX];
	int n_users;
	struct policy_id groups[POLICY_MAX];
	int n_groups;
	struct policy_id admin_groups[POLICY_MAX];
	int n_admin_groups;
	unsigned int lease_ms;
	unsigned int max_connections;      /* per user other than root; 0: no limit */
	unsigned int handshake_timeout_ms; /* connect to HELLO */
	unsigned int idle_timeout_ms;      /* without a device and without a frame; 0: never */
	unsigned int keep_ms;  /* a released device with readers waits this long for its owner */
	bool standby_keyboard; /* keep a keyboard made for the next client (DESIGN §9) */
	unsigned int buses[POLICY_MAX]; /* allowed beyond USB, Bluetooth and virtual */
	int n_buses;
	struct policy_hid_id ids[POLICY_MAX];
	int n_ids;
	char path[256]; /* where it was loaded from, "" for the defaults */
};

struct policy_resolver {
	/* 0 and the id, or -1 when the name does not exist */
	int (*group)(const char *name, unsigned int *gid);
	int (*user)(const char *name, unsigned int *uid);
};

/* The system's resolver (getgrnam_r / getpwnam_r). */
extern const struct policy_resolver policy_system_resolver;

#define POLICY_DEFAULT_LEASE_MS 3000
#define POLICY_DEFAULT_MAX_CONNECTIONS 32
#define POLICY_DEFAULT_HANDSHAKE_MS 5000
#define POLICY_DEFAULT_IDLE_MS 60000
#define POLICY_DEFAULT_KEEP_MS 3000
#define POLICY_MAX_FILE 16384

/* Root, plus group `group` (if it resolves), lease 3 s. */
void policy_default(struct policy *p, const char *group, const struct policy_resolver *r);

/*
 * Parse "key = value" lines ('#' comments). Keys: allow-users, allow-groups,
 * admin-groups (comma or space separated names or numbers), lease-ms,
 * max-connections-per-user, handshake-timeout-ms, idle-timeout-ms,
 * allow-buses (names or numbers), allow-ids (VVVV:PPPP or VVVV:*).
 * Returns 0, or -EINVAL with "LINE: problem" in err; err quotes at most a
 * short escaped token of the text, never a whole line. Names that do not
 * exist are dropped with a note in warn (may be NULL).
 */
int policy_parse(struct policy *p, const char *text, const struct policy_resolver *r, char *err,
		 size_t errlen, char *warn, size_t warnlen);

/* Read and parse a file. -ENOENT when it does not exist (use the defaults).
 * Only a regular file of root's (or this process's) that nobody else may write,
 * at most POLICY_MAX_FILE bytes, without NUL bytes: a FIFO would block the
 * daemon, a truncated policy would silently allow or deny the wrong callers. */
int policy_load(struct policy *p, const char *path, const struct policy_resolver *r, char *err,
		size_t errlen, char *warn, size_t warnlen);

/*
 * May a caller with these credentials connect? groups holds all its groups
 * (the primary one included). On refusal, why receives the message for the
 * caller, e.g. "permission denied: uid 1000 is not in group 'vhid' (see
 * vhidctl doctor)".
 */
bool policy_allows(const struct policy *p, unsigned int uid, const unsigned int *groups, int n,
		   char *why, size_t whylen);

/* Root or a member of an admin group (may act on other clients' devices). */
bool policy_is_admin(const struct policy *p, unsigned int uid, const unsigned int *groups, int n);

/*
 * May a client create a device with this bus and IDs (DESIGN.md "Identity")?
 * driver is the special kernel driver its modalias would bind (NULL: only
 * hid-generic). The bus must be USB, Bluetooth, virtual or in allow-buses; a
 * special driver needs the ID in allow-ids. On refusal why names the rule and
 * the key in config.
 */
bool policy_allows_identity(const struct policy *p, unsigned int bus, unsigned int vendor,
			    unsigned int product, const char *driver, const char *config, char *why,
			    size_t whylen);

/* "usb", "bluetooth", "virtual", "i8042", ... or NULL. */
const char *policy_bus_name(unsigned int bus);

/* "root, group 'vhid', user 'kanata'" */
void policy_describe(const struct policy *p, char *buf, size_t len);

/* "yes" or "no" (standby-keyboard, vhidd --standby-keyboard): 0, or -EINVAL. */
int policy_parse_yes_no(const char *value, bool *out);

#endif
