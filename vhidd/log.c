/* log.c - leveled logging with a replaceable handler; see log.h. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"

static enum log_level current_level = LOG_LEVEL_INFO;
static log_handler_fn handler;
static void *handler_data;
static log_handler_fn tap; /* vhidd's log ring */
static void *tap_data;
static FILE *log_file;
static int log_dir = -1;   /* the verified directory of the file: rotation never uses the path */
static char log_name[256]; /* the file's name in it */
static char log_error_text[300];
static int log_error_code;
static const long log_max = 1024 * 1024; /* then rotate, keeping one NAME.1 */

static const char *const level_names[] = {"silent", "error", "warn", "info", "debug"};
/* syslog priorities, as journald reads them from a "<N>" line prefix */
static const int level_prio[] = {0, 3, 4, 6, 7};

void
log_set_level(enum log_level level)
{
	current_level = level;
}

void
log_set_handler(log_handler_fn fn, void *data)
{
	handler = fn;
	handler_data = data;
}

void
log_set_tap(log_handler_fn fn, void *data)
{
	tap = fn;
	tap_data = data;
}

static int __attribute__((format(printf, 2, 3))) file_error(int err, const char *fmt, ...)
{
	va_list ap;

	errno = err; /* for %m */
	va_start(ap, fmt);
	vsnprintf(log_error_text, sizeof(log_error_text), fmt, ap);
	va_end(ap);
	log_error_code = err;
	return -err;
}

/*
 * The directory must be one only root or this process can write to: then
 * nobody else can plant a symlink or hard link in it, or swap the file after
 * it was checked. Symlinks on the way to it are fine; the fd is what is checked.
 */
static int
open_log_dir(const char *path)
{
	char copy[sizeof(log_name)];
	const char *dir;
	struct stat st;
	int fd;

	snprintf(copy, sizeof(copy), "%s", path);
	dir = dirname(copy);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return file_error(errno, "cannot open its directory %s: %m", dir);
	if (fstat(fd, &st) < 0 || (st.st_uid != 0 && st.st_uid != geteuid())) {
		close(fd);
		return file_error(EPERM, "its directory %s belongs to uid %lu, not root or vhidd",
				  dir, (unsigned long)st.st_uid);
	}
	if (st.st_mode & 022) {
		close(fd);
		return file_error(EPERM,
				  "its directory %s is writable by others (mode %04lo); choose one "
				  "only root or vhidd can write to",
				  dir, (unsigned long)(st.st_mode & 07777));
	}
	return fd;
}

/*
 * Open (or create) the file itself: never through a symlink, only a regular
 * file of ours with one link, mode 0600 set on the fd. The log names other
 * users' programs: only vhidd (and root) read it; see DESIGN.md "Logs".
 */
static FILE *
open_log_at(int dir, const char *name)
{
	struct stat st;
	FILE *f;
	int fd = openat(dir, name,
			O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK |
				O_CLOEXEC,
			0600);

	if (fd < 0) {
		if (errno == ELOOP)
			file_error(ELOOP, "%s is a symlink: refused", name);
		else
			file_error(errno, "%s: %m", name);
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_nlink != 1) {
		file_error(EPERM, "%s is not a regular file of vhidd's own with one link: refused",
			   name);
		close(fd);
		return NULL;
	}
	if ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) < 0) {
		file_error(errno, "cannot make %s mode 0600: %m", name);
		close(fd);
		return NULL;
	}
	fcntl(fd, F_SETFL, O_WRONLY | O_APPEND);
	if (!(f = fdopen(fd, "a"))) {
		file_error(errno, "%s: %m", name);
		close(fd);
		return NULL;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	return f;
}

int
log_set_file(const char *path)
{
	char copy[sizeof(log_name)];
	int dir;

	if (log_file)
		fclose(log_file);
	if (log_dir >= 0)
		close(log_dir);
	log_file = NULL;
	log_dir = -1;
	log_name[0] = log_error_text[0] = '\0';
	if (!path)
		return 0;
	if (strlen(path) >= sizeof(log_name))
		return file_error(ENAMETOOLONG, "the path is too long");
	if ((dir = open_log_dir(path)) < 0)
		return dir;
	snprintf(copy, sizeof(copy), "%s", path);
	snprintf(log_name, sizeof(log_name), "%s", basename(copy));
	if (!(log_file = open_log_at(dir, log_name))) {
		close(dir);
		log_name[0] = '\0';
		return -log_error_code;
	}
	log_dir = dir;
	return 0;
}

const char *
log_file_error(void)
{
	return log_error_text;
}

/* Past the limit, keep one previous file (NAME.1) and start afresh, in the same directory. */
static void
rotate(void)
{
	char old[sizeof(log_name) + 2];
	FILE *f;

	if (log_dir < 0 || ftell(log_file) < log_max)
		return;
	snprintf(old, sizeof(old), "%s.1", log_name);
	renameat(log_dir, log_name, log_dir, old);
	f = open_log_at(log_dir, log_name);
	if (!f)
		return; /* keep writing to the renamed file rather than lose lines */
	fclose(log_file);
	log_file = f;
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

static void __attribute__((format(printf, 2, 0)))
log_vwrite(enum log_level level, const char *fmt, va_list ap)
{
	char raw[1024], msg[4 * sizeof(raw)], ts[40];
	int saved_errno = errno;

	/* the file keeps the lifecycle (info) even when the terminal is quieter */
	bool to_file = log_file && (level <= current_level || level <= LOG_LEVEL_INFO);

	bool to_tap = tap && level <= LOG_LEVEL_INFO;

	if (level == LOG_LEVEL_SILENT || (level > current_level && !to_file && !to_tap))
		goto out;
	/* messages carry client-chosen strings: one escape for every output */
	int n = vsnprintf(raw, sizeof(raw), fmt, ap);
	escape_text(msg, sizeof(msg), raw,
		    n < 0                     ? 0
		    : (size_t)n < sizeof(raw) ? (size_t)n
					      : sizeof(raw) - 1,
		    ESCAPE_BACKSLASH);
	if (to_tap)
		tap(level, msg, tap_data); /* the ring stores what the log shows: escaped */
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
