# data.s: the kernel's globals (one block, addressed from gp with lwg/swg) and its bss.

.data
.align 4
kvars:
# ---- the machine, from the boot info (boot.s)
bi_addr:         .word 0
ram_base:        .word 0
ram_size:        .word 0
ncpu:            .word 0
timebase:        .word 0
boot_cpu:        .word 0
node_count:      .word 0
nodes:           .word 0          # address of the node array
strtab:          .word 0          # address of the string table
console_base:    .word 0
console_pv:      .word 0          # nonzero: the hypervisor's paravirtual console (boot info)
console_pvbuf:   .word 0          # the byte console_write hypercalls send
console_irq:     .word 0
intc_base:       .word 0
intc_ctx:        .word 0          # our context's registers in the intc (0: none)
sysctl_base:     .word 0
rtc_base:        .word 0
disk_base:       .word 0
boot_disk:       .word -1         # node index of the boot disk
boot_part:       .word 0          # 1-based partition number on it
# ---- time
boot_cycles_lo:  .word 0
boot_cycles_hi:  .word 0
tick_cycles:     .word 0          # timebase / 100: one tick
ms_div:          .word 0          # timebase / 1000: cycles per millisecond
next_tick:       .word 0
tick_on:         .word 0
ticks:           .word 0
# ---- memory (mm.s)
free_head:       .word 0
free_frames:     .word 0
ram_unused:      .word 0          # memory added while running (notice.s): not mapped, given back first
kernel_l1:       .word 0
# ---- hot add and remove (hotplug.s)
cpus_online:     .word 1
ap_ack:          .word -1         # a started vCPU writes its number here
hot_count:       .word 0          # names in hot_names
kernel_ptbr:     .word 0
# ---- processes (sched.s, proc.s)
current:         .word 0          # PCB last run (0: none)
need_resched:    .word 0
last_slot:       .word -1
next_pid:        .word 1
fg_pid:          .word 0          # the foreground program (0: the shell has the console)
spawn_load:      .word 0
spawn_entry:     .word 0
spawn_memsize:   .word 0
# ---- console (tty.s)
console_polled:  .word 0
rx_head:         .word 0
rx_tail:         .word 0
rx_throttled:    .word 0
ctrl_c:          .word 0
last_cr:         .word 0
line_len:        .word 0
line_pos:        .word 0          # for a program's reads: how much of the line it has had
line_done:       .word 0
prompt_pending:  .word 0
# ---- file system (disk.s, fs.s)
fs_ok:           .word 0
disk_status:     .word 0
part_blocks:     .word 0
part_first:      .word 0          # its first block (tally keeps its count in the last)
fs_sb:           .word 0          # disk block of the cfs superblock
fs_blocks:       .word 0
fs_dir:          .word 0          # disk block of the first directory block
fs_dir_blocks:   .word 0
dir_cached:      .word -1
# ---- failure paths
panicking:       .word 0
early_trapped:   .word 0
zero_word:       .word 0
name_buf:        .space 24
# ---- network (net.s)
nic_base:        .word 0          # the nic's registers (0: no network)
nic_irq:         .word 0          # its interrupt source
nic_node:        .word 0          # its node index in the boot info
net_mac:         .space 8         # our MAC address (6 bytes, 2 zero)
net_ip:          .word 0          # our IPv4 address (10.0.0.2 is 0x0a000002)
net_tx_ring:     .word 0          # the descriptor rings (one page frame)
net_rx_ring:     .word 0
net_rx_next:     .word 0          # next receive descriptor to look at
net_tx_next:     .word 0          # next transmit descriptor to fill
net_rx_bytes:    .word 0
net_tx_bytes:    .word 0
net_rx_ignored:  .word 0          # received frames not for us, malformed, or of no protocol we speak
net_ip_id:       .word 0          # identification of the next IPv4 packet we send
net_us_div:      .word 0          # cycles per microsecond
arp_next:        .word 0          # the ARP cache entry to replace next
net_pv:          .word 0          # nonzero: the paravirtual path (net_send/net_recv), not the nic's rings
net_pv_rxbuf:    .word 0          # its receive and transmit buffers (one page frame)
net_pv_txbuf:    .word 0
net_rx_frames:   .word 0          # frames it received and sent (the nic counts them itself)
net_tx_frames:   .word 0
ping_pcb:        .word 0          # the process waiting in net_ping (0: none)
ping_pid:        .word 0
ping_wake:       .word 0          # its P_WAKE then (tells that wait from a later sleep)
ping_ip:         .word 0
ping_ident:      .word 0          # ICMP identifier << 16 | sequence number
ping_sent:       .word 0          # cycle (low word) when the echo request went out
ping_phase:      .word 0          # 1: resolving the address (ARP), 2: waiting for the echo reply
# ---- messages and shared pages (mail.s)
mbox_head:       .word 0          # the oldest message's slot
mbox_count:      .word 0
mbox_lost:       .word 0          # messages pushed out by newer ones
mbox_total:      .word 0          # messages received
mail_waiter:     .word 0          # the PCB waiting in msg_recv (0: none)
mail_waiter_pid: .word 0
mail_listener:   .word 0          # pid of the program that last called msg_recv
share_in_next:   .word 0          # the next page of the share window
.ifndef net_init                  # assembled without net.s (ctl includes these files one by one):
.text                             # no network; these stand in for net.s's entry points
net_init:
net_intr:
    ret
sys_net_ping:
sys_net_info:
    li    a0, -ENOSYS
    ret
.data
.endif

.bss
.align 4096
bounce:          .space BOUNCE_SIZE   # disk transfers (page-aligned: one DMA page)
dirbuf:          .space BLOCK_SIZE
kstack:          .space KSTACK_SIZE
kstack_top:
panic_stack:     .space 1024
panic_stack_top:
procs:           .space NPROC * P_SIZE
rx_buf:          .space RXBUF_SIZE
line_buf:        .space LINE_MAX
arp_cache:       .space 128       # network (net.s): 8 entries of IPv4 address, MAC, 2 unused
notice_buf:      .space 260       # a message from the inbox (notice.s)
.align 4
mbox:            .space MBOX_N * MB_SIZE  # the mailbox (mail.s)
msg_kbuf:        .space MSG_MAX   # a program's message, copied in
msg_rbuf:        .space MSG_MAX   # a reply, before it is copied out
owed:            .space OWED_N * 8        # calls taken by programs: partition + 1, pid
share_out:       .space SHARE_N * 8       # pages offered: frame, share id
offers:          .space OFFER_N * 8       # offers received: share id, partition
hot_names:       .space 8 * 16    # devices hot-plugged since boot (hotplug.s)
hot_reply:       .space 48        # "dev-remove DEV refused" (hotplug.s)
remote_buf:      .space 260       # "lp TEXT" for ctl's printer (hotplug.s)
remote_reply:    .space 64        # its answer
.align 4096
_end:                             # the page-frame pool starts here (mm.s)
