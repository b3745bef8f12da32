# cos 0.1: the cooperative OS of hyperdesk (docs/guests.md).
#
# "Cooperative" in the sense of docs/boot.md: cos learns its machine from the boot info the
# firmware (or, later, the hypervisor) hands it, and never probes or hard-codes a device address or
# the RAM size. It runs user programs from its cfs partition in their own address spaces, preempts
# them with the timer, and has a shell in the kernel.
#
# This file is the entry point: the image is loaded at 0x10000 (64 KiB, above the firmware's boot
# info and wait loop, so that cos runs in partitions as small as 1 MiB) and starts at _start (boot.s).
# Sections, in address order: text (code), rodata (strings), data (kernel globals), bss (stacks,
# process table, buffers), then _end, where the page-frame pool starts.

.org 0x10000
.text
.section rodata
.data
.bss
.text

.include "defs.inc"
.include "boot.s"        # entry, boot info, banner
.include "trap.s"        # trap entry and exit, faults, panic
.include "sched.s"       # the kernel loop, round-robin, timer tick, interrupts
.include "proc.s"        # process creation (exec) and teardown
.include "syscalls.s"    # the system calls
.include "mm.s"          # page frames, page tables, user-pointer checks and copies
.include "console.s"     # console output and kprintf
.include "tty.s"         # console input: receive ring, line editing
.include "disk.s"        # disk driver, partition table
.include "fs.s"          # cfs: directory lookup, file reads
.include "net.s"         # network: nic driver, ARP, ICMP echo, net_ping/net_info
.include "notice.s"      # the hypervisor's notices: giving memory back when asked
.include "hotplug.s"     # memory, vCPUs and devices added or taken while cos runs (M21)
.include "remote.s"      # a disk partition ctl exports, used over messages (M18)
.include "mail.s"        # the mailbox, messages and shared pages for programs (M19)
.include "shell.s"       # command line parsing and dispatch
.include "cmds.s"        # the shell's commands
.include "lib.s"         # strings, numbers, 64-bit division
.include "data.s"        # kernel globals and bss; ends with _end
