/* private.h - libvhid's internal structures and the functions its files share. */
#ifndef LIBVHID_PRIVATE_H
#define LIBVHID_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "connection.h"
#include "export.h"
#include "protocol.h"
#include "vhid.h"

#define MAX_TIMEOUT_MS 600000           /* vhid_client_set_timeout() */
#define PIPELINE_HIGH_WATER (64 * 1024) /* queued bytes before a send waits for the socket */

struct vhid_device {
	struct vhid_client *client;
	struct vhid_device *next;
	uint32_t id;     /* 0 while it does not exist in the daemon */
	uint32_t serial; /* the handle's own number, kept across reconnects (EV_TYPED) */
	enum vhid_device_kind kind;
	struct vhid_msg_create params; /* kept to create it again after a reconnect */
	bool ready;
	int gone; /* the reason, once DEVICE_GONE arrived */
	char evdev[VHID_NODE_LEN];
	char hidraw[VHID_NODE_LEN];
	unsigned int leds;
	unsigned int readers;
	void *user_data;
	/* what the convenience helpers hold down */
	struct vhid_keyboard_report keyboard;
	uint16_t consumer[VHID_MAX_KEYS];
	uint16_t system[VHID_MAX_KEYS];
	uint32_t buttons;
	uint16_t abs_x, abs_y;
	/* typing (type.c): the jobs, head first, and the pause after each keystroke */
	struct type_job *jobs;
	unsigned int type_delay_ms;
	unsigned int type_burst; /* keystrokes between pauses: 1 once a delay is set */
	unsigned int type_keys;  /* keystrokes typed, to place the default pauses */
};

enum event_type {
	EV_READY,
	EV_LEDS,
	EV_OPEN,
	EV_LEASE,
	EV_GONE,
	EV_ERROR,
	EV_DISCONNECTED,
	EV_RECONNECTED,
	EV_TYPED,
};

struct event {
	enum event_type type;
	uint32_t device; /* looked up again at delivery: the handle may be gone
			  * (EV_TYPED: the handle's serial, as a disconnect zeroes ids) */
	int value;
	unsigned int job; /* EV_TYPED */
	char message[VHID_MAX_ERROR_MESSAGE];
};

/* the answer a blocking request waits for */
struct answer {
	uint32_t id;
	bool done;
	int status;     /* 0 or negative */
	uint32_t value; /* REPLY value */
	/* CREATE_DEVICE: where the new id goes the moment the REPLY is read, so that
	 * the READY, OPEN and LEDS pushes of an adopted device that follow it in the
	 * same read find their device (protocol 1.2) */
	uint32_t *created_id;
	struct vhid_msg_hello_reply hello;
	struct vhid_status_listener status_listener; /* zero: no status callbacks */
	void (*log_line)(const struct vhid_log_line *line, void *data);
	void *data; /* of status_listener or log_line */
};

struct vhid_client {
	char name[VHID_NAME_LEN];
	struct vhid_client_listener listener; /* the caller's, copied and zero-extended */
	void *data;
	int epfd, timer_fd;
	struct connection conn; /* fd -1 while disconnected */
	bool connected, reconnect, pipelined, dispatching, ever_connected;
	char path[108];
	uint32_t next_id;
	struct vhid_msg_hello_reply hello; /* the daemon's handshake; zero while disconnected */
	struct vhid_device *devices;
	struct event *events;
	size_t n_events, cap_events;
	char last_error[VHID_MAX_ERROR_MESSAGE + 64];
	int fatal; /* the daemon's reason for closing the connection (an ERROR with id 0) */
	uint64_t last_tx_ms;
	uint64_t reconnect_at_ms;
	unsigned int backoff_ms;
	struct {
		uint32_t id, device;
	} sent[64]; /* recent requests sent without waiting, to name the device of an ERROR */
	unsigned int sent_pos;
	unsigned int next_job;   /* the last typing job number handed out */
	uint32_t next_serial;    /* the last device handle number handed out */
	unsigned int timeout_ms; /* vhid_client_set_timeout() */
};

int client_fail(struct vhid_client *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Send a request and wait for its REPLY/ERROR (pushes that arrive meanwhile are queued). */
int client_transact(struct vhid_client *c, uint16_t type, const void *msg, const void *extra,
		    size_t extra_len, struct answer *a);
/* Send without waiting; device is remembered to name it if an ERROR comes back. */
int client_send_async(struct vhid_client *c, uint16_t type, const void *msg, const void *extra,
		      size_t extra_len, uint32_t device);
struct vhid_device *client_find_device(struct vhid_client *c, uint32_t id);
/* 0 when the daemon announced cap, else -VHID_ENOCAP naming it, what needs it and both
 * versions. */
int client_need_cap(struct vhid_client *c, unsigned int cap, const char *request,
		    const char *function);
/* Like client_send_async, but the daemon answers: *id receives the request id. */
int client_send_tracked(struct vhid_client *c, uint16_t type, const void *msg, const void *extra,
			size_t extra_len, uint32_t device, uint32_t *id);
/* Read what the daemon sent (queueing pushes as events); nothing runs. */
void client_read_pending(struct vhid_client *c);
/* Re-arm the client's timer for the next heartbeat, reconnect or typing step. */
void client_arm_timer(struct vhid_client *c);
/* Queue the typed callback of a job. */
void client_queue_typed(struct vhid_client *c, const struct vhid_device *d, unsigned int job,
			int error, const char *message);
/* (Re)create one device in the daemon from its saved params. */
int device_create_remote(struct vhid_device *d);
void device_clear_state(struct vhid_device *d);
/* Validate and post a report: wait for the answer, or not (tracked: ask for an answer and
 * put the request id there; NULL: no answer unless it fails). */
int device_post(struct vhid_device *d, const void *report, size_t len, bool wait,
		uint32_t *tracked);

/* Typing jobs (type.c). */
/* Send the next report of every device's head job, or end it; from dispatch only. */
void typing_pump(struct vhid_client *c);
/* An answer arrived for request id: true if it was a typing job's (status 0 or negative). */
bool typing_answer(struct vhid_client *c, uint32_t id, int status, const char *message);
/* When the pump has work: 0 none, 1 at once, else the CLOCK_MONOTONIC ms of the next step. */
uint64_t typing_due_ms(const struct vhid_client *c);
/* The connection is gone: end every job with error. */
void typing_fail_all(struct vhid_client *c, int error, const char *message);
/* Free a device's jobs without callbacks (the device is being freed). */
void typing_free(struct vhid_device *d);

#endif
