# ctl 0.1: the Controlling OS of hyperdesk (partition 0; docs/guests.md#ctl-the-controlling-os).
#
# ctl is cos's kernel (boot, console, line editor, disk driver, cfs, shell, processes: included
# from ../cos unchanged) plus a control module: all the policy of the hypervisor (M12). At boot it
# reads `parttab` from its own cfs and creates, loads and starts the partitions it lists (M13); its
# shell adds the commands of the control API (M14) and a tagged reply mode (`@TAG cmd`); the app's
# commands come through the hypervisor's management mailbox (chan.s, mgmt_serve).
#
# The cos files come in cos.s's order (test/guests/ctl.test.ts checks that every file cos.s includes
# is here); ctl's own files go before data.s, which ends the image with _end. The hooks ctl uses in
# cos are marked `.ifdef OS_HOOKS` there: the banner line and short name, a boot step after the file
# system is mounted (os_boot), the prompt, the shell's line handler (os_shell_line) and a console
# output filter (os_putc_filter). OS_RAM_KEEP keeps cos's page-frame pool below CTL_KEEP: the memory
# above it is what ctl gives to partitions.

.equ OS_HOOKS,    1
.equ CTL_KEEP,    0x400000
.equ OS_RAM_KEEP, CTL_KEEP

.org 0x100000
.text
.section rodata
.data
.bss
.text

.include "../cos/defs.inc"
.include "defs.inc"            # ctl's constants: hypercalls, errors, records
.include "../cos/boot.s"       # entry, boot info, banner (os_banner_line, os_boot)
.include "../cos/trap.s"
.include "../cos/sched.s"
.include "../cos/proc.s"
.include "../cos/syscalls.s"
.include "../cos/mm.s"         # frames below OS_RAM_KEEP only
.include "../cos/console.s"    # putc consults os_putc_filter
.include "../cos/tty.s"        # prompt os_prompt
.include "../cos/disk.s"
.include "../cos/fs.s"
.include "../cos/net.s"
.include "../cos/notice.s"     # the notification source; ctl's own handler is os_notices (monitor.s)
.include "../cos/hotplug.s"    # (cos's hot-plug; nothing of it in ctl, which has os_notices)
.include "../cos/remote.s"     # (cos's remote disk client; nothing of it in ctl, which serves: export.s)
.include "../cos/mail.s"       # cos's mailbox and message system calls (ctl uses inbox; its programs get ENOSYS)
.include "../cos/shell.s"      # lines go to os_shell_line
.include "../cos/cmds.s"
.include "../cos/lib.s"
.include "hv.s"                # hypercall wrappers, error names, finding out whether a hypervisor is there
.include "chan.s"              # line dispatch, tagged replies, the management mailbox, error reports
.include "image.s"             # OS images on the disk, ctl's memory for partitions, loading
.include "part.s"              # partition records, building and starting a partition, parttab
.include "ctlcmds.s"           # the control commands
.include "monitor.s"           # notices as they come, the fault policy, the bridge's counters
.include "swap.s"              # swapping whole guests out and in (M17)
.include "devs.s"              # device subtrees (M5); taking vCPUs and devices back (M21, M18)
.include "export.s"            # a disk partition served to the clients over messages (M18, remote use)
.include "fault.s"             # the fault-injection lab, the preferred guest (M22, M24)
.include "ftol.s"              # fault tolerance: a backup that takes over (M23)
.include "data.s"              # ctl's globals and buffers
.include "../cos/data.s"       # cos's globals and bss; ends with _end
