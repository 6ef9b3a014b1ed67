// SPDX-License-Identifier: MIT
/* host_timer.c: programs this hart's supervisor timer; stimecmp directly when Sstc is there. */
#include "host_timer.h"
#include "sbi_call.h"
#include "csr.h"

bool host_has_sstc;

void host_timer_set(u64 deadline)
{
	if (host_has_sstc)
		csr_write(CSR_STIMECMP, deadline);
	else
		fw_set_timer(deadline);
}
