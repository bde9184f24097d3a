/* Unit tests of the kernel uevent parser (vhidd/uevent.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "uevent.h"

/* build "a\0b\0c\0" datagrams from a string with '|' separators */
static size_t
make(char *buf, const char *spec)
{
	size_t n = strlen(spec);

	memcpy(buf, spec, n + 1);
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '|')
			buf[i] = '\0';
	return n;
}

static void
parses_hid_add(void **state)
{
	char buf[512];
	struct uevent ev;
	size_t n = make(
		buf,
		"add@/devices/virtual/misc/uhid/0003:16C0:27DB.0001|ACTION=add|"
		"DEVPATH=/devices/virtual/misc/uhid/0003:16C0:27DB.0001|SUBSYSTEM=hid|"
		"HID_ID=0003:000016C0:000027DB|HID_NAME=vhid keyboard|HID_UNIQ=vhid-7|SEQNUM=9");

	assert_int_equal(uevent_parse(buf, n, &ev), 0);
	assert_string_equal(ev.action, "add");
	assert_string_equal(ev.subsystem, "hid");
	assert_string_equal(ev.devpath, "/devices/virtual/misc/uhid/0003:16C0:27DB.0001");
	assert_string_equal(ev.hid_uniq, "vhid-7");
	assert_null(ev.devname);
}

static void
parses_input_node(void **state)
{
	char buf[512];
	struct uevent ev;
	size_t n = make(
		buf,
		"add@/devices/virtual/misc/uhid/0003:16C0:27DB.0001/input/input5/event3|"
		"ACTION=add|DEVPATH=/devices/virtual/misc/uhid/0003:16C0:27DB.0001/input/input5/event3|"
		"SUBSYSTEM=input|MAJOR=13|MINOR=67|DEVNAME=input/event3|SEQNUM=12");

	assert_int_equal(uevent_parse(buf, n, &ev), 0);
	assert_string_equal(ev.devname, "input/event3");
	assert_null(ev.hid_uniq);
}

static void
rejects_udev_and_garbage(void **state)
{
	char buf[512];
	struct uevent ev;
	size_t n = make(buf, "libudev|xxxxx");

	assert_int_not_equal(uevent_parse(buf, n, &ev), 0);
	n = make(buf, "add@/x|ACTION=add");
	assert_int_not_equal(uevent_parse(buf, n, &ev), 0); /* no SUBSYSTEM */
	assert_int_not_equal(uevent_parse(buf, 0, &ev), 0);
	/* a value cut off at the end of the datagram stays inside the buffer */
	n = make(buf, "add@/x|ACTION=add|DEVPATH=/x|SUBSYSTEM=hid|HID_UNIQ=abc");
	assert_int_equal(uevent_parse(buf, n, &ev), 0);
	assert_string_equal(ev.hid_uniq, "abc");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_hid_add),
		cmocka_unit_test(parses_input_node),
		cmocka_unit_test(rejects_udev_and_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
