/*
 * Unit tests of libvhid/wayland.c, the wait for a Wayland seat to announce a
 * pointer, against a compositor made of libwayland-server in a thread: when it
 * connects at all, what it does with a seat that has a pointer or none, the
 * settle after the announcement, a compositor that goes away, and the fence: a
 * compositor busy setting up a device (blocked in its loop, as weston is in
 * logind's TakeDevice) answers only when it is done, and one that never answers
 * does not hang the client. What weston
 * and its clients really do is the distro tier's desktop group; this proves
 * the client's own logic, under ASan and valgrind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <wayland-server.h>

#include "clock.h"
#include "wayland.h"

/* the compositor: one wl_seat global (or none), its capabilities set from the test */
struct server {
	struct wl_display *d;
	struct wl_list seats; /* the seat resources of every client */
	uint32_t caps;
	int cmd; /* eventfd: the test asks for the capabilities to be sent */
	struct wl_event_source *cmd_source;
	uint32_t next_caps;
	int held, release; /* eventfds: the loop is blocked, and may go on */
	pthread_t thread;
	char dir[64], socket[128];
};

static void
unbind_seat(struct wl_resource *r)
{
	wl_list_remove(wl_resource_get_link(r));
}

static void
bind_seat(struct wl_client *client, void *data, uint32_t version, uint32_t id)
{
	struct server *s = data;
	struct wl_resource *r = wl_resource_create(client, &wl_seat_interface, (int)version, id);

	/* the requests (get_pointer, ...) are never made by the watch */
	wl_resource_set_implementation(r, NULL, s, unbind_seat);
	wl_list_insert(&s->seats, wl_resource_get_link(r));
	wl_seat_send_capabilities(r, s->caps);
}

/* in the server's thread: announce next_caps to every seat resource */
static int
on_cmd(int fd, uint32_t mask, void *data)
{
	struct server *s = data;
	struct wl_resource *r;
	uint64_t v;

	(void)mask;
	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	if (v == 3) { /* the compositor's loop blocks until the test releases it */
		assert_int_equal(write(s->held, &v, sizeof(v)), sizeof(v));
		assert_int_equal(read(s->release, &v, sizeof(v)), sizeof(v));
		return 0;
	}
	if (v > 1) { /* the compositor goes away */
		wl_display_terminate(s->d);
		return 0;
	}
	s->caps = s->next_caps;
	wl_resource_for_each(r, &s->seats) wl_seat_send_capabilities(r, s->caps);
	wl_display_flush_clients(s->d);
	return 0;
}

static void *
run(void *data)
{
	struct server *s = data;

	wl_display_run(s->d);
	wl_event_source_remove(s->cmd_source);
	wl_display_destroy_clients(s->d);
	wl_display_destroy(s->d);
	return NULL;
}

static struct server *
server_start(bool seat, uint32_t caps)
{
	struct server *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	strcpy(s->dir, "/tmp/vhid-wl-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->socket, sizeof(s->socket), "%s/wayland-test", s->dir);
	wl_list_init(&s->seats);
	s->caps = caps;
	s->d = wl_display_create();
	assert_non_null(s->d);
	setenv("XDG_RUNTIME_DIR", s->dir, 1);
	assert_int_equal(wl_display_add_socket(s->d, "wayland-test"), 0);
	if (seat)
		assert_non_null(wl_global_create(s->d, &wl_seat_interface, 7, s, bind_seat));
	s->cmd = eventfd(0, EFD_CLOEXEC);
	s->held = eventfd(0, EFD_CLOEXEC);
	s->release = eventfd(0, EFD_CLOEXEC);
	assert_true(s->cmd >= 0 && s->held >= 0 && s->release >= 0);
	s->cmd_source = wl_event_loop_add_fd(wl_display_get_event_loop(s->d), s->cmd,
					     WL_EVENT_READABLE, on_cmd, s);
	assert_non_null(s->cmd_source);
	assert_int_equal(pthread_create(&s->thread, NULL, run, s), 0);
	return s;
}

static void
server_send(struct server *s, uint64_t v)
{
	assert_int_equal(write(s->cmd, &v, sizeof(v)), sizeof(v));
}

static void
announce(struct server *s, uint32_t caps)
{
	s->next_caps = caps; /* read by the server's thread after the eventfd write */
	server_send(s, 1);
}

/* the compositor's loop blocks (returns once it is blocked), then goes on */
static void
server_hold(struct server *s)
{
	uint64_t v;

	server_send(s, 3);
	assert_int_equal(read(s->held, &v, sizeof(v)), sizeof(v));
}

static void
server_release(struct server *s)
{
	uint64_t v = 1;

	assert_int_equal(write(s->release, &v, sizeof(v)), sizeof(v));
}

static void
server_stop(struct server *s)
{
	char path[160];

	server_send(s, 2);
	pthread_join(s->thread, NULL);
	close(s->cmd);
	close(s->held);
	close(s->release);
	snprintf(path, sizeof(path), "%s/wayland-test.lock", s->dir);
	unlink(path);
	unlink(s->socket);
	rmdir(s->dir);
	free(s);
}

/* STEP (wl_watch_check, wl_watch_fenced) until it returns non-zero or MS pass,
 * polling the watch's fd between calls as libvhid does */
static int
step_for(struct wl_watch *w, int (*step)(struct wl_watch *), int ms)
{
	uint64_t end = monotonic_ms() + (uint64_t)ms;
	int r;

	while ((r = step(w)) == 0 && monotonic_ms() < end) {
		struct pollfd p = {.fd = wl_watch_fd(w), .events = POLLIN};
		poll(&p, 1, 100);
	}
	return r;
}

static int
check_for(struct wl_watch *w, int ms)
{
	return step_for(w, wl_watch_check, ms);
}

static void
not_a_session(void **state)
{
	(void)state;
	unsetenv("WAYLAND_DISPLAY");
	assert_null(wl_watch_new(monotonic_ms() + 5000));
	/* a bare name is looked up in XDG_RUNTIME_DIR; without it, no attempt */
	setenv("WAYLAND_DISPLAY", "wayland-0", 1);
	unsetenv("XDG_RUNTIME_DIR");
	assert_null(wl_watch_new(monotonic_ms() + 5000));
	/* a socket nobody listens on */
	setenv("WAYLAND_DISPLAY", "/nonexistent/wayland-0", 1);
	assert_null(wl_watch_new(monotonic_ms() + 5000));
	unsetenv("WAYLAND_DISPLAY");
}

static void
seat_with_pointer(void **state)
{
	struct server *s =
		server_start(true, WL_SEAT_CAPABILITY_POINTER | WL_SEAT_CAPABILITY_KEYBOARD);

	(void)state;
	setenv("WAYLAND_DISPLAY", s->socket, 1);
	/* the clients have their wl_pointer: no announcement to wait for, only the fence */
	struct wl_watch *w = wl_watch_new(monotonic_ms() + 5000);
	assert_non_null(w);
	assert_true(wl_watch_had_pointer(w));
	wl_watch_free(w);
	server_stop(s);
}

/* The fence's answer comes once the compositor is back in its loop: not while
 * it is blocked (setting a device up), and at once after. */
static void
fence_waits_for_the_loop(void **state)
{
	struct server *s = server_start(true, WL_SEAT_CAPABILITY_POINTER);
	struct wl_watch *w;

	(void)state;
	setenv("WAYLAND_DISPLAY", s->socket, 1);
	w = wl_watch_new(monotonic_ms() + 5000);
	assert_non_null(w);
	server_hold(s);
	assert_int_equal(wl_watch_fence(w), 0);
	assert_int_equal(step_for(w, wl_watch_fenced, 200),
			 0); /* blocked: it cannot have answered */
	server_release(s);
	assert_int_equal(step_for(w, wl_watch_fenced, 5000), 1);
	wl_watch_free(w);
	server_stop(s);
}

/* A compositor that does not answer does not hang the client: the watch gives up
 * at its deadline (the client then goes by vhidd's reader). */
static void
compositor_stuck(void **state)
{
	struct server *s = server_start(true, 0);

	(void)state;
	setenv("WAYLAND_DISPLAY", s->socket, 1);
	server_hold(s);
	assert_null(wl_watch_new(monotonic_ms() + 200));
	server_release(s);
	server_stop(s);
}

static void
no_seat(void **state)
{
	struct server *s = server_start(false, 0);

	(void)state;
	setenv("WAYLAND_DISPLAY", s->socket, 1);
	assert_null(wl_watch_new(monotonic_ms() + 5000));
	server_stop(s);
}

static void
announced_then_settled(void **state)
{
	struct server *s = server_start(true, WL_SEAT_CAPABILITY_KEYBOARD);
	struct wl_watch *w;
	uint64_t t0;

	(void)state;
	setenv("WAYLAND_DISPLAY", s->socket, 1);
	w = wl_watch_new(monotonic_ms() + 5000);
	assert_non_null(w);
	assert_false(wl_watch_announced(w));
	assert_int_equal(check_for(w, 50), 0); /* a keyboard alone is not it */
	wl_watch_moved(w);
	announce(s, WL_SEAT_CAPABILITY_KEYBOARD | WL_SEAT_CAPABILITY_POINTER);
	t0 = monotonic_ms();
	assert_int_equal(check_for(w, 5000), 1);
	/* at least the minimum settle after the announcement, at most the maximum */
	assert_true(monotonic_ms() - t0 >= 20);
	assert_true(monotonic_ms() - t0 < 5000);
	assert_true(wl_watch_announced(w));
	wl_watch_free(w);
	server_stop(s);
}

static void
compositor_gone(void **state)
{
	struct server *s = server_start(true, 0);
	struct wl_watch *w;

	(void)state;
	setenv("WAYLAND_DISPLAY", s->socket, 1);
	w = wl_watch_new(monotonic_ms() + 5000);
	assert_non_null(w);
	server_stop(s);
	assert_int_equal(check_for(w, 5000), -1);
	assert_false(wl_watch_announced(w));
	wl_watch_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(not_a_session),    cmocka_unit_test(seat_with_pointer),
		cmocka_unit_test(no_seat),          cmocka_unit_test(announced_then_settled),
		cmocka_unit_test(compositor_gone),  cmocka_unit_test(fence_waits_for_the_loop),
		cmocka_unit_test(compositor_stuck),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
