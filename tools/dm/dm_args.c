// SPDX-License-Identifier: MIT
/* dm_args.c: rivet-dm's command line (dm_args.h). */
#include "dm_args.h"
#include "dm_state.h"

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

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int dm_parse_mac(const char *s, uint8_t mac[6], char *why, size_t whylen)
{
	for (unsigned i = 0; i < 6; i++) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
		if (lo < 0 || (i < 5 ? s[2] != ':' : s[2] != '\0')) {
			snprintf(why, whylen, "not six colon-separated hex pairs like 00:16:3e:12:34:56");
			return -1;
		}
		mac[i] = (uint8_t)(hi << 4 | lo);
		s += 3;
	}
	if (mac[0] & 1) {
		snprintf(why, whylen, "a multicast address (the first byte is odd)");
		return -1;
	}
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5])) {
		snprintf(why, whylen, "all zeroes");
		return -1;
	}
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

/* --nic tap=NAME,mac=MAC[,offload=on|off], keys in any order. */
static int parse_nic(struct dm_args *a, const char *arg, char *err, size_t errlen)
{
	struct dm_nic_arg *n;
	char why[96];
	int have_mac = 0;

	if (!arg)
		return fail(err, errlen, "--nic needs tap=NAME,mac=MAC");
	if (a->nr_disks + a->nr_nics >= DM_MAX_DEVICES)
		return fail(err, errlen, "more than %d devices (disks and NICs)", DM_MAX_DEVICES);
	n = &a->nic[a->nr_nics];
	memset(n, 0, sizeof *n);
	n->offload = 1;
	for (const char *p = arg; *p;) {
		const char *end = strchr(p, ','), *eq;
		size_t len;
		if (!end)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (!eq)
			return fail(err, errlen, "--nic %s: '%.*s' is not KEY=VALUE", arg, (int)(end - p), p);
		len = (size_t)(end - eq - 1);
		if (eq - p == 3 && !strncmp(p, "tap", 3)) {
			if (len < 1 || len > DM_TAP_NAME_MAX || memchr(eq + 1, '/', len))
				return fail(err, errlen, "--nic %s: tap name of 1-%d characters", arg,
					    DM_TAP_NAME_MAX);
			memcpy(n->tap, eq + 1, len);
			n->tap[len] = 0;
		} else if (eq - p == 3 && !strncmp(p, "mac", 3)) {
			char mac[24];
			if (len >= sizeof mac)
				len = sizeof mac - 1;
			memcpy(mac, eq + 1, len);
			mac[len] = 0;
			if (dm_parse_mac(mac, n->mac, why, sizeof why) < 0)
				return fail(err, errlen, "--nic %s: mac: %s", arg, why);
			have_mac = 1;
		} else if (eq - p == 7 && !strncmp(p, "offload", 7)) {
			if (len == 2 && !strncmp(eq + 1, "on", 2))
				n->offload = 1;
			else if (len == 3 && !strncmp(eq + 1, "off", 3))
				n->offload = 0;
			else
				return fail(err, errlen, "--nic %s: offload is on or off", arg);
		} else {
			return fail(err, errlen, "--nic %s: unknown key '%.*s'", arg, (int)(eq - p), p);
		}
		p = *end ? end + 1 : end;
	}
	if (!n->tap[0] || !have_mac)
		return fail(err, errlen, "--nic %s: needs tap=NAME and mac=MAC", arg);
	a->nr_nics++;
	return 0;
}

enum { O_DOMID, O_NAME, O_VCPUS, O_RAMBASE, O_RAMSIZE, O_SERIAL, O_READY, O_LOG, O_FG, O_TRACE, O_CONSOLE,
       O_INSTANCE, O_RESUME, O_STATE, O_MEMTARGET, O_NR };

int dm_args_parse(int argc, char **argv, struct dm_args *a, char *err, size_t errlen)
{
	static const char *const names[O_NR] = {
		"--domid", "--name", "--vcpus", "--ram-base", "--ram-size", "--serial",
		"--ready-fd", "--log", "--foreground", "--trace", "--console", "--instance",
		"--resume", "--state", "--mem-target",
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
			if (a->nr_disks + a->nr_nics >= DM_MAX_DEVICES)
				return fail(err, errlen, "more than %d devices (disks and NICs)", DM_MAX_DEVICES);
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
		if (!strcmp(opt, "--nic")) {
			if (parse_nic(a, i + 1 < argc ? argv[++i] : NULL, err, errlen) < 0)
				return -1;
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
			if (v > DM_STATE_MAX_RAM)
				return fail(err, errlen, "--ram-size %s: more than %llu GiB, the most whose "
					    "balloon map the state file holds", val,
					    (unsigned long long)(DM_STATE_MAX_RAM >> 30));
			a->ram_size = v;
			break;
		case O_INSTANCE:
			a->instance = v;
			break;
		case O_MEMTARGET:
			if (v == 0 || (v & 0xfff))
				return fail(err, errlen, "--mem-target %s: not a positive multiple of 4 KiB",
					    val);
			a->mem_target = v;
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
	if (a->console && a->nr_disks + a->nr_nics + 1 > DM_MAX_DEVICES)
		return fail(err, errlen, "--console: no virtio slot left after %u disks and %u NICs",
			    a->nr_disks, a->nr_nics);
	if (!a->mem_target)
		a->mem_target = a->ram_size;
	if (a->mem_target > a->ram_size)
		return fail(err, errlen, "--mem-target %#llx: more than the RAM (%#llx)",
			    (unsigned long long)a->mem_target, (unsigned long long)a->ram_size);
	if (a->ram_size / 4096 > UINT32_MAX)
		return fail(err, errlen, "--ram-size %#llx: the balloon counts at most 2^32 pages",
			    (unsigned long long)a->ram_size);
	if (a->ram_base + a->ram_size - 1 < a->ram_base)
		return fail(err, errlen, "RAM %#llx + %#llx wraps", (unsigned long long)a->ram_base,
			    (unsigned long long)a->ram_size);
	if (a->ram_base < DM_ARGS_MMIO_HI && a->ram_base + a->ram_size > DM_ARGS_MMIO_LO)
		return fail(err, errlen, "RAM %#llx + %#llx overlaps the emulated devices",
			    (unsigned long long)a->ram_base, (unsigned long long)a->ram_size);
	return 0;
}
