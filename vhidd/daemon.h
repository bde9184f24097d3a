/*
 * daemon.h - vhidd's state: one epoll loop over the listening socket, the
 * clients, the device layer and a signalfd; nothing in it blocks on a client.
 */
#ifndef VHIDD_DAEMON_H
#define VHIDD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "connection.h"
#include "identity.h"
#include "policy.h"
#include "vdev.h"

#define MAX_DEVICES_PER_CLIENT 3      /* one keyboard, one pointer, one absolute pointer */
#define CLIENT_OUT_LIMIT (256 * 1024) /* queued bytes before a non-reading client is dropped */
#define ACCEPTS_PER_WAKEUP 16         /* a connect flood cannot hold the loop */

struct daemon_options {
	const char *socket_path;
	const char *config_path;
	const char *socket_group;
	const char *uhid_path;
	const char *log_file;
	int lease_ms; /* overrides the policy when > 0 */
	int keep_ms;  /* overrides the policy when >= 0 */
	int standby;  /* standby-keyboard: overrides the policy when >= 0 */
	int ready_fd; /* -1, or where to write "\n" once listening */
};

struct client;

/* One device of a client. */
struct client_device {
	struct client *client;
	struct vdev *dev; /* NULL: free slot */
	uint32_t id;
};

struct client {
	struct daemon *daemon;
	struct client *next;
	struct connection conn;
	uint32_t id;
	pid_t pid;
	unsigned int uid, gid;
	unsigned int *groups; /* every group at connect(), the primary first */
	int n_groups;
	char exe[128];
	char name[VHID_NAME_LEN];
	char label[200]; /* "client 3 (kanata, pid 1234, uid 1000)" for logs */
	bool hello, dead, want_write, lease_expired;
	bool draining;   /* half-closed: its last replies go out, then it is closed */
	int n_destroyed; /* devices destroyed when it half-closed, for the log */
	uint64_t connect_ms, last_rx_ms;
	unsigned int lease_ms; /* the lease announced in HELLO_REPLY */
	unsigned int minor;    /* the protocol minor of its HELLO: what it may be sent */
	uint8_t next_serial;
	struct client_device devices[MAX_DEVICES_PER_CLIENT];
};

struct daemon {
	struct daemon_options opt;
	int epfd, listen_fd, signal_fd, timer_fd;
	struct vdev_ctx *vdev;
	struct policy policy;
	struct identity_table identities; /* special HID drivers of the running kernel */
	struct client *clients;
	struct client *graveyard; /* destroyed this iteration, freed after it */
	int n_clients;
	uint32_t next_client_id;
	uint64_t start_ms;
	unsigned int socket_gid;
	int inherited_fd; /* the socket systemd passed, or -1: then we made our own */
	int lock_fd;      /* flock on lock_path while serving our own socket, or -1 */
	dev_t socket_dev; /* the socket we bound: never unlink another daemon's */
	ino_t socket_ino;
	char socket_path[108]; /* systemd's socket's path */
	char lock_path[120];
	char log_path[128]; /* the log file, "" when only stderr/the journal get the log */
	bool running, shutting_down, accept_paused;
};

uint64_t now_ms(void);

/* server.c: the listening socket */
int server_prepare(struct daemon *d);
int server_listen(struct daemon *d);
void server_close(struct daemon *d);
void server_accept(struct daemon *d);
void server_pause(struct daemon *d, bool paused);

/* client.c: connections, frames, leases */
struct client *client_new(struct daemon *d, int fd);
void client_handle_input(struct client *c);
/* Close the connection and destroy its devices (their keys are released). The
 * memory stays valid (c->dead) until clients_free_graveyard(). */
void client_destroy(struct client *c, const char *why);
void clients_free_graveyard(struct daemon *d);
/* Send an error naming the violation, then destroy the client. */
void client_violation(struct client *c, uint32_t id, uint16_t type, const char *what);
void client_set_name(struct client *c, const char *name);
int client_send(struct client *c, uint16_t type, uint32_t id, const void *msg, const void *extra,
		size_t extra_len);
int client_send_error(struct client *c, uint32_t id, uint16_t request, int status, const char *fmt,
		      ...) __attribute__((format(printf, 5, 6)));
void client_flush(struct client *c);
/* Room for one reply of bytes beyond the usual output bound; false (and the
 * client dropped) when it has not read what it was sent before. */
bool client_reserve_output(struct client *c, size_t bytes);
/* Release everything a silent client holds, telling it at once (LEASE_EXPIRED goes out
 * with this call, not with the answer to its next frame), and close connections past
 * their handshake or idle timeout; returns ms until the next deadline (-1: none). */
int clients_check_leases(struct daemon *d);
void client_reset_devices(struct client *c);
/* Root or a member of the policy's admin groups. */
bool client_is_admin(const struct client *c);

/* requests.c: one handler per request type */
void request_dispatch(struct client *c, const struct vhid_frame *f);
extern const struct vdev_listener device_listener;

#endif
