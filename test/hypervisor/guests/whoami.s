# Shuts its partition down with its cpuid as the exit code: a guest must see its vCPU number, not
# the pCPU it was placed on (cpuid reads hvcpuid below hypervisor mode, docs/isa.md).
.org 0x100000
_start:
    csrr  a0, cpuid
    hypercall 4
