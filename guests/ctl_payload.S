/* SPDX-License-Identifier: MIT */
/* ctl_payload.S: the hello guest's raw image, embedded in ctl, which loads it into the domains it builds. */
	.section .rodata
	.balign 8
	.globl payload_start, payload_end
payload_start:
	.incbin PAYLOAD
payload_end:
