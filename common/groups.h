/* groups.h - group membership as this process has it, and as the user database says. */
#ifndef VHID_GROUPS_H
#define VHID_GROUPS_H

#include <stdbool.h>
#include <sys/types.h>

/* The process holds gid (effective or supplementary): what the kernel checks. */
bool groups_process_has(gid_t gid);
/* The user database lists this user in gid. True while groups_process_has() is
 * false means the membership is newer than the login session. */
bool groups_user_member(gid_t gid);

#endif
