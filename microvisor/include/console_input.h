/* SPDX-License-Identifier: MIT */
/*
 * console_input.h: UART input goes to one domain at a time (the focus);
 * Ctrl-A three times moves the focus to the next domain, as in Xen.
 */
#ifndef RIVET_CONSOLE_INPUT_H
#define RIVET_CONSOLE_INPUT_H
struct domain;
/* A byte typed for d, or -1 when there is none (or d does not have the focus). */
int console_input_getc(struct domain *d);
void console_input_set_focus(unsigned domain_id);
/* The UART has input: take it now, so nothing overruns the UART's FIFO. */
void console_input_irq(void);
/* Dom0 gives a DomU input (CONSOLE_WRITE); returns how many bytes fitted. */
unsigned long console_input_push(struct domain *d, const char *buf, unsigned long len);
#endif
