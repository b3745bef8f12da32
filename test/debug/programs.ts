/** Guest programs the debugger tests debug (cos user programs, docs/guide.md). */

/** Counts s0 to five (lines 5..9), then prints "counted" and exits. */
export const COUNT_S = `# count.s: counts to five, then says so.
.org 0x00400000
.include "lib.inc"
_start:
    li    s0, 0
    li    s1, 5
loop:
    addi  s0, s0, 1
    bne   s0, s1, loop
    la    a0, done
    call  print
    li    a0, 0
    call  exit
done: .asciz "counted\\n"
`;
