/* SPDX-License-Identifier: MIT */
/* xl_util.c: xl's output rows, state letters, and domain lookup by name or id. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xl.h"

void xl_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("xl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void xl_state_letters(const struct rivet_domain_info *info, char out[7])
{
	/*
	 * As Xen's xl list prints them: 's' for any shutdown, and in the fifth
	 * column the shutdown reason's letter (Xen's "-rscwS": '-' poweroff,
	 * 'r' reboot, 'c' crash, 'w' watchdog), so a crashed domain is "---sc-".
	 */
	uint32_t s = info->state;
	int shut = (s & RIVET_DOMSTATE_SHUTDOWN) != 0;
	char reason = '-';

	if (shut)
		reason = info->shutdown_reason == RIVET_SHUTDOWN_REBOOT ? 'r' :
			 info->shutdown_reason == RIVET_SHUTDOWN_CRASH ? 'c' :
			 info->shutdown_reason == RIVET_SHUTDOWN_WATCHDOG ? 'w' : '-';
	out[0] = (s & RIVET_DOMSTATE_RUNNING) ? 'r' : '-';
	out[1] = (s & RIVET_DOMSTATE_BLOCKED) ? 'b' : '-';
	out[2] = (s & RIVET_DOMSTATE_PAUSED) ? 'p' : '-';
	out[3] = shut ? 's' : '-';
	out[4] = reason;
	out[5] = (s & RIVET_DOMSTATE_DYING) ? 'd' : '-';
	out[6] = '\0';
}

const char xl_list_header[] =
	"Name                                        ID   Mem VCPUs\tState\tTime(s)\n";

uint32_t xl_vcpus_online(const struct rivet_domain_info *info)
{
	/*
	 * Those it may run (a guest still booting has not started them all
	 * yet), or those it runs while it has not yet offlined the ones past a
	 * lowered count.
	 */
	uint32_t avail = info->avail_vcpus ? info->avail_vcpus : info->nr_vcpus;
	return info->nr_online_vcpus > avail ? info->nr_online_vcpus : avail;
}

int xl_list_row(const struct rivet_domain_info *info, char *buf, size_t size)
{
	char st[7];

	xl_state_letters(info, st);
	return snprintf(buf, size, "%-40s %5u %5lu %5u     %c%c%c%c%c%c  %8.1f\n", info->name,
			info->domid, (unsigned long)(info->mem_bytes >> 20), xl_vcpus_online(info),
			st[0], st[1], st[2], st[3], st[4], st[5],
			(double)info->cpu_time_ns / 1e9);
}

/*
 * Xen's vcpu-list columns, exactly as its xl prints them (the row's CPU
 * follows VCPU without a blank, and the header does not quite line up).
 * Rivet has no soft affinity: it is "all", no preference.
 */
const char xl_vcpu_header[] =
	"Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)\n";

int xl_vcpu_row(const char *name, uint32_t domid, uint32_t vcpu,
		const struct rivet_vcpu_info *vi, char *buf, size_t size)
{
	static const char *const states[] = { "--p", "r--", "---", "-b-" };
	char cpu[16], aff[160];

	if (vi->state == 0)
		snprintf(cpu, sizeof cpu, "-");
	else
		snprintf(cpu, sizeof cpu, "%u", vi->hart);
	xl_mask_string(vi->affinity, aff, sizeof aff);
	return snprintf(buf, size, "%-32s %5u %5u%5s   %-3s %9.1f  %s / all\n", name, domid, vcpu, cpu,
			vi->state < 4 ? states[vi->state] : "???", (double)vi->cpu_time_ns / 1e9, aff);
}

void xl_mask_string(uint64_t mask, char *buf, size_t size)
{
	size_t n = 0;
	int i = 0;

	if (!size)
		return;
	buf[0] = '\0';
	if (mask == 0 || mask == UINT64_MAX) {
		snprintf(buf, size, "all");
		return;
	}
	while (i < 64) {
		int j;

		if (!(mask >> i & 1)) {
			i++;
			continue;
		}
		for (j = i; j + 1 < 64 && (mask >> (j + 1) & 1); j++)
			;
		if (n < size)
			n += (size_t)snprintf(buf + n, size - n, n ? ",%d" : "%d", i);
		if (j > i && n < size)
			n += (size_t)snprintf(buf + n, size - n, "-%d", j);
		i = j + 1;
	}
}

int xl_domains_get(xc_handle *h, struct xl_domains *out)
{
	struct rivet_domain_info info;
	uint32_t next = 0;
	unsigned cap = 0;
	int r;

	out->v = NULL;
	out->n = 0;
	while ((r = xc_domain_getinfo(h, next, &info)) == 0) {
		if (out->n == cap) {
			struct rivet_domain_info *v;

			cap = cap ? cap * 2 : 16;
			v = realloc(out->v, cap * sizeof *v);
			if (!v) {
				xl_domains_free(out);
				return XC_ENOMEM;
			}
			out->v = v;
		}
		out->v[out->n++] = info;
		if (info.domid >= RIVET_DOMID_SELF)
			break;
		next = info.domid + 1;
	}
	if (r != 0 && r != XC_ENODOMAIN) {
		xl_domains_free(out);
		return r;
	}
	return 0;
}

void xl_domains_free(struct xl_domains *d)
{
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

int xl_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		uint64_t d = (uint64_t)(*s - '0');
		/* n * 10 + d <= max, without wrapping (d > max first: max - d would wrap). */
		if (d > max || n > (max - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*out = n;
	return 0;
}

int xl_domains_find(const struct xl_domains *d, const char *spec)
{
	uint64_t id;
	unsigned i;

	if (xl_parse_uint(spec, UINT32_MAX, &id) == 0) {
		for (i = 0; i < d->n; i++)
			if (d->v[i].domid == id)
				return (int)i;
		return -1;
	}
	for (i = 0; i < d->n; i++)
		if (!strncmp(d->v[i].name, spec, RIVET_NAME_MAX) && strlen(spec) < RIVET_NAME_MAX)
			return (int)i;
	return -1;
}
