// SPDX-License-Identifier: GPL-2.0
/*
 * Loading aspace.ko: its module parameters and the installed module.
 *
 * Runs as root in a QEMU guest booted without the module
 * (scripts/check.sh: qemu-run.sh --no-module), and loads and unloads it
 * itself with finit_module(2) and delete_module(2), with different
 * parameters each time:
 *
 *  - dev_mode takes octal permission bits with a leading 0 and nothing
 *    else: a decimal 600 (which the plain ushort parser made mode 01130)
 *    fails the load with -EINVAL and a message in the kernel log;
 *  - resident_max_bytes takes a size with a K/M/G/... suffix, as
 *    memparse() reads it, at load time and through sysfs; the limit a new
 *    address space starts with follows it;
 *  - `modprobe aspace` finds the module make install put into
 *    /lib/modules/VERSION/updates of the guest's root (depmod -b on the
 *    host), the installed aspacectl talks to it, and the installed udev
 *    rule gives /dev/aspace the group aspace and mode 0660.
 *
 * The module file is $ASPACE_KO, default /aspace/bin/aspace.ko (where
 * qemu-run.sh --file puts it).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/aspace.h>

#include "libaspace.h"
#include "kselftest_harness.h"

#define PARAMS		"/sys/module/aspace/parameters/"
#define INSTALLED_TOOL	"/usr/local/bin/aspacectl"

static const char *module_path(void)
{
	const char *path = getenv("ASPACE_KO");

	return path ? path : "/aspace/bin/aspace.ko";
}

static bool loaded(void)
{
	return access("/sys/module/aspace", F_OK) == 0;
}

/* finit_module(2) of the module with @params: 0 or -errno. */
static int load(const char *params)
{
	int fd, ret = 0;

	fd = open(module_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, 0))
		ret = -errno;
	close(fd);
	return ret;
}

static int unload(void)
{
	if (syscall(SYS_delete_module, "aspace", O_NONBLOCK))
		return -errno;
	return 0;
}

/* The kernel log from now on: a /dev/kmsg reader past its last record. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Whether a record written since kmsg_open() contains @text. */
static bool kmsg_has(int fd, const char *text)
{
	char rec[2048];
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			return false;
		rec[n] = '\0';
		if (strstr(rec, text))
			return true;
	}
}

/* The contents of a small file, without the trailing newline. */
static const char *read_text(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");

	if (!f)
		return "(unreadable)";
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static int write_text(const char *path, const char *text)
{
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* The resident limit a new address space starts with; 0 if none opens. */
static __u64 new_resident_limit(void)
{
	struct aspace_limits lim;
	int fd, ret;

	fd = aspace_open(0);
	if (fd < 0)
		return 0;
	ret = aspace_get_limits(fd, &lim);
	aspace_close(fd);
	return ret ? 0 : lim.resident_bytes;
}

FIXTURE(mod) {
	int kmsg;
};

FIXTURE_SETUP(mod)
{
	ASSERT_FALSE(loaded()) TH_LOG("aspace is loaded before the test");
	self->kmsg = kmsg_open();
	ASSERT_LE(0, self->kmsg);
}

FIXTURE_TEARDOWN(mod)
{
	if (loaded())
		EXPECT_EQ(0, unload());
	close(self->kmsg);
}

/* MemTotal of /proc/meminfo in bytes: the RAM the page allocator has. */
static unsigned long long mem_total(void)
{
	unsigned long long kb = 0;
	char line[128];
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

TEST_F(mod, default_parameters)
{
	unsigned long long half = mem_total() / 2;
	char want[32];
	struct stat st;

	ASSERT_NE(0, half);
	snprintf(want, sizeof(want), "%llu", half);
	ASSERT_EQ(0, load(""));
	EXPECT_STREQ("0660", read_text(PARAMS "dev_mode"));
	/* The default resident limit is half of RAM, computed at load. */
	EXPECT_STREQ(want, read_text(PARAMS "resident_max_bytes"));
	ASSERT_EQ(0, stat("/dev/aspace", &st));
	EXPECT_EQ(0660, st.st_mode & 07777);
	EXPECT_EQ(half, new_resident_limit());
	EXPECT_STREQ(ASPACE_VERSION, read_text("/sys/module/aspace/version"));
}

TEST_F(mod, dev_mode_decimal_refused)
{
	EXPECT_EQ(-EINVAL, load("dev_mode=600"));
	EXPECT_FALSE(loaded());
	EXPECT_TRUE(kmsg_has(self->kmsg, "aspace: dev_mode=600 is not a mode"));
}

TEST_F(mod, dev_mode_not_a_mode_refused)
{
	static const char * const bad[] = {
		"dev_mode=01777", "dev_mode=01000", "dev_mode=0689", "dev_mode=0",
		"dev_mode=0x1b0", "dev_mode=", "dev_mode=-0660", "dev_mode=432",
		"dev_mode=0660x",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, load(bad[i])) TH_LOG("%s", bad[i]);
		EXPECT_FALSE(loaded()) TH_LOG("%s", bad[i]);
	}
}

TEST_F(mod, dev_mode_octal)
{
	struct stat st;

	ASSERT_EQ(0, load("dev_mode=0600"));
	EXPECT_STREQ("0600", read_text(PARAMS "dev_mode"));
	ASSERT_EQ(0, stat("/dev/aspace", &st));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, unload());

	ASSERT_EQ(0, load("dev_mode=0604"));
	ASSERT_EQ(0, stat("/dev/aspace", &st));
	EXPECT_EQ(0604, st.st_mode & 07777);
}

TEST_F(mod, resident_max_bytes_suffix)
{
	ASSERT_EQ(0, load("resident_max_bytes=512M"));
	EXPECT_STREQ("536870912", read_text(PARAMS "resident_max_bytes"));
	EXPECT_EQ(536870912ULL, new_resident_limit());

	/* Writable at run time, with the same syntax. */
	EXPECT_EQ(0, write_text(PARAMS "resident_max_bytes", "4G\n"));
	EXPECT_EQ(4ULL << 30, new_resident_limit());
	EXPECT_EQ(0, write_text(PARAMS "resident_max_bytes", "65536"));
	EXPECT_EQ(65536ULL, new_resident_limit());
	EXPECT_EQ(-EINVAL, write_text(PARAMS "resident_max_bytes", "12Q"));
	EXPECT_EQ(-EINVAL, write_text(PARAMS "resident_max_bytes", "lots"));
	EXPECT_EQ(65536ULL, new_resident_limit());
	EXPECT_TRUE(kmsg_has(self->kmsg,
			     "aspace: resident_max_bytes=lots is not a size"));
}

TEST_F(mod, resident_max_bytes_not_a_size_refused)
{
	static const char * const bad[] = {
		"resident_max_bytes=", "resident_max_bytes=G",
		"resident_max_bytes=4GB", "resident_max_bytes=-1",
		"resident_max_bytes=0x", "resident_max_bytes=one",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, load(bad[i])) TH_LOG("%s", bad[i]);
		EXPECT_FALSE(loaded()) TH_LOG("%s", bad[i]);
	}
}

/* make install's module, from /lib/modules/VERSION/updates, by name. */
TEST_F(mod, modprobe_installed)
{
	if (access(INSTALLED_TOOL, X_OK))
		SKIP(return, "no make install tree in this guest");

	ASSERT_EQ(0, system("modprobe aspace"));
	ASSERT_TRUE(loaded());
	EXPECT_STREQ(ASPACE_VERSION, read_text("/sys/module/aspace/version"));
	EXPECT_EQ(0, access("/dev/aspace", F_OK));
	EXPECT_EQ(0, system(INSTALLED_TOOL " info >/dev/null"));
	EXPECT_EQ(0, system("modprobe -r aspace"));
	EXPECT_FALSE(loaded());
}

#define UDEV_TEST	"mkdir -p /run/udev && " \
	"udevadm test --action=add /sys/class/misc/aspace >/tmp/udev.log 2>&1 && " \
	"grep -q '60-aspace.rules:.* GROUP' /tmp/udev.log || " \
	"{ cat /tmp/udev.log; exit 1; }"

/*
 * The gid of the group @name in /etc/group, adding it (as make install's
 * groupadd would) if it is missing; -1 on error.  Not getgrnam(): this
 * binary is static.
 */
static int group_gid(const char *name, int gid_if_new)
{
	char line[256], want[64];
	FILE *f;
	int gid = -1;

	snprintf(want, sizeof(want), "%s:", name);
	f = fopen("/etc/group", "a+");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line;

		if (strncmp(line, want, strlen(want)))
			continue;
		p = strchr(p + strlen(want), ':');	/* past the password */
		if (p)
			gid = atoi(p + 1);
		break;
	}
	if (gid < 0 && fprintf(f, "%s:x:%d:\n", name, gid_if_new) > 0)
		gid = gid_if_new;
	fclose(f);
	return gid;
}

/*
 * The installed udev rule, run by udevadm test on the module's device (in
 * the guest, udevadm and its libraries come from the host): group aspace,
 * mode 0660, whatever dev_mode gave the node.
 */
TEST_F(mod, udev_rule)
{
	struct stat st;
	int gid;

	if (access(INSTALLED_TOOL, X_OK) || access("/usr/bin/udevadm", X_OK))
		SKIP(return, "no make install tree or no udevadm in this guest");

	gid = group_gid("aspace", 990);
	ASSERT_LT(0, gid);
	ASSERT_EQ(0, system("modprobe aspace dev_mode=0600"));
	ASSERT_EQ(0, stat("/dev/aspace", &st));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, (int)st.st_gid);

	ASSERT_EQ(0, system(UDEV_TEST));
	ASSERT_EQ(0, stat("/dev/aspace", &st));
	EXPECT_EQ(0660, st.st_mode & 07777);
	EXPECT_EQ(gid, (int)st.st_gid);
	EXPECT_EQ(0, (int)st.st_uid);
	EXPECT_EQ(0, system("modprobe -r aspace"));
}

TEST_HARNESS_MAIN
