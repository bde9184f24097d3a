/*
 * cmd-session.c - `vhidctl session`: one keyboard for a whole session of
 * commands read from standard input, for dictation and automation programs
 * that type many short strings (as dotool does). Creating a device and waiting
 * for the compositor to open it costs far more than typing a sentence; here it
 * is paid once. Each line is one command; a failing line is reported with its
 * number and the session goes on. Keys held with keydown are released when the
 * session ends, however it ends; when vhidd restarts they are pressed again on
 * the new keyboard (resume.h).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hold.h"
#include "vhidctl.h"

#define HELD_MAX 32
#define LINE_MAX_BYTES (256 * 1024)

struct session {
	struct vhid_client *c;
	struct vhid_device *kbd;
	struct vhid_keymap *km;
	struct cli_typing t;
	int sigfd;
	bool ack, interrupted;
	unsigned int line_no, failed;
	unsigned int held[HELD_MAX];
	int n_held;
	struct resume resume;
};

struct session_opts {
	struct kbd_opts kbd;
	bool ack;
};

static int
parse_opts(struct cli *cli, struct session_opts *o)
{
	static const struct option opts[] = {
		{"ack", no_argument, NULL, 'a'},
		CLI_DELAY_OPTION,
		CLI_KEYBOARD_OPTIONS,
		{0},
	};
	int ch, code;

	o->kbd = (struct kbd_opts){
		.wait_ms = CLI_WAIT_READER_MS, .delay_ms = -1, .delay_hint = "0..10000 ms"};
	while ((ch = cli_getopt(cli, "l:v:d:w:ah", opts, &code)) > 0) {
		if (ch == 'a')
			o->ack = true;
		else if (cli_keyboard_option("session", ch, optarg, &o->kbd) < 0)
			return EXIT_USAGE;
	}
	if (ch < 0)
		return code;
	if (optind != cli->argc)
		return cli_usage("session", "commands come from standard input, not arguments");
	return -1;
}

/* ---- answers ------------------------------------------------------------------ */

static void line_failed(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
line_failed(struct session *s, const char *fmt, ...)
{
	char msg[1400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->failed++;
	fprintf(stderr, "vhidctl: line %u: %s\n", s->line_no, msg);
	if (s->ack) {
		printf("error %u %s\n", s->line_no, msg);
		fflush(stdout);
	}
}

static void
line_ok(struct session *s)
{
	if (s->ack) {
		printf("ok %u\n", s->line_no);
		fflush(stdout);
	}
}

/* ---- commands ------------------------------------------------------------------- */

static void
cmd_text(struct session *s, const char *text)
{
	int r = cli_type(&s->t, s->kbd, s->km, text, strlen(text), s->sigfd);
	const char *why = s->t.message[0] ? s->t.message : vhid_client_last_error(s->c);

	if (r == -EINTR)
		s->interrupted = true;
	if (r < 0)
		line_failed(s, "%s", r == -EINTR ? "interrupted; released every key" : why);
	else
		line_ok(s);
}

static int
held_index(const struct session *s, unsigned int code)
{
	for (int i = 0; i < s->n_held; i++)
		if (s->held[i] == code)
			return i;
	return -1;
}

static int
press(struct session *s, unsigned int code, bool down)
{
	int r = down ? vhid_key_press(s->kbd, code) : vhid_key_release(s->kbd, code);

	if (r < 0)
		line_failed(s, "%s", vhid_client_last_error(s->c));
	return r;
}

/* key: press the combination, then release it in reverse. */
static int
tap(struct session *s, const unsigned int *codes, int n)
{
	int r = 0;

	for (int i = 0; i < n && r == 0; i++)
		r = press(s, codes[i], true);
	for (int i = n - 1; i >= 0 && r == 0; i--)
		r = press(s, codes[i], false);
	return r;
}

/* keydown: press and remember; keyup: release what is remembered, last pressed first. */
static int
hold(struct session *s, const unsigned int *codes, int n, bool down)
{
	int r = 0;

	for (int k = 0; k < n && r == 0; k++) {
		int i = down ? k : n - 1 - k, at = held_index(s, codes[i]);
		if (down && at < 0 && s->n_held < HELD_MAX && (r = press(s, codes[i], true)) == 0)
			s->held[s->n_held++] = codes[i];
		else if (!down && at >= 0 && (r = press(s, codes[i], false)) == 0)
			s->held[at] = s->held[--s->n_held];
	}
	return r;
}

static void
cmd_keys(struct session *s, const char *verb, char *args)
{
	char *save = NULL, err[300];
	unsigned int codes[HELD_MAX];
	int r = 0;

	for (char *w = strtok_r(args, " \t", &save); w && r == 0;
	     w = strtok_r(NULL, " \t", &save)) {
		int n = vhid_key_parse(s->km, w, codes, HELD_MAX, err, sizeof(err));
		if (n < 0) {
			line_failed(s, "%s", err);
			return;
		}
		if (!strcmp(verb, "key"))
			r = tap(s, codes, n);
		else
			r = hold(s, codes, n, !strcmp(verb, "keydown"));
	}
	if (r == 0)
		line_ok(s);
}

static void
cmd_delay(struct session *s, const char *arg, bool typing)
{
	long long ms;

	if (parse_duration_ms(arg, &ms) < 0 || ms > (typing ? 10000 : 3600000))
		return line_failed(s, "bad %s '%s' (milliseconds)", typing ? "typedelay" : "delay",
				   arg);
	if (typing)
		vhid_device_set_type_delay(s->kbd, (unsigned int)ms);
	else if (hold_wait_holder(s->c, s->sigfd, -1, ms, &s->resume) == 1)
		s->interrupted = true;
	line_ok(s);
}

static void
cmd_layout(struct session *s, char *args)
{
	char *save = NULL, err[400];
	char *layout = strtok_r(args, " \t", &save), *variant = strtok_r(NULL, " \t", &save);
	struct vhid_keymap *km;

	if (!layout)
		return line_failed(s, "layout needs a name, e.g. 'layout de nodeadkeys'");
	if (!(km = cli_open_keymap(layout, variant, err, sizeof(err))))
		return line_failed(s, "%s", err);
	vhid_keymap_destroy(s->km);
	s->km = km;
	line_ok(s);
}

/* One line: "VERB ARGS"; "type" takes the rest of the line verbatim. */
static void
run_line(struct session *s, char *line)
{
	size_t verb_len = strcspn(line, " \t");
	char *args = line + verb_len + (line[verb_len] ? 1 : 0);

	s->line_no++;
	if (!line[0] || line[0] == '#')
		return;
	line[verb_len] = '\0';
	if (!strcmp(line, "type")) {
		s->n_held = 0; /* typing releases every held key first */
		cmd_text(s, args);
	} else if (!strcmp(line, "key") || !strcmp(line, "keydown") || !strcmp(line, "keyup"))
		cmd_keys(s, line, args);
	else if (!strcmp(line, "delay") || !strcmp(line, "typedelay"))
		cmd_delay(s, args, line[0] == 't');
	else if (!strcmp(line, "layout"))
		cmd_layout(s, args);
	else
		line_failed(s,
			    "unknown command '%s' (type, key, keydown, keyup, delay, typedelay, "
			    "layout)",
			    line);
}

/* After vhidd restarted: the keys keydown holds, on the new keyboard. */
static int
press_held(void *data, char *what, size_t len)
{
	struct session *s = data;

	for (int i = 0; i < s->n_held; i++)
		if (vhid_key_press(s->kbd, s->held[i]) < 0)
			return -EIO;
	snprintf(what, len, "the session goes on; %d held key%s pressed again", s->n_held,
		 s->n_held == 1 ? "" : "s");
	return 0;
}

/* ---- the loop --------------------------------------------------------------------- */

struct linebuf {
	char *buf;
	size_t len, cap;
};

/* Read what standard input has; run each complete line. false at the end of input. */
static bool
read_lines(struct session *s, struct linebuf *lb)
{
	char *nl;
	ssize_t n;

	if (lb->cap - lb->len < 4096) {
		size_t cap = lb->cap ? lb->cap * 2 : 8192;
		char *p = cap <= LINE_MAX_BYTES * 2 ? realloc(lb->buf, cap) : NULL;
		if (!p) {
			line_failed(s, "a line longer than %d bytes; dropped", LINE_MAX_BYTES);
			lb->len = 0;
			return true;
		}
		lb->buf = p;
		lb->cap = cap;
	}
	n = read(STDIN_FILENO, lb->buf + lb->len, lb->cap - lb->len - 1);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	lb->len += (size_t)n;
	lb->buf[lb->len] = '\0';
	while ((nl = memchr(lb->buf, '\n', lb->len)) && !s->interrupted) {
		size_t used = (size_t)(nl - lb->buf) + 1;
		*nl = '\0';
		run_line(s, lb->buf);
		memmove(lb->buf, lb->buf + used, lb->len - used + 1);
		lb->len -= used;
	}
	if (n == 0 && lb->len && !s->interrupted)
		run_line(s, lb->buf); /* the last line had no newline */
	return n > 0;
}

static int
session_loop(struct session *s)
{
	struct linebuf lb = {0};
	bool more = true;

	while (more && !s->interrupted) {
		struct pollfd p[3] = {{.fd = STDIN_FILENO, .events = POLLIN},
				      {.fd = vhid_client_get_fd(s->c), .events = POLLIN},
				      {.fd = s->sigfd, .events = POLLIN}};

		if (poll(p, s->sigfd >= 0 ? 3 : 2, -1) < 0 && errno != EINTR)
			break;
		if (p[2].revents)
			s->interrupted = true;
		else if (p[1].revents &&
			 (vhid_client_dispatch(s->c) == -ENOTCONN || resume_poll(&s->resume) < 0)) {
			free(lb.buf);
			return EXIT_FAIL;
		}
		if (p[0].revents && !s->interrupted)
			more = read_lines(s, &lb);
	}
	free(lb.buf);
	return s->failed ? EXIT_FAIL : EXIT_OK;
}

int
cmd_session(struct cli *cli)
{
	struct session_opts o = {0};
	struct session s = {.sigfd = -1};
	char err[400];
	int code;

	if ((code = parse_opts(cli, &o)) >= 0)
		return code;
	if (!(s.km = cli_open_keymap(o.kbd.layout, o.kbd.variant, err, sizeof(err))))
		return cli_error("%s", err);
	s.ack = o.ack;
	s.sigfd = hold_signals();
	if (!(s.kbd = cli_keyboard(cli, &o.kbd, &cli_typing_listener, &s.t, &s.c, &code)))
		goto out;
	resume_init(&s.resume, s.c, s.kbd, (int)o.kbd.wait_ms, press_held, &s);
	if (s.ack) {
		printf("ready %s\n", vhid_keymap_get_layout(s.km));
		fflush(stdout);
	}
	code = session_loop(&s);
	for (int i = s.n_held - 1; i >= 0; i--)
		vhid_key_release(s.kbd, s.held[i]);
out:
	vhid_client_destroy(s.c);
	vhid_keymap_destroy(s.km);
	if (s.sigfd >= 0)
		close(s.sigfd);
	return code;
}
