/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the end-to-end tests of the memory half of /dev/aspace:
 * pread/pwrite, ASPACE_IOC_ACCESS, demand paging, copy-on-write clone,
 * ASPACE_IOC_MADVISE and the growing stack.
 *
 * The heart of it is a small script language (struct op) run twice: once
 * on an aspace descriptor, through the ioctls and pread/pwrite, and once
 * in a forked child of the test on the real thing: the same mappings at
 * the same addresses (MAP_FIXED), real loads, stores and calls caught by
 * a SIGSEGV handler, /proc/self/mem for pread/pwrite, madvise(2),
 * /proc/self/smaps for the VMA layout and fork() for a clone.  The two
 * result lists must be equal, op by op.
 *
 * The child runs with every protection key allowing access (PKRU = 0), so
 * the real CPU behaves like the x86_64 of the aspace contract, without
 * protection keys: Linux makes PROT_EXEC-only mappings execute-only with a
 * protection key where the CPU has them (QEMU -cpu max does), which
 * aspace does not model.  lx_pku_exec_only() shows that case separately.
 *
 * A simple model of the same (struct vmodel: VMAs and their protections)
 * predicts every access and transfer; reference tests check the model
 * against Linux so that it is known to be right before aspace is compared
 * with it.
 *
 * Include after kselftest_harness.h and aspace_test_util.h.
 */
#ifndef _ASPACE_MEM_UTIL_H
#define _ASPACE_MEM_UTIL_H

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "aspace_test_util.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif
#ifndef SEGV_PKUERR
#define SEGV_PKUERR		4
#endif

#define P_X_ONLY	P_X
#define P_RX		(P_R | P_X)
#define P_WX		(P_W | P_X)
#define P_RWX		(P_R | P_W | P_X)
#define V_DC		ASPACE_VMA_DONTFORK
#define V_WF		ASPACE_VMA_WIPEONFORK

/* The top of the 47-bit window, where a stack ends. */
#define STACK_TOP		MAP_WINDOW
/* The initial stack size and stack_bytes limit of the memory release. */
#define DEF_STACK_INIT		(128ULL << 10)
#define DEF_STACK_LIMIT		(8ULL << 20)

/* Arenas the scripts use: free in the test process and in aspace. */
#define ARENA_LOW		FIXED_AREA			/* 4 GiB */
#define ARENA_HIGH		0x10000000000000ULL		/* 2^52 */
#define ARENA_TOP_5L		(TASK_SIZE_5L - PAGES(64))	/* 5-level */

#define SYSFS_VMAS		"/sys/class/misc/aspace/vmas"
#define SYSFS_ADDRESS_SPACES	"/sys/class/misc/aspace/address_spaces"

/* Every module counter is back to zero: nothing outlives the descriptors. */
#define EXPECT_ALL_COUNTERS_ZERO() do {					\
	EXPECT_EQ(0, sysfs_pages_data());				\
	EXPECT_EQ(0, sysfs_pages_pgtable());				\
	EXPECT_EQ(0, read_sysfs_number(SYSFS_VMAS));			\
	EXPECT_EQ(0, read_sysfs_number(SYSFS_ADDRESS_SPACES));		\
} while (0)

/* ------------------------------------------------------------------ */
/* ioctl wrappers of the memory ioctls (local: libaspace may grow its own) */

/**
 * mem_access() - ASPACE_IOC_ACCESS
 * @fd: the descriptor
 * @kind: ASPACE_ACCESS_*
 * @addr: first byte
 * @len: bytes
 * @buf: data (may be NULL: touch only)
 * @out: out (may be NULL): the struct as the module wrote it back
 *
 * Return: 0 (the access was simulated: see @out for a fault) or -errno.
 */
static inline int mem_access(int fd, __u32 kind, __u64 addr, __u64 len,
			     void *buf, struct aspace_access *out)
{
	struct aspace_access a;
	int ret;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.kind = kind;
	a.addr = addr;
	a.length = len;
	a.buf = (uintptr_t)buf;
	ret = aspace_ioctl(fd, ASPACE_IOC_ACCESS, &a);
	if (!ret && out)
		*out = a;
	return ret;
}

/* ASPACE_IOC_MADVISE: 0 or -errno. */
static inline int mem_madvise(int fd, __u64 addr, __u64 len, __u32 advice)
{
	struct aspace_madvise m;

	memset(&m, 0, sizeof(m));
	m.size = sizeof(m);
	m.advice = advice;
	m.addr = addr;
	m.length = len;
	return aspace_ioctl(fd, ASPACE_IOC_MADVISE, &m);
}

/* pread(2)/pwrite(2) returning the count or -errno. */
static inline long long mem_pread(int fd, void *buf, __u64 len, __u64 addr)
{
	ssize_t n = pread(fd, buf, len, (off_t)addr);

	return n < 0 ? -errno : n;
}

static inline long long mem_pwrite(int fd, const void *buf, __u64 len,
				   __u64 addr)
{
	ssize_t n = pwrite(fd, buf, len, (off_t)addr);

	return n < 0 ? -errno : n;
}

/* The stats of @fd, or all 0xff if STATS failed (so every check fails). */
static inline struct aspace_stats mem_stats(int fd)
{
	struct aspace_stats st;

	if (aspace_stats(fd, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

/* A counter a check does not look at. */
#define ANY	(-1000000LL)

/*
 * Did resident_pages, faults, zero_page_maps and cow_breaks change by
 * exactly these amounts (ANY: not checked) from @a to @b?  Logs if not.
 */
static inline bool stats_moved(const struct aspace_stats *a,
			       const struct aspace_stats *b,
			       long long resident, long long faults,
			       long long zero, long long cow)
{
	const long long want[4] = { resident, faults, zero, cow };
	const long long got[4] = {
		(long long)(b->resident_pages - a->resident_pages),
		(long long)(b->faults - a->faults),
		(long long)(b->zero_page_maps - a->zero_page_maps),
		(long long)(b->cow_breaks - a->cow_breaks),
	};
	static const char * const names[4] = {
		"resident_pages", "faults", "zero_page_maps", "cow_breaks",
	};
	bool ok = true;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		if (want[i] == ANY || want[i] == got[i])
			continue;
		fprintf(stderr, "#   %s moved by %lld, expected %lld\n",
			names[i], got[i], want[i]);
		ok = false;
	}
	return ok;
}

/* SET_LAYOUT with a stack: @flags plus ASPACE_LAYOUT_STACK. */
static inline int set_stack_layout(int fd, __u32 flags, __u64 stack_size,
				   __u64 guard_gap)
{
	struct aspace_layout l;

	memset(&l, 0, sizeof(l));
	l.flags = flags | ASPACE_LAYOUT_STACK;
	l.mmap_min_addr = DEF_MMAP_MIN_ADDR;
	l.stack_size = stack_size;
	l.stack_guard_gap = guard_gap;
	return aspace_set_layout(fd, &l);
}

/* ------------------------------------------------------------------ */
/* Data */

/* The byte a pattern @seed puts at @addr (never 0xc3, a ret). */
static inline unsigned char pattern_byte(__u64 addr, __u32 seed)
{
	__u64 x = (addr + 1) * 0x9E3779B97F4A7C15ULL;
	unsigned char b;

	x ^= (__u64)(seed + 1) * 0xBF58476D1CE4E5B9ULL;
	x ^= x >> 29;
	b = (unsigned char)(x >> 56);
	return b == 0xc3 ? 0x3c : b;
}

/* Seeds of struct op: a pattern, or the same byte everywhere. */
#define SEED_BYTE(b)	(0x100u | (b))
#define NOP		0x90
#define RET		0xc3

static inline void gen_data(unsigned char *buf, __u64 addr, __u64 len,
			    __u32 seed)
{
	__u64 i;

	if (seed & 0x100) {
		memset(buf, seed & 0xff, len);
		return;
	}
	for (i = 0; i < len; i++)
		buf[i] = pattern_byte(addr + i, seed);
}

/* ------------------------------------------------------------------ */
/* Scripts */

enum op_type {
	OP_MMAP,	/* arg: prot, flags: MAP_SHARED/PRIVATE/POPULATE */
	OP_MUNMAP,
	OP_MPROTECT,	/* arg: prot */
	OP_MADVISE,	/* arg: advice */
	OP_READ,	/* a user-mode load of every byte */
	OP_WRITE,	/* a user-mode store of gen_data(arg) */
	OP_EXEC,	/* a call to addr: NOPs, and a ret at addr + len - 1 */
	OP_PREAD,	/* pread of the memory (/proc/self/mem) */
	OP_PWRITE,	/* pwrite of gen_data(arg) */
	OP_MAPS,	/* the VMAs meeting [addr, addr + len) */
	OP_CLONE,	/* fork(): the rest of the script runs in the copy */
	OP_SETUP,	/* a pwrite whose result is not compared */
};

struct op {
	int type;
	__u32 arg;
	__u32 flags;
	__u64 addr;
	__u64 len;
};

#define SCRIPT_MAX_OPS	4096
#define SCRIPT_DATA	(8ULL << 20)
#define SCRIPT_MAX_LEN	(2ULL << 20)	/* bytes of one read or write */

struct op_res {
	long long ret;		/* 0, a byte count, or -errno */
	int signo;		/* accesses: as struct aspace_access */
	int si_code;
	__u64 fault_addr;
	__u64 done;
	__u64 data_off;		/* bytes read, VMAs listed: in data[] */
	__u64 data_len;
};

struct script_out {
	unsigned int n;		/* ops run */
	int error;		/* the runner failed: a line number */
	char why[120];
	__u64 data_used;
	struct op_res res[SCRIPT_MAX_OPS];
	unsigned char data[SCRIPT_DATA];
};

/* A VMA as OP_MAPS records it. */
struct map_rec {
	__u64 start;
	__u64 end;
	__u64 flags;	/* V_R, V_W, V_X, V_S, V_DC, V_WF */
};

static inline struct script_out *script_out_alloc(void)
{
	void *p = mmap(NULL, sizeof(struct script_out),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static inline void script_out_free(struct script_out *o)
{
	if (o)
		munmap(o, sizeof(*o));
}

static inline void script_out_reset(struct script_out *o)
{
	o->n = 0;
	o->error = 0;
	o->why[0] = '\0';
	o->data_used = 0;
}

/* Room for @len bytes of output data, or NULL. */
static inline unsigned char *out_data(struct script_out *o, struct op_res *r,
				      __u64 len)
{
	if (len > SCRIPT_DATA - o->data_used)
		return NULL;
	r->data_off = o->data_used;
	r->data_len = len;
	o->data_used += (len + 7) & ~7ULL;
	return o->data + r->data_off;
}

static inline void script_fail(struct script_out *o, int line, const char *fmt, ...)
{
	va_list ap;

	o->error = line;
	va_start(ap, fmt);
	vsnprintf(o->why, sizeof(o->why), fmt, ap);
	va_end(ap);
}

#define SCRIPT_FAIL(o, ...) script_fail(o, __LINE__, __VA_ARGS__)

static inline void op_str(const struct op *op, char *buf, size_t size)
{
	static const char * const names[] = {
		"mmap", "munmap", "mprotect", "madvise", "read", "write",
		"exec", "pread", "pwrite", "maps", "clone", "setup",
	};

	snprintf(buf, size, "%s %#llx+%#llx arg %#x flags %#x",
		 op->type >= 0 && op->type < (int)ARRAY_SIZE(names) ?
		 names[op->type] : "?", (unsigned long long)op->addr,
		 (unsigned long long)op->len, op->arg, op->flags);
}

/* --- aspace runner --- */

static inline void asp_maps(int fd, struct script_out *o, struct op_res *r,
			    __u64 addr, __u64 len)
{
	struct map_rec *m;
	struct aspace_query q;
	__u64 at = addr;
	unsigned int n = 0;
	int ret;

	m = (struct map_rec *)out_data(o, r, 256 * sizeof(*m));
	if (!m) {
		SCRIPT_FAIL(o, "out of data space");
		return;
	}
	while (at < addr + len && n < 256) {
		ret = aspace_query(fd, at, ASPACE_QUERY_COVERING_OR_NEXT, &q);
		if (ret == -ENOENT)
			break;
		if (ret) {
			r->ret = ret;
			return;
		}
		if (q.vma_start >= addr + len)
			break;
		m[n].start = q.vma_start;
		m[n].end = q.vma_end;
		m[n].flags = q.vma_flags & (V_RWX | V_S | V_DC | V_WF);
		n++;
		at = q.vma_end;
	}
	r->data_len = n * sizeof(*m);
}

/*
 * Run @ops on the address space of @fd.  OP_CLONE continues in a clone;
 * *@last_fd gets the descriptor the script ended on (the caller closes
 * it if it is not @fd; the others are closed here).  Returns 0, or -1 if
 * the runner itself failed (see o->error).
 */
static inline int run_aspace(int fd, const struct op *ops, unsigned int n,
			     struct script_out *o, int *last_fd)
{
	static unsigned char gen[SCRIPT_MAX_LEN];
	struct aspace_access a;
	int fds[16], nfds = 0, cur = fd;
	unsigned char *d;
	struct op_res *r;
	unsigned int i;
	int ret;

	script_out_reset(o);
	for (i = 0; i < n && !o->error; i++) {
		const struct op *op = &ops[i];

		r = &o->res[i];
		memset(r, 0, sizeof(*r));
		if ((op->type == OP_READ || op->type == OP_WRITE ||
		     op->type == OP_EXEC || op->type == OP_PREAD ||
		     op->type == OP_PWRITE || op->type == OP_SETUP) &&
		    op->len > SCRIPT_MAX_LEN) {
			SCRIPT_FAIL(o, "op %u too long", i);
			break;
		}
		switch (op->type) {
		case OP_MMAP:
			r->ret = aspace_mmap(cur, op->addr, op->len, op->arg,
					     op->flags | M_FIXED, NULL);
			break;
		case OP_MUNMAP:
			r->ret = aspace_munmap(cur, op->addr, op->len);
			break;
		case OP_MPROTECT:
			r->ret = aspace_mprotect(cur, op->addr, op->len,
						 op->arg);
			break;
		case OP_MADVISE:
			r->ret = mem_madvise(cur, op->addr, op->len, op->arg);
			break;
		case OP_READ:
		case OP_EXEC:
			d = out_data(o, r, op->len);
			if (!d) {
				SCRIPT_FAIL(o, "out of data space");
				break;
			}
			ret = mem_access(cur, op->type == OP_READ ?
					 ASPACE_ACCESS_READ :
					 ASPACE_ACCESS_EXEC,
					 op->addr, op->len, d, &a);
			r->ret = ret;
			if (!ret) {
				r->signo = a.signo;
				r->si_code = a.si_code;
				r->fault_addr = a.fault_addr;
				r->done = a.done;
			}
			break;
		case OP_WRITE:
			gen_data(gen, op->addr, op->len, op->arg);
			ret = mem_access(cur, ASPACE_ACCESS_WRITE, op->addr,
					 op->len, gen, &a);
			r->ret = ret;
			if (!ret) {
				r->signo = a.signo;
				r->si_code = a.si_code;
				r->fault_addr = a.fault_addr;
				r->done = a.done;
			}
			break;
		case OP_PREAD:
			d = out_data(o, r, op->len);
			if (!d) {
				SCRIPT_FAIL(o, "out of data space");
				break;
			}
			r->ret = mem_pread(cur, d, op->len, op->addr);
			break;
		case OP_PWRITE:
		case OP_SETUP:
			gen_data(gen, op->addr, op->len, op->arg);
			r->ret = mem_pwrite(cur, gen, op->len, op->addr);
			break;
		case OP_MAPS:
			asp_maps(cur, o, r, op->addr, op->len);
			break;
		case OP_CLONE:
			if (nfds == (int)ARRAY_SIZE(fds)) {
				SCRIPT_FAIL(o, "too many clones");
				break;
			}
			r->ret = aspace_clone(cur, op->arg, &fds[nfds]);
			if (!r->ret)
				cur = fds[nfds++];
			break;
		default:
			SCRIPT_FAIL(o, "op %u: bad type %d", i, op->type);
		}
		o->n = i + 1;
	}
	while (nfds > 0) {
		nfds--;
		if (fds[nfds] != cur || !last_fd)
			close(fds[nfds]);
	}
	if (last_fd)
		*last_fd = cur;
	return o->error ? -1 : 0;
}

/* --- Linux runner (in a forked child) --- */

/* Is OSPKE set (protection keys enabled by the kernel)? */
static inline bool cpu_ospke(void)
{
	unsigned int a = 7, b, c = 0, d;

	asm volatile("cpuid" : "+a" (a), "=b" (b), "+c" (c), "=d" (d));
	return c & (1u << 4);
}

static inline void wrpkru(unsigned int pkru)
{
	asm volatile(".byte 0x0f,0x01,0xef" : : "a" (pkru), "c" (0), "d" (0)
		     : "memory");
}

static inline unsigned int rdpkru(void)
{
	unsigned int a, d;

	asm volatile(".byte 0x0f,0x01,0xee" : "=a" (a), "=d" (d) : "c" (0));
	return a;
}

static sigjmp_buf lx_jb;
static int lx_signo, lx_code;
static __u64 lx_addr;
static bool lx_pku;

static void lx_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	lx_signo = sig;
	lx_code = si->si_code;
	lx_addr = (uintptr_t)si->si_addr;
	siglongjmp(lx_jb, 1);
}

/* One byte loaded and stored by single instructions, never elided. */
static inline unsigned char lx_load(__u64 addr)
{
	unsigned char v;

	asm volatile("movb (%1), %0" : "=q" (v) : "r" (addr) : "memory");
	return v;
}

static inline void lx_store(__u64 addr, unsigned char v)
{
	asm volatile("movb %1, (%0)" : : "r" (addr), "q" (v) : "memory");
}

static void lx_do_access(int type, __u64 addr, __u64 len,
			 unsigned char *data)
{
	__u64 i;

	if (lx_pku)
		wrpkru(0);
	switch (type) {
	case OP_READ:
		for (i = 0; i < len; i++)
			data[i] = lx_load(addr + i);
		break;
	case OP_WRITE:
		for (i = 0; i < len; i++)
			lx_store(addr + i, data[i]);
		break;
	case OP_EXEC:
		((void (*)(void))(uintptr_t)addr)();
		break;
	}
}

/*
 * Make one access, catching its fault.  Returns -1 if the fault was not
 * in the range (a broken script).
 */
static int lx_run_access(const struct op *op, unsigned char *d,
			 struct op_res *r)
{
	lx_signo = 0;
	if (!sigsetjmp(lx_jb, 1)) {
		lx_do_access(op->type, op->addr, op->len, d);
		r->done = op->len;
		return 0;
	}
	r->signo = lx_signo;
	r->si_code = lx_code;
	r->fault_addr = lx_addr;
	r->done = lx_addr - op->addr;
	return lx_addr < op->addr || lx_addr >= op->addr + op->len ? -1 : 0;
}

/*
 * Is @addr in an executable VMA of this process (1), a VMA that is not
 * (0), or none (-1)?  *@end: the end of that VMA.
 */
static inline int lx_vma_exec(__u64 addr, __u64 *end)
{
	unsigned long long s, e;
	char line[512], perms[8];
	int ret = -1;
	FILE *f;

	f = fopen("/proc/self/maps", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx %4s", &s, &e, perms) != 3)
			continue;
		if (addr >= s && addr < e) {
			*end = e;
			ret = perms[2] == 'x';
			break;
		}
	}
	fclose(f);
	return ret;
}

/*
 * An OP_EXEC must run NOPs up to its ret at addr + len - 1, or reach a
 * page it cannot execute before: the code is checked in the executable
 * VMAs it runs through.
 */
static inline bool lx_exec_ok(int mem, __u64 addr, __u64 len)
{
	static unsigned char b[SCRIPT_MAX_LEN];
	__u64 i = 0, j, n, end;
	int x;

	while (i < len) {
		x = lx_vma_exec(addr + i, &end);
		if (x <= 0)
			return true;	/* the fetch faults here */
		n = end - (addr + i);
		if (n > len - i)
			n = len - i;
		if (pread(mem, b, n, (off_t)(addr + i)) != (ssize_t)n)
			return false;
		for (j = 0; j < n; j++) {
			if (b[j] == RET)
				return i + j == len - 1;
			if (b[j] != NOP)
				return false;
		}
		i += n;
	}
	return false;	/* no ret: it would run past the end */
}

static inline int lx_check_arenas(const __u64 (*arenas)[2], unsigned int n)
{
	unsigned int i;
	void *p;

	for (i = 0; i < n; i++) {
		p = mmap((void *)(uintptr_t)arenas[i][0],
			 arenas[i][1] - arenas[i][0], PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			 -1, 0);
		if (p == MAP_FAILED || (__u64)(uintptr_t)p != arenas[i][0])
			return -1;
		munmap(p, arenas[i][1] - arenas[i][0]);
	}
	return 0;
}

static inline void lx_maps(struct script_out *o, struct op_res *r,
			   __u64 addr, __u64 len)
{
	struct map_rec *m, *last = NULL;
	unsigned long long s, e;
	unsigned int n = 0;
	char line[512], perms[8];
	FILE *f;

	m = (struct map_rec *)out_data(o, r, 256 * sizeof(*m));
	if (!m) {
		SCRIPT_FAIL(o, "out of data space");
		return;
	}
	f = fopen("/proc/self/smaps", "r");
	if (!f) {
		SCRIPT_FAIL(o, "/proc/self/smaps: %s", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx %4s ", &s, &e, perms) == 3 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			last = NULL;
			if (e <= addr || s >= addr + len || n == 256)
				continue;
			last = &m[n++];
			last->start = s;
			last->end = e;
			last->flags = (perms[0] == 'r' ? V_R : 0) |
				      (perms[1] == 'w' ? V_W : 0) |
				      (perms[2] == 'x' ? V_X : 0) |
				      (perms[3] == 's' ? V_S : 0);
		} else if (last && !strncmp(line, "VmFlags:", 8)) {
			if (strstr(line, " dc"))
				last->flags |= V_DC;
			if (strstr(line, " wf"))
				last->flags |= V_WF;
		}
	}
	fclose(f);
	r->data_len = n * sizeof(*m);
}

static inline void lx_script(const __u64 (*arenas)[2], unsigned int narenas,
			     const struct op *ops, unsigned int n,
			     struct script_out *o)
{
	static unsigned char gen[SCRIPT_MAX_LEN];
	struct sigaction sa;
	unsigned char *d;
	struct op_res *r;
	unsigned int i;
	int mem, status;
	pid_t pid;
	void *p;

	alarm(60);
	if (lx_check_arenas(arenas, narenas)) {
		SCRIPT_FAIL(o, "an arena is not free in the child");
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = lx_segv;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	lx_pku = cpu_ospke();
	mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (mem < 0) {
		SCRIPT_FAIL(o, "/proc/self/mem: %s", strerror(errno));
		return;
	}
	for (i = 0; i < n && !o->error; i++) {
		const struct op *op = &ops[i];

		r = &o->res[i];
		memset(r, 0, sizeof(*r));
		if (op->len > SCRIPT_MAX_LEN && op->type != OP_MMAP &&
		    op->type != OP_MUNMAP && op->type != OP_MPROTECT &&
		    op->type != OP_MADVISE && op->type != OP_MAPS) {
			SCRIPT_FAIL(o, "op %u too long", i);
			break;
		}
		switch (op->type) {
		case OP_MMAP:
			p = mmap((void *)(uintptr_t)op->addr, op->len, op->arg,
				 op->flags | MAP_FIXED | MAP_ANONYMOUS, -1, 0);
			r->ret = p == MAP_FAILED ? -errno : 0;
			break;
		case OP_MUNMAP:
			r->ret = munmap((void *)(uintptr_t)op->addr, op->len) ?
				 -errno : 0;
			break;
		case OP_MPROTECT:
			r->ret = mprotect((void *)(uintptr_t)op->addr, op->len,
					  op->arg) ? -errno : 0;
			break;
		case OP_MADVISE:
			r->ret = madvise((void *)(uintptr_t)op->addr, op->len,
					 op->arg) ? -errno : 0;
			break;
		case OP_READ:
		case OP_WRITE:
		case OP_EXEC:
			d = op->type == OP_WRITE ? gen :
			    out_data(o, r, op->len);
			if (!d) {
				SCRIPT_FAIL(o, "out of data space");
				break;
			}
			if (op->type == OP_WRITE)
				gen_data(gen, op->addr, op->len, op->arg);
			if (op->type == OP_EXEC &&
			    !lx_exec_ok(mem, op->addr, op->len)) {
				SCRIPT_FAIL(o, "op %u: exec without NOPs and a ret at its end",
					    i);
				break;
			}
			if (lx_run_access(op, d, r))
				SCRIPT_FAIL(o, "op %u: fault at %#llx, outside the range",
					    i, (unsigned long long)r->fault_addr);
			break;
		case OP_PREAD:
			d = out_data(o, r, op->len);
			if (!d) {
				SCRIPT_FAIL(o, "out of data space");
				break;
			}
			r->ret = mem_pread(mem, d, op->len, op->addr);
			break;
		case OP_PWRITE:
		case OP_SETUP:
			gen_data(gen, op->addr, op->len, op->arg);
			r->ret = mem_pwrite(mem, gen, op->len, op->addr);
			break;
		case OP_MAPS:
			lx_maps(o, r, op->addr, op->len);
			break;
		case OP_CLONE:
			o->n = i + 1;
			pid = fork();
			if (pid < 0) {
				r->ret = -errno;
				break;
			}
			if (pid == 0) {
				/* the rest runs in the copy, on its memory */
				close(mem);
				mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
				if (mem < 0)
					SCRIPT_FAIL(o, "/proc/self/mem: %s",
						    strerror(errno));
				break;
			}
			close(mem);
			if (waitpid(pid, &status, 0) != pid ||
			    !WIFEXITED(status) || WEXITSTATUS(status))
				SCRIPT_FAIL(o, "the forked copy died (status %#x)",
					    status);
			_exit(0);
		default:
			SCRIPT_FAIL(o, "op %u: bad type %d", i, op->type);
		}
		o->n = i + 1;
	}
	close(mem);
}

/*
 * Run @ops in a forked child on the real thing.  @arenas: the ranges the
 * script uses, which must be free in the child.  Returns 0, or -1 if the
 * runner failed (o->error, o->why say why).
 */
static inline int run_linux(const __u64 (*arenas)[2], unsigned int narenas,
			    const struct op *ops, unsigned int n,
			    struct script_out *o)
{
	int status;
	pid_t pid;

	script_out_reset(o);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		lx_script(arenas, narenas, ops, n, o);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		if (!o->error)
			SCRIPT_FAIL(o, "the child died (status %#x)", status);
		return -1;
	}
	return o->error ? -1 : 0;
}

/* --- comparing --- */

static inline void log_res(const char *who, const struct op *op,
			   const struct op_res *r)
{
	fprintf(stderr, "#     %-6s ret %lld", who, r->ret);
	if (op->type == OP_READ || op->type == OP_WRITE ||
	    op->type == OP_EXEC)
		fprintf(stderr, " signo %d si_code %d fault_addr %#llx done %#llx",
			r->signo, r->si_code,
			(unsigned long long)r->fault_addr,
			(unsigned long long)r->done);
	fprintf(stderr, "\n");
}

static inline void log_maps(const char *who, const struct script_out *o,
			    const struct op_res *r)
{
	const struct map_rec *m = (const void *)(o->data + r->data_off);
	unsigned int i;
	char f[32];

	fprintf(stderr, "#     %s:\n", who);
	for (i = 0; i < r->data_len / sizeof(*m); i++) {
		vma_flags_str(m[i].flags & (V_RWX | V_S), f);
		fprintf(stderr, "#       %012llx-%012llx %s%s%s\n",
			(unsigned long long)m[i].start,
			(unsigned long long)m[i].end, f,
			m[i].flags & V_DC ? " dc" : "",
			m[i].flags & V_WF ? " wf" : "");
	}
}

/* Bytes of a read or pread result that are data. */
static inline __u64 res_bytes(const struct op *op, const struct op_res *r)
{
	if (op->type == OP_READ)
		return r->ret ? 0 : r->done;
	if (op->type == OP_PREAD)
		return r->ret > 0 ? (__u64)r->ret : 0;
	if (op->type == OP_MAPS)
		return r->data_len;
	return 0;
}

/* OP_MAPS flag: compare what each page is, not where VMAs split. */
#define MAPS_PAGES	1

/*
 * The VMAs of a MAPS result with neighbours of equal flags joined: the
 * layout page by page, whatever merges were made.  Returns the count.
 */
static inline unsigned int maps_coalesce(const struct script_out *o,
					 const struct op_res *r,
					 struct map_rec *out)
{
	const struct map_rec *m = (const void *)(o->data + r->data_off);
	unsigned int i, n = 0;

	for (i = 0; i < r->data_len / sizeof(*m); i++) {
		if (n && out[n - 1].end == m[i].start &&
		    out[n - 1].flags == m[i].flags) {
			out[n - 1].end = m[i].end;
			continue;
		}
		out[n++] = m[i];
	}
	return n;
}

static inline bool maps_pages_equal(const struct script_out *a,
				    const struct op_res *ra,
				    const struct script_out *b,
				    const struct op_res *rb)
{
	static struct map_rec ma[256], mb[256];
	unsigned int na = maps_coalesce(a, ra, ma);
	unsigned int nb = maps_coalesce(b, rb, mb);

	return na == nb && !memcmp(ma, mb, na * sizeof(ma[0]));
}

/*
 * Compare the results of one op.  Returns true if equal; else logs both
 * under @what.
 */
static inline bool res_equal(const char *what, const struct op *op,
			     const struct script_out *a,
			     const struct op_res *ra, const char *an,
			     const struct script_out *b,
			     const struct op_res *rb, const char *bn)
{
	__u64 la = res_bytes(op, ra), lb = res_bytes(op, rb), i;
	char s[128];
	bool eq;

	eq = ra->ret == rb->ret && ra->signo == rb->signo &&
	     ra->si_code == rb->si_code && ra->fault_addr == rb->fault_addr &&
	     ra->done == rb->done && la == lb;
	if (op->type == OP_MAPS && (op->flags & MAPS_PAGES))
		eq = ra->ret == rb->ret && maps_pages_equal(a, ra, b, rb);
	else if (op->type == OP_MAPS)
		eq = eq && ra->data_len == rb->data_len;
	if (eq && la && !(op->type == OP_MAPS && (op->flags & MAPS_PAGES)))
		eq = !memcmp(a->data + ra->data_off, b->data + rb->data_off,
			     la);
	if (eq)
		return true;
	op_str(op, s, sizeof(s));
	fprintf(stderr, "#   %s: %s differs\n", what, s);
	log_res(an, op, ra);
	log_res(bn, op, rb);
	if (op->type == OP_MAPS) {
		log_maps(an, a, ra);
		log_maps(bn, b, rb);
	} else if (la == lb && la) {
		for (i = 0; i < la; i++)
			if (a->data[ra->data_off + i] !=
			    b->data[rb->data_off + i])
				break;
		fprintf(stderr, "#     first differing byte at %#llx: %#x vs %#x\n",
			(unsigned long long)(op->addr + i),
			a->data[ra->data_off + i], b->data[rb->data_off + i]);
	}
	return false;
}

/*
 * Compare two runs of @ops op by op; returns the number of differences
 * (at most @max logged).
 */
static inline unsigned int scripts_differ(const char *what,
					  const struct op *ops, unsigned int n,
					  const struct script_out *a,
					  const char *an,
					  const struct script_out *b,
					  const char *bn)
{
	unsigned int i, bad = 0;

	if (a->n != n || b->n != n) {
		fprintf(stderr, "#   %s: %s ran %u ops, %s %u, of %u\n", what,
			an, a->n, bn, b->n, n);
		bad++;
	}
	for (i = 0; i < n && i < a->n && i < b->n; i++) {
		if (!res_equal(what, &ops[i], a, &a->res[i], an, b,
			       &b->res[i], bn))
			bad++;
		if (bad > 40) {
			fprintf(stderr, "#   ... and more\n");
			break;
		}
	}
	return bad;
}

/* ------------------------------------------------------------------ */
/* A model of the VMAs and what a CPU without protection keys allows */

#define VMODEL_MAX	512

struct vmodel {
	unsigned int n;
	struct {
		__u64 start, end;
		__u32 prot;
		bool shared;
	} v[VMODEL_MAX];
};

static inline void vmodel_cut(struct vmodel *m, __u64 s, __u64 e)
{
	unsigned int i, j;

	for (i = 0; i < m->n; i++) {
		if (m->v[i].end <= s || m->v[i].start >= e)
			continue;
		if (m->v[i].start < s && m->v[i].end > e) {
			/* split in three: keep both ends */
			for (j = m->n; j > i + 1; j--)
				m->v[j] = m->v[j - 1];
			m->n++;
			m->v[i + 1] = m->v[i];
			m->v[i].end = s;
			m->v[i + 1].start = e;
			return;
		}
		if (m->v[i].start < s) {
			m->v[i].end = s;
		} else if (m->v[i].end > e) {
			m->v[i].start = e;
		} else {
			for (j = i; j + 1 < m->n; j++)
				m->v[j] = m->v[j + 1];
			m->n--;
			i--;
		}
	}
}

static inline void vmodel_map(struct vmodel *m, __u64 s, __u64 e, __u32 prot,
			      bool shared)
{
	unsigned int i, j;

	vmodel_cut(m, s, e);
	for (i = 0; i < m->n && m->v[i].start < s; i++)
		;
	for (j = m->n; j > i; j--)
		m->v[j] = m->v[j - 1];
	m->n++;
	m->v[i].start = s;
	m->v[i].end = e;
	m->v[i].prot = prot;
	m->v[i].shared = shared;
}

static inline int vmodel_find(const struct vmodel *m, __u64 a)
{
	unsigned int i;

	for (i = 0; i < m->n; i++)
		if (a >= m->v[i].start && a < m->v[i].end)
			return i;
	return -1;
}

static inline bool prot_allows(__u32 prot, int type)
{
	switch (type) {
	case OP_READ:
		return prot & (P_R | P_W | P_X);
	case OP_WRITE:
		return prot & P_W;
	case OP_EXEC:
		return prot & P_X;
	}
	return false;
}

/* mprotect of [s, e): every VMA part in it gets @prot. */
static inline void vmodel_protect(struct vmodel *m, __u64 s, __u64 e,
				  __u32 prot)
{
	static struct vmodel parts;
	unsigned int i;

	parts.n = 0;
	for (i = 0; i < m->n; i++) {
		if (m->v[i].end <= s || m->v[i].start >= e)
			continue;
		parts.v[parts.n] = m->v[i];
		if (parts.v[parts.n].start < s)
			parts.v[parts.n].start = s;
		if (parts.v[parts.n].end > e)
			parts.v[parts.n].end = e;
		parts.n++;
	}
	for (i = 0; i < parts.n; i++)
		vmodel_map(m, parts.v[i].start, parts.v[i].end, prot,
			   parts.v[i].shared);
}

/* An access: where it faults (fault_addr, si_code) or not. */
static inline void vmodel_access(const struct vmodel *m, int type, __u64 addr,
				 __u64 len, struct op_res *r)
{
	__u64 at = addr;
	int i;

	memset(r, 0, sizeof(*r));
	while (at < addr + len) {
		i = vmodel_find(m, at);
		if (i < 0 || !prot_allows(m->v[i].prot, type)) {
			r->signo = SIGSEGV;
			r->si_code = i < 0 ? SEGV_MAPERR : SEGV_ACCERR;
			r->fault_addr = at;
			r->done = at - addr;
			return;
		}
		at = m->v[i].end;
	}
	r->done = len;
}

/* A pread (@write false) or pwrite: bytes transferred, or -EIO. */
static inline long long vmodel_transfer(const struct vmodel *m, bool write,
					__u64 addr, __u64 len)
{
	__u64 at = addr;
	int i;

	while (at < addr + len) {
		i = vmodel_find(m, at);
		if (i < 0)
			break;
		if (write && m->v[i].shared && !(m->v[i].prot & P_W))
			break;
		at = m->v[i].end;
	}
	if (at > addr + len)
		at = addr + len;
	if (at == addr && len)
		return -EIO;
	return at - addr;
}

/*
 * Check every access, pread and pwrite of a run against the model, kept
 * up to date by the script's mmap, munmap and mprotect ops (which must
 * succeed).  Returns the number of differences.
 */
static inline unsigned int model_differs(const char *what,
					 const struct op *ops, unsigned int n,
					 const struct script_out *o,
					 const char *who)
{
	static struct vmodel m;
	struct op_res want;
	unsigned int i, bad = 0;
	char s[128];

	m.n = 0;
	for (i = 0; i < n && i < o->n; i++) {
		const struct op *op = &ops[i];
		const struct op_res *r = &o->res[i];

		memset(&want, 0, sizeof(want));
		switch (op->type) {
		case OP_MMAP:
			vmodel_map(&m, op->addr, op->addr + op->len, op->arg,
				   op->flags & M_SHARED);
			continue;
		case OP_MUNMAP:
			vmodel_cut(&m, op->addr, op->addr + op->len);
			continue;
		case OP_MPROTECT:
			if (!r->ret)
				vmodel_protect(&m, op->addr, op->addr + op->len,
					       op->arg);
			continue;
		case OP_READ:
		case OP_WRITE:
		case OP_EXEC:
			vmodel_access(&m, op->type, op->addr, op->len, &want);
			if (want.signo == r->signo &&
			    want.si_code == r->si_code &&
			    want.fault_addr == r->fault_addr &&
			    want.done == r->done && !r->ret)
				continue;
			break;
		case OP_PREAD:
		case OP_PWRITE:
			want.ret = vmodel_transfer(&m, op->type == OP_PWRITE,
						   op->addr, op->len);
			if (want.ret == r->ret)
				continue;
			break;
		default:
			continue;
		}
		op_str(op, s, sizeof(s));
		fprintf(stderr, "#   %s: %s: %s differs from the model\n",
			what, s, who);
		log_res("model", op, &want);
		log_res(who, op, r);
		if (++bad > 40)
			break;
	}
	return bad;
}

/* ------------------------------------------------------------------ */
/* Building scripts */

struct script {
	unsigned int n;
	struct op ops[SCRIPT_MAX_OPS];
	unsigned int narenas;
	__u64 arenas[8][2];
};

static inline void sc_add(struct script *s, int type, __u64 addr, __u64 len,
			  __u32 arg, __u32 flags)
{
	if (s->n >= SCRIPT_MAX_OPS) {
		fprintf(stderr, "# script too long\n");
		abort();
	}
	s->ops[s->n].type = type;
	s->ops[s->n].addr = addr;
	s->ops[s->n].len = len;
	s->ops[s->n].arg = arg;
	s->ops[s->n].flags = flags;
	s->n++;
}

static inline void sc_arena(struct script *s, __u64 start, __u64 end)
{
	s->arenas[s->narenas][0] = start;
	s->arenas[s->narenas][1] = end;
	s->narenas++;
}

/*
 * A mapping with protection @prot and contents: mapped read-write,
 * filled with @seed (see gen_data()), then given @prot; seed 0 leaves it
 * untouched (mapped with @prot at once).
 */
static inline void sc_map(struct script *s, __u64 addr, __u64 len,
			  __u32 prot, __u32 flags, __u32 seed)
{
	if (!seed) {
		sc_add(s, OP_MMAP, addr, len, prot, flags);
		return;
	}
	sc_add(s, OP_MMAP, addr, len, P_RW, flags);
	sc_add(s, OP_SETUP, addr, len, seed, 0);
	if (prot != P_RW)
		sc_add(s, OP_MPROTECT, addr, len, prot, 0);
}

/*
 * Code: a mapping filled with NOPs and, if @ret is not 0, a ret at @ret;
 * then given @prot.
 */
static inline void sc_code(struct script *s, __u64 addr, __u64 len,
			   __u32 prot, __u32 flags, __u64 ret)
{
	sc_add(s, OP_MMAP, addr, len, P_RW, flags);
	sc_add(s, OP_SETUP, addr, len, SEED_BYTE(NOP), 0);
	if (ret)
		sc_add(s, OP_SETUP, ret, 1, SEED_BYTE(RET), 0);
	if (prot != P_RW)
		sc_add(s, OP_MPROTECT, addr, len, prot, 0);
}

/* pread every page of [addr, addr + len) (holes give EIO). */
static inline void sc_read_back(struct script *s, __u64 addr, __u64 len)
{
	__u64 a;

	for (a = addr; a < addr + len; a += PG)
		sc_add(s, OP_PREAD, a, PG, 0, 0);
}

/* With ASPACE_TEST_DUMP set in the environment: every result of a run. */
static inline void dump_run(const char *who, const struct op *ops,
			    unsigned int n, const struct script_out *o)
{
	unsigned int i;
	char s[128];

	if (!getenv("ASPACE_TEST_DUMP"))
		return;
	for (i = 0; i < n && i < o->n; i++) {
		op_str(&ops[i], s, sizeof(s));
		fprintf(stderr, "# %u: %s\n", i, s);
		log_res(who, &ops[i], &o->res[i]);
		if (ops[i].type == OP_MAPS)
			log_maps(who, o, &o->res[i]);
	}
}

/*
 * Run @s on Linux and on @fd; compare them (and, with @model, both with
 * the model).  Reports differences with EXPECT_EQ; returns false if the
 * Linux run itself failed.  @lx and @as: the two outputs.
 */
static inline bool run_compare(struct __test_metadata *_metadata,
			       const char *what, const struct script *s,
			       int fd, bool model, struct script_out *lx,
			       struct script_out *as, int *last_fd)
{
	int ret;

	ret = run_linux((const __u64 (*)[2])s->arenas, s->narenas, s->ops,
			s->n, lx);
	EXPECT_EQ(0, ret) {
		TH_LOG("%s: the Linux run failed at line %d: %s (op %u)", what,
		       lx->error, lx->why, lx->n);
	}
	dump_run("linux", s->ops, s->n, lx);
	if (ret)
		return false;
	if (model)
		EXPECT_EQ(0, model_differs(what, s->ops, s->n, lx, "linux"));
	if (fd < 0)
		return true;
	ret = run_aspace(fd, s->ops, s->n, as, last_fd);
	dump_run("aspace", s->ops, s->n, as);
	EXPECT_EQ(0, ret) {
		TH_LOG("%s: the aspace run failed at line %d: %s", what,
		       as->error, as->why);
	}
	EXPECT_EQ(0, scripts_differ(what, s->ops, s->n, lx, "linux", as,
				    "aspace"));
	return true;
}

/* Does this machine run 5-level paging (can a process map above 2^47)? */
static inline bool host_la57(void)
{
	void *p = mmap((void *)(uintptr_t)ARENA_HIGH, PG, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return false;
	munmap(p, PG);
	return (__u64)(uintptr_t)p == ARENA_HIGH;
}

#endif /* _ASPACE_MEM_UTIL_H */
