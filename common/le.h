/*
 * le.h - little-endian loads and stores, the byte order of the wire protocol
 * and of HID reports, whatever the host's.
 */
#ifndef VHID_LE_H
#define VHID_LE_H

#include <stdint.h>

static inline uint16_t
le16_get(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
le32_get(const uint8_t *p)
{
	return (uint32_t)le16_get(p) | (uint32_t)le16_get(p + 2) << 16;
}

/* The stores return the byte after the value, to write fields one after another. */
static inline uint8_t *
le16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	return p + 2;
}

static inline uint8_t *
le32_put(uint8_t *p, uint32_t v)
{
	return le16_put(le16_put(p, (uint16_t)v), (uint16_t)(v >> 16));
}

#endif
