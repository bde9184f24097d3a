/*
 * xkbdecode.h - turn evdev key events back into text the way a compositor
 * does (libxkbcommon state plus the locale's Compose table), to check what
 * `vhidctl type` produced. Independent of vhidctl's planner on purpose.
 */
#ifndef XKBDECODE_H
#define XKBDECODE_H

struct xkb_decoder;

/* NULL variant: none. Returns 0 or a negative errno. */
int xkb_decoder_new(const char *layout, const char *variant, struct xkb_decoder **out);
void xkb_decoder_free(struct xkb_decoder *d);
/* One EV_KEY event (value 1 press, 0 release; 2 repeat is ignored). */
void xkb_decoder_key(struct xkb_decoder *d, unsigned int code, int value);
/* Everything typed so far, UTF-8. Owned by the decoder. */
const char *xkb_decoder_text(const struct xkb_decoder *d);

#endif
