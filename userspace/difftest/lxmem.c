// SPDX-License-Identifier: GPL-2.0
/*
 * In a worker: loads and stores on its own memory, a SIGSEGV caught and
 * reported as aspace's ASPACE_IOC_ACCESS reports it, and the snapshot of
 * the windows: the VMAs from /proc/self/smaps (the lines of maps, and the
 * dc and wf of VmFlags: MADV_DONTFORK and MADV_WIPEONFORK), and the pages, read
 * directly where the VMA is readable (through /proc/self/mem where it is
 * not).  A private page /proc/self/pagemap shows neither present nor
 * swapped is zero and is not read, so that the snapshot maps no zero page
 * where the sequence did not.  Nothing here allocates memory.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <linux/aspace.h>

#include "difftest.h"

#define PM_PRESENT	0x8000000000000000ULL
#define PM_SWAP		0x4000000000000000ULL

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

static inline void wrpkru(unsigned int pkru)
{
	asm volatile(".byte 0x0f,0x01,0xef" : : "a" (pkru), "c" (0), "d" (0)
		     : "memory");
}

void lxmem_init(void)
{
	unsigned int a, b, c = 0, d;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = lx_segv;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	/* OSPKE: the kernel uses protection keys */
	lx_pku = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (c & (1u << 4));
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

/* Loads (or stores) of [addr, addr + len), byte by byte, in order. */
static void do_access(bool write, __u64 addr, __u64 len, unsigned char *buf)
{
	__u64 i;

	if (lx_pku)
		wrpkru(0);
	for (i = 0; i < len; i++) {
		if (write)
			lx_store(addr + i, buf[i]);
		else
			buf[i] = lx_load(addr + i);
	}
}

void lxmem_access(bool write, __u64 addr, __u64 len, unsigned char *buf,
		  struct dres *r)
{
	/* nothing the fault path needs lives in a register across it */
	r->done = len;
	r->fault = addr;
	if (!sigsetjmp(lx_jb, 1)) {
		do_access(write, r->fault, r->done, buf);
		r->fault = 0;
		return;
	}
	r->signo = lx_signo;
	r->code = lx_code;
	r->done = lx_addr - r->fault;
	r->fault = lx_addr;
}

static bool lx_copy(unsigned char *dst, __u64 src)
{
	if (sigsetjmp(lx_jb, 1))
		return false;
	if (lx_pku)
		wrpkru(0);
	memcpy(dst, (const void *)(uintptr_t)src, PG);
	return true;
}

static char maps_buf[1 << 17];
static __u64 pagemap[WIN_PAGES];

static long read_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < size - 1) {
		n = read(fd, buf + len, size - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return len;
}

static const char *num(const char *p, unsigned int base, __u64 *v)
{
	*v = 0;
	for (;; p++) {
		unsigned int d;

		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else
			return p;
		*v = *v * base + d;
	}
}

/* A header line of /proc/self/smaps: its range, flags, inode and offset. */
static const char *parse_line(const char *p, struct svma *v)
{
	const char *name;
	__u64 dev;

	p = num(p, 16, &v->start);
	p = num(p + 1, 16, &v->end);
	v->flags = (p[1] == 'r' ? ASPACE_VMA_READ : 0) |
		   (p[2] == 'w' ? ASPACE_VMA_WRITE : 0) |
		   (p[3] == 'x' ? ASPACE_VMA_EXEC : 0) |
		   (p[4] == 's' ? ASPACE_VMA_SHARED : 0);
	p = num(p + 6, 16, &v->pgoff);
	p = num(p + 1, 16, &dev);
	p = num(p + 1, 16, &dev);
	p = num(p + 1, 10, &v->obj);
	while (*p == ' ')
		p++;
	name = p;
	if (!strncmp(name, "[heap]", 6))
		v->flags |= ASPACE_VMA_HEAP;
	p = strchr(p, '\n');
	return p ? p + 1 : name + strlen(name);
}

static void add_vma(struct snap *s, const struct bases *b,
		    const struct svma *v)
{
	unsigned int w;

	for (w = 0; w < NWIN; w++) {
		__u64 lo = b->lo[w], hi = lo + win_size[w];
		__u64 cs = v->start < lo ? lo : v->start;
		__u64 ce = v->end > hi ? hi : v->end;
		struct svma *o;

		if (cs >= ce || s->nv == MAX_VMAS)
			continue;
		o = &s->v[s->nv++];
		*o = *v;
		o->win = w;
		o->start = cs - lo;
		o->end = ce - lo;
		if (!(v->flags & ASPACE_VMA_SHARED)) {
			o->obj = 0;
			o->pgoff = 0;
		} else {
			o->pgoff += cs - v->start;
		}
	}
}

static void snap_pages(int mem, const struct bases *b, struct snap *s)
{
	unsigned int i, g;
	__u64 off;

	for (i = 0; i < s->nv; i++) {
		const struct svma *v = &s->v[i];
		bool shared = v->flags & ASPACE_VMA_SHARED;

		for (off = v->start; off < v->end; off += PG) {
			__u64 a = b->lo[v->win] + off;

			g = gpage(v->win, off);
			s->tag[g] = T_ZERO;
			if (!shared && !(pagemap[g] & (PM_PRESENT | PM_SWAP)))
				continue;
			s->tag[g] = T_DATA;
			if ((v->flags & (ASPACE_VMA_READ | ASPACE_VMA_WRITE |
					 ASPACE_VMA_EXEC)) &&
			    lx_copy(s->page[g], a))
				continue;
			if (pread(mem, s->page[g], PG, (off_t)a) != (ssize_t)PG)
				memset(s->page[g], 0xee, PG);
		}
	}
}

/* A "Name:   N kB" line of /proc/self/status, in bytes. */
static __u64 status_kb(const char *name)
{
	const char *p = strstr(maps_buf, name);
	__u64 v = 0;

	if (!p)
		return 0;
	for (p += strlen(name); *p == ' ' || *p == '\t'; p++)
		;
	num(p, 10, &v);
	return v << 10;
}

/*
 * Bytes mapped but the stack's (which a signal frame may grow), and bytes
 * of data: total_vm - stack_vm and data_vm, as aspace's STATS counts them.
 */
void lxmem_status(__u64 *mapped, __u64 *data)
{
	*mapped = 0;
	*data = 0;
	if (read_file("/proc/self/status", maps_buf, sizeof(maps_buf)) < 0)
		return;
	*mapped = status_kb("\nVmSize:") - status_kb("\nVmStk:");
	*data = status_kb("\nVmData:");
}

/* The VmFlags line of smaps: dc and wf. */
static __u32 vm_flags(const char *p)
{
	const char *nl = strchr(p, '\n');
	__u32 f = 0;

	for (; *p && p != nl; p++) {
		if (p[0] != ' ' || !p[1] || !p[2])
			continue;
		if (p[1] == 'd' && p[2] == 'c')
			f |= ASPACE_VMA_DONTFORK;
		if (p[1] == 'w' && p[2] == 'f')
			f |= ASPACE_VMA_WIPEONFORK;
	}
	return f;
}

void lxmem_snap(int mem, const struct bases *b, struct snap *s)
{
	const char *p = maps_buf, *nl;
	bool pending = false;
	struct svma v;
	unsigned int w;
	int fd;

	s->nv = 0;
	memset(s->tag, T_NONE, sizeof(s->tag));
	memset(pagemap, 0xff, sizeof(pagemap));
	if (read_file("/proc/self/smaps", maps_buf, sizeof(maps_buf)) < 0)
		return;
	while (*p) {
		if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')) {
			memset(&v, 0, sizeof(v));
			p = parse_line(p, &v);
			pending = true;
			continue;
		}
		if (pending && !strncmp(p, "VmFlags:", 8)) {
			v.flags |= vm_flags(p + 8);
			add_vma(s, b, &v);
			pending = false;
		}
		nl = strchr(p, '\n');
		p = nl ? nl + 1 : p + strlen(p);
	}
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	for (w = 0; fd >= 0 && w < NWIN; w++)
		if (pread(fd, &pagemap[gpage(w, 0)], win_size[w] / PG * 8,
			  (off_t)(b->lo[w] / PG * 8)) < 0)
			break;
	if (fd >= 0)
		close(fd);
	snap_pages(mem, b, s);
}
