/* SPDX-License-Identifier: MIT */
/*
 * xl_info_cmds.c: Xen's xl commands and options added after the first set:
 * list -l / -v, info -n, dmesg -c, uptime, rename, destroy -f, console -n,
 * top and debug-keys, with Xen's arguments, output and exit codes
 * (docs/xl.md says where Rivet differs). The plain forms of list, info,
 * dmesg, destroy and console stay xl_cmds.c's; these parse the new options
 * and hand the rest on.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "xl.h"

#define NS_PER_SEC 1000000000ULL

static int usage_of(const char *name)
{
	return xl_usage(xl_command_find(name));
}

/* Finds SPEC among DS; says Xen's error when it is not there. */
static int find_in(const struct xl_domains *ds, const char *spec)
{
	int i = xl_domains_find(ds, spec);

	if (i < 0)
		xl_err("domain '%s' does not exist", spec);
	return i;
}

static int get_domains(xc_handle *h, struct xl_domains *ds)
{
	int r = xl_domains_get(h, ds);

	if (r < 0)
		xl_err("cannot list domains: %s", xc_strerror(r));
	return r;
}

/* ---- pure helpers (xl.h) ---- */

int xl_name_check(const char *name, char *why)
{
	size_t n = strlen(name), i;

	if (!n)
		return reason_set(why, "a domain name must not be empty");
	if (n > RIVET_NAME_LEN - 1)
		return reason_set(why, "'%.40s' is longer than %d characters", name, RIVET_NAME_LEN - 1);
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return reason_set(why, "'%.40s' has a character other than A-Z a-z 0-9 _ . -", name);
	}
	/* xl takes an all-digit argument for an id: such a name could never be named. */
	if (strspn(name, "0123456789") == n)
		return reason_set(why, "'%.40s' is all digits (it would read as a domain id)", name);
	if (*name == '-')
		return reason_set(why, "'%.40s' starts with '-' (it would read as an option)", name);
	return 0;
}

/* The length of a valid UTF-8 sequence at S (of up to N bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void xl_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	fputc('"', f);
	while (n) {
		size_t k = utf8_len(p, n);

		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else if (k)
			fwrite(p, 1, k, f);
		else
			/* Not UTF-8 (a path may hold any byte): the byte as its Latin-1 code point. */
			fprintf(f, "\\u%04x", *p);
		if (!k)
			k = 1;
		p += k;
		n -= k;
	}
	fputc('"', f);
}

void xl_uptime_string(uint64_t secs, int short_mode, char *buf, size_t size)
{
	unsigned long long day = secs / 86400, hour = secs % 86400 / 3600, min = secs % 3600 / 60,
			   sec = secs % 60;
	const char *days = day > 1 ? " days, " : day == 1 ? " day, " : NULL;

	/* Xen's uptime_to_string: "N days, hh:mm:ss", hours padded to two columns. */
	if (days && short_mode)
		snprintf(buf, size, "%llu%s%2llu:%02llu", day, days, hour, min);
	else if (days)
		snprintf(buf, size, "%llu%s%2llu:%02llu:%02llu", day, days, hour, min, sec);
	else if (short_mode)
		snprintf(buf, size, "%2llu:%02llu", hour, min);
	else
		snprintf(buf, size, "%2llu:%02llu:%02llu", hour, min, sec);
}

/* Xen's shutdown codes (SHUTDOWN_* of xen/sched.h), for list -v's Reason-Code. */
#define XEN_SHUTDOWN_POWEROFF 0
#define XEN_SHUTDOWN_REBOOT   1
#define XEN_SHUTDOWN_CRASH    3
#define XEN_SHUTDOWN_WATCHDOG 4

static unsigned xen_reason_code(uint32_t reason)
{
	return reason == RIVET_SHUTDOWN_REBOOT ? XEN_SHUTDOWN_REBOOT :
	       reason == RIVET_SHUTDOWN_CRASH ? XEN_SHUTDOWN_CRASH :
	       reason == RIVET_SHUTDOWN_WATCHDOG ? XEN_SHUTDOWN_WATCHDOG : XEN_SHUTDOWN_POWEROFF;
}

const char xl_list_verbose_extra[] = "   UUID                            Reason-Code\tSecurity Label";

int xl_list_verbose_row(const struct rivet_domain_info *info, char *buf, size_t size)
{
	char row[256], code[16];
	size_t n;

	xl_list_row(info, row, sizeof row);
	n = strlen(row);
	if (n && row[n - 1] == '\n')
		row[n - 1] = '\0';
	if (info->state & RIVET_DOMSTATE_SHUTDOWN)
		snprintf(code, sizeof code, "%8x", xen_reason_code(info->shutdown_reason));
	else
		snprintf(code, sizeof code, "%8s", "-");
	/* No UUID and no security label in Rivet: '-' where Xen prints them, columns kept. */
	return snprintf(buf, size, "%s %36s %s %16s\n", row, "-", code, "-");
}

/* xentop's state letters, its order: dying, shutdown, blocked, crashed, paused, running. */
void xl_top_state(const struct rivet_domain_info *info, char out[7])
{
	char st[7];

	xl_state_letters(info, st);   /* r b p s <reason> d */
	out[0] = st[5];
	out[1] = st[3];
	out[2] = st[1];
	out[3] = st[4] == 'c' ? 'c' : '-';   /* xentop's crashed: shut down by a crash */
	out[4] = st[2];
	out[5] = st[0];
	out[6] = '\0';
}

const char xl_top_header[] =
	"      NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) MAXMEM(%) VCPUS NETS VBDS\n";

int xl_top_row(const struct rivet_domain_info *now, const struct rivet_domain_info *prev,
	       uint64_t total_bytes, unsigned nets, unsigned vbds, char *buf, size_t size)
{
	char st[7];
	double pct = 0.0;

	xl_top_state(now, st);
	/* As xentop: no previous sample (or another life under this id), no percentage. */
	if (prev && prev->domid == now->domid && prev->start_ns == now->start_ns &&
	    now->now_ns > prev->now_ns && now->cpu_time_ns >= prev->cpu_time_ns)
		pct = (double)(now->cpu_time_ns - prev->cpu_time_ns) * 100.0 /
		      (double)(now->now_ns - prev->now_ns);
	return snprintf(buf, size, "%10.10s %6s %10llu %6.1f %10llu %6.1f %10llu %9.1f %5u %4u %4u\n",
			now->name, st, (unsigned long long)(now->cpu_time_ns / NS_PER_SEC), pct,
			(unsigned long long)(now->mem_bytes >> 10),
			total_bytes ? (double)now->mem_bytes * 100.0 / (double)total_bytes : 0.0,
			(unsigned long long)(now->max_bytes >> 10),
			total_bytes ? (double)now->max_bytes * 100.0 / (double)total_bytes : 0.0,
			now->nr_vcpus, nets, vbds);
}

/* ---- list -l / -v ---- */

static void json_indent(FILE *f, int depth)
{
	while (depth-- > 0)
		fputs("    ", f);
}

static void json_key(FILE *f, int depth, const char *key)
{
	json_indent(f, depth);
	xl_json_string(f, key);
	fputs(": ", f);
}

/* One domain as Xen's list -l shows it: {"domid": N, "config": {libxl's c_info, b_info, ...}}. */
static void list_long_one(FILE *f, const struct rivet_domain_info *in, int last)
{
	struct rivet_domain_info info;
	struct xl_record *rec = malloc(sizeof *rec);
	int has = 0;
	char st[7], mac[18];
	unsigned i;

	xl_effective_info(in, &info);
	if (rec)
		has = xl_record_of(&info, rec);
	xl_state_letters(&info, st);
	fputs("    {\n", f);
	json_key(f, 2, "domid");
	fprintf(f, "%u,\n", info.domid);
	json_key(f, 2, "name");
	xl_json_string(f, info.name);
	fputs(",\n", f);
	json_key(f, 2, "state");
	xl_json_string(f, st);
	fputs(",\n", f);
	json_key(f, 2, "memory");   /* populated, MiB as xl list's Mem */
	fprintf(f, "%llu,\n", (unsigned long long)(info.mem_bytes >> 20));
	json_key(f, 2, "vcpus");
	fprintf(f, "%u,\n", info.nr_vcpus);
	json_key(f, 2, "online_vcpus");
	fprintf(f, "%u,\n", info.nr_online_vcpus);
	json_key(f, 2, "cpu_time");
	fprintf(f, "%.3f,\n", (double)info.cpu_time_ns / 1e9);
	json_key(f, 2, "uptime");
	if (info.start_ns && info.now_ns >= info.start_ns)
		fprintf(f, "%.3f,\n", (double)(info.now_ns - info.start_ns) / 1e9);
	else
		fputs("null,\n", f);
	json_key(f, 2, "config");
	fputs("{\n", f);
	json_key(f, 3, "c_info");
	fputs("{\n", f);
	json_key(f, 4, "name");
	xl_json_string(f, info.name);
	fputs("\n", f);
	json_indent(f, 3);
	fputs("},\n", f);
	json_key(f, 3, "b_info");
	fprintf(f, "{\n");
	json_key(f, 4, "max_vcpus");
	fprintf(f, "%u,\n", info.nr_vcpus);
	json_key(f, 4, "max_memkb");
	fprintf(f, "%llu,\n", (unsigned long long)(info.max_bytes >> 10));
	json_key(f, 4, "target_memkb");
	fprintf(f, "%llu\n", (unsigned long long)(info.mem_bytes >> 10));
	json_indent(f, 3);
	fputs(has ? "},\n" : "}\n", f);
	if (has) {
		json_key(f, 3, "disks");
		fputs("[", f);
		for (i = 0; i < rec->nr_disks; i++) {
			fputs(i ? ",\n" : "\n", f);
			json_indent(f, 4);
			fputs("{ \"vdev\": ", f);
			xl_json_string(f, rec->disks[i].vdev);
			fputs(", \"pdev_path\": ", f);
			xl_json_string(f, rec->disks[i].path ? rec->disks[i].path : "");
			fprintf(f, ", \"readwrite\": %d }", !rec->disks[i].readonly);
		}
		if (rec->nr_disks) {
			fputs("\n", f);
			json_indent(f, 3);
		}
		fputs("],\n", f);
		json_key(f, 3, "nics");
		fputs("[", f);
		for (i = 0; i < rec->nr_vifs; i++) {
			xl_vif_mac_string(rec->vifs[i].mac, mac);
			fputs(i ? ",\n" : "\n", f);
			json_indent(f, 4);
			fprintf(f, "{ \"devid\": %u, \"mac\": ", rec->vifs[i].devid);
			xl_json_string(f, mac);
			fputs(", \"bridge\": ", f);
			xl_json_string(f, rec->vifs[i].bridge);
			fputs(", \"ifname\": ", f);
			xl_json_string(f, rec->vifs[i].tap);
			fputs(" }", f);
		}
		if (rec->nr_vifs) {
			fputs("\n", f);
			json_indent(f, 3);
		}
		fputs("],\n", f);
		json_key(f, 3, "on_poweroff");
		xl_json_string(f, xl_action_name(rec->on_poweroff));
		fputs(",\n", f);
		json_key(f, 3, "on_reboot");
		xl_json_string(f, xl_action_name(rec->on_reboot));
		fputs(",\n", f);
		json_key(f, 3, "on_crash");
		xl_json_string(f, xl_action_name(rec->on_crash));
		fputs(",\n", f);
		json_key(f, 3, "on_watchdog");
		xl_json_string(f, xl_action_name(rec->on_watchdog));
		fputs(",\n", f);
		/* Rivet's own: what xl create was given, as the record keeps it. */
		json_key(f, 3, "rivet");
		fputs("{\n", f);
		json_key(f, 4, "config_file");
		xl_json_string(f, rec->config ? rec->config : "");
		fputs(",\n", f);
		json_key(f, 4, "overrides");
		fputs("[", f);
		for (i = 0; i < rec->nr_args; i++) {
			fputs(i ? ", " : "", f);
			xl_json_string(f, rec->args[i]);
		}
		fputs("],\n", f);
		json_key(f, 4, "serial");
		fprintf(f, "%s,\n", rec->serial ? "true" : "false");
		json_key(f, 4, "virtio_console");
		fprintf(f, "%s,\n", rec->vconsole ? "true" : "false");
		json_key(f, 4, "device_model_pid");
		if (rec->dm_pid > 0)
			fprintf(f, "%d\n", rec->dm_pid);
		else
			fputs("null\n", f);
		json_indent(f, 3);
		fputs("}\n", f);
	}
	json_indent(f, 2);
	fputs("}\n", f);
	fputs(last ? "    }\n" : "    },\n", f);
	if (rec) {
		xl_record_free(rec);
		free(rec);
	}
}

void xl_list_header_opts(unsigned opts, char *buf, size_t size)
{
	/* Xen's list_domains(): the extra columns in this order, -Z's label only without -v. */
	snprintf(buf, size, "%.*s%s%s%s%s\n", (int)strlen(xl_list_header) - 1, xl_list_header,
		 opts & XL_LIST_VERBOSE ? xl_list_verbose_extra : "",
		 (opts & XL_LIST_CONTEXT) && !(opts & XL_LIST_VERBOSE) ? "   Security Label" : "",
		 opts & XL_LIST_CPUPOOL ? "         Cpupool" : "",
		 opts & XL_LIST_NUMA ? " NODE Affinity" : "");
}

int xl_list_row_opts(const struct rivet_domain_info *info, unsigned opts, char *buf, size_t size)
{
	char row[400];
	size_t n;

	if (opts & XL_LIST_VERBOSE)
		xl_list_verbose_row(info, row, sizeof row);   /* with the label */
	else
		xl_list_row(info, row, sizeof row);
	n = strlen(row);
	if (n && row[n - 1] == '\n')
		row[n - 1] = '\0';
	/*
	 * No XSM labels ('-', as Xen for an unlabelled domain); no cpupools
	 * (every domain is in Xen's default Pool-0); one NUMA node, which a
	 * domain's affinity covers: Xen's print_bitmap says "all".
	 */
	return snprintf(buf, size, "%s%s%s%s\n", row,
			(opts & XL_LIST_CONTEXT) && !(opts & XL_LIST_VERBOSE) ? "                -" : "",
			opts & XL_LIST_CPUPOOL ? "          Pool-0" : "",
			opts & XL_LIST_NUMA ? " all" : "");
}

static void list_opts_one(const struct rivet_domain_info *in, unsigned opts)
{
	struct rivet_domain_info info;
	char row[512];

	xl_effective_info(in, &info);
	xl_list_row_opts(&info, opts, row, sizeof row);
	fputs(row, stdout);
}

/*
 * list [-l|--long] [-v|--verbose] [-Z|--context] [-c|--cpupool] [-n|--numa]
 * [Domain ...]: Xen's options, parsed as its getopt_long does (anywhere on
 * the line, -lv); -l wins over the others, as in Xen. Without any, xl_cmds.c's list.
 */
int xl_cmd_list_opts(xc_handle *h, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "long", no_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "context", no_argument, NULL, 'Z' },
		{ "cpupool", no_argument, NULL, 'c' },
		{ "numa", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct xl_domains ds;
	unsigned opts = 0;
	int lng = 0, k, n = 0, idx[64], opt;
	char *plain[66];

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "lvZcn", longopts, NULL)) != -1) {
		switch (opt) {
		case 'l': lng = 1; break;
		case 'v': opts |= XL_LIST_VERBOSE; break;
		case 'Z': opts |= XL_LIST_CONTEXT; break;
		case 'c': opts |= XL_LIST_CPUPOOL; break;
		case 'n': opts |= XL_LIST_NUMA; break;
		default: return usage_of("list");
		}
	}
	for (k = optind; k < argc; k++) {
		if (n == (int)(sizeof idx / sizeof idx[0])) {
			xl_err("list: at most %zu domains at once", sizeof idx / sizeof idx[0]);
			return XL_EXIT_FAIL;
		}
		idx[n++] = k;
	}
	if (!lng && !opts) {
		plain[0] = argv[0];
		for (k = 0; k < n; k++)
			plain[k + 1] = argv[idx[k]];
		plain[n + 1] = NULL;
		return xl_cmd_list(h, n + 1, plain);
	}
	if (get_domains(h, &ds) < 0)
		return XL_EXIT_FAIL;
	for (k = 0; k < n; k++) {
		int i = find_in(&ds, argv[idx[k]]);

		if (i < 0) {
			xl_domains_free(&ds);
			return XL_EXIT_FAIL;
		}
		idx[k] = i;   /* from here, indexes into ds */
	}
	if (lng) {
		unsigned count = n ? (unsigned)n : ds.n, j;

		fputs("[\n", stdout);
		for (j = 0; j < count; j++)
			list_long_one(stdout, &ds.v[n ? (unsigned)idx[j] : j], j + 1 == count);
		fputs("]\n", stdout);
	} else {
		char head[256];

		xl_list_header_opts(opts, head, sizeof head);
		fputs(head, stdout);
		if (n)
			for (k = 0; k < n; k++)
				list_opts_one(&ds.v[idx[k]], opts);
		else
			for (unsigned j = 0; j < ds.n; j++)
				list_opts_one(&ds.v[j], opts);
	}
	xl_domains_free(&ds);
	return XL_EXIT_OK;
}

/* ---- info -n ---- */

#define XEN_NUMA_LOCAL_DISTANCE 10   /* ACPI SLIT's (and Xen's) distance of a node to itself */

/* info [-n|--numa]: -n adds Xen's cpu_topology and numa_info: one socket, one node. */
int xl_cmd_info_opts(xc_handle *h, int argc, char **argv)
{
	struct rivet_physinfo pi;
	char *plain[3] = { argv[0], NULL, NULL };
	int numa = 0, rc, r;
	uint32_t i;

	static const struct option longopts[] = {
		{ "numa", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "n", longopts, NULL)) != -1) {
		if (opt != 'n')
			return usage_of("info");
		numa = 1;
	}
	/* Xen's xl info NAME: only the value of the lines whose name starts with NAME. */
	if (argc - optind > 1)
		return usage_of("info");
	if (argc - optind == 1)
		plain[1] = argv[optind];
	rc = xl_cmd_info(h, argc - optind == 1 ? 2 : 1, plain);
	if (rc != XL_EXIT_OK || !numa)
		return rc;
	r = xc_physinfo(h, &pi);
	if (r < 0) {
		xl_err("cannot get host information: %s", xc_strerror(r));
		return XL_EXIT_FAIL;
	}
	/* Each hart is its own core of socket 0, node 0: the microvisor knows no topology. */
	printf("cpu_topology           :\n");
	printf("cpu:    core    socket     node\n");
	for (i = 0; i < pi.nr_harts; i++)
		printf("%3u:    %4u     %4d     %4d\n", i, i, 0, 0);
	printf("numa_info              :\n");
	printf("node:    memsize    memfree    distances\n");
	printf("%4d:    %6llu     %6llu      %d\n", 0, (unsigned long long)(pi.total_bytes >> 20),
	       (unsigned long long)(pi.free_bytes >> 20), XEN_NUMA_LOCAL_DISTANCE);
	return XL_EXIT_OK;
}

/* ---- dmesg -c ---- */

#define DMESG_READ_MAX (1u << 20)   /* as xl_cmds.c's dmesg: stop after 1 MiB */

/*
 * dmesg [-c|--clear]: -c prints the log, then drops what was printed (the
 * microvisor keeps what was logged meanwhile, so no line is lost unread).
 */
int xl_cmd_dmesg_opts(xc_handle *h, int argc, char **argv)
{
	static char buf[XC_PAGE_SIZE];
	char *plain[2] = { argv[0], NULL };
	uint64_t off = 0;
	long n = 0;

	if (argc == 1)
		return xl_cmd_dmesg(h, 1, plain);
	if (argc != 2 || (strcmp(argv[1], "-c") && strcmp(argv[1], "--clear")))
		return usage_of("dmesg");
	/* Each call reads the oldest bytes and drops just those: nothing logged meanwhile is lost. */
	while (off < DMESG_READ_MAX && (n = xc_dmesg_read_clear(h, buf, sizeof buf)) > 0) {
		fwrite(buf, 1, (size_t)n, stdout);
		off += (uint64_t)n;
	}
	fflush(stdout);
	if (n < 0) {
		xl_err("cannot read and clear the microvisor's log: %s%s", xc_strerror((int)n),
		       n == XC_EINVAL ? " (a microvisor older than ABI 1.3 cannot clear it)" : "");
		return XL_EXIT_FAIL;
	}
	return XL_EXIT_OK;
}

/* ---- uptime ---- */

static void uptime_one(const struct rivet_domain_info *d, int short_mode)
{
	char up[64], now_str[16];
	time_t now = time(NULL);
	struct tm tm;

	/* A domain being freed has no start time left: skipped, as Xen skips one without. */
	if (!d->start_ns || d->start_ns > d->now_ns)
		return;
	xl_uptime_string((d->now_ns - d->start_ns) / NS_PER_SEC, short_mode, up, sizeof up);
	if (short_mode) {
		if (!localtime_r(&now, &tm) || !strftime(now_str, sizeof now_str, "%H:%M:%S", &tm))
			snprintf(now_str, sizeof now_str, "??:??:??");
		printf(" %s up %s, %s (%u)\n", now_str, up, d->name, d->domid);
	} else {
		printf("%-33s %4u %s\n", d->name, d->domid, up);
	}
}

/* uptime [-s] [Domain ...], as Xen's: "Name ID Uptime", or -s: " hh:mm:ss up ..., name (id)". */
int xl_cmd_uptime(xc_handle *h, int argc, char **argv)
{
	struct xl_domains ds;
	int short_mode = 0, k, first = 1, i, rc = XL_EXIT_OK;
	unsigned j;

	int opt;

	optind = 0;   /* Xen's getopt: -s anywhere */
	opterr = 0;
	while ((opt = getopt(argc, argv, "s")) != -1) {
		if (opt != 's')
			return usage_of("uptime");
		short_mode = 1;
	}
	first = optind;
	if (get_domains(h, &ds) < 0)
		return XL_EXIT_FAIL;
	/* Xen's find_domain() ends xl at an unknown name before anything is printed. */
	for (k = first; k < argc; k++)
		if (find_in(&ds, argv[k]) < 0) {
			xl_domains_free(&ds);
			return XL_EXIT_FAIL;
		}
	if (ds.n && !ds.v[0].now_ns) {
		xl_err("uptime: this microvisor does not report when domains started (it is older than ABI 1.3)");
		xl_domains_free(&ds);
		return XL_EXIT_FAIL;
	}
	if (!short_mode)
		printf("%-33s %4s %s\n", "Name", "ID", "Uptime");
	if (first == argc) {
		for (j = 0; j < ds.n; j++)
			uptime_one(&ds.v[j], short_mode);
	} else {
		for (k = first; k < argc; k++) {
			i = xl_domains_find(&ds, argv[k]);
			uptime_one(&ds.v[i], short_mode);
		}
	}
	xl_domains_free(&ds);
	return rc;
}

/* ---- rename ---- */

/*
 * The record of a renamed domain: its name, and a name=NAME override in
 * place of any earlier name= or name+= one, so that a restart (on_reboot,
 * on_crash = "restart": xl create of the recorded config and overrides)
 * keeps the new name. 0, or -1 (no room for one more override).
 */
static int record_set_name(struct xl_record *rec, void *name, char *why)
{
	if (xl_record_set_arg(rec, "name", name) < 0)
		return reason_set(why, "its record holds %d overrides already", XL_RECORD_MAX_ARGS);
	snprintf(rec->name, sizeof rec->name, "%s", (const char *)name);
	return 0;
}

/*
 * rename Domain NewName: the microvisor's name (DOMAIN_RENAME: checked as at
 * creation, unique among live domains), then the record's, so that xl and
 * rivet-consoled (on_*, restarts, the console log's file name) follow. If the
 * record cannot be written, the old name is given back.
 */
int xl_cmd_rename(xc_handle *h, int argc, char **argv)
{
	struct xl_domains ds;
	struct rivet_domain_info info;
	struct xl_record *rec;
	char why[REASON_MAX];
	int i, r, has;

	if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-')
		return usage_of("rename");
	if (xl_name_check(argv[2], why) < 0) {
		xl_err("rename: %s", why);
		return XL_EXIT_FAIL;
	}
	if (get_domains(h, &ds) < 0)
		return XL_EXIT_FAIL;
	i = find_in(&ds, argv[1]);
	if (i < 0) {
		xl_domains_free(&ds);
		return XL_EXIT_FAIL;
	}
	info = ds.v[i];
	xl_domains_free(&ds);
	if (!strcmp(info.name, argv[2]))
		return XL_EXIT_OK;   /* as Xen: renaming to its own name changes nothing */
	rec = malloc(sizeof *rec);
	if (!rec) {
		xl_err("rename: out of memory");
		return XL_EXIT_FAIL;
	}
	/* A record with no room for the override is said before anything changes (checked again below). */
	has = xl_record_of(&info, rec);
	if (has && record_set_name(rec, argv[2], why) < 0) {
		xl_err("rename: domain '%s' (%u): %s", info.name, info.domid, why);
		xl_record_free(rec);
		free(rec);
		return XL_EXIT_FAIL;
	}
	/*
	 * With a record, the microvisor's rename, the record's and any undoing
	 * all under xl_record_lock, for this life only (a kept, shut-down
	 * domain may be renamed): no other writer (the dm-restart supervisor)
	 * sees the two names disagree.
	 */
	int lock = -1;
	if (has) {
		lock = xl_record_lock(why);
		if (lock < 0 || xl_record_same_life(h, &info, 1, why) < 0) {
			xl_err("rename: domain '%s' (%u): %s", info.name, info.domid, why);
			if (lock >= 0)
				close(lock);
			xl_record_free(rec);
			free(rec);
			return XL_EXIT_FAIL;
		}
	}
	r = xc_domain_rename(h, info.domid, argv[2]);
	if (r < 0) {
		xl_err("rename: domain '%s' (%u): %s", info.name, info.domid,
		       r == XC_EEXIST ? "a domain of that name already exists" :
		       r == XC_EDENIED && info.domid == 0 ? "not allowed for Domain-0" : xc_strerror(r));
		if (lock >= 0)
			close(lock);
		xl_record_free(rec);
		free(rec);
		return XL_EXIT_FAIL;
	}
	if (has) {
		/* The record read again under the lock; it names the old name. */
		char rwhy[REASON_MAX];

		xl_record_free(rec);
		xl_record_init(rec);
		r = xl_record_read(info.domid, rec, rwhy) < 0 || strncmp(rec->name, info.name, sizeof rec->name) ? 0 :
		    record_set_name(rec, argv[2], why) < 0 || xl_record_write(info.domid, rec, why) < 0 ? -1 : 1;
		if (r <= 0) {
			int back = xc_domain_rename(h, info.domid, info.name);

			xl_err("rename: domain %u: cannot update its record: %s; %s", info.domid,
			       r == 0 ? "it is gone" : why,
			       back < 0 ? "and the microvisor keeps the new name" : "its old name is back");
		}
		close(lock);
		xl_record_free(rec);
		free(rec);
		return r <= 0 ? XL_EXIT_FAIL : XL_EXIT_OK;
	}
	xl_record_free(rec);
	free(rec);
	return XL_EXIT_OK;
}

/* ---- destroy -f, console -n ---- */

/* destroy [-f] Domain: -f is Xen's "force" (it allows Domain-0); accepted, the rest is destroy's. */
int xl_cmd_destroy_opts(xc_handle *h, int argc, char **argv)
{
	char *plain[3] = { argv[0], NULL, NULL };
	const char *dom = NULL;
	int k;

	for (k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "-f"))
			continue;
		if (argv[k][0] == '-' || dom)
			return usage_of("destroy");
		dom = argv[k];
	}
	if (!dom)
		return usage_of("destroy");
	plain[1] = (char *)dom;
	return xl_cmd_destroy(h, 2, plain);
}

/*
 * console [-t pv|serial] [-n NUM] Domain. Xen's NUM counts a type's consoles
 * from 0, the primary. Rivet's: PV console 0 is what -t pv attaches to (the
 * virtio console when the domain has one, else the SBI console), PV console 1
 * the SBI console of a domain with a virtio console (its second PV console);
 * the emulated serial console is serial 0 only. -n without -t means -t pv.
 */
int xl_cmd_console_opts(xc_handle *h, int argc, char **argv)
{
	const char *type = NULL, *dom = NULL, *num_s = NULL;
	char *plain[5];
	uint64_t num = 0;
	int k, np = 0;

	int opt;

	/* Xen's getopt: -t pv, -tpv, -n 1, before or after the domain. */
	optind = 0;
	opterr = 0;
	while ((opt = getopt(argc, argv, "t:n:")) != -1) {
		if (opt == 't')
			type = optarg;
		else if (opt == 'n')
			num_s = optarg;
		else
			return usage_of("console");
	}
	for (k = optind; k < argc; k++) {
		if (dom)
			return usage_of("console");
		dom = argv[k];
	}
	if (!dom)
		return usage_of("console");
	if (num_s && xl_parse_uint(num_s, UINT32_MAX, &num) < 0) {
		xl_err("console: -n '%s': expected a console number (0, 1, ...)", num_s);
		return XL_EXIT_FAIL;
	}
	if (num_s && !type)
		type = "pv";
	plain[np++] = argv[0];
	if (type) {
		plain[np++] = "-t";
		plain[np++] = (char *)type;
	}
	plain[np++] = (char *)dom;
	plain[np] = NULL;
	if (num == 0)
		return xl_cmd_console(h, np, plain);
	if (strcmp(type, "pv")) {
		/* Let console's own check speak for a bad -t; a serial console has no number 1. */
		if (strcmp(type, "serial"))
			return xl_cmd_console(h, np, plain);
		xl_err("console: -t serial -n %llu: a domain has one emulated serial console (0)",
		       (unsigned long long)num);
		return XL_EXIT_FAIL;
	}
	{
		struct xl_domains ds;
		struct rivet_domain_info info;
		struct xl_record *rec = malloc(sizeof *rec);
		int i, vcon = 0;

		if (!rec) {
			xl_err("console: out of memory");
			return XL_EXIT_FAIL;
		}
		if (get_domains(h, &ds) < 0 || (i = find_in(&ds, dom)) < 0) {
			if (ds.v)
				xl_domains_free(&ds);
			free(rec);
			return XL_EXIT_FAIL;
		}
		info = ds.v[i];
		xl_domains_free(&ds);
		if (xl_record_of(&info, rec))
			vcon = rec->vconsole;
		xl_record_free(rec);
		free(rec);
		if (info.domid == 0) {
			xl_err("console: Domain-0's console is this one (hvc0)");
			return XL_EXIT_FAIL;
		}
		if (num != 1 || !vcon) {
			xl_err("console: domain '%s' (%u) has no PV console %llu (it has %s)", info.name,
			       info.domid, (unsigned long long)num,
			       vcon ? "0, its virtio console, and 1, its SBI console" : "one: 0, its SBI console");
			return XL_EXIT_FAIL;
		}
		return xl_console_attach(info.domid, info.name, "sbi");
	}
}

/* ---- top ---- */

#define TOP_DELAY_DEFAULT 3      /* xentop's */
#define TOP_DELAY_MAX     3600

static volatile sig_atomic_t top_stop;

static void top_on_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

/* The previous sample of DOMID, or NULL. */
static const struct rivet_domain_info *prev_of(const struct xl_domains *prev, uint32_t domid)
{
	for (unsigned i = 0; i < prev->n; i++)
		if (prev->v[i].domid == domid)
			return &prev->v[i];
	return NULL;
}

/* xentop's summary lines (interactive only, as xentop). */
static void top_summary(const struct xl_domains *ds, const struct rivet_physinfo *pi, uint32_t version)
{
	unsigned run = 0, block = 0, pause = 0, crash = 0, dying = 0, shut = 0, i;
	char now_str[16];
	time_t now = time(NULL);
	struct tm tm;

	if (!localtime_r(&now, &tm) || !strftime(now_str, sizeof now_str, "%H:%M:%S", &tm))
		snprintf(now_str, sizeof now_str, "??:??:??");
	printf("xentop - %s   Rivet %u.%u\n", now_str, version >> 16, version & 0xffff);
	for (i = 0; i < ds->n; i++) {
		uint32_t s = ds->v[i].state;

		if (s & RIVET_DOMSTATE_RUNNING)
			run++;
		else if (s & RIVET_DOMSTATE_BLOCKED)
			block++;
		else if (s & RIVET_DOMSTATE_PAUSED)
			pause++;
		else if ((s & RIVET_DOMSTATE_SHUTDOWN) && ds->v[i].shutdown_reason == RIVET_SHUTDOWN_CRASH)
			crash++;
		else if (s & RIVET_DOMSTATE_SHUTDOWN)
			shut++;
		else if (s & RIVET_DOMSTATE_DYING)
			dying++;
	}
	printf("%u domains: %u running, %u blocked, %u paused, %u crashed, %u dying, %u shutdown \n", ds->n,
	       run, block, pause, crash, dying, shut);
	printf("Mem: %lluk total, %lluk used, %lluk free    CPUs: %u\n",
	       (unsigned long long)(pi->total_bytes >> 10),
	       (unsigned long long)((pi->total_bytes - pi->free_bytes) >> 10),
	       (unsigned long long)(pi->free_bytes >> 10), pi->nr_harts);
}

static void top_rows(const struct xl_domains *ds, const struct xl_domains *prev, uint64_t total)
{
	char row[256];

	fputs(xl_top_header, stdout);
	for (unsigned i = 0; i < ds->n; i++) {
		struct rivet_domain_info info;
		struct xl_record *rec = malloc(sizeof *rec);
		unsigned nets = 0, vbds = 0;

		xl_effective_info(&ds->v[i], &info);
		if (rec && xl_record_of(&info, rec)) {
			nets = rec->nr_vifs;
			vbds = rec->nr_disks;
		}
		if (rec) {
			xl_record_free(rec);
			free(rec);
		}
		xl_top_row(&info, prev_of(prev, info.domid), total, nets, vbds, row, sizeof row);
		fputs(row, stdout);
	}
}

/* Interactive: waits up to SECS for 'q' on the terminal; 1 when the user asked to quit. */
static int top_wait(unsigned secs, int tty)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	struct timespec end, now;
	char c;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += secs;
	while (!top_stop) {
		long ms;

		clock_gettime(CLOCK_MONOTONIC, &now);
		ms = (end.tv_sec - now.tv_sec) * 1000 + (end.tv_nsec - now.tv_nsec) / 1000000;
		if (ms <= 0)
			return 0;
		if (!tty) {
			struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };

			nanosleep(&ts, NULL);
			continue;
		}
		if (poll(&p, 1, (int)ms) > 0) {
			if (read(STDIN_FILENO, &c, 1) != 1 || c == 'q' || c == 'Q' || c == 0x1b)
				return 1;
		}
	}
	return 1;
}

/*
 * top [-d SECS] [-b] [-i N]: xentop's live view (Xen's xl top runs xentop),
 * its options: -d the refresh period (default 3 s), -b batch mode (no
 * screen handling, a header and the rows each time), -i the number of
 * iterations (default: until 'q', Ctrl-C or SIGTERM).
 */
int xl_cmd_top(xc_handle *h, int argc, char **argv)
{
	struct xl_domains ds = { NULL, 0 }, prev = { NULL, 0 };
	struct rivet_physinfo pi;
	struct termios saved, raw;
	struct sigaction sa, old_int, old_term;
	uint64_t delay = TOP_DELAY_DEFAULT, iters = 0, it;
	uint32_t version = 0;
	int batch = 0, tty = 0, k, r, rc = XL_EXIT_OK;

	for (k = 1; k < argc; k++) {
		const char *a = argv[k], *v = NULL;

		if (!strcmp(a, "-b") || !strcmp(a, "--batch")) {
			batch = 1;
			continue;
		}
		if (!strcmp(a, "-d") || !strcmp(a, "-i"))
			v = k + 1 < argc ? argv[++k] : NULL;
		else if ((a[0] == '-' && (a[1] == 'd' || a[1] == 'i') && a[2]))
			v = a + 2;
		else
			return usage_of("top");
		if (a[1] == 'd' && (!v || xl_parse_uint(v, TOP_DELAY_MAX, &delay) < 0)) {
			xl_err("top: -d wants a number of seconds, 0 to %d", TOP_DELAY_MAX);
			return XL_EXIT_FAIL;
		}
		if (a[1] == 'i' && (!v || xl_parse_uint(v, UINT32_MAX, &iters) < 0 || !iters)) {
			xl_err("top: -i wants a number of iterations, 1 or more");
			return XL_EXIT_FAIL;
		}
	}
	if (!batch && !delay) {
		xl_err("top: -d 0 is for batch mode (-b) only");
		return XL_EXIT_FAIL;
	}
	r = xc_physinfo(h, &pi);
	if (r < 0) {
		xl_err("cannot get host information: %s", xc_strerror(r));
		return XL_EXIT_FAIL;
	}
	if (xc_version(h, &version) < 0)
		version = pi.abi_version;
	top_stop = 0;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = top_on_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (!batch && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		tty = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	for (it = 0; !top_stop && (!iters || it < iters); it++) {
		if (get_domains(h, &ds) < 0) {
			rc = XL_EXIT_FAIL;
			break;
		}
		if (!batch) {
			fputs("\033[H\033[2J", stdout);   /* home, clear: the next screen */
			if (xc_physinfo(h, &pi) == 0)
				top_summary(&ds, &pi, version);
		}
		top_rows(&ds, &prev, pi.total_bytes);
		if (!batch)
			printf("\nDelay %llu s; q quits\n", (unsigned long long)delay);
		fflush(stdout);
		xl_domains_free(&prev);
		prev = ds;
		ds.v = NULL;
		ds.n = 0;
		if (iters && it + 1 == iters)
			break;
		if (batch) {
			struct timespec ts = { (time_t)delay, 0 };

			while (!top_stop && nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
		} else if (top_wait((unsigned)delay, tty)) {
			break;
		}
	}
	xl_domains_free(&prev);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return rc;
}

/* ---- debug-keys ---- */

/* debug-keys Keys: each character is one of the microvisor's debug keys; output in xl dmesg. */
int xl_cmd_debug_keys(xc_handle *h, int argc, char **argv)
{
	size_t n;
	long r;

	if (argc != 2)
		return usage_of("debug-keys");
	n = strlen(argv[1]);
	if (!n || n > RIVET_DEBUG_KEYS_MAX) {
		xl_err("debug-keys: 1 to %d keys at once", RIVET_DEBUG_KEYS_MAX);
		return XL_EXIT_FAIL;
	}
	r = xc_debug_keys(h, argv[1], n);
	if (r < 0) {
		/* Xen's words, then why. */
		xl_err("cannot send debug keys: %s: %s", argv[1], xc_strerror((int)r));
		return XL_EXIT_FAIL;
	}
	if ((size_t)r < n)
		fprintf(stderr, "%zu of %zu debug keys unknown to the microvisor (xl dmesg says which; "
			"xl debug-keys h lists them)\n", n - (size_t)r, n);
	return XL_EXIT_OK;
}
