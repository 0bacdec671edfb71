# The tour of aspace (make demo, aspacectl demo): an address space built
# step by step, shown after each step as /proc/PID/maps would show it.
# It is an example like the others: its expect lines are checked.

echo == a new address space (open /dev/aspace): no VMA, only the PML4
maps
expect stats nr_vmas=0 pgtable_pml4=1

echo
echo == mmap 256 KiB rw-, MAP_POPULATE, no hint: top-down below mmap_base
a1 = mmap 0 256K rw- MAP_PRIVATE|MAP_POPULATE
expect 0x7ffff7fbf000
maps
expect stats resident_pages=64 faults=64

echo
echo == mmap 64 KiB r-- at the hint 0x10000000: the hint is free, so used
b1 = mmap 0x10000000 64K r-- MAP_PRIVATE
expect 0x10000000

echo
echo == mmap 16 KiB rw- MAP_FIXED in the middle of it: it splits in three
mmap $b1+16K 16K rw- MAP_PRIVATE|MAP_FIXED
maps
expect maps
10000000-10004000 r--p 00000000 00:00 0
10004000-10008000 rw-p 00000000 00:00 0
10008000-10010000 r--p 00000000 00:00 0
7ffff7fbf000-7ffff7fff000 rw-p 00000000 00:00 0
end

echo
echo == MAP_FIXED_NOREPLACE over it: EEXIST, nothing changes
mmap $b1+16K 4K r-- MAP_PRIVATE|MAP_FIXED_NOREPLACE
expect EEXIST

echo
echo == mprotect the middle of the first mapping r--: split in three
mprotect $a1+64K 64K r--
maps
expect stats nr_vmas=6
echo == and back to rw-: one VMA again
mprotect $a1+64K 64K rw-
expect stats nr_vmas=4

echo
echo == memory: a store, a load, and a store the protection forbids
access write $b1+16K 12 "hello, world"
expect 12
expect read $b1+16K "hello, world"
access write $b1 1
expect SIGSEGV SEGV_ACCERR at $b1
access read 0x20000000 1
expect SIGSEGV SEGV_MAPERR at 0x20000000

echo
echo == the page tables: the walk of the address just written, then a dump
echo == of the mapping: one 4 KiB page, present, writable, accessed, dirty
translate $b1+16K
expect translate level=0 present=1 rw=1 accessed=1 dirty=1
ptdump $b1 64K
expect ptdump $b1 64K
0x0000000010004000-0x0000000010005000 4K pt P RW USR A D NX
end

echo
echo == the heap: brk grows it by 12 KiB + 100 bytes, then shrinks it
brk
expect 0x555555555000
brk 0x555555555000+12K+100
expect 0x555555558064
maps
brk 0x555555556000
expect 0x555555556000

echo
echo == clone: a copy-on-write copy in a new descriptor, b
clone a b
b: stats
b: expect stats resident_pages=65 shared_pages=65 cow_breaks=0
echo == b writes one page: one copy; then unmaps the first mapping
b: access write $a1 1
b: expect stats cow_breaks=1 shared_pages=64
b: munmap $a1 256K
b: maps
echo == a is unchanged
maps
expect stats nr_vmas=5 resident_pages=65
