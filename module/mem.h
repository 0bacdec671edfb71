/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page and object allocation for aspace, with the module-wide page and
 * object counters and the fault-injection hook every allocation goes through.
 */
#ifndef _ASPACE_MEM_H
#define _ASPACE_MEM_H

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/mm_types.h>
#include <linux/moduleparam.h>

/**
 * struct asp_param_bytes - a module parameter with a default made at load
 * @val: the value in force
 * @given: set by insmod (or later through sysfs): keep @val
 */
struct asp_param_bytes {
	unsigned long val;
	bool given;
};

extern const struct kernel_param_ops asp_param_bytes_ops;

extern atomic_long_t asp_nr_data_pages;
extern atomic_long_t asp_nr_table_pages;
extern atomic_long_t asp_nr_vmas;
extern atomic_long_t asp_nr_mms;

void asp_mem_init(void);
unsigned long asp_totalram_bytes(void);

#ifdef CONFIG_FAULT_INJECTION
bool asp_should_fail_alloc(void);
void asp_fault_inject_init(void);
void asp_fault_inject_exit(void);
#if IS_ENABLED(CONFIG_ASPACE_KUNIT_TEST)
void asp_fail_nth_set(int nth);
int asp_fail_nth_get(void);
#endif
#else
static inline bool asp_should_fail_alloc(void)
{
	return false;
}

static inline void asp_fault_inject_init(void)
{
}

static inline void asp_fault_inject_exit(void)
{
}
#endif

struct page *asp_data_page_alloc(void);
struct page *asp_data_page_alloc_shm(void);
bool asp_data_page_is_shm(struct page *page);
void asp_data_page_get(struct page *page);
void asp_data_page_put(struct page *page);
bool asp_data_page_shared(struct page *page);

struct page *asp_table_page_alloc(struct mm_struct *owner);
void asp_table_page_free(struct page *page, struct mm_struct *owner);

void asp_owner_rss_add(struct mm_struct *owner, struct page *page, long pages);
void asp_owner_tables_add(struct mm_struct *owner, long tables);

#endif /* _ASPACE_MEM_H */
