// SPDX-License-Identifier: MIT
/*
 * main.c: boot. The boot hart parses the host DTB, sets up memory, starts the
 * other harts through SBI HSM, builds the domains of the boot image and then
 * every hart enters the scheduler and never comes back here.
 */
#include "platform.h"
#include "hart.h"
#include "sched.h"
#include "domain.h"
#include "mm.h"
#include "uart.h"
#include "print.h"
#include "csr.h"
#include "sbi_call.h"
#include "host_timer.h"
#include "console_input.h"
#include "host_irq.h"
#include "dom0_devices.h"
#include "vmid.h"
#include "sbi_fwft.h"
#include "page_zero.h"
#include "scrub.h"
#include "public/bootimg.h"
#include <string.h>

struct hart harts[MAX_HARTS];
unsigned nr_harts;
u64 timebase_hz;
unsigned vmid_bits;
static struct platform plat;
static u64 henvcfg_value;

extern char _start[], _end[], boot_stack_top[];
extern void secondary_entry(void);
void enter_guest(struct trap_frame *f) __attribute__((noreturn));

/*
 * Exceptions every guest handles itself; the rest come to HS-mode. Load and
 * store misaligned ones follow each vCPU's FWFT MISALIGNED_EXC_DELEG (sbi_fwft.c).
 */
#define HEDELEG_BITS (IRQ_BIT(EXC_INST_MISALIGNED) | IRQ_BIT(EXC_ILLEGAL_INST) | \
	IRQ_BIT(EXC_BREAKPOINT) | IRQ_BIT(EXC_ECALL_U) | IRQ_BIT(EXC_INST_PAGE_FAULT) | \
	IRQ_BIT(EXC_LOAD_PAGE_FAULT) | IRQ_BIT(EXC_STORE_PAGE_FAULT))
#define HIDELEG_BITS (IRQ_BIT(IRQ_VS_SOFT) | IRQ_BIT(IRQ_VS_TIMER) | IRQ_BIT(IRQ_VS_EXT))

/* Reads a CSR that may not exist; false if the access trapped. */
static bool probe_csr_read(int which, u64 *val)
{
	struct hart *h = this_hart();
	u64 v = 0;
	h->fault_hit = false;
	h->fault_armed = true;
	if (which == CSR_HSTATUS)
		v = csr_read(CSR_HSTATUS);
	else if (which == CSR_CYCLE)
		v = csr_read(CSR_CYCLE);
	else if (which == CSR_INSTRET)
		v = csr_read(CSR_INSTRET);
	else
		v = csr_read(CSR_STIMECMP);
	h->fault_armed = false;
	*val = v;
	return !h->fault_hit;
}

static void hart_setup(struct hart *h)
{
	asm volatile("mv tp, %0" :: "r"(h));
	sbi_fwft_hart_setup(plat.has_svadu);
	csr_write(CSR_HEDELEG, HEDELEG_BITS);
	csr_write(CSR_HIDELEG, HIDELEG_BITS);
	csr_write(CSR_HCOUNTEREN, COUNTEREN_CY | COUNTEREN_TM | COUNTEREN_IR);
	csr_write(CSR_HENVCFG, henvcfg_value);
	csr_write(CSR_HVIP, 0);
	csr_write(CSR_HGATP, 0);
	hfence_gvma_all();
	/* Written above, but sbi_fwft_init() probes on the boot hart: the first vCPU's load writes all three. */
	h->hedeleg = h->henvcfg = h->hcounteren = HART_CSR_UNKNOWN;
	h->loaded_sig = SWITCH_SIG_NONE;
	h->timer_programmed = 0;
	csr_write(CSR_SIE, IRQ_BIT(IRQ_S_TIMER) | IRQ_BIT(IRQ_S_SOFT));
}

static void __attribute__((noreturn)) run_scheduler(struct hart *h)
{
	enter_guest(&schedule(h)->frame);
}

void secondary_main(unsigned long hartid, unsigned long stack_top)
{
	for (unsigned i = 0; i < nr_harts; i++) {
		if (harts[i].hartid == hartid) {
			struct hart *h = &harts[i];
			h->stack_top = stack_top;
			hart_setup(h);
			/* Before online: domains are told of Zicboz only if every hart that came up has it. */
			if (!page_zero_check_hart())
				log("hart %lu: cbo.zero does not work as on the boot hart; pages are zeroed with stores",
				    hartid);
			__atomic_store_n(&h->online, true, __ATOMIC_RELEASE);
			run_scheduler(h);
		}
	}
	for (;;)
		wfi();
}

static void __attribute__((noreturn)) halt(const char *why)
{
	log("cannot continue: %s; powering off", why);
	fw_shutdown();
	for (;;)
		wfi();
}

/* Checks the hart can host guests: H extension, Sv39x4, Sstc; learns the VMID width. */
static void check_hart(void)
{
	u64 v;
	if (!probe_csr_read(CSR_HSTATUS, &v))
		halt("this hart has no hypervisor (H) extension (QEMU: -cpu rv64 has it)");
	if (!probe_csr_read(CSR_STIMECMP, &v))
		halt("this hart has no Sstc extension (stimecmp); Rivet needs it for guest timers");
	host_has_sstc = true;
	/* The SBI PMU counts with them; firmware need not grant HS-mode (mcounteren) either. */
	vpmu_host_counters = probe_csr_read(CSR_CYCLE, &v) && probe_csr_read(CSR_INSTRET, &v);
	if (!vpmu_host_counters)
		log("HS-mode cannot read cycle/instret: guests get no SBI PMU");
	csr_write(CSR_HGATP, HGATP_MODE_SV39X4 << HGATP_MODE_SHIFT);
	if ((csr_read(CSR_HGATP) >> HGATP_MODE_SHIFT) != HGATP_MODE_SV39X4)
		halt("this hart does not support Sv39x4 G-stage translation");
	csr_write(CSR_HGATP, HGATP_VMID_MASK << HGATP_VMID_SHIFT);
	u64 vmid = (csr_read(CSR_HGATP) >> HGATP_VMID_SHIFT) & HGATP_VMID_MASK;
	csr_write(CSR_HGATP, 0);
	while (vmid & 1)
		vmid_bits++, vmid >>= 1;
	vcpu_boot_scounteren = csr_read(CSR_SCOUNTEREN);
	vcpu_boot_senvcfg = csr_read(CSR_SENVCFG);
	/* A guarded try: firmware may not have enabled cbo.zero for S-mode (menvcfg.CBZE). */
	if (page_zero_probe(plat.cboz_block))
		log("pages are zeroed with Zicboz cbo.zero, %lu-byte blocks", page_zero_block());
	else if (plat.cboz_block)
		log("the tree lists Zicboz but cbo.zero failed its test: pages are zeroed with stores");
	/* Hardware A/D updating (Svadu) is each vCPU's FWFT PTE_AD_HW_UPDATING, off after reset. */
	henvcfg_value = ENVCFG_STCE;
	/*
	 * Guests may zero with cbo.zero where the microvisor can (Zicboz, and
	 * firmware set menvcfg.CBZE); domain_boot.c tells boot domains so.
	 */
	if (page_zero_block())
		henvcfg_value |= ENVCFG_CBZE;
}

/* How often the boot hart looks whether the others came up: 100 us. */
#define SECONDARY_POLL_HZ 10000

static void start_secondaries(struct hart *boot)
{
	for (unsigned i = 0; i < nr_harts; i++) {
		struct hart *h = &harts[i];
		if (h == boot)
			continue;
		void *stack = mm_alloc(HART_STACK_SIZE, PAGE_SIZE);
		if (!stack) {
			log("hart %lu: no memory for its stack; not started", h->hartid);
			continue;
		}
		long err = fw_hart_start(h->hartid, (unsigned long)secondary_entry,
					 (unsigned long)stack + HART_STACK_SIZE);
		if (err)
			log("hart %lu: SBI HSM start failed (%ld); running without it", h->hartid, err);
	}
	/*
	 * Bounded wait: a hart that never shows up is left out, not waited for.
	 * In naps, not a spin: where harts share a core (QEMU's TCG, -icount),
	 * a spinning hart's instructions delay the very harts it waits for
	 * (measured: a sixth of a Linux domain's boot under -icount).
	 */
	u64 until = time_now() + timebase_hz;
	for (unsigned i = 0; i < nr_harts; i++) {
		while (!__atomic_load_n(&harts[i].online, __ATOMIC_ACQUIRE) && time_now() < until) {
			host_timer_set(time_now() + timebase_hz / SECONDARY_POLL_HZ);
			wfi();   /* the timer (sie.STIE, set by hart_setup) ends it */
		}
		if (!harts[i].online)
			log("hart %lu did not come up; running without it", harts[i].hartid);
	}
	host_timer_set(~0UL);   /* no deadline, STIP clear: the scheduler programs its own */
}

static const struct rivet_bootimg_hdr *find_archive(void)
{
	const struct rivet_uvm_hdr *uh = (const void *)_start;
	u64 off = ALIGN_UP(uh->image_size, PAGE_SIZE);
	const struct rivet_bootimg_hdr *a = (const void *)(_start + off);
	u64 ram_end = plat.ram_base + plat.ram_size;
	if ((u64)(uintptr_t)a + sizeof(*a) > ram_end || a->magic != RIVET_BOOTIMG_MAGIC)
		return NULL;
	return a;
}

/* Returns how many domains were created. */
static unsigned create_domains(const struct rivet_bootimg_hdr *a)
{
	if (a->version != RIVET_BOOTIMG_VERSION || a->nr_domains > RIVET_MAX_BOOT_DOMAINS) {
		log("boot image: version %u with %u domains is not one this microvisor reads",
		    a->version, a->nr_domains);
		return 0;
	}
	unsigned created = 0, next_id = 1;   /* Dom0 is 0; the others count from 1 */
	for (unsigned i = 0; i < a->nr_domains; i++) {
		const struct rivet_bootimg_domain *bd = &a->domains[i];
		bool loads_ok = true;
		for (unsigned j = 0; j < bd->nr_loads && j < RIVET_MAX_LOADS; j++)
			if (bd->loads[j].offset > a->total_size ||
			    bd->loads[j].file_size > a->total_size - bd->loads[j].offset)
				loads_ok = false;
		unsigned id = (bd->flags & RIVET_DOMF_PRIVILEGED) ? 0 : next_id++;
		int err = loads_ok ? domain_create_boot(bd, (const u8 *)a, id) : -RIVET_ERANGE;
		if (!err)
			created++;
		if (err) {
			char name[RIVET_NAME_LEN];
			memcpy(name, bd->name, sizeof(name));
			name[sizeof(name) - 1] = 0;
			log("domain \"%s\" not created: %s", name,
			    err == -RIVET_ENOMEM ? "not enough memory" :
			    err == -RIVET_ERANGE ? "its images lie outside its memory or the boot image" :
			    err == -RIVET_EBUSY ? "no VMID left" :
			    err == -RIVET_ENOSPC ? "its harts cannot take more vCPUs" : "invalid domain record");
		}
	}
	return created;
}

void boot_main(unsigned long hartid, void *dtb)
{
	const char *why = "";
	struct hart *boot = NULL;
	if (platform_parse(dtb, &plat, &why) != 0) {
		harts[0].hartid = hartid;
		asm volatile("mv tp, %0" :: "r"(&harts[0]));
		halt(why);
	}
	uart_init(plat.uart_base, plat.uart_reg_shift);
	timebase_hz = plat.timebase_hz;
	nr_harts = plat.nr_harts;
	for (unsigned i = 0; i < nr_harts; i++) {
		harts[i].index = i;
		harts[i].hartid = plat.hartids[i];
		if (plat.hartids[i] == hartid)
			boot = &harts[i];
	}
	if (!boot)
		halt("the boot hart is not in the device tree");
	asm volatile("mv tp, %0" :: "r"(boot));
	boot->stack_top = (u64)(uintptr_t)boot_stack_top;

	log("Rivet microvisor %s: %u hart%s, %lu MiB RAM at 0x%lx, timebase %lu Hz",
	    RIVET_VERSION, nr_harts, nr_harts > 1 ? "s" : "", plat.ram_size >> 20, plat.ram_base,
	    plat.timebase_hz);
	if (plat.harts_ignored)
		log("%u harts beyond the first %u are left idle", plat.harts_ignored, MAX_HARTS);
	check_hart();
	log("H extension: Sv39x4, %u-bit VMIDs, Sstc%s", vmid_bits, plat.has_svadu ? ", Svadu" : "");
	vmid_init(vmid_bits);

	const struct rivet_bootimg_hdr *a = find_archive();
	u64 used_end = (u64)(uintptr_t)_end;
	if (a)
		used_end = (u64)(uintptr_t)a + a->total_size;
	u64 free_start = ALIGN_UP(used_end, SZ_2M);
	u64 free_end = plat.ram_base + plat.ram_size;
	if (plat.dtb_base >= free_start && plat.dtb_base < free_end)
		free_end = ALIGN_DOWN(plat.dtb_base, PAGE_SIZE);
	if (mm_init(free_start, free_end) != 0)
		halt("no free memory after the boot image");
	log("memory for domains: %lu MiB free", mm_free_bytes() >> 20);

	hart_setup(boot);
	sbi_fwft_init(HEDELEG_BITS, henvcfg_value);
	host_irq_init(&plat, boot->index);
	dom0_devices_probe(&plat);
	boot->online = true;
	start_secondaries(boot);

	if (!a)
		halt("the image carries no domains (build it with make image DOMAINS=...)");
	domains_hold();
	unsigned created = create_domains(a);
	if (!created)
		log("no domain could be created");
	char name[RIVET_NAME_LEN];
	/* With a Dom0, the UART is its console; other domains are reached with xl console. */
	unsigned focus = domain_dom0() ? 0 : domain_next_id(0, name);
	if (domain_dom0())
		memcpy(name, domain_dom0()->name, RIVET_NAME_LEN);
	console_input_set_focus(focus);
	if (!domain_dom0() && focus && created > 1)
		log("console input goes to domain %u \"%s\" (Ctrl-A three times switches)", focus, name);
	scrub_start();   /* idle harts zero free memory from now on */
	domains_put();   /* powers off here if every domain already ended */
	run_scheduler(boot);
}
