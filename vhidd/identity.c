/* identity.c - see identity.h. */
#include "identity.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#define HID_GROUP_GENERIC 0x0001 /* what hid-core gives vhid's descriptors */

static int
add(struct identity_table *t, const char *pattern, const char *module)
{
	struct identity_alias *a;

	if (strncmp(pattern, "hid:", 4) != 0 || strcmp(module, "hid_generic") == 0 ||
	    strlen(pattern) >= sizeof(a->pattern) || strlen(module) >= sizeof(a->module))
		return 0;
	if (!(a = realloc(t->aliases, (t->n + 1) * sizeof(*a))))
		return -ENOMEM;
	t->aliases = a;
	a += t->n++;
	snprintf(a->pattern, sizeof(a->pattern), "%s", pattern);
	snprintf(a->module, sizeof(a->module), "%s", module);
	return 0;
}

/* "alias hid:b0003g*v000005ACp00000250 hid_apple" lines */
static int
read_alias_file(struct identity_table *t, const char *path)
{
	char line[512], pattern[256], module[128];
	FILE *f = fopen(path, "re");
	int r = 0;

	if (!f)
		return -errno;
	while (r == 0 && fgets(line, sizeof(line), f))
		if (sscanf(line, "alias %255s %127s", pattern, module) == 2)
			r = add(t, pattern, module);
	fclose(f);
	return r;
}

/* built-in drivers: NUL-separated "hid_apple.alias=hid:..." records */
static int
read_builtin_file(struct identity_table *t, const char *path)
{
	char *rec = NULL, module[128];
	size_t cap = 0;
	ssize_t n;
	FILE *f = fopen(path, "re");
	int r = 0;

	if (!f)
		return -errno;
	while (r == 0 && (n = getdelim(&rec, &cap, '\0', f)) > 0) {
		const char *dot = strchr(rec, '.');
		if (!dot || strncmp(dot, ".alias=", 7) != 0 ||
		    (size_t)(dot - rec) >= sizeof(module))
			continue;
		snprintf(module, sizeof(module), "%.*s", (int)(dot - rec), rec);
		r = add(t, dot + 7, module);
	}
	free(rec);
	fclose(f);
	return r;
}

void
identity_free(struct identity_table *t)
{
	free(t->aliases);
	*t = (struct identity_table){0};
}

/* Read dir/modules.alias and dir/modules.builtin.modinfo (either may be
 * missing). Returns the number of special-driver aliases, or -ENOENT when
 * neither file could be read. The previous table is replaced. */
static int
identity_load(struct identity_table *t, const char *dir)
{
	char path[512];
	int a, b;

	identity_free(t);
	snprintf(path, sizeof(path), "%s/modules.alias", dir);
	a = read_alias_file(t, path);
	snprintf(path, sizeof(path), "%s/modules.builtin.modinfo", dir);
	b = read_builtin_file(t, path);
	if (a == -ENOMEM || b == -ENOMEM) {
		identity_free(t);
		return -ENOMEM;
	}
	t->loaded = a == 0 || b == 0;
	return t->loaded ? (int)t->n : -ENOENT;
}

int
identity_load_running(struct identity_table *t)
{
	struct utsname u;
	char dir[300];

	if (uname(&u) < 0)
		return -errno;
	snprintf(dir, sizeof(dir), "/lib/modules/%s", u.release);
	return identity_load(t, dir);
}

const char *
identity_driver(const struct identity_table *t, unsigned int bus, unsigned int vendor,
		unsigned int product)
{
	char modalias[64];

	if (!t->loaded)
		return vendor == 0x16c0 && product >= 0x27d9 && product <= 0x27db
			       ? NULL
			       : "unknown (no modules.alias for the running kernel)";
	/* the kernel's own format (hid-core's modalias), upper-case hex */
	snprintf(modalias, sizeof(modalias), "hid:b%04Xg%04Xv%08Xp%08X", bus, HID_GROUP_GENERIC,
		 vendor, product);
	for (size_t i = 0; i < t->n; i++)
		if (fnmatch(t->aliases[i].pattern, modalias, 0) == 0)
			return t->aliases[i].module;
	return NULL;
}
