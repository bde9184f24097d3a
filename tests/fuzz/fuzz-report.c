/*
 * fuzz-report.c - the report validator, vhid_report_validate(), for every device
 * kind (and kinds that do not exist). Input: one byte choosing the kind and the
 * size of the message buffer, then the report. Oracles: a report it accepts has
 * the size of its ID and re-encodes to the same bytes through libvhid's encoders;
 * the message is always terminated and names the problem when it refuses.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "le.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
get_keys(uint16_t *keys, const uint8_t *p)
{
	for (int i = 0; i < VHID_MAX_KEYS; i++)
		keys[i] = le16_get(p + 2 * i);
}

/* Decode an accepted report the way a client would have built it, and encode it again. */
static int
reencode(enum vhid_device_kind kind, const uint8_t *r, uint8_t *out)
{
	if (kind == VHID_DEVICE_KEYBOARD && r[0] == VHID_REPORT_KEYBOARD) {
		struct vhid_keyboard_report k = {.modifiers = r[1]};
		get_keys(k.keys, r + 2);
		return vhid_report_encode_keyboard(&k, out);
	}
	if (kind == VHID_DEVICE_KEYBOARD) {
		struct vhid_keys_report k = {.id = r[0]};
		get_keys(k.keys, r + 1);
		return vhid_report_encode_keys(&k, out);
	}
	if (kind == VHID_DEVICE_POINTER) {
		struct vhid_pointer_report p = {le32_get(r + 1), (int16_t)le16_get(r + 5),
						(int16_t)le16_get(r + 7), (int16_t)le16_get(r + 9),
						(int16_t)le16_get(r + 11)};
		return vhid_report_encode_pointer(&p, out);
	}
	struct vhid_absolute_report a = {le32_get(r + 1), le16_get(r + 5), le16_get(r + 7),
					 (int16_t)le16_get(r + 9), (int16_t)le16_get(r + 11)};
	return vhid_report_encode_absolute(&a, out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t msglens[] = {200, 1, 17, 0};
	enum vhid_device_kind kind;
	uint8_t again[VHID_MAX_REPORT_SIZE];
	char msg[200];
	size_t msglen;
	int r;

	if (size < 1)
		return 0;
	kind = (enum vhid_device_kind)(data[0] % 5); /* 0 and 4 are no kind */
	msglen = msglens[data[0] >> 3 & 3];
	memset(msg, 'x', sizeof(msg));
	r = vhid_report_validate(kind, size > 1 ? data + 1 : NULL, size - 1, msglen ? msg : NULL,
				 msglen);
	if (msglen)
		FUZZ_ASSERT(strnlen(msg, msglen) < msglen);
	if (r < 0) {
		FUZZ_ASSERT(msglen < 2 || msg[0]);
		return 0;
	}
	FUZZ_ASSERT(r == 0 && kind >= VHID_DEVICE_KEYBOARD && kind <= VHID_DEVICE_ABSOLUTE);
	FUZZ_ASSERT(reencode(kind, data + 1, again) == (int)size - 1);
	FUZZ_ASSERT(memcmp(again, data + 1, size - 1) == 0);
	return 0;
}
