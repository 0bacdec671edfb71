// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/aspace: the misc device, its file operations and the ioctl table.
 *
 * This is the only file that knows about user memory: every ioctl copies
 * its struct in once (copy_struct_from_user(), so older and newer user
 * space both work), calls one core function with kernel values, and
 * copies the result out.  The address-space lock is never held across a
 * user copy.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../uapi/linux/aspace.h"
#include "aspace.h"
#include "mem.h"

static ushort dev_mode = 0660;
module_param(dev_mode, ushort, 0444);
MODULE_PARM_DESC(dev_mode, "mode of /dev/aspace (default 0660)");

/**
 * union asp_ioctl_buf - room for any ioctl struct, for the dispatcher
 */
union asp_ioctl_buf {
	struct aspace_handshake handshake;
};

/**
 * struct asp_ioctl_op - one ioctl of the table
 * @cmd: the ioctl number (its _IOC_SIZE is the current struct size)
 * @min_size: size of the first version of the struct
 * @execute: the handler; gets the struct, already copied in, and may
 *	change it to be copied out; returns 0 or a negative errno
 */
struct asp_ioctl_op {
	unsigned int cmd;
	unsigned int min_size;
	int (*execute)(struct asp_mm *mm, struct file *file, void *arg);
};

static int asp_ioctl_handshake(struct asp_mm *mm, struct file *file,
			       void *arg)
{
	struct aspace_handshake *hs = arg;

	if (hs->reserved)
		return -EINVAL;
	if (hs->api_version < 1 || hs->api_version > ASPACE_API_VERSION)
		return -EINVAL;
	hs->api_version = ASPACE_API_VERSION;
	hs->features = ASPACE_FEATURES;
	return 0;
}

#define ASP_IOCTL_OP(_cmd, _fn, _struct, _last)				\
	[_IOC_NR(_cmd)] = {						\
		.cmd = _cmd,						\
		.min_size = offsetofend(_struct, _last),		\
		.execute = _fn,						\
	}

static const struct asp_ioctl_op asp_ioctl_ops[] = {
	ASP_IOCTL_OP(ASPACE_IOC_HANDSHAKE, asp_ioctl_handshake,
		     struct aspace_handshake, reserved),
};

static long asp_fops_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	const struct asp_ioctl_op *op;
	union asp_ioctl_buf buf;
	unsigned int nr, ksize;
	u32 usize;
	int ret;

	nr = _IOC_NR(cmd);
	if (_IOC_TYPE(cmd) != ASPACE_IOC_MAGIC || nr >= ARRAY_SIZE(asp_ioctl_ops))
		return -ENOTTY;
	op = &asp_ioctl_ops[nr];
	if (!op->execute || _IOC_DIR(cmd) != _IOC_DIR(op->cmd))
		return -ENOTTY;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < op->min_size)
		return -EINVAL;
	ksize = _IOC_SIZE(op->cmd);
	ret = copy_struct_from_user(&buf, ksize, uarg, usize);
	if (ret)
		return ret;
	/* The size field tells the kernel's view, like the struct itself. */
	*(u32 *)&buf = ksize;

	ret = op->execute(file->private_data, file, &buf);
	if (ret)
		return ret;
	if (_IOC_DIR(op->cmd) & _IOC_READ) {
		if (copy_to_user(uarg, &buf, min_t(u32, usize, ksize)))
			return -EFAULT;
	}
	return 0;
}

static int asp_fops_open(struct inode *inode, struct file *file)
{
	struct asp_mm *mm;

	mm = asp_mm_create();
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	file->private_data = mm;
	return 0;
}

static int asp_fops_release(struct inode *inode, struct file *file)
{
	asp_mm_destroy(file->private_data);
	return 0;
}

static const struct file_operations asp_fops = {
	.owner		= THIS_MODULE,
	.open		= asp_fops_open,
	.release	= asp_fops_release,
	.unlocked_ioctl	= asp_fops_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static ssize_t pages_data_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&asp_nr_data_pages));
}
static DEVICE_ATTR_RO(pages_data);

static ssize_t pages_pgtable_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&asp_nr_table_pages));
}
static DEVICE_ATTR_RO(pages_pgtable);

static struct attribute *asp_dev_attrs[] = {
	&dev_attr_pages_data.attr,
	&dev_attr_pages_pgtable.attr,
	NULL
};
ATTRIBUTE_GROUPS(asp_dev);

static struct miscdevice asp_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "aspace",
	.fops	= &asp_fops,
	.groups	= asp_dev_groups,
};

static int __init asp_init(void)
{
	int ret;

	ret = asp_core_init();
	if (ret)
		return ret;
	asp_miscdev.mode = dev_mode;
	ret = misc_register(&asp_miscdev);
	if (ret)
		goto err_core;
	return 0;

err_core:
	asp_core_exit();
	return ret;
}

static void __exit asp_exit(void)
{
	misc_deregister(&asp_miscdev);
	asp_core_exit();
}

module_init(asp_init);
module_exit(asp_exit);

MODULE_DESCRIPTION("Private x86_64 address spaces behind /dev/aspace");
MODULE_LICENSE("GPL");
