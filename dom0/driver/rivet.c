// SPDX-License-Identifier: GPL-2.0
/*
 * rivet.c: Rivet's Dom0 driver. Gives Dom0's user space /dev/rivet/privcmd:
 * a hypercall ioctl (with a bounce buffer for calls that take one), foreign
 * memory mapped through a window of Dom0's guest-physical space, and event
 * channels as pollable file descriptors fed by the hypervisor's event
 * interrupt (a source of Dom0's virtual PLIC, named by the device tree's
 * /rivet-hypervisor node; the PLIC's claim and completion acknowledge it,
 * and any CPU the interrupt's affinity picks may take it). Everything a
 * process holds is released when it closes the device.
 */
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/interrupt.h>
#include <linux/anon_inodes.h>
#include <linux/poll.h>
#include <linux/wait.h>
#include <linux/of.h>
#include <asm/sbi.h>

#include "rivet_privcmd.h"
#include "hypercall.h"
#include "ioreq.h"

#define WINDOW_BASE  0x10000000000ULL      /* the microvisor's foreign window for Dom0 */
#define WINDOW_BYTES (4ULL << 30)          /* the part this driver hands out */

static struct rivet_event_page *event_page;
static int event_irq;

struct evtchn_file {
	u32 port;
	atomic_t fired;
	wait_queue_head_t wq;
};
static struct evtchn_file *ports[RIVET_EVTCHN_PORTS];
static DEFINE_SPINLOCK(ports_lock);

/* Where the event interrupt delivers PORT's events (NULL: nowhere). */
static void port_route(u32 port, struct evtchn_file *ef)
{
	spin_lock_irq(&ports_lock);
	ports[port] = ef;
	spin_unlock_irq(&ports_lock);
}

/* EF's port no longer delivers to it (unless the port already delivers elsewhere). */
static void port_unroute(u32 port, struct evtchn_file *ef)
{
	spin_lock_irq(&ports_lock);
	if (ports[port] == ef)
		ports[port] = NULL;
	spin_unlock_irq(&ports_lock);
}

static struct sbiret hcall(unsigned long fn, unsigned long a0, unsigned long a1, unsigned long a2,
			   unsigned long a3, unsigned long a4, unsigned long a5)
{
	return sbi_ecall(RIVET_SBI_EXT, fn, a0, a1, a2, a3, a4, a5);
}

/* ---- foreign window: first-fit ranges of it, each owned by one open file ---- */

struct fmap {
	struct list_head link;      /* in the file's list */
	struct list_head all;       /* in the window, by address */
	u64 window_gpa, nr_pages;
	atomic_t vmas;              /* live mmap()s of it */
};
static LIST_HEAD(window_maps);
static DEFINE_MUTEX(window_lock);

/*
 * With window_lock held: the lowest free window range of that many pages.
 * A range of 2 MiB or more starts on a 2 MiB boundary, so that the
 * microvisor can map it with 2 MiB leaves where the DomU's pages are
 * contiguous and aligned too (FOREIGN_MAP does so by itself).
 */
static u64 window_alloc(u64 nr_pages, struct list_head **after)
{
	u64 len = nr_pages << PAGE_SHIFT, align = len >= SZ_2M ? SZ_2M : PAGE_SIZE;
	u64 at = WINDOW_BASE;
	struct fmap *m;
	*after = &window_maps;
	list_for_each_entry(m, &window_maps, all) {
		if (m->window_gpa >= at + len)
			break;
		at = ALIGN(m->window_gpa + (m->nr_pages << PAGE_SHIFT), align);
		*after = &m->all;
	}
	return at + len <= WINDOW_BASE + WINDOW_BYTES ? at : 0;
}

struct privcmd_file {
	struct list_head maps;
	struct mutex lock;
};

static int privcmd_open(struct inode *inode, struct file *file)
{
	struct privcmd_file *pf = kzalloc(sizeof(*pf), GFP_KERNEL);
	if (!pf)
		return -ENOMEM;
	INIT_LIST_HEAD(&pf->maps);
	mutex_init(&pf->lock);
	file->private_data = pf;
	return 0;
}

/* With pf->lock held. */
static int unmap_one(struct fmap *m)
{
	struct sbiret r;
	if (atomic_read(&m->vmas))
		return -EBUSY;    /* still mapped in a process: unmapping would fault Dom0 */
	r = hcall(RIVET_HC_FOREIGN_UNMAP, m->window_gpa, m->nr_pages, 0, 0, 0, 0);
	if (r.error)
		pr_warn("rivet: foreign unmap of 0x%llx failed: %ld\n", m->window_gpa, r.error);
	mutex_lock(&window_lock);
	list_del(&m->all);
	mutex_unlock(&window_lock);
	list_del(&m->link);
	kfree(m);
	return 0;
}

static int privcmd_release(struct inode *inode, struct file *file)
{
	struct privcmd_file *pf = file->private_data;
	struct fmap *m, *n;
	/* mmap()s hold the file, so by now no process maps any of these. */
	mutex_lock(&pf->lock);
	list_for_each_entry_safe(m, n, &pf->maps, link)
		unmap_one(m);
	mutex_unlock(&pf->lock);
	kfree(pf);
	return 0;
}

static long do_hypercall(void __user *arg)
{
	struct rivet_ioctl_hypercall hc;
	void *bounce = NULL;
	struct sbiret r;
	if (copy_from_user(&hc, arg, sizeof(hc)))
		return -EFAULT;
	if (hc.buf_arg >= 6 || hc.buf_arg < -1 || hc.buf_len > RIVET_PRIVCMD_BUF_MAX)
		return -EINVAL;
	if (hc.buf_arg >= 0) {
		bounce = (void *)get_zeroed_page(GFP_KERNEL);
		if (!bounce)
			return -ENOMEM;
		if (copy_from_user(bounce, u64_to_user_ptr(hc.buf), hc.buf_len)) {
			free_page((unsigned long)bounce);
			return -EFAULT;
		}
		hc.args[hc.buf_arg] = virt_to_phys(bounce);
	}
	r = hcall(hc.fn, hc.args[0], hc.args[1], hc.args[2], hc.args[3], hc.args[4], hc.args[5]);
	hc.error = r.error;
	hc.value = r.value;
	if (bounce) {
		long bad = copy_to_user(u64_to_user_ptr(hc.buf), bounce, hc.buf_len);
		free_page((unsigned long)bounce);
		if (bad)
			return -EFAULT;
	}
	return copy_to_user(arg, &hc, sizeof(hc)) ? -EFAULT : 0;
}

static long do_map_foreign(struct privcmd_file *pf, void __user *arg, u64 flags)
{
	struct rivet_ioctl_map_foreign mf;
	struct list_head *after;
	struct fmap *m;
	struct sbiret r;
	if (copy_from_user(&mf, arg, sizeof(mf)))
		return -EFAULT;
	if (!mf.nr_pages || mf.nr_pages > (WINDOW_BYTES >> PAGE_SHIFT) || (mf.gpa & ~PAGE_MASK))
		return -EINVAL;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	mutex_lock(&window_lock);
	m->window_gpa = window_alloc(mf.nr_pages, &after);
	m->nr_pages = mf.nr_pages;
	if (!m->window_gpa) {
		mutex_unlock(&window_lock);
		kfree(m);
		return -ENOSPC;
	}
	r = hcall(RIVET_HC_FOREIGN_MAP, mf.domid, mf.gpa, m->window_gpa, mf.nr_pages, flags, 0);
	if (r.error) {
		mutex_unlock(&window_lock);
		kfree(m);
		return r.error == RIVET_ERR_NO_DOMAIN ? -ESRCH :
		       r.error == SBI_ERR_INVALID_ADDRESS ? -EFAULT : -EINVAL;
	}
	list_add(&m->all, after);
	mutex_unlock(&window_lock);
	mutex_lock(&pf->lock);
	list_add(&m->link, &pf->maps);
	mutex_unlock(&pf->lock);
	mf.offset = m->window_gpa - WINDOW_BASE;
	return copy_to_user(arg, &mf, sizeof(mf)) ? -EFAULT : 0;
}

static long do_unmap_foreign(struct privcmd_file *pf, void __user *arg)
{
	u64 offset;
	struct fmap *m;
	long ret = -EINVAL;
	if (copy_from_user(&offset, arg, sizeof(offset)))
		return -EFAULT;
	mutex_lock(&pf->lock);
	list_for_each_entry(m, &pf->maps, link) {
		if (m->window_gpa - WINDOW_BASE == offset) {
			ret = unmap_one(m);
			break;
		}
	}
	mutex_unlock(&pf->lock);
	return ret;
}

static void fmap_vm_open(struct vm_area_struct *vma)
{
	atomic_inc(&((struct fmap *)vma->vm_private_data)->vmas);
}

static void fmap_vm_close(struct vm_area_struct *vma)
{
	atomic_dec(&((struct fmap *)vma->vm_private_data)->vmas);
}

static const struct vm_operations_struct fmap_vm_ops = {
	.open = fmap_vm_open,
	.close = fmap_vm_close,
};

static int privcmd_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct privcmd_file *pf = file->private_data;
	u64 offset = (u64)vma->vm_pgoff << PAGE_SHIFT, len = vma->vm_end - vma->vm_start;
	struct fmap *m, *found = NULL;
	int ret;
	mutex_lock(&pf->lock);
	list_for_each_entry(m, &pf->maps, link)
		if (m->window_gpa - WINDOW_BASE == offset && len <= (m->nr_pages << PAGE_SHIFT))
			found = m;
	if (!found) {
		mutex_unlock(&pf->lock);
		return -EINVAL;
	}
	vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY);
	vma->vm_ops = &fmap_vm_ops;
	vma->vm_private_data = found;
	ret = remap_pfn_range(vma, vma->vm_start, found->window_gpa >> PAGE_SHIFT, len, vma->vm_page_prot);
	if (!ret)
		atomic_inc(&found->vmas);
	mutex_unlock(&pf->lock);
	return ret;
}

/* ---- event channels ---- */

static ssize_t evtchn_read(struct file *file, char __user *buf, size_t len, loff_t *off)
{
	struct evtchn_file *ef = file->private_data;
	int ret;
	if (len < sizeof(u32))
		return -EINVAL;
	for (;;) {
		int n = atomic_read(&ef->fired);
		if (n > 0 && atomic_cmpxchg(&ef->fired, n, 0) == n)
			break;
		if (n > 0)
			continue;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(ef->wq, atomic_read(&ef->fired) > 0);
		if (ret)
			return ret;
	}
	return copy_to_user(buf, &ef->port, sizeof(u32)) ? -EFAULT : sizeof(u32);
}

static ssize_t evtchn_write(struct file *file, const char __user *buf, size_t len, loff_t *off)
{
	struct evtchn_file *ef = file->private_data;
	struct sbiret r = hcall(RIVET_HC_EVTCHN_SEND, ef->port, 0, 0, 0, 0, 0);
	return r.error ? -EINVAL : (ssize_t)len;
}

static __poll_t evtchn_poll(struct file *file, poll_table *wait)
{
	struct evtchn_file *ef = file->private_data;
	poll_wait(file, &ef->wq, wait);
	return atomic_read(&ef->fired) > 0 ? EPOLLIN | EPOLLRDNORM : 0;
}

static int evtchn_release(struct inode *inode, struct file *file)
{
	struct evtchn_file *ef = file->private_data;
	port_unroute(ef->port, ef);
	hcall(RIVET_HC_EVTCHN_CLOSE, ef->port, 0, 0, 0, 0, 0);
	kfree(ef);
	return 0;
}

static const struct file_operations evtchn_fops = {
	.owner = THIS_MODULE,
	.read = evtchn_read,
	.write = evtchn_write,
	.poll = evtchn_poll,
	.release = evtchn_release,
	.llseek = noop_llseek,
};

static long do_evtchn(void __user *arg)
{
	struct rivet_ioctl_evtchn ev;
	struct evtchn_file *ef;
	struct sbiret r;
	int fd;
	if (copy_from_user(&ev, arg, sizeof(ev)))
		return -EFAULT;
	switch (ev.kind) {
	case RIVET_EVTCHN_BIND_VIRQ:
		r = hcall(RIVET_HC_EVTCHN_BIND_VIRQ, ev.virq, 0, 0, 0, 0, 0);
		break;
	case RIVET_EVTCHN_ALLOC_UNBOUND:
		r = hcall(RIVET_HC_EVTCHN_ALLOC, ev.domid, 0, 0, 0, 0, 0);
		break;
	case RIVET_EVTCHN_BIND_INTERDOMAIN:
		r = hcall(RIVET_HC_EVTCHN_BIND, ev.domid, ev.remote_port, 0, 0, 0, 0);
		break;
	default:
		return -EINVAL;
	}
	if (r.error)
		return r.error == RIVET_ERR_EXISTS ? -EEXIST : r.error == RIVET_ERR_NO_DOMAIN ? -ESRCH :
		       r.error == RIVET_ERR_BUSY ? -ENOSPC : -EINVAL;
	ef = kzalloc(sizeof(*ef), GFP_KERNEL);
	if (!ef) {
		hcall(RIVET_HC_EVTCHN_CLOSE, r.value, 0, 0, 0, 0, 0);
		return -ENOMEM;
	}
	ef->port = r.value;
	init_waitqueue_head(&ef->wq);
	port_route(ef->port, ef);
	fd = anon_inode_getfd("[rivet-evtchn]", &evtchn_fops, ef, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		port_unroute(ef->port, ef);
		hcall(RIVET_HC_EVTCHN_CLOSE, ef->port, 0, 0, 0, 0, 0);
		kfree(ef);
		return fd;
	}
	ev.port = ef->port;
	ev.fd = fd;
	/* The fd is installed; a failed copy leaves it to the process to close. */
	return copy_to_user(arg, &ev, sizeof(ev)) ? -EFAULT : 0;
}

/* ---- ioreq servers: an event channel file that also maps the shared page ---- */

struct ioreq_file {
	struct evtchn_file ef;      /* first: the event channel fops take it as theirs */
	u32 domid;
	struct page *page;          /* the struct rivet_ioreq_page, in Dom0's RAM */
};

static int ioreq_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct ioreq_file *iof = file->private_data;
	/* Shared only: a private copy would keep the device model's answers from the microvisor. */
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != PAGE_SIZE || !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY);
	return remap_pfn_range(vma, vma->vm_start, page_to_pfn(iof->page), PAGE_SIZE, vma->vm_page_prot);
}

/* Runs once no mapping of the page is left (each holds the file): the page may go after the server. */
static int ioreq_release(struct inode *inode, struct file *file)
{
	struct ioreq_file *iof = file->private_data;
	port_unroute(iof->ef.port, &iof->ef);
	/* Whatever it answers, the microvisor no longer touches the page afterwards. */
	hcall(RIVET_HC_IOREQ_DESTROY, iof->domid, iof->ef.port, 0, 0, 0, 0);
	__free_page(iof->page);
	kfree(iof);
	return 0;
}

static const struct file_operations ioreq_fops = {
	.owner = THIS_MODULE,
	.read = evtchn_read,
	.write = evtchn_write,
	.poll = evtchn_poll,
	.mmap = ioreq_mmap,
	.release = ioreq_release,
	.llseek = noop_llseek,
};

static long do_ioreq_server(void __user *arg)
{
	struct rivet_ioctl_ioreq io;
	struct ioreq_file *iof;
	struct sbiret r;
	int fd;
	if (copy_from_user(&io, arg, sizeof(io)))
		return -EFAULT;
	iof = kzalloc(sizeof(*iof), GFP_KERNEL);
	if (!iof)
		return -ENOMEM;
	iof->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!iof->page) {
		kfree(iof);
		return -ENOMEM;
	}
	iof->domid = io.domid;
	r = hcall(RIVET_HC_IOREQ_CREATE, io.domid, page_to_phys(iof->page), 0, 0, 0, 0);
	if (r.error) {
		__free_page(iof->page);
		kfree(iof);
		return r.error == RIVET_ERR_NO_DOMAIN ? -ESRCH : r.error == RIVET_ERR_BUSY ? -EBUSY :
		       r.error == SBI_ERR_DENIED ? -EPERM : r.error == RIVET_ERR_NO_MEMORY ? -ENOMEM : -EINVAL;
	}
	iof->ef.port = r.value;
	init_waitqueue_head(&iof->ef.wq);
	port_route(iof->ef.port, &iof->ef);
	fd = anon_inode_getfd("[rivet-ioreq]", &ioreq_fops, iof, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		port_unroute(iof->ef.port, &iof->ef);
		hcall(RIVET_HC_IOREQ_DESTROY, io.domid, iof->ef.port, 0, 0, 0, 0);
		__free_page(iof->page);
		kfree(iof);
		return fd;
	}
	io.port = iof->ef.port;
	io.fd = fd;
	return copy_to_user(arg, &io, sizeof(io)) ? -EFAULT : 0;
}

/* The PLIC claimed it before this runs: an event after the scan below raises it again. */
static irqreturn_t event_interrupt(int irq, void *dev_id)
{
	unsigned int w;
	for (w = 0; w < RIVET_EVTCHN_PORTS / 64; w++) {
		u64 pend = xchg(&event_page->pending[w], 0);
		while (pend) {
			unsigned int port = w * 64 + __ffs64(pend);
			pend &= pend - 1;
			spin_lock(&ports_lock);
			if (ports[port]) {
				atomic_inc(&ports[port]->fired);
				wake_up_interruptible(&ports[port]->wq);
			}
			spin_unlock(&ports_lock);
		}
	}
	return IRQ_HANDLED;
}

static long privcmd_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *p = (void __user *)arg;
	switch (cmd) {
	case RIVET_IOCTL_HYPERCALL:     return do_hypercall(p);
	case RIVET_IOCTL_MAP_FOREIGN:   return do_map_foreign(file->private_data, p, 0);
	case RIVET_IOCTL_MAP_FOREIGN_HOLES:
		return do_map_foreign(file->private_data, p, RIVET_FOREIGN_MAP_HOLES);
	case RIVET_IOCTL_UNMAP_FOREIGN: return do_unmap_foreign(file->private_data, p);
	case RIVET_IOCTL_EVTCHN:        return do_evtchn(p);
	case RIVET_IOCTL_IOREQ_SERVER:  return do_ioreq_server(p);
	}
	return -ENOTTY;
}

static const struct file_operations privcmd_fops = {
	.owner = THIS_MODULE,
	.open = privcmd_open,
	.release = privcmd_release,
	.unlocked_ioctl = privcmd_ioctl,
	.mmap = privcmd_mmap,
	.llseek = noop_llseek,
};

static struct miscdevice privcmd_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "rivet_privcmd",
	.nodename = "rivet/privcmd",
	.mode = 0600,
	.fops = &privcmd_fops,
};

static int rivet_probe(struct platform_device *pdev)
{
	struct sbiret r = hcall(RIVET_HC_VERSION, 0, 0, 0, 0, 0, 0);
	int ret;
	if (r.error || (r.value >> 16) != RIVET_ABI_MAJOR) {
		dev_err(&pdev->dev, "hypervisor ABI %ld.%ld, this driver speaks %d.x\n",
			r.value >> 16, r.value & 0xffff, RIVET_ABI_MAJOR);
		return -ENODEV;
	}
	event_page = (void *)get_zeroed_page(GFP_KERNEL);
	if (!event_page)
		return -ENOMEM;
	r = hcall(RIVET_HC_EVTCHN_INIT, virt_to_phys(event_page), 0, 0, 0, 0, 0);
	if (r.error) {
		ret = -EIO;
		goto fail_page;
	}
	event_irq = platform_get_irq(pdev, 0);
	if (event_irq < 0) {
		ret = event_irq;
		goto fail_page;
	}
	ret = request_irq(event_irq, event_interrupt, 0, "rivet-events", &event_page);
	if (ret)
		goto fail_page;
	ret = misc_register(&privcmd_dev);
	if (ret)
		goto fail_irq;
	dev_info(&pdev->dev, "Rivet ABI %d.%d, /dev/rivet/privcmd ready\n", RIVET_ABI_MAJOR, RIVET_ABI_MINOR);
	return 0;
fail_irq:
	free_irq(event_irq, &event_page);
fail_page:
	free_page((unsigned long)event_page);
	return ret;
}

static const struct of_device_id rivet_of_match[] = {
	{ .compatible = "rivet,hypervisor" },
	{ }
};
MODULE_DEVICE_TABLE(of, rivet_of_match);

static struct platform_driver rivet_driver = {
	.probe = rivet_probe,
	.driver = {
		.name = "rivet",
		.of_match_table = rivet_of_match,
		.suppress_bind_attrs = true,   /* no unbinding: user space may hold mappings */
	},
};
builtin_platform_driver(rivet_driver);

MODULE_DESCRIPTION("Rivet hypervisor Dom0 interface");
MODULE_LICENSE("GPL");
