// SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause
/*
 * libaspace: the introspection ioctls (TRANSLATE, PTDUMP, PAGESCAN,
 * CLEAR_REFS), walks that resume PTDUMP and PAGESCAN until a range is
 * done, and the text of page-table entries, dumps, translations and page
 * categories.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "libaspace.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Entries or regions asked for by one call of a walk. */
#define WALK_BATCH	128

#define PAGE_SIZE	4096ULL

/* snprintf() that appends at @*len and keeps counting past @size. */
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + (*len < size ? *len : size),
		      *len < size ? size - *len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += n;
}

int aspace_translate(int fd, __u64 addr, struct aspace_translate *out)
{
	struct aspace_translate arg = {
		.size = sizeof(arg),
		.addr = addr,
	};
	int ret;

	ret = aspace_ioctl(fd, ASPACE_IOC_TRANSLATE, &arg);
	if (ret)
		return ret;
	*out = arg;
	return 0;
}

int aspace_ptdump(int fd, struct aspace_ptdump *dump)
{
	struct aspace_ptdump arg = *dump;
	int ret;

	arg.size = sizeof(arg);
	ret = aspace_ioctl(fd, ASPACE_IOC_PTDUMP, &arg);
	if (ret)
		return ret;
	*dump = arg;
	return 0;
}

int aspace_pagescan(int fd, struct aspace_pagescan *scan)
{
	struct aspace_pagescan arg = *scan;
	int ret;

	arg.size = sizeof(arg);
	ret = aspace_ioctl(fd, ASPACE_IOC_PAGESCAN, &arg);
	if (ret)
		return ret;
	*scan = arg;
	return 0;
}

int aspace_clear_refs(int fd, __u64 start, __u64 end, __u32 flags)
{
	struct aspace_clear_refs arg = {
		.size = sizeof(arg),
		.flags = flags,
		.start = start,
		.end = end,
	};

	return aspace_ioctl(fd, ASPACE_IOC_CLEAR_REFS, &arg);
}

int aspace_walk_ptdump(int fd, __u64 start, __u64 end, __u32 flags,
		       __u64 mask, aspace_ptdump_fn_t fn, void *arg,
		       __u64 *pgtable_pages)
{
	struct aspace_ptdump_entry vec[WALK_BATCH];
	struct aspace_ptdump d;
	__u64 i;
	int ret, l;

	if (pgtable_pages)
		memset(pgtable_pages, 0, 5 * sizeof(*pgtable_pages));
	for (;;) {
		memset(&d, 0, sizeof(d));
		d.flags = flags;
		d.start = start;
		d.end = end;
		d.mask = mask;
		d.vec = (__u64)(uintptr_t)vec;
		d.vec_len = WALK_BATCH;
		ret = aspace_ptdump(fd, &d);
		if (ret)
			return ret;
		for (l = 0; pgtable_pages && l < 5; l++)
			pgtable_pages[l] += d.pgtable_pages[l];
		for (i = 0; i < d.nr_entries; i++) {
			ret = fn(&vec[i], arg);
			if (ret)
				return ret;
		}
		if (d.walk_end >= end)
			return 0;
		/* A call that fits no range would never end. */
		if (!d.nr_entries)
			return -EIO;
		start = d.walk_end;
	}
}

int aspace_walk_pages(int fd, const struct aspace_pagescan *scan,
		      aspace_region_fn_t fn, void *arg)
{
	struct aspace_page_region vec[WALK_BATCH];
	struct aspace_pagescan s = *scan;
	__u64 left = scan->max_pages, i, pages;
	int ret;

	for (;;) {
		s.vec = (__u64)(uintptr_t)vec;
		s.vec_len = WALK_BATCH;
		s.max_pages = left;
		s.walk_end = 0;
		s.nr_regions = 0;
		ret = aspace_pagescan(fd, &s);
		if (ret)
			return ret;
		pages = 0;
		for (i = 0; i < s.nr_regions; i++) {
			pages += (vec[i].end - vec[i].start) / PAGE_SIZE;
			ret = fn(&vec[i], arg);
			if (ret)
				return ret;
		}
		if (s.walk_end >= s.end)
			return 0;
		if (left) {
			left = pages < left ? left - pages : 0;
			if (!left)
				return 0;
		}
		if (!s.nr_regions)
			return -EIO;
		s.start = s.walk_end;
	}
}

/* ---- text ---- */

static const char * const level_names[] = { "pt", "pd", "pdpt", "pml4", "pml5" };

const char *aspace_level_name(unsigned int level)
{
	if (level >= ARRAY_SIZE(level_names))
		return NULL;
	return level_names[level];
}

static const struct {
	__u64 bit;
	const char *name;
} pte_names[] = {
	{ ASPACE_PTE_PRESENT, "P" }, { ASPACE_PTE_RW, "RW" },
	{ ASPACE_PTE_USER, "USR" }, { ASPACE_PTE_PWT, "PWT" },
	{ ASPACE_PTE_PCD, "PCD" }, { ASPACE_PTE_ACCESSED, "A" },
	{ ASPACE_PTE_DIRTY, "D" }, { ASPACE_PTE_PSE, "PSE" },
	{ ASPACE_PTE_GLOBAL, "G" }, { ASPACE_PTE_COW, "COW" },
	{ ASPACE_PTE_PROTNONE, "PROTNONE" }, { ASPACE_PTE_NX, "NX" },
};

const char *aspace_pte_flag_name(__u64 bit)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pte_names); i++)
		if (pte_names[i].bit == bit)
			return pte_names[i].name;
	return NULL;
}

int aspace_pte_flags_str(__u64 entry, char *buf, size_t size)
{
	__u64 other = entry & ~ASPACE_PTE_FRAME_MASK;
	size_t i, len = 0;

	if (size)
		buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(pte_names); i++) {
		if (!(entry & pte_names[i].bit))
			continue;
		other &= ~pte_names[i].bit;
		append(buf, size, &len, "%s%s", len ? " " : "",
		       pte_names[i].name);
	}
	if (other)
		append(buf, size, &len, "%s0x%llx", len ? " " : "",
		       (unsigned long long)other);
	if (!len)
		append(buf, size, &len, "none");
	return len;
}

/* A size as the largest unit that divides it: 4K, 2M, 512G, 256T. */
static void size_str(__u64 bytes, char *buf, size_t size)
{
	static const char units[] = "KMGTPE";
	unsigned int u = 0;

	bytes >>= 10;
	while (units[u + 1] && bytes && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	snprintf(buf, size, "%llu%c", (unsigned long long)bytes, units[u]);
}

int aspace_ptdump_line(const struct aspace_ptdump_entry *e, char *buf,
		       size_t size)
{
	char sz[24], flags[ASPACE_PTE_FLAGS_MAX];
	const char *level = aspace_level_name(e->level);

	size_str(e->end - e->start, sz, sizeof(sz));
	aspace_pte_flags_str(e->flags, flags, sizeof(flags));
	return snprintf(buf, size, "0x%016llx-0x%016llx %6s %-4s %s",
			(unsigned long long)e->start,
			(unsigned long long)e->end, sz, level ? level : "?",
			flags);
}

int aspace_translate_text(const struct aspace_translate *t, char *buf,
			  size_t size)
{
	unsigned int l, top = t->levels ? t->levels - 1 : 0;
	__u64 last = t->level < 5 ? t->entries[t->level] : 0;
	const char *name = aspace_level_name(t->level);
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	append(buf, size, &len, "0x%llx: ", (unsigned long long)t->addr);
	if (t->status & ASPACE_TRANSLATE_PRESENT)
		append(buf, size, &len, "present%s, leaf at level %u (%s)",
		       t->status & ASPACE_TRANSLATE_ZERO_PAGE ?
		       ", the zero page" : "", t->level, name ? name : "?");
	else if (last)
		append(buf, size, &len, "not present, entry at level %u (%s)",
		       t->level, name ? name : "?");
	else
		append(buf, size, &len, "not mapped, no entry at level %u (%s)",
		       t->level, name ? name : "?");
	append(buf, size, &len, ", %u-level paging\n", t->levels);
	for (l = top + 1; l-- > t->level && l < 5;) {
		char flags[ASPACE_PTE_FLAGS_MAX], head[24];
		unsigned int index = (t->addr >> (12 + 9 * l)) & 511;

		aspace_pte_flags_str(t->entries[l], flags, sizeof(flags));
		snprintf(head, sizeof(head), "%s[%u]", aspace_level_name(l),
			 index);
		append(buf, size, &len, "  %-10s 0x%016llx %s\n", head,
		       (unsigned long long)t->entries[l], flags);
	}
	if (!(t->status & ASPACE_TRANSLATE_FRAMES))
		append(buf, size, &len,
		       "  frames hidden (they need CAP_SYS_ADMIN)\n");
	else if (t->status & ASPACE_TRANSLATE_PRESENT)
		append(buf, size, &len, "  phys 0x%llx\n",
		       (unsigned long long)t->phys);
	return len;
}

static const char * const category_names[ASPACE_NR_PAGE_CATEGORIES] = {
	"present", "zero", "dirty", "accessed", "cow_shared", "exclusive",
	"shm", "writable",
};

const char *aspace_page_category_name(unsigned int bit)
{
	if (bit >= ASPACE_NR_PAGE_CATEGORIES)
		return NULL;
	return category_names[bit];
}

int aspace_page_categories_str(__u64 categories, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int b;

	if (size)
		buf[0] = '\0';
	for (b = 0; b < 64; b++) {
		const char *name = aspace_page_category_name(b);

		if (!(categories & (1ULL << b)))
			continue;
		if (name)
			append(buf, size, &len, "%s%s", len ? "," : "", name);
		else
			append(buf, size, &len, "%sbit%u", len ? "," : "", b);
	}
	if (!len)
		append(buf, size, &len, "-");
	return len;
}
