/* errors.h - the one error table behind vhid_strerror() and `vhidctl explain`. */
#ifndef VHID_ERRORS_H
#define VHID_ERRORS_H

struct error_info {
	int code;            /* positive: errno value or enum vhid_error */
	const char *name;    /* "EACCES", "VHID_EUSAGE" */
	const char *meaning; /* one sentence */
	const char *fix;     /* what the user should do */
};

/* NULL if the code is not in the table. Accepts negative codes. */
const struct error_info *error_lookup(int code);
/* By name, case-insensitive, with or without the "VHID_" prefix. */
const struct error_info *error_lookup_name(const char *name);
/* Iterate: returns the i-th entry or NULL past the end. */
const struct error_info *error_at(unsigned int i);

#endif
