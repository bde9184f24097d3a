/* descriptor.h - the HID report descriptors of vhid's three device kinds. */
#ifndef VHIDD_DESCRIPTOR_H
#define VHIDD_DESCRIPTOR_H

#include <stddef.h>
#include <stdint.h>

#include "vhid.h"

/* The descriptor bytes for a kind; NULL for an unknown kind. */
const uint8_t *descriptor_get(enum vhid_device_kind kind, size_t *len);

/* Feature report 2 of the pointer devices: ID, vertical and horizontal multiplier. */
#define MULTIPLIER_REPORT_SIZE 3
/* LED output report 5 of the keyboard: ID, LED bits. */
#define LED_REPORT_SIZE 2
#define LED_MASK 0x1f

#endif
