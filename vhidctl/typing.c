/*
 * typing.c - how `type` and `session` type: libvhid's typing jobs, driven by
 * a poll loop that also watches for signals. A blocking vhid_device_type()
 * could not be interrupted; a job is cancelled, and libvhid releases its keys.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "vhidctl.h"

static void
on_typed(struct vhid_client *c, struct vhid_device *d, unsigned int job, int error,
	 const char *message, void *data)
{
	struct cli_typing *t = data;

	if (job != t->job)
		return;
	t->done = true;
	t->error = error;
	snprintf(t->message, sizeof(t->message), "%s", message);
}

const struct vhid_client_listener cli_typing_listener = {
	.size = sizeof(cli_typing_listener),
	.typed = on_typed,
};

int
cli_type(struct cli_typing *t, struct vhid_device *kbd, struct vhid_keymap *km, const char *text,
	 size_t len, int sigfd)
{
	struct vhid_client *c = vhid_device_get_client(kbd);
	int r;

	t->done = false;
	t->message[0] = '\0';
	if ((r = vhid_device_type_start(kbd, km, text, len, &t->job)) < 0)
		return r;
	while (!t->done) {
		struct pollfd p[2] = {{.fd = vhid_client_get_fd(c), .events = POLLIN},
				      {.fd = sigfd, .events = POLLIN}};

		if (poll(p, sigfd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			return -errno;
		if (sigfd >= 0 && p[1].revents) {
			vhid_device_type_cancel(kbd);
			vhid_client_dispatch(c);
			return -EINTR;
		}
		if (vhid_client_dispatch(c) == -ENOTCONN && !t->done)
			return -ENOTCONN;
	}
	return t->error;
}

int
cli_type_failed(const struct cli_typing *t, struct vhid_client *c, int r)
{
	const char *why = t->message[0] ? t->message : vhid_client_last_error(c);

	if (r == -EINTR)
		return cli_error("interrupted; released every key");
	if (r == -VHID_EUNTYPEABLE)
		return cli_fail(EXIT_UNTYPABLE, "%s (choose the layout with --layout)", why);
	if (r == -EILSEQ)
		return cli_fail(EXIT_USAGE, "the text is not valid UTF-8");
	return cli_fail(cli_exit_for(r), "%s", why[0] ? why : vhid_strerror(r));
}
