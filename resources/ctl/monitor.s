# monitor.s: what ctl watches without being asked (docs/guests.md#notices-and-the-fault-policy):
# the hypervisor's notices and clients' messages as they arrive, with ctl's fault policy; and the
# bridge's per-port counters for `net`.
#
# The hypervisor raises source 31 of ctl's interrupt controller while ctl's inbox holds messages
# (or the app's management request waits: mgmt_serve in chan.s, called after the messages);
# ctl listens to it once it knows it is partition 0 (os_boot). On that interrupt (in the kernel loop,
# never inside a command) os_notices takes every message: it prints one line for each, untagged
# (`ctl: notice from 2 (cos): faulted`, `ctl: message from 3 (x): TEXT`), keeps the last LOG_N for
# `inbox`, and acts on `faulted ID` (and on `shutdown ID CODE` with CODE not 0: an OS that stopped
# itself after a fault of its own, like a cos kernel panic): the partition's fault policy (`policy ID restart|stop`, ctl's
# record; stop by default) says whether ctl restarts it (part_restart) or leaves it stopped. A
# partition is restarted at most MAX_FAULT_RESTARTS times in a row: the `policy` and `restart`
# commands start the count again.

.equ LOG_N,              8               # messages kept for `inbox`
.equ LOG_SENDER,         0
.equ LOG_REPLY,          4
.equ LOG_TEXT,           8
.equ LOG_ENTRY,          LOG_TEXT + MSG_MAX + 8
.equ MAX_FAULT_RESTARTS, 3

.text

# os_notices (cos hook, notice.s): every message in the inbox, as it arrives.
os_notices:
    enter 3
1:  la    a0, msg_buf
    li    a1, MSG_MAX
    call  hc_msg_recv
    bltz  a0, 9f                  # EAGAIN: none left
    mv    s0, a1                  # the sender
    mv    s1, a2                  # it waits for a reply
    call  msg_text
    li    t0, HYPERVISOR_SENDER   # a client's call to ctl's printer (M18 remote use, devs.s)
    beq   s0, t0, 10f
    beqz  s1, 10f
    mv    a0, s0
    call  dk_serve                # a client's remote disk request (M18, export.s): answered quietly
    bnez  a0, 1b
    mv    a0, s0
    call  lp_serve
    bnez  a0, 3f
10: mv    a0, s0
    mv    a1, s1
    call  log_add
    li    t0, HYPERVISOR_SENDER
    bne   s0, t0, 2f
    call  notice_act
    j     3f
2:  mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    la    a3, msg_buf
    fmt   "\nctl: message from %u (%s): %s\n"
    call  kprintf
3:  li    t0, 1                   # the prompt again, after the line
    swg   t0, prompt_pending
    j     1b
9:  call  mgmt_serve              # the app's management requests (the same line, chan.s)
    leave 3

# msg_text(a0 = the length of the message in msg_buf): NUL-terminate it; '.' for what is not printable.
msg_text:
    la    t0, msg_buf
    add   t1, t0, a0
    sb    zero, 0(t1)
1:  bgeu  t0, t1, 3f
    lbu   t2, 0(t0)
    addi  t3, t2, -' '
    sltiu t3, t3, 127 - ' '
    bnez  t3, 2f
    li    t2, '.'
    sb    t2, 0(t0)
2:  addi  t0, t0, 1
    j     1b
3:  ret

# log_add(a0 = sender, a1 = waits for a reply): keep msg_buf's text for `inbox` (the oldest goes).
log_add:
    enter 2
    mv    s0, a0
    mv    s1, a1
    lwg   t0, log_count
    li    t1, LOG_N
    bltu  t0, t1, 1f
    lwg   t0, log_first           # full: forget the oldest
    addi  t0, t0, 1
    andi  t0, t0, LOG_N - 1
    swg   t0, log_first
    li    t0, LOG_N - 1
    swg   t0, log_count
1:  lwg   t1, log_first
    add   t1, t1, t0
    andi  t1, t1, LOG_N - 1
    addi  t0, t0, 1
    swg   t0, log_count
    li    t2, LOG_ENTRY
    mul   t1, t1, t2
    la    a0, msg_log
    add   a0, a0, t1
    sw    s0, LOG_SENDER(a0)
    sw    s1, LOG_REPLY(a0)
    addi  a0, a0, LOG_TEXT
    la    a1, msg_buf
    li    a2, MSG_MAX
    call  strncpy
    leave 2

# log_take(a0 = buffer for the text) -> a0 = 0 and a1 = sender, a2 = waits for a reply; or a0 = -1
# when the log is empty. The oldest message first; it leaves the log.
log_take:
    lwg   t0, log_count
    bnez  t0, 1f
    li    a0, -1
    ret
1:  enter 1
    mv    s0, a0
    addi  t0, t0, -1
    swg   t0, log_count
    lwg   t1, log_first
    addi  t0, t1, 1
    andi  t0, t0, LOG_N - 1
    swg   t0, log_first
    li    t2, LOG_ENTRY
    mul   t1, t1, t2
    la    a1, msg_log
    add   a1, a1, t1
    lw    t0, LOG_SENDER(a1)
    swg   t0, log_tmp_sender
    lw    t0, LOG_REPLY(a1)
    swg   t0, log_tmp_reply
    addi  a1, a1, LOG_TEXT
    mv    a0, s0
    li    a2, MSG_MAX
    call  strncpy
    li    a0, 0
    lwg   a1, log_tmp_sender
    lwg   a2, log_tmp_reply
    leave 1

# notice_act: a notice of the hypervisor in msg_buf ("WORD ID [MORE]"): one line, then the policy.
notice_act:
    enter 4
    la    s0, msg_buf             # s0 = the word
    mv    a0, s0
    call  cut_word
    mv    s1, a0
    call  dec_prefix
    beqz  a1, 8f                  # no partition id: the notice as it is
    mv    s2, a0                  # s2 = the partition
    mv    a0, s1
    call  cut_word
    mv    s3, a0                  # s3 = the rest
    mv    a0, s2
    call  part_label
    mv    a2, a0
    mv    a1, s2
    mv    a3, s0
    fmt   "\nctl: notice from %u (%s): %s"
    call  kprintf
    lbu   t0, 0(s3)
    beqz  t0, 1f
    mv    a1, s3
    fmt   " %s"
    call  kprintf
1:  print "\n"
    mv    a0, s0                  # a device or vCPU a client gave back (devs.s)
    mv    a1, s2
    mv    a2, s3
    call  devs_notice
    mv    a0, s0                  # input for a swapped-out guest (swap.s)
    mv    a1, s2
    mv    a2, s3
    call  swap_notice
    mv    a0, s0                  # the hypervisor's restart (fault.s)
    mv    a1, s2
    call  ft_notice
    mv    a0, s0
    la    a1, s_faulted
    call  strcmp
    beqz  a0, 2f
    mv    a0, s0                  # a shutdown with an error code (a guest's own panic) is a fault too
    la    a1, s_shutdown
    call  strcmp
    bnez  a0, 9f
    lbu   t0, 0(s3)               # the code: anything but "0" (it may be negative)
    beqz  t0, 9f
    li    t1, '0'
    bne   t0, t1, 2f
    lbu   t0, 1(s3)
    beqz  t0, 9f
2:  mv    a0, s2
    call  fault_policy
    j     9f
8:  mv    a1, s0
    fmt   "\nctl: notice: %s\n"
    call  kprintf
    mv    a0, s0
    li    a1, -1
    call  ft_notice
9:  leave 4

# fault_policy(a0 = a partition that faulted): restart it when its policy says so, a few times in a
# row at most; else it stays stopped. One line either way.
fault_policy:
    enter 3
    mv    s0, a0
    call  rec_of
    mv    s1, a0
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    lw    t0, CR_USED(s1)
    beqz  t0, 7f
    lw    t0, CR_POLICY(s1)
    beqz  t0, 7f
    lw    t0, CR_RESTARTS(s1)
    li    t1, MAX_FAULT_RESTARTS
    bgeu  t0, t1, 6f
    addi  s2, t0, 1
    sw    s2, CR_RESTARTS(s1)
    mv    a0, s0
    call  hc_restart
    bnez  a0, 5f
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    mv    a3, s2
    li    a4, MAX_FAULT_RESTARTS
    fmt   "ctl: restarted %u (%s): its fault policy is restart (%u of %u in a row)\n"
    call  kprintf
    j     9f
5:  call  err_name
    mv    a3, a0
    mv    a2, a1
    mv    a1, s0
    fmt   "ctl: cannot restart %u: part_restart: %s (%s)\n"
    call  kprintf
    j     9f
6:  li    a3, MAX_FAULT_RESTARTS
    fmt   "ctl: %u (%s) stays stopped: restarted %u times in a row already (policy ID restart counts again)\n"
    call  kprintf
    j     9f
7:  fmt   "ctl: %u (%s) stays stopped (fault policy stop; policy ID restart changes it)\n"
    call  kprintf
9:  leave 3

# ---------------------------------------------------------------- commands

# policy ID restart|stop: what ctl does when the partition faults.
cmd_policy:
    enter 2
    call  split
    li    t0, 2
    bne   a0, t0, 8f
    arg   a0, 0
    li    a1, 0
    call  check_id
    bltz  a0, 9f
    mv    s0, a0
    call  known
    bnez  a0, 9f
    mv    a1, s0
    arg   a2, 1
    fmt   "policy %u %s"
    call  ctx_set
    li    s1, 1
    arg   a0, 1
    la    a1, s_restart_word
    call  strcmp
    beqz  a0, 1f
    li    s1, 0
    arg   a0, 1
    la    a1, s_stop_word
    call  strcmp
    bnez  a0, 8f
1:  mv    a0, s0
    call  rec_of
    sw    s1, CR_POLICY(a0)
    sw    zero, CR_RESTARTS(a0)
    mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    la    a3, s_stop_word
    beqz  s1, 2f
    la    a3, s_restart_word
2:  li    a4, MAX_FAULT_RESTARTS
    fmt   "ctl: %u (%s): fault policy %s (restart: at most %u times in a row)\n"
    call  kprintf
    li    a0, 0
    j     9f
8:  la    a0, u_policy
    call  usage
9:  leave 2

# technique ID paravirtual|hardware|trap-emulate: how the hypervisor virtualizes the partition from
# its next start (part_technique, docs/hypercalls.md#virtualization-techniques).
cmd_technique:
    enter 2
    call  split
    li    t0, 2
    bne   a0, t0, 8f
    arg   a0, 0
    li    a1, 1
    call  check_id
    bltz  a0, 9f
    mv    s0, a0
    mv    a1, s0
    arg   a2, 1
    fmt   "technique %u %s"
    call  ctx_set
    li    s1, 0
    arg   a0, 1
    la    a1, s_path_pv
    call  strcmp
    beqz  a0, 1f
    li    s1, 1
    arg   a0, 1
    la    a1, s_t_hardware
    call  strcmp
    beqz  a0, 1f
    li    s1, 2
    arg   a0, 1
    la    a1, s_t_trap_emulate
    call  strcmp
    bnez  a0, 8f
1:  mv    a0, s0
    mv    a1, s1
    call  hc_technique
    beqz  a0, 2f
    la    a1, s_part_technique
    call  fail_hv
    j     9f
2:  mv    a0, s0
    call  part_label
    mv    a2, a0
    mv    a1, s0
    arg   a3, 1
    fmt   "ctl: %u (%s): technique %s from its next start\n"
    call  kprintf
    li    a0, 0
    j     9f
8:  la    a0, u_technique
    call  usage
9:  leave 2

# net_ports -> a0 = 0, or the error (reported): every port of the hypervisor's bridge and its
# counters (bridge_stats, docs/hypercalls.md#control-api-partition-0-only).
net_ports:
    enter 4
    li    s0, 0                   # s0 = the port index
    lwg   t0, tagged
    bnez  t0, 1f
    print "bridge ports (rx: frames the bridge got from the guest; tx: frames it gave the guest):\n"
    print "  PORT PARTITION           MAC                PATH          RX FRAMES   RX BYTES  TX FRAMES   TX BYTES  DROPS\n"
1:  mv    a0, s0
    la    a1, bstat_buf
    call  hc_bridge_stats
    li    t0, HV_ENOENT
    beq   a0, t0, 8f
    beqz  a0, 2f
    la    a1, s_bridge_stats
    call  fail_hv
    j     9f
2:  la    s1, bstat_buf
    la    s2, s_destroyed_owner   # s2 = the owner's name
    lw    a0, BS_OWNER(s1)
    bltz  a0, 3f
    call  part_label
    mv    s2, a0
3:  la    s3, s_dash              # s3 = how the guest uses the port (none: no guest)
    lw    t0, BS_OWNER(s1)
    bltz  t0, 4f
    la    s3, s_path_emulated
    lw    t0, BS_FLAGS(s1)
    andi  t0, t0, 2
    beqz  t0, 4f
    la    s3, s_path_pv
4:  lwg   t0, tagged
    beqz  t0, 5f
    lw    a1, BS_PORT(s1)
    lw    a2, BS_OWNER(s1)
    fmt   "bport port=%u owner=%d mac="
    call  kprintf
    call  put_bs_mac
    lw    a1, BS_FLAGS(s1)
    andi  a1, a1, 1
    mv    a2, s3
    fmt   " up=%u path=%s "
    call  kprintf
    lw    a1, BS_RX_FRAMES(s1)
    lw    a2, BS_RX_BYTES(s1)
    lw    a3, BS_TX_FRAMES(s1)
    lw    a4, BS_TX_BYTES(s1)
    lw    a5, BS_DROPS(s1)
    fmt   "rx_frames=%u rx_bytes=%u tx_frames=%u tx_bytes=%u drops=%u\n"
    call  kprintf
    j     7f
5:  la    a0, cell_buf            # "1 (cos)"
    li    a1, CELL_MAX
    call  cap_start
    lw    a1, BS_OWNER(s1)
    mv    a2, s2
    fmt   "%d (%s)"
    bgez  a1, 51f
    fmt   "(destroyed)"
51: call  kprintf
    call  cap_stop
    lw    a1, BS_PORT(s1)
    la    a2, cell_buf
    fmt   "  %4u %-19s "
    call  kprintf
    call  put_bs_mac
    mv    a1, s3
    lw    a2, BS_RX_FRAMES(s1)
    lw    a3, BS_RX_BYTES(s1)
    lw    a4, BS_TX_FRAMES(s1)
    lw    a5, BS_TX_BYTES(s1)
    lw    a6, BS_DROPS(s1)
    fmt   "  %-12s %10u %10u %10u %10u %6u\n"
    call  kprintf
7:  addi  s0, s0, 1
    j     1b
8:  bnez  s0, 81f
    lwg   t0, tagged
    bnez  t0, 81f
    print "  (none yet: a port appears when a client with a virtual nic starts)\n"
81: li    a0, 0
9:  leave 4

# put_bs_mac: the MAC of bstat_buf, "02:00:00:00:00:01".
put_bs_mac:
    enter 1
    la    s0, bstat_buf
    lbu   a1, 8(s0)               # BS_MAC: 6 bytes
    lbu   a2, 9(s0)
    lbu   a3, 10(s0)
    lbu   a4, 11(s0)
    lbu   a5, 12(s0)
    lbu   a6, 13(s0)
    fmt   "%02x:%02x:%02x:%02x:%02x:%02x"
    call  kprintf
    leave 1

.section rodata
s_faulted:         .asciz "faulted"
s_shutdown:        .asciz "shutdown"
s_restart_word:    .asciz "restart"
s_stop_word:       .asciz "stop"
s_destroyed_owner: .asciz "destroyed"
s_path_emulated:   .asciz "emulated"
s_path_pv:         .asciz "paravirtual"
s_dash:            .asciz "-"
s_bridge_stats:    .asciz "bridge_stats"
s_part_remove_mem: .asciz "part_remove_mem"
u_policy:          .asciz "policy ID restart|stop"
u_technique:       .asciz "technique ID paravirtual|hardware|trap-emulate"
s_t_hardware:      .asciz "hardware"
s_t_trap_emulate:  .asciz "trap-emulate"
s_part_technique:  .asciz "part_technique"
.text
