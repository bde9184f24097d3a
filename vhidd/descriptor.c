/*
 * descriptor.c - report descriptors designed for how Linux's hid-input maps
 * reports (see DESIGN.md "Report descriptors" and §21 for the reasoning):
 *
 * - The keyboard is TWO application collections, as real keyboards are: the
 *   main one (keys, modifiers, consumer keys, LEDs) and System Control
 *   (report 7). hid-generic makes one evdev node per application. The main
 *   application is Generic Desktop "Undefined" (0x00), which hid-input does
 *   not suffix, so that node is named exactly as the client asked; the other
 *   becomes "<name> System Control". The main node then has no power-type key
 *   (KEY_POWER, KEY_SLEEP, KEY_RESTART...): logind watches every node with one
 *   and holds it open, which a desktop cannot tell from a compositor reading it.
 * - Key arrays use 16-bit slots whose logical range equals the usage range,
 *   so an array value IS the usage code; 0 (outside the range) is empty. The
 *   usages that would give the main node a power-type key or an axis are
 *   placeholders (usage 0, which hid-input ignores) at their index: keyboard
 *   0x66 Power and 0xf8 Sleep, consumer 0x030-0x032 and 0x034 (power, reset,
 *   sleep), 0x0e0 Volume (ABS_VOLUME) and 0x238 AC Pan (REL_HWHEEL). vhidd
 *   sends the power-type ones as System Control usages (vdev-reports.c); the
 *   axes are refused. So the keyboard is a keyboard only: no pointer axes.
 * - System control is limited to 0x81-0x8f: wider generic-desktop ranges
 *   would give the node D-pad (ABS_HAT) axes, and udev would then tag it as a
 *   joystick.
 * - Pointer buttons are 1..16 and absolute-pointer buttons 1..3: hid-input
 *   maps mouse button n to BTN_MOUSE + n - 1, so 17..32 land on BTN_JOYSTICK..,
 *   and joydev then makes a /dev/input/js node that games take for a
 *   controller. joydev leaves an absolute device alone only when its keys are
 *   exactly BTN_LEFT, BTN_RIGHT and BTN_MIDDLE. The report keeps its 32-bit
 *   button field; the upper bits are constant padding.
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

/* Buttons 1..n as the low n bits of a 32-bit field; the rest is padding. */
#define BUTTONS(n)                                                                       \
	0x05, 0x09, 0x19, 0x01, 0x29, (n), /* Usage Page (Button), Usage 1..n    */        \
	    0x15, 0x00, 0x25, 0x01,         /* Logical Minimum (0), Maximum (1)    */        \
	    0x75, 0x01, 0x95, (n),          /* Report Size (1), Count (n)          */        \
	    0x81, 0x02,                     /* Input (Data,Var,Abs)                */        \
	    0x75, (32 - (n)), 0x95, 0x01,   /* Report Size (32 - n), Count (1)     */        \
	    0x81, 0x01                      /* Input (Const) padding               */

static const uint8_t keyboard_descriptor[] = {
	0x05, 0x01,             /* Usage Page (Generic Desktop)            */
	0x09, 0x00,             /* Usage (Undefined): no name suffix       */
	0xa1, 0x01,             /* Collection (Application)                */
	/* report 1: modifiers + 32 keyboard-page usages */
	0x85, 0x01,             /*  Report ID (1)                          */
	0x05, 0x07,             /*  Usage Page (Keyboard/Keypad)           */
	0x19, 0xe0, 0x29, 0xe7, /*  Usage Minimum (0xe0), Maximum (0xe7)   */
	0x15, 0x00, 0x25, 0x01, /*  Logical Minimum (0), Maximum (1)       */
	0x75, 0x01, 0x95, 0x08, /*  Report Size (1), Count (8)             */
	0x81, 0x02,             /*  Input (Data,Var,Abs)                   */
	0x19, 0x00, 0x29, 0x65, /*  Usage 0x00..0x65                       */
	0x09, 0x00,             /*  Usage (0): placeholder for 0x66 Power  */
	0x19, 0x67, 0x29, 0xf7, /*  Usage 0x67..0xf7                       */
	0x09, 0x00,             /*  Usage (0): placeholder for 0xf8 Sleep  */
	0x19, 0xf9, 0x29, 0xff, /*  Usage 0xf9..0xff                       */
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
	0x19, 0x00, 0x29, 0x2f, /*  Usage 0x000..0x02f                     */
	0x09, 0x00, 0x09, 0x00, 0x09, 0x00, /* placeholders: 0x030-0x032   */
	0x09, 0x33,             /*  Usage 0x033                            */
	0x09, 0x00,             /*  placeholder: 0x034 Sleep Mode          */
	0x19, 0x35, 0x2a, 0xdf, 0x00, /* Usage 0x035..0x0df                 */
	0x09, 0x00,             /*  placeholder: 0x0e0 Volume (an axis)    */
	0x1a, 0xe1, 0x00, 0x2a, 0x37, 0x02, /* Usage 0x0e1..0x237           */
	0x09, 0x00,             /*  placeholder: 0x238 AC Pan (an axis)    */
	0x1a, 0x39, 0x02, 0x2a, 0xff, 0x02, /* Usage 0x239..0x2ff           */
	0x15, 0x00, 0x26, 0xff, 0x02, /* Logical Minimum (0), Maximum (0x2ff) */
	0x75, 0x10, 0x95, 0x20, /*  Report Size (16), Count (32)           */
	0x81, 0x00,             /*  Input (Data,Array,Abs)                 */
	0xc0,                   /* End Collection                          */
	0x05, 0x01,             /* Usage Page (Generic Desktop)            */
	0x09, 0x80,             /* Usage (System Control)                  */
	0xa1, 0x01,             /* Collection (Application)                */
	/* report 7: 32 system-control usages */
	0x85, 0x07,             /*  Report ID (7)                          */
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
	BUTTONS(16),
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
	BUTTONS(3),
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
