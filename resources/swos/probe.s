# probe.s: the trap handler, fault-tolerant accesses, memory probing and the device scan.
#
# A shrink-wrapped OS learns what it owns by trying: an access to an address with nothing behind it
# traps with ACCESS_FAULT (or, under a hypervisor, with a fault the hypervisor reflects as
# ACCESS_FAULT). probe_read and probe_write arm the trap handler, which then records the fault and
# skips the instruction instead of treating it as a crash.

# Trap frame: the handler's only memory; sscratch holds its address.
.equ TF_T1,      0          # interrupted t1 and t2 (t0 is kept in sscratch meanwhile)
.equ TF_T2,      4
.equ TF_ARMED,   8          # nonzero while a probe access is in flight
.equ TF_FAULTED, 12         # set by the handler when that access faulted
.equ TF_SIZE,    16

# Memory probing: from 1 MiB (where swos itself is) upward in 64 KiB steps until an address does
# not hold RAM, then in 4 KiB pages inside the last step, so any page-multiple RAM size is exact.
.equ PROBE_START, LOAD_ADDR
.equ PROBE_STEP,  0x10000
.equ PROBE_PAGE,  0x1000
.equ PROBE_LIMIT, MMIO_BASE          # RAM can never reach into the device area

.equ DEV_MAX, 64                     # device table entries (the device area has 256 windows)
.equ DEV_ENTRY, 8                    # +0 base of the window, +4 identity

.text

# trap_entry: stvec. Every trap swos can get arrives here (interrupts never do: IE is always 0).
.align 4
trap_entry:
    csrrw t0, sscratch, t0           # t0 = trap frame, sscratch = interrupted t0
    sw    t1, TF_T1(t0)
    sw    t2, TF_T2(t0)
    csrr  t1, scause
    li    t2, CAUSE_ACCESS_FAULT
    bne   t1, t2, trap_unexpected
    lw    t1, TF_ARMED(t0)
    beqz  t1, trap_unexpected        # a fault outside a probe is a bug, not an answer
    # An expected probe fault: record it and continue after the faulting instruction (which, traps
    # being precise, had no effect).
    li    t1, 1
    sw    t1, TF_FAULTED(t0)
    csrr  t1, sepc
    addi  t1, t1, 4
    csrw  sepc, t1
    lw    t1, TF_T1(t0)
    lw    t2, TF_T2(t0)
    csrrw t0, sscratch, t0           # t0 restored, sscratch = trap frame again
    eret                             # back to supervisor mode (sstatus.PM)

# trap_unexpected: a trap swos did not ask for. Say what happened and power off with 128 + cause
# (the bare machine's convention); without a sysctl, sleep forever.
trap_unexpected:
    la    t0, trap_frame             # so that a fault of the EXIT write below is caught too
    csrw  sscratch, t0
    la    sp, stack_top              # the interrupted stack may be what went wrong
    la    a0, msg_panic
    call  puts
    csrr  a0, scause
    call  puthex
    la    a0, msg_panic_pc
    call  puts
    csrr  a0, sepc
    call  puthex
    la    a0, msg_panic_addr
    call  puts
    csrr  a0, sbadaddr
    call  puthex
    call  putnl
    csrr  a1, scause
    andi  a1, a1, 0x7f
    addi  a1, a1, 128
    la    t0, sysctl_base
    lw    a0, 0(t0)
    beqz  a0, 1f
    addi  a0, a0, SYSCTL_EXIT
    call  probe_write
1:  wfi                              # no interrupt is enabled: the machine is idle for good
    j     1b

# probe_read: a0 = physical address -> a0 = the word there (0 on a fault), a1 = 0 when something
# answered, 1 when the access faulted.
probe_read:
    la    t0, trap_frame
    li    t1, 1
    sw    zero, TF_FAULTED(t0)
    sw    t1, TF_ARMED(t0)
    lw    a0, 0(a0)                  # the access under test: the handler skips it if it faults
    sw    zero, TF_ARMED(t0)
    lw    a1, TF_FAULTED(t0)
    beqz  a1, 1f
    li    a0, 0
1:  ret

# probe_write: a0 = physical address, a1 = value -> a0 = 0 when the write was taken, 1 on a fault.
probe_write:
    la    t0, trap_frame
    li    t1, 1
    sw    zero, TF_FAULTED(t0)
    sw    t1, TF_ARMED(t0)
    sw    a1, 0(a0)                  # the access under test
    sw    zero, TF_ARMED(t0)
    lw    a0, TF_FAULTED(t0)
    ret

# is_ram: a0 = 4-aligned address -> a0 = 1 when RAM answers there, else 0. RAM must read, take a
# write, and give the written value back (a device or a read-only page would not); the original
# word is put back. swos's own image is RAM by definition and is never written.
is_ram:
    push  ra
    push  s0
    push  s1
    push  s2
    mv    s0, a0
    la    t0, _start
    la    t1, image_end
    bltu  s0, t0, .try
    bltu  s0, t1, .yes               # inside swos itself
.try:
    call  probe_read
    bnez  a1, .no
    mv    s1, a0                     # the original word
    not   s2, s1                     # test pattern: every bit flipped
    mv    a0, s0
    mv    a1, s2
    call  probe_write
    bnez  a0, .no
    mv    a0, s0
    call  probe_read
    mv    s2, a0                     # (a1 is the fault flag; the read-back is compared below)
    bnez  a1, .restore_no
    not   t0, s1
    bne   s2, t0, .restore_no
    mv    a0, s0
    mv    a1, s1
    call  probe_write
.yes:
    li    a0, 1
    j     .out
.restore_no:
    mv    a0, s0
    mv    a1, s1
    call  probe_write
.no:
    li    a0, 0
.out:
    pop   s2
    pop   s1
    pop   s0
    pop   ra
    ret

# probe_memory: finds the end of RAM (the first address that is not RAM) -> ram_size.
probe_memory:
    push  ra
    push  s0
    push  s1
    li    s0, PROBE_START
.coarse:                             # s0: next 64 KiB step to try
    li    t0, PROBE_LIMIT
    bgeu  s0, t0, .fine
    mv    a0, s0
    call  is_ram
    beqz  a0, .fine
    li    t0, PROBE_STEP
    add   s0, s0, t0
    j     .coarse
.fine:
    # RAM ends somewhere in (s0 - 64 KiB, s0]: walk that step page by page.
    mv    s1, s0
    li    t0, PROBE_STEP - PROBE_PAGE
    sub   s0, s0, t0
1:  bgeu  s0, s1, 2f
    mv    a0, s0
    call  is_ram
    beqz  a0, 2f
    li    t0, PROBE_PAGE
    add   s0, s0, t0
    j     1b
2:  la    t0, ram_size
    sw    s0, 0(t0)
    pop   s1
    pop   s0
    pop   ra
    ret

# print_memory: "memory: N KiB (probed)".
print_memory:
    push  ra
    la    a0, msg_memory
    call  puts
    la    t0, ram_size
    lw    a0, 0(t0)
    srli  a0, a0, 10
    call  putdec
    la    a0, msg_memory_kib
    call  puts
    pop   ra
    ret

# scan_devices: reads the identity register of every window of the device area; a window that
# faults has nothing behind it. Fills the device table and picks the first uart (console), sysctl,
# disk and intc.
scan_devices:
    push  ra
    push  s0
    push  s1
    li    s0, MMIO_BASE
.next:
    addi  a0, s0, ID_OFFSET
    call  probe_read
    bnez  a1, .skip                  # nothing here
    mv    s1, a0
    # Record it, while there is room.
    la    t0, dev_count
    lw    t1, 0(t0)
    li    t2, DEV_MAX
    bgeu  t1, t2, .skip
    addi  t2, t1, 1
    sw    t2, 0(t0)
    slli  t1, t1, 3
    la    t0, dev_table
    add   t0, t0, t1
    sw    s0, 0(t0)
    sw    s1, 4(t0)
    # The first of each kind swos uses.
    li    t0, ID_UART
    la    a0, console
    beq   s1, t0, .keep
    li    t0, ID_SYSCTL
    la    a0, sysctl_base
    beq   s1, t0, .keep
    li    t0, ID_DISK
    la    a0, disk_base
    beq   s1, t0, .keep
    li    t0, ID_INTC
    la    a0, intc_base
    beq   s1, t0, .keep
    j     .skip
.keep:
    lw    t0, 0(a0)
    bnez  t0, .skip                  # not the first of its kind
    sw    s0, 0(a0)
.skip:
    li    t0, WINDOW_SIZE
    add   s0, s0, t0
    li    t0, MMIO_END
    bltu  s0, t0, .next
    pop   s1
    pop   s0
    pop   ra
    ret

# kind_name: a0 = identity -> a0 = name string, or 0 for an identity swos does not know.
kind_name:
    la    t0, kind_table
1:  lw    t1, 0(t0)
    beqz  t1, 2f
    addi  t0, t0, 8
    bne   t1, a0, 1b
    lw    a0, -4(t0)
    ret
2:  li    a0, 0
    ret

# print_device: a0 = device table entry. "uart at 0xF0000000", a disk with its size:
# "disk at 0xF0020000 (65536 blocks)", an unknown window with its identity.
print_device:
    push  ra
    push  s0
    push  s1
    mv    s0, a0
    lw    a0, 4(s0)
    call  kind_name
    mv    s1, a0
    beqz  s1, 1f
    call  puts
    j     2f
1:  la    a0, msg_unknown_dev
    call  puts
    lw    a0, 4(s0)
    call  puthex
    li    a0, ')'
    call  putc
2:  la    a0, msg_at
    call  puts
    lw    a0, 0(s0)
    call  puthex
    lw    t0, 4(s0)
    li    t1, ID_DISK
    bne   t0, t1, 3f
    lw    a0, 0(s0)
    addi  a0, a0, DISK_BLOCKS
    call  probe_read
    bnez  a1, 3f
    mv    s1, a0
    la    a0, msg_blocks_open
    call  puts
    mv    a0, s1
    call  putdec
    la    a0, msg_blocks_close
    call  puts
3:  pop   s1
    pop   s0
    pop   ra
    ret

# print_found_devices: one "found KIND at ADDR" line per device, in address order.
print_found_devices:
    push  ra
    push  s0
    push  s1
    la    s0, dev_table
    la    t0, dev_count
    lw    s1, 0(t0)
    slli  s1, s1, 3
    add   s1, s1, s0
1:  bgeu  s0, s1, 2f
    la    a0, msg_found
    call  puts
    mv    a0, s0
    call  print_device
    call  putnl
    addi  s0, s0, DEV_ENTRY
    j     1b
2:  la    t0, dev_count
    lw    t0, 0(t0)
    bnez  t0, 3f
    la    a0, msg_no_devices         # (only visible if a console appears from nowhere)
    call  puts
3:  pop   s1
    pop   s0
    pop   ra
    ret

.data
msg_panic:        .asciz "\nswos: unexpected trap: cause "
msg_panic_pc:     .asciz ", pc "
msg_panic_addr:   .asciz ", badaddr "
msg_memory:       .asciz "memory: "
msg_memory_kib:   .asciz " KiB (probed)\n"
msg_found:        .asciz "found "
msg_at:           .asciz " at "
msg_unknown_dev:  .asciz "unknown device (identity "
msg_blocks_open:  .asciz " ("
msg_blocks_close: .asciz " blocks)"
msg_no_devices:   .asciz "found no devices\n"

name_uart:   .asciz "uart"
name_sysctl: .asciz "sysctl"
name_rtc:    .asciz "rtc"
name_intc:   .asciz "intc"
name_disk:   .asciz "disk"
name_nic:    .asciz "nic"

.align 4
kind_table:                          # identity, name; ends with identity 0
    .word ID_UART,   name_uart
    .word ID_SYSCTL, name_sysctl
    .word ID_RTC,    name_rtc
    .word ID_INTC,   name_intc
    .word ID_DISK,   name_disk
    .word ID_NIC,    name_nic
    .word 0, 0

ram_size:    .word 0                 # bytes of RAM from address 0, found by probe_memory
sysctl_base: .word 0                 # first sysctl, 0 when none
disk_base:   .word 0                 # first disk, 0 when none
intc_base:   .word 0                 # first interrupt controller, 0 when none
dev_count:   .word 0

.bss
.align 16
trap_frame:  .space TF_SIZE
dev_table:   .space DEV_MAX * DEV_ENTRY
.text
