/* private.h - libvhid's internal structures, shared by client.c and device.c. */
#ifndef LIBVHID_PRIVATE_H
#define LIBVHID_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "connection.h"
#include "export.h"
#include "protocol.h"
#include "vhid.h"

#define REQUEST_TIMEOUT_MS 5000
#define PIPELINE_HIGH_WATER (64 * 1024) /* queued bytes before a send waits for the socket */

struct vhid_device {
	struct vhid_client *client;
	struct vhid_device *next;
	uint32_t id; /* 0 while it does not exist in the daemon */
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
};

struct event {
	enum event_type type;
	uint32_t device; /* looked up again at delivery: the handle may be gone */
	int value;
	char message[VHID_MAX_ERROR_MESSAGE];
};

/* the answer a blocking request waits for */
struct answer {
	uint32_t id;
	bool done;
	int status;     /* 0 or negative */
	uint32_t value; /* REPLY value */
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
};

uint64_t client_now_ms(void);
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
/* (Re)create one device in the daemon from its saved params. */
int device_create_remote(struct vhid_device *d);
void device_clear_state(struct vhid_device *d);

#endif
