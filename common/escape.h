/*
 * escape.h - the one way vhid prints a string that someone else chose (a
 * client's HELLO name, a device name, an executable path): in the log file, in
 * the journal and on terminals. Nothing that survives it can start a new log
 * line, forge a journal priority ("<0>"), move a terminal's cursor or change
 * its title, or reorder what a reader sees.
 */
#ifndef VHID_ESCAPE_H
#define VHID_ESCAPE_H

#include <stddef.h>

/* Also write '\' as "\\", so escaped text reads back unambiguously (logs). */
#define ESCAPE_BACKSLASH 1u

/*
 * Copy in (inlen bytes; NULs included) to out as printable text: C0 controls
 * (newline and tab too), DEL, C1 controls (raw or UTF-8 encoded), Unicode
 * bidirectional controls and every byte of invalid UTF-8 become "\xNN". Valid
 * printable UTF-8 is kept. Never cuts an escape in half; always NUL-terminates
 * when len > 0. Returns the bytes written, without the NUL.
 */
size_t escape_text(char *out, size_t len, const char *in, size_t inlen, unsigned int flags);

/* escape_text() of a NUL-terminated string into a caller's buffer; returns out. */
const char *escape_str(char *out, size_t len, const char *in);

#endif
