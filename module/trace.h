/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of aspace (events/aspace/ in tracefs): one per operation,
 * as it returns to user space (mmap, munmap, mprotect, brk, madvise,
 * clone, access, pread/pwrite), one per fault that changed an entry, and
 * one per copy-on-write copy.  "mm" is the address space, printed as a
 * hashed pointer: the same value as the "mm" line of the descriptor's
 * /proc/PID/fdinfo.
 *
 * An out-of-tree module's trace header is not under include/trace/events:
 * TRACE_INCLUDE_PATH is "." and Kbuild adds this directory to the include
 * path of trace.o, the one file that defines the events.
 *
 * checkpatch: the TRACE_EVENT() layout (lines ending in '(', arguments
 * aligned by the macros' structure) is exempt from OPEN_ENDED_LINE and
 * PARENTHESIS_ALIGNMENT in scripts/checkpatch.sh, for this file only.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM aspace

#if !defined(_ASPACE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _ASPACE_TRACE_H

#include <linux/tracepoint.h>
#include <linux/types.h>

/* What a fault did, for aspace_fault. */
#ifndef _ASPACE_TRACE_ENUMS
#define _ASPACE_TRACE_ENUMS
enum asp_fault_kind {
	ASP_FK_ERROR,		/* it failed */
	ASP_FK_ZERO,		/* mapped the zero page */
	ASP_FK_NEW,		/* mapped a new page or a shared object's */
	ASP_FK_ZERO_COPY,	/* replaced the zero page by a page of its own */
	ASP_FK_COPY,		/* copied a page shared copy-on-write */
	ASP_FK_REUSE,		/* made a page writable in place */
};
#endif

/* For user-space tools that read the format files. */
TRACE_DEFINE_ENUM(ASP_FK_ERROR);
TRACE_DEFINE_ENUM(ASP_FK_ZERO);
TRACE_DEFINE_ENUM(ASP_FK_NEW);
TRACE_DEFINE_ENUM(ASP_FK_ZERO_COPY);
TRACE_DEFINE_ENUM(ASP_FK_COPY);
TRACE_DEFINE_ENUM(ASP_FK_REUSE);

TRACE_EVENT(aspace_mmap,
	TP_PROTO(const void *mm, unsigned long hint, unsigned long len,
		 u32 prot, u32 flags, unsigned long addr, int ret),
	TP_ARGS(mm, hint, len, prot, flags, addr, ret),
	TP_STRUCT__entry(
		__field(const void *, mm)
		__field(unsigned long, hint)
		__field(unsigned long, len)
		__field(u32, prot)
		__field(u32, flags)
		__field(unsigned long, addr)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->mm = mm;
		__entry->hint = hint;
		__entry->len = len;
		__entry->prot = prot;
		__entry->flags = flags;
		__entry->addr = addr;
		__entry->ret = ret;
	),
	TP_printk("mm=%p hint=%#lx len=%#lx prot=%#x flags=%#x addr=%#lx ret=%d",
		  __entry->mm, __entry->hint, __entry->len, __entry->prot,
		  __entry->flags, __entry->addr, __entry->ret)
);

/* An operation on [addr, addr + len) with one argument: munmap, ... */
DECLARE_EVENT_CLASS(aspace_range_op,
	TP_PROTO(const void *mm, unsigned long addr, unsigned long len,
		 u32 arg, int ret),
	TP_ARGS(mm, addr, len, arg, ret),
	TP_STRUCT__entry(
		__field(const void *, mm)
		__field(unsigned long, addr)
		__field(unsigned long, len)
		__field(u32, arg)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->mm = mm;
		__entry->addr = addr;
		__entry->len = len;
		__entry->arg = arg;
		__entry->ret = ret;
	),
	TP_printk("mm=%p addr=%#lx len=%#lx arg=%#x ret=%d", __entry->mm,
		  __entry->addr, __entry->len, __entry->arg, __entry->ret)
);

DEFINE_EVENT(aspace_range_op, aspace_munmap,
	TP_PROTO(const void *mm, unsigned long addr, unsigned long len,
		 u32 arg, int ret),
	TP_ARGS(mm, addr, len, arg, ret)
);

/* arg: the new PROT_* bits */
DEFINE_EVENT(aspace_range_op, aspace_mprotect,
	TP_PROTO(const void *mm, unsigned long addr, unsigned long len,
		 u32 arg, int ret),
	TP_ARGS(mm, addr, len, arg, ret)
);

/* arg: the MADV_* advice */
DEFINE_EVENT(aspace_range_op, aspace_madvise,
	TP_PROTO(const void *mm, unsigned long addr, unsigned long len,
		 u32 arg, int ret),
	TP_ARGS(mm, addr, len, arg, ret)
);

TRACE_EVENT(aspace_brk,
	TP_PROTO(const void *mm, unsigned long want, unsigned long brk),
	TP_ARGS(mm, want, brk),
	TP_STRUCT__entry(
		__field(const void *, mm)
		__field(unsigned long, want)
		__field(unsigned long, brk)
	),
	TP_fast_assign(
		__entry->mm = mm;
		__entry->want = want;
		__entry->brk = brk;
	),
	TP_printk("mm=%p want=%#lx brk=%#lx", __entry->mm, __entry->want,
		  __entry->brk)
);

TRACE_EVENT(aspace_clone,
	TP_PROTO(const void *mm, const void *new, u32 flags, int ret),
	TP_ARGS(mm, new, flags, ret),
	TP_STRUCT__entry(
		__field(const void *, mm)
		__field(const void *, new)
		__field(u32, flags)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->mm = mm;
		__entry->new = new;
		__entry->flags = flags;
		__entry->ret = ret;
	),
	TP_printk("mm=%p new=%p flags=%#x ret=%d", __entry->mm,
		  __entry->new, __entry->flags, __entry->ret)
);

TRACE_EVENT(aspace_access,
	TP_PROTO(const void *mm, u32 kind, unsigned long addr,
		 unsigned long len, unsigned long done, int si_code, int ret),
	TP_ARGS(mm, kind, addr, len, done, si_code, ret),
	TP_STRUCT__entry(
		__field(const void *, mm)
		__field(u32, kind)
		__field(unsigned long, addr)
		__field(unsigned long, len)
		__field(unsigned long, done)
		__field(int, si_code)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->mm = mm;
		__entry->kind = kind;
		__entry->addr = addr;
		__entry->len = len;
		__entry->done = done;
		__entry->si_code = si_code;
		__entry->ret = ret;
	),
	TP_printk("mm=%p %s addr=%#lx len=%#lx done=%#lx si_code=%d ret=%d",
		  __entry->mm,
		  __print_symbolic(__entry->kind, { 0, "read" },
				   { 1, "write" }, { 2, "exec" }),
		  __entry->addr, __entry->len, __entry->done,
		  __entry->si_code, __entry->ret)
);

TRACE_EVENT(aspace_rw,
	TP_PROTO(const void *mm, bool write, unsigned long addr,
		 unsigned long len, long ret),
	TP_ARGS(mm, write, addr, len, ret),
	TP_STRUCT__entry(
		__field(const void *, mm)
		__field(bool, write)
		__field(unsigned long, addr)
		__field(unsigned long, len)
		__field(long, ret)
	),
	TP_fast_assign(
		__entry->mm = mm;
		__entry->write = write;
		__entry->addr = addr;
		__entry->len = len;
		__entry->ret = ret;
	),
	TP_printk("mm=%p %s addr=%#lx len=%#lx ret=%ld", __entry->mm,
		  __entry->write ? "pwrite" : "pread", __entry->addr,
		  __entry->len, __entry->ret)
);

TRACE_EVENT(aspace_fault,
	TP_PROTO(const void *mm, unsigned long addr, bool write, u64 old,
		 u64 new, enum asp_fault_kind kind, int ret),
	TP_ARGS(mm, addr, write, old, new, kind, ret),
	TP_STRUCT__entry(
		__field(const void *, mm)
		__field(unsigned long, addr)
		__field(bool, write)
		__field(u64, old)
		__field(u64, new)
		__field(enum asp_fault_kind, kind)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->mm = mm;
		__entry->addr = addr;
		__entry->write = write;
		__entry->old = old;
		__entry->new = new;
		__entry->kind = kind;
		__entry->ret = ret;
	),
	TP_printk("mm=%p addr=%#lx %s %s old=%#llx new=%#llx ret=%d",
		  __entry->mm, __entry->addr,
		  __entry->write ? "write" : "read",
		  __print_symbolic(__entry->kind, { ASP_FK_ERROR, "error" },
				   { ASP_FK_ZERO, "zero" }, { ASP_FK_NEW, "new" },
				   { ASP_FK_ZERO_COPY, "zero-copy" },
				   { ASP_FK_COPY, "copy" },
				   { ASP_FK_REUSE, "reuse" }),
		  __entry->old, __entry->new, __entry->ret)
);

TRACE_EVENT(aspace_cow_break,
	TP_PROTO(const void *mm, unsigned long addr, unsigned long old_pfn,
		 unsigned long new_pfn),
	TP_ARGS(mm, addr, old_pfn, new_pfn),
	TP_STRUCT__entry(
		__field(const void *, mm)
		__field(unsigned long, addr)
		__field(unsigned long, old_pfn)
		__field(unsigned long, new_pfn)
	),
	TP_fast_assign(
		__entry->mm = mm;
		__entry->addr = addr;
		__entry->old_pfn = old_pfn;
		__entry->new_pfn = new_pfn;
	),
	TP_printk("mm=%p addr=%#lx old_pfn=%#lx new_pfn=%#lx", __entry->mm,
		  __entry->addr, __entry->old_pfn, __entry->new_pfn)
);

#endif /* _ASPACE_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
