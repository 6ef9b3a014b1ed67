// SPDX-License-Identifier: MIT
/*
 * scrub.c: zeroing free memory on idle harts. A hart with nothing to run
 * zeroes one bounded chunk of free pages not known clean (mm_scrub takes it
 * out of the pool, zeroes it without the pool lock and gives it back known
 * clean), then goes back to its scheduler, which either finds work or calls
 * again; only when nothing is left to zero does the hart sleep in WFI.
 */
#include "scrub.h"
#include "mm.h"
#include "hart.h"
#include "csr.h"
#include "spinlock.h"

/* Set once by the boot hart, read by every idle hart. */
static u64 scrub_on;

void scrub_start(void)
{
	__atomic_store_n(&scrub_on, 1, __ATOMIC_RELEASE);
}

bool scrub_idle(struct hart *h)
{
	if (!atomic_read(&scrub_on) || atomic_read(&h->kicked))
		return false;
	/* What would end a WFI ends scrubbing: the caller serves it first. */
	if (csr_read(CSR_SIP) & (IRQ_BIT(IRQ_S_TIMER) | IRQ_BIT(IRQ_S_SOFT) | IRQ_BIT(IRQ_S_EXT)))
		return false;
	return mm_scrub(SCRUB_CHUNK);
}
