/*
 * remap-caps-escape - a key remapper skeleton: Caps Lock becomes Escape.
 *
 *     remap-caps-escape /dev/input/eventN
 *
 * It grabs a real keyboard (EVIOCGRAB through libevdev, so nothing else sees
 * its keys), creates a vhid keyboard, and re-emits every key through it, with
 * Caps Lock replaced by Escape. On SIGINT or SIGTERM, or when either side goes
 * away, it releases every key it pressed and ungrabs the keyboard, so nothing
 * stays stuck. Change remap() to make your own. Build:
 *
 *     cc remap-caps-escape.c $(pkg-config --cflags --libs vhid libevdev)
 */
#include <errno.h>
#include <fcntl.h>
#include <libevdev/libevdev.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <vhid.h>

/* The whole mapping: return the key to send for a key of the real keyboard. */
static unsigned int
remap(unsigned int code)
{
	return code == KEY_CAPSLOCK ? KEY_ESC : code;
}

/* One key event of the real keyboard; auto-repeats are the kernel's job on our side too. */
static void
forward(struct vhid_device *kbd, const struct input_event *ev)
{
	unsigned int code = remap(ev->code);
	int r;

	if (ev->type != EV_KEY || ev->value == 2)
		return;
	r = ev->value ? vhid_key_press(kbd, code) : vhid_key_release(kbd, code);
	if (r < 0)
		fprintf(stderr, "remap: %s: %s\n", libevdev_event_code_get_name(EV_KEY, code),
			vhid_client_last_error(vhid_device_get_client(kbd)));
}

/* Read everything the real keyboard has; 0, or -ENODEV once it is unplugged. */
static int
drain(struct libevdev *in, struct vhid_device *kbd)
{
	struct input_event ev;
	int r;

	while ((r = libevdev_next_event(in, LIBEVDEV_READ_FLAG_NORMAL, &ev)) >= 0) {
		if (r == LIBEVDEV_READ_STATUS_SYNC) /* we fell behind: catch up, then go on */
			while (libevdev_next_event(in, LIBEVDEV_READ_FLAG_SYNC, &ev) ==
			       LIBEVDEV_READ_STATUS_SYNC)
				forward(kbd, &ev);
		else
			forward(kbd, &ev);
	}
	return r == -EAGAIN ? 0 : r;
}

static int
open_keyboard(const char *path, struct libevdev **in)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	if ((r = libevdev_new_from_fd(fd, in)) < 0 || (r = libevdev_grab(*in, LIBEVDEV_GRAB)) < 0) {
		close(fd);
		return r;
	}
	return fd;
}

static int
create_keyboard(struct vhid_client **c, struct vhid_device **kbd)
{
	struct vhid_device_params p = {.kind = VHID_DEVICE_KEYBOARD, .name = "vhid remapper"};
	int r = vhid_client_new("remap-caps-escape", NULL, NULL, c);

	if (r == 0 && (r = vhid_client_connect(*c, NULL)) == 0 &&
	    (r = vhid_device_create(*c, &p, kbd)) == 0)
		r = vhid_device_wait_ready(*kbd, 5000);
	if (r < 0)
		fprintf(stderr, "remap: %s\n", *c ? vhid_client_last_error(*c) : strerror(-r));
	return r;
}

/* Forward until a signal arrives or either side goes away. */
static void
run(struct libevdev *in, int in_fd, struct vhid_client *c, struct vhid_device *kbd, int sigfd)
{
	for (;;) {
		struct pollfd p[3] = {{.fd = in_fd, .events = POLLIN},
				      {.fd = vhid_client_get_fd(c), .events = POLLIN},
				      {.fd = sigfd, .events = POLLIN}};

		if (poll(p, 3, -1) < 0 && errno != EINTR)
			return;
		if (p[2].revents)
			return;
		if (p[0].revents && drain(in, kbd) < 0)
			return; /* unplugged */
		if (p[1].revents && vhid_client_dispatch(c) == -ENOTCONN)
			return; /* vhidd went away: it released our keys */
	}
}

int
main(int argc, char **argv)
{
	struct vhid_client *c = NULL;
	struct vhid_device *kbd = NULL;
	struct libevdev *in = NULL;
	sigset_t mask;
	int in_fd, sigfd;

	if (argc != 2) {
		fprintf(stderr, "usage: %s /dev/input/eventN\n", argv[0]);
		return 2;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sigfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if ((in_fd = open_keyboard(argv[1], &in)) < 0) {
		fprintf(stderr, "remap: cannot grab %s: %s\n", argv[1], strerror(-in_fd));
		return 1;
	}
	if (create_keyboard(&c, &kbd) == 0) {
		printf("remapping %s to %s\n", argv[1], vhid_device_get_evdev(kbd));
		fflush(stdout);
		run(in, in_fd, c, kbd, sigfd);
		vhid_device_reset(kbd); /* release everything we hold before we go */
	}
	vhid_client_destroy(c);
	libevdev_grab(in, LIBEVDEV_UNGRAB);
	libevdev_free(in);
	close(in_fd);
	return 0;
}
