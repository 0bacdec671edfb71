// SPDX-License-Identifier: GPL-2.0
/*
 * The Linux side: worker processes, each one address space, that make the
 * real system calls on themselves when the tester tells them to.
 *
 * The first worker is forked from the tester for every run; a fork step
 * forks a worker, whose child becomes another slot.  Commands and results
 * go through a shared mapping (one struct slot a worker), with a byte on a
 * pipe to say "go" and one to say "done"; every worker holds the pipes of
 * every slot, so the child of a fork can take over any free one.
 *
 * A worker never allocates memory (no malloc, no stdio), so nothing but the
 * sequence changes its address space: its break moves only by brk steps
 * (raw system calls), and its mappings only by the steps.  Loads and
 * stores run with every protection key allowing access (PKRU 0), as
 * aspace models a CPU without protection keys.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/aspace.h>

#include "difftest.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

#define REPLY_TIMEOUT_MS	30000

struct slot {
	struct dop op;
	__u64 addr;		/* the step's address on this side */
	unsigned int newslot;	/* fork: the child's slot */
	int pid;		/* the worker's pid */
	struct dres res;
	struct bases b;		/* the windows (first reply) */
	__u64 base_mapped;	/* the worker's own, before the steps */
	__u64 base_data;
	char why[128];
	unsigned char io[IO_MAX];
	struct snap snap;
};

struct lx {
	struct slot *slot;	/* MAX_SP, shared */
	int cmd[MAX_SP][2];
	int rep[MAX_SP][2];
	bool live[MAX_SP];
};

struct lx *lx_new(void)
{
	struct lx *lx = calloc(1, sizeof(*lx));
	void *p;

	if (!lx)
		return NULL;
	p = mmap(NULL, MAX_SP * sizeof(struct slot), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		free(lx);
		return NULL;
	}
	lx->slot = p;
	return lx;
}

/* --- in the worker --- */

static int w_slot;
static int w_mem = -1;

static void w_reply(struct lx *lx)
{
	char c = 'r';

	if (write(lx->rep[w_slot][1], &c, 1) != 1)
		_exit(3);
}

static void w_fail(struct lx *lx, const char *why, int err)
{
	struct slot *s = &lx->slot[w_slot];
	size_t n = strlen(why);

	if (n >= sizeof(s->why) - 8)
		n = sizeof(s->why) - 8;
	memcpy(s->why, why, n);
	s->why[n] = ' ';
	s->why[n + 1] = '0' + (err / 100) % 10;
	s->why[n + 2] = '0' + (err / 10) % 10;
	s->why[n + 3] = '0' + err % 10;
	s->why[n + 4] = '\0';
	w_reply(lx);
	_exit(2);
}

/* Is [a, a + len) free here? */
static bool w_free(__u64 a, __u64 len)
{
	void *p = mmap((void *)(uintptr_t)a, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
		       -1, 0);

	if (p == MAP_FAILED)
		return false;
	munmap(p, len);
	return (uintptr_t)p == a;
}

/*
 * P: just below the lowest mapping under mmap_base.  A one-page probe
 * goes into the highest free gap; if the window does not fit below it,
 * the probe stays as a filler and the next one goes lower.
 */
static int w_find_p(__u64 *lo)
{
	int tries;
	void *p;

	for (tries = 0; tries < 256; tries++) {
		p = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		*lo = (uintptr_t)p + PG - PAGES(P_PAGES);
		munmap(p, PG);
		if (w_free(*lo, PAGES(P_PAGES)))
			return 0;
		if (mmap(p, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
			 MAP_FIXED_NOREPLACE, -1, 0) != p)
			return -EEXIST;
	}
	return -ENOSPC;
}

static void w_setup(struct lx *lx)
{
	struct slot *s = &lx->slot[0];
	unsigned long cur, h;
	int ret, i;

	for (i = 0; i < MAX_SP; i++) {
		close(lx->cmd[i][1]);
		close(lx->rep[i][0]);
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	lxmem_init();
	s->pid = getpid();
	if (!w_free(W_BASE, PAGES(W_PAGES)))
		w_fail(lx, "window W is not free", 0);
	cur = syscall(SYS_brk, 0);
	h = (cur + PG - 1) & ~(PG - 1);
	if ((unsigned long)syscall(SYS_brk, h) != h)
		w_fail(lx, "brk to the page boundary failed", 0);
	if (!w_free(h, PAGES(H_PAGES)))
		w_fail(lx, "window H is not free", 0);
	s->b.lo[WIN_W] = W_BASE;
	s->b.lo[WIN_H] = h;
	ret = w_find_p(&s->b.lo[WIN_P]);
	if (ret)
		w_fail(lx, "no room for window P", -ret);
	w_mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (w_mem < 0)
		w_fail(lx, "/proc/self/mem", errno);
	lxmem_status(&s->base_mapped, &s->base_data);
	w_reply(lx);
}

static void w_fork(struct lx *lx, struct slot *s)
{
	unsigned int to = s->newslot;
	pid_t pid = fork();

	if (pid < 0) {
		s->res.ret = -errno;
		return;
	}
	if (pid > 0) {
		lx->slot[to].pid = pid;	/* known before the parent replies */
		return;
	}
	w_slot = to;
	lx->slot[to].b = s->b;
	lx->slot[to].base_mapped = s->base_mapped;
	lx->slot[to].base_data = s->base_data;
	memset(&lx->slot[to].res, 0, sizeof(s->res));
	close(w_mem);
	/* /proc/self/mem opened before the fork is the parent's memory */
	w_mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (w_mem < 0)
		w_fail(lx, "/proc/self/mem in the child", errno);
	/* w_main() replies: the parent on its slot, the child on its own */
}

static void w_step(struct lx *lx, struct slot *s)
{
	const struct dop *op = &s->op;
	void *a = (void *)(uintptr_t)s->addr;
	struct dres *r = &s->res;
	int flags;
	void *p;
	long n;

	memset(r, 0, sizeof(*r));
	r->win = -1;
	switch (op->type) {
	case D_MMAP:
		flags = op->flags | MAP_ANONYMOUS |
			(op->place == PL_FIXED ? MAP_FIXED : 0) |
			(op->place == PL_NOREPLACE ? MAP_FIXED_NOREPLACE : 0);
		p = mmap(a, op->len, op->prot, flags, -1, 0);
		r->ret = p == MAP_FAILED ? -errno : (long long)(uintptr_t)p;
		break;
	case D_MUNMAP:
		r->ret = munmap(a, op->len) ? -errno : 0;
		break;
	case D_MPROTECT:
		r->ret = mprotect(a, op->len, op->prot) ? -errno : 0;
		break;
	case D_MADVISE:
		r->ret = madvise(a, op->len, op->prot) ? -errno : 0;
		break;
	case D_BRK:
		r->ret = syscall(SYS_brk, a);
		break;
	case D_PREAD:
		n = pread(w_mem, s->io, op->len, (off_t)s->addr);
		r->ret = n < 0 ? -errno : n;
		break;
	case D_PWRITE:
		n = pwrite(w_mem, s->io, op->len, (off_t)s->addr);
		r->ret = n < 0 ? -errno : n;
		break;
	case D_READ:
	case D_WRITE:
		lxmem_access(op->type == D_WRITE, s->addr, op->len, s->io, r);
		break;
	case D_FORK:
		w_fork(lx, s);
		break;
	case D_EXIT:
		w_reply(lx);
		_exit(0);
	}
}

static void w_main(struct lx *lx)
{
	struct pollfd pfd;
	char c;

	w_slot = 0;
	w_setup(lx);
	for (;;) {
		struct slot *s;

		pfd.fd = lx->cmd[w_slot][0];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			_exit(4);
		if (read(pfd.fd, &c, 1) != 1)
			_exit(0);	/* the tester is gone */
		s = &lx->slot[w_slot];
		if (c == 's') {
			lxmem_snap(w_mem, &s->b, &s->snap);
			lxmem_status(&s->snap.mapped, &s->snap.data);
			s->snap.mapped -= s->base_mapped;
			s->snap.data -= s->base_data;
		} else {
			w_step(lx, s);
		}
		w_reply(lx);
	}
}

/* --- in the tester --- */

static int wait_reply(struct lx *lx, unsigned int sp, char *why, size_t size)
{
	struct pollfd pfd = { .fd = lx->rep[sp][0], .events = POLLIN };
	int ret;
	char c;

	do {
		ret = poll(&pfd, 1, REPLY_TIMEOUT_MS);
	} while (ret < 0 && errno == EINTR);
	if (ret == 1 && read(pfd.fd, &c, 1) == 1)
		return 0;
	snprintf(why, size, "worker %u: %s", sp,
		 ret == 0 ? "no reply in 30 s" : "died");
	return -1;
}

static int kick(struct lx *lx, unsigned int sp, char c)
{
	return write(lx->cmd[sp][1], &c, 1) == 1 ? 0 : -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Close the workers' ends of the pipes, and with @all the tester's too. */
static void close_ends(struct lx *lx, bool all)
{
	unsigned int i;

	for (i = 0; i < MAX_SP; i++) {
		close_fd(&lx->cmd[i][0]);
		close_fd(&lx->rep[i][1]);
		if (all) {
			close_fd(&lx->cmd[i][1]);
			close_fd(&lx->rep[i][0]);
		}
	}
}

/**
 * lx_start() - a new worker in slot 0
 * @lx: the workers
 * @b: out: where its windows are
 * @why: out: what went wrong
 * @size: room at @why
 *
 * Return: 0, or -1 (see @why).
 */
int lx_start(struct lx *lx, struct bases *b, char *why, size_t size)
{
	struct slot *s = &lx->slot[0];
	unsigned int i;
	pid_t pid;

	memset(lx->live, 0, sizeof(lx->live));
	for (i = 0; i < MAX_SP; i++)
		lx->slot[i].pid = 0;
	memset(lx->cmd, -1, sizeof(lx->cmd));
	memset(lx->rep, -1, sizeof(lx->rep));
	for (i = 0; i < MAX_SP; i++) {
		if (pipe2(lx->cmd[i], O_CLOEXEC) || pipe2(lx->rep[i], O_CLOEXEC)) {
			snprintf(why, size, "pipe: %s", strerror(errno));
			close_ends(lx, true);
			return -1;
		}
	}
	memset(s->why, 0, sizeof(s->why));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		snprintf(why, size, "fork: %s", strerror(errno));
		return -1;
	}
	if (!pid)
		w_main(lx);
	close_ends(lx, false);
	lx->live[0] = true;
	if (wait_reply(lx, 0, why, size))
		return -1;
	if (s->why[0]) {
		snprintf(why, size, "worker: %s", s->why);
		return -1;
	}
	*b = s->b;
	return 0;
}

/**
 * lx_step() - one step on the worker of @op->sp
 * @lx: the workers
 * @op: the step
 * @addr: its address in the worker
 * @in: write, pwrite: the bytes
 * @r: out: the result (addresses as the worker saw them)
 * @out: pread, read: out: the bytes
 * @why: out: what went wrong
 * @size: room at @why
 *
 * Return: 0, or -1 if the worker did not answer.
 */
int lx_step(struct lx *lx, const struct dop *op, __u64 addr,
	    const unsigned char *in, struct dres *r, unsigned char *out,
	    char *why, size_t size)
{
	struct slot *s = &lx->slot[op->sp];

	s->op = *op;
	s->addr = addr;
	s->newslot = op->place;
	if (op->type == D_PWRITE || op->type == D_WRITE)
		memcpy(s->io, in, op->len);
	if (kick(lx, op->sp, 'o') || wait_reply(lx, op->sp, why, size))
		return -1;
	if (op->type == D_FORK && !s->res.ret) {
		lx->live[op->place] = true;
		if (wait_reply(lx, op->place, why, size))
			return -1;
	}
	if (op->type == D_EXIT)
		lx->live[op->sp] = false;
	*r = s->res;
	if (op->type == D_PREAD || op->type == D_READ)
		memcpy(out, s->io, op->len);
	return 0;
}

/**
 * lx_snap() - snapshots of every live worker
 * @lx: the workers
 * @s: out: each live slot's snapshot (in the shared mapping)
 * @why: out: what went wrong
 * @size: room at @why
 *
 * Return: 0, or -1.
 */
int lx_snap(struct lx *lx, const struct snap *s[MAX_SP], char *why,
	    size_t size)
{
	unsigned int i;

	for (i = 0; i < MAX_SP; i++)
		if (lx->live[i] && kick(lx, i, 's'))
			return -1;
	for (i = 0; i < MAX_SP; i++) {
		s[i] = NULL;
		if (!lx->live[i])
			continue;
		if (wait_reply(lx, i, why, size))
			return -1;
		s[i] = &lx->slot[i].snap;
	}
	return 0;
}

/* Kill every worker; reap them all (the tester is their subreaper). */
void lx_stop(struct lx *lx)
{
	unsigned int i;

	for (i = 0; i < MAX_SP; i++) {
		if (lx->live[i] && lx->slot[i].pid > 0)
			kill(lx->slot[i].pid, SIGKILL);
		lx->live[i] = false;
	}
	close_ends(lx, true);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}
