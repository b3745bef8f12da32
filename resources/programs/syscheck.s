# syscheck: checks the system calls from user mode, bad pointers and bad arguments included:
# each must give its error code and never hurt the kernel. Prints "syscheck: N checks passed", or
# the first check that failed with what it got, and exits 0 or 1.
.org 0x00400000
.include "lib.inc"

.equ STACK_TOP, 0x00440000        # the top of the 256 KiB user region (docs/guests.md)
.equ UNMAPPED, 0x00430000         # between the program's memory and its stack

# expect VALUE: a0 must equal VALUE, else report check number s11 and exit 1.
.macro expect value
    addi  s11, s11, 1
    li    t6, \value
    beq   a0, t6, 1f
    j     failed
1:
.endm

_start:
    li    s11, 0                  # checks done
    sys   SYS_GETPID              # getpid is positive
    slt   a0, zero, a0
    expect 1
    li    a0, 0                   # write from null, from the kernel, from an unmapped page
    li    a1, 5
    sys   SYS_WRITE
    expect -EFAULT
    li    a0, 0x00100000
    li    a1, 4
    sys   SYS_WRITE
    expect -EFAULT
    li    a0, UNMAPPED
    li    a1, 4
    sys   SYS_WRITE
    expect -EFAULT
    li    a0, STACK_TOP - 2       # runs off the top of the stack
    li    a1, 8
    sys   SYS_WRITE
    expect -EFAULT
    li    a0, -16                 # wraps around the address space
    li    a1, 32
    sys   SYS_WRITE
    expect -EFAULT
    la    a0, ok_text             # a negative length
    li    a1, -1
    sys   SYS_WRITE
    expect -EINVAL
    la    a0, ok_text             # zero bytes is fine
    li    a1, 0
    sys   SYS_WRITE
    expect 0
    li    a0, 0                   # read into null: refused at once, does not block
    li    a1, 10
    sys   SYS_READ
    expect -EFAULT
    li    a0, 0x00100000          # read into the kernel
    li    a1, 10
    sys   SYS_READ
    expect -EFAULT
    li    a0, 0                   # open: bad pointer, missing file, unterminated name
    sys   SYS_OPEN
    expect -EFAULT
    la    a0, no_such
    sys   SYS_OPEN
    expect -ENOENT
    la    a0, long_name
    sys   SYS_OPEN
    expect -ENAMETOOLONG
    li    a0, 99                  # bad file descriptors
    la    a1, buf
    li    a2, 10
    sys   SYS_FREAD
    expect -EBADF
    li    a0, 99
    sys   SYS_CLOSE
    expect -EBADF
    la    a0, motd                # a real file
    sys   SYS_OPEN
    mv    s0, a0
    slti  a0, s0, 3
    expect 0
    mv    a0, s0                  # into a bad buffer
    li    a1, UNMAPPED
    li    a2, 16
    sys   SYS_FREAD
    expect -EFAULT
    mv    a0, s0
    la    a1, buf
    li    a2, 7
    sys   SYS_FREAD
    expect 7
    la    t0, buf                 # "Welcome"
    lbu   a0, 0(t0)
    expect 'W'
    la    t0, buf
    lbu   a0, 6(t0)
    expect 'e'
1:  mv    a0, s0                  # the rest, to the end: then 0
    la    a1, buf
    li    a2, 64
    sys   SYS_FREAD
    bgtz  a0, 1b
    expect 0
    mv    a0, s0
    sys   SYS_CLOSE
    expect 0
    mv    a0, s0                  # closed now
    la    a1, buf
    li    a2, 1
    sys   SYS_FREAD
    expect -EBADF
    li    a7, 99                  # no such system call
    syscall 0
    expect -ENOSYS
    sys   SYS_YIELD
    expect 0
    sys   SYS_TIME                # sleep(50) lasts at least 50 ms of machine time
    mv    s1, a0
    li    a0, 50
    sys   SYS_SLEEP
    expect 0
    sys   SYS_TIME
    sub   t0, a0, s1
    slti  a0, t0, 50
    expect 0
    la    a0, passed1             # all good
    call  print
    mv    a0, s11
    call  print_dec
    la    a0, passed2
    call  print
    li    a0, 0
    call  exit

failed:                           # s11 = the check, a0 = what it got
    mv    s0, a0
    la    a0, failed1
    call  print
    mv    a0, s11
    call  print_dec
    la    a0, failed2
    call  print
    mv    a0, s0
    call  print_sdec
    call  newline
    li    a0, 1
    call  exit

ok_text:   .asciz "ok"
no_such:   .asciz "no-such-file"
long_name: .ascii "a-name-longer-than-twenty-bytes-without-an-end"   # (no NUL within 20 bytes)
motd:      .asciz "motd.txt"
passed1:   .asciz "syscheck: "
passed2:   .asciz " checks passed\n"
failed1:   .asciz "syscheck: check "
failed2:   .asciz " failed, got "

.bss
buf: .space 64
