/*
 * usage.h - HID usage tables: how hid-input turns our usages into evdev key
 * codes (verified against the VM kernel by tests/vm/test-keymap.c), and the
 * Apple vendor translation table.
 */
#ifndef VHID_USAGE_H
#define VHID_USAGE_H

#include <stdint.h>

/* HID usage pages used by vhid */
#define USAGE_PAGE_GENERIC_DESKTOP 0x01
#define USAGE_PAGE_KEYBOARD 0x07
#define USAGE_PAGE_CONSUMER 0x0c
#define USAGE_PAGE_APPLE_TOP_CASE 0x00ff
#define USAGE_PAGE_APPLE_KEYBOARD 0xff01

/* Descriptor ranges of the keyboard device's key arrays */
#define KEYBOARD_USAGE_MAX 0xff
#define CONSUMER_USAGE_MAX 0x2ff
#define SYSTEM_USAGE_MIN 0x81
#define SYSTEM_USAGE_MAX 0x8f
#define APPLE_USAGE_MAX 0xff

struct usage_key {
	uint16_t usage;
	uint16_t key;     /* Linux KEY_* code */
	const char *name; /* short HID name, e.g. "volume-up" */
};

/*
 * Keyboard page: the evdev code hid-input emits for usage u, KEY_UNKNOWN for a
 * usage it reports as unknown, or 0 for one it ignores (0x00-0x03).
 */
uint16_t usage_keyboard_key(uint16_t usage);

/* Consumer and system-control usages hid-input maps to keys (sorted by usage). */
const struct usage_key *usage_consumer_table(unsigned int *count);
const struct usage_key *usage_system_table(unsigned int *count);

/* Look up one entry, NULL if hid-input does not map it to a key. */
const struct usage_key *usage_consumer_lookup(uint16_t usage);
const struct usage_key *usage_system_lookup(uint16_t usage);

/*
 * Consumer usages inside the descriptor range that hid-input maps to an axis,
 * not a key (0x0e0 Volume -> ABS_VOLUME, 0x238 AC Pan -> REL_HWHEEL).
 */
const char *usage_consumer_axis_name(uint16_t usage);

/* Apple vendor usages (pages 0x00ff "top case" and 0xff01 "keyboard"). */
struct apple_usage {
	uint16_t page;
	uint16_t usage;
	const char *name;
	uint16_t consumer; /* the standard consumer usage vhid sends, 0 = none */
};

const struct apple_usage *usage_apple_table(unsigned int *count);
/* NULL if the usage is not a known Apple usage. */
const struct apple_usage *usage_apple_lookup(uint16_t page, uint16_t usage);

/*
 * The power-type usages of reports 1 and 2 (keyboard 0x66 Power, 0xf8 Sleep;
 * consumer 0x030 Power, 0x031 Reset, 0x032 Sleep, 0x034 Sleep Mode) are
 * placeholders in the keyboard's main application: vhidd sends them as this
 * System Control usage (0x81 power down, 0x82 sleep, 0x8f warm restart) so the
 * keys appear on the "<name> System Control" node. 0 for any other usage.
 */
uint16_t usage_power_translation(uint8_t report_id, uint16_t usage);

/*
 * Which report and usage produce Linux key code `key`: the keyboard page
 * first (report 1, or the modifier bit for 0xe0-0xe7), then consumer (2),
 * then system control (7); a power-type key always as system control. Returns
 * 0 and fills the outputs, or -1.
 */
int usage_from_key(uint16_t key, uint8_t *report_id, uint16_t *usage);

#endif
