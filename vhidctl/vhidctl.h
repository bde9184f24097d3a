/*
 * vhidctl.h - what the subcommands share. vhidctl is a thin client over
 * libvhid: it never speaks the protocol itself.
 */
#ifndef VHIDCTL_H
#define VHIDCTL_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "vhid.h"

/* Exit codes (documented in vhidctl(1)). */
enum cli_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,      /* the operation failed, or doctor found a problem */
	EXIT_USAGE = 2,     /* bad command line */
	EXIT_NO_DAEMON = 3, /* vhidd is not running or not reachable */
	EXIT_DENIED = 4,    /* this user may not use vhidd */
	EXIT_UNTYPABLE = 5, /* type: the layout cannot produce some characters */
};

struct cli {
	const char *socket; /* -s/--socket, NULL: $VHID_SOCKET or the default */
	int argc;           /* the subcommand's arguments; argv[0] is its name */
	char **argv;
};

struct command {
	const char *name;
	int (*run)(struct cli *cli);
	const char *synopsis; /* "status [--json]" */
	const char *summary;  /* one line */
	const char *help;     /* the details after the synopsis, or NULL */
};

extern const struct command commands[];
const struct command *cli_find_command(const char *name);

/* "vhidctl: <message>" on stderr; returns EXIT_FAIL (or the given code with cli_fail). */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A usage problem: "vhidctl: <message>", then "Try 'vhidctl help CMD'."; returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A command's --help: its synopsis and help text on stdout; returns EXIT_OK. */
int cli_help(const char *cmd);
/*
 * getopt_long for every command, the same way: getopt itself prints nothing
 * (opterr = 0), -h/--help prints the command's help (cli_help), and an unknown
 * option or a missing value is a usage error that names the option. Returns the
 * option character, 0 after the last option, or -1 with the exit code in *code.
 */
int cli_getopt(struct cli *cli, const char *shortopts, const struct option *longopts, int *code);
/* cmd's --wait value (0..60000 ms) into *ms: 0, or EXIT_USAGE after saying why. */
int cli_parse_wait(const char *cmd, const char *arg, long *ms);

/* The exit code for a libvhid error (EXIT_NO_DAEMON, EXIT_DENIED, EXIT_FAIL). */
int cli_exit_for(int error);

/*
 * Connect to vhidd. On failure prints libvhid's explanation and returns NULL
 * with *code set. The listener may be NULL.
 */
struct vhid_client *cli_connect(struct cli *cli, const struct vhid_client_listener *l, void *data,
				int *code);

/*
 * Create a device and wait until it is ready and, unless wait_reader_ms is 0,
 * until a program reads it (a compositor opens new devices a moment after the
 * kernel made them; events before that are seen by nobody). Prints errors.
 */
struct vhid_device *cli_device(struct vhid_client *c, enum vhid_device_kind kind,
			       int wait_reader_ms, int *code);

/*
 * What a connected client agreed with vhidd: "1.1, capabilities apple-translation
 * absolute ..." (the lower of the two minors, and the daemon's capability names).
 */
void cli_describe_protocol(const struct vhid_client *c, char *buf, size_t len);

/*
 * `vhidctl log` from vhidd's log ring (log-ring.c): the exit code, or -1 when vhidd is
 * not running or has no ring (older than 0.2), after saying so: then read the journal
 * or the log file.
 */
int log_ring_show(struct cli *cli, long long cutoff_ms, bool follow);
/* SIGINT and SIGTERM blocked and read from the returned signalfd (a follow's end),
 * and undone (closing it; -1 does nothing) */
int log_block_stop_signals(void);
void log_unblock_stop_signals(int sigfd);

/* The socket path in use: -s, else $VHID_SOCKET, else the default (machine.c). */
const char *cli_socket_path(const struct cli *cli);
/* The uhid module: "loaded", "builtin", "loadable" or "missing" (machine.c). */
const char *uhid_module_state(void);

/*
 * The keymap of the layout in use: layout/variant if given, else XKB_DEFAULT_*, else
 * /etc/default/keyboard, else us (vhid_keymap_new). NULL with the reason in err.
 */
struct vhid_keymap *cli_open_keymap(const char *layout, const char *variant, char *err,
				    size_t errlen);

/*
 * Typing through libvhid's job form (typing.c), so that a signal on sigfd stops it
 * with every key released. Connect with cli_typing_listener and a struct cli_typing
 * as its data.
 */
struct cli_typing {
	unsigned int job; /* the job waited for */
	bool done;
	int error;
	char message[300];
};
extern const struct vhid_client_listener cli_typing_listener;
/* 0, -EINTR (a signal: cancelled), or the job's error (message in t->message, or
 * vhid_client_last_error when it could not start). */
int cli_type(struct cli_typing *t, struct vhid_device *kbd, struct vhid_keymap *km,
	     const char *text, size_t len, int sigfd);
/* Report a typing failure: the exit code, after printing why. */
int cli_type_failed(const struct cli_typing *t, struct vhid_client *c, int r);

/* The default of --wait: how long a short-lived device waits for its first reader. */
#define CLI_WAIT_READER_MS 3000

/*
 * The keyboard options of key, type and session (keyboard.c): --layout, --variant,
 * --wait (CLI_WAIT_READER_MS unless given) and, for type and session, --delay.
 * CLI_KEYBOARD_OPTIONS goes into their option tables, with --help, and
 * CLI_DELAY_OPTION where delay_hint is set.
 */
struct kbd_opts {
	const char *layout, *variant;
	long wait_ms;
	long long delay_ms;     /* between keys while typing; -1: libvhid's default */
	const char *delay_hint; /* the valid --delay values, or NULL: no --delay (key's -d) */
};
#define CLI_DELAY_OPTION                                                                           \
	{                                                                                          \
		"delay", required_argument, NULL, 'd'                                              \
	}
#define CLI_KEYBOARD_OPTIONS                                                                       \
	{"layout", required_argument, NULL, 'l'}, {"variant", required_argument, NULL, 'v'},       \
		{"wait", required_argument, NULL, 'w'},                                            \
	{                                                                                          \
		"help", no_argument, NULL, 'h'                                                     \
	}
/* Take -l, -v, -w or (with a delay_hint) -d with its value arg into o: 1 if ch was one
 * of them, 0 if it was not, -1 after a usage error (EXIT_USAGE). */
int cli_keyboard_option(const char *cmd, int ch, const char *arg, struct kbd_opts *o);
/*
 * Connect (with listener l and its data) and create the keyboard as o says: NULL after
 * printing why, with *code set. *c is the connection, or NULL; the caller destroys it.
 */
struct vhid_device *cli_keyboard(struct cli *cli, const struct kbd_opts *o,
				 const struct vhid_client_listener *l, void *data,
				 struct vhid_client **c, int *code);

/* Parsing helpers (args.c); each returns 0 or -EINVAL. */
int parse_int(const char *s, long min, long max, long *out);
/* "1500", "1.5s", "90s", "30m", "2h", "1d" -> milliseconds */
int parse_duration_ms(const char *s, long long *out);
/* a fraction 0..1 ("0.5", "1", "0") -> 0..32767 */
int parse_fraction(const char *s, int *out);

/* A minimal JSON writer for --json output (json.c). */
struct json {
	FILE *f;
	int depth;
	bool need_comma[16];
};
void json_init(struct json *j, FILE *f);
void json_begin_object(struct json *j, const char *key);
void json_end_object(struct json *j);
void json_begin_array(struct json *j, const char *key);
void json_end_array(struct json *j);
void json_string(struct json *j, const char *key, const char *value);
void json_int(struct json *j, const char *key, long long value);
void json_bool(struct json *j, const char *key, bool value);
void json_null(struct json *j, const char *key);
void json_finish(struct json *j);

/* Subcommands (cmd-*.c; cmd_help in main.c). */
int cmd_status(struct cli *cli);
int cmd_devices(struct cli *cli);
int cmd_doctor(struct cli *cli);
int cmd_log(struct cli *cli);
int cmd_reset(struct cli *cli);
int cmd_explain(struct cli *cli);
int cmd_type(struct cli *cli);
int cmd_session(struct cli *cli);
int cmd_key(struct cli *cli);
int cmd_mouse(struct cli *cli);
int cmd_click(struct cli *cli);
int cmd_scroll(struct cli *cli);
int cmd_hscroll(struct cli *cli);
int cmd_leds(struct cli *cli);
int cmd_version(struct cli *cli);
int cmd_help(struct cli *cli);

#endif
