/* connection.c - see connection.h. */
#include "connection.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vhid.h"

void
connection_init(struct connection *c, int fd, size_t out_limit)
{
	c->fd = fd;
	c->in_len = c->in_pos = 0;
	c->out = NULL;
	c->out_len = c->out_cap = 0;
	c->out_limit = out_limit;
}

void
connection_close(struct connection *c)
{
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_cap = 0;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int
connection_read(struct connection *c)
{
	ssize_t n;

	/* keep unread bytes at the front so a whole frame always fits */
	if (c->in_pos) {
		memmove(c->in, c->in + c->in_pos, c->in_len - c->in_pos);
		c->in_len -= c->in_pos;
		c->in_pos = 0;
	}
	if (c->in_len == sizeof(c->in))
		return -ENOBUFS; /* cannot happen: frames are at most half the buffer */
	do
		n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	c->in_len += (size_t)n;
	return (int)n;
}

int
connection_next(struct connection *c, struct vhid_frame *f)
{
	int n = proto_parse_frame(c->in + c->in_pos, c->in_len - c->in_pos, f);

	if (n <= 0)
		return n;
	c->in_pos += (size_t)n;
	return 1;
}

static int
reserve(struct connection *c, size_t more)
{
	size_t want = c->out_len + more, cap = c->out_cap ? c->out_cap : 4096;
	uint8_t *p;

	if (want > c->out_limit)
		return -ENOBUFS;
	if (want <= c->out_cap)
		return 0;
	while (cap < want)
		cap *= 2;
	p = realloc(c->out, cap);
	if (!p)
		return -ENOMEM;
	c->out = p;
	c->out_cap = cap;
	return 0;
}

int
connection_queue(struct connection *c, uint16_t type, uint32_t id, const void *msg,
		 const void *extra, size_t extra_len)
{
	int r = reserve(c, VHID_MAX_FRAME);

	if (r < 0)
		return r;
	r = proto_encode(c->out + c->out_len, type, id, msg, extra, extra_len);
	if (r < 0)
		return r;
	c->out_len += (size_t)r;
	return 0;
}

int
connection_flush(struct connection *c)
{
	size_t done = 0;

	while (done < c->out_len) {
		ssize_t n =
			send(c->fd, c->out + done, c->out_len - done, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	memmove(c->out, c->out + done, c->out_len - done);
	c->out_len -= done;
	if (c->out_len == 0 && c->out_cap > 16384) {
		/* give back a queue that grew during a burst */
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	return c->out_len ? 1 : 0;
}

bool
connection_has_output(const struct connection *c)
{
	return c->out_len > 0;
}
