// SPDX-License-Identifier: MIT
/* dm_args.c: rivet-dm's command line (dm_args.h). */
#include "dm_args.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hypercall.h"

int dm_parse_u64(const char *s, uint64_t *v)
{
	unsigned base = 10;
	uint64_t x = 0;

	if (!s || !*s)
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return -1;
	}
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -1;
		if (x > (UINT64_MAX - d) / base)
			return -1;
		x = x * base + d;
	}
	*v = x;
	return 0;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n >= RIVET_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return 0;
	return 1;
}

enum { O_DOMID, O_NAME, O_VCPUS, O_RAMBASE, O_RAMSIZE, O_SERIAL, O_READY, O_LOG, O_FG, O_TRACE, O_CONSOLE,
       O_INSTANCE, O_RESUME, O_STATE, O_NR };

int dm_args_parse(int argc, char **argv, struct dm_args *a, char *err, size_t errlen)
{
	static const char *const names[O_NR] = {
		"--domid", "--name", "--vcpus", "--ram-base", "--ram-size", "--serial",
		"--ready-fd", "--log", "--foreground", "--trace", "--console", "--instance",
		"--resume", "--state",
	};
	int seen[O_NR] = { 0 };

	memset(a, 0, sizeof *a);
	a->ready_fd = -1;
	if (errlen)
		err[0] = 0;

	/* --ready-fd first, so that every later error can be reported there. */
	for (int i = 1; i + 1 < argc; i++) {
		uint64_t v;
		if (!strcmp(argv[i], "--ready-fd") && dm_parse_u64(argv[i + 1], &v) == 0 &&
		    v <= 0x7fffffff) {
			a->ready_fd = (int)v;
			break;
		}
	}

	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		int o;
		uint64_t v = 0;

		if (!strcmp(opt, "--disk")) {
			const char *arg = i + 1 < argc ? argv[++i] : NULL;
			if (!arg)
				return fail(err, errlen, "--disk needs rw:PATH or ro:PATH");
			if (a->nr_disks >= DM_MAX_DISKS)
				return fail(err, errlen, "more than %d disks", DM_MAX_DISKS);
			int ro = !strncmp(arg, "ro:", 3);
			if (!ro && strncmp(arg, "rw:", 3))
				return fail(err, errlen, "--disk %s: expected rw:PATH or ro:PATH", arg);
			if (!arg[3])
				return fail(err, errlen, "--disk %s: empty path", arg);
			a->disk[a->nr_disks].path = arg + 3;
			a->disk[a->nr_disks].readonly = ro;
			a->nr_disks++;
			continue;
		}
		for (o = 0; o < O_NR && strcmp(opt, names[o]); o++)
			;
		if (o == O_NR)
			return fail(err, errlen, "unknown argument '%s'", opt);
		if (seen[o]++)
			return fail(err, errlen, "%s given twice", opt);
		if (o == O_SERIAL) {
			a->serial = 1;
			continue;
		}
		if (o == O_FG) {
			a->foreground = 1;
			continue;
		}
		if (o == O_TRACE) {
			a->trace = 1;
			continue;
		}
		if (o == O_CONSOLE) {
			a->console = 1;
			continue;
		}
		if (o == O_RESUME) {
			a->resume = 1;
			continue;
		}
		if (i + 1 >= argc)
			return fail(err, errlen, "%s needs a value", opt);
		const char *val = argv[++i];
		if (o == O_NAME) {
			if (!name_ok(val))
				return fail(err, errlen, "--name '%s': 1-31 of [A-Za-z0-9_.-]", val);
			a->name = val;
			continue;
		}
		if (o == O_LOG || o == O_STATE) {
			if (!*val)
				return fail(err, errlen, "%s: empty path", opt);
			*(o == O_LOG ? &a->log : &a->state) = val;
			continue;
		}
		if (dm_parse_u64(val, &v) < 0)
			return fail(err, errlen, "%s '%s': not a number", opt, val);
		switch (o) {
		case O_DOMID:
			if (v == 0 || v >= RIVET_DOMID_SELF)
				return fail(err, errlen, "--domid %s: not a DomU id", val);
			a->domid = (uint32_t)v;
			break;
		case O_VCPUS:
			if (v < 1 || v > DM_MAX_VCPUS)
				return fail(err, errlen, "--vcpus %s: 1 to %d", val, DM_MAX_VCPUS);
			a->vcpus = (unsigned)v;
			break;
		case O_RAMBASE:
			if (v & 0xfff)
				return fail(err, errlen, "--ram-base %s: not 4 KiB-aligned", val);
			a->ram_base = v;
			break;
		case O_RAMSIZE:
			if (v == 0 || (v & 0xfff))
				return fail(err, errlen, "--ram-size %s: not a positive multiple of 4 KiB",
					    val);
			a->ram_size = v;
			break;
		case O_INSTANCE:
			a->instance = v;
			break;
		case O_READY:
			if (v > 0x7fffffff)
				return fail(err, errlen, "--ready-fd %s: out of range", val);
			a->ready_fd = (int)v;
			break;
		}
	}
	static const int required[] = { O_DOMID, O_NAME, O_VCPUS, O_RAMBASE, O_RAMSIZE, O_READY };
	for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
		if (!seen[required[k]])
			return fail(err, errlen, "%s is missing", names[required[k]]);
	if (a->console && a->nr_disks + 1 > DM_ARGS_VIRTIO_SLOTS)
		return fail(err, errlen, "--console: no virtio slot left after %u disks", a->nr_disks);
	if (a->ram_base + a->ram_size - 1 < a->ram_base)
		return fail(err, errlen, "RAM %#llx + %#llx wraps", (unsigned long long)a->ram_base,
			    (unsigned long long)a->ram_size);
	if (a->ram_base < DM_ARGS_MMIO_HI && a->ram_base + a->ram_size > DM_ARGS_MMIO_LO)
		return fail(err, errlen, "RAM %#llx + %#llx overlaps the emulated devices",
			    (unsigned long long)a->ram_base, (unsigned long long)a->ram_size);
	return 0;
}
