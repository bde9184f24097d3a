/*
 * logring.c - a bounded ring of vhidd's recent log lines (see logring.h).
 *
 * Lines are tagged from their text: every line about a client starts with its
 * label, "client <id> ..." (the connection's or one of its devices'), and the
 * daemon tells the ring each client's uid at connect. A line naming a client the
 * ring cannot place is kept from non-admins rather than shown to everyone, so a
 * forgotten tag can hide a line but never leak another user's LED state or
 * activity.
 */
#include "logring.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "protocol.h"

#define UID_SLOTS 1024

struct entry {
	struct logring_line line;
	char *text;
};

static struct entry ring[LOGRING_LINES];
static unsigned int first, count; /* oldest entry, number of entries */
static size_t bytes;
static uint32_t next_seq = 1;
static struct {
	uint32_t id, uid;
} uids[UID_SLOTS]; /* by client id modulo UID_SLOTS: ids are handed out in order */

static void
tap(enum log_level level, const char *msg, void *data)
{
	logring_add((int)level, msg);
}

void
logring_start(void)
{
	log_set_tap(tap, NULL);
}

static void
drop_oldest(void)
{
	struct entry *e = &ring[first];

	bytes -= e->line.len;
	free(e->text);
	e->text = NULL;
	first = (first + 1) % LOGRING_LINES;
	count--;
}

void
logring_stop(void)
{
	log_set_tap(NULL, NULL);
	while (count)
		drop_oldest();
}

void
logring_note_client(uint32_t client_id, uint32_t uid)
{
	uids[client_id % UID_SLOTS].id = client_id;
	uids[client_id % UID_SLOTS].uid = uid;
}

/* The uid of the first "client <id>" the text names, or VHID_LOG_DAEMON_WIDE. */
static uint32_t
line_uid(const char *text)
{
	for (const char *p = strstr(text, "client "); p; p = strstr(p + 1, "client ")) {
		char *end;
		unsigned long id;

		if (p[7] < '0' || p[7] > '9')
			continue;
		id = strtoul(p + 7, &end, 10);
		if (id && uids[id % UID_SLOTS].id == id)
			return uids[id % UID_SLOTS].uid;
		return LOGRING_UNKNOWN_CLIENT;
	}
	return VHID_LOG_DAEMON_WIDE;
}

static uint8_t
syslog_priority(int level)
{
	return level == LOG_LEVEL_ERROR ? 3 : level == LOG_LEVEL_WARN ? 4 : 6;
}

void
logring_add(int level, const char *text)
{
	size_t len = strnlen(text, VHID_MAX_LOG_TEXT);
	struct entry *e;
	struct timespec ts;
	char *copy = malloc(len + 1);

	if (!copy)
		return; /* the ring is a convenience: the journal or file still has the line */
	memcpy(copy, text, len);
	copy[len] = '\0';
	while (count && (count == LOGRING_LINES || bytes + len > LOGRING_BYTES))
		drop_oldest();
	clock_gettime(CLOCK_REALTIME, &ts);
	e = &ring[(first + count) % LOGRING_LINES];
	e->text = copy;
	e->line = (struct logring_line){
		.seq = next_seq++,
		.time_us = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000,
		.priority = syslog_priority(level),
		.uid = line_uid(copy),
		.text = copy,
		.len = len,
	};
	count++;
	bytes += len;
}

uint32_t
logring_newest(void)
{
	return next_seq - 1;
}

int
logring_read(uint32_t after, unsigned int max, bool (*visible)(uint32_t uid, void *data),
	     bool (*fn)(const struct logring_line *line, void *data), void *data)
{
	unsigned int start = count, n = 0;

	/* walk back from the newest to find where the newest max visible lines begin */
	while (start > 0 && ring[(first + start - 1) % LOGRING_LINES].line.seq > after &&
	       (max == 0 || n < max)) {
		start--;
		n += visible(ring[(first + start) % LOGRING_LINES].line.uid, data);
	}
	n = 0;
	for (unsigned int i = start; i < count; i++) {
		const struct logring_line *l = &ring[(first + i) % LOGRING_LINES].line;
		if (!visible(l->uid, data))
			continue;
		n++;
		if (!fn(l, data))
			break;
	}
	return (int)n;
}
