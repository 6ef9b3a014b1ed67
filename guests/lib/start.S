/* SPDX-License-Identifier: MIT */
/* start.S: guest entry points: a stack per hart, bss zeroed by the boot hart, then C. */
#define GUEST_MAX_HARTS   8
#define GUEST_STACK_SHIFT 14   /* 16 KiB, GUEST_STACK_BYTES in guest.h */

	.section .text.entry, "ax"
	.globl _start
_start:
	/* a0 = hart id, a1 = DTB. Interrupts off; stvec is left as found. */
	csrw	sie, zero
	csrci	sstatus, 2
	li	t0, GUEST_MAX_HARTS
	bgeu	a0, t0, park
	mv	tp, a0          /* this_hart() in guest.h */
	la	sp, guest_stacks_top
	slli	t0, a0, GUEST_STACK_SHIFT
	sub	sp, sp, t0

	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	fence
	call	main
	call	guest_shutdown

	/* Harts started by SBI HSM: a0 = hart id, a1 = opaque. */
	.globl secondary_entry
secondary_entry:
	csrw	sie, zero
	csrci	sstatus, 2
	li	t0, GUEST_MAX_HARTS
	bgeu	a0, t0, park
	mv	tp, a0          /* this_hart() in guest.h */
	la	sp, guest_stacks_top
	slli	t0, a0, GUEST_STACK_SHIFT
	sub	sp, sp, t0
	call	secondary_main
	call	guest_hart_stop

park:
	wfi
	j	park

	.section .bss.stacks, "aw", @nobits
	.balign 16
	.space	GUEST_MAX_HARTS << GUEST_STACK_SHIFT
	.globl guest_stacks_top
guest_stacks_top:
