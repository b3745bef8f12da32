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

# disk_write(a0 = first block, a1 = blocks (1..256), a2 = physical buffer) -> a0 = 0 or -EIO. The
# disk's STATUS 1 means the data is on the disk (docs/devices.md: writes are synchronous).
disk_write:
    lwg   t0, disk_base
    beqz  t0, 1f
    sw    a0, DISK_LBA(t0)
    sw    a1, DISK_COUNT(t0)
    sw    a2, DISK_DMA(t0)
    li    t1, DISK_CMD_WRITE
    sw    t1, DISK_CMD(t0)
    lw    t1, DISK_STATUS(t0)
    swg   t1, disk_status
    li    t2, DISK_ST_DONE
    bne   t1, t2, 1f
    li    a0, 0
    ret
1:  li    a0, -EIO
    ret

# tally: a count kept in the last block of cos's disk partition, when no file of its cfs holds
# that block (the tools allocate first fit, so it is free space unless the disk is full; the lab of
# the preferred guest and of disk write errors, docs/guide.md): read it, add one, write it back.
# The new count is printed only once the disk acknowledged the write; a refused write says so and
# the count on the disk stays what it was.
cmd_tally:
    enter 3
    lwg   t0, fs_ok
    beqz  t0, 7f
    lwg   s0, part_first
    lwg   t0, part_blocks
    add   s0, s0, t0
    addi  s0, s0, -1              # s0 = the tally's block
    call  fs_rewind
    li    s2, 0                   # s2 = the directory entry looked at
1:  mv    a0, s2
    call  fs_dirent
    beqz  a0, 3f
    bltz  a0, 8f
    lw    t0, DE_FLAGS(a0)
    andi  t0, t0, DEF_USED
    beqz  t0, 2f
    lwg   t1, fs_sb
    lw    t0, DE_FIRST(a0)
    add   t0, t0, t1              # its first block on the disk
    lw    t2, DE_SIZE(a0)
    addi  t2, t2, BLOCK_SIZE - 1
    srli  t2, t2, BLOCK_SHIFT
    add   t2, t0, t2              # past its last
    bltu  s0, t0, 2f
    bltu  s0, t2, 7f              # a file holds it
2:  addi  s2, s2, 1
    j     1b
3:  mv    a0, s0
    li    a1, 1
    la    a2, bounce
    call  disk_read
    bltz  a0, 8f
    la    t0, bounce
    lw    s1, 0(t0)
    addi  s1, s1, 1
    sw    s1, 0(t0)
    mv    a0, s0
    li    a1, 1
    la    a2, bounce
    call  disk_write
    bltz  a0, 6f
    mv    a1, s1
    fmt   "tally %u (on disk)\n"
    call  kprintf
    leave 3
6:  lwg   a1, disk_status
    addi  a2, s1, -1
    fmt   "tally: the disk refused the write (status %u): the count on the disk stays %u\n"
    call  kprintf
    leave 3
7:  print "tally: its disk partition has no free last block (the file system is full)\n"
    leave 3
8:  print "tally: disk read error\n"
    leave 3

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
    swg   s1, part_first
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
