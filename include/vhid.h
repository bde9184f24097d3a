/*
 * vhid.h - the public API of libvhid, the client library of vhidd.
 *
 * Conventions, which hold for every function below:
 *
 * - Functions that can fail return an int: 0 (or a non-negative count) on
 *   success, a negative errno value (-EINVAL, -ENOMEM, ...) or a negative vhid
 *   error code (-VHID_E*) on failure. vhid_strerror() describes both.
 * - Handles are opaque and owned by whoever created them; the function that
 *   frees a handle says so. Strings passed in are copied; strings returned are
 *   owned by the library and valid for the lifetime stated at the function.
 * - Unless a function says otherwise it is not thread-safe: use one handle
 *   from one thread at a time. Different handles are independent.
 * - The report helpers (vhid_keys_*, vhid_modifiers_*, vhid_buttons_*,
 *   vhid_report_*) are pure: no I/O, no global state, safe from any thread.
 * - Compatibility (libvhid.so.1, symbol version VHID_1.0): a program built
 *   against this header keeps working with every later libvhid.so.1. Structs
 *   the caller fills in start with `size_t size` (set it to sizeof the struct)
 *   or end in reserved fields that must be zero, so they can grow. Structs
 *   the library passes to callbacks may grow at their end: read them through
 *   the pointer (a copy holds the members this header knows), and never
 *   allocate one to hand to the library.
 *
 * This header compiles as C99 and C++.
 */
#ifndef VHID_H
#define VHID_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/**
 * vhid-specific error codes. Functions return them negated (-VHID_EUSAGE),
 * exactly like errno values; they start at 1000 so they never collide with
 * errno. `vhidctl explain --list` prints every code with its usual fix.
 * @since 0.1
 */
enum vhid_error {
	VHID_EFIRST = 1000,
	VHID_EREPORTID = 1000,    /**< report ID is not an input report of this device */
	VHID_EREPORTLEN = 1001,   /**< report length does not match its report ID */
	VHID_EUSAGE = 1002,       /**< usage outside the descriptor's logical range */
	VHID_EUSAGEKIND = 1003,   /**< usage is in range but is not a key (axis, rollover) */
	VHID_EAPPLE = 1004,       /**< Apple vendor usage with no standard Linux equivalent */
	VHID_ETOOMANYKEYS = 1005, /**< a 33rd key, or translated keys overflow a report */
	VHID_EBUTTON = 1006,      /**< no such button (pointer 1..16, absolute 1..3) */
	VHID_EVERSION = 1007,     /**< client and daemon speak different protocol majors */
	VHID_EDENIED = 1008,      /**< the daemon's policy does not allow this caller */
	VHID_EPROTO = 1009,       /**< malformed frame; the daemon closed the connection */
	VHID_ENOUHID = 1010,      /**< the kernel has no uhid (module missing or not loaded) */
	VHID_ENODRIVER = 1011,    /**< no HID driver bound the device (hid-generic missing) */
	VHID_ELIMIT = 1012,       /**< per-client device limit reached */
	VHID_ELEASE = 1013,       /**< lease expired: the daemon released this client's keys
				   *   (reported through the lease_expired callback) */
	VHID_ENOTREADY = 1014,    /**< device exists but the kernel has not finished creating it */
	VHID_ENODAEMON = 1015,    /**< no daemon is listening on the socket */
	VHID_EADMIN = 1016,       /**< the request needs root or the policy's admin group */
	VHID_ENOCAP = 1017,       /**< the daemon lacks the capability the request needs
				   *   (@since 0.2) */
	VHID_EUNTYPEABLE = 1018,  /**< the keyboard layout cannot produce some characters of
				   *   the text; nothing was typed (@since 0.2) */
	VHID_ELAST = 1018
};

/**
 * Describe an error code. Accepts positive or negative values, errno values
 * and VHID_E* codes. Never returns NULL; the string is static.
 * @since 0.1
 */
const char *vhid_strerror(int error);

/**
 * The symbolic name of an error code ("VHID_EUSAGE", "EACCES"), or NULL if the
 * code is unknown. The string is static.
 * @since 0.1
 */
const char *vhid_error_name(int error);

/* ------------------------------------------------------------------------ */
/* Devices and their reports                                                */
/* ------------------------------------------------------------------------ */

/** The three device kinds vhidd creates. @since 0.1 */
enum vhid_device_kind {
	VHID_DEVICE_KEYBOARD = 1, /**< keyboard, consumer, system control, LEDs */
	VHID_DEVICE_POINTER = 2,  /**< 16 buttons, relative X/Y, hi-res wheels */
	VHID_DEVICE_ABSOLUTE = 3  /**< 3 buttons, absolute X/Y 0..32767, hi-res wheels */
};

/** Keys per key array (keyboard, consumer, system, Apple reports). */
#define VHID_MAX_KEYS 32

/**
 * Report IDs. A report's first byte is its ID. IDs 3 and 4 exist only at the
 * API: vhidd translates their Apple usages to consumer usages (see DESIGN.md).
 * @since 0.1
 */
enum vhid_report_id {
	VHID_REPORT_KEYBOARD = 1,       /**< keyboard device: modifiers + 32 keys */
	VHID_REPORT_CONSUMER = 2,       /**< keyboard device: 32 consumer usages */
	VHID_REPORT_APPLE_TOP_CASE = 3, /**< keyboard device: 32 Apple page 0x00FF usages */
	VHID_REPORT_APPLE_KEYBOARD = 4, /**< keyboard device: 32 Apple page 0xFF01 usages */
	VHID_REPORT_LED = 5,            /**< keyboard device: LED output (kernel to device) */
	VHID_REPORT_SYSTEM = 7,         /**< keyboard device: 32 system-control usages */
	VHID_REPORT_POINTER = 1,        /**< pointer and absolute devices */
	VHID_REPORT_MULTIPLIER = 2      /**< pointer and absolute devices: feature report */
};

/** Encoded sizes in bytes, report ID included. */
#define VHID_KEYBOARD_REPORT_SIZE 66
#define VHID_KEYS_REPORT_SIZE 65
#define VHID_POINTER_REPORT_SIZE 13
#define VHID_ABSOLUTE_REPORT_SIZE 13
#define VHID_MAX_REPORT_SIZE 66

/** Modifier bits of the keyboard report, HID usages 0xE0..0xE7 in order. */
enum vhid_modifier {
	VHID_MOD_LEFT_CTRL = 0x01,
	VHID_MOD_LEFT_SHIFT = 0x02,
	VHID_MOD_LEFT_ALT = 0x04,
	VHID_MOD_LEFT_META = 0x08,
	VHID_MOD_RIGHT_CTRL = 0x10,
	VHID_MOD_RIGHT_SHIFT = 0x20,
	VHID_MOD_RIGHT_ALT = 0x40,
	VHID_MOD_RIGHT_META = 0x80
};

/** LED bits of the LED output report, as delivered to clients. */
enum vhid_led {
	VHID_LED_NUM_LOCK = 0x01,
	VHID_LED_CAPS_LOCK = 0x02,
	VHID_LED_SCROLL_LOCK = 0x04,
	VHID_LED_COMPOSE = 0x08,
	VHID_LED_KANA = 0x10
};

/** Keyboard report (ID 1): page 0x07 usages 0x00..0xFF. */
struct vhid_keyboard_report {
	uint8_t modifiers;            /**< enum vhid_modifier bits */
	uint16_t keys[VHID_MAX_KEYS]; /**< 0 = empty slot */
};

/** Consumer (2), system (7) and Apple (3, 4) reports: one key array. */
struct vhid_keys_report {
	uint8_t id;                   /**< enum vhid_report_id */
	uint16_t keys[VHID_MAX_KEYS]; /**< 0 = empty slot */
};

/** Pointer report (ID 1 of a VHID_DEVICE_POINTER). */
struct vhid_pointer_report {
	uint32_t buttons; /**< bit n-1 = button n */
	int16_t x, y;     /**< relative motion, -32767..32767 */
	int16_t wheel;    /**< vertical wheel in 1/120 notch, positive = away from user */
	int16_t hwheel;   /**< horizontal wheel in 1/120 notch, positive = right */
};

/** Absolute pointer report (ID 1 of a VHID_DEVICE_ABSOLUTE). */
struct vhid_absolute_report {
	uint32_t buttons; /**< bit n-1 = button n */
	uint16_t x, y;    /**< absolute position, 0..32767 */
	int16_t wheel;    /**< 1/120 notch */
	int16_t hwheel;   /**< 1/120 notch */
};

/**
 * Insert a usage into a key array: into the first empty slot, and not twice.
 * @return 0 (also when the usage was already present), -EINVAL for usage 0,
 * -VHID_ETOOMANYKEYS when all 32 slots are taken (the array is unchanged;
 * unlike the seed system the 33rd key is never dropped silently).
 * @since 0.1
 */
int vhid_keys_insert(uint16_t keys[VHID_MAX_KEYS], uint16_t usage);

/** Erase every slot holding usage; slots are not compacted. @return 0. @since 0.1 */
int vhid_keys_erase(uint16_t keys[VHID_MAX_KEYS], uint16_t usage);

/** @return 1 if usage is in the array, else 0. @since 0.1 */
int vhid_keys_exists(const uint16_t keys[VHID_MAX_KEYS], uint16_t usage);

/** @return the number of non-empty slots. @since 0.1 */
int vhid_keys_count(const uint16_t keys[VHID_MAX_KEYS]);

/**
 * Set or clear modifier bits.
 * @return 0, or -EINVAL if mask has no bit set.
 * @since 0.1
 */
int vhid_modifiers_insert(uint8_t *modifiers, uint8_t mask);
int vhid_modifiers_erase(uint8_t *modifiers, uint8_t mask);

/**
 * Press or release button n (1..32) in a button mask (what a device accepts is
 * less: see vhid_pointer_press()).
 * @return 0, or -VHID_EBUTTON for any other n (the mask is unchanged).
 * @since 0.1
 */
int vhid_buttons_insert(uint32_t *buttons, unsigned int button);
int vhid_buttons_erase(uint32_t *buttons, unsigned int button);
/** @return 1 if button n is pressed, 0 otherwise (also for n outside 1..32). */
int vhid_buttons_exists(uint32_t buttons, unsigned int button);

/**
 * Encode a report into its wire bytes (little-endian, report ID first).
 * @param buf at least VHID_MAX_REPORT_SIZE bytes
 * @return the encoded length (always > 0); these cannot fail.
 * @since 0.1
 */
int vhid_report_encode_keyboard(const struct vhid_keyboard_report *r, uint8_t *buf);
int vhid_report_encode_keys(const struct vhid_keys_report *r, uint8_t *buf);
int vhid_report_encode_pointer(const struct vhid_pointer_report *r, uint8_t *buf);
int vhid_report_encode_absolute(const struct vhid_absolute_report *r, uint8_t *buf);

/**
 * Check report bytes against the descriptor of a device kind, exactly as
 * vhidd does before anything reaches the kernel.
 * @param msg if not NULL, receives a message naming the problem, such as
 *        "keyboard usage 0x0123 is outside the keyboard page range 0x00-0xff".
 * @return 0, or -VHID_EREPORTID, -VHID_EREPORTLEN, -VHID_EUSAGE,
 *         -VHID_EUSAGEKIND, -VHID_EAPPLE, -EINVAL (unknown kind)
 * @since 0.1
 */
int vhid_report_validate(enum vhid_device_kind kind, const uint8_t *buf, size_t len, char *msg,
			 size_t msglen);

/* ------------------------------------------------------------------------ */
/* Client                                                                   */
/* ------------------------------------------------------------------------ */

/**
 * A connection to vhidd. Created with vhid_client_new(), freed with
 * vhid_client_destroy(). Not thread-safe: use one client from one thread
 * (different clients are independent).
 */
struct vhid_client;

/**
 * A device of a client: a keyboard, pointer or absolute pointer. Owned by its
 * client: freed by vhid_device_destroy() or vhid_client_destroy().
 */
struct vhid_device;

/**
 * Events. Set size to sizeof(struct vhid_client_listener); every callback may
 * be NULL:
 *
 *     struct vhid_client_listener l = { .size = sizeof(l), .ready = on_ready };
 *
 * vhid_client_new() copies the first size bytes and zero-fills the rest, so a
 * program built against an older, shorter listener keeps working when members
 * are added at the end (their callbacks are simply absent), and the listener
 * need not outlive the call. Callbacks run only from vhid_client_dispatch() (or
 * the blocking helpers, which dispatch), never re-entrantly: events that arrive
 * while a callback runs are queued. A callback may call any function except
 * vhid_client_dispatch() and vhid_client_destroy().
 * @since 0.2 (0.1 had no size member)
 */
struct vhid_client_listener {
	size_t size; /**< sizeof(struct vhid_client_listener) as the caller compiled it */
	/** The kernel finished creating the device; reports from now on are delivered. */
	void (*ready)(struct vhid_client *client, struct vhid_device *device, void *data);
	/** The keyboard's LED state changed (enum vhid_led bits). */
	void (*leds)(struct vhid_client *client, struct vhid_device *device, unsigned int leds,
		     void *data);
	/** The number of programs reading the device (user-space open file descriptions of
	 *  its evdev node) changed. 0 means nothing sees what it produces yet: a new device
	 *  is typically opened by the compositor some milliseconds after ready. */
	void (*readers)(struct vhid_client *client, struct vhid_device *device,
			unsigned int readers, void *data);
	/** The client was silent longer than the lease: vhidd released its keys and buttons.
	 *  Posting again simply continues. */
	void (*lease_expired)(struct vhid_client *client, void *data);
	/** The device is gone (error: -VHID_ENODRIVER, -ENODEV, ...). The handle stays
	 *  valid until vhid_device_destroy(). */
	void (*device_gone)(struct vhid_client *client, struct vhid_device *device, int error,
			    void *data);
	/** A request sent without waiting (vhid_device_send(), pipelined mode) failed.
	 *  device may be NULL. message is valid during the call. */
	void (*error)(struct vhid_client *client, struct vhid_device *device, int error,
		      const char *message, void *data);
	/** The connection ended: error is -ECONNRESET, -VHID_EPROTO, -VHID_EDENIED, ...
	 *  Devices are no longer ready; the daemon released their keys. */
	void (*disconnected)(struct vhid_client *client, int error, void *data);
	/** Reconnected (see vhid_client_set_reconnect): every device is being created
	 *  again; ready follows for each. */
	void (*reconnected)(struct vhid_client *client, void *data);
	/** A vhid_device_type_start() job ended: error 0 when every key of it was
	 *  typed, else why it stopped (-ECANCELED, -ENOTCONN, a vhidd error) with
	 *  message saying so (valid during the call; "" on success). Keys it pressed
	 *  are released either way. @since 0.2 */
	void (*typed)(struct vhid_client *client, struct vhid_device *device, unsigned int job,
		      int error, const char *message, void *data);
};

/**
 * Create a client handle, not yet connected.
 * @param name how vhidd's logs and `vhidctl status` name this client (copied;
 *        at most 31 bytes are kept). NULL: the program's name.
 * @param listener events (may be NULL); copied, see struct vhid_client_listener
 * @return 0, -ENOMEM, or -EINVAL when listener->size is smaller than the
 *         size member itself
 * @since 0.1
 */
int vhid_client_new(const char *name, const struct vhid_client_listener *listener, void *data,
		    struct vhid_client **out);

/**
 * Connect and handshake (blocking: at most 5 s for vhidd to accept the
 * connection, then at most 5 s for its answer).
 * @param path the socket; NULL means $VHID_SOCKET, else /run/vhid/vhidd.sock
 * @return 0, -VHID_ENODAEMON (nothing listens), -EACCES, -VHID_EDENIED,
 *         -VHID_EVERSION, -ETIMEDOUT, -EISCONN. vhid_client_last_error() then
 *         says what to do, e.g. "permission denied: uid 1000 is not in group
 *         'vhid' (see vhidctl doctor)". With reconnect enabled, a failed
 *         connect keeps retrying from vhid_client_dispatch().
 * @since 0.1
 */
int vhid_client_connect(struct vhid_client *client, const char *path);

/** Close the connection: vhidd releases the client's keys and destroys its
 *  devices. Device handles stay; vhid_client_connect() creates them again. @since 0.1 */
void vhid_client_disconnect(struct vhid_client *client);

/** Disconnect and free the client and all its device handles. NULL is ignored. @since 0.1 */
void vhid_client_destroy(struct vhid_client *client);

/**
 * A file descriptor to poll for readability; when readable, call
 * vhid_client_dispatch(). It stays the same across reconnects and also wakes
 * up for the client's timers (heartbeats, reconnect attempts). Owned by the
 * client: do not close it. @since 0.1
 */
int vhid_client_get_fd(const struct vhid_client *client);

/**
 * Read what arrived, run callbacks, send a heartbeat when due, and try to
 * reconnect when enabled. Never blocks.
 * @return the number of callbacks run, -ENOTCONN when disconnected (and not
 *         reconnecting), or -EBUSY when called from a callback.
 * @since 0.1
 */
int vhid_client_dispatch(struct vhid_client *client);

/**
 * Renew the lease now. vhid_client_dispatch() does this by itself at a third
 * of the lease; a program that does not dispatch that often must call this.
 * @since 0.1
 */
int vhid_client_heartbeat(struct vhid_client *client);

/** Reconnect automatically (from dispatch, every 0.1-1 s) and recreate the devices. @since 0.1 */
int vhid_client_set_reconnect(struct vhid_client *client, int enable);

/**
 * With pipelined on, vhid_device_post() and the press/move helpers do not wait
 * for vhidd's answer; failures arrive through the error callback. Use it for
 * throughput; off (the default) gives every call its own result. @since 0.1
 */
int vhid_client_set_pipelined(struct vhid_client *client, int enable);

/** How long a blocking call waits by default: sd-bus's and D-Bus's method call timeout. */
#define VHID_DEFAULT_TIMEOUT_MS 25000

/**
 * How long a blocking call waits for vhidd: for it to accept the connection
 * (its queue of new connections is full while it is stopped or flooded), for
 * an answer, and for it to read its socket. Past it the call fails with
 * -ETIMEDOUT and says which wait ran out. The default, VHID_DEFAULT_TIMEOUT_MS,
 * is long so that a loaded machine makes a slow call, not a failed one; a
 * program that must react sooner to a stopped daemon sets less. Waits for the
 * kernel and the desktop have their own timeouts (vhid_device_wait_ready(),
 * vhid_device_wait_reader()). @param timeout_ms 1..600000 @return 0, or -EINVAL
 * outside that range. @since 0.2
 */
int vhid_client_set_timeout(struct vhid_client *client, unsigned int timeout_ms);

/** @return 1 when connected, else 0. @since 0.1 */
int vhid_client_is_connected(const struct vhid_client *client);

/** Why the last call failed, in words; "" if it did not. Owned by the client,
 *  valid until the next call on it. Never NULL. @since 0.1 */
const char *vhid_client_last_error(const struct vhid_client *client);

/**
 * What the daemon offers, announced in its handshake (PROTOCOL.md 3.2). A
 * request that needs a capability the daemon did not announce fails in the
 * library with -VHID_ENOCAP, naming the capability and both versions.
 * @since 0.2 (the first four bits: 0.1)
 */
enum vhid_capability {
	VHID_CAP_APPLE_TRANSLATION = 1 << 0, /**< keyboard reports 3 and 4 are translated */
	VHID_CAP_ABSOLUTE = 1 << 1,          /**< VHID_DEVICE_ABSOLUTE exists */
	VHID_CAP_LEASE = 1 << 2,             /**< leases are enforced; heartbeats are needed */
	VHID_CAP_STATUS_ALL = 1 << 3,        /**< status scope ALL (admin-only from 1.1) */
	VHID_CAP_LOG = 1 << 4,               /**< 1.1: vhid_client_get_log() */
	VHID_CAP_STATUS_USER = 1 << 5,       /**< 1.1: status scope USER */
	VHID_CAP_LEASE_PUSH = 1 << 6,        /**< 1.1: lease_expired arrives when the lease
					      *   runs out, not with the next answer */
	VHID_CAP_KEEP = 1 << 7               /**< 1.2: a released device that somebody reads
					      *   is kept for its owner; creating the same kind
					      *   and identity takes it over, ready at once */
};

/** The name of one capability bit ("log", "status-user"), or NULL. @since 0.2 */
const char *vhid_capability_name(unsigned int capability);

/**
 * The protocol version agreed in the handshake: the daemon's major (always the
 * library's, or the connection fails with -VHID_EVERSION) and the daemon's minor.
 * @return 0, or -ENOTCONN (major and minor are then 0). @since 0.2
 */
int vhid_client_get_protocol(const struct vhid_client *client, unsigned int *major,
			     unsigned int *minor);
/** The daemon's version, (major*100+minor)*100+patch; 0 when not connected. @since 0.2 */
unsigned int vhid_client_get_daemon_version(const struct vhid_client *client);
/** The daemon's enum vhid_capability bits; 0 when not connected. @since 0.2 */
unsigned int vhid_client_get_capabilities(const struct vhid_client *client);
/** The lease of this connection in ms (0: none enforced, or not connected). @since 0.2 */
unsigned int vhid_client_get_lease_ms(const struct vhid_client *client);
/** vhidd's id of this connection (as `vhidctl status` shows it); 0 when not connected.
 *  @since 0.2 */
unsigned int vhid_client_get_client_id(const struct vhid_client *client);
/** Devices this connection may hold (one of each kind); 0 when not connected. @since 0.2 */
unsigned int vhid_client_get_max_devices(const struct vhid_client *client);

/** The library's own version as (major*100+minor)*100+patch, and its protocol
 *  major and minor. @since 0.1 (vhid_protocol_minor: 0.2) */
unsigned int vhid_library_version(void);
unsigned int vhid_protocol_version(void);
unsigned int vhid_protocol_minor(void);

/* ------------------------------------------------------------------------ */
/* Status (what vhidctl status shows)                                       */
/* ------------------------------------------------------------------------ */

/*
 * The three status structs are allocated by the library and passed to the
 * callbacks; they may grow at their end. Read them through the pointer.
 */

/** @since 0.1 */
struct vhid_status_daemon {
	unsigned int daemon_version, protocol_version, pid, uptime_s;
	unsigned int clients, devices, lease_ms;
	int has_uhid;    /**< /dev/uhid exists */
	int has_uevents; /**< the daemon sees kernel uevents */
	const char *socket, *config, *socket_group;
	const char *log_file; /**< "" when vhidd logs to the journal only */
	/** @since 0.2: the daemon can count the programs reading a device (always 0
	 * from a 0.1 daemon, which did not say) */
	int has_readers;
};

/** @since 0.1 */
struct vhid_status_client {
	unsigned int id, pid, uid, gid, devices, idle_ms;
	const char *name, *exe;
};

/** @since 0.1 */
struct vhid_status_device {
	unsigned int id, client_id;
	enum vhid_device_kind kind;
	int ready;
	unsigned int readers; /**< user-space open file descriptions of the evdev node */
	unsigned int leds, country, bus, vendor, product, version;
	const char *name, *evdev, *hidraw, *phys;
};

/**
 * Callbacks for vhid_client_get_status(); strings are valid during the call. Set
 * size to sizeof(struct vhid_status_listener); members past it count as NULL.
 * @since 0.2 (0.1 had no size member)
 */
struct vhid_status_listener {
	size_t size; /**< sizeof(struct vhid_status_listener) as the caller compiled it */
	void (*daemon)(const struct vhid_status_daemon *d, void *data);
	void (*client)(const struct vhid_status_client *c, void *data);
	void (*device)(const struct vhid_status_device *d, void *data);
};

/** What vhid_client_get_status() reports. @since 0.2 */
enum vhid_status_scope {
	VHID_STATUS_SELF = 0, /**< this connection's devices */
	VHID_STATUS_ALL = 1,  /**< every client and device: root or an admin group (from 1.1) */
	VHID_STATUS_USER = 2  /**< every client of this process's uid, on any connection
			       *   (needs VHID_CAP_STATUS_USER) */
};

/**
 * Ask vhidd for its state (blocking): the daemon record, then the clients and
 * devices in scope (enum vhid_status_scope). The daemon record's client count
 * covers every user; other users' clients are shown only to admins. The
 * callbacks run before this returns.
 * @return 0, -VHID_EADMIN (ALL, not an admin), -VHID_ENOCAP (USER, daemon
 *         older than 1.1), -EINVAL, or another negative error. @since 0.1
 */
int vhid_client_get_status(struct vhid_client *client, int scope,
			   const struct vhid_status_listener *listener, void *data);

/* ------------------------------------------------------------------------ */
/* The daemon's log (what vhidctl log shows)                                */
/* ------------------------------------------------------------------------ */

/** vhid_log_line.uid of a line about the daemon, not about one user's client. */
#define VHID_LOG_DAEMON_WIDE 0xffffffffu

/** One line of the daemon's log ring; allocated by the library, may grow at its end.
 *  @since 0.2 */
struct vhid_log_line {
	unsigned int seq; /**< increases by one per line the daemon logged */
	uint64_t time_us; /**< CLOCK_REALTIME, microseconds */
	int priority;     /**< syslog: 3 error, 4 warning, 6 info */
	unsigned int uid; /**< whose client it is about, or VHID_LOG_DAEMON_WIDE */
	const char *text; /**< valid during the callback; may hold any byte but NUL */
};

/**
 * Read the daemon's recent log (blocking; needs VHID_CAP_LOG). vhidd keeps its
 * last 512 lines (64 KiB at most) of level info and above. Root and admins see
 * every line; other users see daemon-wide lines and lines about their own
 * clients. line runs for each of the newest max_lines lines (0: all) with a
 * sequence number above after_seq, oldest first.
 * @param last_seq if not NULL, receives the newest sequence number the daemon
 *        has: pass it as after_seq to follow the log by polling.
 * @return 0, -VHID_ENOCAP (the daemon has no log ring: read journalctl or its
 *         log file), or another negative error. @since 0.2
 */
int vhid_client_get_log(struct vhid_client *client, unsigned int after_seq, unsigned int max_lines,
			void (*line)(const struct vhid_log_line *line, void *data), void *data,
			unsigned int *last_seq);

/**
 * Release every key and button on the devices of every client that runs as
 * this process's user (every_user = 0), or of every client at all (every_user
 * = 1: needs root or the policy's admin group, else -VHID_EADMIN). This is the
 * answer to "everything is stuck" without a reboot.
 * @return the number of devices released, or a negative error. @since 0.1
 */
int vhid_client_reset_all(struct vhid_client *client, int every_user);

/* ------------------------------------------------------------------------ */
/* Devices                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * What to create. Zero-initialize, set kind, and change what you need; zero
 * fields take the defaults (vendor 0x16c0, product 0x27db keyboard / 0x27da
 * pointer / 0x27d9 absolute, bus USB, name "vhid keyboard" ...).
 * @since 0.1
 */
struct vhid_device_params {
	enum vhid_device_kind kind;
	const char *name; /**< evdev name, at most 127 bytes; copied */
	uint32_t vendor, product, version;
	uint16_t bus;         /**< BUS_USB (3), BUS_VIRTUAL (6), BUS_I8042 (0x11), ... */
	uint8_t country;      /**< HID country code (33 = US), 0 = none */
	uint8_t reserved0;    /**< must be zero */
	uint32_t reserved[8]; /**< must be zero: later members take this space */
};

/**
 * Create a device (blocking round trip). It is not ready yet: wait for the
 * ready callback or vhid_device_wait_ready() before posting.
 * @return 0, -VHID_ELIMIT (one of each kind per client), -VHID_ENOUHID,
 *         -ENOTCONN, -EINVAL (also for a non-zero reserved member),
 *         -VHID_ENOCAP (an absolute pointer, and the daemon lacks it), or
 *         another negative error.
 * @since 0.1
 */
int vhid_device_create(struct vhid_client *client, const struct vhid_device_params *params,
		       struct vhid_device **out);

/**
 * Dispatch until the device is ready (blocking; callbacks run).
 * @return 0, -ETIMEDOUT, or the reason the device failed. @since 0.1
 */
int vhid_device_wait_ready(struct vhid_device *device, int timeout_ms);

/** Release the device's keys, destroy it in vhidd, and free the handle. @since 0.1 */
int vhid_device_destroy(struct vhid_device *device);

/** Release every key and button of the device (empty reports). @since 0.1 */
int vhid_device_reset(struct vhid_device *device);

/**
 * Post a raw report (report ID first; see the vhid_report_encode_* helpers).
 * Validated here and again by vhidd. Waits for vhidd's answer unless the client
 * is pipelined.
 * @return 0, a -VHID_E* validation error, -VHID_ENOTREADY, -ENOTCONN, ...
 * @since 0.1
 */
int vhid_device_post(struct vhid_device *device, const void *report, size_t len);

/** Like vhid_device_post() but never waits: failures arrive via the error callback. @since 0.1 */
int vhid_device_send(struct vhid_device *device, const void *report, size_t len);

/** @return 1 when ready, 0 otherwise. @since 0.1 */
int vhid_device_is_ready(const struct vhid_device *device);
/** @since 0.1 */
enum vhid_device_kind vhid_device_get_kind(const struct vhid_device *device);
/** vhidd's id of the device (changes when the client reconnects). @since 0.1 */
uint32_t vhid_device_get_id(const struct vhid_device *device);
/** "/dev/input/eventN" once ready, else NULL. Owned by the device; valid until
 *  it changes (next ready) or the device is destroyed. @since 0.1 */
const char *vhid_device_get_evdev(const struct vhid_device *device);
/** "/dev/hidrawN" once ready, else NULL; same lifetime as vhid_device_get_evdev(). @since 0.1 */
const char *vhid_device_get_hidraw(const struct vhid_device *device);
/** The keyboard's LED state (enum vhid_led bits). @since 0.1 */
unsigned int vhid_device_get_leds(const struct vhid_device *device);
/** How many programs have the device's evdev node open (see the readers callback). @since 0.1 */
unsigned int vhid_device_get_readers(const struct vhid_device *device);
/**
 * Dispatch until a program reads the device's evdev node (blocking). A new
 * device is opened by the compositor a little after it is ready; events posted
 * before that are seen by nobody. vhidd counts a reader once udev announced the
 * node and the reader had time to take the device into use (DESIGN.md §21), so
 * udev and logind do not count; a device taken over from the same user's
 * previous client (capability VHID_CAP_KEEP) has its readers at once.
 * Under an X server that reads evdev itself (Xorg; a local $DISPLAY such as
 * ":0", no $WAYLAND_DISPLAY), it waits instead until the server lists the device as
 * enabled (XInput 2): Xorg's enable, which drains what was sent before it,
 * reaches neither the device nor vhidd. If the server does not enable it in
 * time (another session's X server), vhidd's count decides. Under a Wayland
 * compositor ($WAYLAND_DISPLAY), a pointer's wait also ends with a round trip to
 * it, answered once it has set the device up (libvhid(3)).
 * @return 0, or -ETIMEDOUT (nothing opened it: headless, or no compositor).
 * @since 0.1 (the X server's enable: 0.2)
 */
int vhid_device_wait_reader(struct vhid_device *device, int timeout_ms);
/** @since 0.1 */
struct vhid_client *vhid_device_get_client(const struct vhid_device *device);
/** @since 0.1 */
void vhid_device_set_user_data(struct vhid_device *device, void *data);
/** @since 0.1 */
void *vhid_device_get_user_data(const struct vhid_device *device);

/* ------------------------------------------------------------------------ */
/* Convenience: the library keeps each device's held keys and buttons       */
/* ------------------------------------------------------------------------ */

/**
 * Press or release a HID keyboard-page usage (0x04 = a, 0xe0-0xe7 = modifiers)
 * on a keyboard device and post the resulting report. A usage is not a Linux key
 * code (KEY_A is 30, usage 0x1e is "1"): for codes use vhid_key_press().
 * @return 0, -VHID_ETOOMANYKEYS, -VHID_EUSAGE, -EINVAL (not a keyboard), ...
 * @since 0.2 (0.1 called them vhid_keyboard_press() and vhid_keyboard_release())
 */
int vhid_keyboard_press_usage(struct vhid_device *keyboard, uint16_t usage);
int vhid_keyboard_release_usage(struct vhid_device *keyboard, uint16_t usage);
/**
 * The same for HID consumer usages (0xe9 = volume up, 0xcd = play/pause).
 * @since 0.2 (0.1 called them vhid_consumer_press() and vhid_consumer_release())
 */
int vhid_consumer_press_usage(struct vhid_device *keyboard, uint16_t usage);
int vhid_consumer_release_usage(struct vhid_device *keyboard, uint16_t usage);
/**
 * Press or release by Linux key code (KEY_A, KEY_VOLUMEUP, KEY_POWER): the
 * library picks the report and usage that produce it.
 * @return 0, -ENOENT if no vhid usage produces the code, or as above.
 * @since 0.1
 */
int vhid_key_press(struct vhid_device *keyboard, unsigned int code);
int vhid_key_release(struct vhid_device *keyboard, unsigned int code);
/** @return the usage and report ID that produce a Linux key code, or -ENOENT. @since 0.1 */
int vhid_key_to_usage(unsigned int code, uint8_t *report_id, uint16_t *usage);

/**
 * Press or release button 1..16 on a pointer, 1..3 on an absolute pointer (more
 * would give the device a joystick node, /dev/input/js); -VHID_EBUTTON otherwise.
 * @since 0.1 (0.1 accepted 1..32)
 */
int vhid_pointer_press(struct vhid_device *pointer, unsigned int button);
int vhid_pointer_release(struct vhid_device *pointer, unsigned int button);
/** Move a pointer by dx, dy (each -32767..32767). @since 0.1 */
int vhid_pointer_move(struct vhid_device *pointer, int dx, int dy);
/** Scroll in 1/120 notch (120 = one notch; positive = up / right). @since 0.1 */
int vhid_pointer_scroll(struct vhid_device *pointer, int vertical, int horizontal);
/** Place an absolute pointer at x, y (0..32767). @since 0.1 */
int vhid_absolute_move(struct vhid_device *absolute, int x, int y);

/* ------------------------------------------------------------------------ */
/* Typing text on a keyboard layout, and naming keys (@since 0.2)          */
/* ------------------------------------------------------------------------ */

/*
 * vhid types text the way a person would on the layout the target (the
 * compositor, X server or console) uses: it looks up which key and modifiers
 * produce each character on that XKB layout (libxkbcommon, as compositors do),
 * including AltGr levels and dead keys (French "ê" is ^ then e), and plans the
 * whole text before the first key goes out. Text the layout cannot produce is
 * refused with -VHID_EUNTYPEABLE naming the characters, and nothing is typed.
 * Modifiers are held only for the characters that need them, so they never
 * leak into the next one ("Can you", never "CAN YOu"), and Caps Lock and Num
 * Lock are taken from the keyboard's LEDs. Newline types Return, tab Tab.
 */

/**
 * XKB rule names of a layout ("RMLVO"). Set size to sizeof(struct vhid_rmlvo);
 * NULL or "" members are detected (see vhid_keymap_new()).
 * @since 0.2
 */
struct vhid_rmlvo {
	size_t size;         /**< sizeof(struct vhid_rmlvo) as the caller compiled it */
	const char *rules;   /**< "evdev" */
	const char *model;   /**< "pc105" */
	const char *layout;  /**< "de"; the first of a list "de,us" is used */
	const char *variant; /**< "nodeadkeys", or "" */
	const char *options; /**< "compose:ralt,ctrl:nocaps" */
};

/** Flags of vhid_keymap_new(). @since 0.2 */
enum vhid_keymap_flags {
	/** Use only the names given: unset members take libxkbcommon's defaults
	 *  (evdev, pc105, us), never the environment or /etc/default/keyboard. */
	VHID_KEYMAP_NO_DETECT = 1 << 0
};

/**
 * A keyboard layout compiled for typing: which keys produce which characters.
 * Created with vhid_keymap_new(), freed with vhid_keymap_destroy(); independent
 * of any client. Not thread-safe (typing updates its lock state); use it from
 * one thread at a time. One keymap may serve many devices.
 */
struct vhid_keymap;

/**
 * Compile a layout for typing (5-25 ms: it simulates every key, see DESIGN.md).
 * @param names the layout, or NULL to detect it as vhidctl does. Member by member,
 *        unless VHID_KEYMAP_NO_DETECT: the names given, then XKB_DEFAULT_RULES,
 *        _MODEL, _LAYOUT, _VARIANT, _OPTIONS, then /etc/default/keyboard
 *        (XKBLAYOUT=, XKBVARIANT=, XKBMODEL=, XKBOPTIONS=), then "us". A variant
 *        comes from the same place as its layout (unless only the variant is given:
 *        it then applies to the detected layout). Strings are copied.
 * @param flags enum vhid_keymap_flags bits
 * @param msg if not NULL, receives why it failed, e.g. "cannot compile keyboard
 *        layout 'xx': is it installed in /usr/share/X11/xkb? (layout from
 *        /etc/default/keyboard)"
 * @return 0, -EINVAL (the layout does not compile; names->size too small; unknown
 *         flags), -ENOMEM
 * @since 0.2
 */
int vhid_keymap_new(const struct vhid_rmlvo *names, unsigned int flags, struct vhid_keymap **out,
		    char *msg, size_t msglen);

/** Free a keymap. NULL is ignored. Jobs started with it do not need it. @since 0.2 */
void vhid_keymap_destroy(struct vhid_keymap *keymap);

/** The layout as "de(nodeadkeys)". Owned by the keymap, valid until it is destroyed.
 *  @since 0.2 */
const char *vhid_keymap_get_layout(const struct vhid_keymap *keymap);

/** Where the layout came from: "the caller", "XKB_DEFAULT_LAYOUT",
 *  "/etc/default/keyboard" or "default (us)". Owned by the keymap. @since 0.2 */
const char *vhid_keymap_get_source(const struct vhid_keymap *keymap);

/**
 * Plan for this lock state (enum vhid_led bits; only Caps Lock and Num Lock
 * matter). vhid_device_type() sets it from the keyboard's LEDs by itself; this is
 * for checking text without a device. @return 0, -ENOMEM. @since 0.2
 */
int vhid_keymap_set_leds(struct vhid_keymap *keymap, unsigned int leds);

/**
 * Can this layout type the text (UTF-8, len bytes)? Plans it without sending.
 * @param msg if not NULL, receives e.g. "the keyboard layout 'fr' cannot type
 *        'ñ' (U+00F1), '€' (U+20AC); nothing was typed"
 * @return 0, -VHID_EUNTYPEABLE, -EILSEQ (not valid UTF-8), -ENOMEM
 * @since 0.2
 */
int vhid_keymap_check(struct vhid_keymap *keymap, const char *text, size_t len, char *msg,
		      size_t msglen);

/**
 * The characters of the text this layout cannot type, each once, in order of
 * first appearance.
 * @param chars receives up to max code points (may be NULL when max is 0)
 * @return how many there are (0: the text is typeable; may exceed max),
 *         -EILSEQ, -ENOMEM
 * @since 0.2
 */
int vhid_keymap_get_untypeable(struct vhid_keymap *keymap, const char *text, size_t len,
			       uint32_t *chars, size_t max);

/**
 * Type text on a keyboard device (blocking). The whole text is planned first for
 * the device's current LED state; untypeable text fails before any key is sent.
 * The reports of each keystroke then go out together, and the next keystroke
 * waits for vhidd's answers to them, which paces typing to what the kernel
 * takes. Keys held through vhid_key_press() and friends are released first (a
 * held Ctrl would turn text into shortcuts); when it returns, nothing is held.
 * Runs no callbacks (pushes that arrive are queued for vhid_client_dispatch()).
 * The LEDs are what vhidd last reported. A desktop that writes a keyboard's
 * LEDs as it enables it has them pushed before it is reported as a reader
 * (PROTOCOL.md 3.16), so after vhid_device_wait_reader() they are the desktop's.
 * @param keymap the target's layout; not kept
 * @param text UTF-8, len bytes (pass strlen(text) for a C string)
 * @return 0, -VHID_EUNTYPEABLE (vhid_client_last_error() names the characters),
 *         -EILSEQ, -EINVAL (not a keyboard), -EBUSY (typing jobs are pending on the
 *         device), -ENOTCONN, -VHID_ENOTREADY, or a vhidd error; on failure every
 *         key is released.
 * @since 0.2
 */
int vhid_device_type(struct vhid_device *keyboard, struct vhid_keymap *keymap, const char *text,
		     size_t len);

/**
 * Type text without blocking: plan it now (failing as vhid_device_type() does,
 * with nothing queued), then type it from vhid_client_dispatch(), one keystroke
 * per round trip to vhidd, and report the end through the typed callback. Jobs
 * of a device run one after another in the order started; the keyboard's press/release
 * helpers and vhid_device_type() return -EBUSY until they are done. The device's
 * LED state when the job is started is the one planned for.
 * @param keymap the target's layout; not kept
 * @param job if not NULL, receives the job's number (> 0) as the typed callback
 *        will name it
 * @return 0, or as vhid_device_type() (except -EBUSY)
 * @since 0.2
 */
int vhid_device_type_start(struct vhid_device *keyboard, struct vhid_keymap *keymap,
			   const char *text, size_t len, unsigned int *job);

/**
 * Stop every typing job of the device and release its keys. Each job ends with
 * the typed callback and -ECANCELED. @return how many jobs were stopped.
 * @since 0.2
 */
int vhid_device_type_cancel(struct vhid_device *keyboard);

/** Typing jobs started on the device and not yet ended. @since 0.2 */
unsigned int vhid_device_type_pending(const struct vhid_device *keyboard);

/**
 * Start a keystroke (a character, or each key of a dead-key sequence) of
 * vhid_device_type() and typing jobs at most every delay_ms. Until it is
 * called, libvhid uses VHID_DEFAULT_TYPE_DELAY_MS for every
 * VHID_DEFAULT_TYPE_BURST keystrokes: a reader's evdev buffer holds 64 events
 * (a shifted character is 12), and a reader that falls behind by more, e.g. a
 * compositor that stalls for a few dozen milliseconds on a busy machine, loses
 * a whole run of keys (SYN_DROPPED) that nothing reports to the writer; the
 * pause lets it catch up (about 200 keystrokes a second). Where vhidd's answers
 * to a keystroke take more than twice the pause (a loaded machine), the next
 * one also waits as long again. 0 types as fast as vhidd answers, for readers
 * known to keep up. @return 0, or -EINVAL above 10000 ms. @since 0.2
 */
#define VHID_DEFAULT_TYPE_DELAY_MS 5
#define VHID_DEFAULT_TYPE_BURST 1
int vhid_device_set_type_delay(struct vhid_device *keyboard, unsigned int delay_ms);

/**
 * Parse a key or key combination: names joined by '+' ("ctrl+alt+t", "KEY_A",
 * "shift+F5", "super", "volume-up"). Each name is, in order: an alias (ctrl, shift,
 * alt, altgr, super/meta/win, esc, enter, del, pgup, ...), a Linux name (KEY_*,
 * BTN_*, any case), a keysym name of the keymap's layout ("q", "at", "ssharp",
 * "Return": the key that produces it, after the modifiers it needs, so "ctrl+q" is
 * the key labelled Q on AZERTY too), a HID consumer or system usage name
 * ("volume-up", "play-pause"), or a Linux name without KEY_ ("enter", "f5").
 * Write "plus" for '+'. Pure when keymap is NULL (keysym names are then not
 * tried); thread-safe as far as the keymap is.
 * @param codes receives up to max Linux key codes in press order (release in
 *        reverse), each once
 * @param msg if not NULL, receives e.g. "unknown key name 'ctlr'; did you mean
 *        'ctrl'"
 * @return the number of codes (at least 1), -ENOENT (an unknown name),
 *         -EINVAL (empty name, "ctrl++"), -E2BIG (more than max codes)
 * @since 0.2
 */
int vhid_key_parse(const struct vhid_keymap *keymap, const char *combo, unsigned int *codes,
		   size_t max, char *msg, size_t msglen);

/** The Linux name of a key code ("KEY_A", "BTN_LEFT"), or NULL if it has none.
 *  The string is static. @since 0.2 */
const char *vhid_key_get_name(unsigned int code);

#ifdef __cplusplus
}
#endif

#endif /* VHID_H */
