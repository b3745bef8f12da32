# sched.s: the kernel loop, the round-robin scheduler, the timer tick and device interrupts.
#
# cos has one kernel stack and no kernel threads. Everything the kernel does happens in one pass of
# sched_loop: take pending events (tick, console input), let the console's consumer (the shell, or
# the foreground program blocked in read) have its input, then run a process until its next trap,
# or wait with wfi when none is ready. Each trap comes back to sched_loop on an empty kernel stack.

.text
sched_loop:
    la    sp, kstack_top
    call  poll_events
    call  tty_service
    call  tick_update
    call  pick_next
    beqz  a0, .idle
    mv    s0, a0
    j     resume_user
.idle:
    swg   zero, current           # idle time is nobody's
    wfi                           # wakes on a pending enabled line even with IE = 0
    j     sched_loop

# poll_events: handle what is pending while the kernel ran with interrupts off.
poll_events:
    enter
    csrr  t0, sip
    andi  t1, t0, SIE_TIMER
    beqz  t1, 1f
    lwg   t1, tick_on
    beqz  t1, 1f                  # a stale pending tick from before the tick was stopped
    call  timer_tick
1:  csrr  t0, sip
    andi  t1, t0, SIE_EXT
    beqz  t1, 2f
    call  ext_irq
2:  lwg   t0, console_polled
    beqz  t0, 3f
    call  uart_drain              # no interrupt for the console: poll it on every pass
3:  leave

# pick_next -> a0 = the PCB to run, or 0. The running process keeps the pCPU until it blocks, yields
# or a tick passes; then the next ready process after it in the table gets it (round robin).
pick_next:
    lwg   a0, current
    beqz  a0, 1f
    lwg   t0, need_resched
    bnez  t0, 1f
    lw    t0, P_STATE(a0)
    li    t1, PS_READY
    beq   t0, t1, 9f
1:  swg   zero, need_resched
    lwg   t2, last_slot           # start after the slot that ran last
    li    t3, NPROC
    li    t4, 0                   # slots looked at
2:  addi  t2, t2, 1
    blt   t2, t3, 3f
    li    t2, 0
3:  li    t5, P_SIZE
    mul   t5, t2, t5
    la    a0, procs
    add   a0, a0, t5
    lw    t0, P_STATE(a0)
    li    t1, PS_READY
    beq   t0, t1, 4f
    addi  t4, t4, 1
    blt   t4, t3, 2b
    li    a0, 0
    ret
4:  swg   t2, last_slot
9:  ret

# timer_tick: the 10 ms tick. Charges it to the process that was running, asks for a reschedule,
# wakes sleepers, and re-arms the timer on the same grid.
timer_tick:
    enter 1
    lwg   t0, ticks
    addi  t0, t0, 1
    swg   t0, ticks
    lwg   t0, current
    beqz  t0, 1f
    lw    t1, P_TICKS(t0)
    addi  t1, t1, 1
    sw    t1, P_TICKS(t0)
1:  li    t0, 1
    swg   t0, need_resched
    lwg   t0, next_tick
    lwg   t1, tick_cycles
    add   t0, t0, t1
    csrr  t2, cycle
    sub   t3, t0, t2
    bgtz  t3, 2f
    add   t0, t2, t1              # behind the grid (a long stretch in the kernel): start a new one
2:  swg   t0, next_tick
    csrw  timecmp, t0             # also clears the pending tick
    call  now_ms
    mv    s0, a0
    la    t0, procs
    li    t1, NPROC * P_SIZE
    add   t1, t0, t1
3:  lw    t2, P_STATE(t0)
    li    t3, PS_SLEEPING
    bne   t2, t3, 4f
    lw    t2, P_WAKE(t0)
    sub   t2, s0, t2
    bltz  t2, 4f
    li    t3, PS_READY
    sw    t3, P_STATE(t0)
4:  addi  t0, t0, P_SIZE
    bltu  t0, t1, 3b
    leave 1

# tick_update: run the tick only while a process is ready or asleep (or the console is polled).
# An idle cos then waits with no timer armed, which the host sees as an idle machine.
tick_update:
    li    t2, 0
    lwg   t0, console_polled
    bnez  t0, 3f
    la    t0, procs
    li    t1, NPROC * P_SIZE
    add   t1, t0, t1
1:  lw    t3, P_STATE(t0)
    li    t4, PS_READY
    beq   t3, t4, 3f
    li    t4, PS_SLEEPING
    beq   t3, t4, 3f
    addi  t0, t0, P_SIZE
    bltu  t0, t1, 1b
    j     4f
3:  li    t2, 1                   # t2 = a tick is wanted
4:  lwg   t3, tick_on
    beq   t2, t3, 9f
    beqz  t2, 5f
    csrr  t0, cycle               # start the tick: first one a full period from now
    lwg   t1, tick_cycles
    add   t0, t0, t1
    swg   t0, next_tick
    csrw  timecmp, t0
    li    t1, SIE_TIMER
    csrs  sie, t1
    li    t1, 1
    swg   t1, tick_on
    ret
5:  li    t1, SIE_TIMER           # stop it
    csrc  sie, t1
    swg   zero, tick_on
9:  ret

# ---------------------------------------------------------------- interrupts

# irq_init: console input by interrupt through the intc when the boot info has both; else polled.
irq_init:
    lwg   t0, intc_base
    beqz  t0, .polled
    lwg   t1, console_irq
    beqz  t1, .polled
    slli  t2, t1, 2
    add   t2, t0, t2
    li    t3, 1
    sw    t3, INTC_PRIORITY(t2)   # priority 1 > threshold 0
    lwg   t2, boot_cpu
    slli  t2, t2, 5               # * INTC_CTX_STRIDE
    add   t2, t0, t2
    addi  t2, t2, INTC_CTX
    swg   t2, intc_ctx
    sw    zero, INTC_THRESHOLD(t2)
    li    t3, 1
    sll   t3, t3, t1
    sw    t3, INTC_ENABLE(t2)     # only the console: cos polls the disk
    lwg   t0, console_base
    li    t3, 1
    sw    t3, UART_CTRL(t0)       # interrupt while a byte waits
    li    t3, SIE_EXT
    csrw  sie, t3
    ret
.polled:
    li    t0, 1
    swg   t0, console_polled
    csrw  sie, zero
    ret

# ext_irq: claim and complete every pending source of our intc context.
ext_irq:
    enter 2
    lwg   s0, intc_ctx
    beqz  s0, 3f
1:  lw    s1, INTC_CLAIM(s0)
    beqz  s1, 3f
    lwg   t0, console_irq
    bne   s1, t0, 2f
    call  uart_drain
2:  mv    a0, s1                  # the network's interrupt (net.s; other sources: nothing)
    call  net_intr
    mv    a0, s1                  # the hypervisor's notices (notice.s)
    call  notice_intr
    sw    s1, INTC_CLAIM(s0)      # complete
    j     1b
3:  leave 2
