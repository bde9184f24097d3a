/* log.h - vhidd's leveled logging (libvhid reports errors to its caller, never logs). */
#ifndef VHID_LOG_H
#define VHID_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum log_level {
	LOG_LEVEL_SILENT = 0,
	LOG_LEVEL_ERROR = 1,
	LOG_LEVEL_WARN = 2,
	LOG_LEVEL_INFO = 3,
	LOG_LEVEL_DEBUG = 4,
};

typedef void (*log_handler_fn)(enum log_level level, const char *msg, void *data);

/* Messages above this level are dropped before they are formatted. */
void log_set_level(enum log_level level);

/*
 * Replace the output. The default writes to stderr: with syslog-style "<N>"
 * prefixes when stderr is the journal (log_stderr_is_journal()), so journald
 * keeps the level; otherwise with a timestamp and level name.
 */
void log_set_handler(log_handler_fn fn, void *data);

/* Also give every line of level info and above, whatever the level, to fn (NULL stops). */
void log_set_tap(log_handler_fn fn, void *data);
/* Whether stderr is the journal: JOURNAL_STREAM names stderr's device and inode. */
bool log_stderr_is_journal(void);

/* Also append every line to this file (NULL stops): everything the level lets
 * through, and always errors, warnings and info. The file is mode 0600, and is
 * opened without following a symlink in a directory only root or this process
 * can write to. Past 1 MiB it is rotated, keeping one PATH.1. Returns 0 or -errno; log_file_error()
 * then says why. */
int log_set_file(const char *path);
const char *log_file_error(void);

void log_write(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* errno is preserved across every logging call, so callers can log then return -errno. */
#define log_error(...) log_write(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_write(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_write(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_write(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
