/*
 * test-readers: how vhidd counts the readers of an evdev node from inotify's
 * events (vhidd/vdev-nodes.c, DESIGN §21), for event orders that the kernel
 * produces but a VM test cannot bring about on purpose. Each case writes the
 * events, as inotify would, into a pipe that stands in for vhidd's inotify fd.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cmocka.h>

#include "vdev-private.h"

#define INPUT_WD 7 /* the watch on /dev/input */
#define UDEV_WD 8  /* the watch on udev's database */
#define NODE 4093  /* /dev/input/event4093: none on a host that has input devices */

static int events_in = -1;

static int
setup(void **state)
{
	struct vdev_ctx_options o = {.uhid_path = "/dev/null", .linger_ms = -1};
	struct vdev_ctx *ctx;
	int p[2];

	assert_int_equal(vdev_ctx_new(&o, &ctx), 0);
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
	/* the pipe takes the inotify fd's number; nothing of the host's /dev is read */
	assert_true(dup3(p[0], ctx->inotify_fd, O_CLOEXEC) == ctx->inotify_fd);
	close(p[0]);
	events_in = p[1];
	ctx->input_wd = INPUT_WD;
	ctx->udev_wd = -1;
	*state = ctx;
	return 0;
}

static int
teardown(void **state)
{
	vdev_ctx_free(*state);
	close(events_in);
	return 0;
}

/* One event on node NODE in the directory watched by WD, then vhidd reads the queue. */
static void
event(struct vdev_ctx *ctx, int wd, uint32_t mask)
{
	union {
		struct inotify_event ev;
		char bytes[sizeof(struct inotify_event) + 16];
	} u;

	memset(&u, 0, sizeof(u));
	u.ev.wd = wd;
	u.ev.mask = mask;
	u.ev.len = 16;
	snprintf(u.bytes + sizeof(u.ev), 16, "event%d", NODE);
	assert_int_equal(write(events_in, &u, sizeof(u)), sizeof(u));
	vdev_dispatch_inotify(ctx);
}

static const struct vdev_node *
node(struct vdev_ctx *ctx)
{
	assert_true(ctx->n_nodes > NODE);
	return &ctx->nodes[NODE];
}

/* devtmpfs makes a node visible before it reports its creation (vfs_mknod): a
 * reader can open it first. Without udev that open is a reader's (7.2, TCG). */
static void
open_before_create(void **state)
{
	struct vdev_ctx *ctx = *state;

	event(ctx, INPUT_WD, IN_OPEN);
	event(ctx, INPUT_WD, IN_CREATE);
	assert_true(node(ctx)->announced);
	assert_int_equal(node(ctx)->readers, 1);
	assert_int_equal(node(ctx)->early, 0);
	assert_true(node(ctx)->settle_ns > 0);
	event(ctx, INPUT_WD, IN_CLOSE_NOWRITE);
	assert_int_equal(node(ctx)->readers, 0);
}

/* A new node of an old name: the old node's reader is stale, the new one's open
 * (before the new node's IN_CREATE) is a reader, and the old reader's late close
 * takes nothing from it. */
static void
reused_name(void **state)
{
	struct vdev_ctx *ctx = *state;

	event(ctx, INPUT_WD, IN_CREATE);
	event(ctx, INPUT_WD, IN_OPEN);
	assert_int_equal(node(ctx)->readers, 1);
	event(ctx, INPUT_WD, IN_DELETE);
	event(ctx, INPUT_WD, IN_OPEN);
	event(ctx, INPUT_WD, IN_CREATE);
	event(ctx, INPUT_WD, IN_CLOSE_NOWRITE); /* the old node's reader */
	assert_int_equal(node(ctx)->stale, 0);
	assert_int_equal(node(ctx)->readers, 1);
}

/* Where udev runs, an open before udev has announced the node is udev's own,
 * whether inotify reports it before or after the node's creation. */
static void
udev_open_before_create(void **state)
{
	struct vdev_ctx *ctx = *state;

	ctx->udev_wd = UDEV_WD;
	event(ctx, INPUT_WD, IN_OPEN);
	event(ctx, INPUT_WD, IN_CREATE); /* not in this host's udev database: not announced */
	assert_false(node(ctx)->announced);
	assert_int_equal(node(ctx)->early, 1);
	assert_int_equal(node(ctx)->readers, 0);
	event(ctx, INPUT_WD, IN_CLOSE_NOWRITE);
	assert_int_equal(node(ctx)->early, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(open_before_create, setup, teardown),
		cmocka_unit_test_setup_teardown(reused_name, setup, teardown),
		cmocka_unit_test_setup_teardown(udev_open_before_create, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
