/*
 * protocol.h - the vhid wire protocol, shared by vhidd and libvhid.
 * PROTOCOL.md documents the same bytes for clients in other languages.
 *
 * Every frame is an 8-byte header followed by `length` payload bytes. All
 * integers are little-endian; strings are fixed-size, NUL-padded fields that
 * must contain a NUL. Every message type has an exact payload size, or a
 * bounded one (POST_REPORT, ERROR), checked before anything is decoded.
 *
 * The structs below are the wire layout: packed, fixed-width, their sizes
 * asserted. The codec (protocol.c) copies them with explicit byte-order
 * conversion, so the same code is correct on big-endian hosts. No kernel
 * struct ever travels on the wire.
 */
#ifndef VHID_PROTOCOL_H
#define VHID_PROTOCOL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "vhid.h"

/* Protocol 1.1: a client and a daemon of the same major always work together; the minor
 * and the capability bits say what each side has (PROTOCOL.md 1.7). */
#define VHID_PROTOCOL_VERSION 1 /* the major */
#define VHID_PROTOCOL_MINOR 2
#define VHID_HELLO_MAGIC 0x44494856u /* "VHID" on the wire */
#define VHID_MAX_PAYLOAD 1024
#define VHID_HEADER_SIZE 8
#define VHID_MAX_FRAME (VHID_HEADER_SIZE + VHID_MAX_PAYLOAD)
/* vhidd sends at most 255 bytes of error text; receivers accept 256, what vhidd 0.1.0
 * sent before the limit was enforced. */
#define VHID_MAX_ERROR_TEXT 255
#define VHID_MAX_ERROR_MESSAGE 256
#define VHID_MAX_LOG_TEXT 1000

#define VHID_NAME_LEN 32     /* client names */
#define VHID_DEVNAME_LEN 128 /* device names (the kernel's limit) */
#define VHID_NODE_LEN 32     /* "/dev/input/event123" */
#define VHID_PATH_LEN 128

#define PACKED __attribute__((packed))

struct vhid_msg_header {
	uint16_t type;
	uint16_t length; /* payload bytes after the header */
	uint32_t id;     /* request id, echoed by replies; 0 for pushes */
} PACKED;
_Static_assert(sizeof(struct vhid_msg_header) == VHID_HEADER_SIZE, "header size");

enum vhid_msg_type {
	/* client to daemon: requests */
	VHID_MSG_HELLO = 0x0001,
	VHID_MSG_HEARTBEAT = 0x0002,
	VHID_MSG_CREATE_DEVICE = 0x0003,
	VHID_MSG_DESTROY_DEVICE = 0x0004,
	VHID_MSG_RESET_DEVICE = 0x0005,
	VHID_MSG_POST_REPORT = 0x0006,
	VHID_MSG_GET_STATUS = 0x0007,
	VHID_MSG_RESET_ALL = 0x0008,
	VHID_MSG_GET_LOG = 0x0009, /* 1.1, capability LOG */
	/* daemon to client: replies, carrying the request's id */
	VHID_MSG_HELLO_REPLY = 0x8001,
	VHID_MSG_REPLY = 0x8002,
	VHID_MSG_ERROR = 0x8003,
	VHID_MSG_STATUS_DAEMON = 0x8010,
	VHID_MSG_STATUS_CLIENT = 0x8011,
	VHID_MSG_STATUS_DEVICE = 0x8012,
	VHID_MSG_LOG_LINE = 0x8013, /* 1.1: a part of the answer to GET_LOG */
	/* daemon to client: pushes, id 0 */
	VHID_MSG_READY = 0x8020,
	VHID_MSG_LEDS = 0x8021,
	VHID_MSG_OPEN = 0x8022,
	VHID_MSG_LEASE_EXPIRED = 0x8023,
	VHID_MSG_DEVICE_GONE = 0x8024,
	VHID_MSG_SHUTDOWN = 0x8025,
};

/*
 * HELLO: the first frame. Its first 8 bytes (magic, version, minor) will never change,
 * so every daemon can name a version mismatch instead of a size error.
 */
struct vhid_msg_hello {
	uint32_t magic;   /* VHID_HELLO_MAGIC */
	uint16_t version; /* the major: VHID_PROTOCOL_VERSION */
	uint16_t minor;   /* the client's minor; 0.1.0 clients sent 0 here ("flags") */
	char name[VHID_NAME_LEN];
} PACKED;
_Static_assert(sizeof(struct vhid_msg_hello) == 40, "hello size");

/* enum vhid_capability (vhid.h) holds the bits; these are the ones each minor defined, so
 * a client is never shown a bit its minor does not know. */
#define VHID_CAPS_MINOR0 0x0000000fu
#define VHID_CAPS_MINOR1 0x0000007fu
#define VHID_CAPS_MINOR2 0x000000ffu

struct vhid_msg_hello_reply {
	uint16_t version; /* the major: VHID_PROTOCOL_VERSION */
	uint16_t minor;   /* the daemon's minor, sent to clients of minor >= 1 (0 otherwise) */
	uint32_t daemon_version; /* (major*100+minor)*100+patch */
	uint32_t capabilities;   /* enum vhid_capability */
	uint32_t lease_ms;       /* silence longer than this releases everything */
	uint32_t client_id;
	uint32_t max_devices; /* per client: one of each kind */
} PACKED;
_Static_assert(sizeof(struct vhid_msg_hello_reply) == 24, "hello reply size");

/* CREATE_DEVICE: zero vendor/product/version/bus and an empty name mean "default". */
struct vhid_msg_create {
	uint8_t kind;    /* enum vhid_device_kind */
	uint8_t country; /* HID country code */
	uint16_t bus;    /* BUS_USB, BUS_VIRTUAL, BUS_I8042, ... */
	uint32_t vendor;
	uint32_t product;
	uint32_t version;
	char name[VHID_DEVNAME_LEN];
} PACKED;
_Static_assert(sizeof(struct vhid_msg_create) == 144, "create size");

/* DESTROY_DEVICE, RESET_DEVICE (device 0: all of the client's devices) */
struct vhid_msg_device {
	uint32_t device;
} PACKED;
_Static_assert(sizeof(struct vhid_msg_device) == 4, "device size");

enum vhid_post_flag {
	VHID_POST_NO_REPLY = 1u << 0, /* no REPLY on success; errors still get an ERROR */
};

/* POST_REPORT: the header of a 9..74 byte payload; the report bytes follow. */
struct vhid_msg_post {
	uint32_t device;
	uint16_t flags; /* enum vhid_post_flag */
	uint16_t reserved;
} PACKED;
_Static_assert(sizeof(struct vhid_msg_post) == 8, "post size");
#define VHID_POST_MIN (sizeof(struct vhid_msg_post) + 1)
#define VHID_POST_MAX (sizeof(struct vhid_msg_post) + 66)

struct vhid_msg_get_status {
	uint32_t scope; /* enum vhid_status_scope (vhid.h) */
} PACKED;
_Static_assert(sizeof(struct vhid_msg_get_status) == 4, "get status size");

enum vhid_reset_scope {
	VHID_RESET_MINE = 0,     /* every device of every client running as the caller's uid */
	VHID_RESET_EVERYONE = 1, /* every device of every client: root or an admin group */
};

struct vhid_msg_reset_all {
	uint32_t scope; /* enum vhid_reset_scope */
} PACKED;
_Static_assert(sizeof(struct vhid_msg_reset_all) == 4, "reset all size");

/* GET_LOG (1.1): the newest max_lines lines of the daemon's log ring with a sequence
 * number above after_seq that the caller may see; LOG_LINE parts, then REPLY value = the
 * ring's newest sequence number (the after_seq of the next poll). */
struct vhid_msg_get_log {
	uint32_t after_seq;
	uint16_t max_lines; /* 0: every line the ring holds */
	uint16_t flags;     /* none defined: 0 */
} PACKED;
_Static_assert(sizeof(struct vhid_msg_get_log) == 8, "get log size");

/* LOG_LINE (1.1): one line of the ring; the text (no NUL) follows, 0..1000 bytes. */
struct vhid_msg_log_line {
	uint32_t seq;
	uint32_t time_s; /* CLOCK_REALTIME when it was logged */
	uint32_t time_us;
	uint32_t uid;     /* whose client the line is about, or VHID_LOG_DAEMON_WIDE */
	uint8_t priority; /* syslog: 3 error, 4 warning, 6 info */
	uint8_t reserved[3];
} PACKED;
_Static_assert(sizeof(struct vhid_msg_log_line) == 20, "log line size");

/* REPLY: the request succeeded. value: the device id for CREATE_DEVICE, a count for
 * GET_STATUS and RESET_ALL, else 0. */
struct vhid_msg_reply {
	int32_t status; /* 0 */
	uint32_t value;
} PACKED;
_Static_assert(sizeof(struct vhid_msg_reply) == 8, "reply size");

/* ERROR: the request failed; followed by message_length bytes of text (no NUL). */
struct vhid_msg_error {
	int32_t status;        /* negative errno or -VHID_E* */
	uint16_t request_type; /* the type of the failed request, 0 if unknown */
	uint16_t message_length;
} PACKED;
_Static_assert(sizeof(struct vhid_msg_error) == 8, "error size");

enum vhid_daemon_flag {
	VHID_DAEMON_HAS_UHID = 1u << 0,
	VHID_DAEMON_HAS_UEVENTS = 1u << 1,
	VHID_DAEMON_HAS_READERS = 1u << 2, /* since 0.2: it can count readers of devices */
};

struct vhid_msg_status_daemon {
	uint32_t daemon_version;
	uint16_t protocol;
	uint16_t flags; /* enum vhid_daemon_flag */
	uint32_t pid;
	uint32_t uptime_s;
	uint32_t clients;
	uint32_t devices;
	uint32_t lease_ms;
	char socket[108];
	char config[VHID_PATH_LEN];
	char socket_group[VHID_NAME_LEN];
	char log_file[VHID_PATH_LEN]; /* "" when the log goes to the journal only */
} PACKED;
_Static_assert(sizeof(struct vhid_msg_status_daemon) == 424, "status daemon size");

struct vhid_msg_status_client {
	uint32_t client_id;
	uint32_t pid;
	uint32_t uid;
	uint32_t gid;
	uint32_t devices;
	uint32_t idle_ms; /* since the client's last frame */
	char name[VHID_NAME_LEN];
	char exe[VHID_PATH_LEN];
} PACKED;
_Static_assert(sizeof(struct vhid_msg_status_client) == 184, "status client size");

enum vhid_device_flag {
	VHID_DEVICE_READY = 1u << 0,
	VHID_DEVICE_OPEN = 1u << 1, /* at least one user-space reader has the evdev node open */
};

struct vhid_msg_status_device {
	uint32_t device;
	uint32_t client_id;
	uint8_t kind;
	uint8_t flags; /* enum vhid_device_flag */
	uint8_t leds;
	uint8_t country;
	uint16_t bus;
	uint16_t readers; /* user-space open file descriptions of the evdev node */
	uint32_t vendor;
	uint32_t product;
	uint32_t version;
	char name[VHID_DEVNAME_LEN];
	char evdev[VHID_NODE_LEN];
	char hidraw[VHID_NODE_LEN];
	char phys[64];
} PACKED;
_Static_assert(sizeof(struct vhid_msg_status_device) == 284, "status device size");

/* READY push: the kernel finished creating the device */
struct vhid_msg_ready {
	uint32_t device;
	char evdev[VHID_NODE_LEN];
	char hidraw[VHID_NODE_LEN];
} PACKED;
_Static_assert(sizeof(struct vhid_msg_ready) == 68, "ready size");

/* LEDS push: enum vhid_led bits */
struct vhid_msg_leds {
	uint32_t device;
	uint8_t leds;
	uint8_t reserved[3];
} PACKED;
_Static_assert(sizeof(struct vhid_msg_leds) == 8, "leds size");

/*
 * OPEN push: the number of user-space open file descriptions of the device's
 * evdev node changed (vhidd watches the node with inotify). 0 means nobody
 * reads what the device produces. The kernel's own keyboard handler, which
 * opens every keyboard, does not count.
 */
struct vhid_msg_open {
	uint32_t device;
	uint16_t readers;
	uint16_t reserved;
} PACKED;
_Static_assert(sizeof(struct vhid_msg_open) == 8, "open size");

struct vhid_msg_lease_expired {
	uint32_t lease_ms;
} PACKED;
_Static_assert(sizeof(struct vhid_msg_lease_expired) == 4, "lease size");

/* DEVICE_GONE push: the device no longer exists; reason is a negative code */
struct vhid_msg_device_gone {
	uint32_t device;
	int32_t reason;
} PACKED;
_Static_assert(sizeof(struct vhid_msg_device_gone) == 8, "gone size");

#undef PACKED

/* ---- codec ---------------------------------------------------------------- */

/* A message in host byte order: the header plus a pointer to its payload. */
struct vhid_frame {
	struct vhid_msg_header hdr;
	const uint8_t *payload;
};

/*
 * Decode a header from buf. Returns the whole frame's size when buf holds a
 * complete frame, 0 when more bytes are needed, or -VHID_EPROTO when the
 * header announces a payload over VHID_MAX_PAYLOAD.
 */
int proto_parse_frame(const uint8_t *buf, size_t len, struct vhid_frame *frame);

/*
 * Exact or bounded payload size of a message type: *min and *max. Returns 0,
 * or -1 for an unknown type.
 */
int proto_payload_size(uint16_t type, size_t *min, size_t *max);

/* The name of a message type, "HELLO", or NULL. */
const char *proto_type_name(uint16_t type);

/* The protocol minor that introduced a message type (0 for 1.0's, 1 for GET_LOG). */
unsigned int proto_type_minor(uint16_t type);

/*
 * Check the reserved fields, undefined flag bits and string padding of a request's
 * payload (frame already size-checked by proto_decode). Returns 0, or -VHID_EPROTO with
 * the field and its value in msg ("POST_REPORT reserved field is 0x0001, must be 0").
 */
int proto_check_reserved(const struct vhid_frame *frame, char *msg, size_t msglen);

/*
 * Format an ERROR's text into text[VHID_MAX_ERROR_TEXT + 1]: at most VHID_MAX_ERROR_TEXT
 * bytes, cut where no UTF-8 sequence is split. Returns its length in bytes.
 */
size_t proto_error_text(char *text, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* The name of a device kind (enum vhid_device_kind), "keyboard", or "unknown". */
const char *proto_kind_name(uint32_t kind);

/*
 * Check a frame's payload size against its type and decode it into *out (a
 * struct vhid_msg_* of that type, host byte order; strings are checked for a
 * terminating NUL). For POST_REPORT, *out is the vhid_msg_post and the report
 * bytes are frame->payload + 8. For ERROR the message text is at payload + 8.
 * Returns 0, or -VHID_EPROTO with a description in msg.
 */
int proto_decode(const struct vhid_frame *frame, void *out, size_t out_size, char *msg,
		 size_t msglen);

/*
 * Encode a frame into buf (at least VHID_MAX_FRAME bytes): header plus the
 * fixed part `msg` (host order, the struct for `type`) plus `extra` bytes
 * (report bytes for POST_REPORT, text for ERROR). Returns the frame size, or
 * -EMSGSIZE.
 */
int proto_encode(uint8_t *buf, uint16_t type, uint32_t id, const void *msg, const void *extra,
		 size_t extra_len);

/* Copy a C string into a fixed NUL-padded field, truncating at a UTF-8 boundary. */
void proto_set_string(char *field, size_t size, const char *s);

#endif
