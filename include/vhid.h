/*
 * vhid.h - the public API of libvhid, the client library of vhidd.
 *
 * Conventions, which hold for every function below:
 *
 * - Functions that can fail return an int: 0 (or a non-negative count) on
 *   success, a negative errno value (-EINVAL, -ENOMEM, ...) or a negative vhid
 *   error code (-VHID_E*) on failure. vhid_strerror() describes both.
 * - Handles are opaque and owned by whoever created them; the function that
 *   frees a handle says so. Strings passed in are copied; strings returned are
 *   owned by the library and valid for the lifetime stated at the function.
 * - Unless a function says otherwise it is not thread-safe: use one handle
 *   from one thread at a time. Different handles are independent.
 * - The report helpers (vhid_keys_*, vhid_modifiers_*, vhid_buttons_*,
 *   vhid_report_*) are pure: no I/O, no global state, safe from any thread.
 *
 * This header compiles as C99 and C++.
 */
#ifndef VHID_H
#define VHID_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/**
 * vhid-specific error codes. Functions return them negated (-VHID_EUSAGE),
 * exactly like errno values; they start at 1000 so they never collide with
 * errno. `vhidctl explain --list` prints every code with its usual fix.
 * @since 0.1
 */
enum vhid_error {
	VHID_EFIRST = 1000,
	VHID_EREPORTID = 1000,   /**< report ID is not an input report of this device */
	VHID_EREPORTLEN = 1001,  /**< report length does not match its report ID */
	VHID_EUSAGE = 1002,      /**< usage outside the descriptor's logical range */
	VHID_EUSAGEKIND = 1003,  /**< usage is in range but is not a key (axis, rollover) */
	VHID_EAPPLE = 1004,      /**< Apple vendor usage with no standard Linux equivalent */
	VHID_ETOOMANYKEYS = 1005, /**< a 33rd key, or translated keys overflow a report */
	VHID_EBUTTON = 1006,     /**< button number outside 1..32 */
	VHID_EVERSION = 1007,    /**< client and daemon speak different protocol versions */
	VHID_EDENIED = 1008,     /**< the daemon's policy does not allow this caller */
	VHID_EPROTO = 1009,      /**< malformed frame; the daemon closed the connection */
	VHID_ENOUHID = 1010,     /**< the kernel has no uhid (module missing or not loaded) */
	VHID_ENODRIVER = 1011,   /**< no HID driver bound the device (hid-generic missing) */
	VHID_ELIMIT = 1012,      /**< per-client device limit reached */
	VHID_ELEASE = 1013,      /**< lease expired: the daemon released this client's keys */
	VHID_ENOTREADY = 1014,   /**< device exists but the kernel has not finished creating it */
	VHID_ENODAEMON = 1015,   /**< no daemon is listening on the socket */
	VHID_EADMIN = 1016,      /**< the request needs root or the policy's admin group */
	VHID_ELAST = 1016
};

/**
 * Describe an error code. Accepts positive or negative values, errno values
 * and VHID_E* codes. Never returns NULL; the string is static.
 * @since 0.1
 */
const char *vhid_strerror(int error);

/**
 * The symbolic name of an error code ("VHID_EUSAGE", "EACCES"), or NULL if the
 * code is unknown. The string is static.
 * @since 0.1
 */
const char *vhid_error_name(int error);

/* ------------------------------------------------------------------------ */
/* Devices and their reports                                                */
/* ------------------------------------------------------------------------ */

/** The three device kinds vhidd creates. @since 0.1 */
enum vhid_device_kind {
	VHID_DEVICE_KEYBOARD = 1, /**< keyboard, consumer, system control, LEDs */
	VHID_DEVICE_POINTER = 2,  /**< 32 buttons, relative X/Y, hi-res wheels */
	VHID_DEVICE_ABSOLUTE = 3  /**< 32 buttons, absolute X/Y 0..32767, hi-res wheels */
};

/** Keys per key array (keyboard, consumer, system, Apple reports). */
#define VHID_MAX_KEYS 32

/**
 * Report IDs. A report's first byte is its ID. IDs 3 and 4 exist only at the
 * API: vhidd translates their Apple usages to consumer usages (see DESIGN.md).
 * @since 0.1
 */
enum vhid_report_id {
	VHID_REPORT_KEYBOARD = 1,       /**< keyboard device: modifiers + 32 keys */
	VHID_REPORT_CONSUMER = 2,       /**< keyboard device: 32 consumer usages */
	VHID_REPORT_APPLE_TOP_CASE = 3, /**< keyboard device: 32 Apple page 0x00FF usages */
	VHID_REPORT_APPLE_KEYBOARD = 4, /**< keyboard device: 32 Apple page 0xFF01 usages */
	VHID_REPORT_LED = 5,            /**< keyboard device: LED output (kernel to device) */
	VHID_REPORT_SYSTEM = 7,         /**< keyboard device: 32 system-control usages */
	VHID_REPORT_POINTER = 1,        /**< pointer and absolute devices */
	VHID_REPORT_MULTIPLIER = 2      /**< pointer and absolute devices: feature report */
};

/** Encoded sizes in bytes, report ID included. */
#define VHID_KEYBOARD_REPORT_SIZE 66
#define VHID_KEYS_REPORT_SIZE 65
#define VHID_POINTER_REPORT_SIZE 13
#define VHID_ABSOLUTE_REPORT_SIZE 13
#define VHID_MAX_REPORT_SIZE 66

/** Modifier bits of the keyboard report, HID usages 0xE0..0xE7 in order. */
enum vhid_modifier {
	VHID_MOD_LEFT_CTRL = 0x01,
	VHID_MOD_LEFT_SHIFT = 0x02,
	VHID_MOD_LEFT_ALT = 0x04,
	VHID_MOD_LEFT_META = 0x08,
	VHID_MOD_RIGHT_CTRL = 0x10,
	VHID_MOD_RIGHT_SHIFT = 0x20,
	VHID_MOD_RIGHT_ALT = 0x40,
	VHID_MOD_RIGHT_META = 0x80
};

/** LED bits of the LED output report, as delivered to clients. */
enum vhid_led {
	VHID_LED_NUM_LOCK = 0x01,
	VHID_LED_CAPS_LOCK = 0x02,
	VHID_LED_SCROLL_LOCK = 0x04,
	VHID_LED_COMPOSE = 0x08,
	VHID_LED_KANA = 0x10
};

/** Keyboard report (ID 1): page 0x07 usages 0x00..0xFF. */
struct vhid_keyboard_report {
	uint8_t modifiers;              /**< enum vhid_modifier bits */
	uint16_t keys[VHID_MAX_KEYS];   /**< 0 = empty slot */
};

/** Consumer (2), system (7) and Apple (3, 4) reports: one key array. */
struct vhid_keys_report {
	uint8_t id;                     /**< enum vhid_report_id */
	uint16_t keys[VHID_MAX_KEYS];   /**< 0 = empty slot */
};

/** Pointer report (ID 1 of a VHID_DEVICE_POINTER). */
struct vhid_pointer_report {
	uint32_t buttons;  /**< bit n-1 = button n */
	int16_t x, y;      /**< relative motion, -32767..32767 */
	int16_t wheel;     /**< vertical wheel in 1/120 notch, positive = away from user */
	int16_t hwheel;    /**< horizontal wheel in 1/120 notch, positive = right */
};

/** Absolute pointer report (ID 1 of a VHID_DEVICE_ABSOLUTE). */
struct vhid_absolute_report {
	uint32_t buttons;  /**< bit n-1 = button n */
	uint16_t x, y;     /**< absolute position, 0..32767 */
	int16_t wheel;     /**< 1/120 notch */
	int16_t hwheel;    /**< 1/120 notch */
};

/**
 * Insert a usage into a key array: into the first empty slot, and not twice.
 * @return 0 (also when the usage was already present), -EINVAL for usage 0,
 * -VHID_ETOOMANYKEYS when all 32 slots are taken (the array is unchanged;
 * unlike the seed system the 33rd key is never dropped silently).
 * @since 0.1
 */
int vhid_keys_insert(uint16_t keys[VHID_MAX_KEYS], uint16_t usage);

/** Erase every slot holding usage; slots are not compacted. @return 0. @since 0.1 */
int vhid_keys_erase(uint16_t keys[VHID_MAX_KEYS], uint16_t usage);

/** @return 1 if usage is in the array, else 0. @since 0.1 */
int vhid_keys_exists(const uint16_t keys[VHID_MAX_KEYS], uint16_t usage);

/** @return the number of non-empty slots. @since 0.1 */
int vhid_keys_count(const uint16_t keys[VHID_MAX_KEYS]);

/**
 * Set or clear modifier bits.
 * @return 0, or -EINVAL if mask has no bit set.
 * @since 0.1
 */
int vhid_modifiers_insert(uint8_t *modifiers, uint8_t mask);
int vhid_modifiers_erase(uint8_t *modifiers, uint8_t mask);

/**
 * Press or release button n (1..32) in a button mask.
 * @return 0, or -VHID_EBUTTON for any other n (the mask is unchanged).
 * @since 0.1
 */
int vhid_buttons_insert(uint32_t *buttons, unsigned int button);
int vhid_buttons_erase(uint32_t *buttons, unsigned int button);
/** @return 1 if button n is pressed, 0 otherwise (also for n outside 1..32). */
int vhid_buttons_exists(uint32_t buttons, unsigned int button);

/**
 * Encode a report into its wire bytes (little-endian, report ID first).
 * @param buf at least VHID_MAX_REPORT_SIZE bytes
 * @return the encoded length (always > 0); these cannot fail.
 * @since 0.1
 */
int vhid_report_encode_keyboard(const struct vhid_keyboard_report *r, uint8_t *buf);
int vhid_report_encode_keys(const struct vhid_keys_report *r, uint8_t *buf);
int vhid_report_encode_pointer(const struct vhid_pointer_report *r, uint8_t *buf);
int vhid_report_encode_absolute(const struct vhid_absolute_report *r, uint8_t *buf);

/**
 * Check report bytes against the descriptor of a device kind, exactly as
 * vhidd does before anything reaches the kernel.
 * @param msg if not NULL, receives a message naming the problem, such as
 *        "usage 0x0123 is outside the keyboard page range 0x00-0xff".
 * @return 0, or -VHID_EREPORTID, -VHID_EREPORTLEN, -VHID_EUSAGE,
 *         -VHID_EUSAGEKIND, -VHID_EAPPLE, -EINVAL (unknown kind)
 * @since 0.1
 */
int vhid_report_validate(enum vhid_device_kind kind, const uint8_t *buf, size_t len,
			 char *msg, size_t msglen);

#ifdef __cplusplus
}
#endif

#endif /* VHID_H */
