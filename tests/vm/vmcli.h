/*
 * vmcli.h - helpers for the VM tests of vhidctl: run /usr/bin/vhidctl as any
 * user, capture what it prints and its exit status; run a long-lived one
 * (`log -f`) and read its output until a line arrives; check JSON syntax.
 */
#ifndef VMCLI_H
#define VMCLI_H

#include <stdbool.h>
#include <sys/types.h>

#define VT_VHIDCTL "/usr/bin/vhidctl"

struct vt_cli {
	int status;      /* exit status, 128 + N if killed by signal N, -1 if it did not finish */
	char *out, *err; /* what it wrote to stdout and stderr; NUL-terminated, never NULL */
};

/*
 * Run vhidctl with argv (argv[0] is the subcommand, NULL-terminated) and wait
 * for it, at most vt_bound(6 s). uid 0 runs as root; any other uid runs with that gid
 * and exactly the given supplementary groups. Returns r->status.
 */
int run_vhidctl(struct vt_cli *r, unsigned int uid, unsigned int gid, const unsigned int *groups,
		int n_groups, const char *const *argv);
/* As root: vt_vhidctl(&r, "status", "--json", NULL). */
int vt_vhidctl(struct vt_cli *r, const char *arg, ...) __attribute__((sentinel));
void vt_cli_free(struct vt_cli *r);

/* A vhidctl left running (as root), its stdout and stderr in one buffer. */
struct vt_cli_proc {
	pid_t pid;
	int fd;
	char buf[256 * 1024];
	size_t len;
	size_t from; /* where vt_cli_wait_for() starts looking */
};

int vt_cli_start(struct vt_cli_proc *p, const char *const *argv);
/* Read its output until it contains needle after p->from; false after timeout_ms or at its end. */
bool vt_cli_wait_for(struct vt_cli_proc *p, const char *needle, int timeout_ms);
/* Send sig, wait (at most vt_bound(5 s)) and return the status as in struct vt_cli. */
int vt_cli_stop(struct vt_cli_proc *p, int sig);

/* Print text under a title, each line as a "# " comment, so the harness counts no PASS or FAIL in
 * it. */
void vt_print_output(const char *title, const char *text);
/* Whether s is exactly one JSON value (plus whitespace). */
bool vt_json_valid(const char *s);
/* The first line of text containing both a and b (b may be NULL), copied to line. */
bool vt_find_line(const char *text, const char *a, const char *b, char *line, size_t len);

#endif
