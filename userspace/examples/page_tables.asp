# Page tables: what touching memory costs in tables, one address walked
# through them (translate), and the tables of a range as ranges of equal
# entries (ptdump), as the kernel's ptdump shows them.

# 4-level paging: a new address space has only its root, the PML4.
layout 4level
expect stats pgtable_pml4=1 pgtable_pdpt=0 pgtable_pd=0 pgtable_pt=0

# Mapping allocates no table; the first write makes a PDPT, a PD and a PT.
x = mmap 0x40000000 4M rw- MAP_PRIVATE
expect stats pgtable_pdpt=0 pgtable_pt=0
access write $x 1
expect stats pgtable_pdpt=1 pgtable_pd=1 pgtable_pt=1

# The walk of that address: an entry at every level, the leaf at level 0.
translate $x
expect translate level=0 present=1 rw=1 dirty=1 nx=1
# The next page: its page table is there, its entry empty.
translate $x+4K
expect translate level=0 present=0 entry=0
# 2 MiB on: no page table yet; the walk stops at the empty PD entry.
translate $x+2M
expect translate level=1 present=0

# A write there: a second page table, under the same PD.
access write $x+2M 1
expect stats pgtable_pt=2 pgtable_pd=1

# PROT_NONE keeps the page, but its entry is not present: the software
# bit PROTNONE marks it (as in Linux), Accessed and Dirty stay.
mprotect $x 4K ---
translate $x
expect translate level=0 present=0 protnone=1 dirty=1

# The dump: two leaves, and the page-table pages whose first address is
# in the range.  With holes, the empty entries too, each at the level of
# the table it is in; mask= keeps only the bits of the protection.
ptdump $x 4M
expect 2
expect ptdump $x 4M holes mask=RW|USR|NX
0x0000000040000000-0x0000000040001000    4K pt   PROTNONE NX
0x0000000040001000-0x0000000040200000 2044K pt   none
0x0000000040200000-0x0000000040201000    4K pt   P RW USR NX
0x0000000040201000-0x0000000040400000 2044K pt   none
end
