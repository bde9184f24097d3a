/*
 * type.c - typing text on a keyboard device. The text is planned into
 * keystrokes (planner.c), and the keystrokes into the exact sequence of
 * keyboard reports (typeplan.c), before anything is sent.
 *
 * The blocking form posts the reports one by one, each waiting for vhidd's
 * answer. The job form keeps the same pacing without blocking: one report is
 * in flight per device; its REPLY (handled while reading, typing_answer) moves
 * the job on, and the next report goes out from vhid_client_dispatch()
 * (typing_pump), never from inside a read, so sending cannot recurse.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keymap.h"
#include "typeplan.h"

#define MAX_DELAY_MS 10000

struct type_job {
	struct type_job *next;
	unsigned int id;
	struct type_step *steps;
	size_t n, pos;
	uint32_t waiting;   /* the request id of the report in flight, 0: none */
	uint64_t resume_ms; /* the delay after a keystroke runs until then */
	int error;          /* set by an ERROR answer; the pump ends the job */
	char message[VHID_MAX_ERROR_MESSAGE];
};

/* ---- shared by both forms ------------------------------------------------------ */

static bool
holds_keyboard_keys(const struct vhid_device *d)
{
	return d->keyboard.modifiers || vhid_keys_count(d->keyboard.keys) > 0;
}

/* Check, read what vhidd pushed (the LEDs), plan, and turn the plan into reports. */
static int
prepare(struct vhid_device *d, struct vhid_keymap *km, const char *text, size_t len,
	struct type_job **out)
{
	struct vhid_client *c = d->client;
	struct keystroke *ks = NULL;
	struct type_steps s = {0};
	struct type_job *j;
	char msg[VHID_MAX_ERROR_MESSAGE];
	size_t n = 0;
	int r;

	if (d->kind != VHID_DEVICE_KEYBOARD)
		return client_fail(c, -EINVAL, "typing needs a keyboard device");
	if (!km || (!text && len))
		return client_fail(c, -EINVAL, "typing needs a keymap and text");
	client_read_pending(c);
	if ((r = vhid_keymap_set_leds(km, d->leds)) < 0 ||
	    (r = keymap_plan(km, text ? text : "", len, &ks, &n, msg, sizeof(msg))) < 0)
		return client_fail(c, r, "%s", r == -ENOMEM ? "out of memory while planning" : msg);
	r = type_steps(ks, n, holds_keyboard_keys(d), &s);
	free(ks);
	if (r < 0 || !(j = calloc(1, sizeof(*j)))) {
		free(s.s);
		return client_fail(c, r < 0 ? r : -ENOMEM, "cannot turn the plan into reports");
	}
	j->steps = s.s;
	j->n = s.n;
	*out = j;
	return 0;
}

static void
job_free(struct type_job *j)
{
	if (j)
		free(j->steps);
	free(j);
}

/* Post one step; tracked: send without waiting and put its request id there. */
static int
post_step(struct vhid_device *d, const struct type_step *st, uint32_t *tracked)
{
	struct vhid_keyboard_report k;
	uint8_t buf[VHID_MAX_REPORT_SIZE];
	int r;

	type_step_report(st, &k);
	r = device_post(d, buf, (size_t)vhid_report_encode_keyboard(&k, buf), !tracked, tracked);
	if (r == 0 && !tracked)
		d->keyboard = k;
	return r;
}

/* After a failure: release everything, without waiting (the device may be gone). */
static void
release_all(struct vhid_device *d)
{
	static const struct type_step empty = {0};
	struct vhid_keyboard_report k = {0};
	uint8_t buf[VHID_MAX_REPORT_SIZE];

	if (d->client->connected && d->ready)
		device_post(d, buf, (size_t)vhid_report_encode_keyboard(&k, buf), false, NULL);
	type_step_report(&empty, &d->keyboard);
}

/* The pause after a keystroke: the delay the program set after each one, else the
 * default one after every burst (vhid.h says why). */
static unsigned int
keystroke_pause(struct vhid_device *d)
{
	return ++d->type_keys % d->type_burst == 0 ? d->type_delay_ms : 0;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- the blocking form ------------------------------------------------------------ */

VHID_EXPORT int
vhid_device_type(struct vhid_device *d, struct vhid_keymap *km, const char *text, size_t len)
{
	struct type_job *j = NULL;
	int r;

	if (d->jobs)
		return client_fail(d->client, -EBUSY,
				   "typing jobs are still running on this keyboard");
	if ((r = prepare(d, km, text, len, &j)) < 0)
		return r;
	for (size_t i = 0; i < j->n && r == 0; i++) {
		r = post_step(d, &j->steps[i], NULL);
		unsigned int ms = r == 0 && j->steps[i].pause ? keystroke_pause(d) : 0;
		if (ms)
			sleep_ms(ms);
	}
	if (r < 0) {
		char why[sizeof(d->client->last_error)];
		snprintf(why, sizeof(why), "%s", d->client->last_error);
		release_all(d);
		client_fail(d->client, r, "%s", why); /* the release must not hide why */
	}
	job_free(j);
	return r;
}

/* ---- the job form ------------------------------------------------------------------- */

VHID_EXPORT int
vhid_device_type_start(struct vhid_device *d, struct vhid_keymap *km, const char *text, size_t len,
		       unsigned int *id)
{
	struct vhid_client *c = d->client;
	struct type_job *j = NULL, **tail = &d->jobs;
	int r;

	/* fail now, not from a callback, when it could not even start */
	if (!c->connected)
		return client_fail(c, -ENOTCONN, "not connected to vhidd");
	if (!d->ready)
		return client_fail(c, d->gone ? d->gone : -VHID_ENOTREADY,
				   d->gone ? "the device is gone"
					   : "the device is not ready yet (wait for ready)");
	if ((r = prepare(d, km, text, len, &j)) < 0)
		return r;
	if (++c->next_job == 0)
		c->next_job = 1;
	j->id = c->next_job;
	while (*tail)
		tail = &(*tail)->next;
	*tail = j;
	if (id)
		*id = j->id;
	client_arm_timer(c); /* a program that never dispatches gets no job done */
	typing_pump(c);
	return 0;
}

static void
end_head(struct vhid_device *d, int error, const char *message)
{
	struct type_job *j = d->jobs;

	d->jobs = j->next;
	if (error)
		release_all(d);
	client_queue_typed(d->client, d, j->id, error, message);
	job_free(j);
}

VHID_EXPORT int
vhid_device_type_cancel(struct vhid_device *d)
{
	int n = 0;

	while (d->jobs) {
		end_head(d, -ECANCELED, "typing was cancelled; its keys were released");
		n++;
	}
	return n;
}

VHID_EXPORT unsigned int
vhid_device_type_pending(const struct vhid_device *d)
{
	unsigned int n = 0;

	for (const struct type_job *j = d->jobs; j; j = j->next)
		n++;
	return n;
}

VHID_EXPORT int
vhid_device_set_type_delay(struct vhid_device *d, unsigned int delay_ms)
{
	if (delay_ms > MAX_DELAY_MS)
		return client_fail(d->client, -EINVAL, "a typing delay of %u ms is above %d ms",
				   delay_ms, MAX_DELAY_MS);
	d->type_delay_ms = delay_ms;
	d->type_burst = 1;
	return 0;
}

/* Move the device's head job on by one report, or end it. */
static void
pump_device(struct vhid_device *d, uint64_t now)
{
	struct type_job *j;

	while ((j = d->jobs) && !j->waiting) {
		if (j->error) {
			end_head(d, j->error, j->message);
			continue;
		}
		if (j->pos == j->n) {
			end_head(d, 0, "");
			continue;
		}
		if (j->resume_ms > now)
			return;
		int r = post_step(d, &j->steps[j->pos], &j->waiting);
		if (r < 0) {
			j->waiting = 0;
			end_head(d, r, d->client->last_error);
		}
		return;
	}
}

void
typing_pump(struct vhid_client *c)
{
	uint64_t now = monotonic_ms();

	for (struct vhid_device *d = c->devices; d; d = d->next)
		if (d->jobs)
			pump_device(d, now);
}

bool
typing_answer(struct vhid_client *c, uint32_t id, int status, const char *message)
{
	for (struct vhid_device *d = c->devices; d; d = d->next) {
		struct type_job *j = d->jobs;

		if (!id || !j || j->waiting != id)
			continue;
		j->waiting = 0;
		if (status < 0) {
			j->error = status;
			snprintf(j->message, sizeof(j->message), "%s", message);
		} else {
			type_step_report(&j->steps[j->pos], &d->keyboard);
			unsigned int ms = j->steps[j->pos].pause ? keystroke_pause(d) : 0;
			if (ms)
				j->resume_ms = monotonic_ms() + ms;
			j->pos++;
		}
		/* read by a blocking call, not by dispatch: wake the program's loop for the next
		 * report (dispatch pumps by itself) */
		if (!c->dispatching)
			client_arm_timer(c);
		return true;
	}
	return false;
}

uint64_t
typing_due_ms(const struct vhid_client *c)
{
	uint64_t at = 0;

	for (const struct vhid_device *d = c->devices; d; d = d->next) {
		const struct type_job *j = d->jobs;
		uint64_t due;

		if (!j || j->waiting)
			continue;
		due = j->resume_ms ? j->resume_ms : 1; /* 1: at once */
		if (!at || due < at)
			at = due;
	}
	return at;
}

void
typing_fail_all(struct vhid_client *c, int error, const char *message)
{
	for (struct vhid_device *d = c->devices; d; d = d->next)
		while (d->jobs)
			end_head(d, error, message);
}

void
typing_free(struct vhid_device *d)
{
	while (d->jobs) {
		struct type_job *j = d->jobs;
		d->jobs = j->next;
		job_free(j);
	}
}
