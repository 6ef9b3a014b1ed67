/* SPDX-License-Identifier: MIT */
/* xl.h: the pieces of xl shared between its files (and its unit tests). */
#ifndef RIVET_XL_H
#define RIVET_XL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "bootimg.h"
#include "diag.h"
#include "xc.h"

#define XL_EXIT_OK   0
#define XL_EXIT_FAIL 1      /* Xen's xl: EXIT_FAILURE for every error */

/* Every error goes through here: "xl: " + one line on stderr. */
void xl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- xl_util.c: pure helpers ---- */

/* Xen's six state letters "rbpscd", '-' where unset. OUT holds 7 bytes. */
void xl_state_letters(const struct rivet_domain_info *info, char out[7]);
/* `xl list`'s header and one row, each with its newline. */
extern const char xl_list_header[];
int xl_list_row(const struct rivet_domain_info *info, char *buf, size_t size);
/* xl list's VCPUs: the vCPUs INFO may run (its available count), or runs if that is more. */
uint32_t xl_vcpus_online(const struct rivet_domain_info *info);
/* `xl vcpu-list`'s header and one row. */
extern const char xl_vcpu_header[];
int xl_vcpu_row(const char *name, uint32_t domid, uint32_t vcpu,
		const struct rivet_vcpu_info *vi, char *buf, size_t size);
/* A hart mask as xl prints affinities: "all", or "0-1,3". */
void xl_mask_string(uint64_t mask, char *buf, size_t size);

/* A domain list as the microvisor reports it, ascending ids (Dom0 first). */
struct xl_domains {
	struct rivet_domain_info *v;
	unsigned n;
};
int xl_domains_get(xc_handle *h, struct xl_domains *out);
void xl_domains_free(struct xl_domains *d);
/*
 * SPEC is a numeric id or a name. Returns the index into D, or -1 (no such
 * domain). A numeric spec is an id only: Xen's names never are all digits.
 */
int xl_domains_find(const struct xl_domains *d, const char *spec);
/* Parses a whole decimal number up to MAX; 0 or -1. */
int xl_parse_uint(const char *s, uint64_t max, uint64_t *out);

/* ---- xl_record.c: /run/rivet/domains/<domid>, what consoled needs to act on_* ---- */

#define XL_RECORD_MAX_ARGS 32
#define XL_RECORD_MAX      (1u << 20)   /* bytes in a record file: a sanity bound, no field limit */

#define XL_MAX_DISKS 8                 /* = DOMCFG_MAX_DISKS, the virtio slots */
#define XL_VDEV_MAX  8

#define XL_MAX_VIFS  XL_MAX_DISKS      /* disks and vifs share the 8 virtio slots */
#define XL_IFNAME_MAX 16               /* IFNAMSIZ */

/* One NIC of a domain: virtio-net in SLOT, over TAP on BRIDGE. */
struct xl_vif {
	unsigned slot, devid;            /* devid: its index in the config's vif list */
	uint8_t mac[6];
	char bridge[XL_IFNAME_MAX];
	char tap[XL_IFNAME_MAX];         /* vif<domid>.<devid>, or the config's vifname */
	unsigned ifindex;                /* the tap's, when xl created it (0: unknown) */
};

/* One disk of a domain, as the device model serves it. */
struct xl_disk {
	char vdev[XL_VDEV_MAX];          /* xvda, ... */
	unsigned slot;                   /* virtio-mmio slot */
	int readonly;
	char *path;                      /* absolute (realpath), heap */
};

/* Strings are on the heap, any length: init zeroes, xl_record_free frees. */
struct xl_record {
	char name[RIVET_NAME_LEN];
	char *config;                    /* absolute path of the config file */
	uint8_t on_poweroff, on_reboot, on_crash;  /* enum rivet_action */
	uint8_t on_watchdog;             /* the device model's watchdog expired */
	unsigned nr_args;                /* key=value overrides given to xl create */
	char *args[XL_RECORD_MAX_ARGS];
	/* The device model (domains with devices): 0 when it has none. */
	int dm_pid;
	int serial;
	int vconsole;                    /* a virtio console (console = 'virtio') */
	unsigned nr_disks;               /* in slot order */
	struct xl_disk disks[XL_MAX_DISKS];
	/* What xl dm-restart needs to start its successor ("dm=VCPUS,RAM_BASE,RAM_SIZE,INSTANCE"). */
	unsigned dm_vcpus;               /* 0: not recorded (no restart possible) */
	uint64_t dm_ram_base, dm_ram_size;
	uint64_t dm_instance;            /* this life's id: the state file must carry the same */
	int dm_restart;                  /* on_dm_crash = "restart" */
	/*
	 * The balloon ("mem=TARGET,MAX", bytes; domains with a device model):
	 * the target xl mem-set last asked for and the maximum (xl mem-max), as
	 * rivet-dm was told them. 0: not recorded (no balloon to steer).
	 */
	uint64_t mem_target, mem_max;
	unsigned nr_vifs;                /* in devid order */
	struct xl_vif vifs[XL_MAX_VIFS];
};

/* The run directory: $RIVET_RUN_DIR, else /run/rivet. */
const char *xl_run_dir(void);
struct sockaddr_un;
/* SA zeroed, then AF_UNIX and rivet-consoled's socket path; 0, or -1 if the path is too long. */
int xl_consoled_sockaddr(struct sockaddr_un *sa);
/* "<run dir>/domains/<domid>" into BUF. */
void xl_record_path(uint32_t domid, char *buf, size_t size);
const char *xl_action_name(uint8_t action);
/*
 * INFO's record into REC, initialized in any case (xl_record_free it): 1
 * when there is one and it names INFO (an id reused by another domain, or a
 * domain xl did not create, has none: 0).
 */
int xl_record_of(const struct rivet_domain_info *info, struct xl_record *rec);
/*
 * INFO as xl shows it: a domain whose device model is gone cannot do I/O,
 * so it is paused ('p') whatever the microvisor says.
 */
void xl_effective_info(const struct rivet_domain_info *info, struct rivet_domain_info *out);
/* REC's on_* for a shutdown REASON (RIVET_SHUTDOWN_*; anything else: destroy). */
uint8_t xl_record_action(const struct xl_record *rec, uint32_t reason);
void xl_record_init(struct xl_record *r);
void xl_record_free(struct xl_record *r);
/* Copies CONFIG / appends one override; 0, or -1 (out of memory, or too many args). */
int xl_record_set_config(struct xl_record *r, const char *config);
int xl_record_add_arg(struct xl_record *r, const char *arg);
/*
 * Sets the override KEY=VALUE in place of any earlier KEY= or KEY+= one, so
 * that a restart (xl create of the record) gets this value whatever the
 * config file says: xl rename's name, xl vcpu-set's count. 0, or -1 (out of
 * memory, or no room for one more override).
 */
int xl_record_set_arg(struct xl_record *r, const char *key, const char *value);
/* Appends a disk (PATH copied); 0, or -1 (out of memory, or XL_MAX_DISKS already). */
int xl_record_add_disk(struct xl_record *r, const char *vdev, unsigned slot, int readonly,
		       const char *path);
/* Appends a vif; 0, or -1 (XL_MAX_VIFS already, or names that do not fit). */
int xl_record_add_vif(struct xl_record *r, const struct xl_vif *v);
/* The text of a record in *TEXT (malloc'd, NUL-terminated); its length, or -1 with WHY. */
long xl_record_format(const struct xl_record *r, char **text, char *why);
/* Parses TEXT (NUL-terminated) into R (initialized; freed first); 0, or -1 with WHY (REASON_MAX). */
int xl_record_parse(const char *text, struct xl_record *r, char *why);
/* Writes / reads (as parse) / removes the record of DOMID; 0 or -1 with WHY. */
int xl_record_write(uint32_t domid, const struct xl_record *r, char *why);
int xl_record_read(uint32_t domid, struct xl_record *r, char *why);
void xl_record_remove(uint32_t domid);
/*
 * The lock of every read-modify-write of a running domain's record: an
 * flock on <run dir>/dm, which xl dm-restart and the on_dm_crash = "restart"
 * supervisor hold while they replace the device model and rewrite dm_pid=.
 * Never taken with another lock held. The fd to close, or -1 with WHY.
 */
int xl_record_lock(char *why);
/* Changes REC (0), or says why it cannot (-1, WHY): nothing is written then. */
typedef int xl_record_edit_fn(struct xl_record *rec, void *arg, char *why);
/*
 * INFO's record read, changed by EDIT and written back, all under
 * xl_record_lock, and only while the domain is still INFO's life (same id and
 * start_ns; without them, the same name) and neither shut down nor dying:
 * a record read before another writer's change, or before the domain went,
 * is never written back. The record must name REC_NAME (NULL: INFO's name;
 * xl rename: the old one). 1 written; 0 no such record (a boot-image
 * domain's, or another's: nothing to keep); -1 failed (WHY), nothing written.
 */
int xl_record_update(xc_handle *h, const struct rivet_domain_info *info, const char *rec_name,
		     xl_record_edit_fn *edit, void *arg, char *why);
/*
 * With xl_record_lock held: whether the domain is still INFO's life (as
 * xl_record_update asks) and not dying; shut down too unless SHUTDOWN_OK
 * (xl rename of a kept domain). 0, or -1 with WHY.
 */
int xl_record_same_life(xc_handle *h, const struct rivet_domain_info *info, int shutdown_ok, char *why);

/* ---- xl_dm.c: rivet-dm, the device model of a domain with devices ---- */

#define XL_DM_PROG        "rivet-dm"
#define XL_DM_FALLBACK    "/usr/sbin/rivet-dm"
#define XL_DM_READY_MS    10000   /* how long xl create waits for "ok" */
#define XL_DM_STOP_MS     5000    /* SIGTERM, then this long, then SIGKILL */
#define XL_DM_MAX_ARGS    (22 + 2 * XL_MAX_DISKS)

struct xl_dm_spec {
	uint32_t domid;
	const char *name;
	unsigned nr_vcpus;
	uint64_t ram_base, ram_size;
	int serial;
	unsigned nr_disks;               /* in slot order */
	const struct xl_disk *disks;
	int ready_fd;
	unsigned nr_vifs;                /* after the disks */
	const struct xl_vif *vifs;
	int vconsole;                    /* --console: a virtio console after the disks and vifs */
	uint64_t instance;               /* --instance: the life the state file belongs to */
	int resume;                      /* --resume: take over the state a predecessor left */
	uint64_t mem_target;             /* --mem-target: the balloon's first target (0: ram_size) */
};

/*
 * The command line of rivet-dm (the contract with tools/dm):
 *   PROG --domid ID --name NAME --vcpus N --ram-base GPA --ram-size BYTES
 *        [--serial] [--disk rw:PATH | --disk ro:PATH]...
 *        [--nic tap=TAP,mac=MAC]... [--console] [--instance ID [--resume]]
 *        [--mem-target BYTES] --ready-fd FD
 * GPA and ID in hex (0x...), the rest decimal. ARGV gets XL_DM_MAX_ARGS pointers at
 * most, NULL-terminated; the strings are on the heap (xl_dm_argv_free).
 * Returns the count, or -1 (out of memory, or too many devices).
 */
int xl_dm_argv(const struct xl_dm_spec *s, const char *prog, char **argv);
void xl_dm_argv_free(char **argv);
/*
 * The ready line in BUF (LEN bytes read so far): 1 for "ok\n", -1 for
 * "error: REASON\n" (REASON in WHY) or anything else, 0 while no newline
 * has come yet (and LEN is under 256).
 */
int xl_dm_ready_parse(const char *buf, size_t len, char *why);
/* 1 when CMDLINE (/proc/PID/cmdline: LEN bytes of NUL-separated words) is rivet-dm for DOMID. */
int xl_dm_cmdline_matches(const char *cmdline, size_t len, uint32_t domid);
/* 1 when PID is alive and is rivet-dm serving DOMID (a reused pid is not). */
int xl_dm_alive(int pid, uint32_t domid);
/*
 * Sends SIG to PID only if it is rivet-dm serving DOMID, through a pidfd, so
 * that a pid reused between the check and the signal is never hit. 0 sent,
 * -1 not (gone, or not that process).
 */
int xl_dm_signal(int pid, uint32_t domid, int sig);
/*
 * Starts rivet-dm ($RIVET_DM, else rivet-dm from PATH, else /usr/sbin/rivet-dm)
 * for S (its ready_fd is chosen here) and waits for its ready line. 0 with
 * *PID; -1 with the reason in WHY, the DM killed and reaped.
 */
int xl_dm_start(const struct xl_dm_spec *s, int *pid, char *why);
/*
 * Stops the DM of DOMID: SIGTERM when PID is still rivet-dm --domid DOMID,
 * up to XL_DM_STOP_MS for it to go, then SIGKILL. Reaps it if it is our
 * child. 0 when it is gone (or was not running), -1 if it would not go.
 */
int xl_dm_stop(int pid, uint32_t domid);

/*
 * Presses a key of the power button of domain INFO (its rivet-dm's,
 * docs/dm.md "The power button"): REQ is a DM_REQUEST_* of dm_request.h.
 * 0 pressed (whether the guest acts on it is its own business); 1 the
 * domain has no button (no device model of ours runs for it); -1 failed,
 * with WHY.
 */
int xl_dm_press(const struct rivet_domain_info *info, int req, char *why);
/* 1 when INFO is shut down and its record's on_* for that reason is preserve: it stays as it is. */
int xl_dm_preserved(const struct rivet_domain_info *info);
/* The instance id (--instance) of INFO's life as its record says, 0 when there is none. */
uint64_t xl_dm_instance(const struct rivet_domain_info *info);

/* The device model's state file (tools/dm/main/dm_state_file.c): "<run dir>/dm/<domid>.state". */
void xl_dm_state_path(uint32_t domid, char *buf, size_t size);
/* Removes it: the domain is destroyed (or its creation failed). */
void xl_dm_state_remove(uint32_t domid);
/* A new random instance id (never 0) for a domain's life. */
uint64_t xl_dm_new_instance(void);

/* ---- xl_dm_restart.c: a new device model for a running domain ---- */

#define XL_DM_RESTARTS_MAX    5        /* automatic restarts within XL_DM_RESTARTS_WINDOW_MS ... */
#define XL_DM_RESTARTS_WINDOW_MS 60000 /* ... before the supervisor gives up (the domain stays paused) */

enum xl_dm_restart_result {
	XL_DMR_DONE = 0,        /* a new device model serves, the domain runs */
	XL_DMR_NOT_NEEDED = 1,  /* ONLY_IF_PID was given and another one already took over */
	XL_DMR_GONE = 2,        /* the domain (this life of it) is gone or going: nothing to do */
	XL_DMR_FAILED = -1,     /* WHY says; the domain stays paused */
};
/*
 * Replaces DOMID's device model (serialized with every other restart by a
 * lock on <run dir>/dm): the domain is paused, the old rivet-dm stopped if
 * it still runs (SIGTERM: it leaves its state consistent), a new one
 * started with --resume and the recorded arguments, the record updated, the
 * domain unpaused. ONLY_IF_PID > 0: only if the record still names that
 * pid (an automatic restart after that one died); INSTANCE != 0: only for
 * that life of the domain. *NEW_PID: the device model that serves now.
 */
enum xl_dm_restart_result xl_dm_restart(xc_handle *h, uint32_t domid, int only_if_pid, uint64_t instance,
					int *new_pid, char *why);
/*
 * on_dm_crash = "restart": a small process, left by xl create, that waits
 * (pidfd, no polling) for DOMID's device model PID to exit and restarts it
 * while the domain lives; it ends with the domain. 0, or -1 (fork failed).
 */
int xl_dm_supervise(uint32_t domid, const char *name, int pid, uint64_t instance);

/* `xl block-list`: the header and one row (each with its newline). */
extern const char xl_block_header[];
int xl_block_row(const struct xl_disk *dk, char *buf, size_t size);

/* ---- xl_vif.c: a domain's NICs on Dom0's side: taps on bridges ---- */

/* A MAC in Xen's range: 00:16:3e, then 23 random bits (as Xen's libxl). */
void xl_vif_random_mac(uint8_t mac[6]);
void xl_vif_mac_string(const uint8_t mac[6], char out[18]);
/* 0 when BRIDGE is a bridge of Dom0; -1 with WHY. */
int xl_vif_bridge_check(const char *bridge, char *why);
/*
 * Creates tap NAME persistent (with a vnet header), gives it Xen's vif
 * address fe:ff:ff:ff:ff:ff, brings it up and adds it to BRIDGE; its index
 * in *IFINDEX. A stale tap of that name nobody holds is replaced. 0, or -1
 * with WHY and nothing left.
 */
int xl_vif_tap_create(const char *name, const char *bridge, unsigned *ifindex, char *why);
/* Removes tap NAME if it is still the one of IFINDEX (0: whichever) and nobody holds it; 0 or -1. */
int xl_vif_tap_remove(const char *name, unsigned ifindex);
/* The taps of V[0..N), each as xl_vif_tap_remove; failures are said. */
void xl_vif_remove_all(const struct xl_vif *v, unsigned n);
/* `xl network-list`: the header and one row (each with its newline). */
extern const char xl_network_header[];
int xl_network_row(const struct xl_vif *v, char *buf, size_t size);

/* ---- xl_create.c: config -> load plan -> a running domain ---- */

#define XL_MAX_OVERRIDES XL_RECORD_MAX_ARGS

struct xl_load {
	uint64_t gpa;
	const uint8_t *data;        /* file bytes, or NULL when FILE_SIZE is 0 */
	uint64_t file_size;
	uint64_t mem_size;          /* zeroes from file_size up to here */
	const char *what;           /* "kernel", "ramdisk", "device tree" */
};

struct xl_plan {
	char cfg_path[PATH_MAX];    /* absolute */
	struct rivet_domain_config cfg;   /* on_*: the toolstack's actions (xl_plan_run maps them) */
	uint8_t on_watchdog;        /* enum rivet_action: the toolstack's alone */
	uint64_t entry_gpa, dtb_gpa;
	unsigned nr_loads;
	struct xl_load loads[RIVET_MAX_LOADS];
	unsigned line_name, line_memory, line_vcpus;  /* for messages; 0 when absent */
	uint32_t online_vcpus;      /* vcpus: available at start; cfg.nr_vcpus is maxvcpus */
	uint64_t mem_target;        /* memory: the balloon's first target (cfg.max_bytes is maxmem) */
	/* Devices: a device model serves them (rivet-dm). */
	int serial;
	int vconsole;               /* console = 'virtio' */
	int dm_restart;             /* on_dm_crash = "restart" */
	unsigned nr_disks;          /* in slot order; paths absolute */
	struct xl_disk disks[XL_MAX_DISKS];
	unsigned nr_vifs;           /* MACs chosen, bridges checked; tap "" until xl_plan_run names it */
	struct xl_vif vifs[XL_MAX_VIFS];
	unsigned line_vif;
	int start_paused;           /* xl create -p: paused before its vCPU 0 starts */
	unsigned nr_vcpu_masks;     /* cpus = [...]: vCPU i pinned to vcpu_masks[i] after creation */
	uint64_t vcpu_masks[RIVET_MAX_VCPUS];
	unsigned line_cpus;
	int has_sched;              /* cpu_weight/cap or period/slice given: sched applies */
	struct rivet_sched_params sched;
	unsigned line_sched;
	/* What the loads point into. */
	uint8_t *cfg_text, *kernel, *ramdisk, *dtb;
	size_t kernel_len, ramdisk_len, dtb_len;
};

/*
 * Everything `xl create` decides before it touches the microvisor: reads
 * CFG_PATH, applies the NR key=value OVERRIDES (a key given there replaces
 * the file's), loads kernel and ramdisk, builds the device tree with
 * TIMEBASE_HZ (and Zicboz, if CBOZ_BLOCK: the host's block size) and
 * places it all. 0, or -1 with one line in D.
 */
/* RIVET_XL_TRACE=1: one stderr line per phase of a create, with its time (docs/bench.md). */
void xl_trace(const char *phase);
int xl_plan_build(const char *cfg_path, char *const overrides[], unsigned nr,
		  uint64_t timebase_hz, uint32_t cboz_block, struct xl_plan *p, struct diag *d);
void xl_plan_free(struct xl_plan *p);
/*
 * Creates the domain, populates its RAM, copies the loads in, writes its
 * record and starts vCPU 0. On failure the domain is destroyed again and
 * D holds the line; 0 with *DOMID otherwise.
 */
int xl_plan_run(xc_handle *h, const struct xl_plan *p, char *const overrides[], unsigned nr,
		uint32_t *domid, struct diag *d);

/* 1 when the plan's domain needs a device model. */
static inline int xl_plan_has_devices(const struct xl_plan *p)
{
	return p->serial || p->nr_disks > 0 || p->nr_vifs > 0 || p->vconsole;
}
/*
 * A disk's file, checked before anything is created: PATH (as resolved from
 * the config) must exist, be a regular file or a block device, and for rw be
 * writable (a write permission bit set, and openable for writing: not on a
 * read-only mount). Its realpath into ABS (PATH_MAX). 0, or -1 with WHY.
 */
int xl_disk_check(const char *path, int readonly, char *abs, char *why);

/* `xl create`'s arguments: [-c] [-n] [-q] [-f FILE | FILE] [key=value ...]. */
struct xl_create_opts {
	int console, dry_run, quiet;
	int paused;                 /* -p: left paused (xl unpause starts it) */
	int verbose;                /* -V: the plan is printed, then carried out */
	int foreground;             /* -F: xl waits until the domain is gone */
	const char *file;
	unsigned nr_ov;
	char *ov[XL_MAX_OVERRIDES];
};
/* 0, or -1 with the reason in D (the caller prints the usage line). */
int xl_create_args(int argc, char **argv, struct xl_create_opts *o, struct diag *d);
/* `xl create -n`: what would be done, one line per item. */
void xl_plan_print(const struct xl_plan *p, FILE *out);

/* ---- xl_dumpcore.c: a domain's ELF core file (xl_core.c writes it) ---- */

#define XL_DUMP_DIR "/var/lib/rivet/dump"   /* on_* = coredump-*: where rivet-consoled writes */

struct xl_dump_result {
	uint64_t ram_bytes;              /* guest RAM in the file */
	unsigned nr_vcpus, nr_vsegs;     /* notes, virtual segments (the guest kernel's mappings) */
	int walk_truncated;              /* its page table hit a bound of xl_core_walk */
	int ram_incomplete;              /* some RAM could not be mapped (out of map slots or window) */
	uint64_t ram_missing_bytes;      /* how much of it */
};
/*
 * Writes DOMID's core to PATH.partial, fsyncs it and only then renames it
 * PATH (EXCLUSIVE: never over an existing file, else replacing it), so
 * that a file at PATH is always a whole core. The domain must not be able
 * to run (paused, shut down): the registers come from VCPU_GETCONTEXT. 0
 * with RES, or -1 with WHY and no file left behind.
 */
int xl_dump_core(xc_handle *h, uint32_t domid, const char *path, int exclusive,
		 struct xl_dump_result *res, char *why, size_t why_size);
/* PATH's name while it is written ("PATH.partial") into BUF; 0, or -1 if it does not fit. */
int xl_dump_partial_path(const char *path, char *buf, size_t size);
/* $RIVET_DUMP_DIR, else XL_DUMP_DIR. */
const char *xl_dump_dir(void);
/*
 * Removes the dump directory's "*.core.partial" files: the cores of
 * writers that died half-way (rivet-consoled at start, none of its own
 * running yet). Returns how many, or -1 if the directory cannot be read.
 */
int xl_dump_remove_partials(void);
/*
 * rivet-consoled keeps this many cores of one domain name (the newest), so
 * that a guest crashing in a loop with coredump-restart cannot fill Dom0's
 * disk (Xen keeps one: it overwrites /var/lib/xen/dump/NAME).
 */
#define XL_DUMP_KEEP 3
/*
 * Removes NAME's cores in the dump directory but the newest KEEP - 1 (room
 * for one more); only files of xl_dump_path()'s exact form for NAME (never
 * a .partial one, which may be being written). Returns
 * how many were removed, or -1 if the directory cannot be read.
 */
int xl_dump_prune(const char *name, unsigned keep);
/* "<dump dir>/NAME.DOMID.YYYYmmdd-HHMMSS.core" (UTC) into BUF; 0, or -1 if it does not fit. */
int xl_dump_path(const char *name, uint32_t domid, time_t when, char *buf, size_t size);

/* ---- commands ---- */
int xl_cmd_dump_core(xc_handle *h, int argc, char **argv);
int xl_cmd_create(xc_handle *h, int argc, char **argv);
int xl_cmd_list(xc_handle *h, int argc, char **argv);
int xl_cmd_destroy(xc_handle *h, int argc, char **argv);
int xl_cmd_pause(xc_handle *h, int argc, char **argv);
int xl_cmd_unpause(xc_handle *h, int argc, char **argv);
int xl_cmd_shutdown(xc_handle *h, int argc, char **argv);
int xl_cmd_reboot(xc_handle *h, int argc, char **argv);
int xl_cmd_trigger(xc_handle *h, int argc, char **argv);
int xl_cmd_sched_credit2(xc_handle *h, int argc, char **argv);
int xl_cmd_sched_rtds(xc_handle *h, int argc, char **argv);
int xl_cmd_sysrq(xc_handle *h, int argc, char **argv);
/* xl_mem.c: the balloon. */
int xl_cmd_mem_set(xc_handle *h, int argc, char **argv);
int xl_cmd_mem_max(xc_handle *h, int argc, char **argv);
/* A memory size as Xen's xl takes it: a number with t, g, m (default), k or b; KiB, or -1. */
int64_t xl_parse_mem_kb(const char *s);
int xl_cmd_info(xc_handle *h, int argc, char **argv);
int xl_cmd_dmesg(xc_handle *h, int argc, char **argv);
int xl_cmd_vcpu_list(xc_handle *h, int argc, char **argv);
int xl_cmd_vcpu_pin(xc_handle *h, int argc, char **argv);
int xl_cmd_vcpu_set(xc_handle *h, int argc, char **argv);
int xl_cmd_console(xc_handle *h, int argc, char **argv);
int xl_cmd_block_list(xc_handle *h, int argc, char **argv);
int xl_cmd_dm_restart(xc_handle *h, int argc, char **argv);
int xl_cmd_network_list(xc_handle *h, int argc, char **argv);
int xl_cmd_domid(xc_handle *h, int argc, char **argv);
int xl_cmd_domname(xc_handle *h, int argc, char **argv);
/* ---- xl_info_cmds.c: list -l/-v, info -n, dmesg -c, uptime, rename, top, debug-keys ---- */
int xl_cmd_list_opts(xc_handle *h, int argc, char **argv);
int xl_cmd_info_opts(xc_handle *h, int argc, char **argv);
int xl_cmd_dmesg_opts(xc_handle *h, int argc, char **argv);
int xl_cmd_destroy_opts(xc_handle *h, int argc, char **argv);
int xl_cmd_console_opts(xc_handle *h, int argc, char **argv);
int xl_cmd_uptime(xc_handle *h, int argc, char **argv);
int xl_cmd_rename(xc_handle *h, int argc, char **argv);
int xl_cmd_top(xc_handle *h, int argc, char **argv);
int xl_cmd_debug_keys(xc_handle *h, int argc, char **argv);
/* A domain name as DOMAIN_CREATE / DOMAIN_RENAME take it (and not all digits); 0, or -1 with WHY. */
int xl_name_check(const char *name, char *why);
/* S as a JSON string, quoted and escaped; bytes that are not UTF-8 become \u00XX. */
void xl_json_string(FILE *f, const char *s);
/* Xen's uptime_to_string: "[N day[s], ]hh:mm:ss" (short: without the seconds). */
void xl_uptime_string(uint64_t secs, int short_mode, char *buf, size_t size);
/* list -v: the columns after Time(s) in the header, and a whole row (with its newline). */
extern const char xl_list_verbose_extra[];
int xl_list_verbose_row(const struct rivet_domain_info *info, char *buf, size_t size);
/* list -v / -Z / -c / -n: Xen's extra columns (header and row, each with its newline). */
#define XL_LIST_VERBOSE 1u
#define XL_LIST_CONTEXT 2u   /* -Z: the security label */
#define XL_LIST_CPUPOOL 4u
#define XL_LIST_NUMA    8u
void xl_list_header_opts(unsigned opts, char *buf, size_t size);
int xl_list_row_opts(const struct rivet_domain_info *info, unsigned opts, char *buf, size_t size);
/* xentop's state letters "dsbcpr", '-' where unset. */
void xl_top_state(const struct rivet_domain_info *info, char out[7]);
/* xl top's header and one row: CPU(%) from PREV (the same domain's last sample, or NULL). */
extern const char xl_top_header[];
int xl_top_row(const struct rivet_domain_info *now, const struct rivet_domain_info *prev,
	       uint64_t total_bytes, unsigned nets, unsigned vbds, char *buf, size_t size);

/*
 * Attaches the terminal to DOMID's consoles through rivet-consoled: CON
 * NULL for all of them, else one of "sbi", "serial", "virtio"
 * (consoled_proto.h).
 */
int xl_console_attach(uint32_t domid, const char *name, const char *con);
/* 1 when rivet-consoled accepts connections on its socket. */
int xl_consoled_running(void);

struct xl_command {
	const char *name;
	int (*fn)(xc_handle *h, int argc, char **argv);
	int needs_xc;
	const char *usage;
	const char *help;
};
extern const struct xl_command xl_commands[];
const struct xl_command *xl_command_find(const char *name);
/* Prints "Usage: xl CMD USAGE" to stderr and returns XL_EXIT_FAIL. */
int xl_usage(const struct xl_command *c);

#endif
