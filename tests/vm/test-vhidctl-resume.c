/*
 * test-vhidctl-resume: vhidctl's long-running modes live through a restart of
 * vhidd (issue 9: 0.1.0's `key --down` silently stopped holding, exit 0).
 * Each mode runs while vhidd is killed and started again, and must say on
 * stderr that vhidd went away and that it is back, and restore what it held:
 * `key --down` and `session`'s keydown hold the key again on the new keyboard
 * (read from the kernel with EVIOCGKEY), `leds --watch` re-reads the state and
 * goes on reporting changes, `log -f` follows the new daemon's log. Meanwhile
 * the old keyboard is gone, so nothing stays pressed.
 */
#include <fcntl.h>
#include <linux/input.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmcli.h"
#include "vmdaemon.h"

static struct vt_daemon daemon_;

/* Wait for a vhid keyboard with key down; open it in d. (A new keyboard may get
 * the old one's node name: the tests check that the old one went first.) */
static bool
held_on_keyboard(struct vt_dev *d, int key)
{
	char node[64];

	for (int i = 0; i < vt_bound(5000) / 20; i++, usleep(20000)) {
		if (!vt_proc_node("vhid keyboard", NULL, node, sizeof(node)))
			continue;
		if (vt_open_node(d, node) < 0)
			continue;
		if (vt_key_down(d, key))
			return true;
		vt_close_node(d);
	}
	return false;
}

static bool
gone(const char *node)
{
	for (int i = 0; i < vt_bound(5000) / 20; i++, usleep(20000))
		if (access(node, F_OK) < 0)
			return true;
	return false;
}

/* vhidctl ARGV... with a pipe on its stdin (*in), output read through p. */
static int
start(struct vt_cli_proc *p, int *in, const char *const *argv)
{
	const char *args[16] = {"vhidctl"};
	int out[2], input[2];

	for (int i = 0; argv[i] && i < 14; i++)
		args[i + 1] = argv[i];
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(input, O_CLOEXEC) < 0)
		return -1;
	p->len = p->from = 0;
	p->buf[0] = '\0';
	if ((p->pid = fork()) == 0) {
		dup2(input[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		execv(VT_VHIDCTL, (char *const *)args);
		_exit(127);
	}
	close(out[1]);
	close(input[0]);
	p->fd = out[0];
	*in = input[1];
	return p->pid > 0 ? 0 : -1;
}

/* Kill vhidd (sig), check what the mode says and that old is gone, start vhidd again. */
static bool
restart(const char *name, struct vt_cli_proc *p, int sig, const char *old)
{
	char check[96];
	bool ok;

	vt_daemon_stop(&daemon_, sig);
	snprintf(check, sizeof(check), "%s.says-gone", name);
	ok = vt_check(vt_cli_wait_for(p, "went away", 5000), check, "no word of it: %s", p->buf);
	if (old) {
		snprintf(check, sizeof(check), "%s.old-device-gone", name);
		ok &= vt_check(gone(old), check, "%s still there", old);
	}
	snprintf(check, sizeof(check), "%s.alive", name);
	ok &= vt_check(waitpid(p->pid, NULL, WNOHANG) == 0, check, "vhidctl exited: %s", p->buf);
	if (vt_daemon_start(&daemon_, NULL) < 0)
		return vt_check(false, "daemon.restart", "vhidd did not start again");
	return ok;
}

/* key --down holds shift through a crash of vhidd (NAME: the checks' prefix). */
static void
key_down(const char *name)
{
	const char *const argv[] = {"key", "--down", "--wait", "0", "shift", NULL};
	struct vt_cli_proc *p = calloc(1, sizeof(*p));
	struct vt_dev d;
	char old[64] = "", check[64];
	int in;

	start(p, &in, argv);
	snprintf(check, sizeof(check), "%s.held", name);
	vt_check(held_on_keyboard(&d, KEY_LEFTSHIFT), check, "%s", p->buf);
	vt_proc_node("vhid keyboard", NULL, old, sizeof(old));
	vt_close_node(&d);
	restart(name, p, SIGKILL, old); /* a crash: the kernel drops its devices */
	snprintf(check, sizeof(check), "%s.says-back", name);
	vt_check(vt_cli_wait_for(p, "reconnected to vhidd", 5000), check, "%s", p->buf);
	snprintf(check, sizeof(check), "%s.says-what", name);
	vt_check(strstr(p->buf, "holding shift again") != NULL, check, "%s", p->buf);
	snprintf(check, sizeof(check), "%s.held-again", name);
	if (vt_check(held_on_keyboard(&d, KEY_LEFTSHIFT), check, "%s", p->buf))
		vt_close_node(&d);
	snprintf(check, sizeof(check), "%s.exit", name);
	vt_check(vt_cli_stop(p, SIGTERM) == 0, check, "%s", p->buf);
	snprintf(check, sizeof(check), "vhidctl key --down (%s)", name);
	vt_print_output(check, p->buf);
	close(in);
	free(p);
}

static void
session(void)
{
	const char *const argv[] = {"session", "--wait", "0", NULL};
	struct vt_cli_proc *p = calloc(1, sizeof(*p));
	struct vt_dev d;
	char old[64] = "";
	int in;

	start(p, &in, argv);
	dprintf(in, "keydown shift\n");
	vt_check(held_on_keyboard(&d, KEY_LEFTSHIFT), "session.held", "%s", p->buf);
	vt_proc_node("vhid keyboard", NULL, old, sizeof(old));
	vt_close_node(&d);
	restart("session", p, SIGTERM, old);
	vt_check(vt_cli_wait_for(p, "reconnected to vhidd", 5000), "session.says-back", "%s",
		 p->buf);
	if (vt_check(held_on_keyboard(&d, KEY_LEFTSHIFT), "session.held-again", "%s", p->buf)) {
		dprintf(in, "keyup shift\nkey a\n");
		vt_check(vt_wait_event(&d, EV_KEY, KEY_A, 1, 5000), "session.types-again", "%s",
			 p->buf);
		vt_close_node(&d);
	}
	close(in);
	vt_check(vt_cli_stop(p, 0) == 0, "session.exit", "%s", p->buf);
	vt_print_output("vhidctl session", p->buf);
	free(p);
}

/* Light CapsLock on node, as a compositor does (an EV_LED write). */
static void
caps_on(const char *node)
{
	struct input_event ev[2] = {{.type = EV_LED, .code = LED_CAPSL, .value = 1},
				    {.type = EV_SYN, .code = SYN_REPORT}};
	int fd = open(node, O_WRONLY | O_CLOEXEC);

	if (fd >= 0 && write(fd, ev, sizeof(ev)) < 0)
		perror(node);
	if (fd >= 0)
		close(fd);
}

static void
leds_watch(void)
{
	const char *const argv[] = {"leds", "--watch", NULL};
	struct vt_cli_proc *p = calloc(1, sizeof(*p));
	char node[64] = "";
	int in;

	start(p, &in, argv);
	vt_check(vt_cli_wait_for(p, "NumLock off", 5000), "leds.state", "%s", p->buf);
	vt_proc_node("vhid keyboard", NULL, node, sizeof(node));
	restart("leds", p, SIGTERM, node);
	vt_check(vt_cli_wait_for(p, "reconnected to vhidd", 5000) &&
			 vt_cli_wait_for(p, "LEDs now", 1000),
		 "leds.says-back", "%s", p->buf);
	if (vt_check(vt_proc_node("vhid keyboard", NULL, node, sizeof(node)), "leds.new-keyboard",
		     "%s", p->buf))
		caps_on(node);
	vt_check(vt_cli_wait_for(p, "CapsLock on", 5000), "leds.watches-again", "%s", p->buf);
	vt_check(vt_cli_stop(p, SIGTERM) == 0, "leds.exit", "%s", p->buf);
	vt_print_output("vhidctl leds --watch", p->buf);
	close(in);
	free(p);
}

static void
log_follow(void)
{
	const char *const argv[] = {"log", "-f", NULL};
	struct vt_cli_proc *p = calloc(1, sizeof(*p));
	int in;

	start(p, &in, argv);
	vt_check(vt_cli_wait_for(p, "\n", 5000), "log.follows", "%s", p->buf); /* the ring so far */
	restart("log", p, SIGTERM, NULL);
	vt_check(vt_cli_wait_for(p, "vhidd is back", 5000), "log.says-back", "%s", p->buf);
	vt_check(vt_cli_stop(p, SIGTERM) == 0, "log.exit", "%s", p->buf);
	close(in);
	free(p);
}

/*
 * vhidd goes away between the press and its answer: the kernel has the key (the
 * shim stops vhidd right after that write), vhidctl is still waiting, and the
 * crash releases it. key --down must resume as from a loss during its hold, not
 * exit with "vhidd closed the connection".
 */
static void
key_down_unanswered(void)
{
	int r;

	vt_daemon_stop(&daemon_, SIGTERM);
	setenv("LD_PRELOAD", "/usr/lib/vhid-test/libvtfault.so", 1);
	setenv("VT_FAULT_STOP_INPUT", "1", 1);
	r = vt_daemon_start(&daemon_, NULL);
	unsetenv("LD_PRELOAD");
	unsetenv("VT_FAULT_STOP_INPUT");
	if (vt_check(r == 0, "unanswered.daemon.start", "vhidd with the shim did not start"))
		key_down("unanswered");
}

int
main(void)
{
	if (!vt_check(vt_daemon_start(&daemon_, NULL) == 0, "daemon.start", "vhidd did not start"))
		return vt_finish();
	key_down("key-down");
	session();
	leds_watch();
	log_follow();
	key_down_unanswered();
	vt_daemon_stop(&daemon_, SIGTERM);
	return vt_finish();
}
