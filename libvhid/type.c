/*
 * type.c - typing text on a keyboard device. The text is planned into
 * keystrokes (planner.c), and the keystrokes into the exact sequence of
 * keyboard reports (typeplan.c), before anything is sent.
 *
 * Both forms run the same job: the reports of one keystroke go out together,
 * without waiting for each answer; the next keystroke starts once vhidd has
 * answered all of them (so the kernel has them) and the pause, counted from
 * the keystroke's start, has run: at most one keystroke per pause, which is
 * what bounds how far a reader can fall behind (vhid.h); on a loaded machine,
 * whose answers come slowly, the wait is at least the round trip again
 * (resume_at). One round trip per keystroke instead of one per report: a
 * shifted character is four reports. Answers come back in order (one stream),
 * so the job only keeps the ids of the reports in flight. In the job form the
 * answers are handled while reading (typing_answer) and the next keystroke
 * goes out from vhid_client_dispatch() (typing_pump), never from inside a
 * read, so sending cannot recurse; the blocking form runs the same pump in a
 * loop of its own that reads but runs no callbacks.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keymap.h"
#include "typeplan.h"

#define MAX_DELAY_MS 10000
/* reports in flight at most: a keystroke is at most 19 (8 modifiers up, 8 down,
 * the key, its release, and an empty report first) */
#define WINDOW 32

struct type_job {
	struct type_job *next;
	unsigned int id;
	bool blocking; /* vhid_device_type(): no typed event, the result goes to result */
	struct type_step *steps;
	size_t n;
	size_t sent, done;    /* steps sent; steps vhidd answered (a prefix of them) */
	uint32_t ids[WINDOW]; /* request ids of the steps in flight, at step % WINDOW */
	uint64_t key_ms;      /* when the keystroke being sent began */
	uint64_t resume_ms;   /* the next keystroke may begin then */
	uint64_t progress_ms; /* the last send or answer (the blocking form's timeout) */
	int error;            /* set by an ERROR answer or a failed send; ends the job */
	int *result;          /* blocking: receives the job's end */
	char message[VHID_MAX_ERROR_MESSAGE + 64]; /* as last_error */
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

/* Post one step without waiting for its answer; its request id goes to *id. */
static int
post_step(struct vhid_device *d, const struct type_step *st, uint32_t *id)
{
	struct vhid_keyboard_report k;
	uint8_t buf[VHID_MAX_REPORT_SIZE];

	type_step_report(st, &k);
	return device_post(d, buf, (size_t)vhid_report_encode_keyboard(&k, buf), false, id);
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

/* A job's number: what the typed callback names, and how the pump tells that its
 * job ended while it was sending. */
static unsigned int
job_number(struct vhid_client *c)
{
	if (++c->next_job == 0)
		c->next_job = 1;
	return c->next_job;
}

static size_t
in_flight(const struct type_job *j)
{
	return j->sent - j->done;
}

/* Nothing more may go out before answers come: the keystroke (or the job) is
 * sent, or it failed, or the window is full. */
static bool
job_waiting(const struct type_job *j)
{
	return in_flight(j) && (j->error || j->sent == j->n || j->steps[j->sent - 1].pause ||
				in_flight(j) == WINDOW);
}

static void
end_head(struct vhid_device *d, int error, const char *message)
{
	struct type_job *j = d->jobs;
	char why[sizeof(d->client->last_error)];

	/* copied first: message may be last_error, which the release can overwrite */
	snprintf(why, sizeof(why), "%s", message);
	d->jobs = j->next;
	if (error)
		release_all(d);
	if (j->blocking) {
		*j->result = error;
		/* the release must not hide why */
		if (error)
			client_fail(d->client, error, "%s", why);
	} else {
		client_queue_typed(d->client, d, j->id, error, why);
	}
	job_free(j);
}

/* Send what the device's head job may send now, or end it. */
static void
pump_device(struct vhid_device *d, uint64_t now)
{
	struct type_job *j;

	while ((j = d->jobs)) {
		if (j->error || j->sent == j->n) {
			if (in_flight(j))
				return; /* its answers first: they are the job's */
			end_head(d, j->error, j->message);
			continue;
		}
		if (job_waiting(j) || j->resume_ms > now)
			return;
		/* in flight before it is sent: sending can read its answer (a full socket) */
		size_t k = j->sent++;
		unsigned int job = j->id;
		j->ids[k % WINDOW] = 0;
		if (k == 0 || j->steps[k - 1].pause)
			j->key_ms = now; /* the first report of a keystroke */
		int r = post_step(d, &j->steps[k], &j->ids[k % WINDOW]);
		if (!d->jobs || d->jobs->id != job)
			return; /* the connection was lost while sending: every job has ended */
		if (r < 0) {
			if (!j->ids[k % WINDOW])
				j->sent--; /* never sent: no answer will come */
			j->error = r;
			snprintf(j->message, sizeof(j->message), "%s", d->client->last_error);
			continue;
		}
		j->progress_ms = now;
	}
}

/* ---- the blocking form ------------------------------------------------------------ */

VHID_EXPORT int
vhid_device_type(struct vhid_device *d, struct vhid_keymap *km, const char *text, size_t len)
{
	struct vhid_client *c = d->client;
	struct type_job *j = NULL;
	int result = 1, r; /* 1: running; end_head sets the end */

	if (d->jobs)
		return client_fail(c, -EBUSY, "typing jobs are still running on this keyboard");
	if ((r = prepare(d, km, text, len, &j)) < 0)
		return r;
	j->id = job_number(c);
	j->blocking = true;
	j->result = &result;
	j->progress_ms = monotonic_ms();
	d->jobs = j;
	for (;;) {
		uint64_t now = monotonic_ms();
		pump_device(d, now);
		if (result != 1)
			break; /* j is freed */
		bool waiting = job_waiting(j);
		uint64_t until = waiting ? j->progress_ms + c->timeout_ms : j->resume_ms;
		if (waiting && now >= until) {
			j->error = -ETIMEDOUT;
			snprintf(j->message, sizeof(j->message),
				 "vhidd did not answer a typed report within %u ms", c->timeout_ms);
			j->done = j->sent; /* those answers will not be waited for */
			continue;
		}
		/* answers; pushes are queued; a loss ends the job */
		struct pollfd p = {.fd = c->conn.fd, .events = POLLIN};
		if (poll(&p, 1, until > now ? (int)(until - now) : 0) > 0)
			client_read_pending(c);
	}
	return result;
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
	j->id = job_number(c);
	while (*tail)
		tail = &(*tail)->next;
	*tail = j;
	if (id)
		*id = j->id;
	client_arm_timer(c); /* a program that never dispatches gets no job done */
	typing_pump(c);
	return 0;
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

/*
 * When the next keystroke may begin, once the last answer of one that began at
 * key_ms came: the pause after its start; and where the answers took more than
 * twice the pause, at least as long again as they took. On an idle machine the
 * answers take a few milliseconds (on a one-CPU TCG guest, the compositor's and
 * its client's work included) and the pause alone sets the pace. On a loaded
 * one they take far longer, and so, likely, does every reader: a fixed pace
 * outran libinput under stress-ng (14 characters lost in the middle, bookworm,
 * 2026-12-02). Waiting as long as the round trip always halved the pace on the
 * idle guest (500 characters into wev: 3.0-3.3 s, then 3.8-6.4 s).
 */
static uint64_t
resume_at(uint64_t key_ms, unsigned int pause_ms)
{
	uint64_t now = monotonic_ms(), rtt = now - key_ms;

	/* past twice the pause, now + rtt is always the later of the two */
	return rtt > 2 * (uint64_t)pause_ms ? now + rtt : key_ms + pause_ms;
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

		/* answers come in the order sent: the job's oldest report is the one */
		if (!id || !j || !in_flight(j) || j->ids[j->done % WINDOW] != id)
			continue;
		if (status < 0 && !j->error) {
			j->error = status;
			snprintf(j->message, sizeof(j->message), "%s", message);
		} else if (status >= 0 && !j->error) {
			type_step_report(&j->steps[j->done], &d->keyboard);
			unsigned int ms = j->steps[j->done].pause ? keystroke_pause(d) : 0;
			if (ms)
				j->resume_ms = resume_at(j->key_ms, ms);
		}
		j->done++;
		j->progress_ms = monotonic_ms();
		/* read by a blocking call, not by dispatch: wake the program's loop for the next
		 * keystroke (dispatch pumps by itself; the blocking form pumps in its own loop) */
		if (!c->dispatching && !j->blocking)
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

		if (!j || j->blocking || job_waiting(j))
			continue;
		/* 1: at once (an end to report, or no pause to wait for) */
		due = j->error || j->sent == j->n || !j->resume_ms ? 1 : j->resume_ms;
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
