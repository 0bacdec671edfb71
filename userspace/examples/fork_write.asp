# The working set of a forked child: only what the child writes costs
# memory; what it reads stays shared with the parent.  Shared memory and
# madvise's fork advice change what the child gets, as with fork().

# The parent: 1 MiB of data, written (256 pages), a read-only table that
# was only read (zero page, nothing allocated) and 64 KiB shared.
data = mmap 0x20000000 1M rw- MAP_PRIVATE
write $data fill=1M*0x5a
table = mmap 0x30000000 256K r-- MAP_PRIVATE
access read $table 256K
shm = mmap 0x40000000 64K rw- MAP_SHARED
write $shm "shared"
expect stats resident_pages=257 zero_page_maps=64

# Fork-like clone; the child writes 32 KiB of the data and reads the rest.
# As after fork(), the child's entries are old, and the shared ones clean,
# but its private entries keep the parent's Dirty bits, and the parent
# keeps all of its bits: clear_refs clears them, as /proc/PID/clear_refs
# does, so that what the child does from here on shows alone.
clone a child
use child
expect pageflags $data 1M dirty !accessed cow_shared
expect pageflags $table 256K zero !accessed
expect pageflags $shm 64K !dirty !accessed
use a
expect pageflags $data 1M dirty accessed cow_shared
expect pageflags $table 256K zero accessed
expect pageflags $shm 4K dirty accessed
use child
clear_refs
access write $data 32K
access read $data+32K 1M-32K
expect stats cow_breaks=8 shared_pages=249 zero_page_maps=0

# Its working set, by page (PAGESCAN): the 8 pages it wrote are dirty and
# its own (the copies); the rest of the data was only read, and is still
# shared copy-on-write with the parent; the table was not touched.
pageflags $data 1M
pageflags $data 1M dirty
expect 8
expect pageflags $data 32K dirty exclusive writable
expect pageflags $data+32K 1M-32K accessed cow_shared !dirty
expect pageflags $table 256K zero !accessed
use a
expect stats shared_pages=249

# A write through either side's shared mapping is seen by both.
child: write $shm+6 " by both"
expect read $shm "shared by both"

# MADV_DONTFORK leaves a range out of the next clone; MADV_WIPEONFORK
# gives the next clone zeros there.
madvise $data 512K MADV_DONTFORK
madvise $data+512K 512K MADV_WIPEONFORK
clone a child2
child2: expect maps
20080000-20100000 rw-p 00000000 00:00 0
30000000-30040000 r--p 00000000 00:00 0
40000000-40010000 rw-s 00000000 00:01 *                                  /dev/zero (deleted)
end
child2: expect read $data+512K fill=16*0
expect read $data+512K fill=16*0x5a
child2: expect stats resident_pages=1
