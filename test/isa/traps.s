# Every synchronous trap the bare machine can take in hypervisor mode, handled by the guest:
# the handler records hcause and hbadaddr and skips the trapping instruction.
.include "lib.inc"
_start:
    li    sp, 0x10000
    la    t0, handler
    csrw  htvec, t0

    .word 0                          # opcode 0: illegal
    expect s2, 0                     # ILLEGAL_INSTRUCTION
    expect s3, 0

    li    a1, 0x1001
    lw    a2, 0(a1)
    expect s2, 3                     # MISALIGNED_LOAD
    expect s3, 0x1001
    sh    a2, 0(a1)
    expect s2, 4                     # MISALIGNED_STORE

    syscall 12
    expect s2, 8
    expect s3, 12
    hypercall 34
    expect s2, 9
    expect s3, 34
    brk   56
    expect s2, 10
    expect s3, 56

    li    a1, 0xe0000000
    lw    a2, 0(a1)
    expect s2, 14                    # ACCESS_FAULT
    expect s3, 0xe0000000

    csrr  a2, 0x7ff                  # no such control register
    expect s2, 0

    csrw  cpuid, a1                  # read-only register
    expect s2, 0

    csrr  a2, instret
    csrr  a3, instret
    sub   a3, a3, a2
    expect a3, 1                     # counts exactly one instruction between reads
    pass

handler:
    csrr  s2, hcause
    csrr  s3, hbadaddr
    csrr  t5, hepc
    addi  t5, t5, 4
    csrw  hepc, t5
    li    t5, 8                      # return to hypervisor mode (PM = 2)
    csrw  hstatus, t5
    eret
