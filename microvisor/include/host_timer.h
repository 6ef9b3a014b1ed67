/* SPDX-License-Identifier: MIT */
/* host_timer.h: the hart's own supervisor timer (stimecmp with Sstc, else SBI TIME). */
#ifndef RIVET_HOST_TIMER_H
#define RIVET_HOST_TIMER_H
#include "types.h"
extern bool host_has_sstc;
void host_timer_set(u64 deadline);
#endif
