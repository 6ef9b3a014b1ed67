/* SPDX-License-Identifier: MIT */
/* xl_cmds.c: xl's subcommands over libxc, with Xen xl's names, columns and exit codes. */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cpumask.h"
#include "dm_request.h"
#include "domfdt.h"
#include "xl.h"

const struct xl_command xl_commands[] = {
	{ "create", xl_cmd_create, 0, "[-c] [-n|--dryrun] [-p] [-q] [-V] [-F] [-e] <ConfigFile> [key=value ...]",
	  "Create a domain from a config file (-c: attach its console; -n: dry run; -p: leave it paused; "
	  "-V: print the plan too; -F: wait until the domain is gone)" },
	{ "list", xl_cmd_list_opts, 1, "[-l|--long] [-v|--verbose] [-Z|--context] [-c|--cpupool] [-n|--numa] [Domain ...]",
	  "List information about all or some domains (-l: as JSON; -v: with UUID, reason code and label; "
	  "-Z: label; -c: cpupool; -n: NUMA node affinity)" },
	{ "destroy", xl_cmd_destroy_opts, 1, "[-f] <Domain>",
	  "Terminate a domain immediately (-f: Xen's force, accepted)" },
	{ "shutdown", xl_cmd_shutdown, 1, "[-a] [-w] [-F] [-t SECS] <Domain>",
	  "Ask a domain to shut down (its power button); -a: all but Domain-0; -w: wait until gone "
	  "(SECS, default 60); -F: stop it at once if it has no button, or after the wait" },
	{ "reboot", xl_cmd_reboot, 1, "[-a] [-w] [-F] [-t SECS] <Domain>",
	  "Ask a domain to reboot (its restart key); -a: all but Domain-0; -w: wait until it went "
	  "(SECS, default 60); -F: stop it at once if it has no button, or after the wait" },
	{ "trigger", xl_cmd_trigger, 1, "<Domain> <nmi|reset|init|power|sleep|s3resume> [<VCPU>]",
	  "Send a trigger to a domain (power: press its power button; reset: restart it at once)" },
	{ "sysrq", xl_cmd_sysrq, 1, "<Domain> <letter>", "Send a Magic System Request to a domain" },
	{ "mem-set", xl_cmd_mem_set, 1, "<Domain> <MemMB['b'|'k'|'m'|'g'|'t']>",
	  "Set the current memory usage for a domain (its balloon's target; MiB unless a unit is given)" },
	{ "mem-max", xl_cmd_mem_max, 1, "<Domain> <MemMB['b'|'k'|'m'|'g'|'t']>",
	  "Set the maximum amount reservation for a domain (at most its maxmem, at least its target)" },
	{ "sched-credit2", xl_cmd_sched_credit2, 1, "[-d <Domain> [-w <Weight>] [-c <Cap>]] [-p Pool-0]",
	  "Get or set a domain's credit parameters (weight 1-65535, default 256; cap: percent of one "
	  "hart, 0 = none); setting them makes the domain a credit domain" },
	{ "sched-rtds", xl_cmd_sched_rtds, 1,
	  "[-d <Domain>] [-v <VCPU|all> [-p <Period> -b <Budget> [-e <0|1>]]]... [-c Pool-0]",
	  "Get or set a domain's RTDS parameters per vCPU (microseconds: period 100-10000000, budget "
	  "10 up to the period; -e: extratime); setting them makes the domain an RTDS domain" },
	{ "pause", xl_cmd_pause, 1, "<Domain>", "Pause execution of a domain" },
	{ "unpause", xl_cmd_unpause, 1, "<Domain>", "Unpause a paused domain" },
	{ "console", xl_cmd_console_opts, 1, "[-t pv|serial] [-n NUM] <Domain>",
	  "Attach to a domain's console (detach: Ctrl-]); -t: only its PV (virtio, else SBI) or serial one; "
	  "-n: that type's console NUM (PV 1: the SBI console of a domain with a virtio one)" },
	{ "info", xl_cmd_info_opts, 1, "[-n|--numa] [Name]",
	  "Get information about the host (-n: with CPU topology and NUMA; Name: only the values of the "
	  "lines whose name starts with it)" },
	{ "dmesg", xl_cmd_dmesg_opts, 1, "[-c|--clear]",
	  "Read the microvisor's message buffer (-c: and clear what was read)" },
	{ "uptime", xl_cmd_uptime, 1, "[-s] [Domain ...]", "Print uptime for all or some domains (-s: short)" },
	{ "top", xl_cmd_top, 1, "[-d SECS] [-b] [-i N]",
	  "Monitor the host and its domains in real time, as xentop (-d: refresh period; -b: batch; -i: iterations)" },
	{ "rename", xl_cmd_rename, 1, "<Domain> <NewDomainName>", "Rename a domain" },
	{ "debug-keys", xl_cmd_debug_keys, 1, "<Keys>",
	  "Send debug keys to the microvisor (h: list them; output in xl dmesg)" },
	{ "vcpu-list", xl_cmd_vcpu_list, 1, "[Domain ...]", "List the vCPUs of all or some domains" },
	{ "vcpu-pin", xl_cmd_vcpu_pin, 1, "[-f|--force] <Domain> <VCPU|all> <Hard affinity|-|all> [-|all]",
	  "Set which harts a vCPU may run on (no soft affinity: its argument may only be - or all)" },
	{ "vcpu-set", xl_cmd_vcpu_set, 1, "[-i|--ignore-host] <Domain> <vCPUs>",
	  "Set the number of active vCPUs, up to the domain's maxvcpus (its guest agent onlines or "
	  "offlines them; -i: allow more than the machine's harts)" },
	{ "block-list", xl_cmd_block_list, 1, "<Domain(s)>", "List the virtual block devices of one or more domains" },
	{ "dm-restart", xl_cmd_dm_restart, 1, "<Domain>",
	  "Replace a domain's device model; the domain carries on where it was" },
	{ "network-list", xl_cmd_network_list, 1, "<Domain(s)>",
	  "List the virtual network interfaces of one or more domains" },
	{ "domid", xl_cmd_domid, 1, "<DomainName>", "Convert a domain name to domain id" },
	{ "domname", xl_cmd_domname, 1, "<DomainId>", "Convert a domain id to domain name" },
	{ "dump-core", xl_cmd_dump_core, 1, "<Domain> <filename>",
	  "Core dump a domain (an ELF core of its RAM and vCPU registers, for gdb); paused meanwhile" },
	{ NULL, NULL, 0, NULL, NULL },
};

const struct xl_command *xl_command_find(const char *name)
{
	const struct xl_command *c;

	for (c = xl_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int xl_usage(const struct xl_command *c)
{
	fprintf(stderr, "Usage: xl %s %s\n\n%s.\n", c->name, c->usage, c->help);
	return XL_EXIT_FAIL;
}

static int usage_of(const char *name)
{
	return xl_usage(xl_command_find(name));
}

/* Finds SPEC among the domains; prints Xen's error when it is not there. */
static int find_domain(xc_handle *h, const char *spec, struct rivet_domain_info *info)
{
	struct xl_domains ds;
	int r = xl_domains_get(h, &ds), i;

	if (r < 0) {
		xl_err("cannot list domains: %s", xc_strerror(r));
		return -1;
	}
	i = xl_domains_find(&ds, spec);
	if (i < 0)
		xl_err("domain '%s' does not exist", spec);
	else
		*info = ds.v[i];
	xl_domains_free(&ds);
	return i < 0 ? -1 : 0;
}

int xl_create_args(int argc, char **argv, struct xl_create_opts *o, struct diag *d)
{
	/* Xen's options (xl_cmdtable.c), parsed as its getopt_long does: anywhere on the line, -pc, -fFILE. */
	static const struct option longopts[] = {
		{ "dryrun", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "defconfig", required_argument, NULL, 'f' },
		{ "vncviewer", no_argument, NULL, 'V' },
		{ "vncviewer-autopass", no_argument, NULL, 'A' },
		{ "verbose", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, i;

	memset(o, 0, sizeof *o);
	optind = 0;   /* a fresh scan (glibc and musl both reset on 0) */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":cnqpVFedAf:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': o->console = 1; break;
		case 'n': o->dry_run = 1; break;
		case 'q': o->quiet = 1; break;
		case 'p': o->paused = 1; break;
		/* Xen's -V starts a VNC viewer; a Rivet domain has no display, so -V shows the plan. */
		case 'V': o->verbose = 1; break;
		case 'F': o->foreground = 1; break;
		/* Xen: no background waiter for the domain's death (Rivet's is rivet-consoled); debug
		 * output; the VNC password. Nothing to change here. */
		case 'e': case 'd': case 'A': break;
		case 'f':
			if (o->file)
				return diag_fail(d, NULL, 0, NULL, "more than one config file");
			o->file = optarg;
			break;
		case ':':
			return diag_fail(d, NULL, 0, NULL, "-f needs a file name");
		default:
			if (optopt)
				return diag_fail(d, NULL, 0, NULL, "unknown option '-%c'", optopt);
			return diag_fail(d, NULL, 0, NULL, "unknown option '%.40s'", argv[optind - 1]);
		}
	}
	for (i = optind; i < argc; i++) {
		const char *a = argv[i];

		if (strchr(a, '=')) {
			if (o->nr_ov == XL_MAX_OVERRIDES)
				return diag_fail(d, NULL, 0, NULL, "more than %d key=value overrides",
						 XL_MAX_OVERRIDES);
			o->ov[o->nr_ov++] = argv[i];
		} else if (!o->file)
			o->file = a;
		else
			return diag_fail(d, NULL, 0, NULL, "'%.40s' is neither key=value nor the only config file", a);
	}
	if (!o->file)
		return diag_fail(d, NULL, 0, NULL, "no config file given");
	return 0;
}

void xl_plan_print(const struct xl_plan *p, FILE *out)
{
	char mask[160];
	unsigned i;

	xl_mask_string(p->cfg.cpus_mask, mask, sizeof mask);
	fprintf(out, "name:        %s\n", p->cfg.name);
	fprintf(out, "memory:      %llu MiB\n", (unsigned long long)(p->cfg.max_bytes >> 20));
	fprintf(out, "vcpus:       %u\n", p->online_vcpus);
	if (p->online_vcpus != p->cfg.nr_vcpus)
		fprintf(out, "maxvcpus:    %u\n", p->cfg.nr_vcpus);
	fprintf(out, "cpus:        %s\n", mask);
	fprintf(out, "on_poweroff: %s\non_reboot:   %s\non_crash:    %s\n",
		xl_action_name(p->cfg.on_poweroff), xl_action_name(p->cfg.on_reboot),
		xl_action_name(p->cfg.on_crash));
	fprintf(out, "entry:       %#llx\n", (unsigned long long)p->entry_gpa);
	fprintf(out, "dtb:         %#llx\n", (unsigned long long)p->dtb_gpa);
	if (p->serial)
		fprintf(out, "serial:      pty (16550 UART at 0x10000000, ttyS0)\n");
	for (i = 0; i < p->nr_disks; i++)
		fprintf(out, "disk:        %s slot %u %s %s\n", p->disks[i].vdev, p->disks[i].slot,
			p->disks[i].readonly ? "ro" : "rw", p->disks[i].path);
	for (i = 0; i < p->nr_vifs; i++) {
		char mac[18];

		xl_vif_mac_string(p->vifs[i].mac, mac);
		fprintf(out, "vif:         %u slot %u mac %s bridge %s%s%s\n", p->vifs[i].devid,
			p->vifs[i].slot, mac, p->vifs[i].bridge, p->vifs[i].tap[0] ? " vifname " : "",
			p->vifs[i].tap);
	}
	if (p->vconsole)
		fprintf(out, "console:     virtio slot %u (hvc1 in Linux)\n", p->nr_disks + p->nr_vifs);
	if (xl_plan_has_devices(p))
		fprintf(out, "device model: %s\n", XL_DM_PROG);
	for (i = 0; i < p->nr_loads; i++)
		fprintf(out, "load:        %#llx %llu bytes (%llu in memory) %s\n",
			(unsigned long long)p->loads[i].gpa, (unsigned long long)p->loads[i].file_size,
			(unsigned long long)p->loads[i].mem_size, p->loads[i].what);
}

/* -F: until domain DOMID is no more (destroyed, or restarted as a new domain), as long as it takes. */
static void wait_domain_gone(xc_handle *h, uint32_t domid)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	struct rivet_domain_info info;

	while (xc_domain_getinfo(h, domid, &info) >= 0 && info.domid == domid)
		nanosleep(&ts, NULL);
}

int xl_cmd_create(xc_handle *h, int argc, char **argv)
{
	struct xl_create_opts o;
	struct rivet_physinfo pi = { 0 };   /* a dry run: no microvisor, so no Zicboz */
	xc_handle *own = NULL;
	struct xl_plan plan;
	struct diag d;
	uint32_t domid;
	int r;

	if (xl_create_args(argc, argv, &o, &d) < 0) {
		xl_err("create: %s", d.text);
		return usage_of("create");
	}
	xl_trace("start");
	if (!o.quiet)
		fprintf(stderr, "Parsing config from %s\n", o.file);
	pi.timebase_hz = DOMFDT_TIMEBASE_HZ;
	if (!o.dry_run) {
		/* Opened here, not by main: a dry run needs no microvisor. */
		if (!h) {
			r = xc_open(&own);
			if (r < 0) {
				xl_err("%s", xc_strerror(r));
				return XL_EXIT_FAIL;
			}
			h = own;
		}
		r = xc_physinfo(h, &pi);
		if (r < 0) {
			xl_err("%s: cannot read the host's timebase: %s", o.file, xc_strerror(r));
			xc_close(own);
			return XL_EXIT_FAIL;
		}
	}
	if (xl_plan_build(o.file, o.ov, o.nr_ov, pi.timebase_hz, pi.cboz_block_bytes, &plan, &d) < 0) {
		xl_err("%s", d.text);
		xc_close(own);
		return XL_EXIT_FAIL;
	}
	if (o.dry_run || o.verbose)
		xl_plan_print(&plan, stdout);
	if (o.dry_run) {
		xl_plan_free(&plan);
		return XL_EXIT_OK;
	}
	plan.start_paused = o.paused;
	r = xl_plan_run(h, &plan, o.ov, o.nr_ov, &domid, &d);
	xl_plan_free(&plan);
	if (r < 0) {
		xc_close(own);
		xl_err("%s", d.text);
		return XL_EXIT_FAIL;
	}
	if (o.console) {
		xc_close(own);
		return xl_console_attach(domid, NULL, NULL);
	}
	if (o.foreground)
		wait_domain_gone(h, domid);
	xc_close(own);
	return XL_EXIT_OK;
}

/*
 * list and vcpu-list: no options, then domain names that must all exist.
 * Returns XL_EXIT_OK with every domain in *DS (to free), or the exit code.
 */
static int named_domains_get(xc_handle *h, int argc, char **argv, const char *cmd,
			     struct xl_domains *ds)
{
	int k, r;

	for (k = 1; k < argc; k++)
		if (argv[k][0] == '-')
			return usage_of(cmd);
	r = xl_domains_get(h, ds);
	if (r < 0) {
		xl_err("cannot list domains: %s", xc_strerror(r));
		return XL_EXIT_FAIL;
	}
	for (k = 1; k < argc; k++)
		if (xl_domains_find(ds, argv[k]) < 0) {
			xl_err("domain '%s' does not exist", argv[k]);
			xl_domains_free(ds);
			return XL_EXIT_FAIL;
		}
	return XL_EXIT_OK;
}

/* A row of `xl list`, the domain as xl shows it (xl_effective_info). */
static void list_row(const struct rivet_domain_info *info0, char *row, size_t size)
{
	struct rivet_domain_info info;

	xl_effective_info(info0, &info);
	xl_list_row(&info, row, size);
}

int xl_cmd_list(xc_handle *h, int argc, char **argv)
{
	struct xl_domains ds;
	char row[256];
	unsigned i;
	int k, rc;

	rc = named_domains_get(h, argc, argv, "list", &ds);
	if (rc != XL_EXIT_OK)
		return rc;
	fputs(xl_list_header, stdout);
	if (argc == 1) {
		for (i = 0; i < ds.n; i++) {
			list_row(&ds.v[i], row, sizeof row);
			fputs(row, stdout);
		}
	} else {
		for (k = 1; k < argc; k++) {
			list_row(&ds.v[xl_domains_find(&ds, argv[k])], row, sizeof row);
			fputs(row, stdout);
		}
	}
	xl_domains_free(&ds);
	return rc;
}

/* destroy, pause, unpause: one domain argument, one call. */
static int simple(xc_handle *h, int argc, char **argv, const char *cmd,
		  int (*fn)(xc_handle *, uint32_t))
{
	struct rivet_domain_info info;
	int r;

	if (argc != 2 || argv[1][0] == '-')
		return usage_of(cmd);
	if (find_domain(h, argv[1], &info) < 0)
		return XL_EXIT_FAIL;
	r = fn(h, info.domid);
	if (r < 0) {
		xl_err("%s: domain '%s' (%u): %s", cmd, info.name, info.domid,
		       r == XC_EDENIED && info.domid == 0 ? "not allowed for Domain-0" : xc_strerror(r));
		return XL_EXIT_FAIL;
	}
	return XL_EXIT_OK;
}

#define DESTROY_WAIT_MS 10000

/*
 * Destroys the domain, then stops its device model (SIGTERM only to a pid
 * that still is rivet-dm --domid ID), then, for a domain that had one, waits
 * until it is gone: the microvisor frees its memory once the DM unmapped it.
 */
int xl_cmd_destroy(xc_handle *h, int argc, char **argv)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	struct rivet_domain_info info, now;
	struct xl_record rec;
	char why[REASON_MAX];
	int r, dm_pid = 0;
	unsigned ms, nr_vifs = 0;
	struct xl_vif vifs[XL_MAX_VIFS];

	if (argc != 2 || argv[1][0] == '-')
		return usage_of("destroy");
	if (find_domain(h, argv[1], &info) < 0)
		return XL_EXIT_FAIL;
	xl_record_init(&rec);
	if (info.domid != 0 && xl_record_read(info.domid, &rec, why) == 0 &&
	    !strncmp(rec.name, info.name, sizeof rec.name)) {
		dm_pid = rec.dm_pid;
		nr_vifs = rec.nr_vifs;
		memcpy(vifs, rec.vifs, sizeof vifs[0] * nr_vifs);
	}
	xl_record_free(&rec);
	r = xc_domain_destroy(h, info.domid);
	if (r < 0) {
		xl_err("destroy: domain '%s' (%u): %s", info.name, info.domid,
		       r == XC_EDENIED && info.domid == 0 ? "not allowed for Domain-0" : xc_strerror(r));
		return XL_EXIT_FAIL;
	}
	xl_record_remove(info.domid);
	if (dm_pid <= 0) {
		xl_vif_remove_all(vifs, nr_vifs);
		return XL_EXIT_OK;
	}
	if (xl_dm_stop(dm_pid, info.domid) < 0)
		xl_err("destroy: domain '%s' (%u): its device model (pid %d) would not stop",
		       info.name, info.domid, dm_pid);
	xl_dm_state_remove(info.domid);
	/* Once the device model let go of them. */
	xl_vif_remove_all(vifs, nr_vifs);
	for (ms = 0; ms < DESTROY_WAIT_MS; ms += 20) {
		r = xc_domain_getinfo(h, info.domid, &now);
		if (r == XC_ENODOMAIN || (r == 0 && now.domid != info.domid))
			return XL_EXIT_OK;
		nanosleep(&ts, NULL);
	}
	xl_err("destroy: domain '%s' (%u) is still there after %d s", info.name, info.domid,
	       DESTROY_WAIT_MS / 1000);
	return XL_EXIT_FAIL;
}

/*
 * block-list and network-list DOM...: Xen's header once, then each domain's
 * devices from its record (none without one: Domain-0, boot-time domains).
 * Every DOM is looked up first, so an unknown one prints nothing.
 */
static int device_list(xc_handle *h, int argc, char **argv, const char *cmd, int nics)
{
	struct xl_domains ds;
	struct xl_record rec;
	char why[REASON_MAX], row[PATH_MAX + 64];
	unsigned i;
	int k, r;

	if (argc < 2)
		return usage_of(cmd);
	for (k = 1; k < argc; k++)
		if (argv[k][0] == '-')
			return usage_of(cmd);
	r = xl_domains_get(h, &ds);
	if (r < 0) {
		xl_err("cannot list domains: %s", xc_strerror(r));
		return XL_EXIT_FAIL;
	}
	for (k = 1; k < argc; k++)
		if (xl_domains_find(&ds, argv[k]) < 0) {
			xl_err("domain '%s' does not exist", argv[k]);
			xl_domains_free(&ds);
			return XL_EXIT_FAIL;
		}
	fputs(nics ? xl_network_header : xl_block_header, stdout);
	for (k = 1; k < argc; k++) {
		const struct rivet_domain_info *info = &ds.v[xl_domains_find(&ds, argv[k])];

		xl_record_init(&rec);
		if (xl_record_read(info->domid, &rec, why) < 0 || strncmp(rec.name, info->name, sizeof rec.name))
			xl_record_free(&rec);
		for (i = 0; i < (nics ? rec.nr_vifs : rec.nr_disks); i++) {
			if (nics)
				xl_network_row(&rec.vifs[i], row, sizeof row);
			else
				xl_block_row(&rec.disks[i], row, sizeof row);
			fputs(row, stdout);
		}
		xl_record_free(&rec);
	}
	xl_domains_free(&ds);
	return XL_EXIT_OK;
}

int xl_cmd_block_list(xc_handle *h, int argc, char **argv)
{
	return device_list(h, argc, argv, "block-list", 0);
}

int xl_cmd_network_list(xc_handle *h, int argc, char **argv)
{
	return device_list(h, argc, argv, "network-list", 1);
}

/*
 * domid NAME / domname ID, as Xen's: only a name, only an id (the other
 * form is not looked up), the answer alone on stdout, Xen's message if none.
 */
static int convert(xc_handle *h, int argc, char **argv, int to_id)
{
	struct xl_domains ds;
	uint64_t id = 0;
	int r, found = -1, numeric;

	if (argc != 2 || argv[1][0] == '-')
		return usage_of(to_id ? "domid" : "domname");
	r = xl_domains_get(h, &ds);
	if (r < 0) {
		xl_err("cannot list domains: %s", xc_strerror(r));
		return XL_EXIT_FAIL;
	}
	numeric = xl_parse_uint(argv[1], UINT32_MAX, &id) == 0;
	if (!to_id && !numeric) {
		xl_domains_free(&ds);
		xl_err("'%s' is not a domain id", argv[1]);
		return XL_EXIT_FAIL;
	}
	/* xl_domains_find takes a number as an id only: domid's name is never one. */
	if (numeric != to_id)
		found = xl_domains_find(&ds, argv[1]);
	if (found < 0) {
		if (to_id)
			fprintf(stderr, "Can't get domid of domain name '%s', maybe this domain does not exist.\n",
				argv[1]);
		else
			fprintf(stderr, "Can't get domain name of domain id '%llu', maybe this domain does not exist.\n",
				(unsigned long long)id);
	} else if (to_id) {
		printf("%u\n", ds.v[found].domid);
	} else {
		printf("%.*s\n", RIVET_NAME_MAX, ds.v[found].name);
	}
	xl_domains_free(&ds);
	return found < 0 ? XL_EXIT_FAIL : XL_EXIT_OK;
}

int xl_cmd_domid(xc_handle *h, int argc, char **argv)
{
	return convert(h, argc, argv, 1);
}

int xl_cmd_domname(xc_handle *h, int argc, char **argv)
{
	return convert(h, argc, argv, 0);
}

int xl_cmd_pause(xc_handle *h, int argc, char **argv)
{
	return simple(h, argc, argv, "pause", xc_domain_pause);
}

int xl_cmd_unpause(xc_handle *h, int argc, char **argv)
{
	return simple(h, argc, argv, "unpause", xc_domain_unpause);
}

#define WAIT_SECS         60   /* -w: how long a guest has (-t), where Xen's xl waits forever */
#define PRESS_AGAIN_SECS  10   /* -w: the button is pressed again this often, as a person would */
#define FORCED_WAIT_SECS  10   /* after -F's hard stop: rivet-consoled carrying out on_* */
#define DAEMON_GRACE_SECS 5    /* init restarts a dead rivet-consoled well within this */

static const char *action_key(enum rivet_shutdown_reason why)
{
	return why == RIVET_SHUTDOWN_REBOOT ? "on_reboot" : "on_poweroff";
}

/*
 * Waits up to SECS until the domain DOM is gone: destroyed, maybe
 * restarted. A restart may get the same id back; a shutdown leaves the old
 * one DYING or SHUTDOWN, so a domain with that id in neither state is the
 * new one; so is one whose record names another life (a guest that
 * rebooted between two looks). While the guest has not shut down, the button is pressed again
 * (PRESS, a DM_REQUEST_*; 0: never). Only rivet-consoled carries out on_*:
 * without it a shut-down domain stays, so that is said rather than waited
 * for. 0 gone; -1 said; 1 still there after SECS, *ANSWERED set when it had
 * shut down by then (the daemon is slow) rather than ignored the request.
 */
static int wait_gone(xc_handle *h, const char *cmd, const struct rivet_domain_info *dom,
		     enum rivet_shutdown_reason why, unsigned secs, int press, int *answered)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	struct rivet_domain_info info;
	char pwhy[REASON_MAX];
	unsigned tick, no_daemon = 0;
	uint64_t life = press ? xl_dm_instance(dom) : 0;

	*answered = 0;
	for (tick = 0; tick < secs * 10; tick++) {
		if (xc_domain_getinfo(h, dom->domid, &info) < 0 || info.domid != dom->domid)
			return 0;
		int down = (info.state & (RIVET_DOMSTATE_DYING | RIVET_DOMSTATE_SHUTDOWN)) != 0;
		if ((*answered || !press) && !down)
			return 0;   /* a new life under the same id */
		if (life && !down && xl_dm_instance(&info) != life)
			return 0;   /* the same, seen by its record */
		*answered = down;
		/* on_* = preserve: shut down is all it will do (Xen's -w returns at the shutdown too). */
		if ((info.state & RIVET_DOMSTATE_SHUTDOWN) && xl_dm_preserved(&info))
			return 0;
		/* Once a second: connecting costs the daemon an accept. */
		if (tick % 10 == 0 && (info.state & RIVET_DOMSTATE_SHUTDOWN))
			no_daemon = xl_consoled_running() ? 0 : no_daemon + 1;
		if (no_daemon > DAEMON_GRACE_SECS) {
			xl_err("%s: domain '%s' (%u) is shut down, but rivet-consoled is not running to "
			       "carry out its %s (start it, or xl destroy %u)", cmd, dom->name,
			       dom->domid, action_key(why), dom->domid);
			return -1;
		}
		if (press && !down && tick && tick % (PRESS_AGAIN_SECS * 10) == 0)
			(void)xl_dm_press(&info, press, pwhy);   /* best effort: the first press went */
		nanosleep(&ts, NULL);
	}
	return 1;
}

/* How stop() dealt with one target. */
enum stop_how { STOP_SKIPPED, STOP_ASKED, STOP_FORCED };

/* The microvisor stops T at once, as if the guest had asked (on_* applies). 0, or -1 said. */
static int hard_stop(xc_handle *h, const char *cmd, const struct rivet_domain_info *t,
		     enum rivet_shutdown_reason why)
{
	int r = xc_domain_shutdown(h, t->domid, why);

	if (r < 0) {
		xl_err("%s: domain '%s' (%u): %s", cmd, t->name, t->domid, xc_strerror(r));
		return -1;
	}
	return 0;
}

/* -w for one target: 0 gone, -1 (said). */
static int stop_wait(xc_handle *h, const char *cmd, const struct rivet_domain_info *t,
		     enum rivet_shutdown_reason why, enum stop_how how, unsigned secs, int force, int req)
{
	int answered, r;

	r = wait_gone(h, cmd, t, why, how == STOP_ASKED ? secs : FORCED_WAIT_SECS,
		      how == STOP_ASKED ? req : 0, &answered);
	if (r == 1 && how == STOP_ASKED && !answered && force) {
		fprintf(stderr, "Domain %u did not %s within %u s: stopping it (-F)\n", t->domid,
			why == RIVET_SHUTDOWN_REBOOT ? "reboot" : "shut down", secs);
		if (hard_stop(h, cmd, t, why) < 0)
			return -1;
		r = wait_gone(h, cmd, t, why, FORCED_WAIT_SECS, 0, &answered);
	}
	if (r == 1 && answered)
		xl_err("%s: domain '%s' (%u) is shut down, but still there: rivet-consoled has not carried "
		       "out its %s (see /var/log/rivet/consoled.log)", cmd, t->name, t->domid, action_key(why));
	else if (r == 1)
		xl_err("%s: domain '%s' (%u) did not %s within %u s: the guest ignored its power button "
		       "(xl %s -F stops it at once after the wait; xl destroy %u)", cmd, t->name, t->domid,
		       why == RIVET_SHUTDOWN_REBOOT ? "reboot" : "shut down", secs, cmd, t->domid);
	return r == 0 ? 0 : -1;
}

/*
 * shutdown and reboot: [-a] [-w] [-F] [-t SECS] (flags also together,
 * -aw), as Xen's. The guest is asked, through its power button (rivet-dm's,
 * docs/dm.md): KEY_POWER for shutdown, KEY_RESTART for reboot, which an
 * unmodified Linux acts on. A domain without one (no device model) cannot
 * be asked: an error, or with -F the microvisor stops it at once and on_*
 * applies. -w waits until the domain is gone (up to SECS, default
 * WAIT_SECS); a guest still running then is reported, or with -F stopped.
 * -a is every domain but Domain-0 not already going.
 */
static int stop(xc_handle *h, int argc, char **argv, const char *cmd,
		enum rivet_shutdown_reason why)
{
	struct rivet_domain_info one, *targets = &one;
	struct xl_domains ds = { NULL, 0 };
	const int req = why == RIVET_SHUTDOWN_REBOOT ? DM_REQUEST_RESTART : DM_REQUEST_POWER;
	char pwhy[REASON_MAX];
	uint64_t secs = WAIT_SECS;
	unsigned n = 0, i;
	int wait = 0, all = 0, force = 0, rc = XL_EXIT_OK, r, k;

	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "wait", no_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	/* As Xen's getopt_long: -aw, --all, --wait, options before or after DOM; -t SECS is Rivet's. */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":awFt:", longopts, NULL)) != -1) {
		if (opt == 'w') {
			wait = 1;
		} else if (opt == 'a') {
			all = 1;
		} else if (opt == 'F') {
			force = 1;
		} else if (opt == 't' || (opt == ':' && optopt == 't')) {
			if (opt == ':' || xl_parse_uint(optarg, 24 * 3600, &secs) < 0 || !secs) {
				xl_err("%s: -t wants a number of seconds, 1 to 86400", cmd);
				return XL_EXIT_FAIL;
			}
		} else {
			return usage_of(cmd);
		}
	}
	k = optind;
	if (argc - k != (all ? 0 : 1))
		return usage_of(cmd);
	if (all) {
		r = xl_domains_get(h, &ds);
		if (r < 0) {
			xl_err("cannot list domains: %s", xc_strerror(r));
			return XL_EXIT_FAIL;
		}
		targets = ds.v;
		for (i = 0; i < ds.n; i++)
			if (ds.v[i].domid != 0 && !(ds.v[i].state & (RIVET_DOMSTATE_DYING | RIVET_DOMSTATE_SHUTDOWN)))
				ds.v[n++] = ds.v[i];
	} else {
		if (find_domain(h, argv[k], &one) < 0)
			return XL_EXIT_FAIL;
		n = 1;
	}
	enum stop_how *how = calloc(n ? n : 1, sizeof *how);
	if (!how) {
		xl_err("%s: out of memory", cmd);
		xl_domains_free(&ds);
		return XL_EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		struct rivet_domain_info *t = &targets[i];

		if (t->domid == 0) {
			xl_err("%s: domain '%s' (0): not allowed for Domain-0", cmd, t->name);
			rc = XL_EXIT_FAIL;
			continue;
		}
		fprintf(stderr, "%s domain %u\n", why == RIVET_SHUTDOWN_REBOOT ? "Rebooting" : "Shutting down",
			t->domid);
		r = xl_dm_press(t, req, pwhy);
		if (r == 0) {
			how[i] = STOP_ASKED;
		} else if (r < 0) {
			xl_err("%s: domain '%s' (%u): %s", cmd, t->name, t->domid, pwhy);
			rc = XL_EXIT_FAIL;
		} else if (!force) {
			xl_err("%s: domain '%s' (%u) has no power button to press (it runs no device model); "
			       "-F stops it at once", cmd, t->name, t->domid);
			rc = XL_EXIT_FAIL;
		} else if (hard_stop(h, cmd, t, why) == 0) {
			how[i] = STOP_FORCED;
		} else {
			rc = XL_EXIT_FAIL;
		}
	}
	if (wait && n) {
		fprintf(stderr, "Waiting for %u domains\n", n);
		for (i = 0; i < n; i++) {
			if (how[i] == STOP_SKIPPED)
				continue;
			if (stop_wait(h, cmd, &targets[i], why, how[i], (unsigned)secs, force, req) < 0) {
				rc = XL_EXIT_FAIL;
				continue;
			}
			/* Xen's line, with Xen's code of the reason asked for (SHUTDOWN_poweroff 0, _reboot 1). */
			fprintf(stderr, "Domain %u has been shut down, reason code %d\n", targets[i].domid,
				why == RIVET_SHUTDOWN_REBOOT ? 1 : 0);
		}
	}
	free(how);
	xl_domains_free(&ds);
	return rc;
}

int xl_cmd_shutdown(xc_handle *h, int argc, char **argv)
{
	return stop(h, argc, argv, "shutdown", RIVET_SHUTDOWN_POWEROFF);
}

int xl_cmd_reboot(xc_handle *h, int argc, char **argv)
{
	return stop(h, argc, argv, "reboot", RIVET_SHUTDOWN_REBOOT);
}

/* A press of DOM's button for CMD; XL_EXIT_OK, or XL_EXIT_FAIL (said). */
static int press_for(const char *cmd, const struct rivet_domain_info *dom, int req)
{
	char why[REASON_MAX];
	int r;

	if (dom->domid == 0) {
		xl_err("%s: not allowed for Domain-0", cmd);
		return XL_EXIT_FAIL;
	}
	r = xl_dm_press(dom, req, why);
	if (r > 0)
		xl_err("%s: domain '%s' (%u) has no power button (it runs no device model)", cmd, dom->name,
		       dom->domid);
	else if (r < 0)
		xl_err("%s: domain '%s' (%u): %s", cmd, dom->name, dom->domid, why);
	return r == 0 ? XL_EXIT_OK : XL_EXIT_FAIL;
}

/*
 * trigger DOMAIN nmi|reset|init|power|sleep|s3resume [VCPU], with Xen's
 * names: power presses the power button; reset stops the domain at once as
 * a reboot (on_reboot applies; Xen resets the machine in place). The x86
 * ones have nothing to act on here.
 */
int xl_cmd_trigger(xc_handle *h, int argc, char **argv)
{
	struct rivet_domain_info dom;
	uint64_t vcpu;

	if (argc < 3 || argc > 4)
		return usage_of("trigger");
	if (argc == 4 && xl_parse_uint(argv[3], UINT32_MAX, &vcpu) < 0) {
		xl_err("trigger: invalid vcpu '%s'", argv[3]);
		return XL_EXIT_FAIL;
	}
	const char *t = argv[2];
	if (!strcmp(t, "nmi") || !strcmp(t, "init") || !strcmp(t, "sleep") || !strcmp(t, "s3resume")) {
		xl_err("trigger: '%s' is not supported: a RISC-V domain has nothing it could act on "
		       "(power and reset are)", t);
		return XL_EXIT_FAIL;
	}
	if (strcmp(t, "power") && strcmp(t, "reset")) {
		xl_err("Invalid trigger \"%s\"", t);
		return XL_EXIT_FAIL;
	}
	if (find_domain(h, argv[1], &dom) < 0)
		return XL_EXIT_FAIL;
	if (!strcmp(t, "power"))
		return press_for("trigger", &dom, DM_REQUEST_POWER);
	if (dom.domid == 0) {
		xl_err("trigger: not allowed for Domain-0");
		return XL_EXIT_FAIL;
	}
	return hard_stop(h, "trigger", &dom, RIVET_SHUTDOWN_REBOOT) < 0 ? XL_EXIT_FAIL : XL_EXIT_OK;
}

/* sysrq DOMAIN LETTER: Alt+SysRq+LETTER on the power button's keyboard, which Linux's kernel takes. */
int xl_cmd_sysrq(xc_handle *h, int argc, char **argv)
{
	struct rivet_domain_info dom;

	if (argc != 3)
		return usage_of("sysrq");
	if (argv[2][0] == '\0' || argv[2][1] != '\0' || !dm_request_sysrq_key_ok(argv[2][0])) {
		xl_err("Invalid sysrq: '%s' (one of a-z, 0-9)", argv[2]);
		return XL_EXIT_FAIL;
	}
	if (find_domain(h, argv[1], &dom) < 0)
		return XL_EXIT_FAIL;
	return press_for("sysrq", &dom, DM_REQUEST_SYSRQ(argv[2][0]));
}

/*
 * One "name : value" line of xl info, or with ONLY (Xen's xl info NAME) just
 * the value, and only when the line's name starts with ONLY, as Xen's.
 */
static void info_line(const char *only, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void info_line(const char *only, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (only && strncmp(name, only, strlen(only)))
		return;
	if (!only)
		printf("%-23s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int xl_cmd_info(xc_handle *h, int argc, char **argv)
{
	struct rivet_physinfo pi;
	struct utsname u;
	const char *only = argc == 2 ? argv[1] : NULL;
	uint32_t v;
	int r;

	if (argc > 2 || (only && only[0] == '-'))
		return usage_of("info");
	r = xc_physinfo(h, &pi);
	if (r < 0) {
		xl_err("cannot get host information: %s", xc_strerror(r));
		return XL_EXIT_FAIL;
	}
	if (xc_version(h, &v) < 0)
		v = pi.abi_version;
	if (uname(&u) < 0)
		memset(&u, 0, sizeof u);
	info_line(only, "host", "%s", u.nodename);
	info_line(only, "release", "%s", u.release);
	info_line(only, "version", "%s", u.version);
	info_line(only, "machine", "%s", u.machine);
	info_line(only, "nr_cpus", "%u", pi.nr_harts);
	info_line(only, "max_cpu_id", "%u", pi.nr_harts ? pi.nr_harts - 1 : 0);
	/* The microvisor knows no topology: one node, one socket, each hart its own core (info -n). */
	info_line(only, "nr_nodes", "%u", 1u);
	info_line(only, "cores_per_socket", "%u", pi.nr_harts);
	info_line(only, "threads_per_core", "%u", 1u);
	info_line(only, "max_vcpus_per_domain", "%u", pi.max_vcpus_per_domain);
	info_line(only, "timebase_hz", "%llu", (unsigned long long)pi.timebase_hz);
	info_line(only, "total_memory", "%llu", (unsigned long long)(pi.total_bytes >> 20));
	info_line(only, "free_memory", "%llu", (unsigned long long)(pi.free_bytes >> 20));
	/* No page sharing and no claims: Xen's counters of them are 0; every hart serves domains. */
	info_line(only, "sharing_freed_memory", "%u", 0u);
	info_line(only, "sharing_used_memory", "%u", 0u);
	info_line(only, "outstanding_claims", "%u", 0u);
	info_line(only, "free_cpus", "%u", 0u);
	info_line(only, "rivet_major", "%u", v >> 16);
	info_line(only, "rivet_minor", "%u", v & 0xffff);
	info_line(only, "rivet_version", "%u.%u", v >> 16, v & 0xffff);
	info_line(only, "xl_abi", "%u.%u", RIVET_ABI_MAJOR, RIVET_ABI_MINOR);
	return XL_EXIT_OK;
}

int xl_cmd_dmesg(xc_handle *h, int argc, char **argv)
{
	static char buf[XC_PAGE_SIZE];
	uint64_t off = 0;
	long n = 0;

	(void)argv;
	if (argc != 1)
		return usage_of("dmesg");
	/* The log is a ring of a few KiB: stop after 1 MiB even if it keeps growing. */
	while (off < (1u << 20) && (n = xc_dmesg_read(h, off, buf, sizeof buf)) > 0) {
		fwrite(buf, 1, (size_t)n, stdout);
		off += (uint64_t)n;
	}
	if (n < 0) {
		xl_err("cannot read the microvisor's log: %s", xc_strerror((int)n));
		return XL_EXIT_FAIL;
	}
	return XL_EXIT_OK;
}

static void vcpu_rows(xc_handle *h, const struct rivet_domain_info *d)
{
	struct rivet_vcpu_info vi;
	char row[256];
	uint32_t v;

	for (v = 0; v < d->nr_vcpus; v++) {
		int r = xc_vcpu_getinfo(h, d->domid, v, &vi);

		if (r < 0) {
			xl_err("vcpu-list: domain '%s' vCPU %u: %s", d->name, v, xc_strerror(r));
			continue;
		}
		xl_vcpu_row(d->name, d->domid, v, &vi, row, sizeof row);
		fputs(row, stdout);
	}
}

int xl_cmd_vcpu_list(xc_handle *h, int argc, char **argv)
{
	struct xl_domains ds;
	unsigned i;
	int k, r;

	r = named_domains_get(h, argc, argv, "vcpu-list", &ds);
	if (r != XL_EXIT_OK)
		return r;
	fputs(xl_vcpu_header, stdout);
	if (argc == 1)
		for (i = 0; i < ds.n; i++)
			vcpu_rows(h, &ds.v[i]);
	else
		for (k = 1; k < argc; k++)
			vcpu_rows(h, &ds.v[xl_domains_find(&ds, argv[k])]);
	xl_domains_free(&ds);
	return XL_EXIT_OK;
}

/*
 * vcpu-pin [-f|--force] DOM VCPU|all HARD [SOFT], Xen's form: HARD "-"
 * leaves the hard affinity alone; Rivet's scheduler has no soft affinity,
 * so SOFT may only be "-" or "all" (no preference). -f (Xen: undo a pinning
 * the guest kernel made) has nothing to undo here: no guest can pin itself.
 */
int xl_cmd_vcpu_pin(xc_handle *h, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct rivet_domain_info info;
	char why[REASON_MAX];
	uint64_t vcpu = 0, mask;
	uint32_t v, first, last;
	int r, opt, a;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "f", longopts, NULL)) != -1)
		if (opt != 'f')
			return usage_of("vcpu-pin");
	a = optind;
	if (argc - a != 3 && argc - a != 4)
		return usage_of("vcpu-pin");
	if (argc - a == 4 && strcmp(argv[a + 3], "-") && strcmp(argv[a + 3], "all")) {
		xl_err("vcpu-pin: soft affinity '%s': Rivet's scheduler has none (give - or all)", argv[a + 3]);
		return XL_EXIT_FAIL;
	}
	if (find_domain(h, argv[a], &info) < 0)
		return XL_EXIT_FAIL;
	if (!strcmp(argv[a + 1], "all")) {
		first = 0;
		last = info.nr_vcpus ? info.nr_vcpus - 1 : 0;
	} else if (xl_parse_uint(argv[a + 1], UINT32_MAX, &vcpu) < 0 || vcpu >= info.nr_vcpus) {
		xl_err("vcpu-pin: domain '%s' has no vCPU '%s' (it has %u)", info.name, argv[a + 1],
		       info.nr_vcpus);
		return XL_EXIT_FAIL;
	} else {
		first = last = (uint32_t)vcpu;
	}
	if (!strcmp(argv[a + 2], "-"))
		return XL_EXIT_OK;   /* the hard affinity left as it is */
	if (cpumask_parse(argv[a + 2], &mask, why) < 0) {
		xl_err("vcpu-pin: CPUs '%s': %s", argv[a + 2], why);
		return XL_EXIT_FAIL;
	}
	for (v = first; v <= last; v++) {
		r = xc_vcpu_pin(h, info.domid, v, mask);
		if (r == XC_ENOTSUP) {
			xl_err("vcpu-pin: this microvisor cannot change a vCPU's affinity yet "
			       "(set cpus= in the domain's config instead)");
			return XL_EXIT_FAIL;
		}
		if (r < 0) {
			xl_err("vcpu-pin: domain '%s' vCPU %u: %s", info.name, v, xc_strerror(r));
			return XL_EXIT_FAIL;
		}
	}
	return XL_EXIT_OK;
}

/*
 * Xen's -t: "pv" is the domain's PV console, its virtio console when its
 * record says it has one, else its SBI console (every domain's); "serial"
 * its emulated UART, which only a domain with serial = 'pty' has. Without
 * -t, all of them (rivet-consoled sends their output and routes input as
 * Xen's default would: the serial console of a domain that has one, else
 * the PV console).
 */
int xl_cmd_console(xc_handle *h, int argc, char **argv)
{
	struct rivet_domain_info info;
	struct xl_record *rec;
	const char *type = NULL, *con = NULL, *dom;
	char why[REASON_MAX];
	int has_serial = 0, has_virtio = 0;

	/* Options before or after the domain, as Xen's getopt takes them. */
	if (argc == 4 && !strcmp(argv[1], "-t")) {
		type = argv[2];
		dom = argv[3];
	} else if (argc == 4 && !strcmp(argv[2], "-t")) {
		type = argv[3];
		dom = argv[1];
	} else if (argc == 2) {
		dom = argv[1];
	} else {
		return usage_of("console");
	}
	if (dom[0] == '-')
		return usage_of("console");
	if (type && strcmp(type, "pv") && strcmp(type, "serial")) {
		xl_err("console: -t '%s': expected pv or serial", type);
		return XL_EXIT_FAIL;
	}
	if (find_domain(h, dom, &info) < 0)
		return XL_EXIT_FAIL;
	if (info.domid == 0) {
		xl_err("console: Domain-0's console is this one (hvc0)");
		return XL_EXIT_FAIL;
	}
	/* No record (a boot-time domain): no devices, only the SBI console. */
	rec = malloc(sizeof *rec);
	if (!rec) {
		xl_err("console: out of memory");
		return XL_EXIT_FAIL;
	}
	xl_record_init(rec);
	if (xl_record_read(info.domid, rec, why) == 0 &&
	    !strncmp(rec->name, info.name, RIVET_NAME_MAX)) {
		has_serial = rec->serial;
		has_virtio = rec->vconsole;
	}
	xl_record_free(rec);
	free(rec);
	if (type && !strcmp(type, "serial")) {
		if (!has_serial) {
			xl_err("console: domain '%s' (%u) has no emulated serial console "
			       "(serial = 'pty' in its config gives it one); use -t pv", info.name,
			       info.domid);
			return XL_EXIT_FAIL;
		}
		con = "serial";
	} else if (type) {
		con = has_virtio ? "virtio" : "sbi";
	}
	return xl_console_attach(info.domid, info.name, con);
}
