// SPDX-License-Identifier: MIT
/* sbi_dbcn.c: SBI debug console: a guest's bytes become lines prefixed with its domain's name. */
#include "sbi.h"
#include "domain.h"
#include "console_input.h"

enum { DBCN_WRITE, DBCN_READ, DBCN_WRITE_BYTE };
#define DBCN_MAX_CHUNK 4096   /* a larger write is partial, as the spec allows */

static struct sbiret dbcn_call(struct vcpu *v, unsigned long fid, struct trap_frame *f)
{
	struct domain *d = v->dom;
	u64 len = f->x[REG_A0], gpa = f->x[REG_A1];
	char buf[256];

	if (fid == DBCN_WRITE_BYTE) {
		domain_console_putc(d, (char)f->x[REG_A0]);
		return SBI_RET(SBI_SUCCESS, 0);
	}
	if (fid != DBCN_WRITE && fid != DBCN_READ)
		return SBI_RET(SBI_ERR_NOT_SUPPORTED, 0);
	/* RV64: the address is a0 = lo alone; a non-zero hi names memory we cannot have. */
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
	for (u64 done = 0; done < len; ) {
		u64 n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		domain_read_gpa(d, gpa + done, buf, n);
		for (u64 i = 0; i < n; i++)
			domain_console_putc(d, buf[i]);
		done += n;
	}
	return SBI_RET(SBI_SUCCESS, len);
}

const struct sbi_ext sbi_dbcn = { "dbcn", SBI_EXT_DBCN, SBI_EXT_DBCN, dbcn_call };
