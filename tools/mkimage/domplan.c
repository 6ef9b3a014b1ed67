/* SPDX-License-Identifier: MIT */
/* domplan.c: a domain's device tree and the placement of its boot modules. */
#include <stdint.h>

#include "domfdt.h"
#include "domplan.h"
#include "bootimg.h"
#include "libfdt.h"

static int set_timebase(void *dtb, uint64_t hz)
{
	int off = fdt_path_offset(dtb, "/cpus");

	if (!hz || hz > UINT32_MAX)
		return -1;
	return off < 0 ? off : fdt_setprop_inplace_u32(dtb, off, "timebase-frequency", (uint32_t)hz);
}

/* preserve and rename-restart: a domain left shut down, which only Dom0's toolstack can end. */
static int toolstack_only(uint8_t action)
{
	return (action & (uint8_t)~RIVET_ACTION_COREDUMP) > RIVET_ACTION_RESTART;
}

int domplan_build(const struct domplan_req *rq, void *dtb, size_t dtb_size, struct domplan *out,
		  struct diag *d)
{
	const struct domcfg *dc = rq->dc;
	const struct kimage *k = rq->k;
	struct layout_seg lsegs[KIMAGE_MAX_SEGS];
	struct domfdt_params fp;
	struct layout_req req;
	uint64_t kernel_bytes = 0;
	unsigned i;
	int size, size2;

	/* A boot-time domain has no Dom0 to run its device model. */
	if (domcfg_has_devices(dc) && !rq->devices_ok)
		return diag_fail(d, rq->cfg_path,
				 dc->nr_disks ? dc->line_disk : dc->nr_vifs ? dc->line_vif :
				 dc->serial ? dc->line_serial : dc->line_console,
				 dc->nr_disks ? "disk" : dc->nr_vifs ? "vif" : dc->serial ? "serial" : "console",
				 "boot-image domains cannot have devices (no Dom0 runs a device model "
				 "for them); create this domain with xl create in Dom0");
	/* Only rivet-consoled leaves a domain shut down: the microvisor destroys or restarts its own. */
	if ((toolstack_only(dc->on_poweroff) || toolstack_only(dc->on_reboot) ||
	     toolstack_only(dc->on_crash)) && !rq->devices_ok)
		return diag_fail(d, rq->cfg_path, dc->line_preserve, "on_*",
				 "\"preserve\" and \"rename-restart\" are for xl create only (nothing could "
				 "inspect or destroy a boot-image domain kept shut down); use destroy or restart");
	/* A core file is rivet-consoled's to write, in Dom0. */
	if (((dc->on_poweroff | dc->on_reboot | dc->on_crash) & RIVET_ACTION_COREDUMP) && !rq->devices_ok)
		return diag_fail(d, rq->cfg_path, dc->line_coredump, "on_*",
				 "\"coredump-*\" is for xl create only (Dom0's rivet-consoled writes the core "
				 "file); use destroy or restart");
	/* Only xl create can make vCPUs available later (xl vcpu-set): a boot image has no Dom0 to. */
	if (dc->online_vcpus != dc->nr_vcpus && !rq->devices_ok)
		return diag_fail(d, rq->cfg_path, dc->line_maxvcpus, "maxvcpus",
				 "a boot-image domain runs all its vCPUs (no Dom0 could raise the count with "
				 "xl vcpu-set): maxvcpus (%u) must equal vcpus (%u)", dc->nr_vcpus,
				 dc->online_vcpus);
	/* devices_ok is xl create: the boot image's format has one hart mask for all vCPUs. */
	if (dc->nr_vcpu_masks && !rq->devices_ok)
		return diag_fail(d, rq->cfg_path, dc->line_cpus, "cpus",
				 "per-vCPU lists are for xl create only (a boot image has one mask for all "
				 "vCPUs); give one string, like \"0-1\"");
	/* The tree's size does not depend on the initrd addresses: measure, place, build. */
	fp = (struct domfdt_params){ .nr_vcpus = dc->nr_vcpus, .ram_base = RIVET_GUEST_RAM_BASE,
				     .ram_size = domcfg_ram_bytes(dc), .bootargs = dc->cmdline,
				     .has_initrd = dc->ramdisk != NULL, .name = dc->name,
				     .hypervisor_node = rq->hypervisor_node,
				     .devices = domcfg_has_devices(dc), .serial = dc->serial,
				     /* Every rivet-dm has both (docs/dm.md "The power button", "The watchdog"). */
				     .power_button = domcfg_has_devices(dc),
				     .watchdog = domcfg_has_devices(dc),
				     .balloon = domcfg_has_devices(dc),
				     /* mkimage's are fitted to the host at load (see DOMFDT_CBOZ_BLOCK). */
				     .cboz_block = rq->set_timebase ? rq->cboz_block : DOMFDT_CBOZ_BLOCK };
	size = domfdt_build(&fp, dtb, dtb_size);
	if (size < 0)
		return diag_fail(d, rq->cfg_path, 0, NULL,
				 "cannot build the device tree (libfdt error %d)", size);
	for (i = 0; i < k->nr_segs; i++) {
		lsegs[i] = (struct layout_seg){ k->segs[i].gpa, k->segs[i].mem_size };
		kernel_bytes += k->segs[i].mem_size;
	}
	req = (struct layout_req){ RIVET_GUEST_RAM_BASE, domcfg_ram_bytes(dc), lsegs, k->nr_segs,
				   rq->ramdisk_len, (uint64_t)size };
	if (layout_place(&req, &out->lay) < 0)
		return diag_fail(d, rq->cfg_path, rq->line_memory, "memory",
				 "%llu MiB is too small for the kernel (%llu bytes), ramdisk (%zu bytes) and device tree",
				 (unsigned long long)(domcfg_ram_bytes(dc) >> 20),
				 (unsigned long long)kernel_bytes, rq->ramdisk_len);
	fp.initrd_start = out->lay.ramdisk_gpa;
	fp.initrd_end = out->lay.ramdisk_gpa + rq->ramdisk_len;
	size2 = domfdt_build(&fp, dtb, dtb_size);
	if (size2 != size)
		return diag_fail(d, rq->cfg_path, 0, NULL, "device tree changed size (%d, then %d)",
				 size, size2);
	if (rq->set_timebase && set_timebase(dtb, rq->timebase_hz) < 0)
		return diag_fail(d, rq->cfg_path, 0, NULL,
				 "cannot set the timebase (%llu Hz) in the device tree",
				 (unsigned long long)rq->timebase_hz);
	out->dtb_len = (size_t)size;
	return 0;
}
