/*
 * cmd-status.c - `vhidctl status [--json]` and `vhidctl devices [--json]`:
 * what vhidd reports about itself, its clients and their devices, plus what
 * this machine's kernel offers (so an unreachable daemon still gets a useful
 * answer). vhidctl's own connection is left out of the client list.
 *
 * JSON output (field names are stable; documented in vhidctl(1)):
 *
 *   status --json:
 *   {"daemon": {"version": "0.1.0", "protocol": 1, "pid": 123, "uptime_s": 60,
 *               "socket": "/run/vhid/vhidd.sock",
 *               "config": "/etc/vhid/vhidd.conf" (null: the built-in defaults),
 *               "socket_group": "vhid", "lease_ms": 3000,
 *               "log_file": "/run/vhid/vhidd.log" ("" = the journal only),
 *               "uhid": true (vhidd sees /dev/uhid), "uevents": true,
 *               "readers": true (vhidd can count a device's readers)},
 *    "kernel": {"uhid_node": true (/dev/uhid exists here),
 *               "uhid_module": "loaded" | "builtin" | "loadable" | "missing"},
 *    "service": {"systemd": true,
 *                "socket": UNIT, "service": UNIT + {"main_pid": 123, "restarts": 0,
 *                                                   "exec_start": "/usr/sbin/vhidd"}}
 *               ({"systemd": false, "why": "not under systemd (...)"}),
 *    "clients": [{"id": 2, "name": "my-tool", "pid": 456, "uid": 1000, "gid": 1000,
 *                 "exe": "/usr/bin/my-tool", "devices": 1, "idle_ms": 20}],
 *    "devices": [DEVICE...]}
 *   UNIT: {"load": "loaded" | "not-found", "active": "active" | "failed" | "activating" ...,
 *          "sub": "running" | "listening" | "auto-restart" ...,
 *          "result": "success" | "exit-code" ...} (each null when systemd did not say)
 *   When vhidd is unreachable:
 *   {"daemon": null, "kernel": {...}, "service": {...}, "error": "why"}.
 *
 *   devices --json: {"devices": [DEVICE...]} ({"devices": null, "error": "why"}).
 *
 *   DEVICE: {"id": 513, "client": 2, "kind": "keyboard" | "pointer" | "absolute",
 *            "name": "vhid keyboard", "vendor": 5824, "product": 10203, "bus": 3,
 *            "evdev": "/dev/input/event3" | null, "hidraw": "/dev/hidraw1" | null,
 *            "leds": ["num", "caps", "scroll", "compose", "kana"] (those lit),
 *            "readers": 1, "ready": true}
 *   Numbers are JSON numbers (vendor and product too; the text output shows hex).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "escape.h"
#include "protocol.h"
#include "service.h"
#include "vhidctl.h"

struct snap_client {
	unsigned int id, pid, uid, gid, devices, idle_ms;
	char name[64], exe[256];
};

struct snap_device {
	unsigned int id, client, kind, readers, leds, bus, vendor, product;
	bool ready;
	char name[160], evdev[64], hidraw[64];
};

/* Copies of everything the status callbacks saw: their strings die with the call. */
struct snapshot {
	unsigned int self_id;
	int scope;          /* VHID_STATUS_ALL, or USER when only the caller's clients are shown */
	unsigned int minor; /* the daemon's protocol minor (STATUS_DAEMON has only the major) */
	bool oom;
	char why[512]; /* why the snapshot failed */
	struct vhid_status_daemon d;
	char socket[128], config[256], group[64], log_file[256];
	struct snap_client *clients;
	size_t n_clients;
	struct snap_device *devices;
	size_t n_devices;
};

static const char *const led_names[] = {"num", "caps", "scroll", "compose", "kana"};

static void *
grow(void *array, size_t n, size_t size, bool *oom)
{
	void *p = realloc(array, (n + 1) * size);

	if (!p)
		*oom = true;
	return p;
}

static void
on_daemon(const struct vhid_status_daemon *d, void *data)
{
	struct snapshot *s = data;

	s->d = *d;
	snprintf(s->socket, sizeof(s->socket), "%s", d->socket);
	snprintf(s->config, sizeof(s->config), "%s", d->config);
	snprintf(s->group, sizeof(s->group), "%s", d->socket_group);
	snprintf(s->log_file, sizeof(s->log_file), "%s", d->log_file);
	s->d.socket = s->socket;
	s->d.config = s->config;
	s->d.socket_group = s->group;
	s->d.log_file = s->log_file;
}

static void
on_client(const struct vhid_status_client *c, void *data)
{
	struct snapshot *s = data;
	struct snap_client *p;

	if (c->id == s->self_id || !(p = grow(s->clients, s->n_clients, sizeof(*p), &s->oom)))
		return;
	s->clients = p;
	p += s->n_clients++;
	*p = (struct snap_client){c->id, c->pid, c->uid, c->gid, c->devices, c->idle_ms, "", ""};
	snprintf(p->name, sizeof(p->name), "%s", c->name);
	snprintf(p->exe, sizeof(p->exe), "%s", c->exe);
}

static void
on_device(const struct vhid_status_device *d, void *data)
{
	struct snapshot *s = data;
	struct snap_device *p;

	if (!(p = grow(s->devices, s->n_devices, sizeof(*p), &s->oom)))
		return;
	s->devices = p;
	p += s->n_devices++;
	*p = (struct snap_device){.id = d->id,
				  .client = d->client_id,
				  .kind = d->kind,
				  .readers = d->readers,
				  .leds = d->leds,
				  .bus = d->bus,
				  .vendor = d->vendor,
				  .product = d->product,
				  .ready = d->ready};
	snprintf(p->name, sizeof(p->name), "%s", d->name);
	snprintf(p->evdev, sizeof(p->evdev), "%s", d->evdev);
	snprintf(p->hidraw, sizeof(p->hidraw), "%s", d->hidraw);
}

static const struct vhid_status_listener snap_listener = {
	.size = sizeof(snap_listener),
	.daemon = on_daemon,
	.client = on_client,
	.device = on_device,
};

/* Admins see every client, users their own uid's; a 1.0 vhidd shows everyone all. */
static int
get_status(struct vhid_client *c, struct snapshot *s)
{
	int r;

	s->scope = VHID_STATUS_ALL;
	r = vhid_client_get_status(c, VHID_STATUS_ALL, &snap_listener, s);
	if (r != -VHID_EADMIN || !(vhid_client_get_capabilities(c) & VHID_CAP_STATUS_USER))
		return r;
	s->scope = VHID_STATUS_USER;
	return vhid_client_get_status(c, VHID_STATUS_USER, &snap_listener, s);
}

/* Connect and take a snapshot; on failure *why holds libvhid's explanation. */
static int
take_snapshot(struct cli *cli, struct snapshot *s, char *why, size_t len)
{
	struct vhid_client *c;
	int r = vhid_client_new("vhidctl", NULL, NULL, &c);

	if (r < 0) {
		snprintf(why, len, "%s", vhid_strerror(r));
		return r;
	}
	r = vhid_client_connect(c, cli->socket);
	if (r == 0) {
		s->self_id = vhid_client_get_client_id(c);
		vhid_client_get_protocol(c, NULL, &s->minor);
		r = get_status(c, s);
	}
	if (r == 0 && s->oom)
		r = -ENOMEM;
	if (r < 0)
		snprintf(why, len, "%s",
			 *vhid_client_last_error(c) ? vhid_client_last_error(c) : vhid_strerror(r));
	vhid_client_destroy(c);
	return r;
}

static void
snapshot_free(struct snapshot *s)
{
	free(s->clients);
	free(s->devices);
}

static void
version_string(unsigned int v, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u", v / 10000, v / 100 % 100, v % 100);
}

/* ---- JSON ------------------------------------------------------------------- */

static void
json_daemon(struct json *j, const struct vhid_status_daemon *d)
{
	char v[32];

	version_string(d->daemon_version, v, sizeof(v));
	json_begin_object(j, "daemon");
	json_string(j, "version", v);
	json_int(j, "protocol", d->protocol_version);
	json_int(j, "pid", d->pid);
	json_int(j, "uptime_s", d->uptime_s);
	json_string(j, "socket", d->socket);
	json_string(j, "config", d->config[0] ? d->config : NULL); /* null: built-in defaults */
	json_string(j, "socket_group", d->socket_group);
	json_int(j, "lease_ms", d->lease_ms);
	json_string(j, "log_file", d->log_file);
	json_bool(j, "uhid", d->has_uhid);
	json_bool(j, "uevents", d->has_uevents);
	json_bool(j, "readers", d->has_readers);
	json_end_object(j);
}

static void
json_kernel(struct json *j)
{
	json_begin_object(j, "kernel");
	json_bool(j, "uhid_node", access("/dev/uhid", F_OK) == 0);
	json_string(j, "uhid_module", uhid_module_state());
	json_end_object(j);
}

static void
json_clients(struct json *j, const struct snapshot *s)
{
	json_begin_array(j, "clients");
	for (size_t i = 0; i < s->n_clients; i++) {
		const struct snap_client *c = &s->clients[i];
		json_begin_object(j, NULL);
		json_int(j, "id", c->id);
		json_string(j, "name", c->name);
		json_int(j, "pid", c->pid);
		json_int(j, "uid", c->uid);
		json_int(j, "gid", c->gid);
		json_string(j, "exe", c->exe);
		json_int(j, "devices", c->devices);
		json_int(j, "idle_ms", c->idle_ms);
		json_end_object(j);
	}
	json_end_array(j);
}

static void
json_device(struct json *j, const struct snap_device *d)
{
	json_begin_object(j, NULL);
	json_int(j, "id", d->id);
	json_int(j, "client", d->client);
	json_string(j, "kind", proto_kind_name(d->kind));
	json_string(j, "name", d->name);
	json_int(j, "vendor", d->vendor);
	json_int(j, "product", d->product);
	json_int(j, "bus", d->bus);
	json_string(j, "evdev", d->evdev[0] ? d->evdev : NULL);
	json_string(j, "hidraw", d->hidraw[0] ? d->hidraw : NULL);
	json_begin_array(j, "leds");
	for (unsigned int i = 0; i < 5; i++)
		if (d->leds & (1u << i))
			json_string(j, NULL, led_names[i]);
	json_end_array(j);
	json_int(j, "readers", d->readers);
	json_bool(j, "ready", d->ready);
	json_end_object(j);
}

static void
json_devices(struct json *j, const struct snapshot *s)
{
	json_begin_array(j, "devices");
	for (size_t i = 0; i < s->n_devices; i++)
		json_device(j, &s->devices[i]);
	json_end_array(j);
}

static void
json_unit(struct json *j, const struct service_unit *u)
{
	json_begin_object(j, strstr(u->name, ".socket") ? "socket" : "service");
	json_string(j, "load", u->load[0] ? u->load : NULL);
	json_string(j, "active", u->active[0] ? u->active : NULL);
	json_string(j, "sub", u->sub[0] ? u->sub : NULL);
	json_string(j, "result", u->result[0] ? u->result : NULL);
	if (strstr(u->name, ".service")) {
		json_int(j, "main_pid", u->main_pid);
		json_int(j, "restarts", u->restarts);
		json_string(j, "exec_start", u->exec_path[0] ? u->exec_path : NULL);
	}
	json_end_object(j);
}

static void
json_service(struct json *j)
{
	struct service_state s;

	service_query(&s);
	json_begin_object(j, "service");
	json_bool(j, "systemd", s.systemd);
	if (s.systemd) {
		json_unit(j, &s.socket);
		json_unit(j, &s.service);
	} else {
		json_string(j, "why", s.why);
	}
	json_end_object(j);
}

/* ---- text ------------------------------------------------------------------- */

#define MAX_COLS 12

struct row {
	char c[MAX_COLS][256];
};

/* Columns as wide as their widest cell; the last one unpadded. */
static void
print_table(const struct row *rows, size_t n, int cols)
{
	int w[MAX_COLS] = {0};

	for (size_t r = 0; r < n; r++)
		for (int i = 0; i < cols; i++)
			if ((int)strlen(rows[r].c[i]) > w[i])
				w[i] = (int)strlen(rows[r].c[i]);
	for (size_t r = 0; r < n; r++) {
		for (int i = 0; i < cols - 1; i++)
			printf("  %-*s", w[i], rows[r].c[i]);
		printf("  %s\n", rows[r].c[cols - 1]);
	}
}

static void
format_uptime(unsigned int s, char *buf, size_t len)
{
	if (s >= 86400)
		snprintf(buf, len, "%ud %uh %02um", s / 86400, s / 3600 % 24, s / 60 % 60);
	else if (s >= 3600)
		snprintf(buf, len, "%uh %02um %02us", s / 3600, s / 60 % 60, s % 60);
	else if (s >= 60)
		snprintf(buf, len, "%um %02us", s / 60, s % 60);
	else
		snprintf(buf, len, "%us", s);
}

static void
print_daemon(const struct vhid_status_daemon *d, unsigned int minor)
{
	char v[32], up[32];

	version_string(d->daemon_version, v, sizeof(v));
	format_uptime(d->uptime_s, up, sizeof(up));
	printf("daemon\n");
	printf("  vhidd        %s (protocol %u.%u), pid %u, up %s\n", v, d->protocol_version, minor,
	       d->pid, up);
	printf("  socket       %s (group %s)\n", d->socket, d->socket_group);
	printf("  policy       %s\n",
	       d->config[0] ? d->config : "built-in defaults (root and the socket group)");
	printf("  lease        %u ms\n", d->lease_ms);
	printf("  log          %s\n",
	       d->log_file[0] ? d->log_file : "the journal (journalctl -u vhidd)");
	printf("  uhid         %s\n", d->has_uhid ? "yes" : "no: vhidd cannot create devices");
	printf("  uevents      %s\n", d->has_uevents ? "yes" : "no");
	printf("  readers      %s\n",
	       d->has_readers ? "counted" : "not counted: see vhidctl log (and vhidctl doctor)");
}

static void
print_kernel(void)
{
	const char *module = uhid_module_state();

	printf("\nkernel\n");
	printf("  /dev/uhid    %s\n", access("/dev/uhid", F_OK) == 0 ? "present" : "missing");
	printf("  uhid module  %s%s\n", module,
	       strcmp(module, "loadable") == 0 ? " (not loaded: sudo modprobe uhid)" : "");
}

/* How systemd sees the units: why a daemon is missing, or that it keeps restarting. */
static void
print_service(void)
{
	struct service_state s;
	char socket[256], service[256];

	service_query(&s);
	printf("\nservice\n");
	if (!s.systemd) {
		printf("  %s\n", s.why);
		return;
	}
	service_describe(&s.socket, socket, sizeof(socket));
	service_describe(&s.service, service, sizeof(service));
	printf("  vhidd.socket   %s\n  vhidd.service  %s\n", socket, service);
}

static void
print_clients(const struct snapshot *s)
{
	struct row *rows = calloc(s->n_clients + 1, sizeof(*rows));

	printf("\nclients: %zu\n", s->n_clients);
	if (s->scope == VHID_STATUS_USER && s->d.clients > s->n_clients + 1)
		printf("  (and %zu of other users, shown to root and admin-groups only)\n",
		       s->d.clients - s->n_clients - 1);
	if (!rows || s->n_clients == 0) {
		free(rows);
		return;
	}
	rows[0] = (struct row){{"ID", "NAME", "PID", "UID", "DEVICES", "IDLE", "EXE"}};
	for (size_t i = 0; i < s->n_clients; i++) {
		const struct snap_client *c = &s->clients[i];
		struct row *r = &rows[i + 1];
		snprintf(r->c[0], sizeof(r->c[0]), "%u", c->id);
		/* names and executables are other users' choice: no escape sequences */
		escape_str(r->c[1], sizeof(r->c[1]), c->name[0] ? c->name : "-");
		snprintf(r->c[2], sizeof(r->c[2]), "%u", c->pid);
		snprintf(r->c[3], sizeof(r->c[3]), "%u", c->uid);
		snprintf(r->c[4], sizeof(r->c[4]), "%u", c->devices);
		snprintf(r->c[5], sizeof(r->c[5]), "%u ms", c->idle_ms);
		escape_str(r->c[6], sizeof(r->c[6]), c->exe[0] ? c->exe : "-");
	}
	print_table(rows, s->n_clients + 1, 7);
	free(rows);
}

static void
format_leds(unsigned int leds, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < 5; i++)
		if (leds & (1u << i))
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "", led_names[i]);
	if (n == 0)
		snprintf(buf, len, "-");
}

static const char *
bus_name(unsigned int bus, char *buf, size_t len)
{
	switch (bus) {
	case 0x03:
		return "usb";
	case 0x05:
		return "bluetooth";
	case 0x06:
		return "virtual";
	case 0x11:
		return "i8042";
	default:
		snprintf(buf, len, "0x%02x", bus);
		return buf;
	}
}

static void
device_row(struct row *r, const struct snap_device *d)
{
	char bus[16];

	snprintf(r->c[0], sizeof(r->c[0]), "0x%x", d->id);
	snprintf(r->c[1], sizeof(r->c[1]), "%u", d->client);
	snprintf(r->c[2], sizeof(r->c[2]), "%s", proto_kind_name(d->kind));
	escape_str(r->c[3], sizeof(r->c[3]), d->name);
	snprintf(r->c[4], sizeof(r->c[4]), "%04x:%04x", d->vendor, d->product);
	snprintf(r->c[5], sizeof(r->c[5]), "%s", bus_name(d->bus, bus, sizeof(bus)));
	snprintf(r->c[6], sizeof(r->c[6]), "%s", d->evdev[0] ? d->evdev : "-");
	snprintf(r->c[7], sizeof(r->c[7]), "%s", d->hidraw[0] ? d->hidraw : "-");
	format_leds(d->leds, r->c[8], sizeof(r->c[8]));
	snprintf(r->c[9], sizeof(r->c[9]), "%u", d->readers);
	snprintf(r->c[10], sizeof(r->c[10]), "%s", d->ready ? "yes" : "no");
}

static void
print_devices(const struct snapshot *s)
{
	struct row *rows = calloc(s->n_devices + 1, sizeof(*rows));

	printf("devices: %zu\n", s->n_devices);
	if (!rows || s->n_devices == 0) {
		free(rows);
		return;
	}
	rows[0] = (struct row){{"ID", "CLIENT", "KIND", "NAME", "VID:PID", "BUS", "EVDEV", "HIDRAW",
				"LEDS", "READERS", "READY"}};
	for (size_t i = 0; i < s->n_devices; i++)
		device_row(&rows[i + 1], &s->devices[i]);
	print_table(rows, s->n_devices + 1, 11);
	free(rows);
}

/* ---- the commands ----------------------------------------------------------- */

/* --json (and --help); returns -1 to go on, else the exit code */
static int
parse_json_option(struct cli *cli, bool *json)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *cmd = cli->argv[0];
	int ch, code;

	while ((ch = cli_getopt(cli, "jh", opts, &code)) > 0)
		*json = true; /* -j, the only option */
	if (ch < 0)
		return code;
	if (optind < cli->argc)
		return cli_usage(cmd, "%s: unexpected argument '%s'", cmd, cli->argv[optind]);
	return -1;
}

/* stdout's one JSON object */
static void
json_document(struct json *j)
{
	json_init(j, stdout);
	json_begin_object(j, NULL);
}

static void
json_document_end(struct json *j)
{
	json_end_object(j);
	json_finish(j);
}

static int
status_unreachable(int r, const char *why, bool json)
{
	struct json j;

	if (json) {
		json_document(&j);
		json_null(&j, "daemon");
		json_kernel(&j);
		json_service(&j);
		json_string(&j, "error", why);
		json_document_end(&j);
	} else {
		printf("daemon\n  not reachable: %s\n", why);
		print_kernel();
		print_service();
	}
	return cli_exit_for(r);
}

static int
show_status(const struct snapshot *s, int r, bool json)
{
	struct json j;

	if (r < 0)
		return status_unreachable(r, s->why, json);
	if (json) {
		json_document(&j);
		json_daemon(&j, &s->d);
		json_kernel(&j);
		json_service(&j);
		json_clients(&j, s);
		json_devices(&j, s);
		json_document_end(&j);
	} else {
		print_daemon(&s->d, s->minor);
		print_kernel();
		print_service();
		print_clients(s);
		printf("\n");
		print_devices(s);
	}
	return EXIT_OK;
}

static int
show_devices(const struct snapshot *s, int r, bool json)
{
	struct json j;

	if (json) {
		json_document(&j);
		if (r < 0) {
			json_null(&j, "devices");
			json_string(&j, "error", s->why);
		} else {
			json_devices(&j, s);
		}
		json_document_end(&j);
	} else if (r == 0) {
		print_devices(s);
	}
	if (r < 0)
		return cli_fail(cli_exit_for(r), "%s", s->why);
	return EXIT_OK;
}

/* status and devices: the options, a snapshot (r: 0 or the error), then show() */
static int
with_snapshot(struct cli *cli, int (*show)(const struct snapshot *s, int r, bool json))
{
	struct snapshot s = {0};
	bool json = false;
	int r, code = parse_json_option(cli, &json);

	if (code >= 0)
		return code;
	r = take_snapshot(cli, &s, s.why, sizeof(s.why));
	code = show(&s, r, json);
	snapshot_free(&s);
	return code;
}

int
cmd_status(struct cli *cli)
{
	return with_snapshot(cli, show_status);
}

int
cmd_devices(struct cli *cli)
{
	return with_snapshot(cli, show_devices);
}
