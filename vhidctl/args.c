/* args.c - parsing helpers for command-line values (pure; unit-tested). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vhidctl.h"

int
parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int
parse_duration_ms(const char *s, long long *out)
{
	static const struct {
		const char *suffix;
		double ms;
	} units[] = {{"ms", 1},      {"s", 1000},    {"m", 60000},
		     {"min", 60000}, {"h", 3600000}, {"d", 86400000}};
	char *end;
	double v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0 || !isfinite(v))
		return -EINVAL;
	if (*end == '\0') {
		*out = (long long)v; /* a bare number is milliseconds */
		return 0;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix) == 0) {
			*out = (long long)(v * units[i].ms);
			return 0;
		}
	}
	return -EINVAL;
}

int
parse_fraction(const char *s, int *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || end == s || !(v >= 0.0 && v <= 1.0))
		return -EINVAL;
	*out = (int)lround(v * 32767.0);
	return 0;
}
