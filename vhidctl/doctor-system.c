/*
 * doctor-system.c - doctor's checks of the installation (doctor-system.h).
 * 0.1.0's source install started a unit whose ExecStart did not exist, left
 * libvhid where no program found it until someone ran ldconfig, and put the
 * policy in /usr/local/etc while vhidd read /etc (issue 9): each check names
 * such a state and the command that ends it.
 */
#include "doctor-system.h"

#include <dlfcn.h>
#include <glob.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "vhid.h"

static void __attribute__((format(printf, 4, 5)))
found(struct finding *f, enum verdict v, const char *fix, const char *fmt, ...)
{
	va_list ap;

	f->verdict = v;
	snprintf(f->fix, sizeof(f->fix), "%s", fix ? fix : "");
	va_start(ap, fmt);
	vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
	va_end(ap);
}

/* ---- the units ----------------------------------------------------------------- */

static bool
is(const char *state, const char *want)
{
	return strcmp(state, want) == 0;
}

void
doctor_service(const struct service_state *s, const struct daemon_view *v, struct finding *f)
{
	const struct service_unit *sock = &s->socket, *svc = &s->service;
	char a[300], b[300];

	if (!s->systemd)
		return found(f, SKIP, NULL, "%s", s->why);
	service_describe(sock, a, sizeof(a));
	service_describe(svc, b, sizeof(b));
	if (!service_installed(sock) && !service_installed(svc)) {
		if (v->answers)
			return found(f, SKIP, NULL,
				     "no vhidd units; vhidd (pid %u) was started by hand", v->pid);
		return found(
			f, FAIL,
			"install the vhid package, or from the source tree: sudo meson install "
			"-C build",
			"vhidd.socket and vhidd.service are not installed");
	}
	if (is(svc->active, "failed") || is(svc->sub, "auto-restart"))
		return found(
			f, FAIL,
			"see why: journalctl -u vhidd.service (and the exec-start check); then: "
			"sudo systemctl reset-failed vhidd.socket vhidd.service && sudo "
			"systemctl restart vhidd.socket",
			"vhidd.service is %s", b);
	if (!is(sock->active, "active") && !(v->answers && v->pid != svc->main_pid))
		return found(
			f, FAIL,
			"sudo systemctl reset-failed vhidd.socket; sudo systemctl enable --now "
			"vhidd.socket",
			"vhidd.socket is %s: nothing starts vhidd when a program connects", a);
	if (v->answers && v->pid != svc->main_pid)
		return found(f, PASS, NULL,
			     "vhidd (pid %u) runs outside its units; vhidd.socket %s", v->pid, a);
	found(f, PASS, NULL, "vhidd.socket %s, vhidd.service %s", a, b);
}

/* A drop-in or a copy under /etc or /run overrides the packaged unit; revert removes it. */
static void
exec_start_fix(const struct service_unit *u, char *fix, size_t len)
{
	/* after a restart loop systemd refuses to start the units until reset-failed */
	const char *restart = "sudo systemctl reset-failed vhidd.socket vhidd.service; "
			      "sudo systemctl restart vhidd.socket vhidd.service";

	if (!strncmp(u->exec_source, "/etc/", 5) || !strncmp(u->exec_source, "/run/", 5))
		snprintf(fix, len,
			 "undo the override in %s: sudo systemctl revert vhidd.service && %s",
			 u->exec_source, restart);
	else if (access(VHID_SBINDIR "/vhidd", X_OK) == 0)
		snprintf(fix, len,
			 "install vhid again so that its unit starts its own vhidd (" VHID_SBINDIR
			 "/vhidd here): the package, or sudo meson install -C build; then: %s",
			 restart);
	else
		snprintf(fix, len,
			 "install vhid again (the package, or sudo meson install -C build); "
			 "then: %s",
			 restart);
}

void
doctor_exec_start(const struct service_state *s, struct finding *f)
{
	const struct service_unit *u = &s->service;
	char fix[600];

	if (!s->systemd || !service_installed(u))
		return found(f, SKIP, NULL, "%s", s->systemd ? "no vhidd.service" : s->why);
	if (!u->exec_path[0])
		return found(f, SKIP, NULL, "systemd did not say what vhidd.service runs");
	if (access(u->exec_path, X_OK) == 0)
		return found(f, PASS, NULL, "vhidd.service runs %s", u->exec_path);
	exec_start_fix(u, fix, sizeof(fix));
	found(f, FAIL, fix,
	      "vhidd.service runs %s (ExecStart in %s), which does not exist: systemd fails "
	      "it with 203/EXEC",
	      u->exec_path, u->exec_source[0] ? u->exec_source : "its unit");
}

/* ---- the library -------------------------------------------------------------- */

/* glibc's trusted directories on Debian (ld.so --help, "system search path") */
static const char *const system_dirs[] = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
					  "/lib", "/usr/lib"};

/* The whole file, NUL-terminated, in *buf; its size, or 0. */
static size_t
read_file(const char *path, char **buf)
{
	struct stat st;
	FILE *f = fopen(path, "re");
	size_t n = 0;

	*buf = NULL;
	if (f && fstat(fileno(f), &st) == 0 && st.st_size > 0 &&
	    (*buf = malloc((size_t)st.st_size + 1)))
		n = fread(*buf, 1, (size_t)st.st_size, f);
	if (*buf)
		(*buf)[n] = '\0';
	if (f)
		fclose(f);
	return n;
}

/* The path the loader's cache gives for soname, into path; false if none. Its string
 * table holds each library's full path, NUL-terminated. */
static bool
in_ld_cache(const char *soname, char *path, size_t len)
{
	char *buf, *p, *start;
	size_t n = read_file("/etc/ld.so.cache", &buf), want = strlen(soname) + 1;
	bool hit = false;

	for (p = buf; n && !hit && (p = memmem(p, n - (size_t)(p - buf), soname, want)); p++) {
		for (start = p; start > buf && start[-1]; start--)
			;
		if (start < p && p[-1] == '/' && *start == '/' && access(start, F_OK) == 0) {
			snprintf(path, len, "%s", start);
			hit = true;
		}
	}
	free(buf);
	return hit;
}

static bool
in_system_dir(const char *soname, char *path, size_t len)
{
	for (size_t i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++) {
		snprintf(path, len, "%s/%s", system_dirs[i], soname);
		if (access(path, F_OK) == 0)
			return true;
	}
	return false;
}

static bool
file_lists_dir(const char *file, const char *dir)
{
	char line[PATH_MAX], *tok, *save;
	FILE *f = fopen(file, "re");
	bool hit = false;

	while (f && !hit && fgets(line, sizeof(line), f))
		hit = (tok = strtok_r(line, " \t\n", &save)) && strcmp(tok, dir) == 0;
	if (f)
		fclose(f);
	return hit;
}

/* Whether /etc/ld.so.conf or ld.so.conf.d lists dir: then ldconfig alone puts it in the cache. */
static bool
in_ld_conf(const char *dir)
{
	glob_t g;
	bool hit = file_lists_dir("/etc/ld.so.conf", dir);

	if (glob("/etc/ld.so.conf.d/*.conf", 0, NULL, &g) != 0)
		return hit;
	for (size_t i = 0; i < g.gl_pathc && !hit; i++)
		hit = file_lists_dir(g.gl_pathv[i], dir);
	globfree(&g);
	return hit;
}

/* vhidctl next to ../libvhid/: a build tree, where its RUNPATH finds the library */
static bool
from_build_tree(const char *lib)
{
	char self[PATH_MAX] = "", copy[PATH_MAX];

	if (readlink("/proc/self/exe", self, sizeof(self) - 1) <= 0 || !strstr(lib, "/libvhid/"))
		return false;
	snprintf(copy, sizeof(copy), "%s", lib);
	return strcmp(dirname(dirname(self)), dirname(dirname(copy))) == 0;
}

void
doctor_library(struct finding *f)
{
	Dl_info info;
	char lib[PATH_MAX], dir[256], where[PATH_MAX], fix[600];
	const char *soname;

	if (!dladdr((void *)vhid_library_version, &info) || !info.dli_fname ||
	    !realpath(info.dli_fname, lib))
		return found(f, SKIP, NULL, "cannot tell which libvhid vhidctl uses");
	soname = strrchr(info.dli_fname, '/') ? strrchr(info.dli_fname, '/') + 1 : info.dli_fname;
	snprintf(where, sizeof(where), "%s", info.dli_fname);
	snprintf(dir, sizeof(dir), "%s", dirname(where));
	if (from_build_tree(lib))
		return found(f, SKIP, NULL, "vhidctl runs from a build tree (%s)", info.dli_fname);
	if (in_ld_cache(soname, where, sizeof(where)))
		return found(f, PASS, NULL, "programs find %s: the loader's cache names %s", soname,
			     where);
	if (in_system_dir(soname, where, sizeof(where)))
		return found(f, PASS, NULL, "programs find %s in a system directory: %s", soname,
			     where);
	if (in_ld_conf(dir))
		snprintf(fix, sizeof(fix), "sudo ldconfig");
	else
		snprintf(fix, sizeof(fix),
			 "echo %s | sudo tee /etc/ld.so.conf.d/vhid.conf && sudo ldconfig", dir);
	found(f, FAIL, fix,
	      "programs cannot find %s: it is in %s, which the loader's cache does not list "
	      "(vhidctl found it through LD_LIBRARY_PATH or its RUNPATH)",
	      soname, dir);
}

/* ---- the policy --------------------------------------------------------------- */

/* The file vhidd reads, even when it does not exist: its --config, else its prefix's
 * sysconfdir (meson: /etc for /usr), else this vhidctl's. */
static void
policy_path(const struct service_state *s, const struct daemon_view *v, char *path, size_t len)
{
	char exe[PATH_MAX], prefix[PATH_MAX];

	if (v->config && v->config[0])
		snprintf(path, len, "%s", v->config);
	else if (s->service.exec_config[0])
		snprintf(path, len, "%s", s->service.exec_config);
	else if (s->systemd && s->service.exec_path[0] == '/') {
		snprintf(exe, sizeof(exe), "%s", s->service.exec_path);
		snprintf(prefix, sizeof(prefix), "%s", dirname(dirname(exe)));
		snprintf(path, len, "%s/vhid/vhidd.conf",
			 strcmp(prefix, "/usr") == 0 ? "/etc" : strcat(prefix, "/etc"));
	} else
		snprintf(path, len, "%s", VHID_DEFAULT_CONFIG);
}

static bool
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return true;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

void
doctor_policy(const struct service_state *s, const struct daemon_view *v, struct finding *f)
{
	const char *const others[] = {VHID_DEFAULT_CONFIG, "/etc/vhid/vhidd.conf",
				      "/usr/local/etc/vhid/vhidd.conf"};
	const char *ignored = NULL;
	char reads[256], fix[1024];

	if (!v->answers)
		return found(f, SKIP, NULL, "vhidd is not reachable");
	policy_path(s, v, reads, sizeof(reads));
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]) && !ignored; i++)
		if (!same_file(others[i], reads) && access(others[i], F_OK) == 0)
			ignored = others[i];
	if (!ignored && v->config[0])
		return found(f, PASS, NULL, "vhidd reads %s", reads);
	if (!ignored)
		return found(f, PASS, NULL, "vhidd runs on its built-in defaults (there is no %s)",
			     reads);
	if (v->config[0]) {
		snprintf(fix, sizeof(fix),
			 "move what %s says into %s, then: sudo rm %s && sudo systemctl reload "
			 "vhidd",
			 ignored, reads, ignored);
		return found(f, FAIL, fix, "vhidd reads %s; %s exists too and vhidd never reads it",
			     reads, ignored);
	}
	snprintf(fix, sizeof(fix),
		 "sudo install -D -m 644 %s %s && sudo rm %s && sudo systemctl "
		 "reload vhidd",
		 ignored, reads, ignored);
	found(f, FAIL, fix,
	      "vhidd runs on its built-in defaults: it reads %s, which does not exist, and never "
	      "reads %s",
	      reads, ignored);
}

/* ---- the socket's group ----------------------------------------------------------- */

void
doctor_group_fix(const struct service_state *s, const char *socket, char *fix, size_t len)
{
	if (!getgrnam(VHID_DEFAULT_GROUP))
		snprintf(fix, len, "sudo groupadd --system %s, then: sudo systemctl restart vhidd",
			 VHID_DEFAULT_GROUP);
	else if (s->systemd && service_installed(&s->socket))
		snprintf(fix, len,
			 "sudo systemctl restart vhidd.socket vhidd.service (vhidd.socket makes "
			 "the socket group %s, mode 0660)",
			 VHID_DEFAULT_GROUP);
	else
		snprintf(fix, len, "sudo chgrp %s %s && sudo chmod 0660 %s", VHID_DEFAULT_GROUP,
			 socket, socket);
}
