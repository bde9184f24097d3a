/* Unit tests of the error table (common/errors.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "errors.h"
#include "vhid.h"

static void
every_vhid_code_is_documented(void **state)
{
	for (int c = VHID_EFIRST; c <= VHID_ELAST; c++) {
		const struct error_info *e = error_lookup(-c);
		assert_non_null(e);
		assert_int_equal(e->code, c);
		assert_true(strncmp(e->name, "VHID_E", 6) == 0);
		assert_true(strlen(e->meaning) > 10);
		assert_true(strlen(e->fix) > 10);
		assert_ptr_equal(error_lookup_name(e->name), e);
		assert_ptr_equal(error_lookup_name(e->name + 5), e); /* without VHID_ */
		assert_string_equal(vhid_strerror(-c), e->meaning);
		assert_string_equal(vhid_error_name(c), e->name);
	}
	assert_null(error_lookup(VHID_ELAST + 1));
}

static void
names_are_unique(void **state)
{
	const struct error_info *a, *b;

	for (unsigned int i = 0; (a = error_at(i)); i++)
		for (unsigned int j = i + 1; (b = error_at(j)); j++) {
			assert_int_not_equal(a->code, b->code);
			assert_string_not_equal(a->name, b->name);
		}
}

static void
strerror_falls_back(void **state)
{
	assert_string_equal(vhid_strerror(0), "Success");
	assert_string_equal(vhid_strerror(-EACCES), error_lookup(EACCES)->meaning);
	assert_string_equal(vhid_strerror(-ENOSPC), strerror(ENOSPC));
	assert_string_equal(vhid_strerror(-5000), "Unknown vhid error");
	assert_null(vhid_error_name(5000));
	assert_non_null(error_lookup_name("eusage"));
	assert_null(error_lookup_name("ENOPE"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_vhid_code_is_documented),
		cmocka_unit_test(names_are_unique),
		cmocka_unit_test(strerror_falls_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
