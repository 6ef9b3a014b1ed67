// SPDX-License-Identifier: MIT
/*
 * dm_machine.c: the machine rivet-dm emulates for its DomU, laid out as
 * QEMU's virt: the PLIC, the 16550 UART (--serial) and eight virtio-mmio
 * slots, disk i in slot i, then the NICs, then the virtio console
 * (--console), the rest empty (DeviceID 0); then the power button in a
 * ninth slot (DM_BUTTON_SLOT) and the balloon in a tenth (DM_BALLOON_SLOT);
 * the watchdog at DW_WDT_BASE, with no interrupt line. Interrupts: slot n
 * drives PLIC source n + 1, the UART source 10, the balloon 11; the PLIC's S-mode context
 * 2n + 1 is vCPU n's VSEIP (xc_ioreq_set_irq), its M-mode contexts are
 * wired to nothing.
 */
#include <stdio.h>
#include <stdlib.h>

#include "dm.h"
#include "dm_log.h"

/*
 * PLIC output of context CONTEXT changed: vCPU context / 2's external
 * interrupt line follows it, with a hypercall only on a change. A failed
 * call forgets the level, and the once-a-second tick sets it again.
 */
static void plic_line(void *opaque, unsigned context, int level)
{
	struct dm *dm = opaque;
	unsigned vcpu = PLIC_CONTEXT_VCPU(context);

	if (!(context & 1) || vcpu >= dm->args.vcpus)
		return;
	level = !!level;
	/*
	 * Its claim reads 0 exactly while the line is low: the microvisor may
	 * answer that itself, even with posted writes still in the ring. Some of
	 * those can raise the line once applied (a completion re-pending a level
	 * source, a transmit byte making THRE pending, a queue notify completing
	 * requests); their interrupt then arrives a little later, as a device's
	 * would. Before the hypercall: once the line is up, no claim is told 0.
	 */
	dm_ioreq_cache_set(&dm->io, dm->cache_claim[vcpu], 0, !level, 1);
	if (dm->irq_level[vcpu] == level)
		return;
	int rc = xc_ioreq_set_irq(dm->xc, dm->args.domid, vcpu, level);
	if (rc < 0) {
		dm->irq_level[vcpu] = -1;
		if (dm->irq_errors++ % 1000 == 0)
			dm_log("cannot set vCPU %u's interrupt line to %d: %s (%llu failures)", vcpu,
			       level, xc_strerror(rc), (unsigned long long)dm->irq_errors);
		return;
	}
	dm->irq_level[vcpu] = (int8_t)level;
}

/* The S-context enable word at PLIC offset OFF, if the cache keeps it: its vCPU and word. */
static int enable_word(const struct dm *dm, uint64_t off, unsigned *vcpu, unsigned *word)
{
	for (unsigned v = 0; v < dm->args.vcpus; v++) {
		uint64_t base = PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * PLIC_S_CONTEXT(v);
		if (off >= base && off < base + 4 * PLIC_WORDS) {
			*vcpu = v;
			*word = (unsigned)((off - base) / 4);
			return 1;
		}
	}
	return 0;
}

static void cache_enable_word(struct dm *dm, unsigned v, unsigned w)
{
	uint64_t off = PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * PLIC_S_CONTEXT(v) + 4 * w;
	uint32_t val = (uint32_t)plic_mmio_ops.read(&dm->plic, off, 4);
	/* Enables change only by the guest's synchronous writes, never by a posted one. */
	dm_ioreq_cache_set(&dm->io, dm->cache_enable[v][w], val, 1, 1);
}

/* The PLIC as the bus sees it: its own model, and the cache kept in step before any answer. */
static uint64_t plic_bus_read(void *dev, uint64_t off, unsigned size)
{
	struct dm *dm = dev;
	return plic_mmio_ops.read(&dm->plic, off, size);
}

static void plic_bus_write(void *dev, uint64_t off, unsigned size, uint64_t value)
{
	struct dm *dm = dev;
	unsigned v, w;
	plic_mmio_ops.write(&dm->plic, off, size, value);
	if (enable_word(dm, off, &v, &w))
		cache_enable_word(dm, v, w);
}

static const struct dm_mmio_ops plic_bus_ops = { plic_bus_read, plic_bus_write };

/*
 * LSR can be answered from the cache while reading it would clear no error
 * bit and the UART is not in loopback, where a transmit byte (posted, maybe
 * being applied right now) becomes input. Otherwise a pending transmit byte
 * cannot change it (ANYRING): a driver that polls THRE saves a round trip a
 * burst.
 */
void dm_machine_cache_uart(struct dm *dm)
{
	uint8_t lsr;
	int loopback;
	if (!dm->args.serial)
		return;
	int quiet = uart_lsr_peek(&dm->uart, &lsr, &loopback);
	dm_ioreq_cache_set(&dm->io, dm->cache_lsr, lsr, quiet && !loopback, 1);
}

static uint64_t uart_bus_read(void *dev, uint64_t off, unsigned size)
{
	struct dm *dm = dev;
	uint64_t v = uart_mmio_ops.read(&dm->uart, off, size);
	dm_machine_cache_uart(dm);
	return v;
}

static void uart_bus_write(void *dev, uint64_t off, unsigned size, uint64_t value)
{
	struct dm *dm = dev;
	uart_mmio_ops.write(&dm->uart, off, size, value);
	dm_machine_cache_uart(dm);
}

static const struct dm_mmio_ops uart_bus_ops = { uart_bus_read, uart_bus_write };

/* The UART's interrupt: LSR in the cache first (input arrived), so the guest's handler reads it new. */
static void uart_irq(void *ctx, unsigned source, int level)
{
	struct dm *dm = ctx;
	dm_machine_cache_uart(dm);
	plic_set_irq(&dm->plic, source, level);
}

void dm_machine_cache_init(struct dm *dm)
{
	for (unsigned v = 0; v < dm->args.vcpus; v++) {
		unsigned ctx = PLIC_S_CONTEXT(v);
		for (unsigned w = 0; w < PLIC_WORDS; w++) {
			dm->cache_enable[v][w] = dm_ioreq_cache_add(&dm->io, PLIC_BASE + PLIC_ENABLE_BASE +
								    PLIC_ENABLE_STRIDE * ctx + 4 * w, 4);
			cache_enable_word(dm, v, w);
		}
		dm->cache_claim[v] = dm_ioreq_cache_add(&dm->io, PLIC_BASE + PLIC_CONTEXT_BASE +
							PLIC_CONTEXT_STRIDE * ctx + PLIC_CTX_CLAIM, 4);
		dm_ioreq_cache_set(&dm->io, dm->cache_claim[v], 0, !plic_ctx_level(&dm->plic, ctx), 1);
	}
	if (dm->args.serial) {
		/* Byte reads only: Linux's 8250 with reg-io-width 1. */
		dm->cache_lsr = dm_ioreq_cache_add(&dm->io, UART_BASE + UART_LSR, 1);
		dm_machine_cache_uart(dm);
	}
}

void dm_machine_resume(struct dm *dm)
{
	if (!dm->state.resumed)
		return;
	if (dm->args.serial)
		uart_resume(&dm->uart);
	for (unsigned n = 0; n < DM_NR_SLOTS; n++)
		virtio_mmio_resume(&dm->slot[n], dm->was_clean);
	/* A completion the dead process had not taken from the ring would hold its source for good. */
	if (!dm->was_clean)
		plic_recover(&dm->plic);
	/* Every vCPU's line as the PLIC says (irq_level starts unknown), the claim cache with it. */
	dm_machine_resync_irqs(dm);
}

/* The watchdog's clock, and what rivet-dm does when it runs out. */
static int64_t wdt_now(void *ctx)
{
	(void)ctx;
	return dm_now_ns();
}

static int wdt_expired(void *ctx)
{
	struct dm *dm = ctx;
	struct rivet_domain_info info;
	/*
	 * Paused since the last tick looked: its count stands still, so not
	 * now; the next ticks hold it for as long as the pause lasts.
	 */
	if (xc_domain_getinfo(dm->xc, dm->args.domid, &info) >= 0 && info.domid == dm->args.domid &&
	    (info.state & RIVET_DOMSTATE_PAUSED))
		return -1;
	int rc = xc_domain_shutdown(dm->xc, dm->args.domid, RIVET_SHUTDOWN_WATCHDOG);
	if (rc < 0) {
		dm_log("the watchdog expired, but domain %u cannot be stopped: %s; trying again",
		       dm->args.domid, xc_strerror(rc));
		return -1;
	}
	dm_log("the watchdog expired (%llu kicks before): domain %u stopped for its on_watchdog",
	       (unsigned long long)dm->wdt.st->kicks, dm->args.domid);
	return 0;
}

int64_t dm_machine_watchdog(struct dm *dm, int paused)
{
	/* The clock only on a tick: the loop's own look costs nothing while the watchdog is off. */
	if (paused >= 0) {
		int64_t now = dm_now_ns();
		if (paused)
			dw_wdt_hold(&dm->wdt, now - dm->wdt_tick_ns);
		dm->wdt_tick_ns = now;
	}
	int64_t ns = dw_wdt_check(&dm->wdt);
	return ns < 0 ? -1 : (ns + 999999) / 1000000;
}

void dm_machine_resync_irqs(struct dm *dm)
{
	for (unsigned v = 0; v < dm->args.vcpus; v++)
		if (dm->irq_level[v] < 0)
			plic_line(dm, PLIC_S_CONTEXT(v), plic_ctx_level(&dm->plic, PLIC_S_CONTEXT(v)));
}

/* The balloon's machine side: MEMORY_RECLAIM / MEMORY_RESTORE of the DomU's pages. */
static int balloon_answer(int rc)
{
	return rc == 0 ? VIRTIO_BALLOON_HOST_OK : rc == XC_EFAULT ? VIRTIO_BALLOON_HOST_ABSENT :
	       rc == XC_EEXIST ? VIRTIO_BALLOON_HOST_PRESENT : VIRTIO_BALLOON_HOST_FAILED;
}

static int balloon_reclaim(void *ctx, uint64_t gpa, uint64_t nr)
{
	struct dm *dm = ctx;
	return balloon_answer(xc_memory_reclaim(dm->xc, dm->args.domid, gpa, nr));
}

static int balloon_restore(void *ctx, uint64_t gpa, uint64_t nr)
{
	struct dm *dm = ctx;
	int rc = xc_memory_restore(dm->xc, dm->args.domid, gpa, nr);
	if (rc < 0 && rc != XC_EEXIST)
		dm_log("balloon: cannot give back %llu pages at %#llx: %s", (unsigned long long)nr,
		       (unsigned long long)gpa, xc_strerror(rc));
	return balloon_answer(rc);
}

static int balloon_reclaim_list(void *ctx, const uint64_t *gpas, uint64_t nr)
{
	struct dm *dm = ctx;
	return balloon_answer(xc_memory_reclaim_list(dm->xc, dm->args.domid, gpas, nr));
}

/* Refused, the pages are tried one by one, which logs what fails for good. */
static int balloon_restore_list(void *ctx, const uint64_t *gpas, uint64_t nr)
{
	struct dm *dm = ctx;
	return balloon_answer(xc_memory_restore_list(dm->xc, dm->args.domid, gpas, nr));
}

/*
 * The balloon in its slot, its state and its map of the pages out in the
 * arena; every device's view of the RAM then skips those (mem.holes). Bound
 * after the transport's reset, which would give a resumed map's pages back.
 */
static int build_balloon(struct dm *dm, char *err, size_t errlen)
{
	struct dm_state *st = &dm->state;
	struct dm_irq irq;
	const struct virtio_balloon_host host = { balloon_reclaim, balloon_restore, dm, balloon_reclaim_list,
						   balloon_restore_list };
	uint64_t pages = dm->args.ram_size / XC_PAGE_SIZE;

	if (virtio_balloon_init(&dm->balloon, &host, dm->args.ram_base, pages,
				dm->args.mem_target / XC_PAGE_SIZE) < 0) {
		snprintf(err, errlen, "out of memory for the balloon's map");
		return -1;
	}
	plic_irq_init(&irq, &dm->plic, DM_BALLOON_IRQ);
	virtio_mmio_init(&dm->slot[DM_BALLOON_SLOT], &dm->mem, irq, &dm->balloon.vdev);
	uint64_t *map = dm_state_slice(st, "balloon-map", virtio_balloon_map_bytes(pages));
	if (virtio_balloon_bind_state(&dm->balloon, DM_STATE_SLICE(st, "balloon", struct virtio_balloon_state),
				      map, st->resumed) < 0) {
		snprintf(err, errlen, "the state file's balloon has another RAM size");
		return -1;
	}
	if (virtio_mmio_bind_state(&dm->slot[DM_BALLOON_SLOT],
				   DM_STATE_SLICE(st, "virtio-balloon", struct virtio_mmio_state), st->resumed) < 0) {
		snprintf(err, errlen, "the state file's balloon slot holds another device");
		return -1;
	}
	dm->mem.holes = dm->balloon.map;
	return 0;
}

int dm_machine_build(struct dm *dm, char *err, size_t errlen)
{
	struct dm_irq irq;

	struct dm_state *st = &dm->state;
	int resumed = st->resumed;
	char name[24];

	dm_bus_init(&dm->bus);
	for (unsigned v = 0; v < DM_MAX_VCPUS; v++)
		dm->irq_level[v] = -1;
	plic_init(&dm->plic, dm->args.vcpus, plic_line, dm);
	dm->vcons_slot = dm->args.nr_disks + dm->args.nr_nics;   /* the first slot after the disks and NICs */
	/* Each device's state into its slice of the arena (dm_state.h): one line per device. */
	if (plic_bind_state(&dm->plic, DM_STATE_SLICE(st, "plic", struct plic_state), resumed) < 0) {
		snprintf(err, errlen, "the state file's PLIC has another number of vCPUs");
		return -1;
	}
	dm->cache_lsr = -1;
	for (unsigned v = 0; v < DM_MAX_VCPUS; v++) {
		dm->cache_claim[v] = -1;
		for (unsigned w = 0; w < PLIC_WORDS; w++)
			dm->cache_enable[v][w] = -1;
	}
	if (dm_bus_add(&dm->bus, PLIC_BASE, PLIC_SIZE, &plic_bus_ops, dm, "plic") < 0)
		goto bus;
	if (dm->args.serial) {
		irq = (struct dm_irq){ .set = uart_irq, .ctx = dm, .source = UART_IRQ };
		uart_init(&dm->uart, &irq, dm_console_tx, &dm->con);
		uart_bind_state(&dm->uart, DM_STATE_SLICE(st, "uart", struct uart16550_state), resumed);
		if (dm_bus_add(&dm->bus, UART_BASE, UART_SIZE, &uart_bus_ops, dm, "uart") < 0)
			goto bus;
	}
	for (unsigned n = 0; n < DM_VIRTIO_SLOTS; n++) {
		const struct virtio_dev *vdev = NULL;
		if (n < dm->args.nr_disks) {
			dm->blk[n] = calloc(1, sizeof *dm->blk[n]);
			if (!dm->blk[n]) {
				snprintf(err, errlen, "out of memory for disk %u", n);
				return -1;
			}
			/* No serial, as QEMU without serial=: GET_ID answers an empty id. */
			virtio_blk_init(dm->blk[n], dm->disk_fd[n], dm->disk_size[n],
					dm->args.disk[n].readonly, "");
			vdev = &dm->blk[n]->vdev;
		} else if (n < dm->args.nr_disks + dm->args.nr_nics) {
			struct dm_nic *nic = &dm->nic[n - dm->args.nr_disks];
			nic->slot = n;
			snprintf(name, sizeof name, "net%u", n - dm->args.nr_disks);
			if (virtio_net_bind_state(nic->dev, DM_STATE_SLICE(st, name, struct virtio_net_state),
						  resumed) < 0) {
				snprintf(err, errlen, "the state file's NIC %u has another MAC (another device layout)",
					 n - dm->args.nr_disks);
				return -1;
			}
			vdev = &nic->dev->vdev;
		} else if (dm->args.console && n == dm->vcons_slot) {
			dm->vcons = calloc(1, sizeof *dm->vcons);
			if (!dm->vcons) {
				snprintf(err, errlen, "out of memory for the console");
				return -1;
			}
			virtio_console_init(dm->vcons, &dm_console_virtio_io, &dm->vcon);
			virtio_console_bind_state(dm->vcons, DM_STATE_SLICE(st, "vconsole",
									  struct virtio_console_state), resumed);
			vdev = &dm->vcons->vdev;
		}
		plic_irq_init(&irq, &dm->plic, DM_VIRTIO_IRQ(n));
		virtio_mmio_init(&dm->slot[n], &dm->mem, irq, vdev);
		snprintf(name, sizeof name, "virtio%u", n);
		struct virtio_mmio_state *slice = DM_STATE_SLICE(st, name, struct virtio_mmio_state);
		if (virtio_mmio_bind_state(&dm->slot[n], slice, resumed) < 0) {
			snprintf(err, errlen, "the state file's virtio slot %u holds device %u, not %u "
				 "(another device layout)", n, slice->device_id, vdev ? vdev->device_id : 0);
			return -1;
		}
		if (dm_bus_add(&dm->bus, DM_VIRTIO_BASE + n * DM_VIRTIO_STRIDE, VIRTIO_MMIO_SIZE,
			       &virtio_mmio_ops, &dm->slot[n],
			       !vdev ? "virtio-empty" : vdev->device_id == VIRTIO_ID_CONSOLE ? "virtio-console" :
			       n < dm->args.nr_disks ? "virtio-blk" : "virtio-net") < 0)
			goto bus;
	}
	virtio_input_init(&dm->button);
	virtio_input_vcpus_axis(&dm->button, dm->args.vcpus);   /* xl vcpu-set: 1..all of them */
	virtio_input_bind_state(&dm->button, DM_STATE_SLICE(st, "button", struct virtio_input_state), resumed);
	plic_irq_init(&irq, &dm->plic, DM_VIRTIO_IRQ(DM_BUTTON_SLOT));
	virtio_mmio_init(&dm->slot[DM_BUTTON_SLOT], &dm->mem, irq, &dm->button.vdev);
	if (virtio_mmio_bind_state(&dm->slot[DM_BUTTON_SLOT],
				   DM_STATE_SLICE(st, "virtio-button", struct virtio_mmio_state), resumed) < 0) {
		snprintf(err, errlen, "the state file's button slot holds another device");
		return -1;
	}
	if (dm_bus_add(&dm->bus, DM_VIRTIO_BASE + DM_BUTTON_SLOT * DM_VIRTIO_STRIDE, VIRTIO_MMIO_SIZE,
		       &virtio_mmio_ops, &dm->slot[DM_BUTTON_SLOT], "virtio-input") < 0)
		goto bus;
	dw_wdt_init(&dm->wdt, wdt_now, wdt_expired, dm);
	dw_wdt_bind_state(&dm->wdt, DM_STATE_SLICE(st, "watchdog", struct dw_wdt_state), resumed);
	dm->wdt_tick_ns = dm_now_ns();
	if (dm_bus_add(&dm->bus, DW_WDT_BASE, DW_WDT_SIZE, &dw_wdt_mmio_ops, &dm->wdt, "watchdog") < 0)
		goto bus;
	if (build_balloon(dm, err, errlen) < 0)
		return -1;
	if (dm_bus_add(&dm->bus, DM_VIRTIO_BASE + DM_BALLOON_SLOT * DM_VIRTIO_STRIDE, VIRTIO_MMIO_SIZE,
		       &virtio_mmio_ops, &dm->slot[DM_BALLOON_SLOT], "virtio-balloon") < 0)
		goto bus;
	if (st->failed) {
		snprintf(err, errlen, "%s", st->err);
		return -1;
	}
	return 0;
bus:
	snprintf(err, errlen, "the device layout does not fit the bus");
	return -1;
}

static int map(struct dm *dm, uint64_t gpa, uint64_t len, uint32_t flags, char *err, size_t errlen)
{
	if (dm->nr_ranges >= DM_MAX_RANGES) {
		snprintf(err, errlen, "more than %d ioreq ranges", DM_MAX_RANGES);
		return -1;
	}
	int rc = xc_ioreq_map_range(dm->xc, dm->args.domid, gpa, len, flags);
	if (rc < 0) {
		snprintf(err, errlen, "cannot map the %s range %#llx+%#llx: %s",
			 flags ? "posted" : "MMIO", (unsigned long long)gpa, (unsigned long long)len,
			 xc_strerror(rc));
		return -1;
	}
	dm->range[dm->nr_ranges++] = (struct dm_range){ gpa, len, flags };
	return 0;
}

/*
 * Plain ranges first (a posted range must lie inside one): the PLIC, the
 * UART, the ten virtio slots as one range (one per slot would not leave
 * room for the posted ranges under RIVET_IOREQ_MAX_RANGES: 4 + 16 + 8 + 1 =
 * 29 of 32 at most), and the watchdog. Posted: writes with no effect a later read
 * could see before the device model has processed them. The ring is drained
 * before the next synchronous request, so only ordering against other
 * vCPUs' synchronous accesses changes, which real hardware (a write buffer
 * in front of the device) does not promise either:
 *  - virtio QueueNotify and InterruptACK (write-only registers) of the eight
 *    device slots (the power button's are rare enough to stay synchronous);
 *  - each vCPU's S-context claim/complete: a write is "complete"; the claim
 *    is a read and stays synchronous;
 *  - the UART's THR/DLL byte at offset 0: the transmit (or divisor latch)
 *    write; reads of offset 0 (RBR) stay synchronous.
 */
int dm_machine_map_ranges(struct dm *dm, char *err, size_t errlen)
{
	const uint32_t P = RIVET_IOREQ_RANGE_POSTED;

	if (map(dm, PLIC_BASE, PLIC_SIZE, 0, err, errlen) < 0)
		return -1;
	if (dm->args.serial && map(dm, UART_BASE, UART_SIZE, 0, err, errlen) < 0)
		return -1;
	if (map(dm, DM_VIRTIO_BASE, DM_NR_SLOTS * DM_VIRTIO_STRIDE, 0, err, errlen) < 0)
		return -1;
	if (map(dm, DW_WDT_BASE, DW_WDT_SIZE, 0, err, errlen) < 0)
		return -1;
	for (unsigned n = 0; n < DM_VIRTIO_SLOTS; n++) {
		uint64_t base = DM_VIRTIO_BASE + n * DM_VIRTIO_STRIDE;
		if (map(dm, base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, P, err, errlen) < 0 ||
		    map(dm, base + VIRTIO_MMIO_INTERRUPT_ACK, 4, P, err, errlen) < 0)
			return -1;
	}
	for (unsigned v = 0; v < dm->args.vcpus; v++) {
		uint64_t claim = PLIC_BASE + PLIC_CONTEXT_BASE +
				 PLIC_CONTEXT_STRIDE * PLIC_S_CONTEXT(v) + PLIC_CTX_CLAIM;
		if (map(dm, claim, 4, P, err, errlen) < 0)
			return -1;
	}
	/* Transmit bytes need no prompt wake-up: the microvisor batches them (LAZY). */
	if (dm->args.serial &&
	    map(dm, UART_BASE + UART_THR, 1, P | RIVET_IOREQ_RANGE_LAZY, err, errlen) < 0)
		return -1;
	return 0;
}

int dm_machine_poll(struct dm *dm)
{
	int left = 0;

	for (unsigned n = 0; n < DM_NR_SLOTS; n++) {
		if (!virtio_mmio_pending(&dm->slot[n]))
			continue;
		virtio_mmio_poll(&dm->slot[n]);
		left |= virtio_mmio_pending(&dm->slot[n]);
	}
	return left;
}

void dm_machine_free(struct dm *dm)
{
	for (unsigned n = 0; n < DM_MAX_DISKS; n++) {
		free(dm->blk[n]);
		dm->blk[n] = NULL;
	}
	free(dm->vcons);
	dm->vcons = NULL;
	virtio_balloon_free(&dm->balloon);
}
