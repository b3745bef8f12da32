# boot.s: where the firmware starts cos (docs/boot.md#the-boot-loader-m9), the boot info walk, and
# the banner.
#
# At entry: supervisor mode, translation off, a0 = physical address of the boot info, a1 = 'HDBI',
# a2 = this pCPU's number; sp is not set. Every other pCPU sleeps until it gets an IPI; cos leaves
# them asleep (ap_entry stays 0) and runs on the boot pCPU only.

.text
_start:
    la    t0, early_trap          # until the console is known, a trap can only be reported blindly
    csrw  stvec, t0
    csrw  sie, zero
    csrw  sscratch, zero          # 0 in sscratch means "running in the kernel" (trap.s)
    la    sp, kstack_top
    la    gp, kvars
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    li    t0, HDBI_MAGIC
    bne   s1, t0, bad_boot_magic
    andi  t1, s0, 3
    bnez  t1, bad_boot_info
    lw    t1, BI_MAGIC(s0)        # a pointer to nothing ends in early_trap
    bne   t1, t0, bad_boot_info
    call  read_cycles             # time() counts from here
    swg   a0, boot_cycles_lo
    swg   a1, boot_cycles_hi
    mv    a0, s0
    mv    a1, s2
    call  bootinfo_parse
    bnez  a0, no_console
    la    t0, trap_entry
    csrw  stvec, t0
    call  banner
    call  mm_init
    call  paging_init
    call  irq_init
    call  net_init                # the network (net.s)
    call  notice_init             # the hypervisor's notices (notice.s)
    call  fs_init
.ifdef OS_HOOKS
    call  os_boot                 # hook: an including OS (ctl) does its own boot work here
.endif
    call  shell_init
    j     sched_loop              # never returns

# ---------------------------------------------------------------- boot info

# bootinfo_parse(a0 = boot info, a1 = boot pCPU) -> a0 = 0, or 1 when there is no console.
# Copies what cos needs into kernel globals: RAM, pCPUs, timebase, and the first device of each kind
# it drives (the console is the uart whose kind-specific word is 1; the disk is the boot disk).
bootinfo_parse:
    enter 4
    mv    s0, a0
    swg   s0, bi_addr
    swg   a1, boot_cpu
    lw    t0, BI_RAM_BASE(s0)
    swg   t0, ram_base
    lw    t0, BI_RAM_SIZE(s0)
    swg   t0, ram_size
    lw    t0, BI_NCPU(s0)
    swg   t0, ncpu
    lw    t0, BI_TIMEBASE(s0)
    swg   t0, timebase
    lw    t0, BI_BOOT_PART(s0)
    swg   t0, boot_part
    lw    s1, BI_NODE_COUNT(s0)
    li    t0, 256                 # a sane bound: never walk a corrupt count into the weeds
    bleu  s1, t0, 1f
    mv    s1, t0
1:  swg   s1, node_count
    lw    t0, BI_NODE_OFF(s0)
    add   t0, s0, t0
    swg   t0, nodes
    lw    t0, BI_STR_OFF(s0)
    add   t0, s0, t0
    swg   t0, strtab

    lwg   s2, nodes
    li    s3, 0
.walk:
    bge   s3, s1, .walked
    lw    t0, N_KIND(s2)
    lw    t1, N_BASE(s2)
    lw    t2, N_IRQ(s2)
    li    t3, KIND_UART
    beq   t0, t3, .uart
    li    t3, KIND_INTC
    beq   t0, t3, .intc
    li    t3, KIND_SYSCTL
    beq   t0, t3, .sysctl
    li    t3, KIND_RTC
    beq   t0, t3, .rtc
    j     .next
.uart:
    lw    t3, N_X0(s2)
    andi  t4, t3, 1
    beqz  t4, .next               # not a console
    lwg   t4, console_base
    bnez  t4, .next               # keep the first console
    swg   t1, console_base
    swg   t2, console_irq
    andi  t3, t3, 2               # bit 1: the hypervisor offers a paravirtual console (M18)
    swg   t3, console_pv
    j     .next
.intc:
    lwg   t3, intc_base
    bnez  t3, .next
    swg   t1, intc_base
    j     .next
.sysctl:
    lwg   t3, sysctl_base
    bnez  t3, .next
    swg   t1, sysctl_base
    j     .next
.rtc:
    lwg   t3, rtc_base
    bnez  t3, .next
    swg   t1, rtc_base
.next:
    addi  s2, s2, NODE_SIZE
    addi  s3, s3, 1
    j     .walk
.walked:
    # The boot disk: a node index (-1 when cos was not loaded from a disk).
    li    t0, -1
    swg   t0, boot_disk
    lw    t0, BI_BOOT_DISK(s0)
    bltz  t0, 2f
    bge   t0, s1, 2f
    slli  t1, t0, 5               # * NODE_SIZE
    lwg   t2, nodes
    add   t1, t2, t1
    lw    t2, N_KIND(t1)
    li    t3, KIND_DISK
    bne   t2, t3, 2f
    lw    t2, N_BASE(t1)
    swg   t2, disk_base
    swg   t0, boot_disk
2:  # Time: the tick is timebase/100 cycles (10 ms), time() divides cycles by timebase/1000.
    lwg   t0, timebase
    li    t1, 1000
    bgeu  t0, t1, 3f
    li    t0, 250000000           # a boot info without a timebase: assume the nominal clock
    swg   t0, timebase
3:  li    t1, 100
    divu  t2, t0, t1
    swg   t2, tick_cycles
    li    t1, 1000
    divu  t2, t0, t1
    swg   t2, ms_div
    lwg   t0, console_base
    seqz  a0, t0
    leave 4

# ---------------------------------------------------------------- banner

banner:
    enter 1
.ifdef OS_HOOKS
    la    a0, os_banner_line      # hook: an including OS (ctl) names itself (a kprintf format)
    call  kprintf
.else
    print "cos 0.1 (cooperative OS) on hyperdesk\n"
.endif
    lwg   a1, ram_size
    li    t0, 0xfffff
    and   t0, a1, t0
    bnez  t0, 1f
    srli  a1, a1, 20
    fmt   "%u MiB RAM, "
    call  kprintf
    j     2f
1:  srli  a1, a1, 10
    fmt   "%u KiB RAM, "
    call  kprintf
2:  lwg   a1, ncpu
    la    a2, str_empty
    li    t0, 1
    beq   a1, t0, 3f
    la    a2, str_s
3:  lwg   a3, boot_cpu
.ifdef OS_HOOKS
    mv    a4, a3                  # hook: the including OS's short name in place of "cos"
    la    a3, os_short_name
    fmt   "%u pCPU%s (%s runs on pCPU %u), "
.else
    fmt   "%u pCPU%s (cos runs on pCPU %u), "
.endif
    call  kprintf
    lwg   s0, boot_disk
    bgez  s0, 4f
    print "no boot disk\n"
    leave 1
4:  mv    a0, s0
    call  node_name
    mv    a1, a0
    lwg   a2, boot_part
    fmt   "booted from %s partition %u\n"
    call  kprintf
    leave 1

# node_name(a0 = node index) -> a0 = its id string ("uart0") from the boot info's string table.
node_name:
    slli  t0, a0, 5
    lwg   t1, nodes
    add   t0, t1, t0
    lw    t0, N_NAME(t0)
    lwg   t1, strtab
    add   a0, t1, t0
    ret

# ---------------------------------------------------------------- boot failures

# Without a valid boot info cos cannot know where its console is. The one address it then tries is
# the console UART of the bare machine (docs/isa.md#memory-map), and it stops the machine through the
# bare machine's sysctl EXIT (code 1). These two addresses are used on this path only.
.equ FALLBACK_UART,   0xf0000000
.equ FALLBACK_SYSCTL, 0xf0001000

bad_boot_magic:                   # s1 = what a1 held
    la    a0, msg_bad_magic_reg
    mv    a1, s1
    j     early_fail
bad_boot_info:                    # s0 = the boot info address
    la    a0, msg_bad_magic_bi
    mv    a1, s0
    j     early_fail
no_console:
    la    a0, msg_no_console
    mv    a1, s0
    j     early_fail

# A trap before the console was known (e.g. the boot info address points at nothing).
early_trap:
    la    t0, early_trapped
    lw    t1, 0(t0)
    bnez  t1, early_stop          # the fallback console itself is not there: give up quietly
    li    t1, 1
    sw    t1, 0(t0)
    la    a0, msg_early_trap
    csrr  a1, sepc
    j     early_fail

# early_fail(a0 = message, a1 = a number shown in hex after it): fallback console, then stop.
early_fail:
    mv    s0, a0
    mv    s1, a1
    li    t0, FALLBACK_UART
1:  lbu   t1, 0(s0)
    beqz  t1, 2f
    sw    t1, UART_TX(t0)
    addi  s0, s0, 1
    j     1b
2:  li    t2, 28                  # eight hex digits, most significant first
3:  srl   t1, s1, t2
    andi  t1, t1, 15
    la    t3, hex_digits
    add   t3, t3, t1
    lbu   t1, 0(t3)
    sw    t1, UART_TX(t0)
    addi  t2, t2, -4
    bgez  t2, 3b
    li    t1, '\r'
    sw    t1, UART_TX(t0)
    li    t1, '\n'
    sw    t1, UART_TX(t0)
    li    t0, FALLBACK_SYSCTL
    li    t1, 1
    sw    t1, SYSCTL_EXIT(t0)
early_stop:
    csrw  sie, zero
1:  wfi
    j     1b

.section rodata
msg_bad_magic_reg: .asciz "cos: not started by a hyperdesk boot loader: a1 is not 'HDBI' (0x49424448) but 0x"
msg_bad_magic_bi:  .asciz "cos: bad boot info: no 'HDBI' magic at 0x"
msg_no_console:    .asciz "cos: the boot info names no console uart; boot info at 0x"
msg_early_trap:    .asciz "cos: trap while reading the boot info, at pc 0x"
str_empty:         .asciz ""
str_s:             .asciz "s"
.text
