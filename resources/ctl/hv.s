# hv.s: talking to the hypervisor: one wrapper per hypercall, the names of its errors, and finding
# out at boot whether there is a hypervisor at all.
#
# Booted bare (dual boot), a hypercall would trap to hypervisor mode, where nothing handles it: the
# machine would stop. So ctl decides once, at boot, before any hypercall (hv_detect), and every
# wrapper answers ENOSYS without trapping when there is no hypervisor.

.text

# hvcall NAME, N: NAME(a0..a5) -> a0 = the hypervisor's result (ENOSYS when booted bare).
.macro hvcall name, n
\name:
    lwg   t0, hv_mode
    bnez  t0, 1f
    li    a0, HV_ENOSYS
    ret
1:  hypercall \n
    ret
.endm

hvcall hc_version,      HC_VERSION
hvcall hc_partition_id, HC_PARTITION_ID
hvcall hc_msg_send,     HC_MSG_SEND
hvcall hc_msg_recv,     HC_MSG_RECV
hvcall hc_create,       HC_PART_CREATE
hvcall hc_assign_cpu,   HC_PART_ASSIGN_CPU
hvcall hc_assign_mem,   HC_PART_ASSIGN_MEM
hvcall hc_assign_dev,   HC_PART_ASSIGN_DEV
hvcall hc_grant_disk,   HC_PART_GRANT_DISK
hvcall hc_start,        HC_PART_START
hvcall hc_stop,         HC_PART_STOP
hvcall hc_destroy,      HC_PART_DESTROY
hvcall hc_query,        HC_PART_QUERY
hvcall hc_sched,        HC_SCHED_SET
hvcall hc_restart,      HC_PART_RESTART
hvcall hc_swap_out,     HC_PART_SWAP_OUT
hvcall hc_swap_in,      HC_PART_SWAP_IN
hvcall hc_remove_mem,   HC_PART_REMOVE_MEM
hvcall hc_bridge_stats, HC_BRIDGE_STATS
hvcall hc_technique,    HC_PART_TECHNIQUE
hvcall hc_msg_reply,    HC_MSG_REPLY
hvcall hc_remove_cpu,   HC_PART_REMOVE_CPU
hvcall hc_remove_dev,   HC_PART_REMOVE_DEV
hvcall hc_prefer,       HC_PART_PREFER
hvcall hc_fault,        HC_FAULT_INJECT
hvcall hc_mgmt_recv,    HC_MGMT_RECV
hvcall hc_mgmt_reply,   HC_MGMT_REPLY
hvcall hc_ft_on,        HC_FT_ON
hvcall hc_ft_off,       HC_FT_OFF
hvcall hc_ft_query,     HC_FT_QUERY
hvcall hc_idle,         HC_PART_IDLE

# query(a0 = id) -> a0 = part_query's result; qbuf holds the answer when it is 0.
query:
    la    a1, qbuf
    j     hc_query

# err_name(a0 = error code) -> a0 = its name ("ENOENT"), a1 = what it means.
err_name:
    li    t0, CE_IO
    beq   a0, t0, 2f
    neg   t0, a0
    addi  t0, t0, -1
    li    t1, HV_EMAX
    bgeu  t0, t1, 3f
    slli  t0, t0, 2
    la    t1, err_names
    add   t1, t1, t0
    lw    a0, 0(t1)
    la    t1, err_meanings
    add   t1, t1, t0
    lw    a1, 0(t1)
    ret
2:  la    a0, s_eio
    la    a1, m_eio
    ret
3:  la    a0, s_eunknown
    la    a1, m_eunknown
    ret

# ---------------------------------------------------------------- boot

# hv_detect: set hv_mode. 0: booted bare (no hypervisor: never make a hypercall), 1: partition 0
# under the hypervisor (the Controlling OS), 2: a client partition (the control API is refused).
#
# The boot info's partition id is 0 both bare and as partition 0, so ctl asks the machine: it sends
# an IPI to its own pCPU through sysctl and looks at sip. Bare, the firmware delegated the ipi line
# to the supervisor (hideleg), so the pending IPI shows in sip. Under the hypervisor the physical
# ipi line is the hypervisor's own (it kicks pCPUs with it; hideleg delegates only the timer):
# the supervisor never sees it. No sysctl in the boot info: bare (no hypercall is the safe side).
hv_detect:
    enter
    lwg   t0, bi_addr
    lw    t1, BI_PARTITION(t0)
    swg   t1, part_self
    li    t2, 2
    bnez  t1, 1f                  # a client partition: only a hypervisor writes a non-zero id
    li    t2, 0
    lwg   t0, sysctl_base
    beqz  t0, 1f
    csrw  sip, zero
    csrr  t1, cpuid
    sw    t1, SYSCTL_IPI(t0)
    nop                           # (the store raised the line when it retired)
    csrr  t3, sip
    csrw  sip, zero               # bare: take the probe back; sie never had the ipi line
    andi  t3, t3, SIP_IPI
    bnez  t3, 1f                  # the supervisor saw its own IPI: nothing runs above it
    li    t2, 1
1:  swg   t2, hv_mode
    leave

# os_boot (cos hook, after the file system is mounted): find out where ctl runs, say so, and in
# partition 0 start what parttab lists.
os_boot:
    enter 2
    call  hv_detect
    call  dev_init
    lwg   t0, hv_mode
    li    t1, 1
    beq   t0, t1, 2f
    bnez  t0, 1f
    print "ctl: no hypervisor: ctl was booted bare (dual boot), so there is nothing to partition.\n"
    print "ctl: its shell works; control commands answer ENOSYS. Run it with: hyperdesk boot --mode hypervisor\n"
    leave 2
1:  lwg   a1, part_self
    fmt   "ctl: running as client partition %u: the hypervisor refuses the control API to clients (EPERM)\n"
    call  kprintf
    leave 2
2:  lwg   t0, intc_ctx            # the hypervisor's notices, as they come (monitor.s)
    beqz  t0, 21f
    li    a0, NOTIFY_SOURCE
    call  irq_enable
21: call  hc_version
    mv    s0, a0
    call  hc_partition_id
    mv    a2, a0
    mv    a1, s0
    fmt   "ctl: hypervisor version %d, ctl is partition %d (the Controlling OS); "
    call  kprintf
    call  ctl_mem_top
    mv    s0, a0
    bltz  s0, 3f
    li    s1, CTL_KEEP            # kept (less when ctl has less)
    bleu  s1, s0, 4f
    mv    s1, s0
4:  mv    a0, s1
    call  put_size
    print " kept for ctl, "
    sub   a0, s0, s1
    call  put_size
    print " for partitions\n"
    call  ft_adopt                # a guest that came through a restart of the hypervisor (fault.s)
    call  parttab_boot
    leave 2
3:  mv    a0, s0                  # (ctl cannot learn its memory: it starts nothing)
    la    a1, s_part_query
    call  fail_hv
    leave 2

.section rodata
os_banner_line: .asciz "ctl 0.1 (Controlling OS) on hyperdesk\n"
os_short_name:  .asciz "ctl"
os_prompt:      .asciz "ctl> "
os_halt_line:   .asciz "ctl: halt\n"
os_help_head:   .asciz "\nshell commands (ctl's kernel is cos's: files, programs, processes):\n"
.align 4
err_names:
    .word s_eperm, s_einval, s_enoent, s_ebusy, s_enomem, s_efault, s_eagain, s_enosys
err_meanings:
    .word m_eperm, m_einval, m_enoent, m_ebusy, m_enomem, m_efault, m_eagain, m_enosys
s_eperm:    .asciz "EPERM"
s_einval:   .asciz "EINVAL"
s_enoent:   .asciz "ENOENT"
s_ebusy:    .asciz "EBUSY"
s_enomem:   .asciz "ENOMEM"
s_efault:   .asciz "EFAULT"
s_eagain:   .asciz "EAGAIN"
s_enosys:   .asciz "ENOSYS"
s_eio:      .asciz "EIO"
s_eunknown: .asciz "E?"
m_eperm:    .asciz "not allowed for this caller"
m_einval:   .asciz "a bad argument"
m_enoent:   .asciz "no such partition, device or message"
m_ebusy:    .asciz "the partition is not in a state that allows it"
m_enomem:   .asciz "not enough memory, or the range is not the caller's"
m_efault:   .asciz "a buffer outside the caller's memory"
m_eagain:   .asciz "nothing there now"
m_enosys:   .asciz "no such hypercall"
m_eio:      .asciz "the disk failed"
m_eunknown: .asciz "an unknown error"
.text
