/*
 * connection.h - a non-blocking stream socket carrying vhid frames, shared by
 * vhidd and libvhid. Input is assembled into whole frames; output is queued
 * and flushed in batches (one send for many replies). The output queue is
 * bounded: a peer that does not read cannot make the other side grow forever.
 */
#ifndef VHID_CONNECTION_H
#define VHID_CONNECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

struct connection {
	int fd;
	size_t in_len, in_pos;
	uint8_t *out;
	size_t out_len, out_cap, out_limit;
	uint8_t in[2 * VHID_MAX_FRAME];
};

void connection_init(struct connection *c, int fd, size_t out_limit);
/* Frees the output queue and closes the fd. */
void connection_close(struct connection *c);

/* Read what the socket has. Returns bytes read (>0), 0 on EOF, -EAGAIN, or -errno. */
int connection_read(struct connection *c);

/*
 * The next complete frame in the input buffer: returns 1 and fills *f (valid
 * until the next read), 0 when more bytes are needed, or -VHID_EPROTO when
 * the header announces an oversize payload.
 */
int connection_next(struct connection *c, struct vhid_frame *f);

/* Encode and queue a frame (protocol.h's proto_encode). -ENOBUFS past the limit. */
int connection_queue(struct connection *c, uint16_t type, uint32_t id, const void *msg,
		     const void *extra, size_t extra_len);

/* Write as much as the socket takes: 0 when empty, 1 when bytes remain, or -errno. */
int connection_flush(struct connection *c);
bool connection_has_output(const struct connection *c);

#endif
