/* vmdaemon.c - see vmdaemon.h. */
#include "vmdaemon.h"
#include "xkbdecode.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/input.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int
vt_daemon_start(struct vt_daemon *d, const char *const *args)
{
	int pfd[2];
	char fdarg[16], c;
	/* VT_VHIDD_BIN: another vhidd, e.g. the previous release's (test-compat) */
	const char *bin = getenv("VT_VHIDD_BIN");
	const char *argv[32] = {bin ? bin : "/usr/bin/vhidd", "--ready-fd", fdarg};
	int n = 3;

	if (pipe(pfd) < 0)
		return -errno;
	snprintf(fdarg, sizeof(fdarg), "%d", pfd[1]);
	/* released devices are not kept for their owner, and there is no standby
	 * keyboard (DESIGN §9), unless a test asks: most tests expect a new device
	 * from each create, and no device they did not make */
	if (!bin) {
		argv[n++] = "--keep-ms";
		argv[n++] = "0";
	}
	/* VT_STANDBY_POLICY: the policy file decides (test-daemon-standby's reloads) */
	if (!bin && !getenv("VT_STANDBY_POLICY")) {
		argv[n++] = "--standby-keyboard";
		argv[n++] = "no";
	}
	for (int i = 0; args && args[i] && n < 30; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	d->pid = fork();
	if (d->pid == 0) {
		close(pfd[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	struct pollfd p = {.fd = pfd[0], .events = POLLIN};
	int ok = poll(&p, 1, vt_bound(5000)) == 1 && read(pfd[0], &c, 1) == 1;
	close(pfd[0]);
	if (!ok) {
		int st;
		kill(d->pid, SIGKILL);
		waitpid(d->pid, &st, 0);
		d->pid = 0;
		return -EIO;
	}
	return 0;
}

int
vt_daemon_stop(struct vt_daemon *d, int sig)
{
	int st;

	if (d->pid <= 0)
		return -1;
	kill(d->pid, sig);
	/* bounded: a daemon that ignores SIGTERM fails the test instead of hanging it */
	for (uint64_t end = monotonic_ms() + (uint64_t)vt_bound(5000); monotonic_ms() < end;) {
		if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
			d->pid = 0;
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		usleep(10000);
	}
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &st, 0);
	d->pid = 0;
	return -1;
}

void
vt_write_policy(const char *text)
{
	char dir[sizeof(VT_CONFIG)] = VT_CONFIG;
	FILE *f;

	/* its directories, e.g. /usr/local/etc/vhid for the default prefix */
	for (char *p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	f = fopen(VT_CONFIG, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

struct vhid_client *
vt_connect_root(const char *name)
{
	struct vhid_client *c;

	vhid_client_new(name, NULL, NULL, &c);
	if (vhid_client_connect(c, NULL) < 0) {
		vt_fail("connect", "%s", vhid_client_last_error(c));
		vhid_client_destroy(c);
		return NULL;
	}
	return c;
}

struct vhid_device *
vt_keyboard(struct vhid_client *c, const char *name)
{
	return vt_device(c, VHID_DEVICE_KEYBOARD, name);
}

struct vhid_device *
vt_device(struct vhid_client *c, enum vhid_device_kind kind, const char *name)
{
	struct vhid_device_params p = {.kind = kind, .name = name};
	struct vhid_device *d;

	if (vhid_device_create(c, &p, &d) < 0 || vhid_device_wait_ready(d, vt_bound(5000)) < 0)
		return NULL;
	return d;
}

bool
vt_caps_lock_seen(struct vhid_client *c, struct vhid_device *kb, int timeout_ms)
{
	uint64_t end = monotonic_ms() + (uint64_t)vt_bound(timeout_ms);
	struct pollfd p = {.fd = vhid_client_get_fd(c), .events = POLLIN};

	while (!(vhid_device_get_leds(kb) & VHID_LED_CAPS_LOCK) && monotonic_ms() < end) {
		poll(&p, 1, (int)(end - monotonic_ms()));
		vhid_client_dispatch(c);
	}
	return vhid_device_get_leds(kb) & VHID_LED_CAPS_LOCK;
}

bool
vt_proc_node(const char *name, const char *phys, char *node, size_t len)
{
	char line[512], want_name[160], want_phys[96];
	bool named = false, in = false, hit = false;
	FILE *f = fopen("/proc/bus/input/devices", "re");

	snprintf(want_name, sizeof(want_name), "N: Name=\"%s\"\n", name);
	snprintf(want_phys, sizeof(want_phys), "P: Phys=%s\n", phys ? phys : "");
	while (f && fgets(line, sizeof(line), f)) {
		const char *ev;
		if (!strncmp(line, "N: ", 3))
			in = named = strcmp(line, want_name) == 0;
		if (!strncmp(line, "P: ", 3) && phys)
			in = named && strcmp(line, want_phys) == 0;
		if (in && !strncmp(line, "H: ", 3) && (ev = strstr(line, "event"))) {
			snprintf(node, len, "/dev/input/%.*s", (int)strcspn(ev, " \n"), ev);
			hit = true;
		}
	}
	if (f)
		fclose(f);
	return hit;
}

/* ---- the agent (runs in the child) ----------------------------------------- */

struct agent {
	struct vhid_client *client;
	struct vhid_device *dev;       /* the last created device */
	struct vhid_device *kbd, *ptr; /* the last keyboard; the last pointer or absolute */
	struct vhid_keymap *keymap;    /* "us", for typing */
	int ready, lease, leds_events, reconnected, disconnected, gone, typed;
	/* how many of each a "wait" has already consumed: events that came
	 * before the wait command count, each at most once */
	int seen[7];
	int gone_error, typed_error; /* of the last device_gone and typed events */
	char loop_text[256];         /* "typeloop": typed again each time it ends well */
	bool restart;
	unsigned int leds;
	/* the longest time the agent's loop went without running (ms): a client
	 * the machine starves cannot heartbeat, and its lease rightly expires */
	uint64_t last_run_ms, max_gap_ms;
};

static void
ran(struct agent *a)
{
	uint64_t now = monotonic_ms();

	if (a->last_run_ms && now - a->last_run_ms > a->max_gap_ms)
		a->max_gap_ms = now - a->last_run_ms;
	a->last_run_ms = now;
}

static void
on_ready(struct vhid_client *c, struct vhid_device *d, void *data)
{
	((struct agent *)data)->ready++;
}

static void
on_leds(struct vhid_client *c, struct vhid_device *d, unsigned int leds, void *data)
{
	((struct agent *)data)->leds_events++;
	((struct agent *)data)->leds = leds;
}

static void
on_lease(struct vhid_client *c, void *data)
{
	((struct agent *)data)->lease++;
}

static void
on_disconnected(struct vhid_client *c, int err, void *data)
{
	((struct agent *)data)->disconnected++;
}

static void
on_reconnected(struct vhid_client *c, void *data)
{
	((struct agent *)data)->reconnected++;
}

static void
on_gone(struct vhid_client *c, struct vhid_device *d, int error, void *data)
{
	((struct agent *)data)->gone++;
	((struct agent *)data)->gone_error = error;
}

static void
on_typed(struct vhid_client *c, struct vhid_device *d, unsigned int job, int error,
	 const char *message, void *data)
{
	struct agent *a = data;

	if (a->loop_text[0] && error == 0) {
		a->restart = true; /* from the loop: not inside the library's callback */
		return;
	}
	a->loop_text[0] = '\0';
	a->typed++;
	a->typed_error = error;
}

static const struct vhid_client_listener agent_listener = {
	.size = sizeof(agent_listener),
	.ready = on_ready,
	.leds = on_leds,
	.lease_expired = on_lease,
	.disconnected = on_disconnected,
	.reconnected = on_reconnected,
	.device_gone = on_gone,
	.typed = on_typed,
};

static void
say(int fd, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(fd, buf, (size_t)n) < 0)
		_exit(3);
}

static int
result(int fd, struct agent *a, int r)
{
	if (r >= 0)
		say(fd, "ok");
	else
		say(fd, "err %d %s", r, vhid_client_last_error(a->client));
	return r;
}

static int *
counter(struct agent *a, const char *what, int **seen)
{
	static const char *const names[] = {"ready",        "lease", "leds", "reconnected",
					    "disconnected", "gone",  "typed"};
	int *counts[] = {&a->ready,        &a->lease, &a->leds_events, &a->reconnected,
			 &a->disconnected, &a->gone,  &a->typed};

	for (int i = 0; i < 7; i++)
		if (!strcmp(what, names[i])) {
			*seen = &a->seen[i];
			return counts[i];
		}
	return NULL;
}

/* Dispatch until *count passes `start` or the timeout ends. */
static bool
wait_count(struct agent *a, int *count, int start, int timeout_ms)
{
	uint64_t end = monotonic_ms() + (uint64_t)vt_bound(timeout_ms);

	while (*count <= start && monotonic_ms() < end) {
		struct pollfd p = {.fd = vhid_client_get_fd(a->client), .events = POLLIN};
		poll(&p, 1, (int)(end - monotonic_ms()));
		ran(a);
		vhid_client_dispatch(a->client);
	}
	return *count > start;
}

/* "create KIND [NAME]": the name is the rest of the line */
static void
agent_create(struct agent *a, const char *what, const char *line, int out)
{
	const char *name = strchr(line + 7, ' ');
	struct vhid_device_params p = {.kind = !strcmp(what, "pointer")    ? VHID_DEVICE_POINTER
					       : !strcmp(what, "absolute") ? VHID_DEVICE_ABSOLUTE
									   : VHID_DEVICE_KEYBOARD,
				       .name = name ? name + 1 : NULL};
	int r = vhid_device_create(a->client, &p, &a->dev);

	if (r == 0)
		r = vhid_device_wait_ready(a->dev, vt_bound(5000));
	if (r < 0) {
		result(out, a, r);
		return;
	}
	*(p.kind == VHID_DEVICE_KEYBOARD ? &a->kbd : &a->ptr) = a->dev;
	a->seen[0] = a->ready; /* this ready is consumed: "wait ready" waits for the next */
	say(out, "ok %s", vhid_device_get_evdev(a->dev));
}

/* "type TEXT" (blocking), "typestart TEXT" (a job; "wait typed" says how it ended),
 * "typeloop TEXT" (a job started again each time it ends well, until one fails) */
static void
agent_type(struct agent *a, const char *text, bool job, int out)
{
	struct vhid_rmlvo names = {.size = sizeof(names), .layout = "us"};
	char msg[300];

	if (!a->keymap &&
	    vhid_keymap_new(&names, VHID_KEYMAP_NO_DETECT, &a->keymap, msg, sizeof(msg)) < 0) {
		say(out, "err -22 no keymap: %s", msg);
		return;
	}
	result(out, a,
	       job ? vhid_device_type_start(a->kbd, a->keymap, text, strlen(text), NULL)
		   : vhid_device_type(a->kbd, a->keymap, text, strlen(text)));
}

static const char *
evdev_or_dash(struct vhid_device *d)
{
	return d && vhid_device_get_evdev(d) ? vhid_device_get_evdev(d) : "-";
}

static void
agent_command(struct agent *a, char *line, int out)
{
	char what[32] = "";
	int x = 0, y = 0;
	/* press/release go to the keyboard, button/move to the pointer, when there are both */
	struct vhid_device *kbd = a->kbd ? a->kbd : a->dev, *ptr = a->ptr ? a->ptr : a->dev;

	if (!strncmp(line, "connect", 7)) {
		result(out, a, vhid_client_connect(a->client, NULL));
	} else if (sscanf(line, "create %31s", what) == 1) {
		agent_create(a, what, line, out);
	} else if (!strncmp(line, "typeloop ", 9)) {
		snprintf(a->loop_text, sizeof(a->loop_text), "%s", line + 9);
		agent_type(a, a->loop_text, true, out);
	} else if (!strncmp(line, "typestart ", 10) || !strncmp(line, "type ", 5)) {
		agent_type(a, strchr(line, ' ') + 1, line[4] == 's', out);
	} else if (sscanf(line, "press %i", &x) == 1) {
		result(out, a, vhid_keyboard_press_usage(kbd, (uint16_t)x));
	} else if (sscanf(line, "release %i", &x) == 1) {
		result(out, a, vhid_keyboard_release_usage(kbd, (uint16_t)x));
	} else if (sscanf(line, "button %i %i", &x, &y) == 2) {
		result(out, a,
		       y ? vhid_pointer_press(ptr, (unsigned)x)
			 : vhid_pointer_release(ptr, (unsigned)x));
	} else if (sscanf(line, "move %i %i", &x, &y) == 2) {
		result(out, a, vhid_pointer_move(ptr, x, y));
	} else if (sscanf(line, "reconnect %i", &x) == 1) {
		result(out, a, vhid_client_set_reconnect(a->client, x));
	} else if (sscanf(line, "wait %31s %i", what, &x) == 2) {
		int *seen, *cnt = counter(a, what, &seen);
		if (!cnt) {
			say(out, "err -22 unknown event %s", what);
		} else if (wait_count(a, cnt, *seen, x)) {
			(*seen)++;
			/* gone and typed say with which error */
			if (cnt == &a->gone || cnt == &a->typed)
				say(out, "ok %d", cnt == &a->gone ? a->gone_error : a->typed_error);
			else
				say(out, "ok");
		} else {
			say(out, "err -110 no %s event within %d ms", what, x);
		}
	} else if (!strncmp(line, "maxgap", 6)) {
		say(out, "ok %llu", (unsigned long long)a->max_gap_ms);
		a->max_gap_ms = 0;
	} else if (!strncmp(line, "leds", 4)) {
		say(out, "ok %u", a->dev ? vhid_device_get_leds(a->dev) : 0);
	} else if (!strncmp(line, "nodes", 5)) {
		say(out, "ok %s %s", evdev_or_dash(a->kbd), evdev_or_dash(a->ptr));
	} else if (!strncmp(line, "node", 4)) {
		say(out, "ok %s",
		    a->dev && vhid_device_get_evdev(a->dev) ? vhid_device_get_evdev(a->dev) : "-");
	} else if (!strncmp(line, "quit", 4)) {
		say(out, "ok");
		vhid_client_destroy(a->client);
		_exit(0);
	} else {
		say(out, "err -22 unknown command: %s", line);
	}
}

static void
agent_main(int in, int out, const char *name)
{
	struct agent a = {0};
	char line[256];
	size_t len = 0;

	if (vhid_client_new(name, &agent_listener, &a, &a.client) < 0)
		_exit(2);
	for (;;) {
		struct pollfd p[2] = {{.fd = in, .events = POLLIN},
				      {.fd = vhid_client_get_fd(a.client), .events = POLLIN}};
		poll(p, 2, -1);
		ran(&a);
		if (p[1].revents)
			vhid_client_dispatch(a.client);
		if (a.restart) {
			a.restart = false;
			int r = vhid_device_type_start(a.kbd, a.keymap, a.loop_text,
						       strlen(a.loop_text), NULL);
			if (r < 0) /* ended, as a failed job would */
				on_typed(a.client, a.kbd, 0, r, "", &a);
		}
		if (!p[0].revents)
			continue;
		ssize_t n = read(in, line + len, sizeof(line) - 1 - len);
		if (n <= 0)
			_exit(0);
		len += (size_t)n;
		line[len] = '\0';
		char *nl;
		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			agent_command(&a, line, out);
			memmove(line, nl + 1, strlen(nl + 1) + 1);
			len = strlen(line);
		}
	}
}

int
vt_agent_spawn(struct vt_agent *a, const char *name, unsigned int uid, unsigned int gid,
	       const unsigned int *groups, int n_groups)
{
	int down[2], up[2];

	memset(a, 0, sizeof(*a));
	if (pipe(down) < 0 || pipe(up) < 0)
		return -errno;
	fflush(stdout);
	a->pid = fork();
	if (a->pid == 0) {
		gid_t g[32];
		close(down[1]);
		close(up[0]);
		if (uid) {
			for (int i = 0; i < n_groups && i < 32; i++)
				g[i] = groups[i];
			if (setgroups((size_t)n_groups, g) < 0 || setgid(gid) < 0 ||
			    setuid(uid) < 0)
				_exit(4);
		}
		agent_main(down[0], up[1], name);
	}
	close(down[0]);
	close(up[1]);
	a->to_child = down[1];
	a->from_child = up[0];
	return a->pid > 0 ? 0 : -errno;
}

int
vt_agent_send(struct vt_agent *a, const char *fmt, ...)
{
	char cmd[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || n > (int)sizeof(cmd) - 2)
		return -1;
	cmd[n++] = '\n';
	snprintf(a->last_cmd, sizeof(a->last_cmd), "%.15s", cmd);
	return write(a->to_child, cmd, (size_t)n) == n ? 0 : -1;
}

int
vt_agent_answer(struct vt_agent *a, char *answer, size_t len, int timeout_ms)
{
	char buf[512];
	size_t got = 0;

	uint64_t end = monotonic_ms() + (uint64_t)vt_bound(timeout_ms);
	while (!memchr(buf, '\n', got)) {
		struct pollfd p = {.fd = a->from_child, .events = POLLIN};
		uint64_t now = monotonic_ms();
		if (now >= end || poll(&p, 1, (int)(end - now)) <= 0)
			return -1;
		ssize_t r = read(a->from_child, buf + got, sizeof(buf) - 1 - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	buf[got] = '\0';
	*strchr(buf, '\n') = '\0';
	if (answer)
		snprintf(answer, len, "%s", buf);
	if (!strncmp(buf, "ok", 2)) {
		if (!strncmp(a->last_cmd, "create", 6))
			sscanf(buf, "ok %63s", a->node);
		return 0;
	}
	return 1;
}

int
vt_agent_cmd(struct vt_agent *a, char *answer, size_t len, int timeout_ms, const char *fmt, ...)
{
	char cmd[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(cmd) - 1 || vt_agent_send(a, "%s", cmd) < 0)
		return -1;
	return vt_agent_answer(a, answer, len, timeout_ms);
}

int
vt_agent_keyboard(struct vt_agent *a, const char *name, struct vt_dev *node)
{
	vt_agent_spawn(a, name, 0, 0, NULL, 0);
	if (vt_agent_cmd(a, NULL, 0, 3000, "connect") ||
	    vt_agent_cmd(a, NULL, 0, 3000, "create keyboard") || vt_open_node(node, a->node) < 0)
		return -1;
	return 0;
}

void
vt_agent_kill(struct vt_agent *a)
{
	int st;

	if (a->pid <= 0)
		return;
	kill(a->pid, SIGKILL);
	waitpid(a->pid, &st, 0);
	close(a->to_child);
	close(a->from_child);
	a->pid = 0;
}

void
vt_agent_quit(struct vt_agent *a)
{
	int st;

	if (a->pid <= 0)
		return;
	vt_agent_cmd(a, NULL, 0, 2000, "quit");
	waitpid(a->pid, &st, 0);
	close(a->to_child);
	close(a->from_child);
	a->pid = 0;
}

int
vt_open_node(struct vt_dev *d, const char *node)
{
	memset(d, 0, sizeof(*d));
	d->evfd = -1;
	return vt_open_evdev_path(d, node);
}

void
vt_close_node(struct vt_dev *d)
{
	vt_destroy(d);
}

bool
vt_key_down(struct vt_dev *d, int code)
{
	unsigned long bits[KEY_CNT / (8 * sizeof(long)) + 1] = {0};

	ioctl(d->evfd, EVIOCGKEY(sizeof(bits)), bits);
	return (bits[code / (8 * sizeof(long))] >> (code % (8 * sizeof(long)))) & 1;
}

static void
decode_frames(struct vt_dev *node, struct xkb_decoder *dec, int timeout_ms)
{
	struct input_event ev[64];
	int n = vt_read_frame(node, ev, 64, timeout_ms);

	for (int i = 0; i < n; i++)
		if (ev[i].type == EV_KEY)
			xkb_decoder_key(dec, ev[i].code, ev[i].value);
}

bool
vt_agent_types(struct vt_agent *a, struct vt_dev *node, const char *text, const char *name)
{
	struct xkb_decoder *dec;
	char ans[256] = "";
	int error = -1;

	if (xkb_decoder_new("us", NULL, &dec) < 0) {
		vt_fail(name, "no xkb decoder for \"us\"");
		return false;
	}
	bool ok = vt_agent_cmd(a, ans, sizeof(ans), 2000, "typestart %s", text) == 0;
	/* 20 ms per character on an idle machine is ample; only a failure waits it out */
	uint64_t end = monotonic_ms() + (uint64_t)vt_bound(1000 + 20 * (int)strlen(text));
	while (ok && strlen(xkb_decoder_text(dec)) < strlen(text) && monotonic_ms() < end)
		decode_frames(node, dec, 100);
	if (ok && vt_agent_cmd(a, ans, sizeof(ans), 2000, "wait typed 2000") == 0)
		sscanf(ans, "ok %d", &error);
	decode_frames(node, dec, 0); /* the last releases, if still unread */
	ok = vt_check(ok && error == 0 && !strcmp(xkb_decoder_text(dec), text), name,
		      "typed \"%s\", the node gave \"%s\" (agent: %s)", text, xkb_decoder_text(dec),
		      ans);
	xkb_decoder_free(dec);
	return ok;
}

int
vt_held_key(int fd)
{
	unsigned long bits[KEY_CNT / (8 * sizeof(long)) + 1] = {0};

	if (ioctl(fd, EVIOCGKEY(sizeof(bits)), bits) < 0)
		return -1;
	for (int k = 0; k < KEY_CNT; k++)
		if ((bits[k / (8 * sizeof(long))] >> (k % (8 * sizeof(long)))) & 1)
			return k;
	return -1;
}

bool
vt_node_gone(struct vt_dev *d, const char *path, int timeout_ms)
{
	struct input_event ev;
	struct stat st;
	uint64_t end = monotonic_ms() + (uint64_t)vt_bound(timeout_ms);
	int r;

	while ((r = vt_read_frame(d, &ev, 1, 100)) != -ENODEV && monotonic_ms() < end)
		;
	/* devtmpfs unlinks the node just after evdev hangs up its readers */
	while (stat(path, &st) == 0 && monotonic_ms() < end)
		usleep(10000);
	return r == -ENODEV && stat(path, &st) < 0 && errno == ENOENT;
}
