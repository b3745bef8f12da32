# sfs.s: the partition table and sfs, swos's own file system (docs/disks.md).
#
# sfs is FAT-like: a superblock, a FAT (one u16 per data block: 0 free, 0xFFFF last block of a file,
# else the next data block), a root directory of 32-byte entries with 8.3 upper-case names, and data
# blocks. swos mounts the first partition of type sfs on the first disk, read-only.

# Partition table (block 0 of the disk)
.equ PT_MAGIC,        0x54504448     # 'HDPT'
.equ PT_VERSION,      1
.equ PT_OFF_MAGIC,    0
.equ PT_OFF_VERSION,  4
.equ PT_OFF_COUNT,    8
.equ PT_OFF_ENTRIES,  16
.equ PT_MAX_ENTRIES,  8
.equ PT_ENTRY_SIZE,   48
.equ PT_CRC_LEN,      400            # the crc covers bytes 0..399
.equ PT_OFF_CRC,      400
.equ PE_TYPE,         0
.equ PE_FIRST,        8
.equ PE_BLOCKS,       12
.equ PE_NAME,         16
.equ PE_NAME_LEN,     32
.equ PTYPE_SFS,       2

# OS image header: a bootable partition starts with one; its file system starts later
.equ HDR_MAGIC,       0x534F4448     # 'HDOS'
.equ HDR_OFF_FS,      20             # fs offset, in blocks from the partition's first block

# sfs superblock
.equ SFS_MAGIC,       0x21534653     # 'SFS!'
.equ SFS_VERSION,     1
.equ SB_MAGIC,        0
.equ SB_VERSION,      4
.equ SB_BLOCKS,       8
.equ SB_FAT,          12
.equ SB_FAT_BLOCKS,   16
.equ SB_DIR,          20
.equ SB_DIR_BLOCKS,   24
.equ SB_DATA,         28
.equ SB_DATA_BLOCKS,  32

# FAT and directory
.equ FAT_PER_BLOCK_SHIFT, 8          # 256 u16 entries per 512-byte block
.equ FAT_INDEX_MASK,  255
.equ FAT_LAST,        0xFFFF
.equ DIR_ENTRY_SIZE,  32
.equ DIR_PER_BLOCK_SHIFT, 4          # 16 entries per block
.equ DIR_INDEX_MASK,  15
.equ DE_NAME,         0              # 8 bytes, space-padded
.equ DE_EXT,          8              # 3 bytes, space-padded
.equ DE_ATTR,         11             # bit 0: in use
.equ DE_FIRST,        12             # u16: first data block
.equ DE_SIZE,         16             # bytes
.equ DE_NAME_LEN,     8
.equ DE_EXT_LEN,      3
.equ NAME83_LEN,      11
.equ ATTR_IN_USE,     1

.text

# sfs_mount: finds and checks the file system -> a0 = 0 when mounted, else an error message (also
# kept in fs_error, for `dir` and `type` to repeat).
sfs_mount:
    push  ra
    push  s0
    push  s1
    push  s2
    la    t0, fs_mounted
    sw    zero, 0(t0)
    la    t0, fat_buf_block
    li    t1, -1
    sw    t1, 0(t0)
    la    t0, dir_buf_block
    sw    t1, 0(t0)

    la    s0, err_no_disk
    la    t0, disk_base
    lw    t0, 0(t0)
    beqz  t0, .fail

    # The partition table: block 0.
    li    a0, 0
    la    a1, blk_buf
    call  disk_read
    la    s0, err_read
    bnez  a0, .fail
    la    s1, blk_buf
    la    s0, err_no_table
    lw    t0, PT_OFF_MAGIC(s1)
    li    t1, PT_MAGIC
    bne   t0, t1, .fail
    lw    t0, PT_OFF_VERSION(s1)
    li    t1, PT_VERSION
    bne   t0, t1, .fail
    mv    a0, s1
    li    a1, PT_CRC_LEN
    call  crc32
    lw    t0, PT_OFF_CRC(s1)
    la    s0, err_table_crc
    bne   a0, t0, .fail

    # The first entry of type sfs.
    lw    s2, PT_OFF_COUNT(s1)
    li    t0, PT_MAX_ENTRIES
    bleu  s2, t0, 1f
    mv    s2, t0                     # (a count above 8 is malformed; look at the 8 entries)
1:  li    t2, 0                      # entry index
    addi  t3, s1, PT_OFF_ENTRIES
2:  la    s0, err_no_sfs
    bgeu  t2, s2, .fail
    lw    t0, PE_TYPE(t3)
    li    t1, PTYPE_SFS
    beq   t0, t1, 3f
    addi  t2, t2, 1
    addi  t3, t3, PT_ENTRY_SIZE
    j     2b
3:  addi  t2, t2, 1
    la    t0, fs_part
    sw    t2, 0(t0)                  # partition numbers are 1-based
    lw    t0, PE_FIRST(t3)
    la    t1, fs_part_first
    sw    t0, 0(t1)
    lw    t0, PE_BLOCKS(t3)
    la    t1, fs_part_blocks
    sw    t0, 0(t1)
    # Keep the partition's name (NUL-padded; fs_part_name has room for a final NUL).
    la    t0, fs_part_name
    addi  t1, t3, PE_NAME
    li    t2, PE_NAME_LEN
4:  lbu   t4, 0(t1)
    sb    t4, 0(t0)
    addi  t0, t0, 1
    addi  t1, t1, 1
    addi  t2, t2, -1
    bnez  t2, 4b

    # A bootable partition begins with the OS image header, which says where the file system is.
    la    t0, fs_part_first
    lw    s2, 0(t0)                  # s2: block of the superblock (so far: the partition's first)
    mv    a0, s2
    la    a1, blk_buf
    call  disk_read
    la    s0, err_read
    bnez  a0, .fail
    lw    t0, 0(s1)
    li    t1, HDR_MAGIC
    bne   t0, t1, 5f
    lw    t0, HDR_OFF_FS(s1)
    la    t1, fs_part_blocks
    lw    t1, 0(t1)
    la    s0, err_bad_sb
    bgeu  t0, t1, .fail              # the file system must start inside the partition
    add   s2, s2, t0
    mv    a0, s2
    la    a1, blk_buf
    call  disk_read
    la    s0, err_read
    bnez  a0, .fail

    # The superblock (in blk_buf).
5:  la    s0, err_bad_sb
    lw    t0, SB_MAGIC(s1)
    li    t1, SFS_MAGIC
    bne   t0, t1, .fail
    lw    t0, SB_VERSION(s1)
    li    t1, SFS_VERSION
    bne   t0, t1, .fail
    # The file system must fit in what is left of the partition.
    la    t0, fs_part_first
    lw    t0, 0(t0)
    sub   t0, s2, t0                 # blocks before the superblock
    la    t1, fs_part_blocks
    lw    t1, 0(t1)
    sub   t1, t1, t0                 # blocks from the superblock to the partition's end
    lw    t4, SB_BLOCKS(s1)
    bgtu  t4, t1, .fail
    # Each region must lie inside the file system, after the superblock.
    lw    t0, SB_FAT(s1)
    lw    t1, SB_FAT_BLOCKS(s1)
    call  .region
    bnez  a0, .fail
    lw    t0, SB_DIR(s1)
    lw    t1, SB_DIR_BLOCKS(s1)
    call  .region
    bnez  a0, .fail
    lw    t0, SB_DATA(s1)
    lw    t1, SB_DATA_BLOCKS(s1)
    call  .region
    bnez  a0, .fail
    # The FAT must have an entry for every data block.
    lw    t0, SB_FAT_BLOCKS(s1)
    slli  t0, t0, FAT_PER_BLOCK_SHIFT
    lw    t1, SB_DATA_BLOCKS(s1)
    bltu  t0, t1, .fail

    # Mounted: keep absolute block numbers.
    la    t0, fs_base
    sw    s2, 0(t0)
    lw    t1, SB_FAT(s1)
    add   t1, t1, s2
    la    t0, fs_fat
    sw    t1, 0(t0)
    lw    t1, SB_FAT_BLOCKS(s1)
    la    t0, fs_fat_blocks
    sw    t1, 0(t0)
    lw    t1, SB_DIR(s1)
    add   t1, t1, s2
    la    t0, fs_dir
    sw    t1, 0(t0)
    lw    t1, SB_DIR_BLOCKS(s1)
    la    t0, fs_dir_blocks
    sw    t1, 0(t0)
    lw    t1, SB_DATA(s1)
    add   t1, t1, s2
    la    t0, fs_data
    sw    t1, 0(t0)
    lw    t1, SB_DATA_BLOCKS(s1)
    la    t0, fs_data_blocks
    sw    t1, 0(t0)
    la    t0, fs_mounted
    li    t1, 1
    sw    t1, 0(t0)
    li    a0, 0
    j     .out
.fail:
    mv    a0, s0
.out:
    la    t0, fs_error
    sw    a0, 0(t0)
    pop   s2
    pop   s1
    pop   s0
    pop   ra
    ret
# .region: t0 = first block (relative), t1 = blocks, t4 = blocks in the file system
# -> a0 = 0 when 1 <= first and first + blocks <= t4 (and no wrap-around), else 1. A leaf.
.region:
    li    a0, 1
    beqz  t0, 1f
    add   t1, t0, t1
    bltu  t1, t0, 1f
    bgtu  t1, t4, 1f
    li    a0, 0
1:  ret

# print_fs: one line about the file system found at boot.
print_fs:
    push  ra
    la    t0, fs_mounted
    lw    t0, 0(t0)
    beqz  t0, 1f
    la    a0, msg_fs_sfs
    call  puts
    la    t0, fs_part
    lw    a0, 0(t0)
    call  putdec
    la    a0, msg_fs_open
    call  puts
    la    a0, fs_part_name
    call  puts
    la    a0, msg_fs_close
    call  puts
    pop   ra
    ret
1:  la    a0, msg_fs_none
    call  puts
    la    t0, fs_error
    lw    a0, 0(t0)
    call  puts
    la    a0, msg_fs_close
    call  puts
    pop   ra
    ret

# sfs_dir_entry: a0 = entry index -> a0 = address of the 32-byte entry (valid until the next
# directory read), or 0 past the end of the directory; a1 = 0, or 1 when the disk failed.
sfs_dir_entry:
    push  ra
    push  s0
    mv    s0, a0
    srli  a0, s0, DIR_PER_BLOCK_SHIFT
    la    t0, fs_dir_blocks
    lw    t0, 0(t0)
    li    a1, 0
    bgeu  a0, t0, .end
    la    t0, fs_dir
    lw    t0, 0(t0)
    add   a0, a0, t0                 # the directory block that holds the entry
    la    t0, dir_buf_block
    lw    t1, 0(t0)
    beq   a0, t1, 1f                 # already in dir_buf
    li    t1, -1
    sw    t1, 0(t0)                  # (dir_buf is not valid while it is being read)
    push  a0
    la    a1, dir_buf
    call  disk_read
    pop   t1
    li    a1, 1
    bnez  a0, .end
    la    t0, dir_buf_block
    sw    t1, 0(t0)
1:  andi  t0, s0, DIR_INDEX_MASK
    slli  t0, t0, 5                  # * DIR_ENTRY_SIZE
    la    a0, dir_buf
    add   a0, a0, t0
    li    a1, 0
    j     2f
.end:
    li    a0, 0
2:  pop   s0
    pop   ra
    ret

# sfs_find: a0 = 11-byte space-padded 8.3 name -> a0 = its directory entry, or 0; a1 = 1 when the
# disk failed.
sfs_find:
    push  ra
    push  s0
    push  s1
    push  s2
    mv    s0, a0
    li    s1, 0                      # entry index
1:  mv    a0, s1
    call  sfs_dir_entry
    beqz  a0, 3f                     # end of the directory (or a disk error in a1)
    mv    s2, a0
    lbu   t0, DE_ATTR(s2)
    andi  t0, t0, ATTR_IN_USE
    beqz  t0, 2f
    mv    a0, s2
    mv    a1, s0
    li    a2, NAME83_LEN
    call  mem_eq
    beqz  a0, 2f
    mv    a0, s2
    li    a1, 0
    j     3f
2:  addi  s1, s1, 1
    j     1b
3:  pop   s2
    pop   s1
    pop   s0
    pop   ra
    ret

# sfs_print_name: a0 = directory entry -> prints "NAME.EXT" (no dot without an extension);
# a0 = number of characters printed.
sfs_print_name:
    push  ra
    push  s0
    push  s1
    push  s2
    mv    s0, a0
    li    s2, 0                      # characters printed
    li    s1, 0
1:  li    t0, DE_NAME_LEN            # the name, up to its first space
    bgeu  s1, t0, 2f
    add   t0, s0, s1
    lbu   a0, DE_NAME(t0)
    li    t1, SPACE
    beq   a0, t1, 2f
    call  putc
    addi  s1, s1, 1
    addi  s2, s2, 1
    j     1b
2:  lbu   t0, DE_EXT(s0)
    li    t1, SPACE
    beq   t0, t1, 4f                 # no extension
    li    a0, '.'
    call  putc
    addi  s2, s2, 1
    li    s1, 0
3:  li    t0, DE_EXT_LEN
    bgeu  s1, t0, 4f
    add   t0, s0, s1
    lbu   a0, DE_EXT(t0)
    li    t1, SPACE
    beq   a0, t1, 4f
    call  putc
    addi  s1, s1, 1
    addi  s2, s2, 1
    j     3b
4:  mv    a0, s2
    pop   s2
    pop   s1
    pop   s0
    pop   ra
    ret

# make_name83: a0 = name as typed ("readme.txt"), a1 = 11-byte output -> a0 = 1 and the
# space-padded upper-case 8.3 form ("README  TXT"), or 0 when it cannot be an sfs name (empty, more
# than 8 + 3 characters, a second dot, a space or a control character).
make_name83:
    push  ra
    push  s0
    push  s1
    push  s2
    push  s3
    mv    s0, a0
    mv    s1, a1
    # Start from all spaces.
    li    t0, SPACE
    li    t1, 0
1:  add   t2, s1, t1
    sb    t0, 0(t2)
    addi  t1, t1, 1
    li    t2, NAME83_LEN
    bltu  t1, t2, 1b
    # The name part: 1..8 characters up to a dot or the end.
    li    s2, 0                      # characters in this part
    li    s3, DE_NAME_LEN            # room in this part
2:  lbu   a0, 0(s0)
    beqz  a0, .end_of_name
    li    t0, '.'
    beq   a0, t0, .dot
    call  .name_char
    beqz  a0, .bad
    bgeu  s2, s3, .bad               # too long
    add   t0, s1, s2
    sb    a1, 0(t0)
    addi  s2, s2, 1
    addi  s0, s0, 1
    j     2b
.dot:
    li    t0, DE_NAME_LEN
    bne   s3, t0, .bad               # a second dot
    beqz  s2, .bad                   # no name before the dot
    addi  s0, s0, 1
    addi  s1, s1, DE_EXT             # the extension part: 0..3 characters
    li    s2, 0
    li    s3, DE_EXT_LEN
    j     2b
.end_of_name:
    li    t0, DE_NAME_LEN
    bne   s3, t0, .good              # (after a dot an empty extension is fine: "readme.")
    beqz  s2, .bad                   # empty name
.good:
    li    a0, 1
    j     .out
.bad:
    li    a0, 0
.out:
    pop   s3
    pop   s2
    pop   s1
    pop   s0
    pop   ra
    ret
# .name_char: a0 = character -> a0 = 1 and a1 = it in upper case when a file name may hold it.
.name_char:
    li    t0, SPACE
    bleu  a0, t0, 1f                 # spaces and control characters
    li    t0, DEL
    bgeu  a0, t0, 1f
    push  ra
    call  to_upper
    pop   ra
    mv    a1, a0
    li    a0, 1
    ret
1:  li    a0, 0
    ret

# fat_next: a0 = data block -> a0 = its FAT entry (the next block, or FAT_LAST), or -1 when the
# block has no FAT entry or the FAT cannot be read.
fat_next:
    push  ra
    push  s0
    mv    s0, a0
    srli  a0, s0, FAT_PER_BLOCK_SHIFT
    la    t0, fs_fat_blocks
    lw    t0, 0(t0)
    bgeu  a0, t0, .fail
    la    t0, fs_fat
    lw    t0, 0(t0)
    add   a0, a0, t0                 # the FAT block that holds the entry
    la    t0, fat_buf_block
    lw    t1, 0(t0)
    beq   a0, t1, 1f
    li    t1, -1
    sw    t1, 0(t0)
    push  a0
    la    a1, fat_buf
    call  disk_read
    pop   t1
    bnez  a0, .fail
    la    t0, fat_buf_block
    sw    t1, 0(t0)
1:  andi  t0, s0, FAT_INDEX_MASK
    slli  t0, t0, 1
    la    a0, fat_buf
    add   a0, a0, t0
    lhu   a0, 0(a0)
    j     2f
.fail:
    li    a0, -1
2:  pop   s0
    pop   ra
    ret

# sfs_print_file: a0 = first data block, a1 = size in bytes -> prints the file's bytes, following
# its FAT chain; a0 = 0, or an error message when the chain is broken or the disk fails.
sfs_print_file:
    push  ra
    push  s0
    push  s1
    push  s2
    mv    s0, a0                     # current data block
    mv    s1, a1                     # bytes left
1:  beqz  s1, .done
    # The block must be a real data block (0 is reserved, so it never starts or continues a file).
    la    s2, err_chain
    beqz  s0, .fail
    la    t0, fs_data_blocks
    lw    t0, 0(t0)
    bgeu  s0, t0, .fail
    la    t0, fs_data
    lw    a0, 0(t0)
    add   a0, a0, s0
    la    a1, blk_buf
    call  disk_read
    la    s2, err_read
    bnez  a0, .fail
    # Print min(512, left) bytes of it.
    li    a1, BLOCK_SIZE
    bleu  a1, s1, 2f
    mv    a1, s1
2:  sub   s1, s1, a1
    la    a0, blk_buf
    call  putn
    beqz  s1, .done
    mv    a0, s0
    call  fat_next
    mv    s0, a0
    la    s2, err_chain
    li    t0, FAT_LAST
    beq   s0, t0, .fail              # the chain ends before the file does
    li    t0, -1
    beq   s0, t0, .fail
    j     1b
.done:
    li    a0, 0
    j     .out
.fail:
    mv    a0, s2
.out:
    pop   s2
    pop   s1
    pop   s0
    pop   ra
    ret

.data
err_no_disk:   .asciz "no disk"
err_read:      .asciz "disk read error"
err_no_table:  .asciz "no partition table"
err_table_crc: .asciz "partition table checksum mismatch"
err_no_sfs:    .asciz "no sfs partition"
err_bad_sb:    .asciz "bad sfs superblock"
err_chain:     .asciz "broken FAT chain"
msg_fs_sfs:    .asciz "file system: sfs on partition "
msg_fs_open:   .asciz " ("
msg_fs_close:  .asciz ")\n"
msg_fs_none:   .asciz "file system: none ("

.align 4
fs_mounted:     .word 0
fs_error:       .word 0              # why mounting failed (a message), 0 when mounted
fs_part:        .word 0              # 1-based number of the sfs partition
fs_part_first:  .word 0              # its first block on the disk
fs_part_blocks: .word 0
fs_base:        .word 0              # absolute block numbers of the superblock and the regions
fs_fat:         .word 0
fs_fat_blocks:  .word 0
fs_dir:         .word 0
fs_dir_blocks:  .word 0
fs_data:        .word 0              # data block n is disk block fs_data + n
fs_data_blocks: .word 0
fat_buf_block:  .word -1             # disk block now in fat_buf (-1: none)
dir_buf_block:  .word -1             # disk block now in dir_buf (-1: none)
fs_part_name:   .space PE_NAME_LEN + 1

.bss
.align 512                           # whole blocks: DMA targets
blk_buf:  .space BLOCK_SIZE          # partition table, header, superblock, file data
fat_buf:  .space BLOCK_SIZE          # one FAT block
dir_buf:  .space BLOCK_SIZE          # one directory block
.text
