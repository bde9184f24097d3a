/* report.h - what report.c knows beyond vhid.h's report helpers. */
#ifndef VHID_REPORT_H
#define VHID_REPORT_H

#include "vhid.h"

/*
 * The highest button a device of this kind has (vhidd/descriptor.c says why):
 * 16 for the pointer, 3 for the absolute pointer, 0 for the keyboard.
 */
unsigned int report_max_button(enum vhid_device_kind kind);

#endif
