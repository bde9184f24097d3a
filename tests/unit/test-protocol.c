/*
 * Unit tests of the wire codec (common/protocol.c): every message type round-trips,
 * the bytes on the wire are little-endian as PROTOCOL.md says, and every size,
 * string and length check rejects what it should.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "protocol.h"
#include "vhid.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Every message type, its name and its payload bounds, written down independently. */
static const struct {
	uint16_t type;
	const char *name;
	size_t min, max;
} types[] = {
	{VHID_MSG_HELLO, "HELLO", 40, 40},
	{VHID_MSG_HEARTBEAT, "HEARTBEAT", 0, 0},
	{VHID_MSG_CREATE_DEVICE, "CREATE_DEVICE", 144, 144},
	{VHID_MSG_DESTROY_DEVICE, "DESTROY_DEVICE", 4, 4},
	{VHID_MSG_RESET_DEVICE, "RESET_DEVICE", 4, 4},
	{VHID_MSG_POST_REPORT, "POST_REPORT", 9, 74},
	{VHID_MSG_GET_STATUS, "GET_STATUS", 4, 4},
	{VHID_MSG_RESET_ALL, "RESET_ALL", 4, 4},
	{VHID_MSG_HELLO_REPLY, "HELLO_REPLY", 24, 24},
	{VHID_MSG_REPLY, "REPLY", 8, 8},
	{VHID_MSG_ERROR, "ERROR", 8, 264},
	{VHID_MSG_STATUS_DAEMON, "STATUS_DAEMON", 424, 424},
	{VHID_MSG_STATUS_CLIENT, "STATUS_CLIENT", 184, 184},
	{VHID_MSG_STATUS_DEVICE, "STATUS_DEVICE", 284, 284},
	{VHID_MSG_READY, "READY", 68, 68},
	{VHID_MSG_LEDS, "LEDS", 8, 8},
	{VHID_MSG_OPEN, "OPEN", 8, 8},
	{VHID_MSG_LEASE_EXPIRED, "LEASE_EXPIRED", 4, 4},
	{VHID_MSG_DEVICE_GONE, "DEVICE_GONE", 8, 8},
	{VHID_MSG_SHUTDOWN, "SHUTDOWN", 0, 0},
	{VHID_MSG_GET_LOG, "GET_LOG", 8, 8},
	{VHID_MSG_LOG_LINE, "LOG_LINE", 20, 1020},
};

/* size - 1 printable bytes, different for each seed, then the NUL */
static void
fill_string(char *field, size_t size, unsigned int seed)
{
	for (size_t i = 0; i + 1 < size; i++)
		field[i] = (char)('!' + (seed + i) % 94);
	field[size - 1] = '\0';
}

/*
 * Encode `in` (its fixed part is `fixed` bytes) plus extra, check the frame
 * parses back with the same header, and decode it into out (pre-filled with
 * garbage so a field the decoder forgets shows up).
 */
static struct vhid_frame
roundtrip(uint8_t *buf, uint16_t type, uint32_t id, const void *in, size_t fixed, const void *extra,
	  size_t extra_len, void *out, size_t out_size)
{
	struct vhid_frame frame;
	char msg[256] = "";
	int n = proto_encode(buf, type, id, in, extra, extra_len);

	assert_int_equal(n, VHID_HEADER_SIZE + fixed + extra_len);
	assert_int_equal(proto_parse_frame(buf, (size_t)n - 1, &frame), 0);
	memset(&frame, 0, sizeof(frame));
	assert_int_equal(proto_parse_frame(buf, (size_t)n, &frame), n);
	assert_int_equal(frame.hdr.type, type);
	assert_int_equal(frame.hdr.length, fixed + extra_len);
	assert_int_equal(frame.hdr.id, id);
	assert_ptr_equal(frame.payload, buf + VHID_HEADER_SIZE);
	memset(out, 0xa5, out_size);
	if (proto_decode(&frame, out, out_size, msg, sizeof(msg)) != 0)
		fail_msg("decoding %s failed: %s", proto_type_name(type), msg);
	return frame;
}

/* ---- round trips ---------------------------------------------------------- */

static void
roundtrip_hello(void **state)
{
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_msg_hello in = {.magic = VHID_HELLO_MAGIC, .version = 0x1122, .minor = 0x3344},
			      out;

	fill_string(in.name, sizeof(in.name), 1);
	roundtrip(buf, VHID_MSG_HELLO, 0x11223344, &in, sizeof(in), NULL, 0, &out, sizeof(out));
	assert_int_equal(out.magic, VHID_HELLO_MAGIC);
	assert_int_equal(out.version, 0x1122);
	assert_int_equal(out.minor, 0x3344);
	assert_int_equal(strlen(out.name), VHID_NAME_LEN - 1);
	assert_string_equal(out.name, in.name);
	assert_memory_equal(&out, &in, sizeof(in));
}

static void
roundtrip_empty(void **state)
{
	static const uint16_t empty[] = {VHID_MSG_HEARTBEAT, VHID_MSG_SHUTDOWN};
	uint8_t buf[VHID_MAX_FRAME], out = 0;

	for (size_t i = 0; i < N(empty); i++) {
		struct vhid_frame f = roundtrip(buf, empty[i], 0x55667788u + (uint32_t)i, NULL, 0,
						NULL, 0, &out, sizeof(out));
		assert_int_equal(f.hdr.length, 0);
	}
}

static void
roundtrip_create(void **state)
{
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_msg_create in =
				       {
					       .kind = 0x12,
					       .country = 0x34,
					       .bus = 0x5678,
					       .vendor = 0x11223344,
					       .product = 0x55667788,
					       .version = 0x99aabbcc,
				       },
			       out;

	fill_string(in.name, sizeof(in.name), 2);
	roundtrip(buf, VHID_MSG_CREATE_DEVICE, 0xdeadbeef, &in, sizeof(in), NULL, 0, &out,
		  sizeof(out));
	assert_int_equal(out.kind, 0x12);
	assert_int_equal(out.country, 0x34);
	assert_int_equal(out.bus, 0x5678);
	assert_int_equal(out.vendor, 0x11223344);
	assert_int_equal(out.product, 0x55667788);
	assert_int_equal(out.version, 0x99aabbcc);
	assert_int_equal(strlen(out.name), VHID_DEVNAME_LEN - 1);
	assert_string_equal(out.name, in.name);
	assert_memory_equal(&out, &in, sizeof(in));
}

static void
roundtrip_u32_requests(void **state)
{
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_msg_device din = {.device = 0x11223344}, dout;
	struct vhid_msg_get_status gin = {.scope = 0x55667788}, gout;
	struct vhid_msg_lease_expired lin = {.lease_ms = 0x99aabbcc}, lout;
	struct vhid_msg_reset_all rin = {.scope = 0x0a0b0c0d}, rout;

	roundtrip(buf, VHID_MSG_DESTROY_DEVICE, 1, &din, sizeof(din), NULL, 0, &dout, sizeof(dout));
	assert_int_equal(dout.device, 0x11223344);
	din.device = 0xf1e2d3c4;
	roundtrip(buf, VHID_MSG_RESET_DEVICE, 2, &din, sizeof(din), NULL, 0, &dout, sizeof(dout));
	assert_int_equal(dout.device, 0xf1e2d3c4);
	roundtrip(buf, VHID_MSG_GET_STATUS, 3, &gin, sizeof(gin), NULL, 0, &gout, sizeof(gout));
	assert_int_equal(gout.scope, 0x55667788);
	roundtrip(buf, VHID_MSG_LEASE_EXPIRED, 0, &lin, sizeof(lin), NULL, 0, &lout, sizeof(lout));
	assert_int_equal(lout.lease_ms, 0x99aabbcc);
	roundtrip(buf, VHID_MSG_RESET_ALL, 4, &rin, sizeof(rin), NULL, 0, &rout, sizeof(rout));
	assert_int_equal(rout.scope, 0x0a0b0c0d);
}

static void
roundtrip_post(void **state)
{
	uint8_t buf[VHID_MAX_FRAME], report[VHID_MAX_REPORT_SIZE];
	struct vhid_msg_post in = {.device = 0x11223344, .flags = 0x5566, .reserved = 0x7788}, out;
	struct vhid_frame f;

	for (size_t i = 0; i < sizeof(report); i++)
		report[i] = (uint8_t)(0x80 + i);

	f = roundtrip(buf, VHID_MSG_POST_REPORT, 0x0a0b0c0d, &in, sizeof(in), report, 1, &out,
		      sizeof(out));
	assert_int_equal(f.hdr.length, 9);
	assert_int_equal(out.device, 0x11223344);
	assert_int_equal(out.flags, 0x5566);
	assert_int_equal(out.reserved, 0x7788);
	assert_int_equal(f.payload[8], 0x80);

	in.flags = VHID_POST_NO_REPLY;
	in.reserved = 0;
	f = roundtrip(buf, VHID_MSG_POST_REPORT, 0x0a0b0c0e, &in, sizeof(in), report,
		      sizeof(report), &out, sizeof(out));
	assert_int_equal(f.hdr.length, 8 + 66);
	assert_int_equal(out.device, 0x11223344);
	assert_int_equal(out.flags, VHID_POST_NO_REPLY);
	assert_int_equal(out.reserved, 0);
	assert_memory_equal(f.payload + 8, report, sizeof(report));
}

static void
roundtrip_hello_reply(void **state)
{
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_msg_hello_reply in =
					    {
						    .version = 0x1122,
						    .minor = 0x3344,
						    .daemon_version = 0x55667788,
						    .capabilities = 0x99aabbcc,
						    .lease_ms = 0xddeeff01,
						    .client_id = 0x02030405,
						    .max_devices = 0x06070809,
					    },
				    out;

	roundtrip(buf, VHID_MSG_HELLO_REPLY, 0x11223344, &in, sizeof(in), NULL, 0, &out,
		  sizeof(out));
	assert_int_equal(out.version, 0x1122);
	assert_int_equal(out.minor, 0x3344);
	assert_int_equal(out.daemon_version, 0x55667788);
	assert_int_equal(out.capabilities, 0x99aabbcc);
	assert_int_equal(out.lease_ms, 0xddeeff01);
	assert_int_equal(out.client_id, 0x02030405);
	assert_int_equal(out.max_devices, 0x06070809);
	assert_memory_equal(&out, &in, sizeof(in));
}

static void
roundtrip_reply(void **state)
{
	static const int32_t statuses[] = {0, -VHID_EDENIED, -EINVAL, INT32_MIN, 0x11223344};
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_msg_reply in, out;

	for (size_t i = 0; i < N(statuses); i++) {
		in.status = statuses[i];
		in.value = 0x55667788u ^ (uint32_t)i;
		roundtrip(buf, VHID_MSG_REPLY, 0x99aabbcc, &in, sizeof(in), NULL, 0, &out,
			  sizeof(out));
		assert_true(out.status == statuses[i]);
		assert_int_equal(out.value, 0x55667788u ^ (uint32_t)i);
	}
}

static void
roundtrip_error(void **state)
{
	static const char text[] = "POST_REPORT payload must be 9..74 bytes, got 8";
	uint8_t buf[VHID_MAX_FRAME];
	char longtext[VHID_MAX_ERROR_MESSAGE];
	struct vhid_msg_error in =
				      {
					      .status = -VHID_EPROTO,
					      .request_type = VHID_MSG_POST_REPORT,
					      .message_length = sizeof(text) - 1,
				      },
			      out;
	struct vhid_frame f;

	f = roundtrip(buf, VHID_MSG_ERROR, 0x11223344, &in, sizeof(in), text, sizeof(text) - 1,
		      &out, sizeof(out));
	assert_true(out.status == -VHID_EPROTO);
	assert_int_equal(out.request_type, VHID_MSG_POST_REPORT);
	assert_int_equal(out.message_length, sizeof(text) - 1);
	assert_int_equal(f.hdr.length, 8 + sizeof(text) - 1);
	assert_memory_equal(f.payload + 8, text, sizeof(text) - 1);

	/* the longest message, and one with no text at all */
	for (size_t i = 0; i < sizeof(longtext); i++)
		longtext[i] = (char)('a' + i % 26);
	in.status = INT32_MIN + 0x01020304;
	in.request_type = 0x1122;
	in.message_length = sizeof(longtext);
	f = roundtrip(buf, VHID_MSG_ERROR, 7, &in, sizeof(in), longtext, sizeof(longtext), &out,
		      sizeof(out));
	assert_true(out.status == INT32_MIN + 0x01020304);
	assert_int_equal(out.request_type, 0x1122);
	assert_int_equal(out.message_length, VHID_MAX_ERROR_MESSAGE);
	assert_memory_equal(f.payload + 8, longtext, sizeof(longtext));

	in.message_length = 0;
	in.request_type = 0;
	f = roundtrip(buf, VHID_MSG_ERROR, 8, &in, sizeof(in), NULL, 0, &out, sizeof(out));
	assert_int_equal(out.message_length, 0);
	assert_int_equal(out.request_type, 0);
	assert_int_equal(f.hdr.length, 8);
}

static void
roundtrip_status_daemon(void **state)
{
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_msg_status_daemon in =
					      {
						      .daemon_version = 0x11223344,
						      .protocol = 0x5566,
						      .flags = 0x7788,
						      .pid = 0x99aabbcc,
						      .uptime_s = 0xddeeff01,
						      .clients = 0x02030405,
						      .devices = 0x06070809,
						      .lease_ms = 0x0a0b0c0d,
					      },
				      out;

	fill_string(in.socket, sizeof(in.socket), 3);
	fill_string(in.config, sizeof(in.config), 4);
	fill_string(in.socket_group, sizeof(in.socket_group), 5);
	fill_string(in.log_file, sizeof(in.log_file), 6);
	roundtrip(buf, VHID_MSG_STATUS_DAEMON, 0xfedcba98, &in, sizeof(in), NULL, 0, &out,
		  sizeof(out));
	assert_int_equal(out.daemon_version, 0x11223344);
	assert_int_equal(out.protocol, 0x5566);
	assert_int_equal(out.flags, 0x7788);
	assert_int_equal(out.pid, 0x99aabbcc);
	assert_int_equal(out.uptime_s, 0xddeeff01);
	assert_int_equal(out.clients, 0x02030405);
	assert_int_equal(out.devices, 0x06070809);
	assert_int_equal(out.lease_ms, 0x0a0b0c0d);
	assert_int_equal(strlen(out.socket), sizeof(out.socket) - 1);
	assert_string_equal(out.socket, in.socket);
	assert_int_equal(strlen(out.config), VHID_PATH_LEN - 1);
	assert_string_equal(out.config, in.config);
	assert_int_equal(strlen(out.socket_group), VHID_NAME_LEN - 1);
	assert_string_equal(out.socket_group, in.socket_group);
	assert_string_equal(out.log_file, in.log_file);
	assert_memory_equal(&out, &in, sizeof(in));
}

static void
roundtrip_status_client(void **state)
{
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_msg_status_client in =
					      {
						      .client_id = 0x11223344,
						      .pid = 0x55667788,
						      .uid = 0x99aabbcc,
						      .gid = 0xddeeff01,
						      .devices = 0x02030405,
						      .idle_ms = 0x06070809,
					      },
				      out;

	fill_string(in.name, sizeof(in.name), 6);
	fill_string(in.exe, sizeof(in.exe), 7);
	roundtrip(buf, VHID_MSG_STATUS_CLIENT, 0x01020304, &in, sizeof(in), NULL, 0, &out,
		  sizeof(out));
	assert_int_equal(out.client_id, 0x11223344);
	assert_int_equal(out.pid, 0x55667788);
	assert_int_equal(out.uid, 0x99aabbcc);
	assert_int_equal(out.gid, 0xddeeff01);
	assert_int_equal(out.devices, 0x02030405);
	assert_int_equal(out.idle_ms, 0x06070809);
	assert_int_equal(strlen(out.name), VHID_NAME_LEN - 1);
	assert_string_equal(out.name, in.name);
	assert_int_equal(strlen(out.exe), VHID_PATH_LEN - 1);
	assert_string_equal(out.exe, in.exe);
	assert_memory_equal(&out, &in, sizeof(in));
}

static void
roundtrip_status_device(void **state)
{
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_msg_status_device in =
					      {
						      .device = 0x11223344,
						      .client_id = 0x55667788,
						      .kind = 0x99,
						      .flags = 0xaa,
						      .leds = 0xbb,
						      .country = 0xcc,
						      .bus = 0xddee,
						      .readers = 0xff01,
						      .vendor = 0x02030405,
						      .product = 0x06070809,
						      .version = 0x0a0b0c0d,
					      },
				      out;

	fill_string(in.name, sizeof(in.name), 8);
	fill_string(in.evdev, sizeof(in.evdev), 9);
	fill_string(in.hidraw, sizeof(in.hidraw), 10);
	fill_string(in.phys, sizeof(in.phys), 11);
	roundtrip(buf, VHID_MSG_STATUS_DEVICE, 0x0e0f1011, &in, sizeof(in), NULL, 0, &out,
		  sizeof(out));
	assert_int_equal(out.device, 0x11223344);
	assert_int_equal(out.client_id, 0x55667788);
	assert_int_equal(out.kind, 0x99);
	assert_int_equal(out.flags, 0xaa);
	assert_int_equal(out.leds, 0xbb);
	assert_int_equal(out.country, 0xcc);
	assert_int_equal(out.bus, 0xddee);
	assert_int_equal(out.readers, 0xff01);
	assert_int_equal(out.vendor, 0x02030405);
	assert_int_equal(out.product, 0x06070809);
	assert_int_equal(out.version, 0x0a0b0c0d);
	assert_int_equal(strlen(out.name), VHID_DEVNAME_LEN - 1);
	assert_string_equal(out.name, in.name);
	assert_int_equal(strlen(out.evdev), VHID_NODE_LEN - 1);
	assert_string_equal(out.evdev, in.evdev);
	assert_int_equal(strlen(out.hidraw), VHID_NODE_LEN - 1);
	assert_string_equal(out.hidraw, in.hidraw);
	assert_int_equal(strlen(out.phys), sizeof(out.phys) - 1);
	assert_string_equal(out.phys, in.phys);
	assert_memory_equal(&out, &in, sizeof(in));
}

static void
roundtrip_pushes(void **state)
{
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_msg_ready rin = {.device = 0x11223344}, rout;
	struct vhid_msg_leds lin = {.device = 0x55667788,
				    .leds = 0x99,
				    .reserved = {0xaa, 0xbb, 0xcc}},
			     lout;
	struct vhid_msg_open oin = {.device = 0xddeeff01, .readers = 0x0302, .reserved = 0x0504},
			     oout;
	struct vhid_msg_device_gone gin = {.device = 0x05060708, .reason = -VHID_ENODRIVER}, gout;

	fill_string(rin.evdev, sizeof(rin.evdev), 12);
	fill_string(rin.hidraw, sizeof(rin.hidraw), 13);
	roundtrip(buf, VHID_MSG_READY, 0, &rin, sizeof(rin), NULL, 0, &rout, sizeof(rout));
	assert_int_equal(rout.device, 0x11223344);
	assert_int_equal(strlen(rout.evdev), VHID_NODE_LEN - 1);
	assert_string_equal(rout.evdev, rin.evdev);
	assert_int_equal(strlen(rout.hidraw), VHID_NODE_LEN - 1);
	assert_string_equal(rout.hidraw, rin.hidraw);
	assert_memory_equal(&rout, &rin, sizeof(rin));

	roundtrip(buf, VHID_MSG_LEDS, 0, &lin, sizeof(lin), NULL, 0, &lout, sizeof(lout));
	assert_int_equal(lout.device, 0x55667788);
	assert_int_equal(lout.leds, 0x99);
	assert_int_equal(lout.reserved[0], 0xaa);
	assert_int_equal(lout.reserved[1], 0xbb);
	assert_int_equal(lout.reserved[2], 0xcc);

	roundtrip(buf, VHID_MSG_OPEN, 0, &oin, sizeof(oin), NULL, 0, &oout, sizeof(oout));
	assert_int_equal(oout.device, 0xddeeff01);
	assert_int_equal(oout.readers, 0x0302);
	assert_int_equal(oout.reserved, 0x0504);

	roundtrip(buf, VHID_MSG_DEVICE_GONE, 0, &gin, sizeof(gin), NULL, 0, &gout, sizeof(gout));
	assert_int_equal(gout.device, 0x05060708);
	assert_true(gout.reason == -VHID_ENODRIVER);
	gin.reason = INT32_MIN;
	roundtrip(buf, VHID_MSG_DEVICE_GONE, 0, &gin, sizeof(gin), NULL, 0, &gout, sizeof(gout));
	assert_true(gout.reason == INT32_MIN);
}

/* ---- the bytes on the wire ------------------------------------------------ */

/* decode a hand-written frame of `len` bytes */
static void
decode_bytes(const uint8_t *bytes, size_t len, void *out, size_t out_size)
{
	struct vhid_frame f;
	char msg[256] = "";

	assert_int_equal(proto_parse_frame(bytes, len, &f), (int)len);
	if (proto_decode(&f, out, out_size, msg, sizeof(msg)) != 0)
		fail_msg("decoding hand-written %s failed: %s", proto_type_name(f.hdr.type), msg);
}

static void
wire_hello(void **state)
{
	uint8_t expect[8 + 40] = {
		0x01, 0x00,             /* type */
		0x28, 0x00,             /* length 40 */
		0x44, 0x33, 0x22, 0x11, /* id */
		'V',  'H',  'I',  'D',  /* magic */
		0x01, 0x00,             /* version */
		0x03, 0x02,             /* minor */
		'k',  'b',  'd',        /* name, NUL-padded */
	};
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_msg_hello in = {.magic = VHID_HELLO_MAGIC, .version = 1, .minor = 0x0203}, out;

	proto_set_string(in.name, sizeof(in.name), "kbd");
	assert_int_equal(proto_encode(buf, VHID_MSG_HELLO, 0x11223344, &in, NULL, 0),
			 sizeof(expect));
	assert_memory_equal(buf, expect, sizeof(expect));

	decode_bytes(expect, sizeof(expect), &out, sizeof(out));
	assert_int_equal(out.magic, VHID_HELLO_MAGIC);
	assert_int_equal(out.version, 1);
	assert_int_equal(out.minor, 0x0203);
	assert_string_equal(out.name, "kbd");
}

static void
wire_create(void **state)
{
	uint8_t expect[8 + 144] = {
		0x03, 0x00,             /* type */
		0x90, 0x00,             /* length 144 */
		0xd4, 0xc3, 0xb2, 0xa1, /* id */
		0x01,                   /* kind */
		0x21,                   /* country */
		0x03, 0x00,             /* bus */
		0xc0, 0x16, 0x00, 0x00, /* vendor */
		0x78, 0x56, 0x34, 0x12, /* product */
		0xf0, 0xde, 0xbc, 0x9a, /* version */
		'v',  'h',  'i',  'd',  ' ', 'k', 'b', 'd',
	};
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_msg_create in =
				       {
					       .kind = VHID_DEVICE_KEYBOARD,
					       .country = 33,
					       .bus = 3,
					       .vendor = 0x16c0,
					       .product = 0x12345678,
					       .version = 0x9abcdef0,
				       },
			       out;

	proto_set_string(in.name, sizeof(in.name), "vhid kbd");
	assert_int_equal(proto_encode(buf, VHID_MSG_CREATE_DEVICE, 0xa1b2c3d4, &in, NULL, 0),
			 sizeof(expect));
	assert_memory_equal(buf, expect, sizeof(expect));

	decode_bytes(expect, sizeof(expect), &out, sizeof(out));
	assert_int_equal(out.kind, VHID_DEVICE_KEYBOARD);
	assert_int_equal(out.country, 33);
	assert_int_equal(out.bus, 3);
	assert_int_equal(out.vendor, 0x16c0);
	assert_int_equal(out.product, 0x12345678);
	assert_int_equal(out.version, 0x9abcdef0);
	assert_string_equal(out.name, "vhid kbd");
}

static void
wire_post(void **state)
{
	static const uint8_t expect[8 + 8 + 3] = {
		0x06, 0x00,             /* type */
		0x0b, 0x00,             /* length 11 */
		0x07, 0x00, 0x00, 0x00, /* id */
		0x04, 0x03, 0x02, 0x01, /* device */
		0x01, 0x00,             /* flags: NO_REPLY */
		0x00, 0x00,             /* reserved */
		0x01, 0xa2, 0xb3,       /* the report */
	};
	static const uint8_t report[] = {0x01, 0xa2, 0xb3};
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_msg_post in = {.device = 0x01020304, .flags = VHID_POST_NO_REPLY}, out;

	assert_int_equal(proto_encode(buf, VHID_MSG_POST_REPORT, 7, &in, report, sizeof(report)),
			 sizeof(expect));
	assert_memory_equal(buf, expect, sizeof(expect));

	decode_bytes(expect, sizeof(expect), &out, sizeof(out));
	assert_int_equal(out.device, 0x01020304);
	assert_int_equal(out.flags, VHID_POST_NO_REPLY);
	assert_int_equal(out.reserved, 0);
}

static void
wire_reply_error(void **state)
{
	static const uint8_t reply[8 + 8] = {
		0x02, 0x80,             /* type */
		0x08, 0x00,             /* length */
		0x78, 0x56, 0x34, 0x12, /* id */
		0x10, 0xfc, 0xff, 0xff, /* status -1008 */
		0x44, 0x33, 0x22, 0x11, /* value */
	};
	static const uint8_t error[8 + 8 + 2] = {
		0x03, 0x80,             /* type */
		0x0a, 0x00,             /* length */
		0x01, 0x00, 0x00, 0x00, /* id */
		0x0f, 0xfc, 0xff, 0xff, /* status -1009 */
		0x06, 0x00,             /* request type */
		0x02, 0x00,             /* message length */
		'n',  'o',
	};
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_msg_reply rin = {.status = -VHID_EDENIED, .value = 0x11223344};
	struct vhid_msg_error ein = {
		.status = -VHID_EPROTO, .request_type = VHID_MSG_POST_REPORT, .message_length = 2};

	assert_int_equal(proto_encode(buf, VHID_MSG_REPLY, 0x12345678, &rin, NULL, 0),
			 sizeof(reply));
	assert_memory_equal(buf, reply, sizeof(reply));
	assert_int_equal(proto_encode(buf, VHID_MSG_ERROR, 1, &ein, "no", 2), sizeof(error));
	assert_memory_equal(buf, error, sizeof(error));
}

/* ---- sizes, names, rejections --------------------------------------------- */

static void
names_and_sizes(void **state)
{
	int known = 0;

	for (size_t i = 0; i < N(types); i++) {
		size_t min = 12345, max = 12345;

		assert_non_null(proto_type_name(types[i].type));
		assert_string_equal(proto_type_name(types[i].type), types[i].name);
		assert_int_equal(proto_payload_size(types[i].type, &min, &max), 0);
		if (min != types[i].min || max != types[i].max)
			fail_msg("%s: payload %zu..%zu, expected %zu..%zu", types[i].name, min, max,
				 types[i].min, types[i].max);
	}
	/* the table above is every type the codec knows */
	for (unsigned int t = 0; t <= 0xffff; t++) {
		size_t min, max;
		int in_table = 0;

		for (size_t i = 0; i < N(types); i++)
			in_table |= types[i].type == t;
		if (proto_type_name((uint16_t)t)) {
			known++;
			if (!in_table)
				fail_msg("type 0x%04x (%s) is missing from the test's table", t,
					 proto_type_name((uint16_t)t));
		} else {
			assert_false(in_table);
			assert_int_equal(proto_payload_size((uint16_t)t, &min, &max), -1);
		}
	}
	assert_int_equal(known, N(types));
	assert_int_equal(VHID_POST_MIN, 9);
	assert_int_equal(VHID_POST_MAX, 74);
}

static uint8_t zeros[VHID_MAX_PAYLOAD];

static int
decode_len(uint16_t type, const uint8_t *payload, size_t len, char *msg, size_t msglen)
{
	uint8_t out[512];
	struct vhid_frame f = {.hdr = {.type = type, .length = (uint16_t)len, .id = 1},
			       .payload = payload};

	msg[0] = '\0';
	return proto_decode(&f, out, sizeof(out), msg, msglen);
}

static void
expect_size_error(uint16_t type, size_t len)
{
	char msg[256], want[256];
	size_t min, max;
	const char *name = proto_type_name(type);

	assert_int_equal(proto_payload_size(type, &min, &max), 0);
	if (min == max)
		snprintf(want, sizeof(want), "%s payload must be %zu bytes, got %zu", name, min,
			 len);
	else
		snprintf(want, sizeof(want), "%s payload must be %zu..%zu bytes, got %zu", name,
			 min, max, len);
	if (decode_len(type, zeros, len, msg, sizeof(msg)) != -VHID_EPROTO)
		fail_msg("%s with %zu payload bytes was accepted", name, len);
	assert_string_equal(msg, want);
}

static void
size_one_off(void **state)
{
	char msg[256];

	for (size_t i = 0; i < N(types); i++) {
		if (types[i].min > 0)
			expect_size_error(types[i].type, types[i].min - 1);
		expect_size_error(types[i].type, types[i].max + 1);
		expect_size_error(types[i].type, VHID_MAX_PAYLOAD);
		/* the exact (or smallest) size of zeros is fine: strings are empty, no text */
		if (decode_len(types[i].type, zeros, types[i].min, msg, sizeof(msg)) != 0)
			fail_msg("%s with %zu bytes: %s", types[i].name, types[i].min, msg);
	}
}

static void
size_bounded(void **state)
{
	uint8_t payload[VHID_MAX_PAYLOAD] = {0};
	char msg[256];

	/* POST_REPORT: 8 + 1..66 */
	for (size_t len = 9; len <= 74; len++)
		assert_int_equal(decode_len(VHID_MSG_POST_REPORT, payload, len, msg, sizeof(msg)),
				 0);
	for (size_t len = 0; len < 9; len++)
		expect_size_error(VHID_MSG_POST_REPORT, len);
	for (size_t len = 75; len < 80; len++)
		expect_size_error(VHID_MSG_POST_REPORT, len);
	assert_int_equal(decode_len(VHID_MSG_POST_REPORT, payload, 8, msg, sizeof(msg)),
			 -VHID_EPROTO);
	assert_string_equal(msg, "POST_REPORT payload must be 9..74 bytes, got 8");
	assert_int_equal(decode_len(VHID_MSG_POST_REPORT, payload, 75, msg, sizeof(msg)),
			 -VHID_EPROTO);
	assert_string_equal(msg, "POST_REPORT payload must be 9..74 bytes, got 75");

	/* ERROR: 8 + 0..256, message_length matching */
	for (size_t len = 8; len <= 264; len++) {
		payload[6] = (uint8_t)(len - 8);
		payload[7] = (uint8_t)((len - 8) >> 8);
		if (decode_len(VHID_MSG_ERROR, payload, len, msg, sizeof(msg)) != 0)
			fail_msg("ERROR with %zu bytes: %s", len, msg);
	}
	for (size_t len = 0; len < 8; len++)
		expect_size_error(VHID_MSG_ERROR, len);
	for (size_t len = 265; len < 270; len++)
		expect_size_error(VHID_MSG_ERROR, len);
	payload[6] = 0x01; /* message_length 257: still a size error first */
	payload[7] = 0x01;
	assert_int_equal(decode_len(VHID_MSG_ERROR, payload, 265, msg, sizeof(msg)), -VHID_EPROTO);
	assert_string_equal(msg, "ERROR payload must be 8..264 bytes, got 265");
	assert_int_equal(decode_len(VHID_MSG_ERROR, payload, 7, msg, sizeof(msg)), -VHID_EPROTO);
	assert_string_equal(msg, "ERROR payload must be 8..264 bytes, got 7");
}

static void
unknown_type(void **state)
{
	static const uint16_t unknown[] = {0x0000, 0x000a, 0x0010, 0x0100,          0x8000,
					   0x8004, 0x8014, 0x8026, 0x0001 | 0x4000, 0xffff};
	uint8_t buf[VHID_MAX_FRAME], in[16] = {0};
	char msg[256], want[64];
	size_t min = 7, max = 7;

	for (size_t i = 0; i < N(unknown); i++) {
		snprintf(want, sizeof(want), "unknown message type 0x%04x", unknown[i]);
		assert_int_equal(decode_len(unknown[i], zeros, 0, msg, sizeof(msg)), -VHID_EPROTO);
		assert_string_equal(msg, want);
		assert_int_equal(decode_len(unknown[i], zeros, 8, msg, sizeof(msg)), -VHID_EPROTO);
		assert_string_equal(msg, want);
		assert_null(proto_type_name(unknown[i]));
		assert_int_equal(proto_payload_size(unknown[i], &min, &max), -1);
		assert_int_equal(proto_encode(buf, unknown[i], 1, in, NULL, 0), -EMSGSIZE);
	}
	/* no message buffer: still an error, no crash */
	{
		struct vhid_frame f = {.hdr = {.type = 0x000a}, .payload = zeros};
		assert_int_equal(proto_decode(&f, in, sizeof(in), NULL, 0), -VHID_EPROTO);
	}
}

static void
parse_frame_limits(void **state)
{
	static uint8_t buf[VHID_MAX_FRAME + 16];
	struct vhid_frame f;

	/* fewer than 8 bytes: need more */
	memset(buf, 0, sizeof(buf));
	buf[0] = 0x01;
	buf[2] = 40;
	for (size_t len = 0; len < VHID_HEADER_SIZE; len++)
		assert_int_equal(proto_parse_frame(buf, len, &f), 0);
	/* header complete, payload not */
	for (size_t len = VHID_HEADER_SIZE; len < VHID_HEADER_SIZE + 40; len++)
		assert_int_equal(proto_parse_frame(buf, len, &f), 0);
	assert_int_equal(proto_parse_frame(buf, 48, &f), 48);
	/* the next frame's bytes are not this frame's */
	assert_int_equal(proto_parse_frame(buf, 49, &f), 48);
	assert_int_equal(f.hdr.type, VHID_MSG_HELLO);
	assert_int_equal(f.hdr.length, 40);

	/* a header-only frame is complete at 8 bytes */
	memset(buf, 0, 8);
	buf[0] = 0x02;
	buf[4] = 0x44;
	buf[5] = 0x33;
	buf[6] = 0x22;
	buf[7] = 0x11;
	assert_int_equal(proto_parse_frame(buf, 8, &f), 8);
	assert_int_equal(f.hdr.type, VHID_MSG_HEARTBEAT);
	assert_int_equal(f.hdr.length, 0);
	assert_int_equal(f.hdr.id, 0x11223344);
	assert_ptr_equal(f.payload, buf + 8);

	/* VHID_MAX_PAYLOAD is allowed (whatever the type), one more is a protocol error */
	buf[2] = VHID_MAX_PAYLOAD & 0xff;
	buf[3] = VHID_MAX_PAYLOAD >> 8;
	assert_int_equal(proto_parse_frame(buf, VHID_HEADER_SIZE + VHID_MAX_PAYLOAD - 1, &f), 0);
	assert_int_equal(proto_parse_frame(buf, VHID_MAX_FRAME, &f), VHID_MAX_FRAME);
	buf[2] = (VHID_MAX_PAYLOAD + 1) & 0xff;
	buf[3] = (VHID_MAX_PAYLOAD + 1) >> 8;
	/* known at once from the header, without waiting for the payload */
	assert_int_equal(proto_parse_frame(buf, VHID_HEADER_SIZE, &f), -VHID_EPROTO);
	assert_int_equal(proto_parse_frame(buf, sizeof(buf), &f), -VHID_EPROTO);
	buf[2] = 0xff;
	buf[3] = 0xff;
	assert_int_equal(proto_parse_frame(buf, VHID_HEADER_SIZE, &f), -VHID_EPROTO);
	/* a short buffer is incomplete even when its header would be bad */
	assert_int_equal(proto_parse_frame(buf, VHID_HEADER_SIZE - 1, &f), 0);
}

/* Every string field of every type, with the 1-based field number in its layout. */
static const struct {
	uint16_t type;
	size_t offset, size;
	int field;
} string_fields[] = {
	{VHID_MSG_HELLO, offsetof(struct vhid_msg_hello, name), VHID_NAME_LEN, 4},
	{VHID_MSG_CREATE_DEVICE, offsetof(struct vhid_msg_create, name), VHID_DEVNAME_LEN, 7},
	{VHID_MSG_STATUS_DAEMON, offsetof(struct vhid_msg_status_daemon, socket), 108, 9},
	{VHID_MSG_STATUS_DAEMON, offsetof(struct vhid_msg_status_daemon, config), VHID_PATH_LEN,
	 10},
	{VHID_MSG_STATUS_DAEMON, offsetof(struct vhid_msg_status_daemon, socket_group),
	 VHID_NAME_LEN, 11},
	{VHID_MSG_STATUS_DAEMON, offsetof(struct vhid_msg_status_daemon, log_file), VHID_PATH_LEN,
	 12},
	{VHID_MSG_STATUS_CLIENT, offsetof(struct vhid_msg_status_client, name), VHID_NAME_LEN, 7},
	{VHID_MSG_STATUS_CLIENT, offsetof(struct vhid_msg_status_client, exe), VHID_PATH_LEN, 8},
	{VHID_MSG_STATUS_DEVICE, offsetof(struct vhid_msg_status_device, name), VHID_DEVNAME_LEN,
	 12},
	{VHID_MSG_STATUS_DEVICE, offsetof(struct vhid_msg_status_device, evdev), VHID_NODE_LEN, 13},
	{VHID_MSG_STATUS_DEVICE, offsetof(struct vhid_msg_status_device, hidraw), VHID_NODE_LEN,
	 14},
	{VHID_MSG_STATUS_DEVICE, offsetof(struct vhid_msg_status_device, phys), 64, 15},
	{VHID_MSG_READY, offsetof(struct vhid_msg_ready, evdev), VHID_NODE_LEN, 2},
	{VHID_MSG_READY, offsetof(struct vhid_msg_ready, hidraw), VHID_NODE_LEN, 3},
};

static void
string_without_nul(void **state)
{
	for (size_t i = 0; i < N(string_fields); i++) {
		uint8_t payload[VHID_MAX_PAYLOAD] = {0}, buf[VHID_MAX_FRAME];
		char msg[256], want[128];
		size_t min, max;
		const char *name = proto_type_name(string_fields[i].type);

		assert_int_equal(proto_payload_size(string_fields[i].type, &min, &max), 0);
		/* a NUL in the last byte is enough */
		memset(payload + string_fields[i].offset, 'x', string_fields[i].size - 1);
		if (decode_len(string_fields[i].type, payload, min, msg, sizeof(msg)) != 0)
			fail_msg("%s with a full-length string: %s", name, msg);
		/* no NUL at all */
		payload[string_fields[i].offset + string_fields[i].size - 1] = 'y';
		snprintf(want, sizeof(want), "%s field %d is a string without a terminating NUL",
			 name, string_fields[i].field);
		assert_int_equal(decode_len(string_fields[i].type, payload, min, msg, sizeof(msg)),
				 -VHID_EPROTO);
		assert_string_equal(msg, want);
		/* the encoder refuses to send one: a caller bug (payload is in host order, but
		 * the string fields are bytes either way) */
		assert_int_equal(proto_encode(buf, string_fields[i].type, 1, payload, NULL, 0),
				 -EMSGSIZE);
	}
}

static void
error_message_length(void **state)
{
	uint8_t payload[8 + 16] = {0xf7, 0xfb, 0xff, 0xff, 0x03, 0x00, 0,
				   0,    'h',  'e',  'l',  'l',  'o'};
	char msg[256];

	payload[6] = 5;
	assert_int_equal(decode_len(VHID_MSG_ERROR, payload, 13, msg, sizeof(msg)), 0);
	payload[6] = 4;
	assert_int_equal(decode_len(VHID_MSG_ERROR, payload, 13, msg, sizeof(msg)), -VHID_EPROTO);
	assert_string_equal(msg, "ERROR message_length 4 does not match the 5 bytes sent");
	payload[6] = 6;
	assert_int_equal(decode_len(VHID_MSG_ERROR, payload, 13, msg, sizeof(msg)), -VHID_EPROTO);
	assert_string_equal(msg, "ERROR message_length 6 does not match the 5 bytes sent");
	payload[6] = 0;
	assert_int_equal(decode_len(VHID_MSG_ERROR, payload, 13, msg, sizeof(msg)), -VHID_EPROTO);
	assert_string_equal(msg, "ERROR message_length 0 does not match the 5 bytes sent");
	payload[6] = 5; /* announced text that is not there */
	assert_int_equal(decode_len(VHID_MSG_ERROR, payload, 8, msg, sizeof(msg)), -VHID_EPROTO);
	assert_string_equal(msg, "ERROR message_length 5 does not match the 0 bytes sent");
	payload[6] = 0x05; /* the high byte counts: 0x0105 */
	payload[7] = 0x01;
	assert_int_equal(decode_len(VHID_MSG_ERROR, payload, 13, msg, sizeof(msg)), -VHID_EPROTO);
	assert_string_equal(msg, "ERROR message_length 261 does not match the 5 bytes sent");
}

static void
encode_too_much(void **state)
{
	static uint8_t extra[VHID_MAX_PAYLOAD + 1];
	uint8_t buf[VHID_MAX_FRAME], in[512] = {0};

	assert_int_equal(proto_encode(buf, VHID_MSG_POST_REPORT, 1, in, extra, 66), 8 + 8 + 66);
	assert_int_equal(proto_encode(buf, VHID_MSG_POST_REPORT, 1, in, extra, 67), -EMSGSIZE);
	assert_int_equal(proto_encode(buf, VHID_MSG_POST_REPORT, 1, in, extra, sizeof(extra)),
			 -EMSGSIZE);
	/* an ERROR's message_length must match the text given */
	assert_int_equal(proto_encode(buf, VHID_MSG_ERROR, 1, in, extra, 256), -EMSGSIZE);
	((struct vhid_msg_error *)in)->message_length = 256;
	assert_int_equal(proto_encode(buf, VHID_MSG_ERROR, 1, in, extra, 256), 8 + 8 + 256);
	((struct vhid_msg_error *)in)->message_length = 257;
	assert_int_equal(proto_encode(buf, VHID_MSG_ERROR, 1, in, extra, 257), -EMSGSIZE);
	/* a POST_REPORT needs at least one report byte */
	assert_int_equal(proto_encode(buf, VHID_MSG_POST_REPORT, 1, in, NULL, 0), -EMSGSIZE);
	assert_int_equal(proto_encode(buf, VHID_MSG_ERROR, 1, in, extra, sizeof(extra)), -EMSGSIZE);
	/* types without extra bytes take none */
	for (size_t i = 0; i < N(types); i++) {
		if (types[i].min != types[i].max)
			continue;
		assert_int_equal(proto_encode(buf, types[i].type, 1, in, NULL, 0),
				 VHID_HEADER_SIZE + types[i].min);
		assert_int_equal(proto_encode(buf, types[i].type, 1, in, extra, 1), -EMSGSIZE);
	}
	/* a length without bytes */
	assert_int_equal(proto_encode(buf, VHID_MSG_POST_REPORT, 1, in, NULL, 1), -EMSGSIZE);
	assert_int_equal(proto_encode(buf, VHID_MSG_ERROR, 1, in, NULL, 1), -EMSGSIZE);
}

/* ---- proto_set_string ----------------------------------------------------- */

static void
set_string_pads(void **state)
{
	char field[31];

	memset(field, 0x7f, sizeof(field));
	proto_set_string(field, sizeof(field), "abc");
	assert_string_equal(field, "abc");
	for (size_t i = 3; i < sizeof(field); i++)
		assert_int_equal(field[i], 0);

	memset(field, 0x7f, sizeof(field));
	proto_set_string(field, sizeof(field), NULL);
	for (size_t i = 0; i < sizeof(field); i++)
		assert_int_equal(field[i], 0);

	memset(field, 0x7f, sizeof(field));
	proto_set_string(field, sizeof(field), "");
	for (size_t i = 0; i < sizeof(field); i++)
		assert_int_equal(field[i], 0);

	/* exactly size - 1 bytes fit */
	proto_set_string(field, sizeof(field), "abcdefghijklmnopqrstuvwxyz0123");
	assert_string_equal(field, "abcdefghijklmnopqrstuvwxyz0123");
	/* ASCII is cut at size - 1 */
	proto_set_string(field, sizeof(field), "abcdefghijklmnopqrstuvwxyz0123456789");
	assert_string_equal(field, "abcdefghijklmnopqrstuvwxyz0123");
	assert_int_equal(field[30], 0);
}

static void
set_string_utf8(void **state)
{
	char field[31], s[64], want[31];

	/* "é" (c3 a9) at bytes 29-30: byte 30 would be cut off from its lead byte */
	memset(s, 'a', 29);
	strcpy(s + 29, "\xc3\xa9zz");
	memset(field, 0x7f, sizeof(field));
	proto_set_string(field, sizeof(field), s);
	memset(want, 0, sizeof(want));
	memset(want, 'a', 29);
	assert_memory_equal(field, want, sizeof(want));
	assert_int_equal(strlen(field), 29);

	/* "é" at bytes 30-31: the field ends before its lead byte, nothing to drop */
	memset(s, 'a', 30);
	strcpy(s + 30, "\xc3\xa9");
	proto_set_string(field, sizeof(field), s);
	assert_int_equal(strlen(field), 30);
	assert_memory_equal(field, s, 30);

	/* "€" (e2 82 ac) at bytes 28-30 and 29-31 */
	memset(s, 'a', 28);
	strcpy(s + 28, "\xe2\x82\xac");
	assert_int_equal(strlen(s), 31);
	proto_set_string(field, sizeof(field), s);
	assert_int_equal(strlen(field), 28);
	assert_memory_equal(field, s, 28);
	memset(s, 'a', 29);
	strcpy(s + 29, "\xe2\x82\xac");
	proto_set_string(field, sizeof(field), s);
	assert_int_equal(strlen(field), 29);
	for (size_t i = 29; i < sizeof(field); i++)
		assert_int_equal(field[i], 0);

	/* a string that fits keeps its multi-byte characters */
	proto_set_string(field, sizeof(field), "caf\xc3\xa9 \xe2\x82\xac");
	assert_string_equal(field, "caf\xc3\xa9 \xe2\x82\xac");

	/* 4-byte characters, 15 of them: 60 bytes, cut to 7 whole ones */
	s[0] = '\0';
	for (int i = 0; i < 15; i++)
		strcat(s, "\xf0\x9f\x98\x80");
	proto_set_string(field, sizeof(field), s);
	assert_int_equal(strlen(field), 28);
	assert_memory_equal(field, s, 28);
}

/* ---- protocol 1.1 ------------------------------------------------------------- */

static int
check_reserved(uint16_t type, const uint8_t *payload, size_t len, char *msg, size_t msglen)
{
	struct vhid_frame f = {.hdr = {.type = type, .length = (uint16_t)len, .id = 1},
			       .payload = payload};

	msg[0] = '\0';
	return proto_check_reserved(&f, msg, msglen);
}

static void
reserved_fields(void **state)
{
	uint8_t p[VHID_MAX_PAYLOAD] = {0};
	char msg[256];

	p[8] = 0x04; /* a report id: POST_REPORT's report is not reserved */
	assert_int_equal(check_reserved(VHID_MSG_POST_REPORT, p, 9, msg, sizeof(msg)), 0);
	p[4] = 0x01; /* NO_REPLY: defined */
	assert_int_equal(check_reserved(VHID_MSG_POST_REPORT, p, 9, msg, sizeof(msg)), 0);
	p[4] = 0x03;
	assert_int_equal(check_reserved(VHID_MSG_POST_REPORT, p, 9, msg, sizeof(msg)),
			 -VHID_EPROTO);
	assert_string_equal(msg, "POST_REPORT flags is 0x0003: undefined bits 0x0002 must be 0");
	p[4] = 0x01;
	p[6] = 0x01;
	assert_int_equal(check_reserved(VHID_MSG_POST_REPORT, p, 9, msg, sizeof(msg)),
			 -VHID_EPROTO);
	assert_string_equal(msg, "POST_REPORT reserved field is 0x0001, must be 0");
	memset(p, 0, sizeof(p));
	p[7] = 0x80;
	assert_int_equal(check_reserved(VHID_MSG_GET_LOG, p, 8, msg, sizeof(msg)), -VHID_EPROTO);
	assert_string_equal(msg, "GET_LOG flags is 0x8000: undefined bits 0x8000 must be 0");
	/* HELLO: the minor is a field now, any value; the name's padding is reserved */
	memset(p, 0, sizeof(p));
	p[6] = 0xff;
	p[8] = 'k';
	assert_int_equal(check_reserved(VHID_MSG_HELLO, p, 40, msg, sizeof(msg)), 0);
	p[20] = 'x';
	assert_int_equal(check_reserved(VHID_MSG_HELLO, p, 40, msg, sizeof(msg)), -VHID_EPROTO);
	assert_string_equal(msg, "HELLO name has byte 0x78 at offset 12 after its terminating "
				 "NUL; the padding must be 0");
	memset(p, 0, sizeof(p));
	p[16 + 127] = 1;
	assert_int_equal(check_reserved(VHID_MSG_CREATE_DEVICE, p, 144, msg, sizeof(msg)),
			 -VHID_EPROTO);
	assert_non_null(strstr(msg, "CREATE_DEVICE name has byte 0x01 at offset 127"));
	/* types without reserved bytes, and replies, pass whatever they hold */
	memset(p, 0xff, sizeof(p));
	assert_int_equal(check_reserved(VHID_MSG_RESET_ALL, p, 4, msg, sizeof(msg)), 0);
	assert_int_equal(check_reserved(VHID_MSG_LEDS, p, 8, msg, sizeof(msg)), 0);
}

static size_t
error_text(char *text, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = proto_error_text(text, fmt, ap);
	va_end(ap);
	return n;
}

/* 255 bytes of text at most, counted in bytes, never half a UTF-8 sequence */
static void
error_text_limit(void **state)
{
	char text[VHID_MAX_ERROR_TEXT + 1], in[600];

	memset(in, 'a', sizeof(in));
	for (size_t len = 250; len <= 260; len++) {
		in[len] = '\0';
		size_t n = error_text(text, "%s", in);
		assert_int_equal(n, len < 255 ? len : 255);
		assert_int_equal(strlen(text), n);
		in[len] = 'a';
	}
	/* "é" is 2 bytes: 127 of them are 254 bytes; a 128th would need bytes 254-255 */
	in[0] = '\0';
	for (int i = 0; i < 200; i++)
		strcat(in, "\xc3\xa9");
	assert_int_equal(error_text(text, "%s", in), 254);
	assert_int_equal(error_text(text, "x%s", in), 255);
	assert_int_equal((unsigned char)text[254], 0xa9);
	assert_int_equal(error_text(text, "%s", ""), 0);
}

static void
type_minors(void **state)
{
	for (size_t i = 0; i < N(types); i++) {
		unsigned int want =
			types[i].type == VHID_MSG_GET_LOG || types[i].type == VHID_MSG_LOG_LINE;
		assert_int_equal(proto_type_minor(types[i].type), want);
	}
	/* the capability bits of each minor: 1.0's four, and 1.1's three more */
	assert_int_equal(VHID_CAPS_MINOR0, VHID_CAP_APPLE_TRANSLATION | VHID_CAP_ABSOLUTE |
						   VHID_CAP_LEASE | VHID_CAP_STATUS_ALL);
	assert_int_equal(VHID_CAPS_MINOR1, VHID_CAPS_MINOR0 | VHID_CAP_LOG | VHID_CAP_STATUS_USER |
						   VHID_CAP_LEASE_PUSH);
	assert_int_equal(VHID_CAPS_MINOR2, VHID_CAPS_MINOR1 | VHID_CAP_KEEP);
}

static void
roundtrip_log(void **state)
{
	uint8_t buf[VHID_MAX_FRAME];
	struct vhid_msg_get_log g = {.after_seq = 0x11223344, .max_lines = 0x5566}, go;
	struct vhid_msg_log_line l = {.seq = 1,
				      .time_s = 2,
				      .time_us = 3,
				      .uid = 1000,
				      .priority = 6},
				 lo;
	struct vhid_frame f;
	char text[VHID_MAX_LOG_TEXT];

	roundtrip(buf, VHID_MSG_GET_LOG, 9, &g, sizeof(g), NULL, 0, &go, sizeof(go));
	assert_int_equal(go.after_seq, 0x11223344);
	assert_int_equal(go.max_lines, 0x5566);
	memset(text, 'x', sizeof(text));
	assert_int_equal(proto_encode(buf, VHID_MSG_LOG_LINE, 9, &l, text, sizeof(text)),
			 8 + 20 + VHID_MAX_LOG_TEXT);
	assert_int_equal(proto_encode(buf, VHID_MSG_LOG_LINE, 9, &l, text, sizeof(text) + 1),
			 -EMSGSIZE);
	assert_int_equal(proto_parse_frame(buf, 8 + 20 + 5, &f), 0);
	proto_encode(buf, VHID_MSG_LOG_LINE, 9, &l, "hello", 5);
	assert_int_equal(proto_parse_frame(buf, 8 + 20 + 5, &f), 8 + 20 + 5);
	assert_int_equal(proto_decode(&f, &lo, sizeof(lo), NULL, 0), 0);
	assert_int_equal(lo.uid, 1000);
	assert_int_equal(lo.priority, 6);
	assert_memory_equal(f.payload + 20, "hello", 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roundtrip_hello),
		cmocka_unit_test(roundtrip_empty),
		cmocka_unit_test(roundtrip_create),
		cmocka_unit_test(roundtrip_u32_requests),
		cmocka_unit_test(roundtrip_post),
		cmocka_unit_test(roundtrip_hello_reply),
		cmocka_unit_test(roundtrip_reply),
		cmocka_unit_test(roundtrip_error),
		cmocka_unit_test(roundtrip_status_daemon),
		cmocka_unit_test(roundtrip_status_client),
		cmocka_unit_test(roundtrip_status_device),
		cmocka_unit_test(roundtrip_pushes),
		cmocka_unit_test(wire_hello),
		cmocka_unit_test(wire_create),
		cmocka_unit_test(wire_post),
		cmocka_unit_test(wire_reply_error),
		cmocka_unit_test(names_and_sizes),
		cmocka_unit_test(size_one_off),
		cmocka_unit_test(size_bounded),
		cmocka_unit_test(unknown_type),
		cmocka_unit_test(parse_frame_limits),
		cmocka_unit_test(string_without_nul),
		cmocka_unit_test(error_message_length),
		cmocka_unit_test(encode_too_much),
		cmocka_unit_test(set_string_pads),
		cmocka_unit_test(set_string_utf8),
		cmocka_unit_test(reserved_fields),
		cmocka_unit_test(error_text_limit),
		cmocka_unit_test(type_minors),
		cmocka_unit_test(roundtrip_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
