/*
 * fuzz.h - what the libFuzzer harnesses share: splitting an input into steps,
 * a pipe that stands in for /dev/uhid, and the kernel's side of a device's
 * creation (UHID_START and the uevents that make it ready). See docs/FUZZING.md.
 */
#ifndef VHID_FUZZ_H
#define VHID_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vhid.h"

struct vdev;
struct vdev_ctx;

/*
 * Inputs that are a sequence of steps separate them with this: a separator
 * survives libFuzzer's insertions and deletions better than length prefixes, and
 * it is in every dictionary. Nothing the harnesses parse contains it naturally.
 */
#define FUZZ_SEP "\n--\n"
#define FUZZ_SEP_LEN 4

/* The next step of *data (advanced past it and its separator); false at the end. */
bool fuzz_next_step(const uint8_t **data, size_t *size, const uint8_t **step, size_t *len);

/* Crash (so libFuzzer keeps a reproducer) when cond is false: an oracle failed. */
#define FUZZ_ASSERT(cond) ((cond) ? (void)0 : fuzz_fail(#cond, __FILE__, __LINE__))
void fuzz_fail(const char *what, const char *file, int line) __attribute__((noreturn));

/*
 * A device context whose "/dev/uhid" is a pipe: vhidd's writes land in it, and
 * nothing is ever read back from it as if the kernel had sent it (the harness
 * delivers the kernel's events itself). linger_ms < 0: destroy at once.
 */
struct vdev_ctx *fuzz_vdev_ctx(void);

/* Bytes vhidd wrote to "/dev/uhid" since the last call; *len 0 when none. */
const uint8_t *fuzz_uhid_output(size_t *len);

/*
 * Every UHID_INPUT2 in out (from fuzz_uhid_output) is a report the validator
 * accepts for kind: vhidd never sends the kernel what it would refuse from a
 * client. So is every non-empty GET_REPORT reply when input_replies (the kernel
 * asked for an input report). Returns the number of UHID_INPUT2.
 */
int fuzz_check_inputs(const uint8_t *out, size_t len, enum vhid_device_kind kind,
		      bool input_replies);

/*
 * What the kernel does when hid-generic takes a new uhid device: UHID_START, then
 * the uevents of its HID device (with HID_UNIQ), its input and evdev nodes, its
 * hidraw node, and the driver's bind. The uevents go through uevent_parse() as
 * vhidd's netlink reader would. n numbers the device's nodes (high, so that no
 * /dev/input/eventN of the host is ever watched).
 */
void fuzz_kernel_bind(struct vdev_ctx *ctx, struct vdev *dev, unsigned int n);

/* The kernel removes a bound device (the "remove" uevent of its HID device). */
void fuzz_kernel_remove(struct vdev_ctx *ctx, struct vdev *dev);

/*
 * Deliver one uhid event from the kernel to a device, or parse a uevent datagram
 * and hand it to the device layer. Both run as inside vdev_ctx_dispatch(): a
 * device a callback destroys is freed only by fuzz_vdev_settle(), so the caller
 * may go on walking the device list.
 */
void fuzz_kernel_event(struct vdev *dev, const void *ev, size_t len);
void fuzz_kernel_uevent(struct vdev_ctx *ctx, const char *datagram, size_t len);

/* Discard what vhidd wrote, then let the context free what was destroyed. */
void fuzz_vdev_settle(struct vdev_ctx *ctx);

#endif
