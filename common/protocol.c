/*
 * protocol.c - the frame codec of protocol.h. Each message type has a layout:
 * the widths of its fields in order (1, 2, 4 bytes; negative = a string field
 * of that size). Encoding and decoding walk the layout, converting byte order
 * field by field, so the structs are never memcpy'd raw across the wire.
 */
#include "protocol.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "le.h"
#include "vhid.h"

#define END 0

struct msg_spec {
	uint16_t type;
	const char *name;
	size_t fixed;     /* size of the struct part */
	size_t extra_min; /* bytes allowed after it */
	size_t extra_max;
	const signed char *layout;
	unsigned int minor; /* the protocol minor that introduced it */
};

static const signed char L_EMPTY[] = {END};
static const signed char L_HELLO[] = {4, 2, 2, -VHID_NAME_LEN, END};
static const signed char L_HELLO_REPLY[] = {2, 2, 4, 4, 4, 4, 4, END};
static const signed char L_CREATE[] = {1, 1, 2, 4, 4, 4, -VHID_DEVNAME_LEN, END};
static const signed char L_U32[] = {4, END};
static const signed char L_POST[] = {4, 2, 2, END}; /* also OPEN */
static const signed char L_REPLY[] = {4, 4, END};
static const signed char L_ERROR[] = {4, 2, 2, END};
static const signed char L_STATUS_DAEMON[] = {
	4, 2, 2, 4, 4, 4, 4, 4, -108, -VHID_PATH_LEN, -VHID_NAME_LEN, -VHID_PATH_LEN, END};
static const signed char L_STATUS_CLIENT[] = {4,  4, 4, 4, 4, 4, -VHID_NAME_LEN, -VHID_PATH_LEN,
					      END};
static const signed char L_STATUS_DEVICE[] = {
	4,   4,  1, 1, 1, 1, 2, 2, 4, 4, 4, -VHID_DEVNAME_LEN, -VHID_NODE_LEN, -VHID_NODE_LEN,
	-64, END};
static const signed char L_READY[] = {4, -VHID_NODE_LEN, -VHID_NODE_LEN, END};
static const signed char L_U32_4x1[] = {4, 1, 1, 1, 1, END};
static const signed char L_GONE[] = {4, 4, END};
static const signed char L_GET_LOG[] = {4, 2, 2, END};
static const signed char L_LOG_LINE[] = {4, 4, 4, 4, 1, 1, 1, 1, END};

#define MSG(t, n, s, l)                                                                            \
	{                                                                                          \
		t, n, s, 0, 0, l, 0                                                                \
	}
static const struct msg_spec specs[] = {
	MSG(VHID_MSG_HELLO, "HELLO", sizeof(struct vhid_msg_hello), L_HELLO),
	MSG(VHID_MSG_HEARTBEAT, "HEARTBEAT", 0, L_EMPTY),
	MSG(VHID_MSG_CREATE_DEVICE, "CREATE_DEVICE", sizeof(struct vhid_msg_create), L_CREATE),
	MSG(VHID_MSG_DESTROY_DEVICE, "DESTROY_DEVICE", sizeof(struct vhid_msg_device), L_U32),
	MSG(VHID_MSG_RESET_DEVICE, "RESET_DEVICE", sizeof(struct vhid_msg_device), L_U32),
	{VHID_MSG_POST_REPORT, "POST_REPORT", sizeof(struct vhid_msg_post), 1, VHID_MAX_REPORT_SIZE,
	 L_POST, 0},
	MSG(VHID_MSG_GET_STATUS, "GET_STATUS", sizeof(struct vhid_msg_get_status), L_U32),
	MSG(VHID_MSG_RESET_ALL, "RESET_ALL", sizeof(struct vhid_msg_reset_all), L_U32),
	MSG(VHID_MSG_HELLO_REPLY, "HELLO_REPLY", sizeof(struct vhid_msg_hello_reply),
	    L_HELLO_REPLY),
	MSG(VHID_MSG_REPLY, "REPLY", sizeof(struct vhid_msg_reply), L_REPLY),
	{VHID_MSG_ERROR, "ERROR", sizeof(struct vhid_msg_error), 0, VHID_MAX_ERROR_MESSAGE, L_ERROR,
	 0},
	MSG(VHID_MSG_STATUS_DAEMON, "STATUS_DAEMON", sizeof(struct vhid_msg_status_daemon),
	    L_STATUS_DAEMON),
	MSG(VHID_MSG_STATUS_CLIENT, "STATUS_CLIENT", sizeof(struct vhid_msg_status_client),
	    L_STATUS_CLIENT),
	MSG(VHID_MSG_STATUS_DEVICE, "STATUS_DEVICE", sizeof(struct vhid_msg_status_device),
	    L_STATUS_DEVICE),
	MSG(VHID_MSG_READY, "READY", sizeof(struct vhid_msg_ready), L_READY),
	MSG(VHID_MSG_LEDS, "LEDS", sizeof(struct vhid_msg_leds), L_U32_4x1),
	MSG(VHID_MSG_OPEN, "OPEN", sizeof(struct vhid_msg_open), L_POST),
	MSG(VHID_MSG_LEASE_EXPIRED, "LEASE_EXPIRED", sizeof(struct vhid_msg_lease_expired), L_U32),
	MSG(VHID_MSG_DEVICE_GONE, "DEVICE_GONE", sizeof(struct vhid_msg_device_gone), L_GONE),
	MSG(VHID_MSG_SHUTDOWN, "SHUTDOWN", 0, L_EMPTY),
	/* protocol 1.1 */
	{VHID_MSG_GET_LOG, "GET_LOG", sizeof(struct vhid_msg_get_log), 0, 0, L_GET_LOG, 1},
	{VHID_MSG_LOG_LINE, "LOG_LINE", sizeof(struct vhid_msg_log_line), 0, VHID_MAX_LOG_TEXT,
	 L_LOG_LINE, 1},
};

static const struct msg_spec *
find_spec(uint16_t type)
{
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
		if (specs[i].type == type)
			return &specs[i];
	return NULL;
}

const char *
proto_type_name(uint16_t type)
{
	const struct msg_spec *s = find_spec(type);

	return s ? s->name : NULL;
}

unsigned int
proto_type_minor(uint16_t type)
{
	const struct msg_spec *s = find_spec(type);

	return s ? s->minor : 0;
}

const char *
proto_kind_name(uint32_t kind)
{
	switch (kind) {
	case VHID_DEVICE_KEYBOARD:
		return "keyboard";
	case VHID_DEVICE_POINTER:
		return "pointer";
	case VHID_DEVICE_ABSOLUTE:
		return "absolute";
	default:
		return "unknown";
	}
}

int
proto_payload_size(uint16_t type, size_t *min, size_t *max)
{
	const struct msg_spec *s = find_spec(type);

	if (!s)
		return -1;
	*min = s->fixed + s->extra_min;
	*max = s->fixed + s->extra_max;
	return 0;
}

/* a field of 1, 2 or 4 bytes, as the message layouts give its width */
static uint32_t
load_le(const uint8_t *p, int width)
{
	return width == 1 ? *p : width == 2 ? le16_get(p) : le32_get(p);
}

static void
store_le(uint8_t *p, uint32_t v, int width)
{
	if (width == 1)
		*p = (uint8_t)v;
	else if (width == 2)
		le16_put(p, (uint16_t)v);
	else
		le32_put(p, v);
}

/* host fields are native integers of the same widths (the structs are packed) */
static uint32_t
load_host(const uint8_t *p, int width)
{
	uint16_t v16;
	uint32_t v32;

	if (width == 1)
		return *p;
	if (width == 2) {
		memcpy(&v16, p, 2);
		return v16;
	}
	memcpy(&v32, p, 4);
	return v32;
}

static void
store_host(uint8_t *p, uint32_t v, int width)
{
	uint16_t v16 = (uint16_t)v;

	if (width == 1)
		*p = (uint8_t)v;
	else if (width == 2)
		memcpy(p, &v16, 2);
	else
		memcpy(p, &v, 4);
}

/* Returns the index of the first string field without a NUL, or -1. */
static int
convert(const signed char *layout, const uint8_t *src, uint8_t *dst, int to_wire)
{
	size_t off = 0;

	for (int i = 0; layout[i] != END; i++) {
		int w = layout[i];
		if (w < 0) {
			memcpy(dst + off, src + off, (size_t)-w);
			if (!memchr(src + off, 0, (size_t)-w))
				return i;
			off += (size_t)-w;
			continue;
		}
		if (to_wire)
			store_le(dst + off, load_host(src + off, w), w);
		else
			store_host(dst + off, load_le(src + off, w), w);
		off += (size_t)w;
	}
	return -1;
}

int
proto_parse_frame(const uint8_t *buf, size_t len, struct vhid_frame *frame)
{
	if (len < VHID_HEADER_SIZE)
		return 0;
	frame->hdr.type = le16_get(buf);
	frame->hdr.length = le16_get(buf + 2);
	frame->hdr.id = le32_get(buf + 4);
	if (frame->hdr.length > VHID_MAX_PAYLOAD)
		return -VHID_EPROTO;
	if (len < VHID_HEADER_SIZE + (size_t)frame->hdr.length)
		return 0;
	frame->payload = buf + VHID_HEADER_SIZE;
	return VHID_HEADER_SIZE + frame->hdr.length;
}

static int fail(char *msg, size_t msglen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	if (msg && msglen) {
		va_start(ap, fmt);
		vsnprintf(msg, msglen, fmt, ap);
		va_end(ap);
	}
	return -VHID_EPROTO;
}

int
proto_decode(const struct vhid_frame *frame, void *out, size_t out_size, char *msg, size_t msglen)
{
	const struct msg_spec *s = find_spec(frame->hdr.type);
	size_t len = frame->hdr.length;
	int bad;

	if (!s)
		return fail(msg, msglen, "unknown message type 0x%04x", frame->hdr.type);
	if (s->extra_max == 0 && len != s->fixed)
		return fail(msg, msglen, "%s payload must be %zu bytes, got %zu", s->name, s->fixed,
			    len);
	if (len < s->fixed + s->extra_min || len > s->fixed + s->extra_max)
		return fail(msg, msglen, "%s payload must be %zu..%zu bytes, got %zu", s->name,
			    s->fixed + s->extra_min, s->fixed + s->extra_max, len);
	if (out_size < s->fixed)
		return fail(msg, msglen, "%s: decode buffer too small", s->name);
	bad = convert(s->layout, frame->payload, out, 0);
	if (bad >= 0)
		return fail(msg, msglen, "%s field %d is a string without a terminating NUL",
			    s->name, bad + 1);
	if (frame->hdr.type == VHID_MSG_ERROR &&
	    ((const struct vhid_msg_error *)out)->message_length != len - s->fixed)
		return fail(msg, msglen,
			    "ERROR message_length %u does not match the %zu bytes sent",
			    ((const struct vhid_msg_error *)out)->message_length, len - s->fixed);
	return 0;
}

int
proto_encode(uint8_t *buf, uint16_t type, uint32_t id, const void *msg, const void *extra,
	     size_t extra_len)
{
	const struct msg_spec *s = find_spec(type);
	size_t len;

	if (!s || extra_len < s->extra_min || extra_len > s->extra_max || (extra_len && !extra))
		return -EMSGSIZE;
	if (type == VHID_MSG_ERROR &&
	    ((const struct vhid_msg_error *)msg)->message_length != extra_len)
		return -EMSGSIZE;
	len = s->fixed + extra_len;
	le16_put(buf, type);
	le16_put(buf + 2, (uint16_t)len);
	le32_put(buf + 4, id);
	if (s->fixed && convert(s->layout, msg, buf + VHID_HEADER_SIZE, 1) >= 0)
		return -EMSGSIZE; /* an unterminated string: a caller bug */
	if (extra_len)
		memcpy(buf + VHID_HEADER_SIZE + s->fixed, extra, extra_len);
	return (int)(VHID_HEADER_SIZE + len);
}

/* ---- reserved fields ------------------------------------------------------ */

/*
 * Every request byte without a meaning yet, so that a later minor can give it one: a
 * client that sends non-zero there today is told at once instead of being misread later.
 */
enum reserved_kind { R_ZERO, R_FLAGS, R_STRING };

struct reserved_field {
	uint16_t type;
	const char *field;
	uint16_t offset, size;
	enum reserved_kind kind;
	uint32_t defined; /* R_FLAGS: the bits that have a meaning */
};

static const struct reserved_field reserved_fields[] = {
	{VHID_MSG_HELLO, "name", 8, VHID_NAME_LEN, R_STRING, 0},
	{VHID_MSG_CREATE_DEVICE, "name", 16, VHID_DEVNAME_LEN, R_STRING, 0},
	{VHID_MSG_POST_REPORT, "flags", 4, 2, R_FLAGS, VHID_POST_NO_REPLY},
	{VHID_MSG_POST_REPORT, "reserved field", 6, 2, R_ZERO, 0},
	{VHID_MSG_GET_LOG, "flags", 6, 2, R_FLAGS, 0},
};

static int
check_string_tail(const char *type, const struct reserved_field *r, const uint8_t *p, char *msg,
		  size_t msglen)
{
	const uint8_t *nul = memchr(p, 0, r->size);

	for (size_t i = nul ? (size_t)(nul - p) : r->size; i < r->size; i++)
		if (p[i])
			return fail(
				msg, msglen,
				"%s %s has byte 0x%02x at offset %zu after its terminating NUL; "
				"the padding must be 0",
				type, r->field, p[i], i);
	return 0;
}

static int
check_field(const char *type, const struct reserved_field *r, const uint8_t *payload, char *msg,
	    size_t msglen)
{
	const uint8_t *p = payload + r->offset;
	uint32_t v;

	if (r->kind == R_STRING)
		return check_string_tail(type, r, p, msg, msglen);
	v = load_le(p, r->size);
	if (r->kind == R_ZERO && v)
		return fail(msg, msglen, "%s %s is 0x%0*x, must be 0", type, r->field,
			    (int)r->size * 2, v);
	if (r->kind == R_FLAGS && (v & ~r->defined))
		return fail(msg, msglen, "%s %s is 0x%0*x: undefined bits 0x%0*x must be 0", type,
			    r->field, (int)r->size * 2, v, (int)r->size * 2, v & ~r->defined);
	return 0;
}

int
proto_check_reserved(const struct vhid_frame *frame, char *msg, size_t msglen)
{
	const struct msg_spec *s = find_spec(frame->hdr.type);

	for (size_t i = 0; s && i < sizeof(reserved_fields) / sizeof(reserved_fields[0]); i++) {
		const struct reserved_field *r = &reserved_fields[i];
		if (r->type == frame->hdr.type && r->offset + r->size <= frame->hdr.length &&
		    check_field(s->name, r, frame->payload, msg, msglen) < 0)
			return -VHID_EPROTO;
	}
	return 0;
}

size_t
proto_error_text(char *text, const char *fmt, va_list ap)
{
	char full[2 * VHID_MAX_ERROR_TEXT];
	int n = vsnprintf(full, sizeof(full), fmt, ap);

	/* the limit counts bytes; proto_set_string cuts there without splitting UTF-8 */
	if (n < 0)
		full[0] = '\0';
	proto_set_string(text, VHID_MAX_ERROR_TEXT + 1, full);
	return strlen(text);
}

void
proto_set_string(char *field, size_t size, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n >= size) {
		n = size - 1;
		/* do not cut a UTF-8 sequence in half */
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memset(field, 0, size);
	if (n)
		memcpy(field, s, n);
}
