# trap.s: the trap vector, the way back to user mode, user faults and kernel panics
# (docs/isa.md#traps).
#
# The kernel always runs with interrupts disabled (sstatus.IE = 0): interrupts are taken only while
# a user program runs, and the idle loop waits with wfi, which wakes on a pending line regardless of
# IE. So a trap from supervisor mode is always a kernel bug, and a trap from user mode always finds
# the kernel between two passes of its loop, with nothing of its own to save.
#
# sscratch holds the running process's PCB while in user mode and 0 in the kernel: the first
# instruction of the vector swaps it with sp, which tells the two cases apart and gives the user
# trap a place to save registers without touching any.
#
# The kernel has its own page table (identity map of RAM and the device windows). User traps switch
# to it at once: a process's table maps the user region at 0x00400000, where the kernel's identity
# map of RAM would be, so the kernel reaches user memory only through uva_to_pa (mm.s), never by a
# user address. That is also what makes every user pointer checked.

# Registers x1, x3..x31 to/from the PCB at sp (x2 = sp itself is handled by the caller).
.macro save_user_regs
    sw    r1, 4(sp)
    sw    r3, 12(sp)
    sw    r4, 16(sp)
    sw    r5, 20(sp)
    sw    r6, 24(sp)
    sw    r7, 28(sp)
    sw    r8, 32(sp)
    sw    r9, 36(sp)
    sw    r10, 40(sp)
    sw    r11, 44(sp)
    sw    r12, 48(sp)
    sw    r13, 52(sp)
    sw    r14, 56(sp)
    sw    r15, 60(sp)
    sw    r16, 64(sp)
    sw    r17, 68(sp)
    sw    r18, 72(sp)
    sw    r19, 76(sp)
    sw    r20, 80(sp)
    sw    r21, 84(sp)
    sw    r22, 88(sp)
    sw    r23, 92(sp)
    sw    r24, 96(sp)
    sw    r25, 100(sp)
    sw    r26, 104(sp)
    sw    r27, 108(sp)
    sw    r28, 112(sp)
    sw    r29, 116(sp)
    sw    r30, 120(sp)
    sw    r31, 124(sp)
.endm

.macro load_user_regs
    lw    r1, 4(sp)
    lw    r3, 12(sp)
    lw    r4, 16(sp)
    lw    r5, 20(sp)
    lw    r6, 24(sp)
    lw    r7, 28(sp)
    lw    r8, 32(sp)
    lw    r9, 36(sp)
    lw    r10, 40(sp)
    lw    r11, 44(sp)
    lw    r12, 48(sp)
    lw    r13, 52(sp)
    lw    r14, 56(sp)
    lw    r15, 60(sp)
    lw    r16, 64(sp)
    lw    r17, 68(sp)
    lw    r18, 72(sp)
    lw    r19, 76(sp)
    lw    r20, 80(sp)
    lw    r21, 84(sp)
    lw    r22, 88(sp)
    lw    r23, 92(sp)
    lw    r24, 96(sp)
    lw    r25, 100(sp)
    lw    r26, 104(sp)
    lw    r27, 108(sp)
    lw    r28, 112(sp)
    lw    r29, 116(sp)
    lw    r30, 120(sp)
    lw    r31, 124(sp)
.endm

.text
.align 4
trap_entry:
    csrrw sp, sscratch, sp        # user: sp = its PCB, sscratch = its sp; kernel: sp = 0
    beqz  sp, kernel_trap
    save_user_regs
    csrr  t0, sscratch
    sw    t0, R_SP(sp)
    csrw  sscratch, zero          # from here on we are "in the kernel"
    csrr  t0, sepc
    sw    t0, P_PC(sp)
    mv    s0, sp
    la    gp, kvars
    lwg   t0, kernel_ptbr         # the kernel's own address space (ASID 0)
    csrw  asid, zero
    csrw  ptbr, t0
    la    sp, kstack_top
    j     user_trap

kernel_trap:
    csrrw sp, sscratch, sp        # undo the swap: sp as it was, sscratch = 0
    j     panic_trap

# resume_user(s0 = PCB): run the process from its saved state. Does not return: the next trap
# enters at trap_entry.
resume_user:
    swg   s0, current
    lw    t0, P_ASID(s0)
    csrw  asid, t0
    lw    t0, P_L1(s0)
    ori   t0, t0, PTBR_ENABLE
    csrw  ptbr, t0                # the kernel keeps running: its pages are in every table
    lw    t0, P_PC(s0)
    csrw  sepc, t0
    csrw  sstatus, zero           # eret goes to user mode (PM = 0); IE stays 0 in the kernel
    csrw  sscratch, s0
    mv    sp, s0
    load_user_regs
    lw    sp, R_SP(sp)
    eret

# user_trap: s0 = the PCB of the process that trapped, its state saved; kernel stack and tables.
user_trap:
    csrr  a0, scause
    bltz  a0, .interrupt
    li    t0, CAUSE_SYSCALL
    beq   a0, t0, .syscall
    mv    a0, s0                  # any other exception: the program did something wrong
    call  proc_fault
    j     sched_loop
.interrupt:
    andi  a0, a0, 0xff
    li    t0, IRQ_TIMER
    beq   a0, t0, .timer
    li    t0, IRQ_EXTERNAL
    beq   a0, t0, .external
    csrw  sip, zero               # an IPI nobody sends in cos: clear it and go on
    j     sched_loop
.timer:
    call  timer_tick
    j     sched_loop
.external:
    call  ext_irq
    j     sched_loop
.syscall:
    lw    t0, P_PC(s0)            # return after the syscall instruction
    addi  t0, t0, 4
    sw    t0, P_PC(s0)
    mv    a0, s0
    call  syscall_dispatch
    j     sched_loop

# proc_fault(a0 = PCB): report the exception that the process caused and end it.
proc_fault:
    enter 1
    mv    s0, a0
    csrr  a0, scause
    call  cause_name
    mv    a2, a0
    lw    a1, P_PID(s0)
    lw    a3, P_PC(s0)
    csrr  a4, sbadaddr
    fmt   "cos: killed pid %u (fault): %s at pc 0x%08x, address 0x%08x\n"
    call  kprintf
    mv    a0, s0
    call  proc_exit
    leave 1

# ---------------------------------------------------------------- panics

# A trap taken in supervisor mode: report it and stop the machine with exit code 1.
panic_trap:
    la    sp, panic_stack_top     # the kernel stack may be what went wrong
    la    gp, kvars
    lwg   t0, panicking
    bnez  t0, halt_hard           # a trap while panicking: do not loop
    li    t0, 1
    swg   t0, panicking
    csrr  s0, scause
    csrr  s1, sepc
    csrr  s2, sbadaddr
    mv    a0, s0
    call  cause_name
    mv    a1, a0
    mv    a2, s1
    mv    a3, s2
    mv    a4, s0
    fmt   "\ncos: PANIC: kernel trap %s at pc 0x%08x, address 0x%08x (cause 0x%x)\n"
    call  kprintf
    j     halt_hard

# panic(a0 = format, a1..a3 = its arguments): a fatal condition the kernel found itself; stops with exit code 1.
panic:
    la    sp, panic_stack_top
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    mv    s3, a3
    print "\ncos: PANIC: "
    mv    a0, s0
    mv    a1, s1
    mv    a2, s2
    mv    a3, s3
    call  kprintf
    print "\n"
halt_hard:
    li    a0, 1
# halt(a0 = exit code): power off through sysctl EXIT; wait forever if there is none.
halt:
    lwg   t0, sysctl_base
    beqz  t0, 1f
    sw    a0, SYSCTL_EXIT(t0)
1:  csrw  sie, zero
2:  wfi
    j     2b

# cause_name(a0 = scause) -> a0 = its name (docs/isa.md#traps).
cause_name:
    bltz  a0, 2f
    li    t0, CAUSE_MAX
    bgtu  a0, t0, 3f
    la    t0, cause_names
1:  slli  a0, a0, 2
    add   t0, t0, a0
    lw    a0, 0(t0)
    ret
2:  andi  a0, a0, 0xff
    li    t0, 3
    bgtu  a0, t0, 3f
    la    t0, irq_names
    j     1b
3:  la    a0, s_unknown_cause
    ret

.section rodata
.align 4
cause_names:
    .word s_c0, s_c1, s_c2, s_c3, s_c4, s_c5, s_c6, s_c7, s_c8, s_c9, s_c10, s_c11, s_c12, s_c13, s_c14
irq_names:
    .word s_i0, s_i1, s_i2, s_i3
s_c0:  .asciz "ILLEGAL_INSTRUCTION"
s_c1:  .asciz "PRIVILEGED_INSTRUCTION"
s_c2:  .asciz "MISALIGNED_FETCH"
s_c3:  .asciz "MISALIGNED_LOAD"
s_c4:  .asciz "MISALIGNED_STORE"
s_c5:  .asciz "FETCH_PAGE_FAULT"
s_c6:  .asciz "LOAD_PAGE_FAULT"
s_c7:  .asciz "STORE_PAGE_FAULT"
s_c8:  .asciz "SYSCALL"
s_c9:  .asciz "HYPERCALL"
s_c10: .asciz "BREAKPOINT"
s_c11: .asciz "GUEST_FETCH_FAULT"
s_c12: .asciz "GUEST_LOAD_FAULT"
s_c13: .asciz "GUEST_STORE_FAULT"
s_c14: .asciz "ACCESS_FAULT"
s_i0:  .asciz "INTERRUPT_TIMER"
s_i1:  .asciz "INTERRUPT_EXTERNAL"
s_i2:  .asciz "INTERRUPT_IPI"
s_i3:  .asciz "INTERRUPT_HTIMER"
s_unknown_cause: .asciz "UNKNOWN_CAUSE"
.text
