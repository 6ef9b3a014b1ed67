/* SPDX-License-Identifier: MIT */
/* hsm.h: helpers over SBI HSM for guests that start their other vCPUs. */
#ifndef GUEST_HSM_H
#define GUEST_HSM_H

/* Bit n set if hart_get_status(n) answers for n < GUEST_MAX_HARTS. */
unsigned long hsm_probe_harts(void);

/* Poll hart_get_status(hartid) until it equals status; 0 on success, -1 on timeout. */
int hsm_wait_status(unsigned long hartid, long status, unsigned long timeout_ms);

#endif
