// SPDX-License-Identifier: MIT
/* sbi_dbcn.c: SBI debug console: a guest's bytes become lines prefixed with its domain's name. */
#include "sbi.h"
#include "domain.h"
#include "console_input.h"

enum { DBCN_WRITE, DBCN_READ, DBCN_WRITE_BYTE };
#define DBCN_MAX_CHUNK 4096   /* the most one call checks */
/*
 * One write call takes at most one line (up to and with its '\n') and at
 * most this many bytes, and says how many it took; the guest calls again for
 * the rest, as the spec allows. Without a Dom0 a finished line goes out to
 * the UART at its baud rate during the call: this bounds how long one call
 * keeps its hart from other vCPUs, and the console from other harts.
 */
#define DBCN_WRITE_MAX 256

/* Writes from gpa up to a line's end or DBCN_WRITE_MAX bytes; returns the bytes taken. */
static u64 dbcn_write_some(struct domain *d, u64 gpa, u64 len)
{
	char buf[DBCN_WRITE_MAX];
	u64 n = len < sizeof(buf) ? len : sizeof(buf);
	domain_read_gpa(d, gpa, buf, n);
	for (u64 i = 0; i < n; i++) {
		domain_console_putc(d, buf[i]);
		if (buf[i] == '\n')
			return i + 1;
	}
	return n;
}

static struct sbiret dbcn_call(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	struct domain *d = v->dom;
	u64 len = f->x[REG_A0], gpa = f->x[REG_A1];
	char buf[256];

	if (fid == DBCN_WRITE_BYTE) {
		/* The byte is a uint8_t: a0's upper 56 bits are not part of it. */
		domain_console_putc(d, (char)(u8)f->x[REG_A0]);
		return SBI_RET(SBI_SUCCESS, 0);
	}
	if (fid != DBCN_WRITE && fid != DBCN_READ)
		return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
	/* num_bytes, lo and hi are unsigned longs; on RV64 hi holds address bits 64 and up, which no RAM has. */
	if (f->x[REG_A2] != 0)
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	if (len > DBCN_MAX_CHUNK)
		len = DBCN_MAX_CHUNK;
	if (!domain_range_is_ram(d, gpa, len))
		return SBI_RET(SBI_ERR_INVALID_PARAM, 0);
	if (fid == DBCN_READ) {
		u64 n = 0;
		int c;
		while (n < len && n < sizeof(buf) && (c = console_input_getc(d)) >= 0)
			buf[n++] = (char)c;
		domain_write_gpa(d, gpa, buf, n);
		return SBI_RET(SBI_SUCCESS, n);
	}
	return SBI_RET(SBI_SUCCESS, dbcn_write_some(d, gpa, len));
}

const struct sbi_ext sbi_dbcn = { "dbcn", SBI_EXT_DBCN, SBI_EXT_DBCN, dbcn_call };
