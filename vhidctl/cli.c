/* cli.c - helpers the subcommands share: errors, exit codes, connecting. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vhidctl.h"

static int
vreport(int code, const char *fmt, va_list ap)
{
	fprintf(stderr, "vhidctl: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	return code;
}

int
cli_error(const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vreport(EXIT_FAIL, fmt, ap);
	va_end(ap);
	return r;
}

int
cli_fail(int code, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vreport(code, fmt, ap);
	va_end(ap);
	return r;
}

int
cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(EXIT_USAGE, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'vhidctl help%s%s'.\n", cmd ? " " : "", cmd ? cmd : "");
	return EXIT_USAGE;
}

int
cli_getopt(struct cli *cli, const char *shortopts, const struct option *longopts, int *code)
{
	const char *cmd = cli->argv[0];
	int before = optind, ch;

	opterr = 0;
	ch = getopt_long(cli->argc, cli->argv, shortopts, longopts, NULL);
	if (ch == -1)
		return 0;
	if (ch == 'h') {
		*code = cli_help(cmd);
		return -1;
	}
	if (ch != '?' && ch != ':')
		return ch;
	/* optind moved past a long option or the last letter of a cluster like -dx */
	if (optopt == 0 || (optind > before && strncmp(cli->argv[optind - 1], "--", 2) == 0))
		*code = cli_usage(cmd, "%s: unknown option '%s'", cmd, cli->argv[optind - 1]);
	else
		*code = cli_usage(cmd, "%s: unknown option '-%c'", cmd, optopt);
	return -1;
}

int
cli_parse_wait(const char *cmd, const char *arg, long *ms)
{
	if (parse_int(arg, 0, 60000, ms) < 0)
		return cli_usage(cmd, "bad --wait '%s' (milliseconds)", arg);
	return 0;
}

int
cli_exit_for(int error)
{
	switch (-error) {
	case VHID_ENODAEMON:
	case ENOENT:
	case ECONNREFUSED:
	case ECONNRESET:
	case ETIMEDOUT:
		return EXIT_NO_DAEMON;
	case EACCES:
	case EPERM:
	case VHID_EDENIED:
	case VHID_EADMIN:
		return EXIT_DENIED;
	default:
		return EXIT_FAIL;
	}
}

struct vhid_client *
cli_connect(struct cli *cli, const struct vhid_client_listener *l, void *data, int *code)
{
	struct vhid_client *c;
	int r = vhid_client_new("vhidctl", l, data, &c);

	if (r < 0) {
		*code = cli_error("%s", vhid_strerror(r));
		return NULL;
	}
	r = vhid_client_connect(c, cli->socket);
	if (r < 0) {
		*code = cli_fail(cli_exit_for(r), "%s", vhid_client_last_error(c));
		vhid_client_destroy(c);
		return NULL;
	}
	return c;
}

void
cli_describe_protocol(const struct vhid_client *c, char *buf, size_t len)
{
	unsigned int major, minor, caps = vhid_client_get_capabilities(c);
	size_t n;

	vhid_client_get_protocol(c, &major, &minor);
	if (minor > vhid_protocol_minor())
		minor = vhid_protocol_minor();
	n = (size_t)snprintf(buf, len, "%u.%u, capabilities", major, minor);
	for (unsigned int i = 0; i < 32 && n < len; i++) {
		const char *name = vhid_capability_name(1u << i);
		if (!(caps & 1u << i))
			continue;
		n += (size_t)(name ? snprintf(buf + n, len - n, " %s", name)
				   : snprintf(buf + n, len - n, " bit-%u", i));
	}
}

struct vhid_device *
cli_device(struct vhid_client *c, enum vhid_device_kind kind, int wait_reader_ms, int *code)
{
	/* vhid's default identity ("vhid keyboard"), which vhidd's standby keyboard has:
	 * a command takes that one, already known to the desktop (DESIGN §9) */
	struct vhid_device_params p = {.kind = kind};
	struct vhid_device *d;
	int r;

	r = vhid_device_create(c, &p, &d);
	if (r == 0)
		r = vhid_device_wait_ready(d, 5000);
	if (r < 0) {
		*code = cli_fail(cli_exit_for(r), "%s", vhid_client_last_error(c));
		return NULL;
	}
	if (wait_reader_ms > 0 && vhid_device_wait_reader(d, wait_reader_ms) == -ETIMEDOUT)
		fprintf(stderr,
			"vhidctl: warning: no program opened %s within %d ms (no compositor?); "
			"sending anyway\n",
			vhid_device_get_evdev(d), wait_reader_ms);
	return d;
}

struct vhid_keymap *
cli_open_keymap(const char *layout, const char *variant, char *err, size_t errlen)
{
	struct vhid_rmlvo names = {.size = sizeof(names), .layout = layout, .variant = variant};
	struct vhid_keymap *km = NULL;

	vhid_keymap_new(&names, 0, &km, err, errlen);
	return km;
}
