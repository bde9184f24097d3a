/* log.c - leveled logging with a replaceable handler; see log.h. */
#include "log.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static enum log_level current_level = LOG_LEVEL_INFO;
static log_handler_fn handler;
static void *handler_data;
static FILE *log_file;
static char log_path[256];
static long log_max = 1024 * 1024;

static const char *const level_names[] = {"silent", "error", "warn", "info", "debug"};
/* syslog priorities, as journald reads them from a "<N>" line prefix */
static const int level_prio[] = {0, 3, 4, 6, 7};

void
log_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level
log_get_level(void)
{
	return current_level;
}

void
log_set_handler(log_handler_fn fn, void *data)
{
	handler = fn;
	handler_data = data;
}

int
log_set_file(const char *path)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	log_path[0] = '\0';
	if (!path)
		return 0;
	log_file = fopen(path, "ae");
	if (!log_file)
		return -errno;
	setvbuf(log_file, NULL, _IOLBF, 0);
	snprintf(log_path, sizeof(log_path), "%s", path);
	return 0;
}

void
log_set_file_max(long bytes)
{
	log_max = bytes;
}

/* Past the limit, keep one previous file (PATH.1) and start afresh. */
static void
rotate(void)
{
	char old[sizeof(log_path) + 2];
	FILE *f;

	if (!log_path[0] || log_max <= 0 || ftell(log_file) < log_max)
		return;
	snprintf(old, sizeof(old), "%s.1", log_path);
	rename(log_path, old);
	f = fopen(log_path, "ae");
	if (!f)
		return; /* keep writing to the renamed file rather than lose lines */
	fchmod(fileno(f), 0640);
	fclose(log_file);
	log_file = f;
	setvbuf(log_file, NULL, _IOLBF, 0);
}

int
log_level_from_name(const char *name)
{
	for (size_t i = 1; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcmp(name, level_names[i]) == 0)
			return (int)i;
	if (strcmp(name, "warning") == 0)
		return LOG_LEVEL_WARN;
	return -1;
}

static void
timestamp(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03ld", ts.tv_nsec / 1000000);
}

/*
 * JOURNAL_STREAM is inherited: a child of a journald-logged service whose
 * stderr was redirected still has it. sd_journal_stream_fd(3) says to trust it
 * only when its "device:inode" is stderr's own.
 */
bool
log_stderr_is_journal(void)
{
	static int cached = -1;
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (cached < 0)
		cached = env && sscanf(env, "%llu:%llu", &dev, &ino) == 2 &&
			 fstat(STDERR_FILENO, &st) == 0 && (unsigned long long)st.st_dev == dev &&
			 (unsigned long long)st.st_ino == ino;
	return cached;
}

static void
default_output(enum log_level level, const char *msg)
{
	char ts[40];

	if (log_stderr_is_journal()) {
		fprintf(stderr, "<%d>%s\n", level_prio[level], msg);
	} else {
		timestamp(ts, sizeof(ts));
		fprintf(stderr, "[%s] %s: %s\n", ts, level_names[level], msg);
	}
}

void
log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
	char msg[1024], ts[40];
	int saved_errno = errno;

	/* the file keeps the lifecycle (info) even when the terminal is quieter */
	bool to_file = log_file && (level <= current_level || level <= LOG_LEVEL_INFO);

	if (level == LOG_LEVEL_SILENT || (level > current_level && !to_file))
		goto out;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (level <= current_level) {
		if (handler)
			handler(level, msg, handler_data);
		else
			default_output(level, msg);
	}
	if (to_file) {
		timestamp(ts, sizeof(ts));
		fprintf(log_file, "[%s] %s: %s\n", ts, level_names[level], msg);
		rotate();
	}
out:
	errno = saved_errno;
}

void
log_write(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(level, fmt, ap);
	va_end(ap);
}
