/*
 * test-absolute: the absolute pointer places the pointer exactly: ABS_X/ABS_Y
 * over 0..32767, with buttons 1-3 (no more: joydev) and a wheel.
 */
#include <stdio.h>

#include "vmtest.h"

int
main(void)
{
	struct vdev_params p;
	struct vt_dev a;
	static const int pos[] = {0, 16384, 32767};
	char name[64];

	vt_params(&p, VHID_DEVICE_ABSOLUTE);
	if (!vt_check(vt_create(&a, &p) == 0, "absolute.create", "no absolute pointer"))
		return vt_finish();
	const struct input_absinfo *x = libevdev_get_abs_info(a.evdev, ABS_X);
	const struct input_absinfo *y = libevdev_get_abs_info(a.evdev, ABS_Y);
	vt_check(x && y && x->minimum == 0 && x->maximum == 32767 && y->minimum == 0 &&
			 y->maximum == 32767,
		 "absolute.range", "ABS_X/Y range is not 0..32767");
	vt_check(libevdev_has_event_code(a.evdev, EV_KEY, BTN_LEFT), "absolute.has-left-button",
		 "no BTN_LEFT: udev would not call it a mouse");
	/* joydev leaves an absolute device alone only with exactly these three keys */
	int keys = 0;
	for (unsigned int code = 0; code < KEY_CNT; code++)
		keys += libevdev_has_event_code(a.evdev, EV_KEY, code);
	vt_check(keys == 3 && libevdev_has_event_code(a.evdev, EV_KEY, BTN_MIDDLE) &&
			 libevdev_has_event_code(a.evdev, EV_KEY, BTN_RIGHT),
		 "absolute.three-buttons", "%d keys, want BTN_LEFT/RIGHT/MIDDLE only", keys);
	vt_check(vt_post_absolute(&a, 8, 0, 0, 0) == -VHID_EBUTTON, "absolute.button-4-refused",
		 "button 4 was not refused with VHID_EBUTTON");

	/* start somewhere else so the first position is a change */
	vt_post_absolute(&a, 0, 100, 100, 0);
	vt_read_frame(&a, (struct input_event[4]){0}, 4, vt_bound(1000));
	for (size_t i = 0; i < 3; i++) {
		struct input_event xy[2] = {EV(EV_ABS, ABS_X, pos[i]),
					    EV(EV_ABS, ABS_Y, pos[2 - i])};
		snprintf(name, sizeof(name), "absolute.at.%d.%d", pos[i], pos[2 - i]);
		vt_post_absolute(&a, 0, pos[i], pos[2 - i], 0);
		vt_expect_frame(&a, name, xy, 2, 1000);
	}
	/* the last position was (32767, 0): moving X alone reports X alone */
	struct input_event x_only = EV(EV_ABS, ABS_X, 16384);
	vt_post_absolute(&a, 0, 16384, 0, 0);
	vt_expect_frame(&a, "absolute.x-only-changes", &x_only, 1, 1000);

	struct input_event click = EV(EV_KEY, BTN_LEFT, 1), release = EV(EV_KEY, BTN_LEFT, 0);
	vt_post_absolute(&a, 1, 16384, 0, 0);
	vt_expect_frame(&a, "absolute.click", &click, 1, 1000);
	vt_post_absolute(&a, 0, 16384, 0, 0);
	vt_expect_frame(&a, "absolute.release", &release, 1, 1000);

	struct input_event notch[2] = {EV(EV_REL, REL_WHEEL, -1),
				       EV(EV_REL, REL_WHEEL_HI_RES, -120)};
	vt_post_absolute(&a, 0, 16384, 0, -120);
	vt_expect_frame(&a, "absolute.wheel", notch, 2, 1000);

	/* reset releases buttons but keeps the position (no jump to 0,0) */
	vt_post_absolute(&a, 1, 16384, 0, 0);
	vt_wait_event(&a, EV_KEY, BTN_LEFT, 1, 1000);
	vdev_reset(a.dev);
	vt_expect_frame(&a, "absolute.reset-releases-only", &release, 1, 1000);
	vt_check(libevdev_get_event_value(a.evdev, EV_ABS, ABS_X) == 16384,
		 "absolute.reset-keeps-position", "ABS_X is %d",
		 libevdev_get_event_value(a.evdev, EV_ABS, ABS_X));
	vt_destroy(&a);
	return vt_finish();
}
