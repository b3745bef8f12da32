# image.s: OS images on the boot disk (docs/boot.md#os-image-header-multiboot-like), ctl's memory
# for partitions, and loading an image into memory that a partition then gets.
#
# Memory policy (docs/guests.md#memory-1): ctl's memory is its guest-physical [0, top), where top is
# what part_query(0) says ctl has now. ctl keeps [0, CTL_KEEP) for itself; a partition gets
# [top - size, top), zeroed, and the hypervisor appends it to the partition's memory. Giving always
# from the top keeps ctl's memory one range from 0, which is where the hypervisor puts memory that
# comes back (part_destroy appends it at ctl's end): so it is free again at once, and the next
# partition gets it.

.text

# ctl_mem_top -> a0 = the size of ctl's memory now (its top), or a hypervisor error.
ctl_mem_top:
    enter
    li    a0, 0
    call  query
    bnez  a0, 1f
    la    t0, qbuf
    lw    a0, Q_MEM(t0)
1:  leave

# mem_take(a0 = bytes, a multiple of 4 KiB; a1 = the partition it is for) -> a0 = the ctl address
# of that much memory at the top of ctl's memory, zeroed; or an error (reported). The caller gives it
# away before ctl takes any more. When there is not enough and `swap auto` is on, the longest-idle
# client goes to the swap store first, as often as it takes (mem_room, swap.s; never the partition
# the memory is for).
mem_take:
    enter 3
    mv    s0, a0
    mv    s2, a1
1:  call  ctl_mem_top
    bltz  a0, 8f
    li    t0, CTL_KEEP
    li    t1, 0                   # free for partitions
    bltu  a0, t0, 7f
    sub   t1, a0, t0
    bltu  t1, s0, 7f
    sub   s1, a0, s0
    mv    a0, s1
    mv    a1, s0
    call  zero_range
    mv    a0, s1
    leave 3
7:  mv    s1, t1                  # not enough
    mv    a0, s0
    mv    a1, s1
    mv    a2, s2
    call  mem_room
    beqz  a0, 1b                  # a guest went out: look again
    call  fail_begin
    mv    a0, s0
    call  put_size
    print " wanted, "
    mv    a0, s1
    call  put_size
    print " free for partitions"
    li    a0, HV_ENOMEM
    call  fail_end
    leave 3
8:  la    a1, s_part_query
    call  fail_hv
    leave 3

# zero_range(a0 = address, a1 = bytes, a multiple of 32)
zero_range:
    add   a1, a0, a1
1:  bgeu  a0, a1, 2f
    sw    zero, 0(a0)
    sw    zero, 4(a0)
    sw    zero, 8(a0)
    sw    zero, 12(a0)
    sw    zero, 16(a0)
    sw    zero, 20(a0)
    sw    zero, 24(a0)
    sw    zero, 28(a0)
    addi  a0, a0, 32
    j     1b
2:  ret

# ---------------------------------------------------------------- finding an OS on the disk

# read_table -> a0 = 0 with the boot disk's partition table in pt_buf, or an error (reported).
read_table:
    enter
    lwg   t0, disk_base
    bnez  t0, 1f
    call  fail_begin
    print "ctl has no boot disk"
    li    a0, HV_ENOENT
    call  fail_end
    leave
1:  li    a0, 0
    li    a1, 1
    la    a2, pt_buf
    call  disk_read
    bltz  a0, 2f
    la    t0, pt_buf
    lw    t1, 0(t0)
    li    t2, HDPT_MAGIC
    bne   t1, t2, 3f
    lw    t1, PT_COUNT(t0)
    li    t2, PT_MAX
    bleu  t1, t2, 4f
    sw    t2, PT_COUNT(t0)        # never walk past the 8 entries
4:  li    a0, 0
    leave
2:  call  fail_begin
    print "cannot read the partition table"
    li    a0, CE_IO
    call  fail_end
    leave
3:  call  fail_begin
    print "no partition table on the boot disk"
    li    a0, HV_ENOENT
    call  fail_end
    leave

# pt_entry(a0 = partition number, 1-based) -> a0 = its entry in pt_buf
pt_entry:
    addi  a0, a0, -1
    li    t0, PT_ENTRY_SIZE
    mul   a0, a0, t0
    la    t0, pt_buf + PT_ENTRIES
    add   a0, t0, a0
    ret

# read_header(a0 = partition number) -> a0 = 0 with its first block in hdr_buf, or CE_IO.
read_header:
    enter
    call  pt_entry
    lw    a0, PE_FIRST(a0)
    li    a1, 1
    la    a2, hdr_buf
    call  disk_read
    bgez  a0, 1f
    li    a0, CE_IO
1:  leave

# name_matches(a0 = the name asked for, a1 = a name on the disk, a2 = most bytes to compare,
#   a3 = 1 to stop the disk's name at a space too) -> a0 = 1 when equal, ignoring case.
name_matches:
    li    t4, 0
1:  bgeu  t4, a2, 3f
    add   t0, a0, t4
    lbu   t0, 0(t0)
    add   t1, a1, t4
    lbu   t1, 0(t1)
    beqz  a3, 2f
    li    t2, ' '
    bne   t1, t2, 2f
    li    t1, 0
2:  ori   t2, t0, 0x20            # case-folded letters
    ori   t3, t1, 0x20
    addi  t5, t2, -'a'
    sltiu t5, t5, 26
    beqz  t5, 4f
    mv    t0, t2
4:  addi  t5, t3, -'a'
    sltiu t5, t5, 26
    beqz  t5, 5f
    mv    t1, t3
5:  bne   t0, t1, 6f
    beqz  t0, 3f
    addi  t4, t4, 1
    j     1b
3:  li    a0, 1
    ret
6:  li    a0, 0
    ret

# os_find(a0 = the OS asked for: a disk partition's name, the first word of its image's name, or
#   its number) -> a0 = the bootable partition's number (also in os_part), its image header in
#   hdr_buf (checked), the partition table in pt_buf; or an error (reported).
os_find:
    enter 4
    mv    s0, a0
    call  read_table
    bnez  a0, 9f
    la    t0, pt_buf
    lw    s2, PT_COUNT(t0)
    mv    a0, s0                  # a number?
    call  parse_uint
    beqz  a1, 1f
    mv    s1, a0
    beqz  s1, 8f
    bgtu  s1, s2, 8f
    mv    a0, s1
    call  pt_entry
    lw    t0, PE_FLAGS(a0)
    andi  t0, t0, 1
    beqz  t0, 8f
    j     5f
1:  li    s1, 1                   # the partition table's names first
2:  bgtu  s1, s2, 3f
    mv    a0, s1
    call  pt_entry
    lw    t0, PE_FLAGS(a0)
    andi  t0, t0, 1
    beqz  t0, 21f
    addi  a1, a0, PE_NAME
    mv    a0, s0
    li    a2, PE_NAME_MAX
    li    a3, 0
    call  name_matches
    bnez  a0, 5f
21: addi  s1, s1, 1
    j     2b
3:  li    s1, 1                   # then the first word of each image's name
4:  bgtu  s1, s2, 8f
    mv    a0, s1
    call  pt_entry
    lw    t0, PE_FLAGS(a0)
    andi  t0, t0, 1
    beqz  t0, 41f
    mv    a0, s1
    call  read_header
    bnez  a0, 7f
    la    t0, hdr_buf
    lw    t1, 0(t0)
    li    t2, HDOS_MAGIC
    bne   t1, t2, 41f
    mv    a0, s0
    addi  a1, t0, OSH_NAME
    li    a2, OSH_NAME_MAX
    li    a3, 1
    call  name_matches
    bnez  a0, 5f
41: addi  s1, s1, 1
    j     4b
5:  mv    a0, s1                  # found: read and check its header
    call  read_header
    bnez  a0, 7f
    mv    a0, s1
    call  header_check
    bnez  a0, 9f
    swg   s1, os_part
    mv    a0, s1
    j     9f
7:  call  fail_begin
    mv    a1, s1
    fmt   "cannot read disk partition %u"
    call  kprintf
    li    a0, CE_IO
    call  fail_end
    j     9f
8:  call  fail_begin
    mv    a1, s0
    fmt   "no bootable disk partition '%s' (oses lists them)"
    call  kprintf
    li    a0, HV_ENOENT
    call  fail_end
9:  leave 4

# header_check(a0 = partition number; its first block in hdr_buf) -> a0 = 0, or EINVAL (reported):
# the checks of docs/disks.md#os-image-header-what-the-tools-and-the-loader-check that do not depend
# on the partition's memory (load_image checks that).
header_check:
    enter 2
    mv    s0, a0
    la    s1, hdr_buf
    la    a2, s_magic
    lw    t0, 0(s1)
    li    t1, HDOS_MAGIC
    bne   t0, t1, 8f
    la    a2, s_version
    lw    t0, OSH_VERSION(s1)
    li    t1, 1
    bne   t0, t1, 8f
    la    a2, s_load
    lw    t0, OSH_LOAD(s1)
    andi  t1, t0, PAGE_SIZE - 1
    bnez  t1, 8f
    li    t1, MIN_PART_MEM
    bltu  t0, t1, 8f
    la    a2, s_size
    lw    t2, OSH_SIZE(s1)
    beqz  t2, 8f
    add   t3, t0, t2              # end of the image
    bltu  t3, t0, 8f
    addi  t4, t2, BLOCK_SIZE - 1  # header + image fit the partition
    srli  t4, t4, BLOCK_SHIFT
    addi  t4, t4, 1
    mv    a0, s0
    call  pt_entry
    lw    t5, PE_BLOCKS(a0)
    lw    t0, OSH_LOAD(s1)
    lw    t2, OSH_SIZE(s1)
    add   t3, t0, t2
    bgtu  t4, t5, 8f
    la    a2, s_entry
    lw    t1, OSH_ENTRY(s1)
    andi  t4, t1, 3
    bnez  t4, 8f
    bltu  t1, t0, 8f
    bgeu  t1, t3, 8f
    li    a0, 0
    leave 2
8:  call  fail_begin_keep_a2
    mv    a1, s0
    fmt   "disk partition %u: bad OS image header: %s"
    call  kprintf
    li    a0, HV_EINVAL
    call  fail_end
    leave 2

# fail_begin that keeps a2 (the field name above).
fail_begin_keep_a2:
    enter 1
    mv    s0, a2
    call  fail_begin
    mv    a2, s0
    leave 1

# ---------------------------------------------------------------- loading

# load_image(a0 = partition id, a1 = bytes of memory; hdr_buf = a checked header of partition
#   os_part) -> a0 = 0 when the image is in fresh memory that the partition now has as its
#   guest-physical 0..bytes (the image at its load address there); or an error (reported).
load_image:
    enter 6
    mv    s0, a0
    mv    s1, a1
    la    s5, hdr_buf
    lw    t0, OSH_LOAD(s5)        # it must fit, whole blocks read
    lw    t1, OSH_SIZE(s5)
    addi  t1, t1, BLOCK_SIZE - 1
    srli  t1, t1, BLOCK_SHIFT
    slli  t1, t1, BLOCK_SHIFT
    add   t0, t0, t1
    bgtu  t0, s1, 7f
    mv    a0, s1
    mv    a1, s0
    call  mem_take
    bltz  a0, 9f
    mv    s2, a0                  # the range, in ctl's memory
    lw    t0, OSH_LOAD(s5)
    add   s3, s2, t0              # where the image goes
    lw    s4, OSH_SIZE(s5)
    addi  s4, s4, BLOCK_SIZE - 1
    srli  s4, s4, BLOCK_SHIFT     # blocks to read
    lwg   a0, os_part
    call  pt_entry
    lw    s6, PE_FIRST(a0)
    addi  s6, s6, 1               # the image starts at the partition's block 1
1:  beqz  s4, 2f
    mv    a1, s4
    li    t0, DISK_MAX_COUNT
    bleu  a1, t0, 3f
    mv    a1, t0
3:  mv    a0, s6
    mv    a2, s3
    sub   s4, s4, a1
    add   s6, s6, a1
    slli  t0, a1, BLOCK_SHIFT
    add   s3, s3, t0
    call  disk_read
    bgez  a0, 1b
    call  fail_begin
    print "cannot read the OS image"
    li    a0, CE_IO
    call  fail_end
    j     9f
2:  lw    t0, OSH_LOAD(s5)        # its crc
    add   a0, s2, t0
    lw    a1, OSH_SIZE(s5)
    call  crc32
    lw    t0, OSH_CRC(s5)
    bne   a0, t0, 6f
    mv    a0, s0
    mv    a1, s2
    mv    a2, s1
    call  hc_assign_mem
    bnez  a0, 5f
    li    a0, 0
    j     9f
5:  la    a1, s_part_assign_mem
    call  fail_hv
    j     9f
6:  mv    s3, a0
    call  fail_begin
    lwg   a1, os_part
    lw    a2, OSH_CRC(s5)
    mv    a3, s3
    fmt   "disk partition %u: the OS image's crc is 0x%08x in its header but 0x%08x"
    call  kprintf
    li    a0, HV_EINVAL
    call  fail_end
    j     9f
7:  mv    s2, t0
    call  fail_begin
    lwg   a1, os_part
    fmt   "the OS image of disk partition %u ends at 0x%x, past "
    mv    a2, s2
    call  kprintf
    mv    a0, s1
    call  put_size
    print " of memory"
    li    a0, HV_ENOMEM
    call  fail_end
9:  leave 6

# crc32(a0 = address, a1 = bytes) -> a0 = the CRC-32 of zlib and the disk tools (src/shared/crc32.ts),
# four bits at a time.
crc32:
    li    t0, -1
    add   a1, a0, a1
    la    t3, crc_nibbles
1:  bgeu  a0, a1, 2f
    lbu   t1, 0(a0)
    xor   t0, t0, t1
    andi  t1, t0, 15
    slli  t1, t1, 2
    add   t1, t3, t1
    lw    t1, 0(t1)
    srli  t0, t0, 4
    xor   t0, t0, t1
    andi  t1, t0, 15
    slli  t1, t1, 2
    add   t1, t3, t1
    lw    t1, 0(t1)
    srli  t0, t0, 4
    xor   t0, t0, t1
    addi  a0, a0, 1
    j     1b
2:  not   a0, t0
    ret

.section rodata
.align 4
crc_nibbles:
    .word 0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c
    .word 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c
s_magic:   .asciz "magic"
s_version: .asciz "version"
s_load:    .asciz "load address"
s_size:    .asciz "image size"
s_entry:   .asciz "entry"
.text
