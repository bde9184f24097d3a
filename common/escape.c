/* escape.c - see escape.h. */
#include "escape.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * The length of the valid UTF-8 sequence at s (at most n bytes) and its code
 * point, or 0 when it is not one (overlong, surrogate, beyond U+10FFFF, cut
 * short, a stray continuation byte).
 */
static size_t
utf8_sequence(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	uint32_t v;

	if (len == 0 || s[0] > 0xf4 || len > n)
		return 0;
	v = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

/* Code points a terminal or log reader acts on rather than shows. */
static bool
is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x200e && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

size_t
escape_text(char *out, size_t len, const char *in, size_t inlen, unsigned int flags)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, i = 0;

	if (len == 0)
		return 0;
	while (i < inlen) {
		uint32_t cp = s[i];
		size_t n = s[i] < 0x80 ? 1 : utf8_sequence(s + i, inlen - i, &cp);
		bool slash = s[i] == '\\' && (flags & ESCAPE_BACKSLASH);
		/* a control is escaped byte by byte; so is each byte of broken UTF-8 */
		size_t need = n == 0 || is_control(cp) ? 4 * (n ? n : 1) : slash ? 2 : n;

		if (o + need >= len)
			break;
		if (n == 0 || is_control(cp)) {
			for (size_t k = 0; k < (n ? n : 1); k++)
				o += (size_t)snprintf(out + o, len - o, "\\x%02x", s[i + k]);
		} else if (slash) {
			memcpy(out + o, "\\\\", 2);
			o += 2;
		} else {
			memcpy(out + o, s + i, n);
			o += n;
		}
		i += n ? n : 1;
	}
	out[o] = '\0';
	return o;
}

const char *
escape_str(char *out, size_t len, const char *in)
{
	escape_text(out, len, in, strlen(in), 0);
	return out;
}
