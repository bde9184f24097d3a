/*
 * fuzz-frame.c - the frame decoder: proto_parse_frame() over a byte stream, and
 * proto_decode() plus proto_check_reserved() of every frame, whatever its type.
 * Oracle: a frame that decodes re-encodes to the same bytes (the codec loses and
 * invents nothing), and every message the decoder writes is a terminated string.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bytes of a type's payload that are its struct; the rest is extra (report, text). */
static size_t
fixed_size(uint16_t type, size_t len)
{
	switch (type) {
	case VHID_MSG_POST_REPORT:
		return sizeof(struct vhid_msg_post);
	case VHID_MSG_ERROR:
		return sizeof(struct vhid_msg_error);
	case VHID_MSG_LOG_LINE:
		return sizeof(struct vhid_msg_log_line);
	default:
		return len;
	}
}

static void
round_trip(const struct vhid_frame *f, const void *msg, const uint8_t *wire, size_t wire_len)
{
	static uint8_t buf[VHID_MAX_FRAME];
	size_t fixed = fixed_size(f->hdr.type, f->hdr.length);
	int n = proto_encode(buf, f->hdr.type, f->hdr.id, msg, f->payload + fixed,
			     f->hdr.length - fixed);

	FUZZ_ASSERT(n == (int)wire_len);
	FUZZ_ASSERT(memcmp(buf, wire, wire_len) == 0);
}

static void
check_frame(const struct vhid_frame *f, const uint8_t *wire, size_t wire_len)
{
	union {
		struct vhid_msg_status_daemon largest;
		uint8_t bytes[VHID_MAX_PAYLOAD];
	} out;
	char msg[200];
	size_t min, max;
	int known = proto_payload_size(f->hdr.type, &min, &max) == 0;

	FUZZ_ASSERT(known == (proto_type_name(f->hdr.type) != NULL));
	msg[0] = '\0';
	if (proto_decode(f, &out, sizeof(out), msg, sizeof(msg)) < 0) {
		FUZZ_ASSERT(msg[0] && strnlen(msg, sizeof(msg)) < sizeof(msg));
		return;
	}
	FUZZ_ASSERT(known && f->hdr.length >= min && f->hdr.length <= max);
	round_trip(f, &out, wire, wire_len);
	msg[0] = '\0';
	if (proto_check_reserved(f, msg, sizeof(msg)) < 0)
		FUZZ_ASSERT(msg[0] && strnlen(msg, sizeof(msg)) < sizeof(msg));
}

/* The stream as vhidd's and libvhid's connection reader see it: frame after frame. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vhid_frame f;
	int n;

	while ((n = proto_parse_frame(data, size, &f)) > 0) {
		FUZZ_ASSERT((size_t)n == VHID_HEADER_SIZE + f.hdr.length && (size_t)n <= size);
		check_frame(&f, data, (size_t)n);
		data += n;
		size -= (size_t)n;
	}
	FUZZ_ASSERT(n == 0 ||
		    (size >= VHID_HEADER_SIZE && (data[2] | data[3] << 8) > VHID_MAX_PAYLOAD));
	return 0;
}
