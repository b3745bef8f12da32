# hotplug.s: what cos does when its partition changes while it runs (M21, M18;
# docs/hypercalls.md#hot-add-and-remove, docs/guests.md#notices-from-the-hypervisor).
#
# - `mem-added SIZE at GPA`: the memory is cos's at once: mapped in the kernel's table (4 MiB
#   superpages, as at boot) and its frames put at the end of the free list (the lowest still go out
#   first, so the new top stays free and can be given back).
# - `cpu-added N`: cos starts the vCPU (ap_entry in the boot info, an IPI through sysctl) and waits
#   for it to say it runs. cos's kernel is not SMP: the new vCPU idles (wfi with nothing enabled,
#   so it costs no machine time) and cos's programs stay on vCPU 0.
# - `cpu-remove N`: an idle vCPU has nothing to finish, so cos agrees: cpu_release N.
# - `dev-added DEV`: recorded (`devs` lists it); its window is mapped and its interrupts routed to
#   cos already, and no driver of cos claims a device that came later.
# - `dev-remove DEV [DEV under it...]`: cos agrees (dev_release DEV) unless one of them is a device
#   its drivers use (the console, the boot disk, the nic), and then refuses: it says so and sends
#   ctl the message `dev-remove DEV refused`.
# ctl, which includes this file, acts on its own notices (monitor.s): nothing here is assembled.

.ifndef OS_HOOKS
.equ HC_YIELD,        0x03
.equ HC_REQUEST,      0x06
.ifndef HC_MSG_CALL
.equ HC_MSG_CALL,     0x11
.endif
.equ HC_CPU_RELEASE,  0x18
.equ HC_DEV_RELEASE,  0x19
.equ SYSCTL_IPI,      0x04
.equ HOT_MAX,         8                 # hot-plugged devices cos remembers (for devs)
.equ HOT_NAME,        16                # bytes per name (NUL-terminated)
.equ AP_WAIT_MS,      50                # machine time vCPU 0 waits for a new vCPU to say it runs

.text

# hotplug_notice(a0 = a notice from the hypervisor, NUL-terminated): act on the ones above.
# -> a0 = 1 when it was one of them (cos said what it did), else 0.
hotplug_notice:
    enter 2
    mv    s0, a0
    la    a1, s_h_cpu_added
    call  word_is
    beqz  a0, 1f
    call  dec_prefix
    beqz  a1, 9f
    call  cpu_start
    j     9f
1:  mv    a0, s0
    la    a1, s_h_cpu_remove
    call  word_is
    beqz  a0, 2f
    call  dec_prefix
    beqz  a1, 9f
    call  cpu_give
    j     9f
2:  mv    a0, s0
    la    a1, s_h_dev_added
    call  word_is
    beqz  a0, 3f
    call  dev_arrived
    j     9f
3:  mv    a0, s0
    la    a1, s_h_dev_remove
    call  word_is
    beqz  a0, 8f
    call  dev_give
9:  li    a0, 1
    leave 2
8:  li    a0, 0
    leave 2

# mem_grow(a0 = bytes, a1 = guest-physical address): memory added at the end of RAM, used at once.
# Added anywhere else (after memory cos did not take), it is only counted, as before.
mem_grow:
    enter 4
    mv    s0, a0
    lwg   t0, ram_base
    lwg   t1, ram_size
    add   s1, t0, t1              # s1 = the end of RAM now
    lwg   t0, ram_unused
    bnez  t0, 8f
    bne   a1, s1, 8f
    li    t0, PAGE_SIZE - 1
    and   t0, s0, t0
    bnez  t0, 8f
    beqz  s0, 8f
    add   s2, s1, s0              # s2 = the new end
    lwg   s3, kernel_l1           # identity-map it with superpages, as paging_init does
    li    t0, ~(SUPERPAGE - 1)
    and   t0, s1, t0
1:  bgeu  t0, s2, 2f
    srli  t1, t0, 22
    slli  t1, t1, 2
    add   t1, s3, t1
    ori   t2, t0, PTE_V | PTE_R | PTE_W | PTE_X
    sw    t2, 0(t1)
    li    t1, SUPERPAGE
    add   t0, t0, t1
    bnez  t0, 1b
2:  tlbflush
    la    t0, free_head           # the tail of the free list
3:  lw    t1, 0(t0)
    beqz  t1, 4f
    mv    t0, t1
    j     3b
4:  mv    t1, s1                  # chain the new frames, lowest first
    li    t3, PAGE_SIZE
5:  bgeu  t1, s2, 6f
    sw    t1, 0(t0)
    mv    t0, t1
    add   t1, t1, t3
    j     5b
6:  sw    zero, 0(t0)
    lwg   t0, free_frames
    srli  t1, s0, 12
    add   t0, t0, t1
    swg   t0, free_frames
    lwg   t0, ram_size
    add   t0, t0, s0
    swg   t0, ram_size
    srli  a1, s0, 10
    srli  a2, t0, 10
    fmt   "cos: %u KiB of RAM added and in use at once; %u KiB of RAM now\n"
    call  kprintf
    j     9f
8:  lwg   t0, ram_unused
    add   t0, t0, s0
    swg   t0, ram_unused
9:  leave 4

# cpu_start(a0 = vCPU number): start a hot-added vCPU and wait until it runs.
cpu_start:
    enter 2
    mv    s0, a0
    lwg   t0, sysctl_base
    bnez  t0, 1f
    mv    a1, s0
    fmt   "cos: vCPU %u was added, but cos has no sysctl to start it with\n"
    call  kprintf
    j     9f
1:  li    t1, -1
    swg   t1, ap_ack
    lwg   t1, bi_addr
    la    t2, ap_main
    sw    t2, BI_AP_ENTRY(t1)
    sw    s0, SYSCTL_IPI(t0)
    call  now_ms
    addi  s1, a0, AP_WAIT_MS
2:  lwg   t0, ap_ack
    beq   t0, s0, 3f
    hypercall HC_YIELD            # its pCPU to the new vCPU, when they share one
    call  now_ms
    bltu  a0, s1, 2b
    mv    a1, s0
    fmt   "cos: vCPU %u was added but did not start\n"
    call  kprintf
    j     9f
3:  lwg   t0, cpus_online
    addi  t0, t0, 1
    swg   t0, cpus_online
    mv    a1, s0
    mv    a2, t0
    fmt   "cos: started vCPU %u; vCPUs online: %u (it idles: cos's programs run on vCPU 0)\n"
    call  kprintf
9:  leave 2

# ap_main: where a started vCPU begins (docs/boot.md: a0 = boot info, a2 = its number, translation
# off, no stack). It says it runs, then waits for nothing: wfi with no interrupt enabled.
ap_main:
    la    gp, kvars
    csrw  sie, zero
    swg   a2, ap_ack
1:  wfi
    j     1b

# cpu_give(a0 = vCPU number): the hypervisor asks for it back; an idle vCPU can always go.
cpu_give:
    enter 1
    mv    s0, a0
    hypercall HC_CPU_RELEASE
    beqz  a0, 1f
    mv    a2, a0
    mv    a1, s0
    fmt   "cos: cpu_release of vCPU %u failed (%d): it keeps it\n"
    call  kprintf
    j     9f
1:  lwg   t0, cpus_online
    li    t1, 1
    bleu  t0, t1, 2f
    addi  t0, t0, -1
    swg   t0, cpus_online
2:  mv    a1, s0
    lwg   a2, cpus_online
    fmt   "cos: gave vCPU %u back to the hypervisor; vCPUs online: %u\n"
    call  kprintf
9:  leave 1

# dev_arrived(a0 = the notice after "dev-added "): remember the name for devs.
dev_arrived:
    enter 1
    mv    s0, a0
    lwg   t0, hot_count
    li    t1, HOT_MAX
    bgeu  t0, t1, 1f
    addi  t1, t0, 1
    swg   t1, hot_count
    li    t1, HOT_NAME
    mul   t0, t0, t1
    la    a0, hot_names
    add   a0, a0, t0
    mv    a1, s0
    li    a2, HOT_NAME - 1
    call  strncpy
1:  mv    a1, s0
    fmt   "cos: device %s arrived (hot-plugged; devs lists it)\n"
    call  kprintf
    leave 1

# dev_used(a0 = a device id) -> a0 = what cos's drivers use it for (a word), or 0: a node of its
# boot info with that id whose window is the console's, the boot disk's or the nic's.
dev_used:
    enter 3
    mv    s0, a0
    li    s1, 0
1:  lwg   t0, node_count
    bge   s1, t0, 8f
    mv    a0, s1
    call  node_name
    mv    a1, s0
    call  strcmp
    bnez  a0, 7f
    slli  t0, s1, 5
    lwg   t1, nodes
    add   t0, t1, t0
    lw    t0, N_BASE(t0)
    beqz  t0, 7f
    la    a0, s_h_console
    lwg   t1, console_base
    beq   t0, t1, 9f
    la    a0, s_h_disk
    lwg   t1, disk_base
    beq   t0, t1, 9f
    la    a0, s_h_nic
    lwg   t1, nic_base
    beq   t0, t1, 9f
7:  addi  s1, s1, 1
    j     1b
8:  li    a0, 0
9:  leave 3

# dev_give(a0 = the notice after "dev-remove ": the device, then what is under it): agree unless
# cos uses one of them.
dev_give:
    enter 4
    mv    s0, a0                  # s0 = the device asked for
    call  cut_word                # NUL-terminates it; a0 = the rest
    mv    s1, a0
    mv    s2, s0                  # s2 = each id in turn
1:  mv    a0, s2
    call  dev_used
    bnez  a0, 5f
    mv    a0, s1
    call  skip_spaces
    lbu   t0, 0(a0)
    beqz  t0, 2f
    mv    s2, a0
    call  cut_word
    mv    s1, a0
    j     1b
2:  mv    a0, s0
    hypercall HC_DEV_RELEASE
    beqz  a0, 3f
    mv    a2, a0
    mv    a1, s0
    fmt   "cos: dev_release of %s failed (%d): it keeps it\n"
    call  kprintf
    j     9f
3:  mv    a0, s0
    call  hot_forget
    mv    a1, s0
    fmt   "cos: gave device %s back to the hypervisor\n"
    call  kprintf
    j     9f
5:  mv    a3, a0
    mv    a1, s0
    mv    a2, s2
    fmt   "cos: refused dev-remove %s: %s is in use (its %s)\n"
    call  kprintf
    la    a0, hot_reply           # tell ctl: "dev-remove DEV refused"
    la    a1, s_h_dev_remove
    li    a2, 11
    call  strncpy
    la    a0, hot_reply + 11
    mv    a1, s0
    li    a2, HOT_NAME - 1
    call  strncpy
    la    a0, hot_reply
    call  strlen
    la    t0, hot_reply
    add   a0, t0, a0
    la    a1, s_h_refused
    li    a2, 9
    call  strncpy
    la    a0, hot_reply
    call  strlen
    mv    a2, a0
    li    a0, 0
    la    a1, hot_reply
    hypercall HC_MSG_SEND
9:  leave 4

# hot_forget(a0 = id): it left; the last remembered name takes its place.
hot_forget:
    enter 3
    mv    s0, a0
    li    s1, 0
1:  lwg   t0, hot_count
    bgeu  s1, t0, 9f
    li    t1, HOT_NAME
    mul   s2, s1, t1
    la    t1, hot_names
    add   s2, t1, s2
    mv    a0, s2
    mv    a1, s0
    call  strcmp
    beqz  a0, 2f
    addi  s1, s1, 1
    j     1b
2:  lwg   t0, hot_count
    addi  t0, t0, -1
    swg   t0, hot_count
    li    t1, HOT_NAME
    mul   t0, t0, t1
    la    t1, hot_names
    add   a1, t1, t0
    mv    a0, s2
    li    a2, HOT_NAME - 1
    call  strncpy
9:  leave 3

# want DEVICE: ask ctl for a device (the request hypercall, kind 3; M18). ctl decides; a device
# it gives comes as a `dev-added` notice.
cmd_want:
    enter 1
    call  skip_spaces
    mv    s0, a0
    lbu   t0, 0(s0)
    bnez  t0, 1f
    print "usage: want DEVICE (devs lists what cos has; ctl's res what there is)\n"
    j     9f
1:  call  cut_word                # one word: NUL-terminate it
    lwg   t0, bi_addr             # bare (no hypervisor): there is nobody to ask
    lw    t0, BI_PARTITION(t0)
    bnez  t0, 2f
    print "want: no hypervisor to ask (cos runs bare, or is partition 0)\n"
    j     9f
2:  li    a0, 3
    mv    a1, s0
    hypercall HC_REQUEST
    beqz  a0, 3f
    mv    a2, a0
    mv    a1, s0
    fmt   "want: the request for %s failed (%d)\n"
    call  kprintf
    j     9f
3:  mv    a1, s0
    fmt   "cos: asked ctl for %s (it decides; a device it gives arrives as a notice)\n"
    call  kprintf
9:  leave 1

# remote TEXT: a device another partition owns, used over messages (M18, remote use): ctl serves
# its console as a printer. A synchronous call (msg_call: cos waits for the answer) of `lp TEXT`
# to partition 0; ctl prints the line and answers `ok BYTES`.
cmd_remote:
    enter 2
    call  skip_spaces
    mv    s0, a0
    lbu   t0, 0(s0)
    bnez  t0, 1f
    print "usage: remote TEXT (printed on ctl's printer, its console); remote disk|ls|cat (ctl's exported disk)\n"
    j     9f
1:  mv    a0, s0              # remote disk|ls|cat: ctl's exported disk partition (remote.s)
    call  rdk_dispatch
    bnez  a0, 9f
    lwg   t0, bi_addr
    lw    t0, BI_PARTITION(t0)
    bnez  t0, 2f
    print "remote: no hypervisor to reach ctl through (cos runs bare, or is partition 0)\n"
    j     9f
2:  la    a0, remote_buf
    la    a1, s_h_lp
    li    a2, 3
    call  strncpy
    la    a0, remote_buf + 3
    mv    a1, s0
    li    a2, 250
    call  strncpy
    la    a0, remote_buf
    call  strlen
    mv    a2, a0
    li    a0, 0
    la    a1, remote_buf
    la    a3, remote_reply
    li    a4, 63
    hypercall HC_MSG_CALL
    bgez  a0, 3f
    mv    a1, a0
    fmt   "remote: the call to ctl failed (%d)\n"
    call  kprintf
    j     9f
3:  la    t0, remote_reply
    add   t0, t0, a0
    sb    zero, 0(t0)
    la    a1, remote_reply
    fmt   "cos: ctl's printer answered: %s\n"
    call  kprintf
9:  leave 2

# hot_list: devs's last line, when devices came while cos ran.
hot_list:
    enter 2
    lwg   t0, hot_count
    beqz  t0, 9f
    print "hot-plugged since boot:"
    li    s0, 0
1:  lwg   t0, hot_count
    bgeu  s0, t0, 2f
    li    t1, HOT_NAME
    mul   t0, s0, t1
    la    a1, hot_names
    add   a1, a1, t0
    fmt   " %s"
    call  kprintf
    addi  s0, s0, 1
    j     1b
2:  print "\n"
9:  lwg   t0, cpus_online
    li    t1, 1
    bleu  t0, t1, 10f
    mv    a1, t0
    fmt   "vCPUs online: %u (vCPU 0 runs cos; the others idle)\n"
    call  kprintf
10: leave 2

.section rodata
s_h_cpu_added:  .asciz "cpu-added "
s_h_cpu_remove: .asciz "cpu-remove "
s_h_dev_added:  .asciz "dev-added "
s_h_dev_remove: .asciz "dev-remove "
s_h_refused:    .asciz " refused"
s_h_lp:         .asciz "lp "
s_h_console:    .asciz "console"
s_h_disk:       .asciz "boot disk"
s_h_nic:        .asciz "network card"
.text
.endif
