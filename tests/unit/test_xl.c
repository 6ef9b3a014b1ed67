/* SPDX-License-Identifier: MIT */
/*
 * test_xl.c: xl's pure parts (rows, state letters, name/id lookup, the
 * /run/rivet/domains record, argument parsing, the load plan) and `xl
 * create`/`list`/`destroy`/... end to end over libxc with a fake microvisor
 * behind a fake transport.
 */
#define _GNU_SOURCE   /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "dm_request.h"
#include "libfdt.h"
#include "rivet_privcmd.h"
#include "xl.h"

/* ---- a fake microvisor ---- */

#define FDOMS 8
struct fdom {
	int used;
	struct rivet_domain_info info;
	uint8_t *ram;
	int started;
	int paused;                  /* as the last pause/unpause left it */
	int started_paused;          /* vCPU 0 started while paused */
	uint64_t pc, a1;
	struct rivet_sched_params sched;        /* domain-wide values, as SCHED_GET says them */
	uint64_t rt_period[8], rt_budget[8];    /* per vCPU */
	uint32_t rt_extra[8];
	uint64_t pinned[8];                     /* VCPU_PIN's masks, + 1 (0: never pinned) */
	int vcpus_set_before_start;             /* the last DOMAIN_VCPUS came before VCPU_START */
};

struct fmap {
	uint32_t domid;
	uint64_t gpa, pages, offset;
};

static struct fmv {
	struct fdom d[FDOMS];
	uint64_t free_bytes;
	uint32_t fail_fn;            /* this hypercall fails with fail_err */
	int64_t fail_err;
	unsigned nr_destroys, nr_maps_live;
	struct fmap maps[64];
	unsigned nr_maps;
	uint64_t next_offset;
	uint64_t last_args[6];
	uint32_t last_fn;
	uint64_t now_ns;             /* the microvisor's clock, as getinfo reports it */
	uint64_t tick_ns, tick_cpu_ns;   /* each getinfo advances the clock / every domain's CPU time */
	char log[256];               /* the microvisor's log (DMESG_READ) */
	size_t log_len, log_start;   /* log_start: cleared up to here */
	const char *log_late;        /* appended after the next read that returns bytes */
	unsigned nr_renames, nr_debug_calls;
	char keys[64];               /* the last DEBUG_KEYS's keys */
} mv;

static void mv_reset(void)
{
	unsigned i;

	for (i = 0; i < FDOMS; i++)
		free(mv.d[i].ram);
	memset(&mv, 0, sizeof mv);
	mv.free_bytes = 512 << 20;
	mv.d[0].used = 1;
	mv.d[0].info = (struct rivet_domain_info){ .domid = 0, .state = RIVET_DOMSTATE_RUNNING,
		.name = "Domain-0", .mem_bytes = 256 << 20, .max_bytes = 256 << 20,
		.cpu_time_ns = 12340000000ULL, .nr_vcpus = 2, .flags = RIVET_DOMF_PRIVILEGED };
}

static struct fdom *mv_dom(uint64_t id)
{
	return id < FDOMS && mv.d[id].used ? &mv.d[id] : NULL;
}

static int64_t mv_call(uint32_t fn, uint64_t *a, void *buf, int64_t *value)
{
	struct fdom *d;
	unsigned i;

	mv.last_fn = fn;
	memcpy(mv.last_args, a, sizeof mv.last_args);
	if (fn == mv.fail_fn && mv.fail_err)
		return mv.fail_err;
	switch (fn) {
	case RIVET_HC_PHYSINFO: {
		struct rivet_physinfo pi = { 2, 8, 1 << 30, mv.free_bytes, 25000000, 0x10000, 0 };

		memcpy(buf, &pi, sizeof pi);
		return 0;
	}
	case RIVET_HC_DOMAIN_CREATE: {
		struct rivet_domain_config *c = buf;

		for (i = 0; i < FDOMS; i++)
			if (mv.d[i].used && !strcmp(mv.d[i].info.name, c->name))
				return RIVET_ERR_EXISTS;
		for (i = 1; i < FDOMS && mv.d[i].used; i++)
			;
		if (i == FDOMS)
			return RIVET_ERR_NO_MEMORY;
		memset(&mv.d[i], 0, sizeof mv.d[i]);
		mv.d[i].used = 1;
		mv.d[i].info.domid = i;
		memcpy(mv.d[i].info.name, c->name, RIVET_NAME_MAX);
		mv.d[i].info.max_bytes = c->max_bytes;
		mv.d[i].info.nr_vcpus = c->nr_vcpus;
		mv.d[i].info.avail_vcpus = c->nr_vcpus;   /* all, until DOMAIN_VCPUS */
		mv.d[i].info.state = RIVET_DOMSTATE_PAUSED;
		mv.d[i].info.start_ns = mv.now_ns;
		*value = i;
		return 0;
	}
	case RIVET_HC_DOMAIN_DESTROY:
		if (!(d = mv_dom(a[0])))
			return RIVET_ERR_NO_DOMAIN;
		if (a[0] == 0)
			return SBI_ERR_DENIED;
		mv.free_bytes += d->info.mem_bytes;
		free(d->ram);
		memset(d, 0, sizeof *d);
		mv.nr_destroys++;
		return 0;
	case RIVET_HC_DOMAIN_GETINFO:
		mv.now_ns += mv.tick_ns;
		for (i = 0; i < FDOMS; i++)
			if (mv.d[i].used)
				mv.d[i].info.cpu_time_ns += mv.tick_cpu_ns;
		for (i = (unsigned)a[0]; i < FDOMS; i++)
			if (mv.d[i].used) {
				mv.d[i].info.now_ns = mv.now_ns;
				memcpy(buf, &mv.d[i].info, sizeof mv.d[i].info);
				*value = i;
				return 0;
			}
		return RIVET_ERR_NO_DOMAIN;
	case RIVET_HC_MEMORY_POPULATE:
		if (!(d = mv_dom(a[0])))
			return RIVET_ERR_NO_DOMAIN;
		if (a[1] != RIVET_GUEST_RAM_BASE || a[2] * 4096 != d->info.max_bytes || d->ram)
			return SBI_ERR_INVALID_PARAM;
		d->ram = calloc(1, d->info.max_bytes);
		memset(d->ram, 0xee, d->info.max_bytes);   /* not zero: the loader must zero */
		d->info.mem_bytes = d->info.max_bytes;
		return 0;
	case RIVET_HC_VCPU_START:
		if (!(d = mv_dom(a[0])))
			return RIVET_ERR_NO_DOMAIN;
		d->started = 1;
		d->started_paused = d->paused;
		d->pc = a[2];
		d->a1 = a[3];
		/* As the microvisor: a paused domain is only paused. */
		d->info.state = d->paused ? RIVET_DOMSTATE_PAUSED : RIVET_DOMSTATE_RUNNING;
		return 0;
	case RIVET_HC_VCPU_GETINFO: {
		struct rivet_vcpu_info vi = { 1, (uint32_t)a[1], 500000000, 0xb };

		if (!(d = mv_dom(a[0])))
			return RIVET_ERR_NO_DOMAIN;
		memcpy(buf, &vi, sizeof vi);
		return 0;
	}
	case RIVET_HC_VCPU_GETCONTEXT: {
		struct rivet_vcpu_context ctx;

		if (!(d = mv_dom(a[0])))
			return RIVET_ERR_NO_DOMAIN;
		memset(&ctx, 0, sizeof ctx);   /* paging off: a core of registers and RAM */
		ctx.pc = d->pc;
		memcpy(buf, &ctx, sizeof ctx);
		return 0;
	}
	case RIVET_HC_DOMAIN_PAUSE:
	case RIVET_HC_DOMAIN_UNPAUSE:
		if (!(d = mv_dom(a[0])))
			return RIVET_ERR_NO_DOMAIN;
		d->paused = fn == RIVET_HC_DOMAIN_PAUSE;
		if (d->started)
			d->info.state = d->paused ? RIVET_DOMSTATE_PAUSED : RIVET_DOMSTATE_RUNNING;
		return 0;
	case RIVET_HC_DOMAIN_SHUTDOWN:
		if (!(d = mv_dom(a[0])))
			return RIVET_ERR_NO_DOMAIN;
		if (a[0] != 0) {
			d->info.state = RIVET_DOMSTATE_SHUTDOWN;
			d->info.shutdown_reason = (uint32_t)a[1];
		}
		return 0;
	case RIVET_HC_DOMAIN_VCPUS:
		/* As the microvisor: not Dom0 itself, 1..nr_vcpus. */
		if (!(d = mv_dom(a[0])))
			return RIVET_ERR_NO_DOMAIN;
		if (a[0] == 0)
			return SBI_ERR_DENIED;
		if (a[1] < 1 || a[1] > d->info.nr_vcpus)
			return SBI_ERR_INVALID_PARAM;
		d->info.avail_vcpus = (uint32_t)a[1];
		d->vcpus_set_before_start = !d->started;
		return 0;
	case RIVET_HC_VCPU_PIN:
		if (!(d = mv_dom(a[0])))
			return RIVET_ERR_NO_DOMAIN;
		if (a[1] < 8)
			d->pinned[a[1]] = a[2] + 1;
		return 0;
	case RIVET_HC_SCHED_GET: {
		/* As the microvisor: the domain's policy, weight and cap, and the vCPU's RTDS values. */
		uint64_t v = a[1] == RIVET_SCHED_ALL_VCPUS ? 0 : a[1];
		if (!(d = mv_dom(a[0])))
			return RIVET_ERR_NO_DOMAIN;
		if (v >= d->info.nr_vcpus || v >= 8)
			return SBI_ERR_INVALID_PARAM;
		struct rivet_sched_params p = d->sched;
		if (!p.weight)
			p.weight = RIVET_SCHED_WEIGHT_DEFAULT;
		if (p.policy == RIVET_SCHED_RTDS) {
			p.period_us = d->rt_period[v];
			p.budget_us = d->rt_budget[v];
			p.extratime = d->rt_extra[v];
		}
		memcpy(buf, &p, sizeof p);
		return 0;
	}
	case RIVET_HC_SCHED_SET: {
		struct rivet_sched_params *p = buf;
		int all = a[1] == RIVET_SCHED_ALL_VCPUS;
		if (!(d = mv_dom(a[0])))
			return RIVET_ERR_NO_DOMAIN;
		if (!all && a[1] >= d->info.nr_vcpus)
			return SBI_ERR_INVALID_PARAM;
		if (p->policy == RIVET_SCHED_CREDIT) {
			/* Two harts, as PHYSINFO says. */
			if (!all || !p->weight || p->weight > RIVET_SCHED_WEIGHT_MAX || p->cap > 200)
				return SBI_ERR_INVALID_PARAM;
			d->sched.policy = RIVET_SCHED_CREDIT;
			d->sched.weight = p->weight;
			d->sched.cap = p->cap;
			return 0;
		}
		if (p->policy != RIVET_SCHED_RTDS || p->budget_us > p->period_us || p->extratime > 1 ||
		    p->period_us < RIVET_SCHED_RTDS_PERIOD_MIN_US || p->budget_us < RIVET_SCHED_RTDS_BUDGET_MIN_US)
			return SBI_ERR_INVALID_PARAM;
		for (i = 0; i < d->info.nr_vcpus && i < 8; i++) {
			if (all || i == a[1]) {
				d->rt_period[i] = p->period_us;
				d->rt_budget[i] = p->budget_us;
				d->rt_extra[i] = p->extratime;
			} else if (d->sched.policy != RIVET_SCHED_RTDS) {
				d->rt_period[i] = RIVET_SCHED_RTDS_PERIOD_DEFAULT_US;
				d->rt_budget[i] = RIVET_SCHED_RTDS_BUDGET_DEFAULT_US;
				d->rt_extra[i] = 0;
			}
		}
		d->sched.policy = RIVET_SCHED_RTDS;
		return 0;
	}
	case RIVET_HC_DOMAIN_RENAME: {
		const char *name = buf;

		/* As the microvisor: the name checked, Dom0 not its own target, names unique. */
		if (strnlen(name, RIVET_NAME_MAX) == 0 || strnlen(name, RIVET_NAME_MAX) == RIVET_NAME_MAX)
			return SBI_ERR_INVALID_PARAM;
		if (!(d = mv_dom(a[0])))
			return RIVET_ERR_NO_DOMAIN;
		if (a[0] == 0)
			return SBI_ERR_DENIED;
		for (i = 0; i < FDOMS; i++)
			if (mv.d[i].used && i != a[0] && !strcmp(mv.d[i].info.name, name))
				return RIVET_ERR_EXISTS;
		memcpy(d->info.name, name, RIVET_NAME_MAX);
		mv.nr_renames++;
		return 0;
	}
	case RIVET_HC_DMESG_READ: {
		size_t kept = mv.log_len - mv.log_start, n = 0;

		if (a[3] & ~RIVET_DMESG_FLAGS)
			return SBI_ERR_INVALID_PARAM;
		if (a[0] < kept) {
			n = kept - a[0] < a[2] ? kept - a[0] : a[2];
			memcpy(buf, mv.log + mv.log_start + a[0], n);
		}
		if (a[3] & RIVET_DMESG_CLEAR)
			mv.log_start = a[0] < kept ? mv.log_start + a[0] + n : mv.log_len;
		/* A line that arrives after this call (once): the next read must find it. */
		if (mv.log_late && n) {
			strcat(mv.log, mv.log_late);
			mv.log_len = strlen(mv.log);
			mv.log_late = NULL;
		}
		*value = (int64_t)n;
		return 0;
	}
	case RIVET_HC_DEBUG_KEYS:
		if (a[1] == 0 || a[1] > RIVET_DEBUG_KEYS_MAX)
			return SBI_ERR_INVALID_PARAM;
		mv.nr_debug_calls++;
		memcpy(mv.keys, buf, a[1]);
		mv.keys[a[1]] = '\0';
		*value = 0;
		for (i = 0; i < a[1]; i++)
			*value += strchr("hqr", mv.keys[i]) != NULL;
		return 0;
	}
	return SBI_ERR_NOT_SUPPORTED;
}

static int f_open(void *ctx, const char *path) { (void)ctx; (void)path; return 3; }
static int f_close(void *ctx, int fd) { (void)ctx; (void)fd; return 0; }
static long f_read(void *ctx, int fd, void *b, size_t l) { (void)ctx; (void)fd; (void)b; (void)l; return -EIO; }
static long f_write(void *ctx, int fd, const void *b, size_t l) { (void)ctx; (void)fd; (void)b; (void)l; return -EIO; }

static int f_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	(void)ctx;
	(void)fd;
	if (req == RIVET_IOCTL_HYPERCALL) {
		struct rivet_ioctl_hypercall *hc = arg;
		uint8_t bounce[RIVET_PRIVCMD_BUF_MAX];

		if (hc->buf_arg >= 0)
			memcpy(bounce, (void *)(uintptr_t)hc->buf, hc->buf_len);
		hc->value = 0;
		hc->error = mv_call(hc->fn, hc->args, bounce, &hc->value);
		if (hc->buf_arg >= 0)
			memcpy((void *)(uintptr_t)hc->buf, bounce, hc->buf_len);
		return 0;
	}
	if (req == RIVET_IOCTL_MAP_FOREIGN) {
		struct rivet_ioctl_map_foreign *m = arg;
		struct fdom *d = mv_dom(m->domid);

		if (!d || !d->ram || m->gpa < RIVET_GUEST_RAM_BASE ||
		    m->gpa + m->nr_pages * 4096 > RIVET_GUEST_RAM_BASE + d->info.max_bytes)
			return -EINVAL;
		m->offset = mv.next_offset;
		mv.maps[mv.nr_maps++ % 64] = (struct fmap){ m->domid, m->gpa, m->nr_pages, m->offset };
		mv.next_offset += m->nr_pages * 4096;
		mv.nr_maps_live++;
		return 0;
	}
	if (req == RIVET_IOCTL_UNMAP_FOREIGN) {
		mv.nr_maps_live--;
		return 0;
	}
	return -ENOTTY;
}

static int f_mmap(void *ctx, int fd, size_t len, uint64_t off, void **addr)
{
	unsigned i;

	(void)ctx;
	(void)fd;
	for (i = 0; i < mv.nr_maps && i < 64; i++)
		if (mv.maps[i].offset == off && len == mv.maps[i].pages * 4096) {
			struct fdom *d = mv_dom(mv.maps[i].domid);

			*addr = d->ram + (mv.maps[i].gpa - RIVET_GUEST_RAM_BASE);
			return 0;
		}
	return -EINVAL;
}

static int f_munmap(void *ctx, void *addr, size_t len) { (void)ctx; (void)addr; (void)len; return 0; }

static const struct xc_backend fake_be = { f_open, f_ioctl, f_mmap, f_munmap, f_close, f_read,
					   f_write };

static xc_handle *fake_xc(void)
{
	xc_handle *h = NULL;

	mv_reset();
	CHECK_EQ(xc_open_backend(&h, &fake_be, NULL), 0);
	return h;
}

/* ---- files for the configs ---- */

static char dir[64];
static uint8_t kernel[10000], ramdisk[5000];

static void write_file(const char *name, const void *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	fwrite(data, 1, len, f);
	fclose(f);
}

static const char *path_of(const char *name)
{
	static char path[4][256];
	static unsigned n;
	char *p = path[n++ % 4];

	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

static void setup_files(void)
{
	static const char cfg[] =
		"# a test domain\n"
		"name = \"web\"\n"
		"memory = 64\n"
		"vcpus = 2\n"
		"kernel = \"Image\"\n"
		"ramdisk = \"initrd\"\n"
		"cmdline = \"console=hvc0\"\n"
		"on_reboot = \"restart\"\n";
	unsigned i;

	snprintf(dir, sizeof dir, "/tmp/test_xl.XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	for (i = 0; i < sizeof kernel; i++)
		kernel[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < sizeof ramdisk; i++)
		ramdisk[i] = (uint8_t)(i * 3 + 5);
	write_file("Image", kernel, sizeof kernel);
	write_file("initrd", ramdisk, sizeof ramdisk);
	write_file("web.cfg", cfg, sizeof cfg - 1);
	write_file("bad.cfg", "name = \"x\"\nmemory = \"lots\"\nkernel = \"Image\"\n", 44);
	setenv("RIVET_RUN_DIR", path_of("run"), 1);
}

/* Runs an xl command with stdout in OUT (and stderr in ERR); returns its exit code. */
static int run_xl(xc_handle *h, int (*fn)(xc_handle *, int, char **), char *out, size_t outsz,
		  char *err, size_t errsz, int argc, char **argv)
{
	FILE *fo = tmpfile(), *fe = tmpfile();
	int so = dup(1), se = dup(2), rc;
	size_t n;

	fflush(stdout);
	fflush(stderr);
	dup2(fileno(fo), 1);
	dup2(fileno(fe), 2);
	rc = fn(h, argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	rewind(fo);
	rewind(fe);
	n = fread(out, 1, outsz - 1, fo);
	out[n] = '\0';
	n = fread(err, 1, errsz - 1, fe);
	err[n] = '\0';
	fclose(fo);
	fclose(fe);
	return rc;
}

/* ---- pure parts ---- */

TEST(list_rows)
{
	struct rivet_domain_info i = { .domid = 0, .state = RIVET_DOMSTATE_RUNNING,
		.name = "Domain-0", .mem_bytes = 256 << 20, .cpu_time_ns = 12340000000ULL,
		.nr_vcpus = 2 };
	char row[256], st[7];

	xl_list_row(&i, row, sizeof row);
	CHECK_STR(row, "Domain-0                                     0   256     2     r-----      12.3\n");
	CHECK_STR(xl_list_header, "Name                                        ID   Mem VCPUs\tState\tTime(s)\n");
	i.state = RIVET_DOMSTATE_BLOCKED | RIVET_DOMSTATE_PAUSED;
	xl_state_letters(&i, st);
	CHECK_STR(st, "-bp---");
	i.state = RIVET_DOMSTATE_SHUTDOWN;
	i.shutdown_reason = RIVET_SHUTDOWN_REBOOT;
	xl_state_letters(&i, st);
	CHECK_STR(st, "---sr-");                  /* Xen: 's', then the reason's letter */
	i.shutdown_reason = RIVET_SHUTDOWN_POWEROFF;
	xl_state_letters(&i, st);
	CHECK_STR(st, "---s--");
	i.shutdown_reason = RIVET_SHUTDOWN_WATCHDOG;
	xl_state_letters(&i, st);
	CHECK_STR(st, "---sw-");
	i.shutdown_reason = RIVET_SHUTDOWN_CRASH;
	xl_state_letters(&i, st);
	CHECK_STR(st, "---sc-");
	i.state = RIVET_DOMSTATE_DYING;
	xl_state_letters(&i, st);
	CHECK_STR(st, "-----d");
}

TEST(vcpu_rows_and_masks)
{
	struct rivet_vcpu_info vi = { 1, 1, 500000000, 0xb };
	char row[256], m[64];

	xl_vcpu_row("web", 3, 1, &vi, row, sizeof row);
	/* Xen's columns, to the blank: "%-32s %5u %5u%5u %3c%c- %9.1f  HARD / SOFT". */
	CHECK_STR(row, "web                                  3     1    1   r--       0.5  0-1,3 / all\n");
	vi.state = 0;
	vi.affinity = 0;
	xl_vcpu_row("web", 3, 0, &vi, row, sizeof row);
	CHECK_STR(row, "web                                  3     0    -   --p       0.5  all / all\n");
	CHECK_STR(xl_vcpu_header, "Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)\n");
	xl_mask_string(1ULL << 63 | 1, m, sizeof m);
	CHECK_STR(m, "0,63");
	xl_mask_string(0xf0, m, sizeof m);
	CHECK_STR(m, "4-7");
}

TEST(domain_lookup)
{
	struct rivet_domain_info v[3] = {
		{ .domid = 0, .name = "Domain-0" }, { .domid = 4, .name = "web" },
		{ .domid = 7, .name = "12x" },
	};
	struct xl_domains ds = { v, 3 };
	uint64_t n;

	CHECK_EQ(xl_domains_find(&ds, "web"), 1);
	CHECK_EQ(xl_domains_find(&ds, "4"), 1);
	CHECK_EQ(xl_domains_find(&ds, "0"), 0);
	CHECK_EQ(xl_domains_find(&ds, "Domain-0"), 0);
	CHECK_EQ(xl_domains_find(&ds, "12x"), 2);
	CHECK_EQ(xl_domains_find(&ds, "5"), -1);
	CHECK_EQ(xl_domains_find(&ds, "we"), -1);
	CHECK_EQ(xl_domains_find(&ds, ""), -1);
	CHECK_EQ(xl_domains_find(&ds, "99999999999999999999"), -1);
	CHECK_EQ(xl_parse_uint("4294967295", UINT32_MAX, &n), 0);
	CHECK_EQ(xl_parse_uint("4294967296", UINT32_MAX, &n), -1);
	CHECK_EQ(xl_parse_uint("-1", UINT32_MAX, &n), -1);
	/* A digit over a small bound (max - digit must not wrap). */
	CHECK_EQ(xl_parse_uint("2", 1, &n), -1);
	CHECK_EQ(xl_parse_uint("9", 8, &n), -1);
	CHECK_EQ(xl_parse_uint("8", 8, &n), 0);
	CHECK_EQ(n, 8);
	CHECK_EQ(xl_parse_uint("10", 9, &n), -1);
	CHECK_EQ(xl_parse_uint("0", 0, &n), 0);
	CHECK_EQ(xl_parse_uint("1", 0, &n), -1);
}

TEST(record_format)
{
	struct xl_record r, back;
	char *text, why[REASON_MAX];
	long n;

	xl_record_init(&r);
	xl_record_init(&back);
	strcpy(r.name, "web");
	CHECK_EQ(xl_record_set_config(&r, "/etc/rivet/web.cfg"), 0);
	r.on_reboot = RIVET_ACTION_RESTART;
	CHECK_EQ(xl_record_add_arg(&r, "memory=32"), 0);
	CHECK_EQ(xl_record_add_arg(&r, "extra=\"quiet init=/bin/sh\""), 0);
	n = xl_record_format(&r, &text, why);
	CHECK(n > 0 && text && (size_t)n == strlen(text));
	CHECK_STR(text, "name=web\nconfig=/etc/rivet/web.cfg\non_poweroff=destroy\non_reboot=restart\n"
			"on_crash=destroy\non_watchdog=destroy\narg=memory=32\narg=extra=\"quiet init=/bin/sh\"\n");
	CHECK_EQ(xl_record_parse(text, &back, why), 0);
	free(text);
	CHECK_STR(back.name, "web");
	CHECK_STR(back.config, "/etc/rivet/web.cfg");
	CHECK_EQ(back.on_reboot, RIVET_ACTION_RESTART);
	CHECK_EQ(back.nr_args, 2);
	CHECK_STR(back.args[1], "extra=\"quiet init=/bin/sh\"");
	/* A newline in a value would forge a key: refused, nothing written. */
	free(r.args[1]);
	r.args[1] = strdup("a=b\nname=evil");
	CHECK_EQ(xl_record_format(&r, &text, why), -1);
	CHECK(text == NULL && strstr(why, "override 2") != NULL);
	CHECK_EQ(xl_record_parse("name=x\nconfig=/a\non_crash=explode\n", &back, why), -1);
	CHECK(strstr(why, "on_crash") != NULL);
	CHECK(back.config == NULL && back.nr_args == 0);   /* a failed parse leaves nothing */
	CHECK_EQ(xl_record_parse("name=x\n", &back, why), -1);
	CHECK_EQ(xl_record_parse("config=\nname=x\n", &back, why), -1);
	CHECK_EQ(xl_record_parse("config=/a\nname=x\nfuture=1\n\n", &back, why), 0);
	CHECK_EQ(back.on_reboot, RIVET_ACTION_DESTROY);
	/* coredump-restart, the longest action name, on all three: the exact size still holds. */
	xl_record_free(&back);
	free(r.args[1]);
	r.args[1] = strdup("b=2");
	r.on_poweroff = r.on_reboot = r.on_crash = RIVET_ACTION_RESTART | RIVET_ACTION_COREDUMP;
	n = xl_record_format(&r, &text, why);
	CHECK(n > 0 && text && (size_t)n == strlen(text));
	CHECK(text && strstr(text, "on_poweroff=coredump-restart\non_reboot=coredump-restart\n"
			     "on_crash=coredump-restart\n") != NULL);
	CHECK_EQ(xl_record_parse(text, &back, why), 0);
	CHECK_EQ(back.on_crash, RIVET_ACTION_RESTART | RIVET_ACTION_COREDUMP);
	free(text);
	xl_record_free(&back);
	r.on_crash = RIVET_ACTION_PRESERVE;
	r.on_reboot = RIVET_ACTION_DESTROY | RIVET_ACTION_COREDUMP;
	n = xl_record_format(&r, &text, why);
	CHECK(text && strstr(text, "on_reboot=coredump-destroy\non_crash=preserve\n") != NULL);
	CHECK_EQ(xl_record_parse(text, &back, why), 0);
	CHECK_EQ(back.on_reboot, RIVET_ACTION_DESTROY | RIVET_ACTION_COREDUMP);
	CHECK_EQ(back.on_crash, RIVET_ACTION_PRESERVE);
	free(text);
	xl_record_free(&back);
	xl_record_free(&r);
}

/* Strings of any length: a 5 KiB override and a 3 KiB config path survive the file. */
TEST(record_long_strings)
{
	struct xl_record r, back;
	char why[REASON_MAX];
	char *big = malloc(5121), *path = malloc(3001);
	unsigned i;

	if (!big || !path)
		return;
	memcpy(big, "extra=", 6);
	for (i = 6; i < 5120; i++)
		big[i] = (char)('a' + i % 26);
	big[5120] = '\0';
	path[0] = '/';
	for (i = 1; i < 3000; i++)
		path[i] = i % 100 ? 'd' : '/';
	path[3000] = '\0';
	xl_record_init(&r);
	xl_record_init(&back);
	strcpy(r.name, "long");
	r.on_reboot = RIVET_ACTION_RESTART;
	CHECK_EQ(xl_record_set_config(&r, path), 0);
	for (i = 0; i < XL_RECORD_MAX_ARGS; i++)
		CHECK_EQ(xl_record_add_arg(&r, i == 7 ? big : "memory=16"), 0);
	CHECK_EQ(xl_record_add_arg(&r, "one=too-many"), -1);
	setenv("RIVET_RUN_DIR", path_of("run"), 1);
	CHECK_EQ(xl_record_write(9, &r, why), 0);
	CHECK_EQ(xl_record_read(9, &back, why), 0);
	CHECK_STR(back.config, path);
	CHECK_EQ(back.nr_args, XL_RECORD_MAX_ARGS);
	CHECK_STR(back.args[7], big);
	CHECK_STR(back.args[XL_RECORD_MAX_ARGS - 1], "memory=16");
	CHECK_EQ(back.on_reboot, RIVET_ACTION_RESTART);
	/* Reading again into a filled record frees the old strings (ASan would say). */
	CHECK_EQ(xl_record_read(9, &back, why), 0);
	xl_record_remove(9);
	CHECK_EQ(xl_record_read(9, &back, why), -1);
	xl_record_free(&back);
	xl_record_free(&r);
	free(big);
	free(path);
}

TEST(create_args)
{
	struct xl_create_opts o;
	struct diag d;
	char *a1[] = { "create", "-c", "web.cfg", "memory=32", "name=x" };
	char *a2[] = { "create", "-f", "web.cfg", "-n" };
	char *a3[] = { "create", "a.cfg", "b.cfg" };
	char *a4[] = { "create", "-x", "a.cfg" };
	char *a5[] = { "create", "memory=3" };

	CHECK_EQ(xl_create_args(5, a1, &o, &d), 0);
	CHECK_EQ(o.console, 1);
	CHECK_STR(o.file, "web.cfg");
	CHECK_EQ(o.nr_ov, 2);
	CHECK_STR(o.ov[1], "name=x");
	CHECK_EQ(xl_create_args(4, a2, &o, &d), 0);
	CHECK_EQ(o.dry_run, 1);
	CHECK_STR(o.file, "web.cfg");
	char *a6[] = { "create", "-p", "-V", "-F", "-e", "--dryrun", "--quiet", "web.cfg" };
	CHECK_EQ(xl_create_args(8, a6, &o, &d), 0);
	CHECK(o.paused && o.verbose && o.foreground && o.dry_run && o.quiet && !o.console);
	CHECK_EQ(xl_create_args(3, a3, &o, &d), -1);
	CHECK_EQ(xl_create_args(3, a4, &o, &d), -1);
	CHECK(strstr(d.text, "-x") != NULL);
	CHECK_EQ(xl_create_args(2, a5, &o, &d), -1);
	CHECK_STR(d.text, "no config file given");
	/* Xen's getopt_long forms: --defconfig=FILE, -fFILE, flags together, -d/-A/--vncviewer accepted. */
	char *a7[] = { "create", "memory=8", "--defconfig=web.cfg", "-pcd", "-A", "--vncviewer", "vcpus=1" };
	CHECK_EQ(xl_create_args(7, a7, &o, &d), 0);
	CHECK_STR(o.file, "web.cfg");
	CHECK(o.paused && o.console && o.verbose && !o.dry_run);
	CHECK_EQ(o.nr_ov, 2);
	CHECK_STR(o.ov[0], "memory=8");
	CHECK_STR(o.ov[1], "vcpus=1");
	char *a8[] = { "create", "-fweb.cfg", "other.cfg" }, *a9[] = { "create", "web.cfg", "-f" };
	CHECK_EQ(xl_create_args(3, a8, &o, &d), -1);
	CHECK_STR(d.text, "'other.cfg' is neither key=value nor the only config file");
	CHECK_EQ(xl_create_args(3, a9, &o, &d), -1);
	CHECK_STR(d.text, "-f needs a file name");
	CHECK(xl_command_find("vcpu-pin") != NULL);
	CHECK(xl_command_find("frobnicate") == NULL);
}

TEST(plan)
{
	struct xl_plan p;
	struct diag d;
	const uint32_t *tb;
	const char *nm;
	int off;

	CHECK_EQ(xl_plan_build(path_of("web.cfg"), NULL, 0, 25000000, 0, &p, &d), 0);
	CHECK_STR(p.cfg.name, "web");
	CHECK_EQ(p.cfg.max_bytes, 64 << 20);
	CHECK_EQ(p.cfg.nr_vcpus, 2);
	CHECK_EQ(p.cfg.on_reboot, RIVET_ACTION_RESTART);
	CHECK_EQ(p.cfg.on_poweroff, RIVET_ACTION_DESTROY);
	CHECK_EQ(p.entry_gpa, RIVET_GUEST_KERNEL_GPA);
	CHECK_EQ(p.nr_loads, 3);
	CHECK_EQ(p.loads[0].gpa, RIVET_GUEST_KERNEL_GPA);
	CHECK_EQ(p.loads[0].file_size, sizeof kernel);
	CHECK_EQ(p.loads[1].file_size, sizeof ramdisk);
	CHECK_STR(p.loads[2].what, "device tree");
	CHECK_EQ(p.loads[2].gpa, p.dtb_gpa);
	CHECK(p.dtb_gpa + p.dtb_len <= RIVET_GUEST_RAM_BASE + (64 << 20));
	CHECK(p.cfg_path[0] == '/');
	off = fdt_path_offset(p.dtb, "/cpus");
	tb = fdt_getprop(p.dtb, off, "timebase-frequency", NULL);
	CHECK(tb && fdt32_to_cpu(*tb) == 25000000);
	nm = fdt_getprop(p.dtb, fdt_path_offset(p.dtb, "/chosen"), "rivet,domain-name", NULL);
	CHECK_STR(nm, "web");
	xl_plan_free(&p);
}

TEST(plan_overrides)
{
	char *ov[] = { "memory=32", "name=other", "extra=\"quiet\"", "memory=48" };
	char *bad[] = { "vcpus=99" };
	char *bad2[] = { "nonsense" };
	struct xl_plan p;
	struct diag d;
	const char *args;

	CHECK_EQ(xl_plan_build(path_of("web.cfg"), ov, 4, 10000000, 0, &p, &d), 0);
	CHECK_EQ(p.cfg.max_bytes, 48 << 20);      /* the last one wins */
	CHECK_STR(p.cfg.name, "other");
	args = fdt_getprop(p.dtb, fdt_path_offset(p.dtb, "/chosen"), "bootargs", NULL);
	CHECK_STR(args, "quiet");                 /* extra replaced the file's cmdline */
	xl_plan_free(&p);

	CHECK_EQ(xl_plan_build(path_of("web.cfg"), bad, 1, 10000000, 0, &p, &d), -1);
	CHECK(!strncmp(d.text, path_of("web.cfg"), strlen(path_of("web.cfg"))));
	CHECK(strstr(d.text, ": vcpus: ") != NULL);
	CHECK(strstr(d.text, "(given on the command line)") != NULL);
	CHECK_EQ(xl_plan_build(path_of("web.cfg"), bad2, 1, 10000000, 0, &p, &d), -1);
	CHECK(strstr(d.text, "expected key=value") != NULL);

	/* '+=' adds to the file's setting (or an earlier override's); a later '=' replaces it all. */
	char *add[] = { "extra+=\" quiet\"", "cmdline+=' init=/bin/sh'" };
	CHECK_EQ(xl_plan_build(path_of("web.cfg"), add, 2, 10000000, 0, &p, &d), 0);
	args = fdt_getprop(p.dtb, fdt_path_offset(p.dtb, "/chosen"), "bootargs", NULL);
	CHECK_STR(args, "console=hvc0 quiet init=/bin/sh");
	xl_plan_free(&p);
	char *add2[] = { "extra+=x", "extra=y", "extra+=z" };
	CHECK_EQ(xl_plan_build(path_of("web.cfg"), add2, 3, 10000000, 0, &p, &d), 0);
	args = fdt_getprop(p.dtb, fdt_path_offset(p.dtb, "/chosen"), "bootargs", NULL);
	CHECK_STR(args, "yz");
	xl_plan_free(&p);
	char *add3[] = { "memory+=5" };
	CHECK_EQ(xl_plan_build(path_of("web.cfg"), add3, 1, 10000000, 0, &p, &d), -1);
	CHECK(strstr(d.text, "'+=' cannot add a number to a number (given on the command line)") != NULL);
	/* xl(1)'s own example: several settings in one argument, ';' or newline between them. */
	char *multi[] = { "memory=40; name=\"m1\" ;extra=\"a;b\"", "vcpus=1\n  cpus=\"0\"", " ; " };
	CHECK_EQ(xl_plan_build(path_of("web.cfg"), multi, 3, 10000000, 0, &p, &d), 0);
	CHECK_EQ(p.cfg.max_bytes, 40 << 20);
	CHECK_STR(p.cfg.name, "m1");
	CHECK_EQ(p.cfg.nr_vcpus, 1);
	CHECK_EQ(p.cfg.cpus_mask, 1);
	args = fdt_getprop(p.dtb, fdt_path_offset(p.dtb, "/chosen"), "bootargs", NULL);
	CHECK_STR(args, "a;b");                   /* a ';' inside quotes is the string's */
	xl_plan_free(&p);
	char *multi_bad[] = { "memory=40; vcpus=99" };
	CHECK_EQ(xl_plan_build(path_of("web.cfg"), multi_bad, 1, 10000000, 0, &p, &d), -1);
	CHECK(strstr(d.text, ": vcpus: ") != NULL && strstr(d.text, "(given on the command line)") != NULL);
	char *add4[] = { "+=5" };
	CHECK_EQ(xl_plan_build(path_of("web.cfg"), add4, 1, 10000000, 0, &p, &d), -1);
	CHECK(strstr(d.text, "expected key=value") != NULL);
}

TEST(plan_errors)
{
	struct xl_plan p;
	struct diag d;
	char *small[] = { "memory=1", "ramdisk=\"Image\"" };

	CHECK_EQ(xl_plan_build(path_of("bad.cfg"), NULL, 0, 10000000, 0, &p, &d), -1);
	CHECK(strstr(d.text, "bad.cfg:2: memory: expected a number") != NULL);
	CHECK_EQ(xl_plan_build(path_of("nope.cfg"), NULL, 0, 10000000, 0, &p, &d), -1);
	CHECK(strstr(d.text, "nope.cfg: cannot read: ") != NULL);
	CHECK_EQ(xl_plan_build(path_of("web.cfg"), small, 2, 10000000, 0, &p, &d), -1);
	CHECK(strstr(d.text, "memory: 1 MiB is too small") != NULL);
}

/* ---- end to end over the fake microvisor ---- */

TEST(create_runs_the_plan)
{
	xc_handle *h = fake_xc();
	char out[8192], err[2048], *argv[] = { "create", (char *)path_of("web.cfg"), "on_crash=restart" };
	struct xl_record rec;
	char why[REASON_MAX];
	struct fdom *d;
	struct xl_plan p;
	struct diag dg;
	uint64_t i;
	int zero = 1;

	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, argv), 0);
	CHECK(strstr(err, "Parsing config from ") == err);
	d = mv_dom(1);
	CHECK(d && d->started);
	if (!d || !d->ram)
		return;
	CHECK_STR(d->info.name, "web");
	CHECK_EQ(mv.nr_maps_live, 0);
	CHECK_EQ(xl_plan_build(path_of("web.cfg"), NULL, 0, 25000000, 0, &p, &dg), 0);
	CHECK_EQ(d->pc, p.entry_gpa);
	CHECK_EQ(d->a1, p.dtb_gpa);
	CHECK(!memcmp(d->ram + (p.loads[0].gpa - RIVET_GUEST_RAM_BASE), kernel, sizeof kernel));
	CHECK(!memcmp(d->ram + (p.loads[1].gpa - RIVET_GUEST_RAM_BASE), ramdisk, sizeof ramdisk));
	CHECK(!memcmp(d->ram + (p.dtb_gpa - RIVET_GUEST_RAM_BASE), p.dtb, p.dtb_len));
	/* The kernel's page tail is zeroed up to mem_size (raw image: mem_size == file_size). */
	for (i = p.loads[0].file_size; i < p.loads[0].mem_size; i++)
		zero &= d->ram[p.loads[0].gpa - RIVET_GUEST_RAM_BASE + i] == 0;
	CHECK(zero);
	xl_plan_free(&p);
	xl_record_init(&rec);
	CHECK_EQ(xl_record_read(1, &rec, why), 0);
	CHECK_STR(rec.name, "web");
	CHECK_STR(rec.config, path_of("web.cfg"));
	CHECK_EQ(rec.on_reboot, RIVET_ACTION_RESTART);
	CHECK_EQ(rec.on_crash, RIVET_ACTION_RESTART);
	CHECK_EQ(rec.nr_args, 1);
	CHECK_STR(rec.args[0], "on_crash=restart");
	xl_record_free(&rec);

	/* The same name again: refused by the microvisor, named in the message. */
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 2, argv), 1);
	CHECK(strstr(err, "web.cfg:2: name: a domain named 'web' already exists") != NULL);
	xc_close(h);
}

TEST(create_failure_destroys)
{
	xc_handle *h = fake_xc();
	char out[4096], err[2048], *argv[] = { "create", "-q", (char *)path_of("web.cfg"), "name=two" };
	struct stat st;
	char rp[256];

	mv.fail_fn = RIVET_HC_MEMORY_POPULATE;
	mv.fail_err = RIVET_ERR_NO_MEMORY;
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 4, argv), 1);
	CHECK(strstr(err, "web.cfg:3: memory: not enough free memory for 64 MiB (512 MiB free)") != NULL);
	CHECK(strchr(err, '\n') == err + strlen(err) - 1);   /* one line */
	CHECK_EQ(mv.nr_destroys, 1);
	CHECK(mv_dom(1) == NULL);

	mv.fail_fn = RIVET_HC_VCPU_START;
	mv.fail_err = SBI_ERR_INVALID_PARAM;
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 4, argv), 1);
	CHECK(strstr(err, "cannot start vCPU 0") != NULL);
	CHECK_EQ(mv.nr_destroys, 2);
	xl_record_path(1, rp, sizeof rp);
	CHECK(stat(rp, &st) < 0);            /* no record left behind */
	xc_close(h);
}

static int nothing_left(void);

TEST(create_paused_and_verbose)
{
	xc_handle *h = fake_xc();
	char out[8192], err[2048];
	char *create[] = { "create", "-q", "-p", "-V", (char *)path_of("web.cfg") };
	char *list[] = { "list", "web" }, *unpause[] = { "unpause", "web" };
	struct fdom *d;

	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 5, create), 0);
	CHECK(strstr(out, "name:        web\n") == out);   /* -V: the plan, as -n prints it */
	d = mv_dom(1);
	CHECK(d && d->started && d->started_paused);   /* paused before its vCPU 0 started */
	CHECK_EQ(run_xl(h, xl_cmd_list, out, sizeof out, err, sizeof err, 2, list), 0);
	CHECK(strstr(out, "--p---") != NULL);
	CHECK_EQ(run_xl(h, xl_cmd_unpause, out, sizeof out, err, sizeof err, 2, unpause), 0);
	CHECK(d && !d->paused);
	/* Pausing fails: nothing is left behind. */
	char *create2[] = { "create", "-q", "-p", (char *)path_of("web.cfg"), "name=web2" };
	mv.fail_fn = RIVET_HC_DOMAIN_PAUSE;
	mv.fail_err = SBI_ERR_FAILED;
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 5, create2), 1);
	CHECK(strstr(err, "cannot leave it paused") != NULL);
	CHECK(mv_dom(2) == NULL);
	mv.fail_err = 0;
	char *d1[] = { "destroy", "web" };
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, d1), 0);
	CHECK(nothing_left());
	xc_close(h);
}

TEST(shutdown_all_and_options)
{
	xc_handle *h = fake_xc();
	char out[8192], err[2048];
	char *c1[] = { "create", "-q", (char *)path_of("web.cfg") };
	char *c2[] = { "create", "-q", (char *)path_of("web.cfg"), "name=web2" };
	char *all[] = { "shutdown", "-a", "-F" }, *allr[] = { "reboot", "-Fa" };
	char *bad[] = { "shutdown", "-x", "web" }, *both[] = { "shutdown", "-a", "web" }, *none[] = { "shutdown", "-w" };

	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, c1), 0);
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 4, c2), 0);
	CHECK_EQ(run_xl(h, xl_cmd_shutdown, out, sizeof out, err, sizeof err, 3, all), 0);
	CHECK_STR(err, "Shutting down domain 1\nShutting down domain 2\n");   /* not Domain-0 */
	CHECK_EQ(mv_dom(1)->info.state, RIVET_DOMSTATE_SHUTDOWN);
	CHECK_EQ(mv_dom(2)->info.shutdown_reason, RIVET_SHUTDOWN_POWEROFF);
	/* Those already shut down are not asked again. */
	CHECK_EQ(run_xl(h, xl_cmd_reboot, out, sizeof out, err, sizeof err, 2, allr), 0);
	CHECK_STR(err, "");
	CHECK_EQ(run_xl(h, xl_cmd_shutdown, out, sizeof out, err, sizeof err, 3, bad), 1);
	CHECK(strstr(err, "Usage: xl shutdown [-a] [-w] [-F] [-t SECS] <Domain>") == err);
	/* -t: a number of seconds, in the same word or the next. */
	char *t0[] = { "shutdown", "-wt", "0", "web" }, *tx[] = { "shutdown", "-t" };
	char *tbig[] = { "shutdown", "-t100000", "web" };
	CHECK_EQ(run_xl(h, xl_cmd_shutdown, out, sizeof out, err, sizeof err, 4, t0), 1);
	CHECK_STR(err, "xl: shutdown: -t wants a number of seconds, 1 to 86400\n");
	CHECK_EQ(run_xl(h, xl_cmd_shutdown, out, sizeof out, err, sizeof err, 2, tx), 1);
	CHECK_STR(err, "xl: shutdown: -t wants a number of seconds, 1 to 86400\n");
	CHECK_EQ(run_xl(h, xl_cmd_shutdown, out, sizeof out, err, sizeof err, 3, tbig), 1);
	CHECK_STR(err, "xl: shutdown: -t wants a number of seconds, 1 to 86400\n");
	CHECK_EQ(run_xl(h, xl_cmd_shutdown, out, sizeof out, err, sizeof err, 3, both), 1);
	CHECK(strstr(err, "Usage: xl shutdown") == err);
	CHECK_EQ(run_xl(h, xl_cmd_shutdown, out, sizeof out, err, sizeof err, 2, none), 1);
	CHECK(strstr(err, "Usage: xl shutdown") == err);
	char *d1[] = { "destroy", "web" }, *d2[] = { "destroy", "web2" };
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, d1), 0);
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, d2), 0);
	CHECK(nothing_left());

	/* Xen's getopt_long forms: an option after DOM, --all, --wait. */
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, c1), 0);
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 4, c2), 0);
	char *after[] = { "shutdown", "web", "-F" }, *longall[] = { "reboot", "--all", "-F" };
	char *longbad[] = { "shutdown", "--colour", "web" };
	CHECK_EQ(run_xl(h, xl_cmd_shutdown, out, sizeof out, err, sizeof err, 3, after), 0);
	CHECK_STR(err, "Shutting down domain 1\n");
	CHECK_EQ(mv_dom(1)->info.state, RIVET_DOMSTATE_SHUTDOWN);
	CHECK_EQ(run_xl(h, xl_cmd_reboot, out, sizeof out, err, sizeof err, 3, longall), 0);
	CHECK_STR(err, "Rebooting domain 2\n");
	CHECK_EQ(mv_dom(2)->info.shutdown_reason, RIVET_SHUTDOWN_REBOOT);
	CHECK_EQ(run_xl(h, xl_cmd_shutdown, out, sizeof out, err, sizeof err, 3, longbad), 1);
	CHECK(strstr(err, "Usage: xl shutdown") == err);
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, d1), 0);
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, d2), 0);
	CHECK(nothing_left());
	xc_close(h);
}

TEST(list_destroy_and_friends)
{
	xc_handle *h = fake_xc();
	char out[8192], err[2048];
	char *create[] = { "create", "-q", (char *)path_of("web.cfg") };
	char *list[] = { "list" }, *list_web[] = { "list", "web" }, *list_x[] = { "list", "x" };
	char *destroy[] = { "destroy", "web" }, *destroy_x[] = { "destroy", "nosuch" };
	char *shut[] = { "shutdown", "1" }, *reboot[] = { "reboot", "web" };
	char *pin[] = { "vcpu-pin", "web", "1", "0-1" }, *pin_bad[] = { "vcpu-pin", "web", "5", "0" };
	char *vl[] = { "vcpu-list", "web" }, *usage[] = { "destroy" };
	char rp[256];
	struct stat st;

	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, create), 0);
	CHECK_EQ(run_xl(h, xl_cmd_list, out, sizeof out, err, sizeof err, 1, list), 0);
	CHECK(!strncmp(out, xl_list_header, strlen(xl_list_header)));
	CHECK(strstr(out, "\nDomain-0                                     0   256     2     r-----      12.3\n"
			  "web                                          1    64     2     r-----       0.0\n") != NULL);
	CHECK_EQ(run_xl(h, xl_cmd_list, out, sizeof out, err, sizeof err, 2, list_web), 0);
	CHECK(strstr(out, "Domain-0") == NULL && strstr(out, "web ") != NULL);
	CHECK_EQ(run_xl(h, xl_cmd_list, out, sizeof out, err, sizeof err, 2, list_x), 1);
	CHECK_STR(err, "xl: domain 'x' does not exist\n");

	/* No device model, so no power button: the guest cannot be asked; -F stops it at once. */
	mv.last_fn = 0;
	CHECK_EQ(run_xl(h, xl_cmd_shutdown, out, sizeof out, err, sizeof err, 2, shut), 1);
	CHECK_STR(err, "Shutting down domain 1\nxl: shutdown: domain 'web' (1) has no power button to press "
		       "(it runs no device model); -F stops it at once\n");
	CHECK(mv.last_fn != RIVET_HC_DOMAIN_SHUTDOWN);
	CHECK_EQ(mv_dom(1)->info.state & RIVET_DOMSTATE_SHUTDOWN, 0);
	char *shut_f[] = { "shutdown", "-F", "1" }, *reboot_f[] = { "reboot", "-F", "web" };
	char *shut0[] = { "shutdown", "-F", "0" };
	CHECK_EQ(run_xl(h, xl_cmd_shutdown, out, sizeof out, err, sizeof err, 3, shut_f), 0);
	CHECK_EQ(mv.last_fn, RIVET_HC_DOMAIN_SHUTDOWN);
	CHECK_EQ(mv.last_args[0], 1);
	CHECK_EQ(mv.last_args[1], RIVET_SHUTDOWN_POWEROFF);
	CHECK_EQ(run_xl(h, xl_cmd_reboot, out, sizeof out, err, sizeof err, 2, reboot), 1);
	CHECK(strstr(err, "reboot: domain 'web' (1) has no power button") != NULL);
	CHECK_EQ(run_xl(h, xl_cmd_reboot, out, sizeof out, err, sizeof err, 3, reboot_f), 0);
	CHECK_EQ(mv.last_args[1], RIVET_SHUTDOWN_REBOOT);
	CHECK_EQ(run_xl(h, xl_cmd_shutdown, out, sizeof out, err, sizeof err, 3, shut0), 1);
	CHECK_STR(err, "xl: shutdown: domain 'Domain-0' (0): not allowed for Domain-0\n");

	/* trigger: power needs the button; reset stops it as a reboot; x86's have nothing to act on. */
	char *tp[] = { "trigger", "web", "power" }, *tr[] = { "trigger", "web", "reset", "0" };
	char *tn[] = { "trigger", "web", "nmi" }, *tz[] = { "trigger", "web", "zap" };
	char *tv[] = { "trigger", "web", "reset", "x" }, *tu[] = { "trigger", "web" };
	char *t0r[] = { "trigger", "0", "reset" };
	CHECK_EQ(run_xl(h, xl_cmd_trigger, out, sizeof out, err, sizeof err, 3, tp), 1);
	CHECK_STR(err, "xl: trigger: domain 'web' (1) has no power button (it runs no device model)\n");
	mv.last_fn = 0;
	CHECK_EQ(run_xl(h, xl_cmd_trigger, out, sizeof out, err, sizeof err, 4, tr), 0);
	CHECK_EQ(mv.last_fn, RIVET_HC_DOMAIN_SHUTDOWN);
	CHECK_EQ(mv.last_args[1], RIVET_SHUTDOWN_REBOOT);
	CHECK_EQ(run_xl(h, xl_cmd_trigger, out, sizeof out, err, sizeof err, 3, tn), 1);
	CHECK(strstr(err, "'nmi' is not supported") != NULL);
	CHECK_EQ(run_xl(h, xl_cmd_trigger, out, sizeof out, err, sizeof err, 3, tz), 1);
	CHECK_STR(err, "xl: Invalid trigger \"zap\"\n");
	CHECK_EQ(run_xl(h, xl_cmd_trigger, out, sizeof out, err, sizeof err, 4, tv), 1);
	CHECK_STR(err, "xl: trigger: invalid vcpu 'x'\n");
	CHECK_EQ(run_xl(h, xl_cmd_trigger, out, sizeof out, err, sizeof err, 2, tu), 1);
	CHECK(strstr(err, "Usage: xl trigger <Domain>") == err);
	CHECK_EQ(run_xl(h, xl_cmd_trigger, out, sizeof out, err, sizeof err, 3, t0r), 1);
	CHECK_STR(err, "xl: trigger: not allowed for Domain-0\n");

	/* sysrq: one letter or digit, and a button to send it through. */
	char *sq[] = { "sysrq", "web", "h" }, *sq2[] = { "sysrq", "web", "hh" }, *sq3[] = { "sysrq", "web", "H" };
	char *sq4[] = { "sysrq", "web", "" }, *sq5[] = { "sysrq", "web" }, *sq6[] = { "sysrq", "nosuch", "s" };
	CHECK_EQ(run_xl(h, xl_cmd_sysrq, out, sizeof out, err, sizeof err, 3, sq), 1);
	CHECK_STR(err, "xl: sysrq: domain 'web' (1) has no power button (it runs no device model)\n");
	CHECK_EQ(run_xl(h, xl_cmd_sysrq, out, sizeof out, err, sizeof err, 3, sq2), 1);
	CHECK_STR(err, "xl: Invalid sysrq: 'hh' (one of a-z, 0-9)\n");
	CHECK_EQ(run_xl(h, xl_cmd_sysrq, out, sizeof out, err, sizeof err, 3, sq3), 1);
	CHECK_EQ(run_xl(h, xl_cmd_sysrq, out, sizeof out, err, sizeof err, 3, sq4), 1);
	CHECK_EQ(run_xl(h, xl_cmd_sysrq, out, sizeof out, err, sizeof err, 2, sq5), 1);
	CHECK(strstr(err, "Usage: xl sysrq <Domain> <letter>") == err);
	CHECK_EQ(run_xl(h, xl_cmd_sysrq, out, sizeof out, err, sizeof err, 3, sq6), 1);
	CHECK_STR(err, "xl: domain 'nosuch' does not exist\n");
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_pin, out, sizeof out, err, sizeof err, 4, pin), 0);
	CHECK_EQ(mv.last_fn, RIVET_HC_VCPU_PIN);
	CHECK_EQ(mv.last_args[1], 1);
	CHECK_EQ(mv.last_args[2], 3);
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_pin, out, sizeof out, err, sizeof err, 4, pin_bad), 1);
	CHECK(strstr(err, "has no vCPU '5'") != NULL);
	/* Xen's form: [-f] DOM VCPU HARD SOFT; '-' leaves one alone; no soft affinity but "all". */
	char *pin_soft[] = { "vcpu-pin", "-f", "web", "0", "1", "all" }, *pin_keep[] = { "vcpu-pin", "web", "0", "-", "-" };
	char *pin_soft_bad[] = { "vcpu-pin", "web", "0", "-", "6-9" };
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_pin, out, sizeof out, err, sizeof err, 6, pin_soft), 0);
	CHECK_EQ(mv.last_fn, RIVET_HC_VCPU_PIN);
	CHECK_EQ(mv.last_args[1], 0);
	CHECK_EQ(mv.last_args[2], 2);
	mv.last_fn = 0;
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_pin, out, sizeof out, err, sizeof err, 5, pin_keep), 0);
	CHECK(mv.last_fn != RIVET_HC_VCPU_PIN);
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_pin, out, sizeof out, err, sizeof err, 5, pin_soft_bad), 1);
	CHECK_STR(err, "xl: vcpu-pin: soft affinity '6-9': Rivet's scheduler has none (give - or all)\n");
	char *pin_back[] = { "vcpu-pin", "web", "0", "all" };
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_pin, out, sizeof out, err, sizeof err, 4, pin_back), 0);
	mv.fail_fn = RIVET_HC_VCPU_PIN;
	mv.fail_err = SBI_ERR_NOT_SUPPORTED;
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_pin, out, sizeof out, err, sizeof err, 4, pin), 1);
	CHECK(strstr(err, "cannot change a vCPU's affinity") != NULL);
	mv.fail_err = 0;
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_list, out, sizeof out, err, sizeof err, 2, vl), 0);
	CHECK(strstr(out, "web                                  1     1    1   r--       0.5  0-1,3 / all\n") != NULL);

	/* domid takes a name only, domname an id only, as Xen's. */
	char *domid[] = { "domid", "web" }, *domid_num[] = { "domid", "1" }, *domname[] = { "domname", "1" };
	char *domname_x[] = { "domname", "7" }, *domname_bad[] = { "domname", "web" };
	CHECK_EQ(run_xl(h, xl_cmd_domid, out, sizeof out, err, sizeof err, 2, domid), 0);
	CHECK_STR(out, "1\n");
	CHECK_EQ(run_xl(h, xl_cmd_domid, out, sizeof out, err, sizeof err, 2, domid_num), 1);
	CHECK_STR(err, "Can't get domid of domain name '1', maybe this domain does not exist.\n");
	CHECK_EQ(run_xl(h, xl_cmd_domname, out, sizeof out, err, sizeof err, 2, domname), 0);
	CHECK_STR(out, "web\n");
	CHECK_EQ(run_xl(h, xl_cmd_domname, out, sizeof out, err, sizeof err, 2, domname_x), 1);
	CHECK_STR(err, "Can't get domain name of domain id '7', maybe this domain does not exist.\n");
	CHECK_EQ(run_xl(h, xl_cmd_domname, out, sizeof out, err, sizeof err, 2, domname_bad), 1);
	CHECK_STR(err, "xl: 'web' is not a domain id\n");
	CHECK_EQ(run_xl(h, xl_cmd_domid, out, sizeof out, err, sizeof err, 1, domid), 1);
	CHECK(strstr(err, "Usage: xl domid <DomainName>") == err);

	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, destroy_x), 1);
	CHECK_STR(err, "xl: domain 'nosuch' does not exist\n");
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 1, usage), 1);
	CHECK(strstr(err, "Usage: xl destroy [-f] <Domain>") == err);
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, destroy), 0);
	CHECK(mv_dom(1) == NULL);
	xl_record_path(1, rp, sizeof rp);
	CHECK(stat(rp, &st) < 0);
	xc_close(h);
}

/* ---- xl create's failure paths: each call it makes fails in turn ---- */

/* Counts the fake transport's ioctls and mmaps; the FAIL_*th one (1-based) fails. */
static struct {
	unsigned ioctls, mmaps, creates;
	unsigned fail_ioctl, fail_mmap;
} inj;

static int inj_ioctl(void *ctx, int fd, unsigned long req, void *arg)
{
	struct rivet_ioctl_hypercall *hc = arg;

	inj.ioctls++;
	if (req == RIVET_IOCTL_HYPERCALL && hc->fn == RIVET_HC_DOMAIN_CREATE)
		inj.creates++;
	if (inj.ioctls != inj.fail_ioctl)
		return f_ioctl(ctx, fd, req, arg);
	if (req != RIVET_IOCTL_HYPERCALL)
		return -EIO;
	hc->error = SBI_ERR_FAILED;     /* the call is not carried out */
	hc->value = 0;
	return 0;
}

static int inj_mmap(void *ctx, int fd, size_t len, uint64_t off, void **addr)
{
	if (++inj.mmaps == inj.fail_mmap)
		return -ENOMEM;
	return f_mmap(ctx, fd, len, off, addr);
}

static const struct xc_backend inj_be = { f_open, inj_ioctl, inj_mmap, f_munmap, f_close, f_read,
					  f_write };

static xc_handle *inj_xc(void)
{
	xc_handle *h = NULL;

	mv_reset();
	memset(&inj, 0, sizeof inj);
	CHECK_EQ(xc_open_backend(&h, &inj_be, NULL), 0);
	return h;
}

/* Nothing but Dom0 in the fake, no populated RAM, no record of any domain. */
static int nothing_left(void)
{
	struct stat st;
	char rp[256];
	unsigned i;

	for (i = 1; i < FDOMS; i++) {
		xl_record_path(i, rp, sizeof rp);
		if (mv.d[i].used || mv.d[i].ram || stat(rp, &st) == 0)
			return 0;
	}
	return 1;
}

TEST(create_each_call_fails_in_turn)
{
	char out[4096], err[2048], *argv[] = { "create", "-q", (char *)path_of("web.cfg") };
	unsigned nr_ioctls, nr_mmaps, k, bad_ioctl = 0, bad_mmap = 0;
	xc_handle *h = inj_xc();

	/* A clean run counts the calls (and proves the fake lets create succeed). */
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, argv), 0);
	CHECK(mv_dom(1) && mv_dom(1)->started);
	nr_ioctls = inj.ioctls;
	nr_mmaps = inj.mmaps;
	CHECK(nr_ioctls >= 10 && nr_mmaps >= 3);   /* lists, physinfo, create, populate, 3 loads */
	xc_close(h);
	xl_record_remove(1);

	for (k = 1; k <= nr_ioctls; k++) {
		h = inj_xc();
		inj.fail_ioctl = k;
		if (run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, argv) != 1 ||
		    strncmp(err, "xl: ", 4) || strchr(err, '\n') != err + strlen(err) - 1 ||
		    !nothing_left())
			bad_ioctl = bad_ioctl ? bad_ioctl : k;
		xc_close(h);
	}
	for (k = 1; k <= nr_mmaps; k++) {
		h = inj_xc();
		inj.fail_mmap = k;
		if (run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, argv) != 1 ||
		    !strstr(err, "cannot load the ") || !nothing_left())
			bad_mmap = bad_mmap ? bad_mmap : k;
		xc_close(h);
	}
	CHECK_EQ(bad_ioctl, 0);      /* the first failing ioctl that left something or said nothing */
	CHECK_EQ(bad_mmap, 0);
}

TEST(create_checks_before_creating)
{
	char out[4096], err[2048], *argv[] = { "create", "-q", (char *)path_of("web.cfg") };
	char *big[] = { "create", "-q", (char *)path_of("web.cfg"), "memory=2000", "name=big" };
	xc_handle *h = inj_xc();

	/* Not enough free memory: said before anything is created. */
	mv.free_bytes = 32 << 20;
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, argv), 1);
	CHECK(strstr(err, "web.cfg:3: memory: not enough free memory for 64 MiB (32 MiB free)") != NULL);
	CHECK_EQ(inj.creates, 0);
	mv.free_bytes = 512 << 20;
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 5, big), 1);
	CHECK(strstr(err, "memory: not enough free memory for 2000 MiB (512 MiB free)") != NULL);
	CHECK_EQ(inj.creates, 0);
	CHECK(nothing_left());

	/* A name that is taken: the same. */
	mv.d[3].used = 1;
	mv.d[3].info = (struct rivet_domain_info){ .domid = 3, .name = "web", .nr_vcpus = 1 };
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, argv), 1);
	CHECK(strstr(err, "web.cfg:2: name: a domain named 'web' already exists") != NULL);
	CHECK_EQ(inj.creates, 0);
	mv.d[3].used = 0;
	CHECK(nothing_left());

	/* The record directory cannot be written: the domain goes again. */
	write_file("not-a-dir", "x", 1);
	setenv("RIVET_RUN_DIR", path_of("not-a-dir"), 1);
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, argv), 1);
	CHECK(strstr(err, "cannot record domain 1 for rivet-consoled") != NULL);
	CHECK_EQ(inj.creates, 1);
	CHECK(nothing_left());
	setenv("RIVET_RUN_DIR", path_of("run"), 1);
	xc_close(h);
}

/* ---- devices: disks, serial, the device model ---- */

TEST(dm_argv)
{
	struct xl_disk disks[2] = { { "xvda", 0, 0, "/srv/a,b.img" }, { "xvdc", 1, 1, "/srv/c.img" } };
	struct xl_dm_spec s = { 7, "web", 2, 0x80000000, 64 << 20, 1, 2, disks, 9, 0, NULL, 0, 0, 0, 0 };
	char *argv[XL_DM_MAX_ARGS], line[1024] = "";
	int n, i;

	n = xl_dm_argv(&s, "rivet-dm", argv);
	CHECK_EQ(n, 18);
	for (i = 0; i < n; i++) {
		strcat(line, argv[i]);
		strcat(line, i + 1 < n ? " " : "");
	}
	CHECK(argv[n] == NULL);
	CHECK_STR(line, "rivet-dm --domid 7 --name web --vcpus 2 --ram-base 0x80000000 "
			"--ram-size 67108864 --serial --disk rw:/srv/a,b.img --disk ro:/srv/c.img "
			"--ready-fd 9");
	xl_dm_argv_free(argv);
	s.serial = 0;
	s.nr_disks = 0;
	CHECK_EQ(xl_dm_argv(&s, "/usr/sbin/rivet-dm", argv), 13);
	CHECK_STR(argv[11], "--ready-fd");
	xl_dm_argv_free(argv);
	s.vconsole = 1;
	CHECK_EQ(xl_dm_argv(&s, "rivet-dm", argv), 14);
	CHECK_STR(argv[11], "--console");
	xl_dm_argv_free(argv);
	/* xl dm-restart: the same life (--instance) taken over (--resume), the console kept. */
	s.instance = 0x1234abcdULL;
	s.resume = 1;
	CHECK_EQ(xl_dm_argv(&s, "rivet-dm", argv), 17);
	CHECK_STR(argv[11], "--console");
	CHECK_STR(argv[12], "--instance");
	CHECK_STR(argv[13], "0x1234abcd");
	CHECK_STR(argv[14], "--resume");
	CHECK_STR(argv[15], "--ready-fd");
	xl_dm_argv_free(argv);
	s.nr_disks = XL_MAX_DISKS + 1;
	CHECK_EQ(xl_dm_argv(&s, "rivet-dm", argv), -1);
	/* NICs after the disks; eight devices at most. */
	struct xl_vif vifs[2] = { { 2, 0, { 0, 0x16, 0x3e, 1, 2, 3 }, "rbr0", "vif7.0", 5 },
				  { 3, 1, { 2, 0, 0, 0, 0, 0xab }, "br1", "web1", 6 } };
	s.nr_disks = 2;
	s.nr_vifs = 2;
	s.vifs = vifs;
	n = xl_dm_argv(&s, "rivet-dm", argv);
	CHECK_EQ(n, 25);                     /* still --instance and --resume: dm-restart keeps the NICs */
	CHECK_STR(argv[15], "--nic");
	CHECK_STR(argv[19], "--console");   /* the console after the NICs */
	CHECK_STR(argv[20], "--instance");
	CHECK_STR(argv[22], "--resume");
	CHECK_STR(argv[16], "tap=vif7.0,mac=00:16:3e:01:02:03");
	CHECK_STR(argv[18], "tap=web1,mac=02:00:00:00:00:ab");
	xl_dm_argv_free(argv);
	s.nr_disks = XL_MAX_DISKS - 1;
	CHECK_EQ(xl_dm_argv(&s, "rivet-dm", argv), -1);
}

TEST(vif_rows_and_macs)
{
	struct xl_vif v = { 1, 0, { 0, 0x16, 0x3e, 0x7f, 0, 0xff }, "rbr0", "vif3.0", 7 };
	char row[160], mac[18];
	uint8_t m[6];

	CHECK_STR(xl_network_header,
		  "Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path\n");
	xl_network_row(&v, row, sizeof row);
	CHECK_STR(row, "0   0  00:16:3e:7f:00:ff 0      4     -1       -1/-1           vif3.0@rbr0\n");
	for (int i = 0; i < 50; i++) {
		xl_vif_random_mac(m);
		xl_vif_mac_string(m, mac);
		CHECK(!strncmp(mac, "00:16:3e:", 9));
		CHECK(m[3] < 0x80);
	}
}

TEST(dm_ready_line)
{
	char why[REASON_MAX], big[300];

	CHECK_EQ(xl_dm_ready_parse("ok\n", 3, why), 1);
	CHECK_EQ(xl_dm_ready_parse("o", 1, why), 0);
	CHECK_EQ(xl_dm_ready_parse("ok", 2, why), 0);
	CHECK_EQ(xl_dm_ready_parse("error: cannot open disk\n", 24, why), -1);
	CHECK_STR(why, "cannot open disk");
	CHECK_EQ(xl_dm_ready_parse("okay\n", 5, why), -1);
	CHECK_STR(why, "unexpected ready line 'okay'");
	memset(big, 'x', sizeof big);
	CHECK_EQ(xl_dm_ready_parse(big, 256, why), -1);
	CHECK_STR(why, "its ready line is too long");
}

TEST(dm_cmdline)
{
	static const char a[] = "rivet-dm\0--domid\0007\0--name\0web";
	static const char b[] = "/usr/sbin/rivet-dm\0--name\0x\0--domid\0007";
	static const char c[] = "rivet-dm\0--domid\00017";
	static const char d2[] = "/bin/sh\0rivet-dm\0--domid\0007";
	static const char e[] = "rivet-dmx\0--domid\0007";
	static const char f[] = "rivet-dm\0--name\0--domid";

	CHECK_EQ(xl_dm_cmdline_matches(a, sizeof a, 7), 1);
	CHECK_EQ(xl_dm_cmdline_matches(b, sizeof b, 7), 1);
	CHECK_EQ(xl_dm_cmdline_matches(b, sizeof b - 1, 7), 1);   /* no final NUL */
	CHECK_EQ(xl_dm_cmdline_matches(c, sizeof c, 7), 0);
	CHECK_EQ(xl_dm_cmdline_matches(d2, sizeof d2, 7), 0);
	CHECK_EQ(xl_dm_cmdline_matches(e, sizeof e, 7), 0);
	CHECK_EQ(xl_dm_cmdline_matches(f, sizeof f, 7), 0);
	CHECK_EQ(xl_dm_cmdline_matches("", 0, 7), 0);
	CHECK_EQ(xl_dm_alive(0, 7), 0);
	CHECK_EQ(xl_dm_alive(getpid(), 7), 0);   /* a live pid that is not rivet-dm */
	CHECK_EQ(xl_dm_stop(getpid(), 7), 0);    /* ... is never signalled */
}

TEST(record_devices)
{
	struct xl_record r, back;
	char *text, why[REASON_MAX];

	xl_record_init(&r);
	xl_record_init(&back);
	strcpy(r.name, "web");
	CHECK_EQ(xl_record_set_config(&r, "/etc/rivet/web.cfg"), 0);
	r.dm_pid = 4242;
	r.serial = 1;
	r.vconsole = 1;
	r.dm_vcpus = 2;
	r.dm_ram_base = 0x80000000ULL;
	r.dm_ram_size = 64 << 20;
	r.dm_instance = 0xfedcba9876543210ULL;
	r.dm_restart = 1;
	CHECK_EQ(xl_record_add_disk(&r, "xvda", 0, 0, "/srv/a,b.img"), 0);
	CHECK_EQ(xl_record_add_disk(&r, "sdc", 1, 1, "/srv/c.img"), 0);
	struct xl_vif v = { 2, 0, { 0, 0x16, 0x3e, 0xa, 0xb, 0xc }, "rbr0", "vif3.0", 12 };
	CHECK_EQ(xl_record_add_vif(&r, &v), 0);
	CHECK(xl_record_format(&r, &text, why) > 0);
	CHECK_STR(text, "name=web\nconfig=/etc/rivet/web.cfg\non_poweroff=destroy\non_reboot=destroy\n"
			"on_crash=destroy\non_watchdog=destroy\ndm_pid=4242\nserial=1\nconsole=virtio\ndisk=0,xvda,rw,/srv/a,b.img\n"
			"disk=1,sdc,ro,/srv/c.img\nvif=2,0,00:16:3e:0a:0b:0c,rbr0,vif3.0,12\n"
			"dm=2,0x80000000,0x4000000,0xfedcba9876543210\non_dm_crash=restart\n");
	CHECK_EQ(xl_record_parse(text, &back, why), 0);
	free(text);
	CHECK_EQ(back.dm_vcpus, 2);
	CHECK(back.dm_ram_base == 0x80000000ULL && back.dm_ram_size == 64 << 20);
	CHECK(back.dm_instance == 0xfedcba9876543210ULL);
	CHECK_EQ(back.dm_restart, 1);
	CHECK_EQ(back.dm_pid, 4242);
	CHECK_EQ(back.serial, 1);
	CHECK_EQ(back.vconsole, 1);
	CHECK_EQ(back.nr_disks, 2);
	CHECK_STR(back.disks[0].path, "/srv/a,b.img");
	CHECK_STR(back.disks[1].vdev, "sdc");
	CHECK_EQ(back.disks[1].slot, 1);
	CHECK_EQ(back.disks[1].readonly, 1);
	CHECK_EQ(back.nr_vifs, 1);
	CHECK_EQ(back.vifs[0].slot, 2);
	CHECK_EQ(back.vifs[0].mac[5], 0xc);
	CHECK_STR(back.vifs[0].tap, "vif3.0");
	CHECK_STR(back.vifs[0].bridge, "rbr0");
	CHECK_EQ(back.vifs[0].ifindex, 12);
	CHECK_EQ(xl_record_parse("name=x\nconfig=/a\nvif=2,0,00:16:3e:0a:0b,rbr0,vif3.0,1\n", &back, why), -1);
	CHECK_EQ(xl_record_parse("name=x\nconfig=/a\nvif=2,0,00:16:3e:0a:0b:0c,rbr0,,1\n", &back, why), -1);
	CHECK_EQ(xl_record_parse("name=x\nconfig=/a\nvif=2,0,00:16:3e:0a:0b:0c,rbr0,0123456789abcdef,1\n",
				 &back, why), -1);
	CHECK_EQ(xl_record_parse("name=x\nconfig=/a\nvif=9,0,00:16:3e:0a:0b:0c,rbr0,t,1\n", &back, why), -1);
	CHECK_EQ(xl_record_parse("name=x\nconfig=/a\ndisk=0,xvda,rx,/a\n", &back, why), -1);
	CHECK_EQ(xl_record_parse("name=x\nconfig=/a\ndisk=9,xvda,rw,/a\n", &back, why), -1);
	CHECK_EQ(xl_record_parse("name=x\nconfig=/a\ndisk=0,xvda,rw\n", &back, why), -1);
	CHECK_EQ(xl_record_parse("name=x\nconfig=/a\ndm_pid=-1\n", &back, why), -1);
	CHECK_EQ(xl_record_parse("name=x\nconfig=/a\nserial=2\n", &back, why), -1);
	CHECK_EQ(xl_record_parse("name=x\nconfig=/a\nconsole=sbi\n", &back, why), -1);
	CHECK_EQ(xl_record_parse("name=x\nconfig=/a\ndm=9,0,0,0\n", &back, why), -1);
	CHECK_EQ(xl_record_parse("name=x\nconfig=/a\ndm=1,0,0\n", &back, why), -1);
	CHECK_EQ(xl_record_parse("name=x\nconfig=/a\non_dm_crash=reboot\n", &back, why), -1);
	/* A record without them (an older xl, or no devices). */
	CHECK_EQ(xl_record_parse("name=x\nconfig=/a\n", &back, why), 0);
	CHECK_EQ(back.dm_pid, 0);
	CHECK_EQ(back.nr_disks, 0);
	xl_record_free(&back);
	xl_record_free(&r);
}

TEST(block_rows)
{
	struct xl_disk dk = { "xvdb", 1, 1, "/srv/b.img" };
	char row[256];

	CHECK_STR(xl_block_header, "Vdev  Slot  Access  Target\n");
	xl_block_row(&dk, row, sizeof row);
	CHECK_STR(row, "xvdb      1  ro      /srv/b.img\n");
}

TEST(disk_check)
{
	char abs[PATH_MAX], why[REASON_MAX];

	write_file("d.img", "0123456789", 10);
	write_file("ro.img", "0123456789", 10);
	chmod(path_of("ro.img"), 0444);
	mkdir(path_of("d.dir"), 0755);
	CHECK_EQ(xl_disk_check(path_of("d.img"), 0, abs, why), 0);
	CHECK(abs[0] == '/');
	CHECK_EQ(xl_disk_check(path_of("nope.img"), 1, abs, why), -1);
	CHECK_STR(why, "cannot open: No such file or directory");
	CHECK_EQ(xl_disk_check(path_of("d.dir"), 1, abs, why), -1);
	CHECK_STR(why, "is a directory");
	CHECK_EQ(xl_disk_check(path_of("ro.img"), 0, abs, why), -1);
	CHECK_STR(why, "is read-only (no write permission); use access ro");
	CHECK_EQ(xl_disk_check(path_of("ro.img"), 1, abs, why), 0);
	CHECK_EQ(xl_disk_check("/dev/null", 1, abs, why), -1);
	CHECK_STR(why, "is neither a file nor a block device");
}

static void write_dm(const char *body)
{
	char text[512];

	snprintf(text, sizeof text, "#!/bin/sh\neval \"fd=\\${$#}\"\necho \"$@\" > %s\n%s\n",
		 path_of("dm.args"), body);
	write_file("rivet-dm", text, strlen(text));
	chmod(path_of("rivet-dm"), 0755);
	setenv("RIVET_DM", path_of("rivet-dm"), 1);
}

TEST(create_with_device_model)
{
	static const char cfg[] =
		"name = \"dev\"\nmemory = 64\nvcpus = 2\nkernel = \"Image\"\n"
		"disk = [ 'd.img,raw,xvdb,rw', 'ro.img,raw,xvda,ro' ]\nserial = 'pty'\n";
	xc_handle *h = fake_xc();
	char out[8192], err[2048], args[1024], cfgp[256], *argv[] = { "create", "-q", cfgp };
	char *bl[] = { "block-list", "dev" }, want[1024];
	struct xl_record rec;
	char why[REASON_MAX];
	struct xl_plan p;
	struct diag dg;
	FILE *f;
	size_t n;

	snprintf(cfgp, sizeof cfgp, "%s", path_of("dev.cfg"));
	write_file("dev.cfg", cfg, sizeof cfg - 1);
	/* The plan: disks in vdev order, absolute; the tree has the UART. */
	CHECK_EQ(xl_plan_build(path_of("dev.cfg"), NULL, 0, 10000000, 0, &p, &dg), 0);
	CHECK_EQ(p.nr_disks, 2);
	CHECK_STR(p.disks[0].vdev, "xvda");
	CHECK_EQ(p.disks[0].readonly, 1);
	CHECK_EQ(p.disks[1].slot, 1);
	CHECK(p.serial == 1 && p.disks[0].path[0] == '/');
	CHECK(fdt_path_offset(p.dtb, "/soc/serial@10000000") >= 0);
	CHECK(fdt_path_offset(p.dtb, "/soc/plic@c000000") >= 0);
	xl_plan_free(&p);

	write_dm("echo ok >&$fd");
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, argv), 0);
	CHECK_STR(err, "");
	if (err[0])
		fprintf(stderr, "%s", err);
	f = fopen(path_of("dm.args"), "r");
	n = f ? fread(args, 1, sizeof args - 1, f) : 0;
	args[n] = '\0';
	if (f)
		fclose(f);
	snprintf(want, sizeof want, "--domid 1 --name dev --vcpus 2 --ram-base 0x80000000 "
		 "--ram-size 67108864 --serial --disk ro:%s --disk rw:%s --instance 0x",
		 path_of("ro.img"), path_of("d.img"));
	CHECK(!strncmp(args, want, strlen(want)));
	xl_record_init(&rec);
	CHECK_EQ(xl_record_read(1, &rec, why), 0);
	CHECK(rec.dm_pid > 0);
	CHECK_EQ(rec.serial, 1);
	CHECK_EQ(rec.nr_disks, 2);
	xl_record_free(&rec);
	CHECK(mv_dom(1) && mv_dom(1)->started);
	CHECK_EQ(run_xl(h, xl_cmd_block_list, out, sizeof out, err, sizeof err, 2, bl), 0);
	snprintf(want, sizeof want, "Vdev  Slot  Access  Target\nxvda      0  ro      %s\n"
		 "xvdb      1  rw      %s\n", path_of("ro.img"), path_of("d.img"));
	CHECK_STR(out, want);
	/* Xen's <Domain(s)>: one header, each domain's rows (Domain-0 has none); an unknown one prints nothing. */
	char *bl2[] = { "block-list", "0", "dev" }, *bl3[] = { "block-list", "dev", "nosuch" };
	CHECK_EQ(run_xl(h, xl_cmd_block_list, out, sizeof out, err, sizeof err, 3, bl2), 0);
	CHECK_STR(out, want);
	CHECK_EQ(run_xl(h, xl_cmd_block_list, out, sizeof out, err, sizeof err, 3, bl3), 1);
	CHECK_STR(out, "");
	CHECK_STR(err, "xl: domain 'nosuch' does not exist\n");
	char *nl2[] = { "network-list", "dev", "Domain-0" };
	CHECK_EQ(run_xl(h, xl_cmd_network_list, out, sizeof out, err, sizeof err, 3, nl2), 0);
	CHECK_STR(out, xl_network_header);
	/* dm-restart: a successor with --resume and this life's instance, recorded. */
	{
		char *dr[] = { "dm-restart", "dev" }, inst[32];
		int old_pid;

		xl_record_init(&rec);
		CHECK_EQ(xl_record_read(1, &rec, why), 0);
		CHECK(rec.dm_vcpus == 2 && rec.dm_ram_size == 64 << 20 && rec.dm_instance != 0);
		old_pid = rec.dm_pid;
		snprintf(inst, sizeof inst, "--instance %#llx --resume", (unsigned long long)rec.dm_instance);
		/* A recorded NIC (xl create's taps need a kernel; the record is what counts): its tap again. */
		struct xl_vif v = { 2, 0, { 0, 0x16, 0x3e, 1, 2, 3 }, "rbr0", "vif1.0", 0xfffffff0u };   /* never a real index */
		CHECK_EQ(xl_record_add_vif(&rec, &v), 0);
		CHECK_EQ(xl_record_write(1, &rec, why), 0);
		xl_record_free(&rec);
		CHECK_EQ(run_xl(h, xl_cmd_dm_restart, out, sizeof out, err, sizeof err, 2, dr), 0);
		CHECK_STR(err, "");
		f = fopen(path_of("dm.args"), "r");
		n = f ? fread(args, 1, sizeof args - 1, f) : 0;
		args[n] = '\0';
		if (f)
			fclose(f);
		CHECK(strstr(args, inst) != NULL);
		CHECK(strstr(args, " --disk rw:") && strstr(args, " --nic tap=vif1.0,mac=00:16:3e:01:02:03 --instance "));
		xl_record_init(&rec);
		CHECK_EQ(xl_record_read(1, &rec, why), 0);
		CHECK(rec.dm_pid > 0 && rec.dm_pid != old_pid);
		xl_record_free(&rec);
		/* A successor that fails: one line, the domain stays paused. */
		write_dm("echo 'error: bad state' >&$fd; exit 1");
		CHECK_EQ(run_xl(h, xl_cmd_dm_restart, out, sizeof out, err, sizeof err, 2, dr), 1);
		CHECK_STR(err, "xl: dm-restart: domain 'dev' (1): the new device model failed: bad state; "
			  "domain 'dev' stays paused\n");
		dr[1] = "nope";
		CHECK_EQ(run_xl(h, xl_cmd_dm_restart, out, sizeof out, err, sizeof err, 2, dr), 1);
		CHECK_STR(err, "xl: dm-restart: no such domain\n");
	}
	/* The DM (a script here, gone already) is not rivet-dm: destroy just destroys. */
	bl[0] = "destroy";
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, bl), 0);
	CHECK(nothing_left());
	bl[0] = "block-list";
	CHECK_EQ(run_xl(h, xl_cmd_block_list, out, sizeof out, err, sizeof err, 2, bl), 1);
	CHECK_STR(err, "xl: domain 'dev' does not exist\n");

	/* The DM refuses: one line, the domain undone. */
	write_dm("echo 'error: no ioreq server' >&$fd; exit 1");
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, argv), 1);
	CHECK_STR(err, "xl: device model for dev failed: no ioreq server\n");
	CHECK(nothing_left());
	write_dm("exit 3");
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, argv), 1);
	CHECK_STR(err, "xl: device model for dev failed: it exited without a word "
		       "(see /var/log/rivet/dm/dev.log)\n");
	CHECK(nothing_left());
	setenv("RIVET_DM", path_of("no-such-dm"), 1);
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, argv), 1);
	CHECK(strstr(err, "device model for dev failed: cannot run ") != NULL);
	CHECK(nothing_left());
	unsetenv("RIVET_DM");
	xc_close(h);
}

TEST(mem_set_and_max)
{
	/* Xen's units: MiB by default, t g m k b, one letter, no sign. */
	CHECK_EQ(xl_parse_mem_kb("96"), 96 * 1024);
	CHECK_EQ(xl_parse_mem_kb("96m"), 96 * 1024);
	CHECK_EQ(xl_parse_mem_kb("2G"), 2 * 1024 * 1024);
	CHECK_EQ(xl_parse_mem_kb("1t"), 1LL << 30);
	CHECK_EQ(xl_parse_mem_kb("4096k"), 4096);
	CHECK_EQ(xl_parse_mem_kb("1048576b"), 1024);
	CHECK_EQ(xl_parse_mem_kb("96mb"), -1);
	CHECK_EQ(xl_parse_mem_kb("-5"), -1);
	CHECK_EQ(xl_parse_mem_kb("x"), -1);
	CHECK_EQ(xl_parse_mem_kb(""), -1);
	CHECK_EQ(xl_parse_mem_kb("9223372036854775807t"), -1);
	CHECK_EQ(xl_parse_mem_kb("99999999999999999999"), -1);

	static const char cfg[] =
		"name = \"bal\"\nmemory = 64\nmaxmem = 128\nkernel = \"Image\"\nserial = 'pty'\n";
	xc_handle *h = fake_xc();
	char out[8192], err[2048], args[1024], cfgp[256], *argv[] = { "create", "-q", cfgp };
	struct xl_record rec;
	char why[REASON_MAX];
	FILE *f;
	size_t n;

	snprintf(cfgp, sizeof cfgp, "%s", path_of("bal.cfg"));
	write_file("bal.cfg", cfg, sizeof cfg - 1);
	write_dm("echo ok >&$fd");
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, argv), 0);
	CHECK_STR(err, "");
	/* maxmem of RAM, populated whole; the balloon's first target is memory. */
	f = fopen(path_of("dm.args"), "r");
	n = f ? fread(args, 1, sizeof args - 1, f) : 0;
	args[n] = '\0';
	if (f)
		fclose(f);
	CHECK(strstr(args, "--ram-size 134217728 ") != NULL);
	CHECK(strstr(args, " --mem-target 67108864 ") != NULL);
	CHECK(mv_dom(1) && mv_dom(1)->info.max_bytes == 128ULL << 20 && mv_dom(1)->info.mem_bytes == 128ULL << 20);
	xl_record_init(&rec);
	CHECK_EQ(xl_record_read(1, &rec, why), 0);
	CHECK(rec.mem_target == 64ULL << 20 && rec.mem_max == 128ULL << 20);
	xl_record_free(&rec);

	char *ms[] = { "mem-set", "bal", "200" }, *mm[] = { "mem-max", "bal", "256" };
	CHECK_EQ(run_xl(h, xl_cmd_mem_set, out, sizeof out, err, sizeof err, 3, ms), 1);
	CHECK_STR(err, "xl: mem-set: 204800 KiB is above domain 'bal''s maximum of 131072 KiB (xl mem-max)\n");
	ms[2] = "96q";
	CHECK_EQ(run_xl(h, xl_cmd_mem_set, out, sizeof out, err, sizeof err, 3, ms), 1);
	CHECK_STR(err, "xl: mem-set: invalid memory size: 96q\n");
	ms[2] = "3k";
	CHECK_EQ(run_xl(h, xl_cmd_mem_set, out, sizeof out, err, sizeof err, 3, ms), 1);
	CHECK_STR(err, "xl: mem-set: invalid memory size: 3k\n");
	CHECK_EQ(run_xl(h, xl_cmd_mem_max, out, sizeof out, err, sizeof err, 3, mm), 1);
	CHECK_STR(err, "xl: mem-max: 262144 KiB is above the 131072 KiB domain 'bal' was built with (maxmem)\n");
	mm[2] = "32";
	CHECK_EQ(run_xl(h, xl_cmd_mem_max, out, sizeof out, err, sizeof err, 3, mm), 1);
	CHECK_STR(err, "xl: mem-max: 32768 KiB is below domain 'bal''s target of 65536 KiB (lower it first: "
		       "xl mem-set)\n");
	/* In range, but the device model (a script here) is gone: said, and nothing recorded. */
	ms[2] = "96";
	CHECK_EQ(run_xl(h, xl_cmd_mem_set, out, sizeof out, err, sizeof err, 3, ms), 1);
	CHECK_STR(err, "xl: mem-set: domain 'bal' (1) has no balloon (it runs no device model)\n");
	xl_record_init(&rec);
	CHECK_EQ(xl_record_read(1, &rec, why), 0);
	CHECK(rec.mem_target == 64ULL << 20);
	xl_record_free(&rec);
	/* Domain-0, a domain that is not there, and usage. */
	ms[1] = "0";
	CHECK_EQ(run_xl(h, xl_cmd_mem_set, out, sizeof out, err, sizeof err, 3, ms), 1);
	CHECK_STR(err, "xl: mem-set: Domain-0 has no balloon (its memory is fixed at boot)\n");
	ms[1] = "nope";
	CHECK_EQ(run_xl(h, xl_cmd_mem_set, out, sizeof out, err, sizeof err, 3, ms), 1);
	CHECK_STR(err, "xl: domain 'nope' does not exist\n");
	CHECK_EQ(run_xl(h, xl_cmd_mem_max, out, sizeof out, err, sizeof err, 2, mm), 1);
	char *ds[] = { "destroy", "bal" };
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, ds), 0);
	CHECK(nothing_left());
	xc_close(h);
}

TEST(create_with_a_virtio_console)
{
	static const char cfg[] =
		"name = \"vc\"\nmemory = 64\nkernel = \"Image\"\n"
		"disk = [ 'd.img,raw,xvda,rw' ]\nconsole = 'virtio'\n";
	xc_handle *h = fake_xc();
	char out[8192], err[2048], args[1024], cfgp[256], *argv[] = { "create", "-q", cfgp }, want[1024];
	char *con[] = { "console", "-t", "serial", "vc" }, *nine[] = { "create", "-n", cfgp, "" };
	struct xl_record rec;
	char why[REASON_MAX];
	FILE *f;
	size_t n;

	snprintf(cfgp, sizeof cfgp, "%s", path_of("vc.cfg"));
	write_file("vc.cfg", cfg, sizeof cfg - 1);
	write_dm("echo ok >&$fd");
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, argv), 0);
	CHECK_STR(err, "");
	f = fopen(path_of("dm.args"), "r");
	n = f ? fread(args, 1, sizeof args - 1, f) : 0;
	args[n] = '\0';
	if (f)
		fclose(f);
	snprintf(want, sizeof want, "--domid 1 --name vc --vcpus 1 --ram-base 0x80000000 "
		 "--ram-size 67108864 --disk rw:%s --console --instance 0x", path_of("d.img"));
	CHECK(!strncmp(args, want, strlen(want)));
	xl_record_init(&rec);
	CHECK_EQ(xl_record_read(1, &rec, why), 0);
	CHECK_EQ(rec.vconsole, 1);
	CHECK_EQ(rec.serial, 0);
	xl_record_free(&rec);
	/* dm-restart: the successor gets its console back (the slot layout must not change). */
	{
		char *dr[] = { "dm-restart", "vc" };

		CHECK_EQ(run_xl(h, xl_cmd_dm_restart, out, sizeof out, err, sizeof err, 2, dr), 0);
		CHECK_STR(err, "");
		f = fopen(path_of("dm.args"), "r");
		n = f ? fread(args, 1, sizeof args - 1, f) : 0;
		args[n] = '\0';
		if (f)
			fclose(f);
		CHECK(!strncmp(args, want, strlen(want)));
		CHECK(strstr(args, " --resume --ready-fd ") != NULL);
	}
	/* No UART: -t serial says so in one line, before asking rivet-consoled anything. */
	CHECK_EQ(run_xl(h, xl_cmd_console, out, sizeof out, err, sizeof err, 4, con), 1);
	CHECK_STR(err, "xl: console: domain 'vc' (1) has no emulated serial console (serial = 'pty' in "
		       "its config gives it one); use -t pv\n");
	{
		char *after[] = { "console", "vc", "-t", "serial" };   /* Xen takes it after the domain too */
		CHECK_EQ(run_xl(h, xl_cmd_console, out, sizeof out, err, sizeof err, 4, after), 1);
		CHECK(strstr(err, "has no emulated serial console") != NULL);
	}
	con[2] = "hvc";
	CHECK_EQ(run_xl(h, xl_cmd_console, out, sizeof out, err, sizeof err, 4, con), 1);
	CHECK_STR(err, "xl: console: -t 'hvc': expected pv or serial\n");
	CHECK_EQ(run_xl(h, xl_cmd_console, out, sizeof out, err, sizeof err, 3, con), 1);   /* no domain */
	CHECK(strstr(err, "Usage: xl console [-t pv|serial] [-n NUM] <Domain>") != NULL);
	con[0] = "destroy";
	con[1] = "vc";
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, con), 0);
	CHECK(nothing_left());
	/* The dry run names its slot; with 8 disks there is none. */
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, nine), 0);
	CHECK(strstr(out, "console:     virtio slot 1 (hvc1 in Linux)\n") != NULL);
	nine[3] = "disk=['d.img,raw,xvda','d.img,raw,xvdb,ro','d.img,raw,xvdc,ro','d.img,raw,xvdd,ro',"
		  "'d.img,raw,xvde,ro','d.img,raw,xvdf,ro','d.img,raw,xvdg,ro','d.img,raw,xvdh,ro']";
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 4, nine), 1);
	CHECK(strstr(err, ":5: console: no virtio slot left for it (8 disks and 0 vifs take all 8)\n") != NULL);
	xc_close(h);
}

TEST(create_refuses_bad_disks_first)
{
	xc_handle *h = fake_xc();
	char out[4096], err[2048], cfgp[256], *argv[] = { "create", "-q", cfgp, "" };
	unsigned destroys = mv.nr_destroys;

	snprintf(cfgp, sizeof cfgp, "%s", path_of("web.cfg"));
	argv[3] = "disk=['missing.img,raw,xvda']";
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 4, argv), 1);
	CHECK(strstr(err, ": disk: xvda 'missing.img': cannot open: No such file or directory\n") != NULL);
	argv[3] = "disk=['d.dir,raw,xvda,ro']";
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 4, argv), 1);
	CHECK(strstr(err, ": disk: xvda 'd.dir': is a directory\n") != NULL);
	argv[3] = "disk=['ro.img,raw,xvda,rw']";
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 4, argv), 1);
	CHECK(strstr(err, "is read-only (no write permission); use access ro\n") != NULL);
	argv[3] = "disk=['d.img,qcow2,xvda']";
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 4, argv), 1);
	CHECK(strstr(err, "format 'qcow2' is not supported (only raw)") != NULL);
	argv[3] = "serial='vc'";
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 4, argv), 1);
	CHECK(strstr(err, "serial: \"vc\" is not supported (use 'pty')") != NULL);
	argv[3] = "console='pv'";
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 4, argv), 1);
	CHECK(strstr(err, "console: \"pv\" is not supported (use 'virtio'; the SBI console needs no key)") != NULL);
	CHECK_EQ(mv.nr_destroys, destroys);   /* nothing was created to undo */
	CHECK(nothing_left());
	xc_close(h);
}

TEST(sched_credit2_and_rtds)
{
	xc_handle *h = fake_xc();
	char out[8192], err[2048];
	char *c1[] = { "create", "-q", (char *)path_of("web.cfg") };

	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, c1), 0);
	/* Listing: every credit domain, Xen's columns. */
	char *l[] = { "sched-credit2" };
	CHECK_EQ(run_xl(h, xl_cmd_sched_credit2, out, sizeof out, err, sizeof err, 1, l), 0);
	CHECK_STR(out, "Name                                ID Weight  Cap\n"
		       "Domain-0                             0    256    0\n"
		       "web                                  1    256    0\n");
	/* Setting the weight keeps the cap, and the other way round. */
	char *w[] = { "sched-credit2", "-d", "web", "-w", "512" }, *c[] = { "sched-credit2", "-d", "1", "-c", "50" };
	CHECK_EQ(run_xl(h, xl_cmd_sched_credit2, out, sizeof out, err, sizeof err, 5, w), 0);
	CHECK_EQ(run_xl(h, xl_cmd_sched_credit2, out, sizeof out, err, sizeof err, 5, c), 0);
	char *show[] = { "sched-credit2", "-d", "web" };
	CHECK_EQ(run_xl(h, xl_cmd_sched_credit2, out, sizeof out, err, sizeof err, 3, show), 0);
	CHECK_STR(out, "Name                                ID Weight  Cap\n"
		       "web                                  1    512   50\n");
	/* Out of range, here or in the microvisor; a domain needed; unknown ones. */
	char *w0[] = { "sched-credit2", "-d", "web", "-w", "0" }, *wx[] = { "sched-credit2", "-d", "web", "-w", "70000" };
	char *cbig[] = { "sched-credit2", "-d", "web", "-c", "300" }, *nod[] = { "sched-credit2", "-w", "5" };
	char *nosuch[] = { "sched-credit2", "-d", "nosuch" }, *bad[] = { "sched-credit2", "-x" };
	CHECK_EQ(run_xl(h, xl_cmd_sched_credit2, out, sizeof out, err, sizeof err, 5, w0), 1);
	CHECK_STR(err, "xl: sched-credit2: invalid weight '0' (1 to 65535)\n");
	CHECK_EQ(run_xl(h, xl_cmd_sched_credit2, out, sizeof out, err, sizeof err, 5, wx), 1);
	CHECK_EQ(run_xl(h, xl_cmd_sched_credit2, out, sizeof out, err, sizeof err, 5, cbig), 1);
	CHECK(strstr(err, "sched-credit2: domain 'web' (1): the microvisor refused these values") != NULL);
	CHECK_EQ(run_xl(h, xl_cmd_sched_credit2, out, sizeof out, err, sizeof err, 3, nod), 1);
	CHECK_STR(err, "xl: sched-credit2: -w and -c need a domain (-d)\n");
	CHECK_EQ(run_xl(h, xl_cmd_sched_credit2, out, sizeof out, err, sizeof err, 3, nosuch), 1);
	CHECK_STR(err, "xl: domain 'nosuch' does not exist\n");
	CHECK_EQ(run_xl(h, xl_cmd_sched_credit2, out, sizeof out, err, sizeof err, 2, bad), 1);
	CHECK(strstr(err, "Usage: xl sched-credit2") == err);
	CHECK_EQ(mv_dom(1)->sched.weight, 512);
	CHECK_EQ(mv_dom(1)->sched.cap, 50);

	/* RTDS: vCPU 1 alone makes the domain RTDS, vCPU 0 gets the defaults. */
	char *r1[] = { "sched-rtds", "-d", "web", "-v", "1", "-p", "20000", "-b", "5000", "-e", "1" };
	CHECK_EQ(run_xl(h, xl_cmd_sched_rtds, out, sizeof out, err, sizeof err, 11, r1), 0);
	char *rv[] = { "sched-rtds", "-d", "web", "-v", "all" };
	CHECK_EQ(run_xl(h, xl_cmd_sched_rtds, out, sizeof out, err, sizeof err, 5, rv), 0);
	CHECK_STR(out, "Name                                ID VCPU    Period    Budget  Extratime\n"
		       "web                                  1    0     10000      4000         no\n"
		       "web                                  1    1     20000      5000        yes\n");
	char *rl[] = { "sched-rtds" };
	CHECK_EQ(run_xl(h, xl_cmd_sched_rtds, out, sizeof out, err, sizeof err, 1, rl), 0);
	CHECK_STR(out, "Name                                ID    Period    Budget  Extratime\n"
		       "web                                  1     10000      4000         no\n");
	/* ... and now sched-credit2 lists only Domain-0. */
	CHECK_EQ(run_xl(h, xl_cmd_sched_credit2, out, sizeof out, err, sizeof err, 1, l), 0);
	CHECK(strstr(out, "web") == NULL && strstr(out, "Domain-0") != NULL);
	/* All vCPUs at once, without -v; then bad values, each refused with nothing changed. */
	char *r2[] = { "sched-rtds", "-d", "web", "-p", "10000", "-b", "2000" };
	CHECK_EQ(run_xl(h, xl_cmd_sched_rtds, out, sizeof out, err, sizeof err, 7, r2), 0);
	CHECK_EQ(mv_dom(1)->rt_budget[1], 2000);
	char *rb[] = { "sched-rtds", "-d", "web", "-p", "1000", "-b", "2000" };
	char *rp[] = { "sched-rtds", "-d", "web", "-p", "10000" };
	char *rvx[] = { "sched-rtds", "-d", "web", "-v", "2", "-p", "10000", "-b", "100" };
	char *re[] = { "sched-rtds", "-d", "web", "-p", "10000", "-b", "100", "-e", "2" };
	char *rn[] = { "sched-rtds", "-p", "10000", "-b", "100" };
	CHECK_EQ(run_xl(h, xl_cmd_sched_rtds, out, sizeof out, err, sizeof err, 7, rb), 1);
	CHECK(strstr(err, "the budget 10 us up to the period") != NULL);
	CHECK_EQ(run_xl(h, xl_cmd_sched_rtds, out, sizeof out, err, sizeof err, 5, rp), 1);
	CHECK_STR(err, "xl: sched-rtds: -p and -b go together\n");
	CHECK_EQ(run_xl(h, xl_cmd_sched_rtds, out, sizeof out, err, sizeof err, 9, rvx), 1);
	CHECK_STR(err, "xl: sched-rtds: invalid vcpu '2'\n");
	CHECK_EQ(run_xl(h, xl_cmd_sched_rtds, out, sizeof out, err, sizeof err, 9, re), 1);
	CHECK_EQ(run_xl(h, xl_cmd_sched_rtds, out, sizeof out, err, sizeof err, 5, rn), 1);
	CHECK_STR(err, "xl: sched-rtds: -v, -p, -b and -e need a domain (-d), but for a listing with -v all\n");
	/* xl(1)'s "xl sched-rtds -v all": every vCPU of every RTDS domain; getopt_long's forms. */
	char *rva[] = { "sched-rtds", "-v", "all" }, *rvd[] = { "sched-rtds", "-vall", "--domain=web" };
	CHECK_EQ(run_xl(h, xl_cmd_sched_rtds, out, sizeof out, err, sizeof err, 3, rva), 0);
	CHECK_STR(out, "Name                                ID VCPU    Period    Budget  Extratime\n"
		       "web                                  1    0     10000      2000         no\n"
		       "web                                  1    1     10000      2000         no\n");
	CHECK_EQ(run_xl(h, xl_cmd_sched_rtds, out, sizeof out, err, sizeof err, 3, rvd), 0);
	CHECK(strstr(out, "web                                  1    1     10000      2000") != NULL);
	char *rv0[] = { "sched-rtds", "-v", "0" }, *rpool[] = { "sched-rtds", "-c", "Pool-1" };
	CHECK_EQ(run_xl(h, xl_cmd_sched_rtds, out, sizeof out, err, sizeof err, 3, rv0), 1);
	CHECK_EQ(run_xl(h, xl_cmd_sched_rtds, out, sizeof out, err, sizeof err, 3, rpool), 1);
	CHECK(strstr(err, "unknown cpupool 'Pool-1'") != NULL);
	CHECK_EQ(mv_dom(1)->rt_budget[1], 2000);
	CHECK_EQ(mv_dom(1)->rt_period[0], 10000);
	/* Back to credit: the weight it had. */
	CHECK_EQ(run_xl(h, xl_cmd_sched_credit2, out, sizeof out, err, sizeof err, 5, c), 0);
	CHECK_EQ(mv_dom(1)->sched.policy, RIVET_SCHED_CREDIT);
	CHECK_EQ(mv_dom(1)->sched.weight, 512);
	/* sched-credit2: -dweb, --weight=N, -p Pool-0 (the only pool), -s refused. */
	char *cl[] = { "sched-credit2", "-dweb", "--weight=300" }, *cp[] = { "sched-credit2", "-p", "Pool-0" };
	char *cs[] = { "sched-credit2", "-s" }, *cpd[] = { "sched-credit2", "-p", "Pool-0", "-d", "web" };
	CHECK_EQ(run_xl(h, xl_cmd_sched_credit2, out, sizeof out, err, sizeof err, 3, cp), 0);
	CHECK(strstr(out, "Domain-0") != NULL && strstr(out, "web") != NULL);
	CHECK_EQ(run_xl(h, xl_cmd_sched_credit2, out, sizeof out, err, sizeof err, 2, cs), 1);
	CHECK(strstr(err, "no pool-wide parameters") != NULL);
	CHECK_EQ(run_xl(h, xl_cmd_sched_credit2, out, sizeof out, err, sizeof err, 5, cpd), 1);
	CHECK_EQ(run_xl(h, xl_cmd_sched_credit2, out, sizeof out, err, sizeof err, 3, cl), 0);
	CHECK_EQ(mv_dom(1)->sched.policy, RIVET_SCHED_CREDIT);
	CHECK_EQ(mv_dom(1)->sched.weight, 300);

	char *d1[] = { "destroy", "web" };
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, d1), 0);
	xc_close(h);
}

TEST(create_applies_scheduling_keys)
{
	xc_handle *h = fake_xc();
	char out[8192], err[2048];
	char *c1[] = { "create", "-q", (char *)path_of("web.cfg"), "cpu_weight=1024", "cap=150" };
	char *c2[] = { "create", "-q", (char *)path_of("web.cfg"), "name=\"rt\"", "period=10000", "slice=2500",
		       "extratime=1" };
	char *c3[] = { "create", "-q", (char *)path_of("web.cfg"), "name=\"big\"", "cap=250" };
	char *c4[] = { "create", "-q", (char *)path_of("web.cfg"), "name=\"mix\"", "cap=50", "period=1000",
		       "slice=100" };

	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 5, c1), 0);
	CHECK_EQ(mv_dom(1)->sched.weight, 1024);
	CHECK_EQ(mv_dom(1)->sched.cap, 150);
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 7, c2), 0);
	CHECK_EQ(mv_dom(2)->sched.policy, RIVET_SCHED_RTDS);
	CHECK_EQ(mv_dom(2)->rt_budget[1], 2500);
	CHECK_EQ(mv_dom(2)->rt_extra[0], 1);
	/* The microvisor refuses a cap over its harts: the create fails, nothing is left. */
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 5, c3), 1);
	CHECK(strstr(err, "the microvisor refused these scheduling parameters") != NULL);
	CHECK(strstr(err, "a cap is at most 100 per hart") != NULL);
	CHECK(mv_dom(3) == NULL);
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 7, c4), 1);
	CHECK(strstr(err, "give one policy's keys") != NULL);
	/* cpus = [...]: each listed vCPU pinned to its harts before it starts; the others not. */
	char *c5[] = { "create", "-q", (char *)path_of("web.cfg"), "name=\"per\"", "cpus=[\"1\"]" };
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 5, c5), 0);
	CHECK_EQ(mv_dom(3)->pinned[0], 0x2 + 1);
	CHECK_EQ(mv_dom(3)->pinned[1], 0);
	char *d3[] = { "destroy", "per" };
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, d3), 0);
	char *d1[] = { "destroy", "web" }, *d2[] = { "destroy", "rt" };
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, d1), 0);
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, d2), 0);
	CHECK(nothing_left());
	xc_close(h);
}

/*
 * A process xl takes for DOMID's rivet-dm (its command line says so): a
 * shell waiting on a pipe whose write end is *HOLD. A request signal, not
 * trapped, ends it (WTERMSIG tells it was pressed); closing *HOLD ends it
 * otherwise. Its pid once it runs as that, or -1.
 */
static int fake_dm_process(uint32_t domid, int *hold)
{
	int in[2], ready[2];
	char id[16], c;
	pid_t pid;

	if (pipe(in) < 0)
		return -1;
	if (pipe2(ready, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	snprintf(id, sizeof id, "%u", domid);
	pid = fork();
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(DM_REQUEST_SIGNAL, SIG_DFL);
		dup2(in[0], STDIN_FILENO);
		close(in[1]);
		close(ready[0]);
		execl("/bin/sh", XL_DM_PROG, "-c", "read x", "--domid", id, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(ready[1]);
	/* EOF once exec closed the other end: from then on its command line is the fake's. */
	while (pid > 0 && read(ready[0], &c, 1) < 0 && errno == EINTR)
		;
	close(ready[0]);
	if (pid < 0) {
		close(in[1]);
		return -1;
	}
	*hold = in[1];
	return pid;
}

/* 1 when PID waits for an flock (a "->" line of /proc/locks), 0 if not (yet). */
static int waits_for_flock(int pid)
{
	char line[256];
	int found = 0;
	FILE *f = fopen("/proc/locks", "r");

	while (f && !found && fgets(line, sizeof line, f)) {
		char *p = strstr(line, "-> FLOCK");
		int who;

		found = p && sscanf(p, "-> FLOCK %*s %*s %d", &who) == 1 && who == pid;
	}
	if (f)
		fclose(f);
	return found;
}

static int add_vcpus_1(struct xl_record *rec, void *arg, char *why)
{
	(void)arg;
	(void)why;
	return xl_record_set_arg(rec, "vcpus", "1");
}

/*
 * xl's record writers (vcpu-set, mem-set/-max, rename) share one
 * read-modify-write: under the lock the device-model supervisor holds to
 * rewrite dm_pid=, and only for the same, still running, life of the domain.
 */
TEST(record_update_locked)
{
	xc_handle *h = fake_xc();
	char out[4096], err[2048], why[REASON_MAX];
	char *create[] = { "create", "-q", (char *)path_of("web.cfg") };
	struct rivet_domain_info info;
	struct xl_record rec;
	int lock, st = 0;
	pid_t pid;

	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, create), 0);
	CHECK(mv_dom(1) != NULL);
	if (!mv_dom(1))
		return;
	mv_dom(1)->info.start_ns = 77;
	info = mv_dom(1)->info;
	xl_record_init(&rec);

	/* Another life under the same id and name: nothing written. */
	info.start_ns = 78;
	CHECK_EQ(xl_record_update(h, &info, NULL, add_vcpus_1, NULL, why), -1);
	CHECK(strstr(why, "domain 1 is gone") == why);
	/* Shut down meanwhile: the same. */
	info.start_ns = 77;
	mv_dom(1)->info.state |= RIVET_DOMSTATE_SHUTDOWN;
	CHECK_EQ(xl_record_update(h, &info, NULL, add_vcpus_1, NULL, why), -1);
	CHECK_STR(why, "domain 1 has shut down meanwhile");
	mv_dom(1)->info.state &= ~RIVET_DOMSTATE_SHUTDOWN;
	CHECK_EQ(xl_record_read(1, &rec, why), 0);
	CHECK_EQ(rec.nr_args, 0);
	/* A record of another name: not INFO's to change. */
	CHECK_EQ(xl_record_update(h, &info, "other", add_vcpus_1, NULL, why), 0);

	/*
	 * The supervisor's restart holds the lock while it rewrites dm_pid=: an
	 * update meanwhile waits for it and reads what it wrote, so neither
	 * change is lost.
	 */
	lock = xl_record_lock(why);
	CHECK(lock >= 0);
	CHECK_EQ(xl_record_read(1, &rec, why), 0);   /* the supervisor's read, then its new device model */
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		close(lock);   /* its copy would hold the parent's lock */
		_exit(xl_record_update(h, &info, NULL, add_vcpus_1, NULL, why) == 1 ? 0 : 1);
	}
	CHECK(pid > 0);
	while (pid > 0 && !waits_for_flock(pid) && waitpid(pid, &st, WNOHANG) == 0)
		usleep(1000);
	rec.dm_pid = 4242;
	CHECK_EQ(xl_record_write(1, &rec, why), 0);
	close(lock);
	if (pid > 0 && waitpid(pid, &st, 0) == pid)
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(xl_record_read(1, &rec, why), 0);
	CHECK_EQ(rec.dm_pid, 4242);
	CHECK(rec.nr_args == 1 && !strcmp(rec.args[0], "vcpus=1"));
	xl_record_free(&rec);
	xl_record_remove(1);
	xc_close(h);
}

/*
 * xl dump-core writes FILE.PID.partial and renames it only once whole: FILE
 * is never half a core, a file there is replaced only by a whole one, and a
 * failure leaves neither.
 */
TEST(dump_core_partial_then_rename)
{
	xc_handle *h = fake_xc();
	char out[4096], err[2048], core[600], partial[620];
	char *create[] = { "create", "-q", (char *)path_of("web.cfg") };
	char *dc[] = { "dump-core", "web", core };
	struct stat st;

	snprintf(core, sizeof core, "%s", path_of("web.core"));
	snprintf(partial, sizeof partial, "%s.%ld.partial", core, (long)getpid());   /* xl runs in this process */
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, create), 0);
	write_file("web.core", "old", 3);
	CHECK_EQ(run_xl(h, xl_cmd_dump_core, out, sizeof out, err, sizeof err, 3, dc), 0);
	CHECK_STR(err, "");
	CHECK(stat(core, &st) == 0 && st.st_size > 64);   /* the whole core in place of the old file */
	CHECK(access(partial, F_OK) < 0);
	/* A stale .partial (an earlier xl killed half-way) is written over, and goes with the rename. */
	snprintf(out, sizeof out, "web.core.%ld.partial", (long)getpid());
	write_file(out, "stale", 5);
	CHECK_EQ(run_xl(h, xl_cmd_dump_core, out, sizeof out, err, sizeof err, 3, dc), 0);
	CHECK(stat(core, &st) == 0 && st.st_size > 64);
	CHECK(access(partial, F_OK) < 0);
	/* A failure before the write (vCPU registers refused): no file at all. */
	unlink(core);
	mv.fail_fn = RIVET_HC_VCPU_GETCONTEXT;
	mv.fail_err = RIVET_ERR_BUSY;
	CHECK_EQ(run_xl(h, xl_cmd_dump_core, out, sizeof out, err, sizeof err, 3, dc), 1);
	mv.fail_fn = 0;
	mv.fail_err = 0;
	CHECK(access(core, F_OK) < 0);
	CHECK(access(partial, F_OK) < 0);
	CHECK(mkdir(partial, 0700) == 0);   /* cannot be opened for writing: the dump fails, no core */
	CHECK_EQ(run_xl(h, xl_cmd_dump_core, out, sizeof out, err, sizeof err, 3, dc), 1);
	CHECK(strstr(err, ".partial") != NULL);
	CHECK(access(core, F_OK) < 0);
	rmdir(partial);
	char *d1[] = { "destroy", "web" };
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, d1), 0);
	xc_close(h);
}

/*
 * Several settings in one argument (xl(1)'s 'cpus="0-3"; memory=256'): the
 * record keeps them one per argument (a record holds no newline), so a
 * newline-separated argument creates, and xl rename / vcpu-set replace
 * their own setting without dropping the argument's others.
 */
TEST(combined_override_recorded_one_setting_each)
{
	xc_handle *h = fake_xc();
	char out[8192], err[2048], why[REASON_MAX];
	char *c1[] = { "create", "-q", (char *)path_of("web.cfg"), "name=\"m1\"\nmaxvcpus=4; memory=40" };
	char *rn[] = { "rename", "m1", "m9" }, *vs[] = { "vcpu-set", "m9", "1" };
	struct xl_record r;
	struct xl_plan p;
	struct diag dg;

	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 4, c1), 0);
	CHECK(mv_dom(1) != NULL);
	if (!mv_dom(1))
		return;
	xl_record_init(&r);
	CHECK_EQ(xl_record_read(1, &r, why), 0);
	CHECK_EQ(r.nr_args, 3);
	if (r.nr_args == 3) {
		CHECK_STR(r.args[0], "name=\"m1\"");
		CHECK_STR(r.args[1], "maxvcpus=4");
		CHECK_STR(r.args[2], "memory=40");
	}
	xl_record_free(&r);
	CHECK_EQ(run_xl(h, xl_cmd_rename, out, sizeof out, err, sizeof err, 3, rn), 0);
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 3, vs), 0);
	xl_record_init(&r);
	CHECK_EQ(xl_record_read(1, &r, why), 0);
	/* What a restart builds: the new name, the argument's memory and maximum, the count. */
	CHECK_EQ(xl_plan_build(r.config, r.args, r.nr_args, 25000000, 0, &p, &dg), 0);
	CHECK_STR(p.cfg.name, "m9");
	CHECK_EQ(p.cfg.max_bytes, 40ULL << 20);
	CHECK_EQ(p.cfg.nr_vcpus, 4);
	CHECK_EQ(p.online_vcpus, 1);
	xl_plan_free(&p);
	xl_record_free(&r);
	char *d1[] = { "destroy", "m9" };
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, d1), 0);
	CHECK(nothing_left());	xc_close(h);
}

/* vcpu-set's count is kept in the record, so a restart (xl create of the record) starts that many. */
TEST(vcpu_set_kept_for_restart)
{
	xc_handle *h = fake_xc();
	char out[8192], err[2048], why[REASON_MAX];
	char *c1[] = { "create", "-q", (char *)path_of("web.cfg"), "maxvcpus=4", "vcpus=2" };
	char *s1[] = { "vcpu-set", "web", "1" }, *s3[] = { "vcpu-set", "-i", "web", "3" };
	struct xl_record r;
	struct xl_plan p;
	struct diag dg;
	unsigned i, n_vcpus = 0, n_max = 0;

	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 5, c1), 0);
	CHECK(mv_dom(1) != NULL);
	if (!mv_dom(1))
		return;
	CHECK_EQ(mv_dom(1)->info.avail_vcpus, 2);
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 3, s1), 0);
	xl_record_init(&r);
	CHECK_EQ(xl_record_read(1, &r, why), 0);
	/* One of each, the earlier ones (maxvcpus=4, vcpus=2) replaced; the count last. */
	for (i = 0; i < r.nr_args; i++) {
		n_vcpus += !strncmp(r.args[i], "vcpus", 5);
		n_max += !strncmp(r.args[i], "maxvcpus", 8);
	}
	CHECK_EQ(n_vcpus, 1);
	CHECK_EQ(n_max, 1);
	CHECK(r.nr_args >= 2);
	CHECK_STR(r.args[r.nr_args - 2], "maxvcpus=4");
	CHECK_STR(r.args[r.nr_args - 1], "vcpus=1");
	/* What a restart builds from it: 4 vCPUs in all, 1 to start with. */
	CHECK_EQ(xl_plan_build(r.config, r.args, r.nr_args, 25000000, 0, &p, &dg), 0);
	CHECK_EQ(p.cfg.nr_vcpus, 4);
	CHECK_EQ(p.online_vcpus, 1);
	xl_plan_free(&p);
	/* Raised again: the latest count. */
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 4, s3), 0);
	CHECK_EQ(xl_record_read(1, &r, why), 0);
	CHECK_STR(r.args[r.nr_args - 1], "vcpus=3");
	CHECK_EQ(xl_plan_build(r.config, r.args, r.nr_args, 25000000, 0, &p, &dg), 0);
	CHECK_EQ(p.online_vcpus, 3);
	xl_plan_free(&p);
	xl_record_free(&r);
	/* A domain with no record (a boot image's): the count changes, nothing else to keep. */
	xl_record_remove(1);
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 3, s1), 0);
	CHECK_EQ(mv_dom(1)->info.avail_vcpus, 1);
	CHECK_EQ(xl_record_read(1, &r, why), -1);
	xl_record_free(&r);
	/*
	 * A record already full of other overrides: said, exit 1, the count
	 * changed all the same, and the guest is told of it (its device model
	 * gets the request) before the record is tried.
	 */
	int hold, dm = fake_dm_process(1, &hold), st = 0;
	CHECK(dm > 0);
	xl_record_init(&r);
	snprintf(r.name, sizeof r.name, "web");
	CHECK_EQ(xl_record_set_config(&r, path_of("web.cfg")), 0);
	for (i = 0; i < XL_RECORD_MAX_ARGS; i++)
		CHECK_EQ(xl_record_add_arg(&r, "memory=64"), 0);
	r.dm_pid = dm;
	CHECK_EQ(xl_record_write(1, &r, why), 0);
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 4, s3), 1);
	CHECK_STR(err, "xl: vcpu-set: domain 'web' (1) may run 3 vCPUs now, but its record cannot keep "
		       "the count (a restart brings the configured one back): it holds 32 overrides already\n");
	CHECK_EQ(mv_dom(1)->info.avail_vcpus, 3);
	close(hold);   /* not signalled, it would end by itself now */
	CHECK_EQ(waitpid(dm, &st, 0), dm);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == DM_REQUEST_SIGNAL);
	xl_record_free(&r);
	char *d1[] = { "destroy", "web" };
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, d1), 0);
	CHECK(nothing_left());
	xc_close(h);
}

/* One override per key: set replaces KEY= and KEY+= (not KEYX=), and says when there is no room. */
TEST(record_set_arg)
{
	struct xl_record r;
	unsigned i;

	xl_record_init(&r);
	CHECK_EQ(xl_record_add_arg(&r, "name=a"), 0);
	CHECK_EQ(xl_record_add_arg(&r, "vcpus=2"), 0);
	CHECK_EQ(xl_record_add_arg(&r, "name+=b"), 0);
	CHECK_EQ(xl_record_add_arg(&r, "namex=c"), 0);
	CHECK_EQ(xl_record_set_arg(&r, "name", "web"), 0);
	CHECK_EQ(r.nr_args, 3);
	CHECK_STR(r.args[0], "vcpus=2");
	CHECK_STR(r.args[1], "namex=c");
	CHECK_STR(r.args[2], "name=web");
	xl_record_free(&r);
	xl_record_init(&r);
	for (i = 0; i < XL_RECORD_MAX_ARGS; i++)
		CHECK_EQ(xl_record_add_arg(&r, "memory=16"), 0);
	CHECK_EQ(xl_record_set_arg(&r, "vcpus", "1"), -1);
	CHECK_EQ(r.nr_args, XL_RECORD_MAX_ARGS);
	CHECK_EQ(xl_record_set_arg(&r, "memory", "32"), 0);   /* replacing makes room */
	CHECK_EQ(r.nr_args, 1);
	CHECK_STR(r.args[0], "memory=32");
	xl_record_free(&r);
}

TEST(maxvcpus_and_vcpu_set)
{
	xc_handle *h = fake_xc();
	char out[8192], err[2048];
	char *c1[] = { "create", "-q", (char *)path_of("web.cfg"), "maxvcpus=4" };
	char *list[] = { "list", "web" };
	struct xl_plan p;
	struct diag dg;

	/* The plan: 4 vCPUs in the domain, Linux told to bring up the 2 of vcpus. */
	CHECK_EQ(xl_plan_build(path_of("web.cfg"), c1 + 3, 1, 25000000, 0, &p, &dg), 0);
	CHECK_EQ(p.cfg.nr_vcpus, 4);
	CHECK_EQ(p.online_vcpus, 2);
	CHECK_STR(fdt_getprop(p.dtb, fdt_path_offset(p.dtb, "/chosen"), "bootargs", NULL), "console=hvc0 maxcpus=2");
	CHECK(fdt_path_offset(p.dtb, "/cpus/cpu@3") >= 0);
	xl_plan_free(&p);
	/* Created with 4, the count set to 2 before vCPU 0 starts. */
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 4, c1), 0);
	CHECK_EQ(mv_dom(1)->info.nr_vcpus, 4);
	CHECK_EQ(mv_dom(1)->info.avail_vcpus, 2);
	CHECK(mv_dom(1)->vcpus_set_before_start);
	/* xl list: the vCPUs it may run, not maxvcpus (its guest has started none or one of them yet). */
	CHECK_EQ(run_xl(h, xl_cmd_list, out, sizeof out, err, sizeof err, 2, list), 0);
	CHECK(strstr(out, "\nweb                                          1    64     2     ") != NULL);
	mv_dom(1)->info.nr_online_vcpus = 1;
	CHECK_EQ(run_xl(h, xl_cmd_list, out, sizeof out, err, sizeof err, 2, list), 0);
	CHECK(strstr(out, "\nweb                                          1    64     2     ") != NULL);
	/* ... or those it runs, while it has not offlined the ones past a lowered count. */
	mv_dom(1)->info.nr_online_vcpus = 3;
	CHECK_EQ(run_xl(h, xl_cmd_list, out, sizeof out, err, sizeof err, 2, list), 0);
	CHECK(strstr(out, "\nweb                                          1    64     3     ") != NULL);
	mv_dom(1)->info.nr_online_vcpus = 0;

	/* vcpu-set: the count changes; without a device model the guest is not told, and xl says so. */
	char *s2[] = { "vcpu-set", "web", "2" }, *s3[] = { "vcpu-set", "web", "3" };
	char *s3i[] = { "vcpu-set", "web", "3", "-i" }, *s3l[] = { "vcpu-set", "--ignore-host", "1", "4" };
	char *s5[] = { "vcpu-set", "web", "5" }, *s0[] = { "vcpu-set", "web", "0" };
	char *sx[] = { "vcpu-set", "web", "two" }, *sn[] = { "vcpu-set", "nosuch", "1" };
	char *sd0[] = { "vcpu-set", "0", "1" }, *su[] = { "vcpu-set", "web" }, *su2[] = { "vcpu-set", "-x", "web", "1" };
	char *s1[] = { "vcpu-set", "1", "1" };
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 3, s1), 0);
	CHECK_EQ(mv_dom(1)->info.avail_vcpus, 1);
	CHECK_STR(err, "xl: vcpu-set: domain 'web' (1) may run 1 vCPUs now, but the guest was not told: "
		  "it runs no device model (no agent channel)\n");
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 3, s2), 0);
	CHECK_EQ(mv_dom(1)->info.avail_vcpus, 2);
	/* More than the machine's 2 harts (and than it runs): Xen's overcommit check, -i skips it. */
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 3, s3), 1);
	CHECK_STR(err, "xl: vcpu-set: you are overcommitting: the machine has 2 harts and you want 3 vCPUs; "
		  "aborting, use --ignore-host to continue\n");
	CHECK_EQ(mv_dom(1)->info.avail_vcpus, 2);
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 4, s3i), 0);
	CHECK_EQ(mv_dom(1)->info.avail_vcpus, 3);
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 4, s3l), 0);
	CHECK_EQ(mv_dom(1)->info.avail_vcpus, 4);
	/* Past maxvcpus: an error naming it, nothing changed. */
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 3, s5), 1);
	CHECK_STR(err, "xl: vcpu-set: requested 5 vCPUs, however maxvcpus of 'web' (1) is 4\n");
	CHECK_EQ(mv_dom(1)->info.avail_vcpus, 4);
	/* Below 1: quietly ignored, as Xen. */
	mv.last_fn = 0;
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 3, s0), 0);
	CHECK_STR(err, "");
	CHECK_EQ(mv_dom(1)->info.avail_vcpus, 4);
	CHECK(mv.last_fn != RIVET_HC_DOMAIN_VCPUS);
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 3, sx), 1);
	CHECK_STR(err, "xl: Error: Invalid argument two as number of vcpus.\n");
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 3, sn), 1);
	CHECK_STR(err, "xl: domain 'nosuch' does not exist\n");
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 3, sd0), 1);
	CHECK(strstr(err, "xl: vcpu-set: not supported for Domain-0") == err);
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 2, su), 1);
	CHECK(strstr(err, "Usage: xl vcpu-set [-i|--ignore-host] <Domain> <vCPUs>") == err);
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 4, su2), 1);
	CHECK(strstr(err, "Usage: xl vcpu-set") == err);
	/* The microvisor says no: its reason, and an older one's. */
	mv.fail_fn = RIVET_HC_DOMAIN_VCPUS;
	mv.fail_err = SBI_ERR_NOT_SUPPORTED;
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 3, s2), 1);
	CHECK(strstr(err, "(this microvisor cannot limit a domain's vCPUs)\n") != NULL);
	/* ... and xl create with maxvcpus fails whole, leaving nothing. */
	char *c2[] = { "create", "-q", (char *)path_of("web.cfg"), "name=\"two\"", "maxvcpus=3" };
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 5, c2), 1);
	CHECK(strstr(err, "cannot make only 2 of its 3 vCPUs available") != NULL);
	CHECK(mv_dom(2) == NULL);
	mv.fail_fn = 0;
	/* Without maxvcpus, no DOMAIN_VCPUS at all: an older microvisor creates it as before. */
	mv.fail_fn = RIVET_HC_DOMAIN_VCPUS;
	char *c3[] = { "create", "-q", (char *)path_of("web.cfg"), "name=\"three\"" };
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 4, c3), 0);
	mv.fail_fn = 0;
	/* Shut down: refused. */
	mv_dom(1)->info.state = RIVET_DOMSTATE_SHUTDOWN;
	CHECK_EQ(run_xl(h, xl_cmd_vcpu_set, out, sizeof out, err, sizeof err, 3, s2), 1);
	CHECK_STR(err, "xl: vcpu-set: domain 'web' (1) is shut down\n");
	char *d1[] = { "destroy", "web" }, *d2[] = { "destroy", "three" };
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, d1), 0);
	CHECK_EQ(run_xl(h, xl_cmd_destroy, out, sizeof out, err, sizeof err, 2, d2), 0);
	CHECK(nothing_left());
	xc_close(h);
}

/* ---- list -l/-v, info -n, dmesg -c, uptime, rename, top, debug-keys, destroy -f, console -n ---- */

static void json_of(const char *s, char *out, size_t size)
{
	FILE *f = tmpfile();
	size_t n;

	xl_json_string(f, s);
	rewind(f);
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	fclose(f);
}

TEST(new_pure_helpers)
{
	char buf[512], why[REASON_MAX];
	struct rivet_domain_info a = { .domid = 3, .state = RIVET_DOMSTATE_RUNNING, .name = "web",
		.mem_bytes = 64 << 20, .max_bytes = 128 << 20, .cpu_time_ns = 10000000000ULL,
		.nr_vcpus = 2, .start_ns = 5, .now_ns = 2000000000ULL };
	struct rivet_domain_info b = a;

	/* Xen's uptime_to_string, long and short. */
	xl_uptime_string(0, 0, buf, sizeof buf);
	CHECK_STR(buf, " 0:00:00");
	xl_uptime_string(3 * 3600 + 4 * 60 + 5, 0, buf, sizeof buf);
	CHECK_STR(buf, " 3:04:05");
	xl_uptime_string(86400 + 3600 + 61, 0, buf, sizeof buf);
	CHECK_STR(buf, "1 day,  1:01:01");
	xl_uptime_string(2 * 86400 + 23 * 3600 + 59 * 60 + 59, 0, buf, sizeof buf);
	CHECK_STR(buf, "2 days, 23:59:59");
	xl_uptime_string(2 * 86400 + 23 * 3600 + 59 * 60 + 59, 1, buf, sizeof buf);
	CHECK_STR(buf, "2 days, 23:59");
	xl_uptime_string(59, 1, buf, sizeof buf);
	CHECK_STR(buf, " 0:00");

	/* JSON strings: quotes, backslashes, control bytes, UTF-8 kept, other bytes escaped. */
	json_of("web", buf, sizeof buf);
	CHECK_STR(buf, "\"web\"");
	json_of("a\"b\\c\nd\te\x01" "f\x7f", buf, sizeof buf);
	CHECK_STR(buf, "\"a\\\"b\\\\c\\nd\\te\\u0001f\\u007f\"");
	json_of("caf\xc3\xa9 \xe2\x82\xac", buf, sizeof buf);
	CHECK_STR(buf, "\"caf\xc3\xa9 \xe2\x82\xac\"");
	json_of("x\xff\xc3(\xc0\xaf\xed\xa0\x80", buf, sizeof buf);   /* bad, truncated, overlong, surrogate */
	CHECK_STR(buf, "\"x\\u00ff\\u00c3(\\u00c0\\u00af\\u00ed\\u00a0\\u0080\"");

	/* Names as the microvisor takes them. */
	CHECK_EQ(xl_name_check("web-2_a.b", why), 0);
	CHECK_EQ(xl_name_check("", why), -1);
	CHECK_EQ(xl_name_check("a b", why), -1);
	CHECK(strstr(why, "A-Z a-z 0-9 _ . -") != NULL);
	CHECK_EQ(xl_name_check("0123456789012345678901234567890", why), -1);   /* all digits */
	CHECK_EQ(xl_name_check("-web", why), -1);                              /* an option to xl */
	CHECK(strstr(why, "starts with '-'") != NULL);
	CHECK_EQ(xl_name_check("web-", why), 0);
	CHECK_EQ(xl_name_check("a123456789012345678901234567890", why), 0);    /* 31: fits */
	CHECK_EQ(xl_name_check("a1234567890123456789012345678901", why), -1);  /* 32: does not */
	CHECK(strstr(why, "longer than 31") != NULL);

	/* list -v: Xen's columns, '-' for what Rivet does not have; Xen's reason codes. */
	xl_list_verbose_row(&a, buf, sizeof buf);
	CHECK(strstr(buf, "web                                          3    64     2     r-----      10.0 ") == buf);
	CHECK(strstr(buf, "      10.0                                    -        -                -\n") != NULL);
	b.state = RIVET_DOMSTATE_SHUTDOWN;
	b.shutdown_reason = RIVET_SHUTDOWN_CRASH;
	xl_list_verbose_row(&b, buf, sizeof buf);
	CHECK(strstr(buf, "    ---sc-  ") != NULL);
	CHECK(strstr(buf, "-        3                -\n") != NULL);   /* Xen's SHUTDOWN_crash */
	b.shutdown_reason = RIVET_SHUTDOWN_REBOOT;
	xl_list_verbose_row(&b, buf, sizeof buf);
	CHECK(strstr(buf, "-        1                -\n") != NULL);

	/* top: xentop's letters and columns; CPU(%) from the deltas on the microvisor's clock. */
	b = a;
	xl_top_row(&a, NULL, 1 << 30, 1, 2, buf, sizeof buf);
	CHECK_STR(buf, "       web -----r         10    0.0      65536    6.2     131072      12.5     2    1    2\n");
	b.now_ns = a.now_ns + 4000000000ULL;
	b.cpu_time_ns = a.cpu_time_ns + 1000000000ULL;
	b.state = RIVET_DOMSTATE_PAUSED;
	xl_top_row(&b, &a, 1 << 30, 0, 0, buf, sizeof buf);
	CHECK(strstr(buf, "       web ----p-         11   25.0 ") == buf);
	b.start_ns = 99;   /* another life under the same id: no percentage */
	xl_top_row(&b, &a, 1 << 30, 0, 0, buf, sizeof buf);
	CHECK(strstr(buf, "   0.0 ") != NULL);
	CHECK_EQ(strlen(xl_top_header), strlen(buf));   /* the header lines up with the rows */
}

TEST(list_long_and_verbose)
{
	xc_handle *h = fake_xc();
	char out[16384], err[2048];
	char *create[] = { "create", "-q", (char *)path_of("web.cfg"), "extra=\"a\\\"b\"" };
	char *l[] = { "list", "-l" }, *lw[] = { "list", "web", "--long" }, *v[] = { "list", "-v" };
	char *lv[] = { "list", "-lv", "0" }, *bad[] = { "list", "-x" }, *lx[] = { "list", "-l", "nosuch" };
	char *plain[] = { "list", "web" }, *destroy[] = { "destroy", "-f", "web" };

	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 4, create), 0);
	CHECK_EQ(run_xl(h, xl_cmd_list_opts, out, sizeof out, err, sizeof err, 2, l), 0);
	CHECK(out[0] == '[' && strstr(out, "\n]\n") != NULL);
	CHECK(strstr(out, "        \"domid\": 0,\n        \"name\": \"Domain-0\",\n") != NULL);
	CHECK(strstr(out, "        \"domid\": 1,\n        \"name\": \"web\",\n        \"state\": \"r-----\",\n"
			  "        \"memory\": 64,\n        \"vcpus\": 2,\n") != NULL);
	CHECK(strstr(out, "\"max_memkb\": 65536,") != NULL);
	CHECK(strstr(out, "\"on_reboot\": \"restart\",") != NULL);
	CHECK(strstr(out, "\"overrides\": [\"extra=\\\"a\\\\\\\"b\\\"\"],") != NULL);   /* escaped whole */
	CHECK(strstr(out, "\"config_file\": \"/tmp/test_xl.") != NULL);
	CHECK(strstr(out, "    },\n    {\n") != NULL);   /* objects separated by commas */
	CHECK(strstr(out, "    }\n]\n") != NULL);        /* ... and none after the last */
	CHECK_EQ(run_xl(h, xl_cmd_list_opts, out, sizeof out, err, sizeof err, 3, lw), 0);
	CHECK(strstr(out, "Domain-0") == NULL && strstr(out, "\"name\": \"web\"") != NULL);
	CHECK_EQ(run_xl(h, xl_cmd_list_opts, out, sizeof out, err, sizeof err, 2, v), 0);
	CHECK(!strncmp(out, "Name                                        ID   Mem VCPUs\tState\tTime(s)"
			    "   UUID                            Reason-Code\tSecurity Label\n", 120));
	CHECK(strstr(out, "\nweb                                          1    64     2     r-----       0.0"
			  "                                    -        -                -\n") != NULL);
	CHECK_EQ(run_xl(h, xl_cmd_list_opts, out, sizeof out, err, sizeof err, 3, lv), 0);   /* -l wins */
	CHECK(out[0] == '[' && strstr(out, "\"name\": \"web\"") == NULL);
	CHECK_EQ(run_xl(h, xl_cmd_list_opts, out, sizeof out, err, sizeof err, 2, bad), 1);
	CHECK(strstr(err, "Usage: xl list") != NULL);
	CHECK_EQ(run_xl(h, xl_cmd_list_opts, out, sizeof out, err, sizeof err, 3, lx), 1);
	CHECK_STR(err, "xl: domain 'nosuch' does not exist\n");
	/* -Z, -c, -n: Xen's columns, in Xen's order; -v's label is the only one with -vZ. */
	char *zcn[] = { "list", "web", "-Zc", "--numa" }, *vz[] = { "list", "-vZ", "web" };
	CHECK_EQ(run_xl(h, xl_cmd_list_opts, out, sizeof out, err, sizeof err, 4, zcn), 0);
	CHECK_STR(out, "Name                                        ID   Mem VCPUs\tState\tTime(s)   Security Label"
		       "         Cpupool NODE Affinity\n"
		       "web                                          1    64     2     r-----       0.0"
		       "                -          Pool-0 all\n");
	CHECK_EQ(run_xl(h, xl_cmd_list_opts, out, sizeof out, err, sizeof err, 3, vz), 0);
	CHECK(strstr(out, "Security Label\n") != NULL && strstr(out, "-        -                -\n") != NULL);
	CHECK(strstr(out, "Security Label   Security Label") == NULL);
	CHECK_EQ(run_xl(h, xl_cmd_list_opts, out, sizeof out, err, sizeof err, 2, plain), 0);   /* as before */
	CHECK(!strncmp(out, xl_list_header, strlen(xl_list_header)) && strstr(out, "Domain-0") == NULL);
	CHECK_EQ(run_xl(h, xl_cmd_destroy_opts, out, sizeof out, err, sizeof err, 3, destroy), 0);
	CHECK_EQ(mv.d[1].used, 0);
	xc_close(h);
}

TEST(info_numa_dmesg_clear_uptime)
{
	xc_handle *h = fake_xc();
	char out[8192], err[2048];
	char *n[] = { "info", "-n" }, *nbad[] = { "info", "-x" }, *dm[] = { "dmesg" };
	char *dc[] = { "dmesg", "-c" }, *dcl[] = { "dmesg", "--clear" }, *dbad[] = { "dmesg", "-z" };
	char *create[] = { "create", "-q", (char *)path_of("web.cfg") };
	char *up[] = { "uptime" }, *ups[] = { "uptime", "-s", "web" }, *upx[] = { "uptime", "web", "x" };
	char *upbad[] = { "uptime", "-z" };

	CHECK_EQ(run_xl(h, xl_cmd_info_opts, out, sizeof out, err, sizeof err, 2, n), 0);
	CHECK(strstr(out, "nr_cpus                : 2\n") != NULL);
	CHECK(strstr(out, "cpu_topology           :\ncpu:    core    socket     node\n"
			  "  0:       0        0        0\n  1:       1        0        0\n") != NULL);
	CHECK(strstr(out, "numa_info              :\nnode:    memsize    memfree    distances\n"
			  "   0:      1024        512      10\n") != NULL);
	CHECK_EQ(run_xl(h, xl_cmd_info_opts, out, sizeof out, err, sizeof err, 1, n), 0);
	CHECK(strstr(out, "cpu_topology") == NULL);
	CHECK_EQ(run_xl(h, xl_cmd_info_opts, out, sizeof out, err, sizeof err, 2, nbad), 1);
	/* Xen's fields with Rivet's values, and xl info NAME: the values of the lines NAME starts. */
	CHECK_EQ(run_xl(h, xl_cmd_info_opts, out, sizeof out, err, sizeof err, 1, n), 0);
	CHECK(strstr(out, "\nnr_nodes               : 1\ncores_per_socket       : 2\nthreads_per_core       : 1\n") != NULL);
	CHECK(strstr(out, "\noutstanding_claims     : 0\nfree_cpus              : 0\n") != NULL);
	char *i1[] = { "info", "free_memory" }, *i2[] = { "info", "free" }, *i3[] = { "info", "nosuch" };
	CHECK_EQ(run_xl(h, xl_cmd_info_opts, out, sizeof out, err, sizeof err, 2, i1), 0);
	CHECK_STR(out, "512\n");
	CHECK_EQ(run_xl(h, xl_cmd_info_opts, out, sizeof out, err, sizeof err, 2, i2), 0);
	CHECK_STR(out, "512\n0\n");             /* free_memory, free_cpus */
	CHECK_EQ(run_xl(h, xl_cmd_info_opts, out, sizeof out, err, sizeof err, 2, i3), 0);
	CHECK_STR(out, "");

	/* dmesg -c prints, then drops exactly what it printed. */
	strcpy(mv.log, "(rivet) one\n(rivet) two\n");
	mv.log_len = strlen(mv.log);
	CHECK_EQ(run_xl(h, xl_cmd_dmesg_opts, out, sizeof out, err, sizeof err, 1, dm), 0);
	CHECK_STR(out, "(rivet) one\n(rivet) two\n");
	CHECK_EQ(mv.log_start, 0);   /* plain dmesg clears nothing */
	CHECK_EQ(run_xl(h, xl_cmd_dmesg_opts, out, sizeof out, err, sizeof err, 2, dc), 0);
	CHECK_STR(out, "(rivet) one\n(rivet) two\n");
	CHECK_EQ(mv.log_start, mv.log_len);
	strcat(mv.log, "(rivet) three\n");
	mv.log_len = strlen(mv.log);
	/* A line logged while dmesg -c runs (after its first read) is printed, not dropped unread. */
	mv.log_late = "(rivet) late\n";
	CHECK_EQ(run_xl(h, xl_cmd_dmesg_opts, out, sizeof out, err, sizeof err, 2, dcl), 0);
	CHECK_STR(out, "(rivet) three\n(rivet) late\n");
	CHECK_EQ(mv.log_start, mv.log_len);
	strcat(mv.log, "(rivet) three\n");
	mv.log_len = strlen(mv.log);
	CHECK_EQ(run_xl(h, xl_cmd_dmesg_opts, out, sizeof out, err, sizeof err, 2, dcl), 0);
	CHECK_STR(out, "(rivet) three\n");
	CHECK_EQ(run_xl(h, xl_cmd_dmesg_opts, out, sizeof out, err, sizeof err, 1, dm), 0);
	CHECK_STR(out, "");
	CHECK_EQ(run_xl(h, xl_cmd_dmesg_opts, out, sizeof out, err, sizeof err, 2, dbad), 1);
	mv.fail_fn = RIVET_HC_DMESG_READ;
	mv.fail_err = SBI_ERR_INVALID_PARAM;   /* an older microvisor's answer to the flag */
	CHECK_EQ(run_xl(h, xl_cmd_dmesg_opts, out, sizeof out, err, sizeof err, 2, dc), 1);
	CHECK(strstr(err, "xl: cannot read and clear the microvisor's log: ") == err);
	CHECK(strstr(err, "older than ABI 1.3") != NULL);
	mv.fail_err = 0;

	/* uptime: Xen's columns and format, from the microvisor's start and sample times. */
	mv.now_ns = 1000ULL * 1000000000ULL;
	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, create), 0);
	mv.now_ns += 86400ULL * 1000000000ULL + 3661ULL * 1000000000ULL;
	mv.d[0].info.start_ns = 1;   /* the microvisor's clock had run 1 ns when Dom0 was built */
	CHECK_EQ(run_xl(h, xl_cmd_uptime, out, sizeof out, err, sizeof err, 1, up), 0);
	CHECK_STR(out, "Name                                ID Uptime\n"
		       "Domain-0                             0 1 day,  1:17:40\n"
		       "web                                  1 1 day,  1:01:01\n");
	mv.d[1].info.start_ns = 0;   /* being freed: no start time, not listed */
	CHECK_EQ(run_xl(h, xl_cmd_uptime, out, sizeof out, err, sizeof err, 1, up), 0);
	CHECK(strstr(out, "web") == NULL && strstr(out, "Domain-0 ") != NULL);
	mv.d[1].info.start_ns = 1000ULL * 1000000000ULL;
	CHECK_EQ(run_xl(h, xl_cmd_uptime, out, sizeof out, err, sizeof err, 3, ups), 0);
	CHECK(out[0] == ' ' && out[3] == ':' && strstr(out, " up 1 day,  1:01, web (1)\n") == out + 9);
	CHECK_EQ(run_xl(h, xl_cmd_uptime, out, sizeof out, err, sizeof err, 3, upx), 1);
	CHECK_STR(out, "");   /* nothing printed before the unknown name is found out */
	CHECK_STR(err, "xl: domain 'x' does not exist\n");
	CHECK_EQ(run_xl(h, xl_cmd_uptime, out, sizeof out, err, sizeof err, 2, upbad), 1);
	char *ups2[] = { "uptime", "web", "-s" };   /* Xen's getopt: -s after the domain too */
	CHECK_EQ(run_xl(h, xl_cmd_uptime, out, sizeof out, err, sizeof err, 3, ups2), 0);
	CHECK(strstr(out, " up 1 day,  1:01, web (1)\n") == out + 9);
	mv.now_ns = 0;   /* an older microvisor: no times */
	for (unsigned i = 0; i < FDOMS; i++)
		mv.d[i].info.start_ns = 0;
	CHECK_EQ(run_xl(h, xl_cmd_uptime, out, sizeof out, err, sizeof err, 1, up), 1);
	CHECK(strstr(err, "older than ABI 1.3") != NULL);
	xc_close(h);
}

TEST(rename_domain)
{
	xc_handle *h = fake_xc();
	char out[4096], err[2048], why[REASON_MAX];
	char *create[] = { "create", "-q", (char *)path_of("web.cfg") };
	char *ok[] = { "rename", "web", "web2" }, *same[] = { "rename", "web2", "web2" };
	char *taken[] = { "rename", "web2", "Domain-0" }, *bad[] = { "rename", "web2", "a/b" };
	char *digits[] = { "rename", "1", "123" }, *dom0[] = { "rename", "0", "host" };
	char *none[] = { "rename", "nosuch", "x" }, *usage[] = { "rename", "web2" };
	struct xl_record rec;

	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, create), 0);
	CHECK_EQ(run_xl(h, xl_cmd_rename, out, sizeof out, err, sizeof err, 3, ok), 0);
	CHECK_STR(mv.d[1].info.name, "web2");
	xl_record_init(&rec);
	CHECK_EQ(xl_record_read(1, &rec, why), 0);
	CHECK_STR(rec.name, "web2");   /* xl and rivet-consoled follow the name */
	CHECK_EQ(rec.on_reboot, RIVET_ACTION_RESTART);   /* the rest of the record kept */
	CHECK_EQ(rec.nr_args, 1);                         /* a restart keeps the new name */
	CHECK_STR(rec.args[0], "name=web2");
	xl_record_free(&rec);
	{
		char *back[] = { "rename", "web2", "web3" }, *again[] = { "rename", "web3", "web2" };

		CHECK_EQ(run_xl(h, xl_cmd_rename, out, sizeof out, err, sizeof err, 3, back), 0);
		CHECK_EQ(run_xl(h, xl_cmd_rename, out, sizeof out, err, sizeof err, 3, again), 0);
		xl_record_init(&rec);
		CHECK_EQ(xl_record_read(1, &rec, why), 0);
		CHECK_EQ(rec.nr_args, 1);                 /* one name= override, the last one */
		CHECK_STR(rec.args[0], "name=web2");
		xl_record_free(&rec);
	}
	CHECK_EQ(run_xl(h, xl_cmd_rename, out, sizeof out, err, sizeof err, 3, same), 0);
	CHECK_EQ(mv.nr_renames, 3);   /* its own name: nothing to do */
	{
		/* A kept (shut-down, preserved) domain may be renamed, its record too; a dying one not. */
		char *kept[] = { "rename", "web2", "kept" }, *back[] = { "rename", "kept", "web2" };

		mv.d[1].info.state |= RIVET_DOMSTATE_SHUTDOWN;
		CHECK_EQ(run_xl(h, xl_cmd_rename, out, sizeof out, err, sizeof err, 3, kept), 0);
		CHECK_STR(err, "");
		CHECK_STR(mv.d[1].info.name, "kept");
		xl_record_init(&rec);
		CHECK_EQ(xl_record_read(1, &rec, why), 0);
		CHECK_STR(rec.name, "kept");
		xl_record_free(&rec);
		mv.d[1].info.state |= RIVET_DOMSTATE_DYING;
		CHECK_EQ(run_xl(h, xl_cmd_rename, out, sizeof out, err, sizeof err, 3, back), 1);
		CHECK(strstr(err, "been destroyed") != NULL);
		CHECK_STR(mv.d[1].info.name, "kept");   /* refused before the microvisor is asked */
		mv.d[1].info.state &= ~(RIVET_DOMSTATE_SHUTDOWN | RIVET_DOMSTATE_DYING);
		CHECK_EQ(run_xl(h, xl_cmd_rename, out, sizeof out, err, sizeof err, 3, back), 0);
		CHECK_EQ(mv.nr_renames, 5);
	}
	CHECK_EQ(run_xl(h, xl_cmd_rename, out, sizeof out, err, sizeof err, 3, taken), 1);
	CHECK_STR(err, "xl: rename: domain 'web2' (1): a domain of that name already exists\n");
	CHECK_STR(mv.d[1].info.name, "web2");
	mv.last_fn = 0;
	CHECK_EQ(run_xl(h, xl_cmd_rename, out, sizeof out, err, sizeof err, 3, bad), 1);
	CHECK(strstr(err, "xl: rename: 'a/b' has a character other than") == err);
	CHECK(mv.last_fn != RIVET_HC_DOMAIN_RENAME);   /* refused before the microvisor is asked */
	CHECK_EQ(run_xl(h, xl_cmd_rename, out, sizeof out, err, sizeof err, 3, digits), 1);
	CHECK(strstr(err, "all digits") != NULL);
	CHECK_EQ(run_xl(h, xl_cmd_rename, out, sizeof out, err, sizeof err, 3, dom0), 1);
	CHECK_STR(err, "xl: rename: domain 'Domain-0' (0): not allowed for Domain-0\n");
	CHECK_EQ(run_xl(h, xl_cmd_rename, out, sizeof out, err, sizeof err, 3, none), 1);
	CHECK_STR(err, "xl: domain 'nosuch' does not exist\n");
	CHECK_EQ(run_xl(h, xl_cmd_rename, out, sizeof out, err, sizeof err, 2, usage), 1);
	CHECK(strstr(err, "Usage: xl rename <Domain> <NewDomainName>") == err);
	xl_record_remove(1);
	xc_close(h);
}

TEST(top_batch_and_debug_keys)
{
	xc_handle *h = fake_xc();
	char out[8192], err[2048];
	char *top[] = { "top", "-b", "-d", "0", "-i", "2" }, *top1[] = { "top", "-b", "-i1", "-d0" };
	char *tbad[] = { "top", "-d" }, *tint0[] = { "top", "-d", "0" }, *ti0[] = { "top", "-b", "-i", "0" };
	char *dk[] = { "debug-keys", "qx" }, *dkh[] = { "debug-keys", "h" };
	char *dklong[] = { "debug-keys", "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq" }, *dkusage[] = { "debug-keys" };
	const char *second;

	mv.tick_ns = 1000000000ULL;          /* each getinfo: 1 s passes ... */
	mv.tick_cpu_ns = 250000000ULL;       /* ... and every domain ran 0.25 s of it */
	CHECK_EQ(run_xl(h, xl_cmd_top, out, sizeof out, err, sizeof err, 6, top), 0);
	CHECK(!strncmp(out, xl_top_header, strlen(xl_top_header)));
	second = strstr(out + 1, xl_top_header);
	CHECK(second != NULL);
	CHECK(strstr(out, "  Domain-0 -----r         12    0.0 ") != NULL);   /* first sample: 0 */
	/* Two getinfo rounds of 1 s each, 0.25 s of CPU each: 13 s now, 25 %. */
	CHECK(second && strstr(second, "  Domain-0 -----r         13   25.0     262144   25.0 ") != NULL);
	CHECK(strstr(out, "xentop") == NULL);   /* batch: no summary, as xentop */
	CHECK_EQ(run_xl(h, xl_cmd_top, out, sizeof out, err, sizeof err, 4, top1), 0);
	CHECK(strstr(out + 1, xl_top_header) == NULL);   /* one iteration */
	CHECK_EQ(run_xl(h, xl_cmd_top, out, sizeof out, err, sizeof err, 2, tbad), 1);
	CHECK_EQ(run_xl(h, xl_cmd_top, out, sizeof out, err, sizeof err, 3, tint0), 1);
	CHECK(strstr(err, "batch mode") != NULL);
	CHECK_EQ(run_xl(h, xl_cmd_top, out, sizeof out, err, sizeof err, 4, ti0), 1);

	CHECK_EQ(run_xl(h, xl_cmd_debug_keys, out, sizeof out, err, sizeof err, 2, dk), 0);
	CHECK_STR(mv.keys, "qx");
	CHECK(strstr(err, "1 of 2 debug keys unknown") != NULL);   /* said, not fatal */
	CHECK_EQ(run_xl(h, xl_cmd_debug_keys, out, sizeof out, err, sizeof err, 2, dkh), 0);
	CHECK_STR(err, "");
	CHECK_EQ(run_xl(h, xl_cmd_debug_keys, out, sizeof out, err, sizeof err, 2, dklong), 1);
	CHECK_EQ(mv.nr_debug_calls, 2);
	CHECK_EQ(run_xl(h, xl_cmd_debug_keys, out, sizeof out, err, sizeof err, 1, dkusage), 1);
	mv.fail_fn = RIVET_HC_DEBUG_KEYS;
	mv.fail_err = SBI_ERR_NOT_SUPPORTED;
	CHECK_EQ(run_xl(h, xl_cmd_debug_keys, out, sizeof out, err, sizeof err, 2, dkh), 1);
	CHECK(strstr(err, "xl: cannot send debug keys: h: ") == err);
	xc_close(h);
}

TEST(console_numbers)
{
	xc_handle *h = fake_xc();
	char out[4096], err[2048];
	char *create[] = { "create", "-q", (char *)path_of("web.cfg") };
	char *n1[] = { "console", "-n", "1", "web" }, *nx[] = { "console", "-n", "x", "web" };
	char *s1[] = { "console", "-t", "serial", "-n", "1", "web" };
	char *tbad[] = { "console", "-t", "hvc", "-n", "1", "web" }, *n0dom0[] = { "console", "-n", "1", "0" };
	char *nodom[] = { "console", "-n", "1" };

	CHECK_EQ(run_xl(h, xl_cmd_create, out, sizeof out, err, sizeof err, 3, create), 0);
	/* A domain without a virtio console has one PV console, 0. */
	CHECK_EQ(run_xl(h, xl_cmd_console_opts, out, sizeof out, err, sizeof err, 4, n1), 1);
	CHECK_STR(err, "xl: console: domain 'web' (1) has no PV console 1 (it has one: 0, its SBI console)\n");
	CHECK_EQ(run_xl(h, xl_cmd_console_opts, out, sizeof out, err, sizeof err, 4, nx), 1);
	CHECK(strstr(err, "xl: console: -n 'x': expected a console number") == err);
	char *joined[] = { "console", "web", "-n1" }, *tjoined[] = { "console", "-tserial", "web" };
	CHECK_EQ(run_xl(h, xl_cmd_console_opts, out, sizeof out, err, sizeof err, 3, joined), 1);
	CHECK_STR(err, "xl: console: domain 'web' (1) has no PV console 1 (it has one: 0, its SBI console)\n");
	CHECK_EQ(run_xl(h, xl_cmd_console_opts, out, sizeof out, err, sizeof err, 3, tjoined), 1);
	CHECK(strstr(err, "has no emulated serial console") != NULL);
	CHECK_EQ(run_xl(h, xl_cmd_console_opts, out, sizeof out, err, sizeof err, 6, s1), 1);
	CHECK(strstr(err, "one emulated serial console (0)") != NULL);
	CHECK_EQ(run_xl(h, xl_cmd_console_opts, out, sizeof out, err, sizeof err, 6, tbad), 1);
	CHECK_STR(err, "xl: console: -t 'hvc': expected pv or serial\n");
	CHECK_EQ(run_xl(h, xl_cmd_console_opts, out, sizeof out, err, sizeof err, 4, n0dom0), 1);
	CHECK(strstr(err, "Domain-0's console is this one") != NULL);
	CHECK_EQ(run_xl(h, xl_cmd_console_opts, out, sizeof out, err, sizeof err, 3, nodom), 1);
	CHECK(strstr(err, "Usage: xl console") == err);
	xl_record_remove(1);
	xc_close(h);
}

int main(void)
{
	check_suite = "xl";
	setup_files();
	RUN(list_rows);
	RUN(vcpu_rows_and_masks);
	RUN(domain_lookup);
	RUN(record_format);
	RUN(record_long_strings);
	RUN(create_args);
	RUN(plan);
	RUN(plan_overrides);
	RUN(plan_errors);
	RUN(create_runs_the_plan);
	RUN(create_failure_destroys);
	RUN(create_paused_and_verbose);
	RUN(shutdown_all_and_options);
	RUN(list_destroy_and_friends);
	RUN(create_each_call_fails_in_turn);
	RUN(create_checks_before_creating);
	RUN(dm_argv);
	RUN(dm_ready_line);
	RUN(dm_cmdline);
	RUN(record_devices);
	RUN(block_rows);
	RUN(vif_rows_and_macs);
	RUN(disk_check);
	RUN(create_with_device_model);
	RUN(mem_set_and_max);
	RUN(create_with_a_virtio_console);
	RUN(create_refuses_bad_disks_first);
	RUN(sched_credit2_and_rtds);
	RUN(create_applies_scheduling_keys);
	RUN(maxvcpus_and_vcpu_set);
	RUN(vcpu_set_kept_for_restart);
	RUN(combined_override_recorded_one_setting_each);
	RUN(record_update_locked);
	RUN(dump_core_partial_then_rename);
	RUN(record_set_arg);
	RUN(new_pure_helpers);
	RUN(list_long_and_verbose);
	RUN(info_numa_dmesg_clear_uptime);
	RUN(rename_domain);
	RUN(top_batch_and_debug_keys);
	RUN(console_numbers);
	mv_reset();
	if (!check_failed_total) {
		char cmd[128];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("note: could not remove %s\n", dir);
	}
	return CHECK_DONE();
}
