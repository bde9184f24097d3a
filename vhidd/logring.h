/*
 * logring.h - vhidd's recent log lines in memory, served over the socket
 * (GET_LOG), so `vhidctl log` works for every allowed user whatever the log
 * backend is. Each line carries the uid of the client it is about, so a user
 * is shown daemon-wide lines and lines about their own clients only.
 */
#ifndef VHIDD_LOGRING_H
#define VHIDD_LOGRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOGRING_LINES 512
#define LOGRING_BYTES (64 * 1024)
/* a line naming a client whose uid is no longer known: shown to admins only */
#define LOGRING_UNKNOWN_CLIENT 0xfffffffeu

struct logring_line {
	uint32_t seq;
	uint64_t time_us; /* CLOCK_REALTIME */
	uint8_t priority; /* syslog */
	uint32_t uid;     /* VHID_LOG_DAEMON_WIDE, LOGRING_UNKNOWN_CLIENT, or a uid */
	const char *text;
	size_t len;
};

/* Start collecting (log_set_tap); logring_stop() frees every line. */
void logring_start(void);
void logring_stop(void);

/* Remember whose client id is: lines that name "client <id>" get that uid. */
void logring_note_client(uint32_t client_id, uint32_t uid);

/* Append one line (what the log tap does; tests call it directly). */
void logring_add(int level, const char *text);

/* The sequence number of the newest line (0 before the first). */
uint32_t logring_newest(void);

/*
 * Call fn, oldest first, for the newest max lines (0: all) with seq > after that
 * visible(uid) allows. fn returns false to stop (the ring may have changed under it).
 * Returns the number of lines given to fn.
 */
int logring_read(uint32_t after, unsigned int max, bool (*visible)(uint32_t uid, void *data),
		 bool (*fn)(const struct logring_line *line, void *data), void *data);

#endif
