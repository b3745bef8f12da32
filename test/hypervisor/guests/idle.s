# A stand-in Controlling OS for mechanism tests: it owns everything and sleeps (the test drives the
# hypervisor's control API directly, as ctl would through hypercalls).
.org 0x100000
_start:
1:  wfi
    j     1b
