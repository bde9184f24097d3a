/*
 * bench-typing.c - typing: 1000 mixed printable ASCII characters with
 * `vhidctl type`, with libvhid's typing API from C (the blocking call, and a
 * typing job driven by dispatch) and from Python (vhid.Keyboard.type), then
 * with `ydotool type` at its default delays and at zero delay. What reached evdev is decoded back
 * through xkbcommon (xkbdecode.c, like a compositor) and compared with the text by edit distance
 * (Levenshtein: a lost or doubled character counts once, not as a shifted tail).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "vmtest.h"
#include "xkbdecode.h"

#define QUIET_MS 300

struct typing {
	const char *name;
	uint64_t spawn_ns, first_ns, last_ns, exit_ns;
	int events, status;
	size_t errors, decoded;
};

/* Every printable ASCII character, mixed, from a fixed seed. */
static void
mixed_text(char *out, size_t n)
{
	vt_mixed_ascii(out, n, 20240611);
	/* the text is one argument: it must not look like an option */
	if (n && (out[0] == '-' || out[0] == ' '))
		out[0] = 'x';
}

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = calloc(lb + 1, sizeof(size_t)), d;

	if (!row)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	d = row[lb];
	free(row);
	return d;
}

/* Decode key events until the typist has exited and the node has been quiet. */
static void
decode(pid_t pid, struct evreader *rd, struct xkb_decoder *dec, struct typing *t)
{
	struct input_event ev;
	uint64_t deadline =
		monotonic_ns() + (30000ull + 100ull * (uint64_t)bench_opts.chars) * 1000000ull;
	bool exited = false;
	int st;

	t->status = -1;
	for (int quiet = 0; quiet < 2;) {
		if (!exited && monotonic_ns() > deadline) {
			printf("# %s did not finish in time: killed\n", t->name);
			kill(pid, SIGKILL);
		}
		int k = evr_next(rd, &ev, QUIET_MS);
		if (k > 0 && ev.type == EV_KEY && ev.value != 2) {
			xkb_decoder_key(dec, ev.code, ev.value);
			t->last_ns = monotonic_ns();
			if (!t->events++)
				t->first_ns = t->last_ns;
		}
		if (!exited && waitpid(pid, &st, WNOHANG) == pid) {
			exited = true;
			t->exit_ns = monotonic_ns();
			t->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		if (k < 0 && exited) /* the device is gone: vhidctl's keyboard ends with it */
			break;
		quiet = exited && k == 0 ? quiet + 1 : 0;
	}
}

static void
emit(struct typing *t, size_t chars, int dropped)
{
	struct bench_json j;
	double span_ms = t->events > 1 ? (t->last_ns - t->first_ns) / 1e6 : 0;
	/* the command may exit before its last events are read (ydotool does) */
	double wall_ms = ((t->exit_ns > t->last_ns ? t->exit_ns : t->last_ns) - t->spawn_ns) / 1e6;

	bj_begin(&j, "typing", t->name);
	bj_int(&j, "chars", (long long)chars);
	bj_int(&j, "errors", (long long)t->errors);
	bj_str(&j, "error_metric", "levenshtein");
	bj_int(&j, "decoded_chars", (long long)t->decoded);
	bj_int(&j, "key_events", t->events);
	bj_num(&j, "span_ms", span_ms);
	bj_num(&j, "wall_ms", wall_ms);
	bj_num(&j, "chars_per_s", span_ms > 0 ? chars / (span_ms / 1e3) : 0);
	bj_int(&j, "exit", t->status);
	bj_int(&j, "syn_dropped", dropped);
	bj_emit(&j);
	printf("# typing %-17s %zu chars: %zu wrong, first to last key %.0f ms, command %.0f ms (exit %d)\n",
	       t->name, chars, t->errors, span_ms, wall_ms, t->status);
}

static void
finish(struct typing *t, struct xkb_decoder *dec, const char *text)
{
	const char *got = xkb_decoder_text(dec);

	t->decoded = strlen(got);
	t->errors = edit_distance(text, got);
	if (t->errors)
		printf("# %s decoded \"%.60s\"...\n", t->name, got);
}

static void
type_vhidctl(const char *text)
{
	const char *const argv[] = {"/usr/bin/vhidctl", "type", "--layout", "us", text, NULL};
	struct typing t = {.name = "vhidctl"};
	struct xkb_decoder *dec;
	struct evreader rd;
	int watch = bench_watch_nodes();
	const char *node;
	pid_t pid;

	if (xkb_decoder_new("us", NULL, &dec) < 0)
		return vt_fail("bench.typing.vhidctl", "no xkb decoder for us");
	t.spawn_ns = monotonic_ns();
	pid = bench_spawn(argv, "/tmp/vhidctl-type.out");
	node = bench_next_node(watch, "vhid keyboard", vt_bound(5000));
	close(watch);
	/* opening the node makes us the reader vhidctl waits for */
	if (!node[0] || evr_open(&rd, node) < 0) {
		bench_reap(pid, vt_bound(5000));
		bench_show_file("/tmp/vhidctl-type.out", 5);
		xkb_decoder_free(dec);
		return vt_fail("bench.typing.vhidctl", "no keyboard appeared");
	}
	decode(pid, &rd, dec, &t);
	finish(&t, dec, text);
	emit(&t, strlen(text), rd.dropped);
	vt_check(t.errors == 0 && t.status == 0, "bench.typing.vhidctl",
		 "%zu wrong characters, exit %d", t.errors, t.status);
	evr_close(&rd);
	xkb_decoder_free(dec);
}

/* ---- libvhid's typing API, in a child process like the other typists ---- */

static bool typed_done;

static void
on_typed(struct vhid_client *c, struct vhid_device *d, unsigned int job, int error,
	 const char *message, void *data)
{
	typed_done = true;
	*(int *)data = error;
}

static int
child_type(const char *text, bool job)
{
	static const struct vhid_client_listener l = {.size = sizeof(l), .typed = on_typed};
	struct vhid_device_params p = {.kind = VHID_DEVICE_KEYBOARD, .name = "bench api keyboard"};
	struct vhid_rmlvo names = {.size = sizeof(names), .layout = "us"};
	struct vhid_keymap *km = NULL;
	struct vhid_client *c;
	struct vhid_device *kbd;
	int r = 0;

	if (vhid_keymap_new(&names, VHID_KEYMAP_NO_DETECT, &km, NULL, 0) < 0 ||
	    vhid_client_new("bench-api", &l, &r, &c) < 0 || vhid_client_connect(c, NULL) < 0 ||
	    vhid_device_create(c, &p, &kbd) < 0 || vhid_device_wait_ready(kbd, 5000) < 0 ||
	    vhid_device_wait_reader(kbd, 5000) < 0)
		return 1;
	if (!job)
		return vhid_device_type(kbd, km, text, strlen(text)) < 0;
	if (vhid_device_type_start(kbd, km, text, strlen(text), NULL) < 0)
		return 1;
	while (!typed_done) {
		struct pollfd pfd = {.fd = vhid_client_get_fd(c), .events = POLLIN};
		poll(&pfd, 1, 1000);
		vhid_client_dispatch(c);
	}
	vhid_client_destroy(c);
	return r != 0;
}

static const char py_script[] =
	"import sys, vhid\n"
	"c = vhid.Client('bench-python')\n"
	"k = c.keyboard('bench python keyboard', keymap=vhid.Keymap('us', detect=False),"
	" wait_reader=5)\n"
	"k.type(sys.argv[1])\n";

/* One typist of the API: fork (C) or python3 (Python); decode what its keyboard made. */
static void
type_api(const char *name, const char *devname, const char *text, int mode)
{
	const char *const py[] = {"/usr/bin/python3", "-c", py_script, text, NULL};
	struct typing t = {.name = name};
	struct xkb_decoder *dec;
	struct evreader rd;
	char label[64];
	int watch = bench_watch_nodes();
	const char *node;
	pid_t pid;

	snprintf(label, sizeof(label), "bench.typing.%s", name);
	if (xkb_decoder_new("us", NULL, &dec) < 0)
		return vt_fail(label, "no xkb decoder for us");
	t.spawn_ns = monotonic_ns();
	if (mode == 2) {
		pid = bench_spawn(py, "/tmp/python-type.out");
	} else {
		fflush(stdout);
		if ((pid = fork()) == 0)
			_exit(child_type(text, mode == 1));
	}
	node = bench_next_node(watch, devname, 60000); /* python3 starts slowly under TCG */
	close(watch);
	if (!node[0] || evr_open(&rd, node) < 0) {
		bench_reap(pid, 5000);
		xkb_decoder_free(dec);
		return vt_fail(label, "no keyboard appeared");
	}
	decode(pid, &rd, dec, &t);
	finish(&t, dec, text);
	emit(&t, strlen(text), rd.dropped);
	/* SYN_DROPPED: the kernel had the events and the reader (this process, on the one
	 * busy vCPU) lost them; exactness itself is test-typing-api's and test-python-*'s */
	if (t.errors && rd.dropped)
		printf("# %s: the reader lost events (SYN_DROPPED): its wrong characters are not "
		       "the typist's\n",
		       name);
	vt_check((t.errors == 0 || rd.dropped) && t.status == 0, label,
		 "%zu wrong characters, exit %d", t.errors, t.status);
	evr_close(&rd);
	xkb_decoder_free(dec);
}

static void
type_ydotool(struct evreader *rd, const char *name, const char *const *args, const char *text)
{
	struct typing t = {.name = name};
	struct xkb_decoder *dec;
	char label[64];

	if (xkb_decoder_new("us", NULL, &dec) < 0)
		return;
	evr_drain(rd, 0);
	t.spawn_ns = monotonic_ns();
	decode(ydotool_spawn(args), rd, dec, &t);
	finish(&t, dec, text);
	if (t.status != 0)
		bench_show_file("/tmp/ydotool.out", 5);
	emit(&t, strlen(text), rd->dropped);
	snprintf(label, sizeof(label), "bench.typing.%s", name);
	/* its wrong characters are a finding about ydotool, not a failure of the run */
	vt_check(t.status == 0 && t.events > 0, label, "exit %d, %d key events", t.status,
		 t.events);
	xkb_decoder_free(dec);
}

static void
ydotool_typing(const char *text)
{
	const char *const dflt[] = {"type", text, NULL};
	const char *const zero[] = {"type", "--delay", "0", "--key-delay", "0", text, NULL};
	struct evreader rd;
	char why[256];

	if (!ydotool_start(&rd, why, sizeof(why))) {
		bench_note("typing_speedup_vs_ydotool_default", "ydotool was not measured: %s",
			   why);
		return;
	}
	type_ydotool(&rd, "ydotool_default", dflt, text);
	type_ydotool(&rd, "ydotool_zero_delay", zero, text);
	ydotool_stop(&rd);
}

void
bench_typing(void)
{
	size_t n = (size_t)bench_opts.chars;
	char *text = malloc(n + 1);

	if (!text)
		return;
	mixed_text(text, n);
	type_vhidctl(text);
	type_api("libvhid_blocking", "bench api keyboard", text, 0);
	type_api("libvhid_job", "bench api keyboard", text, 1);
	if (access("/usr/bin/python3", X_OK) == 0)
		type_api("python", "bench python keyboard", text, 2);
	if (bench_opts.ydotool)
		ydotool_typing(text);
	else
		bench_note("typing_speedup_vs_ydotool_default",
			   "ydotool was not measured (disabled for this run)");
	free(text);
}
