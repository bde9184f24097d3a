/*
 * Unit tests of the report descriptors (vhidd/descriptor.c): a small HID item
 * walker checks that they are well formed and that every report has the size
 * the API and the wire format assume. The VM tests check what Linux makes of
 * them; this catches a byte typo before a VM boots.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "descriptor.h"

enum { IN, OUT, FEAT };

struct walk {
	unsigned int bits[3][256]; /* per type and report ID */
	int applications, depth, max_depth;
	int logical_collections;
	int multipliers_in_logical; /* Resolution Multiplier features inside Logical */
	int32_t array_logical_min_mismatch;
	/* the usage list of each report's last array field: index -> usage */
	uint16_t array_usage[256][0x300];
	unsigned int array_count[256];
	unsigned int button_count[256]; /* Button-page usages per report */
};

/* Append a usage to the pending local list (dropped past the table). */
static void
add_usage(uint16_t *list, unsigned int *n, uint32_t u)
{
	if (*n < 0x300)
		list[*n] = (uint16_t)u;
	(*n)++;
}

static int32_t
item_value(const uint8_t *p, int size, int is_signed)
{
	uint32_t v = 0;

	for (int i = 0; i < size; i++)
		v |= (uint32_t)p[i] << (8 * i);
	if (is_signed && size && size < 4 && (v >> (8 * size - 1)) & 1)
		v |= ~0u << (8 * size);
	return (int32_t)v;
}

static void
walk(const uint8_t *d, size_t len, struct walk *w)
{
	unsigned int report_size = 0, report_count = 0, report_id = 0;
	int32_t logical_min = 0, usage_min = -1;
	uint32_t last_usage = 0, usage_page = 0, range_min = 0;
	static uint16_t usages[0x300];
	unsigned int n_usages = 0;
	int in_logical = 0;
	size_t i = 0;

	memset(w, 0, sizeof(*w));
	while (i < len) {
		uint8_t b = d[i];
		int size = (b & 3) == 3 ? 4 : (b & 3), type = (b >> 2) & 3, tag = b >> 4;
		int32_t v = item_value(d + i + 1, size, type == 1 && (tag == 1 || tag == 3));
		uint32_t uv = (uint32_t)item_value(d + i + 1, size, 0);

		assert_true(i + 1 + (size_t)size <= len);
		if (type == 0) { /* main */
			if (tag == 0xa) {
				w->depth++;
				if (w->depth > w->max_depth)
					w->max_depth = w->depth;
				if (uv == 1)
					w->applications++;
				if (uv == 2)
					in_logical++, w->logical_collections++;
			} else if (tag == 0xc) {
				w->depth--;
				assert_true(w->depth >= 0);
				if (in_logical && w->depth >= 0)
					in_logical = in_logical > 0 ? in_logical - 1 : 0;
			} else {
				int t = tag == 0x8 ? IN : tag == 0x9 ? OUT : FEAT;
				w->bits[t][report_id] += report_size * report_count;
				if (t == FEAT && usage_page == 1 && last_usage == 0x48 &&
				    in_logical)
					w->multipliers_in_logical++;
				/* arrays: value must equal usage, so logical min == usage min */
				if (t == IN && !(uv & 2) && usage_min >= 0 &&
				    logical_min != usage_min)
					w->array_logical_min_mismatch++;
				if (t == IN && !(uv & 2)) {
					memcpy(w->array_usage[report_id], usages, sizeof(usages));
					w->array_count[report_id] = n_usages;
				}
				if (t == IN && usage_page == 9)
					w->button_count[report_id] += n_usages;
			}
			usage_min = -1;
			n_usages = 0;
		} else if (type == 1) { /* global */
			if (tag == 0)
				usage_page = uv;
			else if (tag == 1)
				logical_min = v;
			else if (tag == 7)
				report_size = uv;
			else if (tag == 8)
				report_id = uv;
			else if (tag == 9)
				report_count = uv;
		} else if (type == 2) { /* local */
			if (tag == 0) {
				last_usage = uv;
				add_usage(usages, &n_usages, uv);
			} else if (tag == 1) {
				range_min = uv;
				if (usage_min < 0) /* the list's first */
					usage_min = (int32_t)uv;
			} else if (tag == 2) {
				for (uint32_t u = range_min; u <= uv; u++)
					add_usage(usages, &n_usages, u);
			}
		}
		i += 1 + (size_t)size;
	}
	assert_int_equal(i, len);
}

/* index i of the array is usage i, except the placeholders (usage 0) */
static void
check_array(const struct walk *w, uint8_t id, unsigned int n, const uint16_t *holes, size_t nh)
{
	assert_int_equal(w->array_count[id], n);
	for (unsigned int i = 0; i < n; i++) {
		int hole = 0;
		for (size_t h = 0; h < nh; h++)
			hole |= holes[h] == i;
		assert_int_equal(w->array_usage[id][i], hole ? 0 : i);
	}
}

static void
keyboard(void **state)
{
	static const uint16_t kbd_holes[] = {0x66, 0xf8};
	static const uint16_t consumer_holes[] = {0x030, 0x031, 0x032, 0x034, 0x0e0, 0x238};
	size_t len;
	const uint8_t *d = descriptor_get(VHID_DEVICE_KEYBOARD, &len);
	static struct walk w;

	walk(d, len, &w);
	assert_int_equal(w.depth, 0);
	/* main + System Control: the power keys on their own node (descriptor.c) */
	assert_int_equal(w.applications, 2);
	check_array(&w, VHID_REPORT_KEYBOARD, 0x100, kbd_holes, 2);
	check_array(&w, VHID_REPORT_CONSUMER, 0x300, consumer_holes, 6);
	assert_int_equal(w.bits[IN][VHID_REPORT_KEYBOARD] / 8 + 1, VHID_KEYBOARD_REPORT_SIZE);
	assert_int_equal(w.bits[IN][VHID_REPORT_CONSUMER] / 8 + 1, VHID_KEYS_REPORT_SIZE);
	assert_int_equal(w.bits[IN][VHID_REPORT_SYSTEM] / 8 + 1, VHID_KEYS_REPORT_SIZE);
	assert_int_equal(w.bits[OUT][VHID_REPORT_LED] / 8 + 1, LED_REPORT_SIZE);
	/* Apple reports are translated, never declared to the kernel */
	assert_int_equal(w.bits[IN][VHID_REPORT_APPLE_TOP_CASE], 0);
	assert_int_equal(w.bits[IN][VHID_REPORT_APPLE_KEYBOARD], 0);
	assert_int_equal(w.array_logical_min_mismatch, 0);
	for (int id = 0; id < 256; id++)
		assert_int_equal(w.bits[IN][id] % 8, 0);
}

static void
pointers(void **state)
{
	enum vhid_device_kind kinds[] = {VHID_DEVICE_POINTER, VHID_DEVICE_ABSOLUTE};

	for (size_t k = 0; k < 2; k++) {
		size_t len;
		const uint8_t *d = descriptor_get(kinds[k], &len);
		static struct walk w;

		walk(d, len, &w);
		assert_int_equal(w.depth, 0);
		assert_int_equal(w.applications, 1);
		assert_int_equal(w.bits[IN][VHID_REPORT_POINTER] / 8 + 1, VHID_POINTER_REPORT_SIZE);
		assert_int_equal(w.bits[FEAT][VHID_REPORT_MULTIPLIER] / 8 + 1,
				 MULTIPLIER_REPORT_SIZE);
		assert_int_equal(w.logical_collections, 2);
		/* no joystick node: 16 buttons, or the absolute mouse's 3 */
		assert_int_equal(w.button_count[VHID_REPORT_POINTER], k == 0 ? 16 : 3);
		assert_int_equal(w.multipliers_in_logical, 2);
	}
	assert_null(descriptor_get(42, &(size_t){0}));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keyboard),
		cmocka_unit_test(pointers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
