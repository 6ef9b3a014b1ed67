// SPDX-License-Identifier: MIT
/*
 * echo.c: an interactive bare-metal guest: reads its console (legacy
 * getchar, or DBCN read when built as echo_dbcn), echoes every line back as
 * "echo: got LINE", and powers off on "quit". For trying xl console input.
 */
#include "lib/guest.h"
#include "lib/print.h"
#include "lib/sbi.h"

static int read_char(void)
{
#ifdef ECHO_DBCN
	static char c;
	struct sbiret r = sbi_debug_console_read(1, (unsigned long)&c, 0);
	return r.error == 0 && r.value == 1 ? (unsigned char)c : -1;
#else
	return (int)sbi_legacy_console_getchar().value;   /* v0.1: a0, the byte or -1 */
#endif
}

int main(unsigned long hartid, unsigned long dtb)
{
	char line[80];
	unsigned n = 0;

	(void)hartid;
	(void)dtb;
	print_set_console(PRINT_DBCN);
	printf("echo: type a line (quit ends me)\n");
	for (;;) {
		int c = read_char();
		if (c < 0) {
			delay_ticks(TICKS_PER_MS);   /* nothing typed: look again soon */
			continue;
		}
		if (c == '\r' || c == '\n') {
			line[n] = 0;
			if (n == 4 && line[0] == 'q' && line[1] == 'u' && line[2] == 'i' && line[3] == 't')
				break;
			if (n)
				printf("echo: got %s\n", line);
			n = 0;
		} else if (n < sizeof(line) - 1) {
			line[n++] = (char)c;
		}
	}
	printf("echo: bye\n");
	return 0;
}
