# fs.s: cfs, cos's file system (docs/disks.md#cfs-the-file-system-of-cos): one flat directory of
# 32-byte entries, each file in consecutive blocks. Read-only. Directory blocks are read into
# dirbuf as they are walked; file data goes through the bounce buffer.

.text

# fs_init: mount the boot partition's cfs, or say why there is none (the shell works without).
fs_init:
    enter 1
    call  disk_init
    beqz  a0, 1f
    mv    a1, a0
    fmt   "cos: no file system: %s\n"
    call  kprintf
    leave 1
1:  li    t0, 1
    swg   t0, fs_ok
    leave 1

# fs_rewind: forget the cached directory block (start of every directory walk).
fs_rewind:
    li    t0, -1
    swg   t0, dir_cached
    ret

# fs_dirent(a0 = entry index) -> a0 = address of that directory entry, 0 past the last one, or
# -EIO. Valid until the next fs_dirent of another block.
fs_dirent:
    enter 2
    mv    s0, a0
    li    a0, 0
    lwg   t0, fs_ok
    beqz  t0, 2f
    srli  s1, s0, 4               # DIRENTS_PER_BLOCK = 16
    lwg   t0, fs_dir_blocks
    bgeu  s1, t0, 2f
    lwg   t0, dir_cached
    beq   t0, s1, 1f
    lwg   a0, fs_dir
    add   a0, a0, s1
    li    a1, 1
    la    a2, dirbuf
    call  disk_read
    bltz  a0, 2f
    swg   s1, dir_cached
1:  andi  t0, s0, DIRENTS_PER_BLOCK - 1
    slli  t0, t0, 5               # * DIRENT_SIZE
    la    a0, dirbuf
    add   a0, a0, t0
2:  leave 2

# fs_lookup(a0 = name) -> a0 = 0, a1 = the file's first block on the disk, a2 = its size,
# a3 = its flags; or a0 = -ENOENT, or -EIO (also for an entry that points outside the file system).
fs_lookup:
    enter 3
    mv    s0, a0
    call  fs_rewind
    li    s1, 0
1:  mv    a0, s1
    call  fs_dirent
    beqz  a0, 3f
    bltz  a0, 9f
    mv    s2, a0
    lw    t0, DE_FLAGS(s2)
    andi  t0, t0, DEF_USED
    beqz  t0, 2f
    mv    a0, s0
    mv    a1, s2
    call  name_eq
    bnez  a0, 4f
2:  addi  s1, s1, 1
    j     1b
3:  li    a0, -ENOENT
9:  leave 3
4:  lw    t0, DE_FIRST(s2)        # check its extent against the file system
    lw    t1, DE_SIZE(s2)
    srli  t2, t1, BLOCK_SHIFT
    andi  t3, t1, BLOCK_SIZE - 1
    snez  t3, t3
    add   t2, t2, t3              # blocks
    li    a0, -EIO
    beqz  t0, 9b
    add   t3, t0, t2
    bltu  t3, t0, 9b
    lwg   t4, fs_blocks
    bgtu  t3, t4, 9b
    lwg   a1, fs_sb
    add   a1, a1, t0
    mv    a2, t1
    lw    a3, DE_FLAGS(s2)
    li    a0, 0
    leave 3

# name_eq(a0 = NUL-terminated name, a1 = directory entry name) -> a0 = 1 when they are the same.
name_eq:
    li    t0, 0
1:  add   t1, a0, t0
    lbu   t1, 0(t1)
    add   t2, a1, t0
    lbu   t2, 0(t2)
    bne   t1, t2, 2f
    beqz  t1, 3f
    addi  t0, t0, 1
    li    t3, DE_NAME_MAX
    blt   t0, t3, 1b
2:  li    a0, 0
    ret
3:  li    a0, 1
    ret

# fs_read_to_user(a0 = PCB, a1 = the file's first block, a2 = offset in the file, a3 = user va,
#   a4 = bytes) -> a0 = bytes, -EIO or -EFAULT. Reads up to 8 blocks per disk command.
fs_read_to_user:
    enter 7
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    mv    s3, a3
    mv    s4, a4
    mv    s6, a4
1:  beqz  s4, 3f
    andi  t0, s2, BLOCK_SIZE - 1  # where the data starts in its first block
    li    t1, BOUNCE_SIZE
    sub   s5, t1, t0
    bleu  s5, s4, 2f
    mv    s5, s4
2:  add   t1, t0, s5
    addi  t1, t1, BLOCK_SIZE - 1
    srli  a1, t1, BLOCK_SHIFT     # blocks to read
    srli  a0, s2, BLOCK_SHIFT
    add   a0, s1, a0
    la    a2, bounce
    call  disk_read
    bltz  a0, 9f
    mv    a0, s0
    mv    a1, s3
    la    a2, bounce
    andi  t0, s2, BLOCK_SIZE - 1
    add   a2, a2, t0
    mv    a3, s5
    call  copy_to_user
    bltz  a0, 9f
    add   s2, s2, s5
    add   s3, s3, s5
    sub   s4, s4, s5
    j     1b
3:  mv    a0, s6
9:  leave 7
