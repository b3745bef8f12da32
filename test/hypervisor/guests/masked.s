# A guest kernel that runs with interrupts on for a while, then turns them off and spins: a hung
# kernel. The hypervisor's watchdog must stop it (M22).
.org 0x100000
_start:
    li    t0, 1
    csrw  sstatus, t0          # interrupts on (none are enabled in sie, so none arrive)
    li    t1, 2000000
1:  addi  t1, t1, -1
    bnez  t1, 1b
    csrw  sstatus, zero        # off for good
2:  j     2b
