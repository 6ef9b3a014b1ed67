/* SPDX-License-Identifier: MIT */
/*
 * xl_dumpcore.c: a domain's core file (xl dump-core; rivet-consoled for
 * on_* = coredump-*): its vCPUs' registers (VCPU_GETCONTEXT) and its RAM
 * through foreign mappings, handed to xl_core.c's writer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "xl.h"
#include "xl_core.h"

struct ram {
	struct xl_core_mem run[XL_CORE_MAX_MEM];
	unsigned n;
	int stopped;                 /* a map failed for another reason than a hole: the rest is left out */
};

/*
 * Maps [gpa, gpa + pages) of DOMID, all at once if it is all RAM, else in
 * halves down to single pages, which leaves out exactly the pages that are
 * not RAM (a balloon's holes) in as few mappings as the holes allow.
 */
static void map_range(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t pages, struct ram *ram)
{
	void *addr;
	int r;

	if (ram->stopped || !pages)
		return;
	if (ram->n == XL_CORE_MAX_MEM) {
		ram->stopped = 1;
		return;
	}
	r = xc_map_foreign(h, domid, gpa, pages, &addr);
	if (r == 0) {
		ram->run[ram->n++] = (struct xl_core_mem){ gpa, pages * XC_PAGE_SIZE, addr };
		return;
	}
	if (r != XC_EFAULT) {   /* out of map slots or memory: what is mapped is dumped */
		ram->stopped = 1;
		return;
	}
	if (pages == 1)
		return;   /* a hole */
	map_range(h, domid, gpa, pages / 2, ram);
	map_range(h, domid, gpa + pages / 2 * XC_PAGE_SIZE, pages - pages / 2, ram);
}

static void unmap_all(xc_handle *h, struct ram *ram)
{
	for (unsigned i = 0; i < ram->n; i++)
		xc_unmap_foreign(h, (void *)ram->run[i].data, ram->run[i].size / XC_PAGE_SIZE);
	ram->n = 0;
}

int xl_dump_core(xc_handle *h, uint32_t domid, const char *path, int exclusive,
		 struct xl_dump_result *res, char *why, size_t why_size)
{
	struct rivet_vcpu_context ctx[RIVET_MAX_VCPUS];
	struct rivet_domain_info info;
	struct xl_core_walk_stats st = { 0 };
	struct xl_core_vseg *vsegs = NULL;
	struct xl_core_input in;
	struct ram *ram = NULL;
	unsigned i, nr_vsegs = 0;
	int r, fd = -1, rc = -1;

	memset(res, 0, sizeof *res);
	r = xc_domain_getinfo(h, domid, &info);
	if (r < 0 || info.domid != domid) {
		snprintf(why, why_size, "domain %u: %s", domid, r < 0 ? xc_strerror(r) : "no such domain");
		return -1;
	}
	if (!info.nr_vcpus || info.nr_vcpus > RIVET_MAX_VCPUS) {
		snprintf(why, why_size, "domain %u reports %u vCPUs", domid, info.nr_vcpus);
		return -1;
	}
	for (i = 0; i < info.nr_vcpus; i++) {
		r = xc_vcpu_getcontext(h, domid, i, &ctx[i]);
		if (r < 0) {
			snprintf(why, why_size, "vCPU %u's registers: %s%s", i, xc_strerror(r),
				 r == XC_EBUSY ? " (the domain runs: pause it first)" : "");
			return -1;
		}
	}
	ram = calloc(1, sizeof *ram);
	vsegs = calloc(XL_CORE_MAX_VSEGS, sizeof *vsegs);
	if (!ram || !vsegs) {
		snprintf(why, why_size, "out of memory");
		goto out;
	}
	map_range(h, domid, RIVET_GUEST_RAM_BASE, info.max_bytes / XC_PAGE_SIZE, ram);
	/* The kernel's mappings are the same in every vCPU's table: the first with paging on. */
	for (i = 0; i < info.nr_vcpus; i++) {
		nr_vsegs = xl_core_walk(ctx[i].vsatp, ram->run, ram->n, vsegs, XL_CORE_MAX_VSEGS, &st);
		if (st.levels)
			break;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC), 0600);
	if (fd < 0) {
		snprintf(why, why_size, "cannot create %s: %s", path, strerror(errno));
		goto out;
	}
	in = (struct xl_core_input){ ctx, info.nr_vcpus, ram->run, ram->n, vsegs, nr_vsegs };
	r = xl_core_write(fd, &in, why, why_size);
	if (r == 0 && fsync(fd) < 0) {
		snprintf(why, why_size, "%s: fsync: %s", path, strerror(errno));
		r = -1;
	}
	if (close(fd) < 0 && r == 0) {
		snprintf(why, why_size, "%s: close: %s", path, strerror(errno));
		r = -1;
	}
	fd = -1;
	if (r < 0) {
		unlink(path);   /* no half a core that looks like a whole one */
		goto out;
	}
	for (i = 0; i < ram->n; i++)
		res->ram_bytes += ram->run[i].size;
	res->nr_vcpus = info.nr_vcpus;
	res->nr_vsegs = nr_vsegs;
	res->walk_truncated = st.truncated;
	res->ram_incomplete = ram->stopped;
	rc = 0;
out:
	if (ram) {
		unmap_all(h, ram);
		free(ram);
	}
	free(vsegs);
	return rc;
}

const char *xl_dump_dir(void)
{
	const char *d = getenv("RIVET_DUMP_DIR");

	return d && *d ? d : XL_DUMP_DIR;
}

int xl_dump_path(const char *name, uint32_t domid, time_t when, char *buf, size_t size)
{
	struct tm tm;
	char stamp[32];
	int n;

	if (!gmtime_r(&when, &tm) || !strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm))
		return -1;
	n = snprintf(buf, size, "%s/%s.%u.%s.core", xl_dump_dir(), name, domid, stamp);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}
