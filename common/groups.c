/* groups.c - see groups.h. Shared by libvhid (EACCES messages) and vhidctl doctor. */
#include "groups.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

bool
groups_process_has(gid_t gid)
{
	gid_t groups[256];
	int n = getgroups(256, groups);

	if (getegid() == gid)
		return true;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

bool
groups_user_member(gid_t gid)
{
	struct passwd *pw = getpwuid(getuid());
	gid_t groups[256];
	int n = 256;

	if (!pw || getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
		return false;
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}
