// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/aspace: the misc device, its file operations and the ioctl table.
 *
 * This is the only file that knows about user memory: every ioctl copies
 * its struct in once (copy_struct_from_user(), so older and newer user
 * space both work), calls one core function with kernel values, and
 * copies the result out.  pread/pwrite and ASPACE_IOC_ACCESS move data a
 * page at a time: a read copies from a page the core returns with a
 * reference, with no lock held; a write copies into a bounce page first,
 * which the core then writes into the address space under its lock.  The
 * address-space lock is never held across a user copy.
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/miscdevice.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../uapi/linux/aspace.h"
#include "aspace.h"
#include "introspect.h"
#include "mem.h"
#include "trace.h"

/*
 * dev_mode is a file mode, written as chmod's numeric modes are in C: in
 * octal with a leading 0, and only the permission bits (not none: the misc
 * core takes mode 0 for its default, 0600).  The plain ushort parser would
 * read "600" as decimal and make it mode 01130 without a word.
 */
static unsigned short dev_mode = 0660;

static int asp_dev_mode_set(const char *val, const struct kernel_param *kp)
{
	unsigned int mode;

	if (val[0] != '0' || kstrtouint(val, 8, &mode) || !mode ||
	    mode > 0777) {
		pr_err("aspace: dev_mode=%s is not a mode: give the permission bits, 01 to 0777, in octal with a leading 0, such as 0660\n",
		       val);
		return -EINVAL;
	}
	*(unsigned short *)kp->arg = mode;
	return 0;
}

static int asp_dev_mode_get(char *buffer, const struct kernel_param *kp)
{
	return scnprintf(buffer, PAGE_SIZE, "0%03o\n",
			 *(unsigned short *)kp->arg);
}

static const struct kernel_param_ops asp_dev_mode_ops = {
	.set = asp_dev_mode_set,
	.get = asp_dev_mode_get,
};
module_param_cb(dev_mode, &asp_dev_mode_ops, &dev_mode, 0444);
MODULE_PARM_DESC(dev_mode,
		 "mode of /dev/aspace: permission bits in octal with a leading 0 (default 0660)");

/* Room for any ioctl struct, for the dispatcher. */
union asp_ioctl_buf {
	struct aspace_handshake handshake;
	struct aspace_mmap mmap;
	struct aspace_range range;
	struct aspace_brk brk;
	struct aspace_clone clone;
	struct aspace_query query;
	struct aspace_layout layout;
	struct aspace_limits limits;
	struct aspace_stats stats;
	struct aspace_access access;
	struct aspace_madvise madvise;
	struct aspace_translate translate;
	struct aspace_ptdump ptdump;
	struct aspace_pagescan pagescan;
	struct aspace_clear_refs clear_refs;
};

/*
 * The uapi is a contract: these sizes are part of the ioctl numbers, and
 * userspace/tests/uapi_layout.c pins the same values on the user side.
 */
static_assert(sizeof(struct aspace_handshake) == 24);
static_assert(sizeof(struct aspace_mmap) == 32);
static_assert(sizeof(struct aspace_range) == 24);
static_assert(sizeof(struct aspace_brk) == 16);
static_assert(sizeof(struct aspace_clone) == 16);
static_assert(sizeof(struct aspace_query) == 56);
static_assert(sizeof(struct aspace_layout) == 56);
static_assert(sizeof(struct aspace_limits) == 48);
static_assert(sizeof(struct aspace_stats) == 112);
static_assert(sizeof(struct aspace_access) == 56);
static_assert(sizeof(struct aspace_madvise) == 24);
static_assert(sizeof(struct aspace_translate) == 120);
static_assert(sizeof(struct aspace_ptdump) == 104);
static_assert(sizeof(struct aspace_ptdump_entry) == 32);
static_assert(sizeof(struct aspace_pagescan) == 96);
static_assert(sizeof(struct aspace_page_region) == 24);
static_assert(sizeof(struct aspace_clear_refs) == 24);
/* The core uses the kernel's own PROT_* and MAP_* values. */
#define ASP_UAPI_SAME(uapi, kernel)	static_assert((uapi) == (kernel))
ASP_UAPI_SAME(ASPACE_PROT_READ, PROT_READ);
ASP_UAPI_SAME(ASPACE_PROT_WRITE, PROT_WRITE);
ASP_UAPI_SAME(ASPACE_PROT_EXEC, PROT_EXEC);
ASP_UAPI_SAME(ASPACE_MAP_SHARED, MAP_SHARED);
ASP_UAPI_SAME(ASPACE_MAP_PRIVATE, MAP_PRIVATE);
ASP_UAPI_SAME(ASPACE_MAP_FIXED, MAP_FIXED);
ASP_UAPI_SAME(ASPACE_MAP_ANONYMOUS, MAP_ANONYMOUS);
ASP_UAPI_SAME(ASPACE_MAP_POPULATE, MAP_POPULATE);
ASP_UAPI_SAME(ASPACE_MAP_FIXED_NOREPLACE, MAP_FIXED_NOREPLACE);
/* TRANSLATE and PTDUMP report the entries' own bits. */
ASP_UAPI_SAME(ASPACE_PTE_PRESENT, ASP_PTE_P);
ASP_UAPI_SAME(ASPACE_PTE_RW, ASP_PTE_RW);
ASP_UAPI_SAME(ASPACE_PTE_USER, ASP_PTE_US);
ASP_UAPI_SAME(ASPACE_PTE_PWT, ASP_PTE_PWT);
ASP_UAPI_SAME(ASPACE_PTE_PCD, ASP_PTE_PCD);
ASP_UAPI_SAME(ASPACE_PTE_ACCESSED, ASP_PTE_A);
ASP_UAPI_SAME(ASPACE_PTE_DIRTY, ASP_PTE_D);
ASP_UAPI_SAME(ASPACE_PTE_PSE, ASP_PTE_PS);
ASP_UAPI_SAME(ASPACE_PTE_GLOBAL, ASP_PTE_G);
ASP_UAPI_SAME(ASPACE_PTE_COW, ASP_PTE_COW);
ASP_UAPI_SAME(ASPACE_PTE_PROTNONE, ASP_PTE_PROTNONE);
ASP_UAPI_SAME(ASPACE_PTE_NX, ASP_PTE_NX);
ASP_UAPI_SAME(ASPACE_PTE_FRAME_MASK, ASP_PTE_PFN_MASK);

static const struct file_operations asp_fops;

/**
 * struct asp_ucmd - one ioctl call on its way through the dispatcher
 * @file: the descriptor's file
 * @mm: the address space of the descriptor
 * @arg: the struct, copied in; the handler may change it for copying out
 * @new_file: a file the call made, installed as @new_fd once the struct
 *	is copied out (or released if that fails)
 * @new_fd: the descriptor reserved for @new_file
 */
struct asp_ucmd {
	struct file *file;
	struct asp_mm *mm;
	void *arg;
	struct file *new_file;
	int new_fd;
};

/**
 * struct asp_ioctl_op - one ioctl of the table
 * @cmd: the ioctl number (its _IOC_SIZE is the current struct size)
 * @min_size: size of the first version of the struct
 * @needs_write: changes the address space, so the descriptor must be open
 *	for writing (-EBADF otherwise, as write(2) on a read-only file)
 * @execute: the handler; returns 0 or a negative errno
 */
struct asp_ioctl_op {
	unsigned int cmd;
	unsigned int min_size;
	bool needs_write;
	int (*execute)(struct asp_ucmd *ucmd);
};

static int asp_ioctl_handshake(struct asp_ucmd *ucmd)
{
	struct aspace_handshake *hs = ucmd->arg;

	if (hs->reserved)
		return -EINVAL;
	if (hs->api_version < 1 || hs->api_version > ASPACE_API_VERSION)
		return -EINVAL;
	hs->api_version = ASPACE_API_VERSION;
	hs->features = ASPACE_FEATURES | ASP_INTROSPECT_FEATURES;
	return 0;
}

static int asp_ioctl_mmap(struct asp_ucmd *ucmd)
{
	struct aspace_mmap *m = ucmd->arg;
	unsigned long addr = 0;
	int ret;

	if (m->reserved)
		return -EINVAL;
	ret = asp_mmap(ucmd->mm, m->addr, m->length, m->prot, m->flags, &addr);
	trace_aspace_mmap(ucmd->mm, m->addr, m->length, m->prot, m->flags,
			  addr, ret);
	if (ret)
		return ret;
	m->addr = addr;
	return 0;
}

static int asp_ioctl_munmap(struct asp_ucmd *ucmd)
{
	struct aspace_range *r = ucmd->arg;
	int ret;

	if (r->prot)
		return -EINVAL;
	ret = asp_munmap(ucmd->mm, r->addr, r->length);
	trace_aspace_munmap(ucmd->mm, r->addr, r->length, 0, ret);
	return ret;
}

static int asp_ioctl_mprotect(struct asp_ucmd *ucmd)
{
	struct aspace_range *r = ucmd->arg;
	int ret;

	ret = asp_mprotect(ucmd->mm, r->addr, r->length, r->prot);
	trace_aspace_mprotect(ucmd->mm, r->addr, r->length, r->prot, ret);
	return ret;
}

static int asp_ioctl_brk(struct asp_ucmd *ucmd)
{
	struct aspace_brk *b = ucmd->arg;
	unsigned long want = b->brk;

	if (b->reserved)
		return -EINVAL;
	b->brk = asp_brk(ucmd->mm, want);
	trace_aspace_brk(ucmd->mm, want, b->brk);
	return 0;
}

/*
 * The new descriptor is reserved first and installed last, after the
 * struct naming it has been copied out (see asp_fops_ioctl()): a failure
 * anywhere leaves no descriptor behind.
 *
 * A clone needs a descriptor open for writing although it only reads
 * the source: the clone shares the source's MAP_SHARED objects and comes
 * back open for reading and writing, so a clone of a read-only
 * descriptor could write the source's shared memory.
 */
static int asp_ioctl_clone(struct asp_ucmd *ucmd)
{
	struct aspace_clone *cl = ucmd->arg;
	struct asp_mm *new;
	struct file *nfile;
	int fd;

	if (cl->reserved ||
	    cl->flags & ~(ASPACE_CLONE_NOCLOEXEC | ASPACE_CLONE_EAGER))
		return -EINVAL;
	new = asp_clone(ucmd->mm, cl->flags & ASPACE_CLONE_EAGER);
	trace_aspace_clone(ucmd->mm, IS_ERR(new) ? NULL : new, cl->flags,
			   PTR_ERR_OR_ZERO(new));
	if (IS_ERR(new))
		return PTR_ERR(new);
	fd = get_unused_fd_flags(O_RDWR |
		(cl->flags & ASPACE_CLONE_NOCLOEXEC ? 0 : O_CLOEXEC));
	if (fd < 0) {
		asp_mm_destroy(new);
		return fd;
	}
	nfile = anon_inode_getfile("[aspace]", &asp_fops, new, O_RDWR);
	if (IS_ERR(nfile)) {
		put_unused_fd(fd);
		asp_mm_destroy(new);
		return PTR_ERR(nfile);
	}
	/* pread/pwrite at the address, as on the device's own files. */
	nfile->f_mode |= FMODE_LSEEK | FMODE_PREAD | FMODE_PWRITE;
	cl->fd = fd;
	ucmd->new_file = nfile;
	ucmd->new_fd = fd;
	return 0;
}

static int asp_ioctl_query(struct asp_ucmd *ucmd)
{
	return asp_query(ucmd->mm, ucmd->arg);
}

static int asp_ioctl_get_layout(struct asp_ucmd *ucmd)
{
	return asp_get_layout(ucmd->mm, ucmd->arg);
}

static int asp_ioctl_set_layout(struct asp_ucmd *ucmd)
{
	return asp_set_layout(ucmd->mm, ucmd->arg);
}

static int asp_ioctl_get_limits(struct asp_ucmd *ucmd)
{
	struct aspace_limits *lim = ucmd->arg;

	if (lim->reserved)
		return -EINVAL;
	return asp_get_limits(ucmd->mm, lim);
}

/*
 * Raising the VMA or resident limit above the module's default is
 * root's, as raising a hard rlimit or vm.max_map_count is: the
 * capability is asked for only when the change needs it.
 */
static int asp_ioctl_set_limits(struct asp_ucmd *ucmd)
{
	struct aspace_limits *lim = ucmd->arg;
	int ret;

	if (lim->reserved)
		return -EINVAL;
	ret = asp_set_limits(ucmd->mm, lim, false);
	if (ret == -EPERM && capable(CAP_SYS_RESOURCE))
		ret = asp_set_limits(ucmd->mm, lim, true);
	return ret;
}

static int asp_ioctl_stats(struct asp_ucmd *ucmd)
{
	struct aspace_stats *st = ucmd->arg;

	if (st->reserved)
		return -EINVAL;
	return asp_stats(ucmd->mm, st);
}

/* A bounce buffer's worth of a data access, up to the end of a page. */
static unsigned long asp_chunk(unsigned long addr, unsigned long left)
{
	return min(left, PAGE_SIZE - offset_in_page(addr));
}

static int asp_access_chunk(struct asp_ucmd *ucmd, struct aspace_access *a,
			    void *bounce, struct asp_access_res *res)
{
	void __user *ubuf = u64_to_user_ptr(a->buf + a->done);
	unsigned long addr = a->addr + a->done;
	unsigned long n = asp_chunk(addr, a->length - a->done);
	bool write = a->kind == ASPACE_ACCESS_WRITE;
	int ret;

	if (write && copy_from_user(bounce, ubuf, n))
		return -EFAULT;
	ret = asp_access(ucmd->mm, a->kind, addr, n, bounce, res);
	if (!write && res->done && copy_to_user(ubuf, bounce, res->done))
		return -EFAULT;
	return ret;
}

/* With a buffer: a bounce page at a time; without: the whole range. */
static int asp_access_loop(struct asp_ucmd *ucmd, struct aspace_access *a,
			   struct asp_access_res *res)
{
	void *bounce;
	int ret = 0;

	if (!a->buf)
		return asp_access(ucmd->mm, a->kind, a->addr, a->length, NULL,
				  res);
	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (a->done < a->length) {
		ret = asp_access_chunk(ucmd, a, bounce, res);
		a->done += res->done;
		if (ret || res->si_code)
			break;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
	}
	kfree(bounce);
	res->done = a->done;
	return ret;
}

static int asp_ioctl_access(struct asp_ucmd *ucmd)
{
	struct aspace_access *a = ucmd->arg;
	struct asp_access_res res = {};
	u64 end;
	int ret;

	if (a->done || a->fault_addr || a->signo || a->si_code)
		return -EINVAL;
	if (a->kind > ASPACE_ACCESS_EXEC)
		return -EINVAL;
	if (check_add_overflow(a->addr, a->length, &end))
		return -EINVAL;
	if (a->buf && check_add_overflow(a->buf, a->length, &end))
		return -EFAULT;
	/*
	 * A write changes the contents: the descriptor must be open for
	 * writing.  A read or fetch returns them: open for reading, as
	 * pread(2).  It may map the zero page, add page tables and set
	 * Accessed bits, as a read through /proc/PID/mem may fault pages
	 * in, but it changes no mapping and no byte.
	 */
	if (!(ucmd->file->f_mode & (a->kind == ASPACE_ACCESS_WRITE ?
				    FMODE_WRITE : FMODE_READ)))
		return -EBADF;
	ret = asp_access_loop(ucmd, a, &res);
	trace_aspace_access(ucmd->mm, a->kind, a->addr, a->length, res.done,
			    res.si_code, ret);
	if (ret)
		return ret;
	a->done = res.done;
	a->fault_addr = res.fault_addr;
	a->si_code = res.si_code;
	a->signo = res.si_code ? SIGSEGV : 0;
	return 0;
}

static int asp_ioctl_madvise(struct asp_ucmd *ucmd)
{
	struct aspace_madvise *m = ucmd->arg;
	int ret;

	ret = asp_madvise(ucmd->mm, m->addr, m->length, m->advice);
	trace_aspace_madvise(ucmd->mm, m->addr, m->length, m->advice, ret);
	return ret;
}

/*
 * Frames are physical addresses: shown, as /proc/PID/pagemap shows them,
 * only with CAP_SYS_ADMIN; here both the caller and the opener of the
 * descriptor (pagemap checks the opener) must have it.
 */
static bool asp_may_see_frames(struct file *file)
{
	return file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN) &&
	       ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
}

static int asp_ioctl_translate(struct asp_ucmd *ucmd)
{
	struct aspace_translate *t = ucmd->arg;

	if (t->flags || t->reserved)
		return -EINVAL;
	return asp_translate(ucmd->mm, t, asp_may_see_frames(ucmd->file));
}

/* A chunk of an array a dump or scan fills in kernel memory at a time. */
#define ASP_CHUNK_BYTES		PAGE_SIZE

/*
 * Copy @nr elements of @size bytes from @chunk to the user array at @vec,
 * after the @done already there.
 */
static int asp_copy_chunk(u64 vec, u64 done, const void *chunk,
			  unsigned long nr, size_t size)
{
	if (!nr)
		return 0;
	if (copy_to_user(u64_to_user_ptr(vec + done * size), chunk, nr * size))
		return -EFAULT;
	return 0;
}

/* vec, vec_len of a dump or scan: a pointer and room for @size each. */
static int asp_check_vec(u64 vec, u64 vec_len, size_t size)
{
	u64 bytes;

	if (!vec && vec_len)
		return -EINVAL;
	if (check_mul_overflow(vec_len, (u64)size, &bytes) ||
	    !access_ok(u64_to_user_ptr(vec), bytes))
		return -EFAULT;
	return 0;
}

/*
 * A dump fills the user's array a chunk at a time, each chunk a call of
 * the core from where the last one stopped, with no lock held while it
 * is copied out; it ends when the array is full or the range is done.
 */
static int asp_ioctl_ptdump(struct asp_ucmd *ucmd)
{
	struct aspace_ptdump *d = ucmd->arg;
	const size_t esize = sizeof(struct aspace_ptdump_entry);
	struct asp_ptdump_args a = {
		.start = d->start, .end = d->end, .flags = d->flags,
		.mask = d->mask,
	};
	u64 done = 0;
	int ret;

	if (d->flags & ~ASPACE_PTDUMP_HOLES)
		return -EINVAL;
	ret = asp_check_vec(d->vec, d->vec_len, esize);
	if (ret)
		return ret;
	a.vec = kmalloc(ASP_CHUNK_BYTES, GFP_KERNEL);
	if (!a.vec)
		return -ENOMEM;
	for (;;) {
		a.vec_len = min_t(u64, d->vec_len - done,
				  ASP_CHUNK_BYTES / esize);
		ret = asp_ptdump(ucmd->mm, &a);
		if (!ret)
			ret = asp_copy_chunk(d->vec, done, a.vec, a.nr, esize);
		if (ret)
			break;
		done += a.nr;
		if (a.walk_end == a.end || done == d->vec_len)
			break;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		a.start = a.walk_end;
	}
	kfree(a.vec);
	if (ret)
		return ret;
	d->nr_entries = done;
	d->walk_end = a.walk_end;
	memcpy(d->pgtable_pages, a.pgtable_pages, sizeof(d->pgtable_pages));
	return 0;
}

static int asp_ioctl_pagescan(struct asp_ucmd *ucmd)
{
	struct aspace_pagescan *p = ucmd->arg;
	const size_t esize = sizeof(struct aspace_page_region);
	struct asp_scan_args a = {
		.start = p->start, .end = p->end,
		.inverted = p->category_inverted, .mask = p->category_mask,
		.anyof = p->category_anyof_mask, .ret_mask = p->return_mask,
		.max_pages = p->max_pages ?: ULONG_MAX,
	};
	u64 done = 0;
	int ret;

	if (p->flags ||
	    (p->category_inverted | p->category_mask |
	     p->category_anyof_mask | p->return_mask) &
	    ~ASPACE_PAGE_CATEGORIES)
		return -EINVAL;
	ret = asp_check_vec(p->vec, p->vec_len, esize);
	if (ret)
		return ret;
	a.vec = kmalloc(ASP_CHUNK_BYTES, GFP_KERNEL);
	if (!a.vec)
		return -ENOMEM;
	for (;;) {
		a.vec_len = min_t(u64, p->vec_len - done,
				  ASP_CHUNK_BYTES / esize);
		ret = asp_pagescan(ucmd->mm, &a);
		if (!ret)
			ret = asp_copy_chunk(p->vec, done, a.vec, a.nr, esize);
		if (ret)
			break;
		done += a.nr;
		/* Done, the user's array full, or max_pages reached. */
		if (a.walk_end == a.end || done == p->vec_len || !a.max_pages)
			break;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		a.start = a.walk_end;
	}
	kfree(a.vec);
	if (ret)
		return ret;
	p->nr_regions = done;
	p->walk_end = a.walk_end;
	return 0;
}

static int asp_ioctl_clear_refs(struct asp_ucmd *ucmd)
{
	struct aspace_clear_refs *c = ucmd->arg;

	return asp_clear_refs(ucmd->mm, c->start, c->end, c->flags);
}

#define ASP_IOCTL_OP(_cmd, _fn, _struct, _last)				\
	{								\
		.cmd = _cmd,						\
		.min_size = offsetofend(_struct, _last),		\
		.execute = _fn,						\
	}

/* An ioctl that changes the address space: open for writing only. */
#define ASP_IOCTL_OP_W(_cmd, _fn, _struct, _last)			\
	{								\
		.cmd = _cmd,						\
		.min_size = offsetofend(_struct, _last),		\
		.needs_write = true,					\
		.execute = _fn,						\
	}

static const struct asp_ioctl_op asp_ioctl_ops[] = {
	ASP_IOCTL_OP(ASPACE_IOC_HANDSHAKE, asp_ioctl_handshake,
		     struct aspace_handshake, reserved),
	ASP_IOCTL_OP_W(ASPACE_IOC_MMAP, asp_ioctl_mmap, struct aspace_mmap,
		       length),
	ASP_IOCTL_OP_W(ASPACE_IOC_MUNMAP, asp_ioctl_munmap, struct aspace_range,
		       length),
	ASP_IOCTL_OP_W(ASPACE_IOC_MPROTECT, asp_ioctl_mprotect,
		       struct aspace_range, length),
	ASP_IOCTL_OP_W(ASPACE_IOC_BRK, asp_ioctl_brk, struct aspace_brk, brk),
	ASP_IOCTL_OP_W(ASPACE_IOC_CLONE, asp_ioctl_clone, struct aspace_clone,
		       reserved),
	ASP_IOCTL_OP(ASPACE_IOC_QUERY, asp_ioctl_query, struct aspace_query,
		     vma_id),
	ASP_IOCTL_OP(ASPACE_IOC_GET_LAYOUT, asp_ioctl_get_layout,
		     struct aspace_layout, task_size),
	ASP_IOCTL_OP_W(ASPACE_IOC_SET_LAYOUT, asp_ioctl_set_layout,
		       struct aspace_layout, task_size),
	ASP_IOCTL_OP(ASPACE_IOC_GET_LIMITS, asp_ioctl_get_limits,
		     struct aspace_limits, resident_bytes),
	ASP_IOCTL_OP_W(ASPACE_IOC_SET_LIMITS, asp_ioctl_set_limits,
		       struct aspace_limits, resident_bytes),
	ASP_IOCTL_OP(ASPACE_IOC_STATS, asp_ioctl_stats, struct aspace_stats,
		     cow_breaks),
	ASP_IOCTL_OP(ASPACE_IOC_ACCESS, asp_ioctl_access, struct aspace_access,
		     si_code),
	ASP_IOCTL_OP_W(ASPACE_IOC_MADVISE, asp_ioctl_madvise,
		       struct aspace_madvise, length),
	ASP_IOCTL_OP(ASPACE_IOC_TRANSLATE, asp_ioctl_translate,
		     struct aspace_translate, reserved),
	ASP_IOCTL_OP(ASPACE_IOC_PTDUMP, asp_ioctl_ptdump, struct aspace_ptdump,
		     pgtable_pages),
	ASP_IOCTL_OP(ASPACE_IOC_PAGESCAN, asp_ioctl_pagescan,
		     struct aspace_pagescan, nr_regions),
	ASP_IOCTL_OP_W(ASPACE_IOC_CLEAR_REFS, asp_ioctl_clear_refs,
		       struct aspace_clear_refs, end),
};

/*
 * Match on the magic, the number and the direction, not on the size: a
 * newer or older user space passes its own struct size in the size field.
 */
static const struct asp_ioctl_op *asp_ioctl_find(unsigned int cmd)
{
	const struct asp_ioctl_op *op;

	if (_IOC_TYPE(cmd) != ASPACE_IOC_MAGIC)
		return NULL;
	for (op = asp_ioctl_ops; op < asp_ioctl_ops + ARRAY_SIZE(asp_ioctl_ops);
	     op++) {
		if (_IOC_NR(op->cmd) == _IOC_NR(cmd) &&
		    _IOC_DIR(op->cmd) == _IOC_DIR(cmd))
			return op;
	}
	return NULL;
}

static long asp_fops_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	const struct asp_ioctl_op *op;
	union asp_ioctl_buf buf;
	struct asp_ucmd ucmd = {
		.file = file,
		.mm = file->private_data,
		.arg = &buf,
	};
	unsigned int ksize;
	u32 usize;
	int ret;

	op = asp_ioctl_find(cmd);
	if (!op)
		return -ENOTTY;
	/* Before anything is read: as write(2) on a read-only file. */
	if (op->needs_write && !(file->f_mode & FMODE_WRITE))
		return -EBADF;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < op->min_size)
		return -EINVAL;
	ksize = _IOC_SIZE(op->cmd);
	ret = copy_struct_from_user(&buf, ksize, uarg, usize);
	if (ret)
		return ret;
	/*
	 * Fail a struct that cannot be written back before anything changes.
	 * Only a caller that unmaps it from another thread in the meantime
	 * can still see -EFAULT after a change was made.
	 */
	if ((_IOC_DIR(op->cmd) & _IOC_READ) &&
	    copy_to_user(uarg, &buf, min_t(u32, usize, ksize)))
		return -EFAULT;
	/* On the way out, size tells which struct the module filled in. */
	*(u32 *)&buf = ksize;

	ret = op->execute(&ucmd);
	if (ret)
		return ret;
	if ((_IOC_DIR(op->cmd) & _IOC_READ) &&
	    copy_to_user(uarg, &buf, min_t(u32, usize, ksize))) {
		ret = -EFAULT;
		if (ucmd.new_file) {
			fput(ucmd.new_file);
			put_unused_fd(ucmd.new_fd);
		}
		return ret;
	}
	if (ucmd.new_file)
		fd_install(ucmd.new_fd, ucmd.new_file);
	return 0;
}

/*
 * What a /proc/PID/mem transfer returns when it stops: the bytes done, or
 * why nothing was: -EIO where no memory is (or may be written), the
 * errno otherwise.  A fault on the user buffer is -EFAULT, as mem_rw().
 */
static ssize_t asp_rw_result(size_t done, int ret)
{
	if (ret == -EFAULT)
		return ret;
	return done ? done : ret;
}

/* Count @n bytes done; a long transfer yields and stops when killed. */
static int asp_rw_advance(size_t *done, unsigned long *addr, unsigned long n)
{
	*done += n;
	*addr += n;
	if (fatal_signal_pending(current))
		return -EINTR;
	cond_resched();
	return 0;
}

static ssize_t asp_fops_read(struct file *file, char __user *buf,
			     size_t count, loff_t *ppos)
{
	unsigned long addr = *ppos, n;
	struct page *page;
	size_t done = 0;
	void *kaddr;
	int ret = 0;

	while (done < count) {
		n = asp_chunk(addr, count - done);
		ret = asp_mem_get_page(file->private_data, addr, &page);
		if (ret)
			break;
		kaddr = kmap_local_page(page);
		n -= copy_to_user(buf + done, kaddr + offset_in_page(addr), n);
		kunmap_local(kaddr);
		asp_mem_put_page(page);
		if (!n) {
			ret = -EFAULT;
			break;
		}
		ret = asp_rw_advance(&done, &addr, n);
		if (ret)
			break;
	}
	trace_aspace_rw(file->private_data, false, *ppos, count,
			asp_rw_result(done, ret));
	*ppos = addr;
	return asp_rw_result(done, ret);
}

static ssize_t asp_fops_write(struct file *file, const char __user *buf,
			      size_t count, loff_t *ppos)
{
	unsigned long addr = *ppos, n;
	size_t done = 0;
	void *bounce;
	int ret = 0;

	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (done < count) {
		n = asp_chunk(addr, count - done);
		if (copy_from_user(bounce, buf + done, n)) {
			ret = -EFAULT;
			break;
		}
		ret = asp_mem_write(file->private_data, addr, bounce, n);
		if (!ret)
			ret = asp_rw_advance(&done, &addr, n);
		if (ret)
			break;
	}
	kfree(bounce);
	trace_aspace_rw(file->private_data, true, *ppos, count,
			asp_rw_result(done, ret));
	*ppos = addr;
	return asp_rw_result(done, ret);
}

/* Like /proc/PID/mem's mem_lseek(): the offset is an address. */
static loff_t asp_fops_llseek(struct file *file, loff_t offset, int whence)
{
	loff_t pos;

	switch (whence) {
	case SEEK_SET:
		pos = offset;
		break;
	case SEEK_CUR:
		if (check_add_overflow(file->f_pos, offset, &pos))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (pos < 0)
		return -EINVAL;
	file->f_pos = pos;
	return pos;
}

static int asp_fops_open(struct inode *inode, struct file *file)
{
	struct asp_mm *mm;

	mm = asp_mm_create();
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	file->private_data = mm;
	return 0;
}

static int asp_fops_release(struct inode *inode, struct file *file)
{
	asp_mm_destroy(file->private_data);
	return 0;
}

static void asp_fops_show_fdinfo(struct seq_file *m, struct file *file)
{
	asp_show_fdinfo(file->private_data, m);
}

static const struct file_operations asp_fops = {
	.owner		= THIS_MODULE,
	.open		= asp_fops_open,
	.release	= asp_fops_release,
	.unlocked_ioctl	= asp_fops_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= asp_fops_llseek,
	.read		= asp_fops_read,
	.write		= asp_fops_write,
	.show_fdinfo	= asp_fops_show_fdinfo,
};

static ssize_t pages_data_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&asp_nr_data_pages));
}
static DEVICE_ATTR_RO(pages_data);

static ssize_t pages_pgtable_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&asp_nr_table_pages));
}
static DEVICE_ATTR_RO(pages_pgtable);

static ssize_t vmas_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&asp_nr_vmas));
}
static DEVICE_ATTR_RO(vmas);

static ssize_t address_spaces_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&asp_nr_mms));
}
static DEVICE_ATTR_RO(address_spaces);

static struct attribute *asp_dev_attrs[] = {
	&dev_attr_pages_data.attr,
	&dev_attr_pages_pgtable.attr,
	&dev_attr_vmas.attr,
	&dev_attr_address_spaces.attr,
	NULL
};
ATTRIBUTE_GROUPS(asp_dev);

static struct miscdevice asp_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "aspace",
	.fops	= &asp_fops,
	.groups	= asp_dev_groups,
};

static int __init asp_init(void)
{
	int ret;

	ret = asp_core_init();
	if (ret)
		return ret;
	asp_miscdev.mode = dev_mode;
	ret = misc_register(&asp_miscdev);
	if (ret)
		goto err_core;
	return 0;

err_core:
	asp_core_exit();
	return ret;
}

static void __exit asp_exit(void)
{
	misc_deregister(&asp_miscdev);
	asp_core_exit();
}

module_init(asp_init);
module_exit(asp_exit);

MODULE_DESCRIPTION("Private x86_64 address spaces behind /dev/aspace");
MODULE_AUTHOR("The aspace authors");
/* Also in dkms.conf and the top-level Makefile (scripts/install-test.sh). */
MODULE_VERSION("0.1.0");
MODULE_LICENSE("GPL");
