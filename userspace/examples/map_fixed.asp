# MAP_FIXED replaces part of a mapping: the old VMA is split around the
# new one, in one step, as mmap(2) with MAP_FIXED does.

# 64 KiB at a free hint: the hint is honoured.
mmap 0x10000000 64K rw- MAP_PRIVATE
expect 0x10000000
write 0x10000000 fill=64K*0x11
expect stats nr_vmas=1 resident_pages=16

# 16 KiB read-only in the middle, with MAP_FIXED: three VMAs now; the
# four pages in the middle were unmapped (and freed), the new ones read
# as zeros.
mmap 0x10004000 16K r-- MAP_PRIVATE|MAP_FIXED
expect 0x10004000
expect maps
10000000-10004000 rw-p 00000000 00:00 0
10004000-10008000 r--p 00000000 00:00 0
10008000-10010000 rw-p 00000000 00:00 0
end
expect stats nr_vmas=3 resident_pages=12
expect read 0x10003ffe 11 11 00 00
expect read 0x10007ffe 00 00 11 11

# MAP_FIXED_NOREPLACE refuses to replace anything: EEXIST, nothing
# changes.
mmap 0x10004000 4K rw- MAP_PRIVATE|MAP_FIXED_NOREPLACE
expect EEXIST
expect stats nr_vmas=3

# A hint on an occupied range is only a hint: the mapping goes to the
# top-down search's place, below mmap_base (0x7ffff7fff000).
mmap 0x10000000 4K rw- MAP_PRIVATE
expect 0x7ffff7ffe000

# MAP_FIXED over the read-only part with rw- again: the three VMAs merge
# back into one (the memory of the new middle part is fresh).
mmap 0x10004000 16K rw- MAP_PRIVATE|MAP_FIXED
expect maps
10000000-10010000 rw-p 00000000 00:00 0
7ffff7ffe000-7ffff7fff000 rw-p 00000000 00:00 0
end

# MAP_FIXED over a range that is partly a hole and partly two mappings:
# one new VMA covers it all.
munmap 0x10004000 16K
mmap 0x10002000 32K r-x MAP_SHARED|MAP_FIXED
expect maps
10000000-10002000 rw-p 00000000 00:00 0
10002000-1000a000 r-xs 00000000 00:01 *                                  /dev/zero (deleted)
1000a000-10010000 rw-p 00000000 00:00 0
7ffff7ffe000-7ffff7fff000 rw-p 00000000 00:00 0
end
expect stats resident_pages=8
