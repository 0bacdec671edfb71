// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of aspacectl, run in the QEMU guest with aspacectl on
 * PATH and the example scripts in /aspace/examples ($ASPACE_EXAMPLES):
 *
 *  - every example script passes `aspacectl run`, and its -j output is
 *    JSON;
 *  - a wrong expect line fails with exit status 1 and FILE:LINE; a
 *    script that does not parse fails with 2 before anything runs; a
 *    failed operation no expect line accounts for fails with 1;
 *  - maps lines are those of the guest's own /proc/self/maps for the
 *    same mappings (private, shared anonymous, split, high addresses);
 *  - maps and stats of an inherited descriptor (--fd), --help of every
 *    command, --version, usage errors;
 *  - ptdump, translate and pageflags of an inherited descriptor, as text
 *    and JSON, with ranges, masks and categories; a failed expect
 *    pageflags and expect translate at FILE:LINE.
 *
 * One test a case, numbered as the files are found (kselftest.h, not the
 * harness, as the examples are counted at run time).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/aspace.h>

#include "libaspace.h"
#include "kselftest.h"

#define MAX_EXAMPLES	64
#define OUT_MAX		(1024 * 1024)

/* Where the test maps real memory to compare with: free in the guest. */
#define REAL_AREA	0x200000000ULL

struct output {
	int status;		/* exit status, or 128 + signal */
	char out[OUT_MAX];	/* standard output */
	char err[OUT_MAX];	/* standard error */
};

static struct output o;

static void slurp(int fd, char *buf)
{
	size_t len = 0;
	ssize_t n;

	while (len < OUT_MAX - 1 && (n = read(fd, buf + len, OUT_MAX - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
}

/*
 * Run aspacectl with @argv (NULL-terminated, without "aspacectl"), @input
 * on its standard input; output and status into o.
 */
static int ctl(const char *input, const char *const *argv)
{
	char *args[32];
	int i, in[2], out[2], err[2], status;
	pid_t pid;

	args[0] = "aspacectl";
	for (i = 0; argv[i] && i < 30; i++)
		args[i + 1] = (char *)argv[i];
	args[i + 1] = NULL;
	if (pipe(in) || pipe(out) || pipe(err))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	pid = fork();
	if (pid < 0)
		ksft_exit_fail_msg("fork: %s\n", strerror(errno));
	if (!pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(in[1]);
		close(out[0]);
		close(err[0]);
		execvp("aspacectl", args);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	if (input && write(in[1], input, strlen(input)) < 0)
		ksft_print_msg("writing to aspacectl: %s\n", strerror(errno));
	close(in[1]);
	/* Small outputs: stdout first, then stderr, fits the pipes. */
	slurp(out[0], o.out);
	slurp(err[0], o.err);
	close(out[0]);
	close(err[0]);
	waitpid(pid, &status, 0);
	o.status = WIFEXITED(status) ? WEXITSTATUS(status) :
		   128 + WTERMSIG(status);
	return o.status;
}

#define CTL(input, ...)	ctl(input, (const char *const[]){ __VA_ARGS__, NULL })

static void show_output(void)
{
	char *line, *save = NULL;

	ksft_print_msg("exit status %d\n", o.status);
	for (line = strtok_r(o.out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		ksft_print_msg("stdout: %s\n", line);
	save = NULL;
	for (line = strtok_r(o.err, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		ksft_print_msg("stderr: %s\n", line);
}

static void result(bool ok, const char *fmt, ...)
{
	char name[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (ok) {
		ksft_test_result_pass("%s\n", name);
	} else {
		show_output();
		ksft_test_result_fail("%s\n", name);
	}
}

/* ---- a small JSON checker: one value, nothing after it ---- */

static const char *json_value(const char *p);

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if (!*p || (unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				if (strspn(p + 1, "0123456789abcdefABCDEF") < 4)
					return NULL;
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
	}
	return p + 1;
}

static const char *json_list(const char *p, char close, bool object)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (object) {
			p = json_string(json_ws(p));
			if (!p)
				return NULL;
			p = json_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = json_value(p);
		if (!p)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p)
{
	p = json_ws(p);
	if (*p == '{')
		return json_list(p, '}', true);
	if (*p == '[')
		return json_list(p, ']', false);
	if (*p == '"')
		return json_string(p);
	if (!strncmp(p, "null", 4) || !strncmp(p, "true", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return NULL;
	return p + strspn(p, "0123456789");
}

/* Every line of @s one JSON value (-j prints JSON lines). */
static bool json_lines(char *s, int *nlines)
{
	char *line, *save = NULL, *copy = strdup(s);
	const char *end;
	bool ok = true;

	*nlines = 0;
	for (line = strtok_r(copy, "\n", &save); line && ok;
	     line = strtok_r(NULL, "\n", &save)) {
		end = json_value(line);
		ok = end && !*json_ws(end);
		if (!ok)
			ksft_print_msg("not JSON: %s\n", line);
		(*nlines)++;
	}
	free(copy);
	return ok;
}

/* ---- the example scripts ---- */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int find_examples(const char *dir, char **paths)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < MAX_EXAMPLES) {
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 4, ".asp"))
			continue;
		if (asprintf(&paths[n], "%s/%s", dir, de->d_name) < 0)
			ksft_exit_fail_msg("out of memory\n");
		n++;
	}
	closedir(d);
	qsort(paths, n, sizeof(*paths), cmp_names);
	return n;
}

static void test_example(const char *path)
{
	int nlines = 0;
	bool json;

	CTL(NULL, "run", "-q", path);
	result(o.status == 0, "example %s", path);
	CTL(NULL, "run", "-j", path);
	json = json_lines(o.out, &nlines);
	result(o.status == 0 && json, "example %s, -j: %d JSON lines", path,
	       nlines);
}

/* ---- scripts that must fail, and how ---- */

static const char *write_script(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/%s", name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		ksft_exit_fail_msg("%s: %s\n", path, strerror(errno));
	return path;
}

static void test_wrong_expect(void)
{
	const char *path = write_script("wrong_expect.asp",
		"# a wrong expectation on line 4\n"
		"mmap 0x10000000 64K rw- MAP_PRIVATE\n"
		"expect 0x10000000\n"
		"expect 0x20000000\n"
		"maps\n");
	char where[160];

	snprintf(where, sizeof(where), "%s:4: expected 0x20000000", path);
	CTL(NULL, "run", path);
	result(o.status == 1 && strstr(o.err, where) &&
	       strstr(o.err, "got 0x10000000") &&
	       !strstr(o.out, "10000000-10010000"),
	       "a wrong expect fails with 1 at FILE:LINE and stops there");

	snprintf(where, sizeof(where), "%s:4: ", path);
	CTL(NULL, "run", "-k", path);
	result(o.status == 1 && strstr(o.err, where) &&
	       strstr(o.out, "10000000-10010000 rw-p"),
	       "with -k the run goes on after a wrong expect, still 1");
}

static void test_wrong_maps(void)
{
	const char *path = write_script("wrong_maps.asp",
		"mmap 0x10000000 8K r-- MAP_PRIVATE\n"
		"expect maps\n"
		"10000000-10002000 rw-p 00000000 00:00 0\n"
		"end\n");
	char where[160];

	snprintf(where, sizeof(where), "%s:2: expect maps", path);
	CTL(NULL, "run", "-q", path);
	result(o.status == 1 && strstr(o.err, where) &&
	       strstr(o.err, "! 10000000-10002000 rw-p") &&
	       strstr(o.err, "! 10000000-10002000 r--p"),
	       "a wrong expect maps shows both listings");
}

static void test_unchecked_failure(void)
{
	const char *path = write_script("unchecked.asp",
		"mmap 0x10000000 4K rw- MAP_PRIVATE\n"
		"mmap 0x10000000 4K rw- MAP_PRIVATE|MAP_FIXED_NOREPLACE\n"
		"maps\n");
	char where[160];

	snprintf(where, sizeof(where), "%s:2: ", path);
	CTL(NULL, "run", "-q", path);
	result(o.status == 1 && strstr(o.err, where) &&
	       strstr(o.err, "EEXIST") && strstr(o.err, "expect EEXIST"),
	       "a failure no expect line accounts for fails with 1");

	path = write_script("unchecked_fault.asp",
			    "mmap 0x10000000 4K r-- MAP_PRIVATE\n"
			    "access write 0x10000000 1\n");
	snprintf(where, sizeof(where), "%s:2: ", path);
	CTL(NULL, "run", "-q", path);
	result(o.status == 1 && strstr(o.err, where) &&
	       strstr(o.err, "SIGSEGV SEGV_ACCERR"),
	       "a fault no expect line accounts for fails with 1");
}

static void test_bad_script(void)
{
	const char *path = write_script("bad_syntax.asp",
		"echo this must not be printed\n"
		"mmap 0x10000000 64K rw- MAP_PRIVATE\n"
		"munmap 0x10000000 64Q\n");
	char where[160];

	snprintf(where, sizeof(where), "%s:3: bad number '64Q'", path);
	CTL(NULL, "run", path);
	result(o.status == 2 && strstr(o.err, where) && !o.out[0],
	       "a script that does not parse fails with 2 before it runs");

	CTL("mmap 0 4K rw- MAP_PRIVATE\nexpect maps\n", "run", "-");
	result(o.status == 2 && strstr(o.err, "<stdin>:2: 'expect maps' has no 'end'"),
	       "an unfinished expect maps fails with 2");

	CTL("b: maps\n", "run", "-");
	result(o.status == 2 && strstr(o.err, "<stdin>:1: no address space 'b'"),
	       "an unknown address space fails with 2");
}

/* ---- maps lines against the guest's own /proc/self/maps ---- */

/* The line of /proc/self/maps that starts at @addr. */
static bool real_line(__u64 addr, char *line, size_t size)
{
	char prefix[32];
	bool found = false;
	FILE *f;

	snprintf(prefix, sizeof(prefix), "%08llx-", (unsigned long long)addr);
	f = fopen("/proc/self/maps", "r");
	if (!f)
		return false;
	while (!found && fgets(line, size, f))
		found = !strncmp(line, prefix, strlen(prefix));
	fclose(f);
	if (found)
		line[strcspn(line, "\n")] = '\0';
	return found;
}

/* The length of the first @n space-separated fields with their spaces. */
static size_t fields_len(const char *s, int n)
{
	const char *p = s;

	while (n-- && (p = strchr(p, ' ')))
		p++;
	return p ? (size_t)(p - s) : strlen(s);
}

/*
 * Equal, but for the inode number of shared memory, which names another
 * object (the guest's shmem inode, aspace's object id): the four fields
 * before it, the column where the name starts and the name must be.
 */
static bool same_line(const char *real, const char *mine)
{
	const char *name = " /dev/zero (deleted)";
	const char *rn = strstr(real, name), *mn = strstr(mine, name);
	size_t head = fields_len(real, 4);

	if (!rn)
		return !strcmp(real, mine);
	return mn && fields_len(mine, 4) == head && !strncmp(real, mine, head) &&
	       rn - real == mn - mine && !strcmp(rn, mn);
}

static void test_maps_like_linux(void)
{
	static const struct {
		__u64 off, len;
		int prot, flags;
		__u64 protect_off, protect_len;	/* then mprotect PROT_NONE */
	} maps[] = {
		{ 0, 0x4000, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0, 0 },
		{ 0x10000, 0x4000, PROT_READ | PROT_EXEC, MAP_PRIVATE, 0, 0 },
		{ 0x20000, 0x4000, PROT_READ | PROT_WRITE, MAP_SHARED,
		  0x1000, 0x1000 },
		{ 0x30000, 0x2000, PROT_READ, MAP_SHARED, 0, 0 },
		/* a high address: 12 hex digits, the name still at 73 */
		{ 0x7f0000000000ULL - REAL_AREA, 0x1000, PROT_READ, MAP_SHARED,
		  0, 0 },
	};
	char script[4096], real[256], *mine, *save = NULL;
	size_t i, len = 0;
	int lines = 0;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(maps); i++) {
		__u64 addr = REAL_AREA + maps[i].off;
		void *p;

		p = mmap((void *)addr, maps[i].len, maps[i].prot,
			 maps[i].flags | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			 -1, 0);
		if (p != (void *)addr)
			ksft_exit_fail_msg("mmap at %#llx: %s\n",
					   (unsigned long long)addr,
					   strerror(errno));
		len += snprintf(script + len, sizeof(script) - len,
				"mmap %#llx %#llx %d %d\n",
				(unsigned long long)addr,
				(unsigned long long)maps[i].len, maps[i].prot,
				maps[i].flags);
		if (!maps[i].protect_len)
			continue;
		mprotect((char *)p + maps[i].protect_off, maps[i].protect_len,
			 PROT_NONE);
		len += snprintf(script + len, sizeof(script) - len,
				"mprotect %#llx %#llx ---\n",
				(unsigned long long)(addr + maps[i].protect_off),
				(unsigned long long)maps[i].protect_len);
	}
	snprintf(script + len, sizeof(script) - len, "maps\n");
	CTL(script, "run", "-q", "-");
	if (o.status)
		ok = false;
	for (mine = strtok_r(o.out, "\n", &save); ok && mine;
	     mine = strtok_r(NULL, "\n", &save)) {
		unsigned long long start;

		lines++;
		if (sscanf(mine, "%llx-", &start) != 1 ||
		    !real_line(start, real, sizeof(real))) {
			ksft_print_msg("no real mapping for: %s\n", mine);
			ok = false;
		} else if (!same_line(real, mine)) {
			ksft_print_msg("linux:   '%s'\n", real);
			ksft_print_msg("aspace:  '%s'\n", mine);
			ok = false;
		}
	}
	result(ok && lines == 7,
	       "maps lines as the guest's /proc/self/maps (%d lines)", lines);
}

/* ---- the other commands ---- */

static void test_inherited_fd(void)
{
	char fdarg[16], want[64];
	int fd, cfd, nlines = 0;

	/* An unnamed line ends with a space, as in Linux. */
	snprintf(want, sizeof(want), "%s%c\n",
		 "10000000-10002000 rw-p 00000000 00:00 0", ' ');
	fd = aspace_open(0);
	if (fd < 0 || aspace_mmap(fd, 0x10000000, 0x2000,
				  PROT_READ | PROT_WRITE, MAP_PRIVATE, NULL) ||
	    aspace_write(fd, 0x10000000, "x", 1) != 1 ||
	    aspace_clone(fd, ASPACE_CLONE_NOCLOEXEC, &cfd))
		ksft_exit_fail_msg("setting up an address space failed\n");
	snprintf(fdarg, sizeof(fdarg), "%d", cfd);
	CTL(NULL, "maps", "--fd", fdarg);
	result(o.status == 0 && !strcmp(o.out, want),
	       "maps --fd of an inherited descriptor");
	CTL(NULL, "stats", "--fd", fdarg);
	result(o.status == 0 && strstr(o.out, "nr_vmas=1\n") &&
	       strstr(o.out, "shared_pages=1\n"),
	       "stats --fd of an inherited descriptor");
	CTL(NULL, "-j", "stats", "--fd", fdarg);
	result(o.status == 0 && json_lines(o.out, &nlines) && nlines == 1 &&
	       strstr(o.out, "\"resident_pages\": 1"), "stats -j is JSON");
	CTL(NULL, "maps", "-j", "--fd", fdarg);
	result(o.status == 0 && json_lines(o.out, &nlines) && nlines == 1 &&
	       strstr(o.out, "\"perms\": \"rw-p\""), "maps -j is JSON");
	CTL(NULL, "maps", "--fd", "0");
	result(o.status == 1 && strstr(o.err, "not /dev/aspace"),
	       "maps --fd of another file fails with 1");
	aspace_close(cfd);
	aspace_close(fd);
}

/* ptdump, translate and pageflags of an address space given with --fd. */
static void test_introspect(void)
{
	char fdarg[16];
	int fd, cfd, nlines = 0;

	/* Page 0 written, page 1 only read (the zero page), page 2 never. */
	fd = aspace_open(0);
	if (fd < 0 || aspace_mmap(fd, 0x10000000, 0x3000,
				  PROT_READ | PROT_WRITE, MAP_PRIVATE, NULL) ||
	    aspace_write(fd, 0x10000000, "x", 1) != 1 ||
	    aspace_access(fd, ASPACE_ACCESS_READ, 0x10001000, 1, NULL, NULL) ||
	    fcntl(fd, F_SETFD, 0))
		ksft_exit_fail_msg("setting up an address space failed\n");
	snprintf(fdarg, sizeof(fdarg), "%d", fd);

	CTL(NULL, "ptdump", "--fd", fdarg);
	result(o.status == 0 &&
	       strstr(o.out, "0x0000000010000000-0x0000000010001000     4K pt   "
			     "P RW USR A D NX\n") &&
	       strstr(o.out, "0x0000000010001000-0x0000000010002000     4K pt   "
			     "P USR A COW NX\n") &&
	       strstr(o.out, "pgtable_pt=1 pgtable_pd=1 pgtable_pdpt=1 pgtable_pml4=1"),
	       "ptdump --fd: the ranges and the page-table pages");
	CTL(NULL, "ptdump", "--fd", fdarg, "--holes", "--mask", "RW|USR",
	    "10000000-10004000");
	result(o.status == 0 &&
	       strstr(o.out, "0x0000000010000000-0x0000000010001000     4K pt   P RW USR\n") &&
	       strstr(o.out, "0x0000000010002000-0x0000000010004000     8K pt   none\n"),
	       "ptdump --holes --mask RW|USR START-END");
	CTL(NULL, "-j", "ptdump", "--fd", fdarg);
	result(o.status == 0 && json_lines(o.out, &nlines) && nlines == 1 &&
	       strstr(o.out, "\"flags\": [\"P\", \"RW\", \"USR\", \"A\", \"D\", \"NX\"]"),
	       "ptdump -j is JSON");

	CTL(NULL, "translate", "--fd", fdarg, "0x10000000");
	result(o.status == 0 &&
	       strstr(o.out, "0x10000000: present, leaf at level 0 (pt)") &&
	       strstr(o.out, "  pd[128]    0x"),
	       "translate --fd ADDR");
	CTL(NULL, "translate", "-j", "--fd", fdarg, "0x10001000");
	result(o.status == 0 && json_lines(o.out, &nlines) && nlines == 1 &&
	       strstr(o.out, "\"zero_page\": true") &&
	       strstr(o.out, "\"dirty\": false"), "translate -j is JSON");
	CTL(NULL, "translate", "--fd", fdarg, "0x800000000000");
	result(o.status == 1 && strstr(o.err, "Invalid argument"),
	       "translate past the task size fails with 1");

	CTL(NULL, "pageflags", "--fd", fdarg, "0x10000000", "12K");
	result(o.status == 0 &&
	       !strcmp(o.out, "10000000-10001000      1 present,dirty,accessed,exclusive,writable\n"
			      "10001000-10002000      1 present,zero,accessed\n"
			      "10002000-10003000      1 -\n"),
	       "pageflags --fd ADDR LEN");
	CTL(NULL, "pageflags", "--fd", fdarg, "present", "!dirty");
	result(o.status == 0 &&
	       !strcmp(o.out, "10001000-10002000      1 present,zero,accessed\n"),
	       "pageflags CATEGORY !CATEGORY");
	if (aspace_clone(fd, ASPACE_CLONE_NOCLOEXEC, &cfd))
		ksft_exit_fail_msg("clone failed\n");
	snprintf(fdarg, sizeof(fdarg), "%d", cfd);
	CTL(NULL, "-j", "pageflags", "--fd", fdarg, "10000000-10001000");
	result(o.status == 0 && json_lines(o.out, &nlines) && nlines == 1 &&
	       strstr(o.out, "\"categories\": [\"present\", \"dirty\", "
			     "\"cow_shared\"]") &&
	       strstr(o.out, "\"pages\": 1}"),
	       "pageflags -j of a clone is JSON, the page shared and old");
	CTL(NULL, "pageflags", "--fd", fdarg, "clean");
	result(o.status == 2 && strstr(o.err, "bad page category 'clean'"),
	       "pageflags with a bad category fails with 2");
	aspace_close(cfd);
	aspace_close(fd);
}

static void test_expect_pageflags(void)
{
	const char *path = write_script("pageflags.asp",
		"x = mmap 0x10000000 64K rw- MAP_PRIVATE\n"
		"write $x+4K \"a\"\n"
		"expect pageflags $x+4K 4K dirty\n"
		"expect pageflags $x 64K pages=1 dirty\n"
		"expect pageflags $x 8K dirty\n");
	char where[160];

	snprintf(where, sizeof(where),
		 "%s:5: expect pageflags of a: 0x10000000-0x10001000 (1 page) is -",
		 path);
	CTL(NULL, "run", "-q", path);
	result(o.status == 1 && strstr(o.err, where),
	       "a failed expect pageflags names FILE:LINE and the pages");
}

static void test_expect_translate(void)
{
	const char *path = write_script("translate.asp",
		"x = mmap 0x10000000 64K rw- MAP_PRIVATE\n"
		"translate $x\n"
		"expect translate present=0 level=3\n"
		"expect translate $x present=1\n");
	char where[160];

	snprintf(where, sizeof(where),
		 "%s:4: expect translate 0x10000000 of a: expected present=1, got present=0",
		 path);
	CTL(NULL, "run", "-q", path);
	result(o.status == 1 && strstr(o.err, where),
	       "a failed expect translate names FILE:LINE and the field");
}

static void test_usage(void)
{
	static const char * const cmds[] = {
		"info", "maps", "stats", "ptdump", "translate", "pageflags",
		"run", "demo", "help",
	};
	bool ok = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		CTL(NULL, cmds[i], "--help");
		if (o.status || strncmp(o.out, "usage: aspacectl ", 17)) {
			ksft_print_msg("%s --help: status %d\n", cmds[i],
				       o.status);
			ok = false;
		}
	}
	result(ok, "--help of every command");
	CTL(NULL, "--version");
	result(o.status == 0 && !strncmp(o.out, "aspacectl ", 10), "--version");
	CTL(NULL, "frobnicate");
	result(o.status == 2 && strstr(o.err, "unknown command"),
	       "an unknown command fails with 2");
	CTL(NULL, "run");
	result(o.status == 2, "run without a file fails with 2");
	CTL(NULL, "run", "/nonexistent.asp");
	result(o.status == 1, "run of a missing file fails with 1");
	CTL(NULL, "info");
	result(o.status == 0 && strstr(o.out, "api_version 1"), "info");
	CTL(NULL, "demo", "-q");
	result(o.status == 0 && strstr(o.out, "== clone"),
	       "demo runs the tour");
}

int main(void)
{
	const char *dir = getenv("ASPACE_EXAMPLES");
	char *paths[MAX_EXAMPLES];
	int i, n;

	if (!dir)
		dir = "/aspace/examples";
	n = find_examples(dir, paths);
	ksft_print_header();
	if (!n)
		ksft_exit_fail_msg("no example scripts in %s\n", dir);
	ksft_set_plan(2 * n + 33);
	for (i = 0; i < n; i++) {
		test_example(paths[i]);
		free(paths[i]);
	}
	test_wrong_expect();
	test_wrong_maps();
	test_unchecked_failure();
	test_bad_script();
	test_maps_like_linux();
	test_inherited_fd();
	test_introspect();
	test_expect_pageflags();
	test_expect_translate();
	test_usage();
	if (ksft_get_fail_cnt())
		ksft_exit_fail();
	ksft_exit_pass();
}
