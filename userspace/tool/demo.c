// SPDX-License-Identifier: GPL-2.0
/*
 * aspacectl demo: build an address space step by step and show it after
 * each step, in the format of /proc/PID/maps, with its page-table pages.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "aspacectl.h"
#include "libaspace.h"

#define PAGE	4096ULL

static void show(int fd, const char *what)
{
	struct aspace_stats st;

	printf("\n== %s\n", what);
	aspacectl_print_maps(fd, stdout);
	if (aspace_stats(fd, &st))
		return;
	printf("   %llu VMAs, %llu KiB mapped, %llu pages resident, ",
	       (unsigned long long)st.nr_vmas,
	       (unsigned long long)st.mapped_bytes >> 10,
	       (unsigned long long)st.resident_pages);
	printf("page tables: %llu PT %llu PD %llu PDPT %llu PML4 %llu PML5\n",
	       (unsigned long long)st.pgtable_pages[0],
	       (unsigned long long)st.pgtable_pages[1],
	       (unsigned long long)st.pgtable_pages[2],
	       (unsigned long long)st.pgtable_pages[3],
	       (unsigned long long)st.pgtable_pages[4]);
}

static int check(int ret, const char *what)
{
	if (ret < 0)
		fprintf(stderr, "aspacectl demo: %s: %s\n", what, strerror(-ret));
	return ret;
}

static int demo_mappings(int fd, __u64 *a, __u64 *b)
{
	const __u32 rw = PROT_READ | PROT_WRITE;
	const __u32 priv = MAP_PRIVATE | MAP_ANONYMOUS;
	__u64 c;

	if (check(aspace_mmap(fd, 0, 64 * PAGE, rw, priv | MAP_POPULATE, a),
		  "mmap"))
		return -1;
	show(fd, "mmap 256 KiB rw, MAP_POPULATE, no hint: top-down from mmap_base");
	if (check(aspace_mmap(fd, 0x10000000, 16 * PAGE, PROT_READ, priv, b),
		  "mmap hint"))
		return -1;
	show(fd, "mmap 64 KiB r--, hint 0x10000000: the hint is free, so honoured");
	if (check(aspace_mmap(fd, *b + 4 * PAGE, 4 * PAGE, rw,
			      priv | MAP_FIXED, &c), "mmap fixed"))
		return -1;
	show(fd, "mmap 16 KiB rw MAP_FIXED in the middle of it: replaces, splits in three");
	if (aspace_mmap(fd, *b + 4 * PAGE, PAGE, PROT_READ,
			priv | MAP_FIXED_NOREPLACE, &c) != -EEXIST) {
		fprintf(stderr, "aspacectl demo: MAP_FIXED_NOREPLACE did not fail with EEXIST\n");
		return -1;
	}
	printf("\n== MAP_FIXED_NOREPLACE over it: EEXIST, nothing changed\n");
	return 0;
}

static int demo_protect(int fd, __u64 a)
{
	if (check(aspace_mprotect(fd, a + 16 * PAGE, 16 * PAGE, PROT_READ),
		  "mprotect"))
		return -1;
	show(fd, "mprotect the middle of the first mapping r--: split in three");
	if (check(aspace_mprotect(fd, a + 16 * PAGE, 16 * PAGE,
				  PROT_READ | PROT_WRITE), "mprotect back"))
		return -1;
	show(fd, "mprotect it back to rw-: merged into one VMA again");
	return 0;
}

static int demo_heap(int fd)
{
	__u64 start, brk;

	if (check(aspace_brk(fd, 0, &start), "brk query"))
		return -1;
	printf("\n== brk(0): the break is 0x%llx\n", (unsigned long long)start);
	if (check(aspace_brk(fd, start + 3 * PAGE + 100, &brk), "brk grow"))
		return -1;
	printf("   brk(start + 12388) returns 0x%llx\n", (unsigned long long)brk);
	show(fd, "the heap grew: page aligned [heap] VMA");
	if (check(aspace_brk(fd, start + PAGE, &brk), "brk shrink"))
		return -1;
	show(fd, "brk(start + 4096): the heap shrank");
	return 0;
}

static int demo_clone(int fd, __u64 a)
{
	int cfd;

	if (check(aspace_clone(fd, 0, &cfd), "clone"))
		return -1;
	show(cfd, "clone: a new descriptor with a copy of everything");
	if (check(aspace_munmap(cfd, a, 64 * PAGE), "munmap in clone"))
		return -1;
	show(cfd, "munmap the first mapping in the clone");
	show(fd, "the original is unchanged");
	aspace_close(cfd);
	return 0;
}

/**
 * aspacectl_demo() - the demo command
 * @argc: number of arguments (none taken)
 * @argv: the arguments
 *
 * Return: the exit status.
 */
int aspacectl_demo(int argc, char **argv)
{
	__u64 a, b;
	int fd, ret;

	(void)argv;
	if (argc) {
		fprintf(stderr, "usage: aspacectl demo\n");
		return 2;
	}
	fd = aspacectl_open_dev();
	if (fd < 0)
		return 1;
	show(fd, "a new, empty address space (open /dev/aspace)");
	ret = demo_mappings(fd, &a, &b) || demo_protect(fd, a) ||
	      demo_heap(fd) || demo_clone(fd, a);
	aspace_close(fd);
	return ret ? 1 : 0;
}
