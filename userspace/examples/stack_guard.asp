# A stack, its growth on a fault below it, and the guard gap kept free
# below it, as Linux's stack_guard_gap (1 MiB by default).

# An address space with a stack: 128 KiB at the top of the 47-bit window,
# as Linux's setup_arg_pages() leaves a new process's stack.
layout stack
expect 0
expect layout flags=stack stack_size=128K stack_guard_gap=1M
expect maps
7ffffffdf000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]
end

# A store just below the stack grows it down, as a page fault does.
access write 0x7ffffffdf000-8K 1
expect 1
expect maps
7ffffffdd000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]
end

# No further than RLIMIT_STACK (stack_bytes, 8 MiB): a store 8 MiB below
# the top faults with SEGV_MAPERR, as nothing is mapped there.
access write 0x7ffffffff000-8M-4K 1
expect SIGSEGV SEGV_MAPERR at 0x7ffffffff000-8M-4K
expect limits stack_bytes=8M

# mmap keeps out of the gap: a hint whose range reaches into the 1 MiB
# below the stack is moved, here to the top-down search's place under
# mmap_base.
mmap 0x7ffffffdd000-1M-8K 16K rw- MAP_PRIVATE
expect 0x7ffff7ffb000

# MAP_FIXED may go anywhere, gap or not: a page 1 MiB + 128 KiB below.
mmap 0x7ffffffdd000-1M-128K 4K rw- MAP_PRIVATE|MAP_FIXED
expect 0x7ffffffdd000-1M-128K

# Now the stack may grow only while 1 MiB stays free above that page,
# which ends at 0x7fffffebe000: down to 0x7ffffffbe000, no further.
access write 0x7ffffffbe000 1
expect 1
access write 0x7ffffffbe000-1 1
expect SIGSEGV SEGV_MAPERR at 0x7ffffffbdfff
expect maps
7ffff7ffb000-7ffff7fff000 rw-p 00000000 00:00 0
7fffffebd000-7fffffebe000 rw-p 00000000 00:00 0
7ffffffbe000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]
end

# The stack is memory like any other: what a store wrote reads back.
access write 0x7ffffffcd000 5 "stack"
expect read 0x7ffffffcd000 "stack"

# Three pages were written: the two the stores grew the stack to, and
# this one; the others were never touched.
expect stats nr_vmas=3 resident_pages=3
