/*
 * report.c - the report helpers and validators of vhid.h. Pure functions,
 * shared by libvhid (to fail fast, before a round trip) and vhidd (the
 * authority: nothing reaches the kernel without passing here).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "export.h"
#include "report.h"
#include "usage.h"
#include "vhid.h"

/* Descriptor limits of the pointer devices' axes (see vhidd/descriptor.c). */
#define REL_MIN (-32767)
#define REL_MAX 32767
#define ABS_MAX 32767

VHID_EXPORT int
vhid_keys_insert(uint16_t keys[VHID_MAX_KEYS], uint16_t usage)
{
	int free_slot = -1;

	if (usage == 0)
		return -EINVAL;
	for (int i = 0; i < VHID_MAX_KEYS; i++) {
		if (keys[i] == usage)
			return 0;
		if (keys[i] == 0 && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return -VHID_ETOOMANYKEYS;
	keys[free_slot] = usage;
	return 0;
}

VHID_EXPORT int
vhid_keys_erase(uint16_t keys[VHID_MAX_KEYS], uint16_t usage)
{
	for (int i = 0; i < VHID_MAX_KEYS; i++)
		if (keys[i] == usage)
			keys[i] = 0;
	return 0;
}

VHID_EXPORT int
vhid_keys_exists(const uint16_t keys[VHID_MAX_KEYS], uint16_t usage)
{
	if (usage == 0)
		return 0;
	for (int i = 0; i < VHID_MAX_KEYS; i++)
		if (keys[i] == usage)
			return 1;
	return 0;
}

VHID_EXPORT int
vhid_keys_count(const uint16_t keys[VHID_MAX_KEYS])
{
	int n = 0;

	for (int i = 0; i < VHID_MAX_KEYS; i++)
		n += keys[i] != 0;
	return n;
}

VHID_EXPORT int
vhid_modifiers_insert(uint8_t *modifiers, uint8_t mask)
{
	if (mask == 0)
		return -EINVAL;
	*modifiers |= mask;
	return 0;
}

VHID_EXPORT int
vhid_modifiers_erase(uint8_t *modifiers, uint8_t mask)
{
	if (mask == 0)
		return -EINVAL;
	*modifiers &= (uint8_t)~mask;
	return 0;
}

VHID_EXPORT int
vhid_buttons_insert(uint32_t *buttons, unsigned int button)
{
	if (button < 1 || button > 32)
		return -VHID_EBUTTON;
	*buttons |= UINT32_C(1) << (button - 1);
	return 0;
}

VHID_EXPORT int
vhid_buttons_erase(uint32_t *buttons, unsigned int button)
{
	if (button < 1 || button > 32)
		return -VHID_EBUTTON;
	*buttons &= ~(UINT32_C(1) << (button - 1));
	return 0;
}

unsigned int
report_max_button(enum vhid_device_kind kind)
{
	switch (kind) {
	case VHID_DEVICE_POINTER:
		return 16;
	case VHID_DEVICE_ABSOLUTE:
		return 3;
	default:
		return 0;
	}
}

VHID_EXPORT int
vhid_buttons_exists(uint32_t buttons, unsigned int button)
{
	if (button < 1 || button > 32)
		return 0;
	return (buttons >> (button - 1)) & 1;
}

/* ---- encoding: little-endian, report ID first --------------------------- */

static uint8_t *
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	return p + 2;
}

static uint8_t *
put32(uint8_t *p, uint32_t v)
{
	p = put16(p, (uint16_t)v);
	return put16(p, (uint16_t)(v >> 16));
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void
put_keys(uint8_t *p, const uint16_t keys[VHID_MAX_KEYS])
{
	for (int i = 0; i < VHID_MAX_KEYS; i++)
		p = put16(p, keys[i]);
}

VHID_EXPORT int
vhid_report_encode_keyboard(const struct vhid_keyboard_report *r, uint8_t *buf)
{
	buf[0] = VHID_REPORT_KEYBOARD;
	buf[1] = r->modifiers;
	put_keys(buf + 2, r->keys);
	return VHID_KEYBOARD_REPORT_SIZE;
}

VHID_EXPORT int
vhid_report_encode_keys(const struct vhid_keys_report *r, uint8_t *buf)
{
	buf[0] = r->id;
	put_keys(buf + 1, r->keys);
	return VHID_KEYS_REPORT_SIZE;
}

VHID_EXPORT int
vhid_report_encode_pointer(const struct vhid_pointer_report *r, uint8_t *buf)
{
	uint8_t *p = buf;

	*p++ = VHID_REPORT_POINTER;
	p = put32(p, r->buttons);
	p = put16(p, (uint16_t)r->x);
	p = put16(p, (uint16_t)r->y);
	p = put16(p, (uint16_t)r->wheel);
	put16(p, (uint16_t)r->hwheel);
	return VHID_POINTER_REPORT_SIZE;
}

VHID_EXPORT int
vhid_report_encode_absolute(const struct vhid_absolute_report *r, uint8_t *buf)
{
	uint8_t *p = buf;

	*p++ = VHID_REPORT_POINTER;
	p = put32(p, r->buttons);
	p = put16(p, r->x);
	p = put16(p, r->y);
	p = put16(p, (uint16_t)r->wheel);
	put16(p, (uint16_t)r->hwheel);
	return VHID_ABSOLUTE_REPORT_SIZE;
}

/* ---- validation ---------------------------------------------------------- */

static int fail(int code, char *msg, size_t msglen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
fail(int code, char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	if (msg && msglen) {
		va_start(ap, fmt);
		vsnprintf(msg, msglen, fmt, ap);
		va_end(ap);
	}
	return -code;
}

static int
check_keyboard_usage(uint16_t u, char *msg, size_t msglen)
{
	if (u > KEYBOARD_USAGE_MAX)
		return fail(VHID_EUSAGE, msg, msglen,
			    "keyboard usage 0x%04x is outside the keyboard page range 0x00-0xff",
			    u);
	if (u >= 0x01 && u <= 0x03)
		return fail(
			VHID_EUSAGEKIND, msg, msglen,
			"keyboard usage 0x%02x is an error code (rollover/POST fail/undefined); "
			"the kernel drops every report that holds it",
			u);
	return 0;
}

static int
check_consumer_usage(uint16_t u, char *msg, size_t msglen)
{
	const char *axis;

	if (u > CONSUMER_USAGE_MAX)
		return fail(VHID_EUSAGE, msg, msglen,
			    "consumer usage 0x%04x is outside the consumer range 0x000-0x%03x", u,
			    CONSUMER_USAGE_MAX);
	axis = usage_consumer_axis_name(u);
	if (axis)
		return fail(VHID_EUSAGEKIND, msg, msglen, "consumer usage 0x%03x is %s", u, axis);
	return 0;
}

static int
check_system_usage(uint16_t u, char *msg, size_t msglen)
{
	if (u < SYSTEM_USAGE_MIN || u > SYSTEM_USAGE_MAX)
		return fail(VHID_EUSAGE, msg, msglen,
			    "system-control usage 0x%04x is outside the range 0x%02x-0x%02x "
			    "(power 0x81, sleep 0x82, wake 0x83)",
			    u, SYSTEM_USAGE_MIN, SYSTEM_USAGE_MAX);
	return 0;
}

static int
check_apple_usage(uint16_t page, uint16_t u, char *msg, size_t msglen)
{
	const char *pname = page == USAGE_PAGE_APPLE_TOP_CASE ? "top-case" : "keyboard";
	const struct apple_usage *a;

	if (u > APPLE_USAGE_MAX)
		return fail(VHID_EUSAGE, msg, msglen,
			    "Apple %s usage 0x%04x is outside the range 0x00-0xff", pname, u);
	a = usage_apple_lookup(page, u);
	if (!a)
		return fail(
			VHID_EAPPLE, msg, msglen,
			"Apple %s usage 0x%02x (page 0x%04x) is unknown and has no Linux equivalent",
			pname, u, page);
	if (!a->consumer)
		return fail(VHID_EAPPLE, msg, msglen,
			    "Apple %s usage 0x%02x (%s) has no standard Linux equivalent", pname, u,
			    a->name);
	return 0;
}

static int
check_keys(uint8_t id, const uint8_t *p, char *msg, size_t msglen)
{
	for (int i = 0; i < VHID_MAX_KEYS; i++) {
		uint16_t u = get16(p + 2 * i);
		int r = 0;

		if (u == 0)
			continue;
		switch (id) {
		case VHID_REPORT_KEYBOARD:
			r = check_keyboard_usage(u, msg, msglen);
			break;
		case VHID_REPORT_CONSUMER:
			r = check_consumer_usage(u, msg, msglen);
			break;
		case VHID_REPORT_SYSTEM:
			r = check_system_usage(u, msg, msglen);
			break;
		case VHID_REPORT_APPLE_TOP_CASE:
			r = check_apple_usage(USAGE_PAGE_APPLE_TOP_CASE, u, msg, msglen);
			break;
		case VHID_REPORT_APPLE_KEYBOARD:
			r = check_apple_usage(USAGE_PAGE_APPLE_KEYBOARD, u, msg, msglen);
			break;
		}
		if (r)
			return r;
	}
	return 0;
}

static int
check_length(const char *what, uint8_t id, size_t want, size_t len, char *msg, size_t msglen)
{
	if (len == want)
		return 0;
	return fail(VHID_EREPORTLEN, msg, msglen, "%s report (ID %u) must be %zu bytes, got %zu",
		    what, id, want, len);
}

static int
validate_keyboard(const uint8_t *buf, size_t len, char *msg, size_t msglen)
{
	uint8_t id = buf[0];
	int r;

	switch (id) {
	case VHID_REPORT_KEYBOARD:
		r = check_length("keyboard", id, VHID_KEYBOARD_REPORT_SIZE, len, msg, msglen);
		return r ? r : check_keys(id, buf + 2, msg, msglen);
	case VHID_REPORT_CONSUMER:
	case VHID_REPORT_SYSTEM:
	case VHID_REPORT_APPLE_TOP_CASE:
	case VHID_REPORT_APPLE_KEYBOARD:
		r = check_length("key-array", id, VHID_KEYS_REPORT_SIZE, len, msg, msglen);
		return r ? r : check_keys(id, buf + 1, msg, msglen);
	default:
		return fail(
			VHID_EREPORTID, msg, msglen,
			"report ID %u is not an input report of the keyboard device "
			"(valid: 1 keyboard, 2 consumer, 3 Apple top case, 4 Apple keyboard, 7 system)",
			id);
	}
}

static int
check_axis(const char *axis, int v, int min, int max, char *msg, size_t msglen)
{
	if (v >= min && v <= max)
		return 0;
	return fail(VHID_EUSAGE, msg, msglen, "%s value %d is outside the range %d..%d", axis, v,
		    min, max);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

/* Buttons the descriptor declares (vhidd/descriptor.c says why no more). */
static int
check_buttons(enum vhid_device_kind kind, uint32_t buttons, char *msg, size_t msglen)
{
	unsigned int max = report_max_button(kind), b;

	if (max >= 32 || !(buttons >> max))
		return 0;
	for (b = max + 1; !vhid_buttons_exists(buttons, b); b++)
		;
	if (kind == VHID_DEVICE_POINTER)
		return fail(VHID_EBUTTON, msg, msglen,
			    "button %u: the pointer has buttons 1..16; Linux maps buttons 17..32 "
			    "of a mouse to joystick buttons, and a /dev/input/js node would make "
			    "games take it for a controller",
			    b);
	return fail(VHID_EBUTTON, msg, msglen,
		    "button %u: the absolute pointer has buttons 1..3 (left, right, middle); "
		    "with any other button Linux takes an absolute device for a joystick "
		    "(/dev/input/js)",
		    b);
}

static int
validate_pointer(enum vhid_device_kind kind, const uint8_t *buf, size_t len, char *msg,
		 size_t msglen)
{
	const char *what = kind == VHID_DEVICE_POINTER ? "pointer" : "absolute pointer";
	int r;

	if (buf[0] != VHID_REPORT_POINTER)
		return fail(VHID_EREPORTID, msg, msglen,
			    "report ID %u is not an input report of the %s device (valid: 1)",
			    buf[0], what);
	r = check_length(what, buf[0], VHID_POINTER_REPORT_SIZE, len, msg, msglen);
	if (r || (r = check_buttons(kind, get32(buf + 1), msg, msglen)))
		return r;
	if (kind == VHID_DEVICE_POINTER) {
		if ((r = check_axis("X", (int16_t)get16(buf + 5), REL_MIN, REL_MAX, msg, msglen)) ||
		    (r = check_axis("Y", (int16_t)get16(buf + 7), REL_MIN, REL_MAX, msg, msglen)))
			return r;
	} else {
		if ((r = check_axis("X", get16(buf + 5), 0, ABS_MAX, msg, msglen)) ||
		    (r = check_axis("Y", get16(buf + 7), 0, ABS_MAX, msg, msglen)))
			return r;
	}
	if ((r = check_axis("wheel", (int16_t)get16(buf + 9), REL_MIN, REL_MAX, msg, msglen)) ||
	    (r = check_axis("horizontal wheel", (int16_t)get16(buf + 11), REL_MIN, REL_MAX, msg,
			    msglen)))
		return r;
	return 0;
}

VHID_EXPORT int
vhid_report_validate(enum vhid_device_kind kind, const uint8_t *buf, size_t len, char *msg,
		     size_t msglen)
{
	if (msg && msglen)
		msg[0] = '\0';
	if (!buf || len == 0)
		return fail(VHID_EREPORTLEN, msg, msglen, "empty report");
	switch (kind) {
	case VHID_DEVICE_KEYBOARD:
		return validate_keyboard(buf, len, msg, msglen);
	case VHID_DEVICE_POINTER:
	case VHID_DEVICE_ABSOLUTE:
		return validate_pointer(kind, buf, len, msg, msglen);
	}
	return fail(EINVAL, msg, msglen, "unknown device kind %d", (int)kind);
}
