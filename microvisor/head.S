/* SPDX-License-Identifier: MIT */
/* head.S: entry from OpenSBI (a0 = hartid, a1 = DTB) and from SBI HSM for secondary harts. */
#include "config.h"

	.section .text.head, "ax"
	.globl _start
_start:
	/* struct rivet_uvm_hdr: code0/code1, image_size, magic, reserved */
	.option push
	.option norvc
	j	boot_entry
	.option pop
	.word	0
	.dword	_end - _start
	.dword	0x4d56555445564952	/* "RIVETUVM" */
	.dword	0

boot_entry:
	csrw	sie, zero
	csrw	sscratch, zero
	/* Zero bss before any C runs. */
	la	t0, __bss_start
	la	t1, _end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	la	sp, boot_stack_top
	mv	tp, zero
	la	t0, trap_vector
	csrw	stvec, t0
	call	boot_main
3:	wfi
	j	3b

/* SBI HSM starts a secondary hart here with a0 = hartid, a1 = opaque (its stack top). */
	.globl secondary_entry
secondary_entry:
	csrw	sie, zero
	csrw	sscratch, zero
	mv	sp, a1
	mv	tp, zero
	la	t0, trap_vector
	csrw	stvec, t0
	call	secondary_main
4:	wfi
	j	4b

	.section .bss
	.balign 16
	.space	HART_STACK_SIZE
	.globl boot_stack_top
boot_stack_top:
