/* planner.c - placeholder until the xkbcommon planner lands. */
#include <errno.h>
#include <stdlib.h>

#include "planner.h"

int
planner_new(const struct planner_layout *layout, struct planner **out, char *err, size_t errlen)
{
	return -ENOSYS;
}

void
planner_free(struct planner *p)
{
}

void
planner_set_locks(struct planner *p, bool caps_lock, bool num_lock)
{
}

int
planner_plan(struct planner *p, const char *utf8, size_t len, struct keystroke **strokes,
	     size_t *n_strokes, uint32_t **missing, size_t *n_missing)
{
	return -ENOSYS;
}

int
planner_keysym(struct planner *p, const char *name, struct keystroke *out)
{
	return -ENOSYS;
}

const char *
planner_describe(const struct planner *p)
{
	return "";
}
