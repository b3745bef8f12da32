# disk.s: the block driver for the first disk scan_devices found (docs/devices.md, "disk").
#
# Polling, one block per command. The disk moves data by DMA to a bus address; swos runs with
# translation off and the DMA table maps its memory one to one (dual boot: all RAM; a partition:
# its own memory, bus address = guest-physical), so a buffer's address is its bus address.

.equ DISK_WAIT_LIMIT, 1000000        # commands complete at once today; never wait forever anyway

.text

# disk_init: the driver polls, so the disk's completion interrupt is turned off (and lowered): an OS
# that ran before a reset may have left it on, and device state survives a reset.
disk_init:
    push  ra
    push  s0
    la    t0, disk_base
    lw    s0, 0(t0)
    beqz  s0, 1f
    addi  a0, s0, DISK_CTRL
    li    a1, 0
    call  probe_write
    addi  a0, s0, DISK_IRQACK
    li    a1, 1
    call  probe_write
1:  pop   s0
    pop   ra
    ret

# disk_read: a0 = block number, a1 = 512-byte buffer -> a0 = 0 when done, else the disk's error
# status (2 range, 3 DMA fault, 4 I/O, 5 read-only), or -1 when there is no disk or it never answers.
disk_read:
    la    t0, disk_base
    lw    t0, 0(t0)
    beqz  t0, .none
    sw    a0, DISK_LBA(t0)
    li    t1, 1
    sw    t1, DISK_COUNT(t0)
    sw    a1, DISK_DMA(t0)
    li    t1, DISK_CMD_READ
    sw    t1, DISK_CMD(t0)
    li    t2, DISK_WAIT_LIMIT
1:  lw    a0, DISK_STATUS(t0)        # final when the CMD write retired; idle would mean "not yet"
    li    t1, DISK_STATUS_IDLE
    bne   a0, t1, 2f
    addi  t2, t2, -1
    bnez  t2, 1b
    j     .none
2:  li    t1, DISK_STATUS_DONE
    bne   a0, t1, 3f
    li    a0, 0
3:  ret
.none:
    li    a0, -1
    ret

# disk_blocks: -> a0 = size of the disk in blocks (0 when there is no disk).
disk_blocks:
    la    t0, disk_base
    lw    t0, 0(t0)
    li    a0, 0
    beqz  t0, 1f
    lw    a0, DISK_BLOCKS(t0)
1:  ret
