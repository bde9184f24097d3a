/* export.h - marks the definitions that form libvhid's ABI (see libvhid.sym). */
#ifndef VHID_EXPORT_H
#define VHID_EXPORT_H

/* The build uses -fvisibility=hidden; only these symbols leave libvhid.so. */
#define VHID_EXPORT __attribute__((visibility("default")))

#endif
