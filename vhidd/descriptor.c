/*
 * descriptor.c - report descriptors designed for how Linux's hid-input maps
 * reports (see DESIGN.md "Report descriptors" for the reasoning):
 *
 * - Each device is ONE application collection, so hid-generic makes exactly
 *   one evdev node per device, named exactly as the client asked (more
 *   applications would split it into "<name> Consumer Control" etc.).
 * - Key arrays use 16-bit slots whose logical range equals the usage range,
 *   so an array value IS the usage code; 0 (outside the range) is empty.
 * - System control is limited to 0x81-0x8f: wider generic-desktop ranges
 *   inside a keyboard collection would give it D-pad (ABS_HAT) axes, and udev
 *   would then tag the keyboard as a joystick.
 * - Wheels carry a Resolution Multiplier with physical range 1..120. hid-input
 *   sets it to its maximum at probe time (a SET_REPORT vhidd answers at once),
 *   so one report unit is exactly 1/120 notch: REL_WHEEL_HI_RES equals the
 *   value posted and REL_WHEEL follows every full 120.
 * - Axes are -32767..32767 (never -32768: hid-input ignores values outside
 *   the logical range, so the range is symmetric and validated before use).
 */
#include "descriptor.h"

/* Resolution Multiplier (feature report 2) + one 16-bit relative axis, in a
 * Logical collection, as the HID usage tables require for the association. */
/* clang-format off */
#define WHEEL_WITH_MULTIPLIER(...)                                                       \
	0xa1, 0x02,                   /*  Collection (Logical)                    */      \
	    0x85, 0x02,               /*   Report ID (2)                          */      \
	    0x05, 0x01, 0x09, 0x48,   /*   Usage (Generic Desktop: Res. Multiplier) */    \
	    0x15, 0x00, 0x25, 0x01,   /*   Logical Minimum (0), Maximum (1)       */      \
	    0x35, 0x01, 0x45, 0x78,   /*   Physical Minimum (1), Maximum (120)    */      \
	    0x75, 0x08, 0x95, 0x01,   /*   Report Size (8), Count (1)             */      \
	    0xb1, 0x02,               /*   Feature (Data,Var,Abs)                 */      \
	    0x85, 0x01,               /*   Report ID (1)                          */      \
	    0x35, 0x00, 0x45, 0x00,   /*   Physical Minimum (0), Maximum (0)      */      \
	    __VA_ARGS__,              /*   Usage Page + Usage of the axis         */      \
	    0x16, 0x01, 0x80,         /*   Logical Minimum (-32767)               */      \
	    0x26, 0xff, 0x7f,         /*   Logical Maximum (32767)                */      \
	    0x75, 0x10, 0x95, 0x01,   /*   Report Size (16), Count (1)            */      \
	    0x81, 0x06,               /*   Input (Data,Var,Rel)                   */      \
	    0xc0                      /*  End Collection                          */

#define BUTTONS_1_TO_32                                                                  \
	0x05, 0x09, 0x19, 0x01, 0x29, 0x20, /* Usage Page (Button), Usage 1..32   */        \
	    0x15, 0x00, 0x25, 0x01,         /* Logical Minimum (0), Maximum (1)    */        \
	    0x75, 0x01, 0x95, 0x20,         /* Report Size (1), Count (32)         */        \
	    0x81, 0x02                      /* Input (Data,Var,Abs)                */

static const uint8_t keyboard_descriptor[] = {
	0x05, 0x01,             /* Usage Page (Generic Desktop)            */
	0x09, 0x06,             /* Usage (Keyboard)                        */
	0xa1, 0x01,             /* Collection (Application)                */
	/* report 1: modifiers + 32 keyboard-page usages */
	0x85, 0x01,             /*  Report ID (1)                          */
	0x05, 0x07,             /*  Usage Page (Keyboard/Keypad)           */
	0x19, 0xe0, 0x29, 0xe7, /*  Usage Minimum (0xe0), Maximum (0xe7)   */
	0x15, 0x00, 0x25, 0x01, /*  Logical Minimum (0), Maximum (1)       */
	0x75, 0x01, 0x95, 0x08, /*  Report Size (1), Count (8)             */
	0x81, 0x02,             /*  Input (Data,Var,Abs)                   */
	0x19, 0x00, 0x2a, 0xff, 0x00, /* Usage Minimum (0), Maximum (0xff)  */
	0x15, 0x00, 0x26, 0xff, 0x00, /* Logical Minimum (0), Maximum (0xff) */
	0x75, 0x10, 0x95, 0x20, /*  Report Size (16), Count (32)           */
	0x81, 0x00,             /*  Input (Data,Array,Abs)                 */
	/* report 5: LEDs, output */
	0x85, 0x05,             /*  Report ID (5)                          */
	0x05, 0x08,             /*  Usage Page (LEDs)                      */
	0x19, 0x01, 0x29, 0x05, /*  Num Lock .. Kana                       */
	0x15, 0x00, 0x25, 0x01, /*  Logical Minimum (0), Maximum (1)       */
	0x75, 0x01, 0x95, 0x05, /*  Report Size (1), Count (5)             */
	0x91, 0x02,             /*  Output (Data,Var,Abs)                  */
	0x75, 0x03, 0x95, 0x01, /*  Report Size (3), Count (1)             */
	0x91, 0x01,             /*  Output (Const) padding                 */
	/* report 2: 32 consumer usages */
	0x85, 0x02,             /*  Report ID (2)                          */
	0x05, 0x0c,             /*  Usage Page (Consumer)                  */
	0x19, 0x00, 0x2a, 0xff, 0x02, /* Usage Minimum (0), Maximum (0x2ff) */
	0x15, 0x00, 0x26, 0xff, 0x02, /* Logical Minimum (0), Maximum (0x2ff) */
	0x75, 0x10, 0x95, 0x20, /*  Report Size (16), Count (32)           */
	0x81, 0x00,             /*  Input (Data,Array,Abs)                 */
	/* report 7: 32 system-control usages */
	0x85, 0x07,             /*  Report ID (7)                          */
	0x05, 0x01,             /*  Usage Page (Generic Desktop)           */
	0x19, 0x81, 0x29, 0x8f, /*  Usage Minimum (0x81), Maximum (0x8f)   */
	0x16, 0x81, 0x00,       /*  Logical Minimum (0x81)                 */
	0x26, 0x8f, 0x00,       /*  Logical Maximum (0x8f)                 */
	0x75, 0x10, 0x95, 0x20, /*  Report Size (16), Count (32)           */
	0x81, 0x00,             /*  Input (Data,Array,Abs)                 */
	0xc0,                   /* End Collection                          */
};
/* clang-format on */

/* clang-format off */
static const uint8_t pointer_descriptor[] = {
	0x05, 0x01,             /* Usage Page (Generic Desktop)            */
	0x09, 0x02,             /* Usage (Mouse)                           */
	0xa1, 0x01,             /* Collection (Application)                */
	0x85, 0x01,             /*  Report ID (1)                          */
	0x09, 0x01,             /*  Usage (Pointer)                        */
	0xa1, 0x00,             /*  Collection (Physical)                  */
	BUTTONS_1_TO_32,
	0x05, 0x01, 0x09, 0x30, 0x09, 0x31, /* Usage (X), Usage (Y)         */
	0x16, 0x01, 0x80,       /*   Logical Minimum (-32767)              */
	0x26, 0xff, 0x7f,       /*   Logical Maximum (32767)               */
	0x75, 0x10, 0x95, 0x02, /*   Report Size (16), Count (2)           */
	0x81, 0x06,             /*   Input (Data,Var,Rel)                  */
	WHEEL_WITH_MULTIPLIER(0x09, 0x38),             /* Wheel            */
	WHEEL_WITH_MULTIPLIER(0x05, 0x0c, 0x0a, 0x38, 0x02), /* AC Pan     */
	0xc0,                   /*  End Collection                         */
	0xc0,                   /* End Collection                          */
};
/* clang-format on */

/* The shape of QEMU's USB tablet: a mouse with absolute X/Y 0..32767 */
/* clang-format off */
static const uint8_t absolute_descriptor[] = {
	0x05, 0x01,             /* Usage Page (Generic Desktop)            */
	0x09, 0x02,             /* Usage (Mouse)                           */
	0xa1, 0x01,             /* Collection (Application)                */
	0x85, 0x01,             /*  Report ID (1)                          */
	0x09, 0x01,             /*  Usage (Pointer)                        */
	0xa1, 0x00,             /*  Collection (Physical)                  */
	BUTTONS_1_TO_32,
	0x05, 0x01, 0x09, 0x30, 0x09, 0x31, /* Usage (X), Usage (Y)         */
	0x15, 0x00, 0x26, 0xff, 0x7f, /* Logical Minimum (0), Maximum (32767) */
	0x35, 0x00, 0x46, 0xff, 0x7f, /* Physical Minimum (0), Maximum (32767) */
	0x75, 0x10, 0x95, 0x02, /*   Report Size (16), Count (2)           */
	0x81, 0x02,             /*   Input (Data,Var,Abs)                  */
	WHEEL_WITH_MULTIPLIER(0x09, 0x38),
	WHEEL_WITH_MULTIPLIER(0x05, 0x0c, 0x0a, 0x38, 0x02),
	0xc0,                   /*  End Collection                         */
	0xc0,                   /* End Collection                          */
};
/* clang-format on */

const uint8_t *
descriptor_get(enum vhid_device_kind kind, size_t *len)
{
	switch (kind) {
	case VHID_DEVICE_KEYBOARD:
		*len = sizeof(keyboard_descriptor);
		return keyboard_descriptor;
	case VHID_DEVICE_POINTER:
		*len = sizeof(pointer_descriptor);
		return pointer_descriptor;
	case VHID_DEVICE_ABSOLUTE:
		*len = sizeof(absolute_descriptor);
		return absolute_descriptor;
	}
	*len = 0;
	return NULL;
}
