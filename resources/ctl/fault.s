# fault.s: the fault-injection lab and the preferred guest (M22, M24; docs/hypercalls.md#fault-injection,
# docs/guests.md#ctl-the-controlling-os). The mechanisms are the hypervisor's (fault_inject makes a
# fault happen, part_prefer names the guest a crash of the hypervisor does not lose); ctl decides
# whom, says what it did and what will contain it, and after a crash adopts the guest that came
# through the hypervisor's restart instead of starting it again from parttab.

.equ NFAULTS,     7                       # fault_inject's kinds, in its order
.equ FAULT_FAIL,  4
.equ FAULT_CRASH, 5

.data
.align 4
preferred_id:    .word -1                 # the partition ctl marked preferred (-1: none)

.bss
.align 4
fault_line:      .space 64                # `fail ID` becomes `fail ID` for cmd_fault

.text

# prefer ID|none: the preferred guest (part_prefer).
cmd_prefer:
    enter 2
    call  split
    li    t0, 1
    bne   a0, t0, 8f
    arg   a0, 0
    la    a1, s_none
    call  strcmp
    bnez  a0, 1f
    li    a0, -1
    call  hc_prefer
    bnez  a0, 7f
    li    t0, -1
    swg   t0, preferred_id
    print "ctl: no preferred guest: a hypervisor crash loses every guest\n"
    li    a0, 0
    j     9f
1:  arg   a0, 0
    li    a1, 1
    call  check_id
    bltz  a0, 9f
    mv    s0, a0
    mv    a1, s0
    fmt   "prefer %u"
    call  ctx_set
    bnez  s0, 2f
    call  fail_begin
    print "ctl cannot be the preferred guest: the hypervisor's recovery reboots ctl"
    li    a0, HV_EINVAL
    call  fail_end
    j     9f
2:  mv    a0, s0
    call  known
    bnez  a0, 9f
    mv    a0, s0
    call  hc_prefer
    bnez  a0, 7f
    swg   s0, preferred_id
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    fmt   "ctl: %u (%s) is the preferred guest: a hypervisor crash keeps it where it is and loses the others\n"
    call  kprintf
    li    a0, 0
    j     9f
7:  la    a1, s_part_prefer
    call  fail_hv
    j     9f
8:  la    a0, u_prefer
    call  usage
9:  leave 2

# fail ID: the primary's processor fails (fault fail ID).
cmd_fail:
    enter 1
    mv    s0, a0
    la    a0, fault_line
    la    a1, s_fail_sp
    li    a2, 5
    call  strncpy
    la    a0, fault_line + 5
    mv    a1, s0
    li    a2, 56
    call  strncpy
    la    a0, fault_line
    call  cmd_fault
    leave 1

# fault KIND ID | fault crash: inject a fault (fault_inject) and say what will contain it.
cmd_fault:
    enter 4
    call  split
    mv    s2, a0                  # s2 = words
    beqz  s2, 8f
    li    t0, 2
    bgtu  s2, t0, 8f
    li    s1, 0                   # s1 = the kind
1:  li    t0, NFAULTS
    bgeu  s1, t0, 8f
    slli  t0, s1, 2
    la    t1, fault_names
    add   t1, t1, t0
    lw    a1, 0(t1)
    arg   a0, 0
    call  strcmp
    beqz  a0, 2f
    addi  s1, s1, 1
    j     1b
2:  li    s0, 0                   # s0 = the victim (0 for crash)
    li    t0, FAULT_CRASH
    bne   s1, t0, 3f
    li    t0, 1
    bne   s2, t0, 8f              # crash names no partition
    la    a0, s_fault_crash
    call  ctx_set
    j     5f
3:  li    t0, 2
    bne   s2, t0, 8f
    arg   a0, 1
    li    a1, 1
    call  check_id
    bltz  a0, 9f
    mv    s0, a0
    arg   a1, 0
    mv    a2, s0
    fmt   "fault %s %u"
    call  ctx_set
    bnez  s0, 4f
    call  fail_begin
    print "faults are injected into clients; ctl is what handles them (fault crash crashes the hypervisor)"
    li    a0, HV_EINVAL
    call  fail_end
    j     9f
4:  mv    a0, s0
    call  known
    bnez  a0, 9f
    mv    a0, s0
    call  query
    bnez  a0, 7f
    la    t0, qbuf
    lw    t0, Q_STATE(t0)
    li    t1, 1                   # running
    beq   t0, t1, 5f
    call  fail_begin
    mv    a0, s0
    call  state_name
    mv    a2, a0
    mv    a1, s0
    fmt   "%u is %s: faults are injected into a running partition"
    call  kprintf
    li    a0, HV_EBUSY
    call  fail_end
    j     9f
5:  mv    a0, s1
    mv    a1, s0
    call  hc_fault
    bnez  a0, 6f
    li    t0, FAULT_CRASH
    bne   s1, t0, 12f
    li    t0, 1                   # ctl is rebooted in 1 ms: no prompt, the banner starts a line
    swg   t0, os_no_prompt        # (cos's tty.s hook; the reboot loads ctl's data afresh)
    j     10f
12: slli  t0, s1, 2
    la    t1, fault_says
    add   t1, t1, t0
    lw    s3, 0(t1)
    mv    a0, s0
    call  part_label
    mv    a3, a0
    mv    a2, s0
    arg   a1, 0
    mv    a4, s3
    fmt   "ctl: injected %s into %u (%s): %s\n"
    call  kprintf
    li    t0, FAULT_FAIL
    bne   s1, t0, 13f
    mv    a0, s0                  # running again at once: its backup took over (M23, ftol.s)
    call  query
    bnez  a0, 13f
    la    t0, qbuf
    lw    t0, Q_STATE(t0)
    li    t1, 1
    bne   t0, t1, 13f
    mv    a0, s0
    call  fq
    bnez  a0, 13f
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    la    t0, fq_buf
    lw    a3, FQ_PCPU(t0)
    lw    a4, FQ_EPOCH(t0)
    fmt   "ctl: its backup took over: %u (%s) goes on on pCPU %u from epoch %u, its console and port the same (ft shows the takeover time)\n"
    call  kprintf
13: li    a0, 0
    j     9f
10: lwg   s0, preferred_id
    bltz  s0, 11f
    mv    a0, s0
    call  query
    bnez  a0, 11f                 # (destroyed since)
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    fmt   "ctl: the hypervisor crashes in 1 ms: the preferred guest %u (%s) is kept where it is, every other guest is lost, ctl is rebooted\n"
    call  kprintf
    li    a0, 0
    j     9f
11: print "ctl: the hypervisor crashes in 1 ms: there is no preferred guest (prefer ID), so every guest is lost; ctl is rebooted\n"
    li    a0, 0
    j     9f
6:  li    t0, HV_EINVAL             # the hypervisor's reasons, in words (docs/hypercalls.md#fault-injection)
    bne   a0, t0, 61f
    li    t0, 2                     # wild
    bne   s1, t0, 61f
    call  fail_begin
    mv    a1, s0
    fmt   "%u runs with its translation off: a store outside its memory would be an access fault it handles itself (wild needs paging on, as in cos)"
    call  kprintf
    li    a0, HV_EINVAL
    call  fail_end
    j     9f
61: li    t0, HV_ENOENT
    bne   a0, t0, 62f
    call  fail_begin
    mv    a1, s0
    fmt   "%u has no virtual disk: dma and diskerr need one"
    call  kprintf
    li    a0, HV_ENOENT
    call  fail_end
    j     9f
62: la    a1, s_fault_inject
    call  fail_hv
    j     9f
7:  la    a1, s_part_query
    call  fail_hv
    j     9f
8:  la    a0, u_fault
    call  usage
9:  leave 4

# ft_adopt (at boot, before parttab): a partition that exists when ctl boots came through a restart
# of the hypervisor (the preferred guest, M24). ctl records it as its own, so that parttab does not
# start it again and its commands know it.
ft_adopt:
    enter 2
    li    s0, 1
1:  li    t0, MAX_PARTS
    bgeu  s0, t0, 9f
    mv    a0, s0
    call  query
    bnez  a0, 2f
    mv    a0, s0
    call  rec_of
    mv    s1, a0
    li    a1, 0
    li    a2, CR_SIZE
    call  memset
    li    t0, 1
    sw    t0, CR_USED(s1)
    la    t1, qbuf
    lw    t0, Q_VCPUS(t1)
    sw    t0, CR_NVCPU(s1)
    addi  a0, s1, CR_NAME
    la    a1, qbuf + Q_NAME
    li    a2, NAME_MAX
    call  strncpy
    swg   s0, preferred_id
    mv    a1, s0
    addi  a2, s1, CR_NAME
    fmt   "ctl: %u (%s) came through the hypervisor's restart (the preferred guest): ctl adopts it, it goes on where it was\n"
    call  kprintf
2:  addi  s0, s0, 1
    j     1b
9:  leave 2

# ft_notice(a0 = the notice's word, a1 = its partition, -1 without one): what ctl says of a
# `recovered` notice (the hypervisor crashed and restarted; docs/hypercalls.md#the-preferred-guest).
ft_notice:
    enter 1
    mv    s0, a1
    la    a1, s_recovered
    call  strcmp
    bnez  a0, 9f
    bltz  s0, 1f
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    fmt   "ctl: told by the hypervisor: it crashed and restarted, rebooting ctl; it kept the preferred guest %u (%s) where it was, every other guest was lost\n"
    call  kprintf
    leave 1
1:  print "ctl: told by the hypervisor: it crashed and restarted, rebooting ctl; there was no preferred guest, every guest was lost\n"
9:  leave 1

.section rodata
.align 4
fault_names:
    .word s_f_kernel, s_f_irqoff, s_f_wild, s_f_dma, s_f_fail, s_f_crash, s_f_diskerr
fault_says:
    .word w_f_kernel, w_f_irqoff, w_f_wild, w_f_dma, w_f_fail, 0, w_f_diskerr
s_f_kernel:     .asciz "kernel"
s_f_irqoff:     .asciz "irqoff"
s_f_wild:       .asciz "wild"
s_f_dma:        .asciz "dma"
s_f_fail:       .asciz "fail"
s_f_crash:      .asciz "crash"
s_f_diskerr:    .asciz "diskerr"
w_f_kernel:     .asciz "its kernel faults at 0xdead0000; its own kernel handles it (cos panics), then ctl's fault policy"
w_f_irqoff:     .asciz "its kernel spins with interrupts off; the hypervisor's watchdog stops it (100 of its slices)"
w_f_wild:       .asciz "its kernel writes outside its memory; stage 2 refuses the write and the hypervisor stops it"
w_f_dma:        .asciz "its disk DMAs past the end of its memory; its DMA domain refused the transfer (STATUS 3), it goes on"
w_f_fail:       .asciz "its processor failed (fail-stop): its backup takes over if it has one (ft ID on), else it stays stopped"
w_f_diskerr:    .asciz "its next disk write fails (STATUS 4, nothing written); its driver sees the error"
s_fault_crash:  .asciz "fault crash"
s_fail_sp:      .asciz "fail "
s_none:         .asciz "none"
s_f_prefer:     .asciz "prefer"
s_f_fault:      .asciz "fault"
s_recovered:    .asciz "recovered"
s_part_prefer:  .asciz "part_prefer"
s_fault_inject: .asciz "fault_inject"
u_prefer:       .asciz "prefer ID|none"
u_fault:        .asciz "fault kernel|irqoff|wild|dma|fail|diskerr ID, or fault crash"
.text
