// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of libaspace's introspection functions: the wrappers
 * of TRANSLATE, PTDUMP, PAGESCAN and CLEAR_REFS against the raw ioctls,
 * the walks that resume a dump and a scan (many more ranges than one call
 * takes; max_pages across calls; a callback that stops the walk), and the
 * text of entries, dump lines, translations and page categories, exact
 * and cut short.
 */
#include <stddef.h>
#include <sys/ioctl.h>

#include "kselftest_harness.h"
#include "aspace_test_util.h"

#define X	FIXED_AREA
/* Pages written one in two: ranges of written and empty entries alternate. */
#define NPAGES	600
#define MAXV	4096

static struct aspace_ptdump_entry ents[MAXV], walked[MAXV];
static struct aspace_page_region regs[MAXV], wregs[MAXV];

FIXTURE(lib) {
	int fd;
};

FIXTURE_SETUP(lib)
{
	int i;

	self->fd = aspace_open(0);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, aspace_mmap(self->fd, X, PAGES(NPAGES), P_RW,
				 M_PRIV | M_FIXED, NULL));
	for (i = 0; i < NPAGES; i += 2)
		ASSERT_EQ(1, aspace_write(self->fd, X + PAGES(i), "x", 1));
}

FIXTURE_TEARDOWN(lib)
{
	close(self->fd);
}

static int collect_entry(const struct aspace_ptdump_entry *e, void *arg)
{
	int *n = arg;

	if (*n < MAXV)
		walked[*n] = *e;
	(*n)++;
	return 0;
}

/* A whole dump at once and walked in pieces: the same ranges and counts. */
TEST_F(lib, walk_ptdump_resumes)
{
	struct aspace_ptdump d = {
		.flags = ASPACE_PTDUMP_HOLES,
		.start = 0,
		.end = TASK_SIZE_4L,
		.vec = (uintptr_t)ents,
		.vec_len = MAXV,
	};
	struct aspace_stats st;
	__u64 pages[5];
	int n = 0, l;

	ASSERT_EQ(0, aspace_ptdump(self->fd, &d));
	ASSERT_EQ(TASK_SIZE_4L, d.walk_end);
	ASSERT_LT(300, d.nr_entries);
	ASSERT_EQ(0, aspace_walk_ptdump(self->fd, 0, TASK_SIZE_4L,
					ASPACE_PTDUMP_HOLES, 0, collect_entry,
					&n, pages));
	ASSERT_EQ((int)d.nr_entries, n);
	EXPECT_EQ(0, memcmp(ents, walked, n * sizeof(*ents)));
	ASSERT_EQ(0, aspace_stats(self->fd, &st));
	for (l = 0; l < 5; l++) {
		EXPECT_EQ(st.pgtable_pages[l], pages[l]) TH_LOG("level %d", l);
		EXPECT_EQ(d.pgtable_pages[l], pages[l]) TH_LOG("level %d", l);
	}
	/* Without holes: the written pages, one range each. */
	n = 0;
	ASSERT_EQ(0, aspace_walk_ptdump(self->fd, X, X + PAGES(NPAGES), 0, 0,
					collect_entry, &n, NULL));
	EXPECT_EQ(NPAGES / 2, n);
	EXPECT_EQ(X + PAGES(2), walked[1].start);
}

static int stop_at_three(const struct aspace_ptdump_entry *e, void *arg)
{
	int *n = arg;

	(void)e;
	return ++*n == 3 ? 42 : 0;
}

TEST_F(lib, walk_ptdump_stops)
{
	int n = 0;

	EXPECT_EQ(42, aspace_walk_ptdump(self->fd, X, X + PAGES(NPAGES), 0, 0,
					 stop_at_three, &n, NULL));
	EXPECT_EQ(3, n);
	/* Errors of the ioctl: an unaligned start. */
	EXPECT_EQ(-EINVAL, aspace_walk_ptdump(self->fd, 1, PAGES(1), 0, 0,
					      stop_at_three, &n, NULL));
}

static int collect_region(const struct aspace_page_region *r, void *arg)
{
	int *n = arg;

	if (*n < MAXV)
		wregs[*n] = *r;
	(*n)++;
	return 0;
}

/* A whole scan at once and walked in pieces; max_pages across pieces. */
TEST_F(lib, walk_pages_resumes)
{
	struct aspace_pagescan s = {
		.start = X,
		.end = X + PAGES(NPAGES),
		.return_mask = ASPACE_PAGE_CATEGORIES,
		.vec = (uintptr_t)regs,
		.vec_len = MAXV,
	};
	__u64 pages = 0;
	int n = 0, i;

	ASSERT_EQ(0, aspace_pagescan(self->fd, &s));
	ASSERT_EQ(X + PAGES(NPAGES), s.walk_end);
	ASSERT_EQ(NPAGES, (int)s.nr_regions);
	ASSERT_EQ(0, aspace_walk_pages(self->fd, &s, collect_region, &n));
	ASSERT_EQ(NPAGES, n);
	EXPECT_EQ(0, memcmp(regs, wregs, n * sizeof(*regs)));

	/* The dirty pages only, at most 200 of them, over several calls. */
	s.category_mask = ASPACE_PAGE_DIRTY;
	s.max_pages = 200;
	n = 0;
	ASSERT_EQ(0, aspace_walk_pages(self->fd, &s, collect_region, &n));
	for (i = 0; i < n; i++)
		pages += (wregs[i].end - wregs[i].start) / PG;
	EXPECT_EQ(200, (int)pages);
	EXPECT_EQ(X + PAGES(398), wregs[n - 1].start);
}

/* CLEAR_REFS, then the dirty pages are gone from a scan and a translate. */
TEST_F(lib, clear_refs_and_translate)
{
	struct aspace_translate t, raw = {
		.size = sizeof(raw),
		.addr = X,
	};
	struct aspace_pagescan s = {
		.start = X,
		.end = X + PAGES(NPAGES),
		.category_mask = ASPACE_PAGE_DIRTY,
	};

	ASSERT_EQ(0, aspace_translate(self->fd, X, &t));
	ASSERT_EQ(0, ioctl(self->fd, ASPACE_IOC_TRANSLATE, &raw));
	EXPECT_EQ(0, memcmp(&raw, &t, sizeof(t)));
	EXPECT_TRUE(t.status & ASPACE_TRANSLATE_PRESENT);
	EXPECT_TRUE(t.entries[0] & ASPACE_PTE_DIRTY);

	ASSERT_EQ(0, aspace_clear_refs(self->fd, X, X + PAGES(NPAGES),
				       ASPACE_CLEAR_DIRTY));
	ASSERT_EQ(0, aspace_translate(self->fd, X, &t));
	EXPECT_FALSE(t.entries[0] & ASPACE_PTE_DIRTY);
	EXPECT_TRUE(t.entries[0] & ASPACE_PTE_ACCESSED);
	ASSERT_EQ(0, aspace_pagescan(self->fd, &s));
	EXPECT_EQ(X + PAGES(NPAGES), s.walk_end);
	EXPECT_EQ(0, (int)s.nr_regions);

	EXPECT_EQ(-EINVAL, aspace_clear_refs(self->fd, X, X + PG, 0));
	EXPECT_EQ(-EINVAL, aspace_translate(self->fd, TASK_SIZE_4L, &t));
	EXPECT_EQ(-EFAULT, aspace_pagescan(self->fd, &(struct aspace_pagescan){
		.start = X, .end = X - PG }));
}

TEST(text)
{
	struct aspace_ptdump_entry e = {
		.start = 0x7ffff7fbf000ULL,
		.end = 0x7ffff7fff000ULL,
		.flags = ASPACE_PTE_PRESENT | ASPACE_PTE_RW | ASPACE_PTE_USER |
			 ASPACE_PTE_ACCESSED | ASPACE_PTE_DIRTY | ASPACE_PTE_NX,
	};
	char buf[ASPACE_TRANSLATE_TEXT_MAX], small[8];

	EXPECT_EQ(65, aspace_ptdump_line(&e, buf, sizeof(buf)));
	EXPECT_STREQ("0x00007ffff7fbf000-0x00007ffff7fff000   256K pt   P RW USR A D NX",
		     buf);
	e.start = 0;
	e.end = 1ULL << 39;
	e.flags = 0;
	e.level = 3;
	aspace_ptdump_line(&e, buf, sizeof(buf));
	EXPECT_STREQ("0x0000000000000000-0x0000008000000000   512G pml4 none",
		     buf);

	EXPECT_EQ(15, aspace_pte_flags_str(ASPACE_PTE_FRAME_MASK | 0x67 |
					   ASPACE_PTE_NX, buf, sizeof(buf)));
	EXPECT_STREQ("P RW USR A D NX", buf);
	aspace_pte_flags_str(ASPACE_PTE_COW | ASPACE_PTE_PROTNONE | (1ULL << 11),
			     buf, sizeof(buf));
	EXPECT_STREQ("COW PROTNONE 0x800", buf);
	/* Cut short: the length it would have, a terminated prefix. */
	EXPECT_EQ(15, aspace_pte_flags_str(0x8000000000000067ULL, small,
					   sizeof(small)));
	EXPECT_STREQ("P RW US", small);

	EXPECT_STREQ("pt", aspace_level_name(0));
	EXPECT_STREQ("pml5", aspace_level_name(4));
	EXPECT_EQ(NULL, aspace_level_name(5));
	EXPECT_STREQ("D", aspace_pte_flag_name(ASPACE_PTE_DIRTY));
	EXPECT_EQ(NULL, aspace_pte_flag_name(3));

	aspace_page_categories_str(ASPACE_PAGE_PRESENT | ASPACE_PAGE_DIRTY |
				   ASPACE_PAGE_COW_SHARED | (1ULL << 9), buf,
				   sizeof(buf));
	EXPECT_STREQ("present,dirty,cow_shared,bit9", buf);
	aspace_page_categories_str(0, buf, sizeof(buf));
	EXPECT_STREQ("-", buf);
	EXPECT_STREQ("writable", aspace_page_category_name(7));
	EXPECT_EQ(NULL, aspace_page_category_name(ASPACE_NR_PAGE_CATEGORIES));
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

TEST_F(lib, translate_text)
{
	char buf[ASPACE_TRANSLATE_TEXT_MAX], want[64];
	struct aspace_translate t;

	ASSERT_EQ(0, aspace_translate(self->fd, X, &t));
	ASSERT_LT(0, aspace_translate_text(&t, buf, sizeof(buf)));
	EXPECT_TRUE(starts_with(buf, "0x100000000: present, leaf at level 0 "
				"(pt), 4-level paging\n")) TH_LOG("%s", buf);
	snprintf(want, sizeof(want), "  pt[0]      0x%016llx P RW USR A D NX\n",
		 (unsigned long long)t.entries[0]);
	EXPECT_NE(NULL, strstr(buf, want)) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "  pml4[0]  ")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "  pdpt[4]  ")) TH_LOG("%s", buf);

	/* Past the mapping's PT: the walk stops in the PD. */
	ASSERT_EQ(0, aspace_translate(self->fd, X + (1ULL << 30), &t));
	aspace_translate_text(&t, buf, sizeof(buf));
	EXPECT_TRUE(starts_with(buf, "0x140000000: not mapped, no entry at "
				"level 2 (pdpt),")) TH_LOG("%s", buf);
}

TEST_HARNESS_MAIN
