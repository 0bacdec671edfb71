# Copy-on-write after a clone, counted by STATS, as fork() shares a
# process's private pages until one side writes.

# 16 pages, each written once (MAP_POPULATE faults them in as writes).
x = mmap 0 64K rw- MAP_PRIVATE|MAP_POPULATE
expect stats resident_pages=16 faults=16 cow_breaks=0
write $x "parent"

# The clone b maps the same 16 pages, read-only, on both sides.
clone a b
expect stats resident_pages=16 shared_pages=16
b: expect stats resident_pages=16 shared_pages=16 cow_breaks=0
b: expect read $x "parent"

# A store in b copies the page it hits: one copy, one page less shared.
b: access write $x 5 "child"
b: expect stats cow_breaks=1 shared_pages=15 resident_pages=16
b: expect read $x "childt"
expect read $x "parent"
expect stats shared_pages=15

# The same page in a: b has its own copy now, so a reuses the page it
# has, making it writable again: no copy.
access write $x 6 "PARENT"
expect stats cow_breaks=0 shared_pages=15

# A store over the whole range in b: 15 more copies.
b: access write $x 64K
b: expect stats cow_breaks=16 shared_pages=0
expect stats shared_pages=0

# An eager clone copies every private page at once: nothing is shared.
clone a c eager
c: expect stats resident_pages=16 shared_pages=0 cow_breaks=0
c: expect read $x "PARENT"

# Closing a clone gives its pages back; the others keep theirs.
close b
close c
expect stats resident_pages=16 shared_pages=0
