/*
 * cmd-doctor.c - `vhidctl doctor`: check, in the order a user would have to fix
 * them, everything vhid needs, from the kernel to a device actually appearing.
 * Every problem comes with the exact command that fixes it; a check that
 * cannot run because an earlier one failed says so instead of guessing.
 *
 * Output: one line per check, "PASS name: detail", "FAIL name: problem" plus
 * "  fix: command", or "SKIP name: why", then "N checks passed, M failed".
 * Checks, in order: kernel, uhid-node, service, exec-start, daemon, socket,
 * access, versions, single-daemon, readers, library, policy, device (the
 * installation's checks are in doctor-system.c).
 *
 * It talks to vhidd only through libvhid; it only lstat()s the socket, to tell
 * "no socket" from a stale one.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "doctor-system.h"
#include "groups.h"
#include "vhidctl.h"

#define MAX_PIDS 16

struct doctor {
	const char *socket;
	struct vhid_client *client; /* connected, or NULL */
	int error;                  /* vhid_client_connect()'s result */
	char message[512];          /* libvhid's explanation of error */
	struct stat sock_st;
	int sock_errno;             /* of lstat(socket): 0, ENOENT, EACCES, ... */
	char group[64];             /* the daemon's socket group, or the socket's own */
	unsigned int daemon_pid;    /* 0 unless vhidd answered */
	int pids[MAX_PIDS], n_pids; /* every running vhidd */
	bool has_uhid, has_node;
	int has_readers;  /* -1 unknown (no answer, or a 0.1 daemon) */
	char config[256]; /* the policy vhidd read ("" = defaults) */
	struct service_state svc;
	int passed, failed;
};

static void __attribute__((format(printf, 5, 6)))
report(struct doctor *d, enum verdict v, const char *check, const char *fix, const char *fmt, ...)
{
	static const char *const words[] = {"PASS", "FAIL", "SKIP"};
	va_list ap;

	printf("%s %s: ", words[v], check);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (v == FAIL)
		printf("  fix: %s\n", fix);
	d->passed += v == PASS;
	d->failed += v == FAIL;
	fflush(stdout);
}

/* ---- what the checks look at ------------------------------------------------- */

static bool
is_zombie(int pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	bool z = false;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (!(f = fopen(path, "re")))
		return true; /* gone meanwhile */
	/* "PID (comm) S ...": the state follows the last ')' */
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')))
		z = p[1] == ' ' && p[2] == 'Z';
	fclose(f);
	return z;
}

static void
find_daemons(struct doctor *d)
{
	struct dirent *e;
	DIR *dir = opendir("/proc");
	char path[300], comm[32];
	FILE *f;

	while (dir && (e = readdir(dir)) && d->n_pids < MAX_PIDS) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		if (!(f = fopen(path, "re")))
			continue;
		if (fgets(comm, sizeof(comm), f) && strcmp(comm, "vhidd\n") == 0 &&
		    !is_zombie(atoi(e->d_name)))
			d->pids[d->n_pids++] = atoi(e->d_name);
		fclose(f);
	}
	if (dir)
		closedir(dir);
}

static void
on_daemon(const struct vhid_status_daemon *s, void *data)
{
	struct doctor *d = data;

	snprintf(d->group, sizeof(d->group), "%s", s->socket_group);
	snprintf(d->config, sizeof(d->config), "%s", s->config);
	d->daemon_pid = s->pid;
	d->has_readers = s->daemon_version >= 200 ? s->has_readers : -1; /* 0.1 did not say */
}

/*
 * The group the socket should have: vhidd's word for it, else the socket's
 * own, else (when this user cannot look inside) its directory's.
 */
static void
guess_group(struct doctor *d)
{
	char copy[256];
	struct stat st;
	struct group *g;
	gid_t gid;

	if (d->group[0])
		return;
	snprintf(copy, sizeof(copy), "%s", d->socket);
	if (d->sock_errno == 0)
		gid = d->sock_st.st_gid;
	else if (d->sock_errno == EACCES && stat(dirname(copy), &st) == 0)
		gid = st.st_gid;
	else
		return;
	if ((g = getgrgid(gid)))
		snprintf(d->group, sizeof(d->group), "%s", g->gr_name);
}

static void
connect_daemon(struct cli *cli, struct doctor *d)
{
	static const struct vhid_status_listener listener = {.size = sizeof(listener),
							     .daemon = on_daemon};
	struct vhid_client *c;

	d->error = vhid_client_new("vhidctl doctor", NULL, NULL, &c);
	if (d->error < 0) {
		snprintf(d->message, sizeof(d->message), "%s", vhid_strerror(d->error));
		return;
	}
	d->error = vhid_client_connect(c, cli->socket);
	if (d->error == 0)
		d->error = vhid_client_get_status(c, 0, &listener, d);
	snprintf(d->message, sizeof(d->message), "%s", vhid_client_last_error(c));
	if (d->error < 0)
		vhid_client_destroy(c);
	else
		d->client = c;
}

static bool
refused(const struct doctor *d)
{
	return d->error == -EACCES || d->error == -EPERM || d->error == -VHID_EDENIED;
}

static bool
stale_socket(const struct doctor *d)
{
	if (d->sock_errno != 0 || !S_ISSOCK(d->sock_st.st_mode))
		return false;
	/* a socket this user may not open is stale only if no vhidd runs at all */
	return d->error == -VHID_ENODAEMON || (refused(d) && d->n_pids == 0);
}

/* ---- a. b. the kernel ------------------------------------------------------- */

static void
check_kernel(struct doctor *d)
{
	static const char fix[] =
		"install a kernel built with CONFIG_UHID (Debian's linux-image-amd64 has it)";
	const char *m = uhid_module_state();

	d->has_uhid = strcmp(m, "missing") != 0;
	if (strcmp(m, "loaded") == 0)
		report(d, PASS, "kernel", NULL, "uhid is loaded (/sys/module/uhid)");
	else if (strcmp(m, "builtin") == 0)
		report(d, PASS, "kernel", NULL, "uhid is built into the kernel");
	else if (strcmp(m, "loadable") == 0)
		report(d, PASS, "kernel", NULL, "uhid is available as a module (not loaded yet)");
	else
		report(d, FAIL, "kernel", fix,
		       "this kernel has no uhid: not loaded, not built in, "
		       "no uhid.ko in /lib/modules");
}

static void
check_node(struct doctor *d)
{
	if (!d->has_uhid) {
		report(d, SKIP, "uhid-node", NULL, "the kernel has no uhid");
		return;
	}
	d->has_node = access("/dev/uhid", F_OK) == 0;
	if (d->has_node)
		report(d, PASS, "uhid-node", NULL, "/dev/uhid exists");
	else
		report(d, FAIL, "uhid-node",
		       "sudo modprobe uhid; to load it at boot: echo uhid | sudo tee "
		       "/etc/modules-load.d/vhid.conf",
		       "/dev/uhid does not exist: the uhid module is not loaded");
}

/* ---- c. the daemon ----------------------------------------------------------- */

static void
check_daemon(struct doctor *d)
{
	if (d->error == 0)
		report(d, PASS, "daemon", NULL, "vhidd (pid %u) answers on %s", d->daemon_pid,
		       d->socket);
	else if (stale_socket(d))
		report(d, FAIL, "daemon",
		       "sudo systemctl restart vhidd (vhidd replaces a stale socket)",
		       "vhidd is not running: %s exists but nobody listens (see single-daemon below)",
		       d->socket);
	else if (d->error == -VHID_ENODAEMON)
		report(d, FAIL, "daemon",
		       "sudo systemctl enable --now vhidd   (or run: sudo vhidd)",
		       "vhidd is not running: no socket at %s", d->socket);
	else if (refused(d) && d->n_pids > 0)
		report(d, PASS, "daemon", NULL,
		       "vhidd is running (pid %d) but refuses this user (see access below)",
		       d->pids[0]);
	else if (d->error == -VHID_EDENIED)
		report(d, PASS, "daemon", NULL,
		       "vhidd answers on %s but refuses this user (see access below)", d->socket);
	else if (d->error == -VHID_EVERSION)
		report(d, PASS, "daemon", NULL,
		       "vhidd answers on %s (its version: see versions below)", d->socket);
	else
		report(d, FAIL, "daemon", "sudo systemctl restart vhidd; then see: vhidctl log",
		       "%s", d->message);
}

/* ---- d. the socket and its directory ----------------------------------------- */

/*
 * Whether st has this mode and group, owned by root (vhidd made it) or by the
 * daemon's user (systemd's vhidd.socket and tmpfiles.d make them so); if not,
 * what it is ("0755 root:root") in what.
 */
static bool
owned_right(const struct stat *st, unsigned int mode, gid_t gid, char *what, size_t len)
{
	struct group *g = getgrgid(st->st_gid);
	struct passwd *p = getpwuid(st->st_uid), *daemon = getpwnam(VHID_DEFAULT_USER);
	bool owner = st->st_uid == 0 || (daemon && st->st_uid == daemon->pw_uid);

	if ((st->st_mode & 07777) == mode && owner && st->st_gid == gid)
		return true;
	snprintf(what, len, "%04o %s:%s", st->st_mode & 07777, p ? p->pw_name : "?",
		 g ? g->gr_name : "?");
	return false;
}

static bool
check_dir(struct doctor *d, const char *dir, const char *group, gid_t gid)
{
	char what[128], fix[512];
	struct stat st;

	if (stat(dir, &st) < 0) {
		report(d, FAIL, "socket", "restart vhidd, it creates it", "cannot stat %s: %s", dir,
		       strerror(errno));
		return false;
	}
	if (owned_right(&st, 0750, gid, what, sizeof(what)))
		return true;
	snprintf(fix, sizeof(fix),
		 "sudo chown root:%s %s && sudo chmod 0750 %s   (or restart vhidd, it sets them)",
		 group, dir, dir);
	report(d, FAIL, "socket", fix, "%s is %s, want 0750 root:%s or %s:%s", dir, what, group,
	       VHID_DEFAULT_USER, group);
	return false;
}

static bool
check_socket_file(struct doctor *d, const char *group, gid_t gid)
{
	char what[128], fix[512];

	if (!S_ISSOCK(d->sock_st.st_mode)) {
		snprintf(fix, sizeof(fix), "sudo rm %s, then: sudo systemctl restart vhidd",
			 d->socket);
		report(d, FAIL, "socket", fix, "%s exists but is not a socket", d->socket);
		return false;
	}
	if (owned_right(&d->sock_st, 0660, gid, what, sizeof(what)))
		return true;
	snprintf(fix, sizeof(fix),
		 "sudo chown root:%s %s && sudo chmod 0660 %s   (or restart vhidd, it sets them)",
		 group, d->socket, d->socket);
	report(d, FAIL, "socket", fix, "%s is %s, want 0660 root:%s or %s:%s", d->socket, what,
	       group, VHID_DEFAULT_USER, group);
	return false;
}

static void
check_socket(struct doctor *d)
{
	char copy[256], fix[256];
	const char *dir;
	struct group *g = d->group[0] ? getgrnam(d->group) : NULL;

	snprintf(copy, sizeof(copy), "%s", d->socket);
	dir = dirname(copy);
	if (d->sock_errno == ENOENT) {
		report(d, SKIP, "socket", NULL, "no socket at %s", d->socket);
		return;
	}
	if (!g || g->gr_gid == 0) {
		doctor_group_fix(&d->svc, d->socket, fix, sizeof(fix));
		report(d, FAIL, "socket", fix,
		       "the socket's group is %s, not %s: only root can use vhidd",
		       d->group[0] ? d->group : "unknown", VHID_DEFAULT_GROUP);
		return;
	}
	if (!check_dir(d, dir, g->gr_name, g->gr_gid))
		return;
	if (d->sock_errno == 0 && !check_socket_file(d, g->gr_name, g->gr_gid))
		return;
	if (d->sock_errno == 0)
		report(d, PASS, "socket", NULL, "%s is a socket, mode 0660 group %s, in %s 0750",
		       d->socket, g->gr_name, dir);
	else
		report(d, PASS, "socket", NULL,
		       "%s is 0750 group %s (this user cannot look inside)", dir, g->gr_name);
}

/* ---- e. may this user use it? -------------------------------------------------- */

/* This user is outside the group (or its session is): FAIL with the right fix. */
static void
access_denied(struct doctor *d, const struct group *g)
{
	char fix[512], problem[600];

	if (!g || g->gr_gid == 0) {
		doctor_group_fix(&d->svc, d->socket, fix, sizeof(fix));
		report(d, FAIL, "access", fix, "%s", d->message);
		return;
	}
	if (groups_user_member(g->gr_gid) && !groups_process_has(g->gr_gid)) {
		snprintf(fix, sizeof(fix), "log out and back in, or run: newgrp %s", g->gr_name);
		report(d, FAIL, "access", fix,
		       "you were added to group '%s' but this session predates it", g->gr_name);
		return;
	}
	snprintf(fix, sizeof(fix),
		 "sudo usermod -aG %s $USER, then log out and back in (a new group membership only "
		 "applies to new logins)",
		 g->gr_name);
	if (refused(d))
		snprintf(problem, sizeof(problem), "%s", d->message);
	else
		snprintf(problem, sizeof(problem), "uid %u is not in group '%s'",
			 (unsigned)getuid(), g->gr_name);
	report(d, FAIL, "access", fix, "%s", problem);
}

static void
check_access(struct doctor *d)
{
	struct group *g = d->group[0] ? getgrnam(d->group) : NULL;

	if (geteuid() == 0)
		report(d, PASS, "access", NULL, "root is always allowed");
	else if (d->error == 0)
		report(d, PASS, "access", NULL, "uid %u may use vhidd", (unsigned)getuid());
	else if (refused(d))
		access_denied(d, g);
	else if (!g || g->gr_gid == 0)
		report(d, SKIP, "access", NULL,
		       "vhidd is not running, and no socket names its group");
	else if (groups_process_has(g->gr_gid))
		report(d, PASS, "access", NULL, "uid %u is in group '%s'", (unsigned)getuid(),
		       g->gr_name);
	else
		access_denied(d, g);
}

/* ---- f. versions ---------------------------------------------------------------- */

static void
format_version(unsigned int v, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u", v / 10000, v / 100 % 100, v % 100);
}

/*
 * Within one protocol major every libvhid works with every vhidd: a different version
 * passes, and the line names what is in use; an older vhidd lacks only what its
 * capabilities do not list.
 */
static void
check_versions(struct doctor *d)
{
	static const char fix[] =
		"install matching vhid packages, then: sudo systemctl restart vhidd";
	unsigned int major, minor;
	char lib[32], daemon[32], in_use[256];

	if (d->error == -VHID_EVERSION) {
		report(d, FAIL, "versions", fix, "%s", d->message);
		return;
	}
	if (!d->client || vhid_client_get_protocol(d->client, &major, &minor) < 0) {
		report(d, SKIP, "versions", NULL, "vhidd is not reachable");
		return;
	}
	format_version(vhid_library_version(), lib, sizeof(lib));
	format_version(vhid_client_get_daemon_version(d->client), daemon, sizeof(daemon));
	cli_describe_protocol(d->client, in_use, sizeof(in_use));
	report(d, PASS, "versions", NULL,
	       "libvhid %s (protocol %u.%u), vhidd %s (protocol %u.%u); in use: %s", lib,
	       vhid_protocol_version(), vhid_protocol_minor(), daemon, major, minor, in_use);
}

/* ---- g. one daemon, no stale socket --------------------------------------------- */

static void
check_single(struct doctor *d)
{
	char fix[512], list[256] = "";
	int extra = 0;

	if (stale_socket(d)) {
		snprintf(
			fix, sizeof(fix),
			"sudo systemctl restart vhidd (vhidd replaces a stale socket), or: sudo rm %s",
			d->socket);
		report(d, FAIL, "single-daemon", fix, "stale socket %s: nothing listens on it",
		       d->socket);
		return;
	}
	if (d->n_pids <= 1) {
		report(d, PASS, "single-daemon", NULL, "%s, no stale socket",
		       d->n_pids ? "one vhidd" : "no vhidd running");
		return;
	}
	for (int i = 0, n = 0; i < d->n_pids; i++) {
		n += snprintf(list + n, sizeof(list) - (size_t)n, "%s%d", i ? " " : "", d->pids[i]);
		/* the one serving the socket stays; unknown: keep the oldest (lowest pid) */
		if (!extra && (d->daemon_pid ? (unsigned)d->pids[i] != d->daemon_pid : i > 0))
			extra = d->pids[i];
	}
	snprintf(fix, sizeof(fix), "stop the extra one: sudo kill %d", extra);
	report(d, FAIL, "single-daemon", fix, "%d vhidd processes run: pids %s", d->n_pids, list);
}

/* ---- h. can vhidd tell when a program reads a device? ----------------------------- */

static void
check_readers(struct doctor *d)
{
	if (d->has_readers < 0)
		report(d, SKIP, "readers", NULL, "vhidd did not say (not reachable, or 0.1)");
	else if (d->has_readers)
		report(d, PASS, "readers", NULL, "vhidd counts the programs reading its devices");
	else
		report(d, FAIL, "readers",
		       "see why: vhidctl log | grep /dev/input; vhidd needs to read the directory "
		       "/dev/input",
		       "vhidd cannot count readers: 'vhidctl type' waits its full timeout for a "
		       "compositor");
}

/* ---- the installation (doctor-system.c) -------------------------------------------- */

static void
report_finding(struct doctor *d, const char *check, const struct finding *f)
{
	report(d, f->verdict, check, f->fix, "%s", f->detail);
}

static void
check_install(struct doctor *d, bool units)
{
	struct daemon_view v = {d->error == 0, d->daemon_pid, d->config};
	struct finding f;

	if (units) {
		doctor_service(&d->svc, &v, &f);
		report_finding(d, "service", &f);
		doctor_exec_start(&d->svc, &f);
		report_finding(d, "exec-start", &f);
		return;
	}
	doctor_library(&f);
	report_finding(d, "library", &f);
	doctor_policy(&d->svc, &v, &f);
	report_finding(d, "policy", &f);
}

/* ---- i. a real device ------------------------------------------------------------ */

static void
device_failed(struct doctor *d, int r)
{
	const char *fix = "see what vhidd logged: vhidctl log --since 1m";

	if (r == -VHID_ENODRIVER)
		fix = "sudo modprobe hid-generic";
	else if (r == -ETIMEDOUT)
		fix = "sudo modprobe hid-generic evdev; then look at: sudo dmesg | grep -i hid";
	else if (r == -VHID_ENOUHID)
		fix = "sudo modprobe uhid";
	report(d, FAIL, "device", fix, "%s",
	       *vhid_client_last_error(d->client) ? vhid_client_last_error(d->client)
						  : vhid_strerror(r));
}

static void
check_device(struct doctor *d)
{
	struct vhid_device_params p = {.kind = VHID_DEVICE_KEYBOARD, .name = "vhidctl doctor test"};
	struct vhid_device *dev = NULL;
	const char *hidraw;
	int r;

	if (!d->client) {
		report(d, SKIP, "device", NULL, "vhidd is not reachable");
		return;
	}
	if (!d->has_node) {
		report(d, SKIP, "device", NULL, "there is no /dev/uhid");
		return;
	}
	r = vhid_device_create(d->client, &p, &dev);
	if (r == 0)
		r = vhid_device_wait_ready(dev, 3000);
	if (r < 0) {
		device_failed(d, r);
	} else {
		hidraw = vhid_device_get_hidraw(dev);
		report(d, PASS, "device", NULL, "a test keyboard appeared as %s and %s",
		       vhid_device_get_evdev(dev), hidraw ? hidraw : "no hidraw node");
	}
	if (dev)
		vhid_device_destroy(dev);
}

/* ---- the command --------------------------------------------------------------- */

static int
parse_options(struct cli *cli)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {0}};
	int code;

	if (cli_getopt(cli, "h", opts, &code) < 0)
		return code;
	if (optind < cli->argc)
		return cli_usage("doctor", "doctor: unexpected argument '%s'", cli->argv[optind]);
	return -1;
}

int
cmd_doctor(struct cli *cli)
{
	struct doctor d = {.socket = cli_socket_path(cli), .has_readers = -1};
	int r = parse_options(cli);

	if (r >= 0)
		return r;
	check_kernel(&d);
	check_node(&d);
	connect_daemon(cli, &d);
	d.sock_errno = lstat(d.socket, &d.sock_st) < 0 ? errno : 0;
	find_daemons(&d);
	guess_group(&d);
	service_query(&d.svc); /* after connecting: that starts a socket-activated vhidd */
	check_install(&d, true);
	check_daemon(&d);
	check_socket(&d);
	check_access(&d);
	check_versions(&d);
	check_single(&d);
	check_readers(&d);
	check_install(&d, false);
	check_device(&d);
	vhid_client_destroy(d.client);
	printf("%d checks passed, %d failed\n", d.passed, d.failed);
	return d.failed ? EXIT_FAIL : EXIT_OK;
}
