# The brk heap grows and shrinks as brk(2) makes a process's heap do.
#
#   aspacectl run heap.asp
#
# Addresses are those of a process without randomisation (setarch -R):
# the heap starts at two thirds of the 47-bit window, 0x555555555000.

# brk below the heap start (0 here) only asks where the break is.
brk
expect 0x555555555000

# Grow by three pages and 100 bytes.  brk returns the value asked for,
# unaligned; the [heap] VMA ends at the next page boundary.
brk 0x555555555000+12K+100
expect 0x555555558064
expect maps
555555555000-555555559000 rw-p 00000000 00:00 0                          [heap]
end

# No page exists until something touches it: a write to the last page
# allocates one page and its page tables (PT, PD, PDPT under the PML4).
write 0x555555558000 "top of the heap"
expect stats resident_pages=1 pgtable_pt=1 pgtable_pd=1 pgtable_pdpt=1
expect read 0x555555558000 "top of the heap"

# Shrink to one page: the pages above the new break are unmapped and
# freed, and so are the page tables that held only them.
brk 0x555555556000
expect 0x555555556000
expect maps
555555555000-555555556000 rw-p 00000000 00:00 0                          [heap]
end
expect stats resident_pages=0 pgtable_pt=0 data_bytes=4K
access read 0x555555558000 1
expect SIGSEGV SEGV_MAPERR at 0x555555558000

# Grow it again: the memory comes back as zeros, not as it was.
brk 0x555555559000
expect 0x555555559000
expect read 0x555555558000 fill=15*0

# A mapping above the heap: brk keeps a page free below it, as Linux's
# check_brk_limits() and find_vma_intersection(oldbrk, newbrk + PAGE).
mmap 0x555555560000 4K r-- MAP_PRIVATE|MAP_FIXED
expect 0x555555560000
brk 0x555555560000
expect 0x555555559000             # refused: brk returns the old break
brk 0x55555555f000
expect 0x55555555f000             # one free page left: allowed
expect maps
555555555000-55555555f000 rw-p 00000000 00:00 0                          [heap]
555555560000-555555561000 r--p 00000000 00:00 0
end

# RLIMIT_DATA counts the heap (40 KiB now).  Linux checks it before
# anything else, so with 16 KiB allowed even a smaller heap that is
# still over the limit is refused; down to the limit is allowed.
limits data_bytes=16K
brk 0x555555555000+20K
expect 0x55555555f000             # refused: 20 KiB is over the limit
brk 0x555555555000+16K
expect 0x555555559000             # allowed: shrunk to the limit
brk 0x555555555000+16K+1
expect 0x555555559000             # one byte more: refused
expect stats data_bytes=16K
