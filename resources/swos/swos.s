# swos.s: the shrink-wrapped OS of hyperdesk (M11), entry file.
#
# swos is written as if it owned the machine and could never be changed: it ignores the boot info
# the firmware (or, later, the hypervisor) hands it, and finds everything itself:
#   - its devices, by reading the identity register of every 4 KiB window of the device area,
#   - its memory, by touching addresses upward until one faults,
# with its own trap handler turning "nothing there" (ACCESS_FAULT) into an answer instead of a crash.
# So it runs unchanged with less memory or fewer devices: in a partition, probing finds exactly the
# partition's own resources.
#
# Then it mounts the first sfs partition of the first disk and runs a small shell on the first uart.
#
# Files: probe.s (trap handler, probing, device table), lib.s (console, numbers, strings, crc32),
# disk.s (block driver), sfs.s (partition table and file system), shell.s (line editor, commands),
# primes.s (the primes command, a CPU-bound job).

# ---- hardware constants (docs/devices.md, docs/isa.md) -------------------------------------------

.equ LOAD_ADDR,        0x100000     # where the image header says swos is loaded (and runs)

.equ MMIO_BASE,        0xF0000000   # first device window
.equ MMIO_END,         0xF0100000   # end of the device area swos scans
.equ WINDOW_SIZE,      0x1000       # every device window is 4 KiB (intc: two windows)
.equ ID_OFFSET,        0xFF0        # identity register in every window
.equ VERSION_OFFSET,   0xFF4

# Identity values: the ASCII name read as a little-endian word.
.equ ID_UART,          0x54524155   # 'UART'
.equ ID_SYSCTL,        0x4C544353   # 'SCTL'
.equ ID_RTC,           0x20435452   # 'RTC '
.equ ID_INTC,          0x43544E49   # 'INTC'
.equ ID_DISK,          0x4B534944   # 'DISK'
.equ ID_NIC,           0x2043494E   # 'NIC '

# uart registers
.equ UART_TX,          0x00
.equ UART_RX,          0x04         # -1 when the receive FIFO is empty
.equ UART_STATUS,      0x08
.equ UART_STATUS_RX_READY, 1        # a byte is waiting
.equ UART_CTRL,        0x0C         # bit 0: raise the interrupt line while a byte is waiting
.equ UART_CTRL_RXIRQ,  1

# sysctl registers
.equ SYSCTL_EXIT,      0x00         # write: power off with that exit code
.equ SYSCTL_RESET,     0x0C         # write: reset the machine (dual boot: back to the loader)

# intc registers (one context of 0x20 bytes per pCPU)
.equ INTC_PENDING,     0x080        # bit s: source s's line is high
.equ INTC_CONTEXT,     0x100
.equ INTC_CONTEXT_SIZE, 0x20
.equ INTC_ENABLE,      0x00
.equ INTC_THRESHOLD,   0x04
.equ INTC_ALL_SOURCES, 0xFFFFFFFE   # sources 1..31 (0 means "none")

# disk registers
.equ DISK_BLOCKS,      0x00
.equ DISK_LBA,         0x04
.equ DISK_COUNT,       0x08
.equ DISK_DMA,         0x0C
.equ DISK_CMD,         0x10
.equ DISK_STATUS,      0x14
.equ DISK_CTRL,        0x18         # bit 0: interrupt on completion
.equ DISK_IRQACK,      0x1C         # write: lower the completion interrupt
.equ DISK_CMD_READ,    1
.equ DISK_STATUS_IDLE, 0
.equ DISK_STATUS_DONE, 1
.equ BLOCK_SIZE,       512

# trap causes and control-register bits
.equ CAUSE_ACCESS_FAULT, 14
.equ SIE_EXTERNAL,     2            # sie bit 1: the external interrupt line

# ---- swos's own constants ------------------------------------------------------------------------

.equ CONSOLE_CRLF,     1            # send a line end as CR LF (0: LF alone)
.equ STACK_SIZE,       8192
.equ LINE_MAX,         80           # longest command line, with its NUL
.equ NL,               10
.equ CR,               13
.equ BS,               8
.equ DEL,              127
.equ CTRL_U,           21           # erase the whole line
.equ ESC,              27
.equ SPACE,            32

# ---- entry ---------------------------------------------------------------------------------------

.org LOAD_ADDR
.text
.entry _start

# The firmware starts swos in supervisor mode, translation off, every delegable trap delegated here.
# a0..a2 hold boot info: deliberately ignored (the image header says so: flags bit 0 clear).
_start:
    la    sp, stack_top
    # The trap handler must be ready before the first probe: sscratch first (the handler uses it
    # from its first instruction), then the vector.
    la    t0, trap_frame
    csrw  sscratch, t0
    la    t0, trap_entry
    csrw  stvec, t0
    # Interrupts are never taken (IE stays 0); swos polls. The external line may still wake wfi.
    csrw  sie, zero
    csrw  sstatus, zero

    call  scan_devices           # first: the console is one of the devices
    call  probe_memory
    call  disk_init
    call  console_init

    la    a0, msg_banner
    call  puts
    call  print_memory
    call  print_found_devices
    call  sfs_mount
    call  print_fs

    j     shell                  # never returns

.data
msg_banner:
    .asciz "swos 1.0 (shrink-wrapped OS)\n"

.text
.include "lib.s"
.include "probe.s"
.include "disk.s"
.include "sfs.s"
.include "shell.s"
.include "primes.s"

# ---- memory that is not code ---------------------------------------------------------------------
# Everything swos writes lives inside its own image (zero-filled .bss), so it needs no memory it has
# not been given, whatever probing finds.
.bss
.align 16
stack:
    .space STACK_SIZE
stack_top:

# The end of swos in memory: its image, data and buffers. Memory probing never writes inside
# [_start, image_end): swos runs there, so that is RAM anyway.
.align 16
image_end:
