/*
 * test-pointer: buttons 1-16 (17 and up refused: they would be joystick
 * buttons), relative motion and the hi-res wheels of the pointer device, as
 * the kernel reports them.
 */
#include <stdio.h>

#include "vmtest.h"

static void
buttons(struct vt_dev *m)
{
	static const struct {
		int button, code;
		const char *name;
	} cases[] = {
		{1, BTN_LEFT, "left"},
		{2, BTN_RIGHT, "right"},
		{3, BTN_MIDDLE, "middle"},
		{4, BTN_SIDE, "side"},
		{5, BTN_EXTRA, "extra"},
		/* hid-input maps button n to BTN_MOUSE + n - 1, so 16 is 0x11f */
		{16, BTN_MOUSE + 15, "16"},
	};
	char name[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t b = 0;
		struct input_event down = EV(EV_KEY, cases[i].code, 1),
				   up = EV(EV_KEY, cases[i].code, 0);

		vhid_buttons_insert(&b, (unsigned int)cases[i].button);
		snprintf(name, sizeof(name), "button.%s.down", cases[i].name);
		vt_post_pointer(m, b, 0, 0, 0, 0);
		vt_expect_frame(m, name, &down, 1, 1000);
		snprintf(name, sizeof(name), "button.%s.up", cases[i].name);
		vt_post_pointer(m, 0, 0, 0, 0, 0);
		vt_expect_frame(m, name, &up, 1, 1000);
	}
}

/* No button in the joystick range: joydev would make a /dev/input/js node. */
static void
no_joystick(struct vt_dev *m)
{
	uint32_t b = 0;
	bool none = true;

	for (int code = BTN_JOYSTICK; code < BTN_DIGI; code++)
		none &= !libevdev_has_event_code(m->evdev, EV_KEY, (unsigned int)code);
	vt_check(none, "buttons.no-joystick-range", "a button in BTN_JOYSTICK..BTN_DIGI");
	vhid_buttons_insert(&b, 17);
	vt_check(vt_post_pointer(m, b, 0, 0, 0, 0) == -VHID_EBUTTON, "button.17.refused",
		 "button 17 was not refused with VHID_EBUTTON");
}

static void
motion(struct vt_dev *m)
{
	static const int values[] = {1, -1, 127, -127, 32767, -32767};
	char name[64];

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct input_event x = EV(EV_REL, REL_X, values[i]),
				   y = EV(EV_REL, REL_Y, values[i]);
		struct input_event both[2] = {EV(EV_REL, REL_X, values[i]),
					      EV(EV_REL, REL_Y, -values[i])};

		snprintf(name, sizeof(name), "rel.x.%d", values[i]);
		vt_post_pointer(m, 0, values[i], 0, 0, 0);
		vt_expect_frame(m, name, &x, 1, 1000);
		snprintf(name, sizeof(name), "rel.y.%d", values[i]);
		vt_post_pointer(m, 0, 0, values[i], 0, 0);
		vt_expect_frame(m, name, &y, 1, 1000);
		snprintf(name, sizeof(name), "rel.xy.%d", values[i]);
		vt_post_pointer(m, 0, values[i], -values[i], 0, 0);
		vt_expect_frame(m, name, both, 2, 1000);
	}
}

/* wheel amounts are 1/120 notch: hi-res is exact, low-res follows each full notch */
static void
wheel(struct vt_dev *m, bool horizontal)
{
	const char *w = horizontal ? "hwheel" : "wheel";
	int lo = horizontal ? REL_HWHEEL : REL_WHEEL,
	    hi = horizontal ? REL_HWHEEL_HI_RES : REL_WHEEL_HI_RES;
	char name[64];
	struct input_event notch[2] = {EV(EV_REL, lo, 1), EV(EV_REL, hi, 120)};
	struct input_event back[2] = {EV(EV_REL, lo, -1), EV(EV_REL, hi, -120)};
	struct input_event part = EV(EV_REL, hi, 30);
	struct input_event last[2] = {EV(EV_REL, lo, 1), EV(EV_REL, hi, 30)};
	struct input_event three[2] = {EV(EV_REL, lo, 3), EV(EV_REL, hi, 360)};

#define POST(v) vt_post_pointer(m, 0, 0, 0, horizontal ? 0 : (v), horizontal ? (v) : 0)
	snprintf(name, sizeof(name), "%s.one-notch", w);
	POST(120);
	vt_expect_frame(m, name, notch, 2, 1000);
	snprintf(name, sizeof(name), "%s.one-notch-back", w);
	POST(-120);
	vt_expect_frame(m, name, back, 2, 1000);
	for (int i = 1; i <= 3; i++) {
		snprintf(name, sizeof(name), "%s.30-units.%d-hi-res-only", w, i);
		POST(30);
		vt_expect_frame(m, name, &part, 1, 1000);
	}
	snprintf(name, sizeof(name), "%s.30-units.4-completes-a-notch", w);
	POST(30);
	vt_expect_frame(m, name, last, 2, 1000);
	snprintf(name, sizeof(name), "%s.three-notches", w);
	POST(360);
	vt_expect_frame(m, name, three, 2, 1000);
#undef POST
}

int
main(void)
{
	struct vdev_params p;
	struct vt_dev m;

	vt_params(&p, VHID_DEVICE_POINTER);
	if (!vt_check(vt_create(&m, &p) == 0, "pointer.create", "no pointer"))
		return vt_finish();
	vt_check(libevdev_has_event_code(m.evdev, EV_REL, REL_WHEEL_HI_RES) &&
			 libevdev_has_event_code(m.evdev, EV_REL, REL_HWHEEL_HI_RES),
		 "pointer.hi-res-capable", "no REL_*_HI_RES");
	buttons(&m);
	no_joystick(&m);
	motion(&m);
	wheel(&m, false);
	wheel(&m, true);
	vt_destroy(&m);
	return vt_finish();
}
