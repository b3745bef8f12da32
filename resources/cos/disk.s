# disk.s: the disk driver (docs/devices.md#disk-block-device-with-dma) and finding cos's own
# partition (docs/disks.md#partition-table-block-0, docs/boot.md#os-image-header-multiboot-like).
#
# cos polls: a command completes synchronously (STATUS is final when the store to CMD retires), so
# there is no interrupt and no wait loop. DMA addresses are physical addresses: the firmware (or the
# hypervisor) gives the disk a DMA table that maps bus addresses to cos's memory one to one.

.text

# disk_read(a0 = first block, a1 = blocks (1..256), a2 = physical buffer) -> a0 = 0 or -EIO
disk_read:
    lwg   t0, disk_base
    beqz  t0, 1f
    sw    a0, DISK_LBA(t0)
    sw    a1, DISK_COUNT(t0)
    sw    a2, DISK_DMA(t0)
    li    t1, DISK_CMD_READ
    sw    t1, DISK_CMD(t0)
    lw    t1, DISK_STATUS(t0)
    swg   t1, disk_status         # kept for error messages
    li    t2, DISK_ST_DONE
    bne   t1, t2, 1f
    li    a0, 0
    ret
1:  li    a0, -EIO
    ret

# disk_init -> a0 = 0, or a message saying why cos has no file system. Finds the boot partition in
# the partition table, its OS image header (for the file system's offset) and the cfs superblock.
disk_init:
    enter 2
    la    a0, msg_no_disk
    lwg   t0, disk_base
    beqz  t0, 9f
    sw    zero, DISK_CTRL(t0)     # no completion interrupts
    li    a0, 0
    li    a1, 1
    la    a2, bounce
    call  disk_read
    bltz  a0, 8f
    la    s0, bounce
    la    a0, msg_no_table
    lw    t0, 0(s0)
    li    t1, HDPT_MAGIC
    bne   t0, t1, 9f
    la    a0, msg_no_part
    lwg   t0, boot_part
    addi  t0, t0, -1
    lw    t1, PT_COUNT(s0)
    bgeu  t0, t1, 9f
    li    t1, PT_ENTRY_SIZE
    mul   t0, t0, t1
    add   t0, s0, t0
    addi  t0, t0, PT_ENTRIES
    la    a0, msg_not_cfs
    lw    t1, PE_TYPE(t0)
    li    t2, PTYPE_CFS
    bne   t1, t2, 9f
    lw    s1, PE_FIRST(t0)
    lw    t1, PE_BLOCKS(t0)
    swg   t1, part_blocks
    mv    a0, s1                  # the OS image header says where the file system starts
    li    a1, 1
    la    a2, bounce
    call  disk_read
    bltz  a0, 8f
    lw    t0, 0(s0)
    li    t1, HDOS_MAGIC
    li    t2, 0                   # no header: the file system starts the partition
    bne   t0, t1, 1f
    lw    t2, OSH_FS_OFFSET(s0)
1:  la    a0, msg_fs_outside
    lwg   t1, part_blocks
    bgeu  t2, t1, 9f
    add   s1, s1, t2
    swg   s1, fs_sb
    mv    a0, s1
    li    a1, 1
    la    a2, bounce
    call  disk_read
    bltz  a0, 8f
    la    a0, msg_no_cfs
    lw    t0, 0(s0)
    li    t1, CFS_MAGIC
    bne   t0, t1, 9f
    lw    t0, SB_BLOCKS(s0)
    swg   t0, fs_blocks
    lw    t0, SB_DIR_FIRST(s0)
    add   t0, s1, t0
    swg   t0, fs_dir
    lw    t0, SB_DIR_BLOCKS(s0)
    swg   t0, fs_dir_blocks
    li    a0, 0
9:  leave 2
8:  la    a0, msg_disk_error
    leave 2

.section rodata
msg_no_disk:     .asciz "the boot info names no boot disk"
msg_no_table:    .asciz "no partition table on the boot disk"
msg_no_part:     .asciz "the boot partition is not in the partition table"
msg_not_cfs:     .asciz "the boot partition is not a cfs partition"
msg_fs_outside:  .asciz "the file system offset lies outside the partition"
msg_no_cfs:      .asciz "no cfs superblock in the boot partition"
msg_disk_error:  .asciz "disk read error"
.text
