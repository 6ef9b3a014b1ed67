/* SPDX-License-Identifier: MIT */
/*
 * dm_log.h: rivet-dm's log (stderr, which rivet-dm points at
 * /var/log/rivet/dm/NAME.log). dm_log_guest() is for what a guest did wrong:
 * it is rate-limited, so a hostile guest cannot fill Dom0's disk.
 */
#ifndef RIVET_DM_LOG_H
#define RIVET_DM_LOG_H

void dm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void dm_log_guest(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
