/* SPDX-License-Identifier: MIT */
/*
 * xl_dumpcore.c: a domain's core file (xl dump-core; rivet-consoled for
 * on_* = coredump-*): its vCPUs' registers (VCPU_GETCONTEXT) and its RAM
 * through foreign mappings, handed to xl_core.c's writer.
 */
#define _GNU_SOURCE   /* renameat2 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
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
	int stopped;                 /* out of map slots: the rest is left out */
	uint64_t missing;            /* pages of RAM left out (not holes) */
};

/* Below this, a range Dom0's window has no room for is left out rather than split further. */
#define MAP_MIN_SPLIT_PAGES 512   /* 2 MiB */

/*
 * Maps [gpa, gpa + pages) of DOMID, all at once if it is all RAM, else in
 * halves down to single pages, which leaves out exactly the pages that are
 * not RAM (a balloon's holes) in as few mappings as the holes allow. A
 * range that does not fit Dom0's foreign window (whose 4 GiB every device
 * model's map of its domain shares) is split too, down to 2 MiB pieces;
 * what still does not fit is counted in ram->missing.
 */
static void map_range(xc_handle *h, uint32_t domid, uint64_t gpa, uint64_t pages, struct ram *ram)
{
	void *addr;
	int r;

	if (!pages)
		return;
	if (ram->stopped || ram->n == XL_CORE_MAX_MEM) {
		ram->stopped = 1;
		ram->missing += pages;
		return;
	}
	r = xc_map_foreign(h, domid, gpa, pages, &addr);
	if (r == 0) {
		ram->run[ram->n++] = (struct xl_core_mem){ gpa, pages * XC_PAGE_SIZE, addr };
		return;
	}
	if (r != XC_EFAULT && pages <= MAP_MIN_SPLIT_PAGES) {
		ram->missing += pages;   /* no room for even this: what is mapped is dumped */
		return;
	}
	if (pages == 1)
		return;   /* a hole */
	map_range(h, domid, gpa, pages / 2, ram);
	map_range(h, domid, gpa + pages / 2 * XC_PAGE_SIZE, pages - pages / 2, ram);
}

int xl_dump_partial_path(const char *path, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s.partial", path);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The directory holding PATH synced, so that its new name outlives a power loss. */
static void sync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * The whole core at PARTIAL becomes PATH: never over an existing file when
 * EXCLUSIVE (renameat2's RENAME_NOREPLACE, or a hard link where the file
 * system has no such rename). 0, or -1 with WHY (PARTIAL left to the caller).
 */
static int publish(const char *partial, const char *path, int exclusive, char *why, size_t why_size)
{
	int r = -1;

	if (!exclusive) {
		r = rename(partial, path);
	} else if (renameat2(AT_FDCWD, partial, AT_FDCWD, path, RENAME_NOREPLACE) == 0) {
		r = 0;
	} else if ((errno == EINVAL || errno == ENOSYS) && link(partial, path) == 0) {
		unlink(partial);
		r = 0;
	}
	if (r == 0) {
		sync_dir_of(path);
		return 0;
	}
	snprintf(why, why_size, "cannot rename %s to %s: %s", partial, path, strerror(errno));
	return -1;
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
	char partial[PATH_MAX + 16];
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
	/*
	 * rivet-consoled's own cores (EXCLUSIVE: a fresh name each) at
	 * PATH.partial, which it cleans up after a crash; anyone else's with its
	 * pid in the name too, so two writers of one PATH never share a file (one
	 * left by a dead writer of the same pid is written over).
	 */
	if (exclusive ? xl_dump_partial_path(path, partial, sizeof partial) < 0 :
	    snprintf(partial, sizeof partial, "%s.%ld.partial", path, (long)getpid()) >= (int)sizeof partial) {
		snprintf(why, why_size, "%s: path too long", path);
		goto out;
	}
	fd = open(partial, O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC), 0600);
	if (fd < 0) {
		snprintf(why, why_size, "cannot create %s: %s", partial, strerror(errno));
		goto out;
	}
	in = (struct xl_core_input){ ctx, info.nr_vcpus, ram->run, ram->n, vsegs, nr_vsegs };
	r = xl_core_write(fd, &in, why, why_size);
	if (r == 0 && fsync(fd) < 0) {
		snprintf(why, why_size, "%s: fsync: %s", partial, strerror(errno));
		r = -1;
	}
	if (close(fd) < 0 && r == 0) {
		snprintf(why, why_size, "%s: close: %s", partial, strerror(errno));
		r = -1;
	}
	fd = -1;
	/* Only a whole, synced core gets the final name. */
	if (r == 0)
		r = publish(partial, path, exclusive, why, why_size);
	if (r < 0) {
		unlink(partial);   /* no half a core left behind */
		goto out;
	}
	for (i = 0; i < ram->n; i++)
		res->ram_bytes += ram->run[i].size;
	res->nr_vcpus = info.nr_vcpus;
	res->nr_vsegs = nr_vsegs;
	res->walk_truncated = st.truncated;
	res->ram_incomplete = ram->stopped || ram->missing;
	res->ram_missing_bytes = ram->missing * XC_PAGE_SIZE;
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

/* "NAME.DOMID.YYYYmmdd-HHMMSS.core" for this NAME: the stamp part (for ordering) in STAMP. */
static int is_core_of(const char *file, const char *name, char stamp[16])
{
	size_t n = strlen(name);
	const char *p = file + n;
	unsigned i;

	if (strncmp(file, name, n) || *p++ != '.' || !isdigit((unsigned char)*p))
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != '.')
		return 0;
	for (i = 0; i < 15; i++)
		if (i == 8 ? p[i] != '-' : !isdigit((unsigned char)p[i]))
			return 0;
	if (strcmp(p + 15, ".core"))
		return 0;
	memcpy(stamp, p, 15);
	stamp[15] = '\0';
	return 1;
}

struct core_file {
	char stamp[16];
	char *file;
};

static int newest_first(const void *a, const void *b)
{
	const struct core_file *x = a, *y = b;
	int c = strcmp(y->stamp, x->stamp);
	return c ? c : strcmp(y->file, x->file);
}

int xl_dump_prune(const char *name, unsigned keep)
{
	const char *dir = xl_dump_dir();
	struct core_file *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int removed = 0;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d))) {
		char stamp[16];
		if (!is_core_of(e->d_name, name, stamp))
			continue;
		if (n == cap) {
			struct core_file *nv = realloc(v, (cap = cap ? 2 * cap : 8) * sizeof *v);
			if (!nv)
				break;
			v = nv;
		}
		v[n].file = strdup(e->d_name);
		if (!v[n].file)
			break;
		memcpy(v[n].stamp, stamp, sizeof stamp);
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof *v, newest_first);
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		if (i + 1 >= keep && snprintf(path, sizeof path, "%s/%s", dir, v[i].file) < (int)sizeof path &&
		    unlink(path) == 0)
			removed++;
		free(v[i].file);
	}
	free(v);
	return removed;
}

int xl_dump_remove_partials(void)
{
	static const char suffix[] = ".core.partial";
	const char *dir = xl_dump_dir();
	struct dirent *e;
	int removed = 0;
	DIR *d = opendir(dir);

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char path[PATH_MAX];

		if (n <= sizeof suffix - 1 || strcmp(e->d_name + n - (sizeof suffix - 1), suffix) ||
		    snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
			continue;
		if (unlink(path) == 0)
			removed++;
	}
	closedir(d);
	return removed;
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
