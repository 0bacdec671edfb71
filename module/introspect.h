/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Looking into an address space without changing what it maps: one
 * address walked through the page tables (TRANSLATE) and the state
 * /proc/PID/fdinfo shows.  The core fills kernel structs; dev.c copies
 * them to user space.
 */
#ifndef _ASPACE_INTROSPECT_H
#define _ASPACE_INTROSPECT_H

#include <linux/types.h>

#include "aspace.h"

struct seq_file;

/* What HANDSHAKE reports for the introspection part. */
#define ASP_INTROSPECT_FEATURES	(ASPACE_FEATURE_TRANSLATE | \
				 ASPACE_FEATURE_FDINFO)

void asp_fault_done(struct asp_mm *mm, unsigned long addr, u64 *ptep,
		    u64 old, unsigned int flags, int ret);
int asp_translate(struct asp_mm *mm, struct aspace_translate *t,
		  bool show_frames);
void asp_show_fdinfo(struct asp_mm *mm, struct seq_file *m);

#endif /* _ASPACE_INTROSPECT_H */
