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

/**
 * Calls in calls: _start calls outer (line 5), outer calls inner (line 14); inner adds 100 to s0,
 * outer 10 after it. Then prints "nested" and exits.
 */
export const NEST_S = `# nest.s: _start calls outer, outer calls inner.
.org 0x00400000
_start:
    li    s0, 0
    call  outer
    addi  s0, s0, 1
    la    a0, done
    call  print
    li    a0, 0
    call  exit
outer:
    addi  sp, sp, -16
    sw    ra, 12(sp)
    call  inner
    addi  s0, s0, 10
    lw    ra, 12(sp)
    addi  sp, sp, 16
    ret
inner:
    addi  s0, s0, 100
    ret
done: .asciz "nested\\n"
.align 2
.include "lib.inc"
`;
