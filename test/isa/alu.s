# ALU edge cases, checked from inside the guest.
.include "lib.inc"
_start:
    li    sp, 0x10000
    li    a1, 0x7fffffff
    addi  a2, a1, 1
    expect a2, 0x80000000          # signed overflow wraps
    li    a1, -7
    li    a2, 2
    div   a3, a1, a2
    expect a3, -3                  # toward zero
    rem   a3, a1, a2
    expect a3, -1
    div   a3, a1, zero
    expect a3, -1                  # x / 0 = -1
    rem   a3, a1, zero
    expect a3, -7                  # x % 0 = x
    li    a1, 0x80000000
    li    a2, -1
    div   a3, a1, a2
    expect a3, 0x80000000          # MIN / -1 = MIN
    rem   a3, a1, a2
    expect a3, 0
    mulh  a3, a1, a1
    expect a3, 0x40000000
    mulhu a3, a2, a2
    expect a3, 0xfffffffe
    li    a2, 33
    li    a1, 1
    sll   a3, a1, a2
    expect a3, 2                   # shift amount mod 32
    li    a1, -16
    srai  a3, a1, 2
    expect a3, -4
    srli  a3, a1, 28
    expect a3, 15
    sltiu a3, zero, -1
    expect a3, 1                   # 0 < 0xffffffff unsigned
    slti  a3, a1, -15
    expect a3, 1
    lui   a3, 0xabcd
    ori   a3, a3, 0x1234
    expect a3, 0xabcd1234
here:
    auipc a3, 0
    la    a4, here
    expect_reg a3, a4
    mv    a5, zero
    addi  zero, zero, 5
    expect zero, 0                 # r0 stays zero
    pass
