# remote.s: a disk partition another partition owns, used over messages (M18, remote use;
# docs/guests.md#remote-disk). ctl exports one partition of its boot disk (`export disk N`) and
# answers requests sent to partition 0 with msg_call (the protocol is in resources/ctl/export.s):
#   remote disk                    what ctl exports
#   remote disk read BLOCK         one block of it, in hex and ASCII
#   remote disk write BLOCK TEXT   the block becomes TEXT, then zeros (an export made `rw`)
#   remote ls, remote cat FILE     its cfs file system (the same format as cos's own), read remotely
# Nothing is shared: each reply is copied into cos's own memory by the hypervisor (128 bytes of a
# block per call, four calls a block). ctl includes this file; nothing of it is assembled there.

.ifndef OS_HOOKS
.equ RDK_CHUNK,       128

.bss
.align 4
rdk_buf:         .space BLOCK_SIZE        # a block, as it came
rdk_req:         .space 264               # the request's text
rdk_reply:       .space RDK_CHUNK + 8     # `=` or `!`, then the answer
rdk_name:        .space DE_NAME_MAX + 1
.align 4
rfs_sb:          .space 4                 # the remote cfs: its superblock's block in the partition
rfs_blocks:      .space 4
rfs_dir:         .space 4
rfs_dir_blocks:  .space 4
.text

# rdk_dispatch(a0 = the text after `remote`) -> a0 = 1 when it was a disk command (done), else 0.
rdk_dispatch:
    enter 2
    mv    s0, a0
    la    a1, s_r_disk_w
    call  rdk_word
    bnez  a0, 1f
    mv    a0, s0
    la    a1, s_r_ls
    call  rdk_word
    bnez  a0, 2f
    mv    a0, s0
    la    a1, s_r_cat
    call  rdk_word
    bnez  a0, 3f
    li    a0, 0
    leave 2
1:  call  rdk_disk
    j     9f
2:  lbu   t0, 0(a0)
    bnez  t0, 8f
    call  rdk_ls
    j     9f
3:  call  rdk_cat
    j     9f
8:  call  rdk_usage
9:  li    a0, 1
    leave 2

# rdk_word(a0 = text, a1 = a word) -> a0 = the text after the word and its spaces when the text
# starts with that word (followed by a space or its end), else 0.
rdk_word:
    enter
    call  word_is
    beqz  a0, 9f
    lbu   t0, 0(a0)
    beqz  t0, 9f
    li    t1, ' '
    bne   t0, t1, 8f
    call  skip_spaces
    leave
8:  li    a0, 0
9:  leave

rdk_usage:
    enter
    print "usage: remote disk [read BLOCK | write BLOCK TEXT], remote ls, remote cat FILE (ctl's exported disk partition)\n"
    leave

# rdk_disk(a0 = what follows `remote disk`)
rdk_disk:
    enter 3
    mv    s0, a0
    lbu   t0, 0(s0)
    bnez  t0, 1f
    la    a0, rdk_req             # `remote disk`: what ctl exports ("=N BLOCKS RW")
    la    a1, s_r_dk_i
    li    a2, 8
    call  strncpy
    call  rdk_call
    bltz  a0, 9f
    la    a0, rdk_reply + 1
    call  rdk_num
    mv    s1, a0
    mv    a0, a1
    call  rdk_num
    mv    s2, a0
    mv    a0, a1
    call  rdk_num
    la    a3, s_r_ro
    blez  a0, 11f
    la    a3, s_r_rw
11: mv    a1, s1
    mv    a2, s2
    fmt   "remote: ctl exports disk0 partition %u: %u blocks, %s\n"
    call  kprintf
    j     9f
1:  mv    a0, s0
    la    a1, s_r_read
    call  rdk_word
    beqz  a0, 2f
    call  rdk_num                 # the block; nothing may follow
    bltz  a0, 8f
    mv    s1, a0
    lbu   t0, 0(a1)
    bnez  t0, 8f
    mv    a0, s1
    la    a1, rdk_buf
    call  rdk_block
    bltz  a0, 9f
    mv    a1, s1
    fmt   "remote disk block %u (from ctl, over messages):\n"
    call  kprintf
    call  rdk_hexdump
    j     9f
2:  mv    a0, s0
    la    a1, s_r_write
    call  rdk_word
    beqz  a0, 8f
    call  rdk_num
    bltz  a0, 8f
    mv    s1, a0                  # the block
    mv    s2, a1                  # the text
    lbu   t0, 0(s2)
    beqz  t0, 8f
    la    a0, rdk_req             # "dk w BLOCK TEXT"
    la    a1, s_r_dk_w
    li    a2, 8
    call  strncpy
    la    a0, rdk_req + 5
    mv    a1, s1
    call  rdk_put_dec
    li    t0, ' '
    sb    t0, 0(a0)
    addi  a0, a0, 1
    mv    a1, s2
    li    a2, 200
    call  strncpy
    call  rdk_call
    bltz  a0, 9f
    mv    a0, s2
    call  strlen
    mv    a2, a0
    mv    a1, s1
    fmt   "remote: wrote block %u of ctl's exported partition (%u bytes of text, then zeros)\n"
    call  kprintf
    j     9f
8:  call  rdk_usage
9:  leave 3

# rdk_num(a0 = text) -> a0 = the decimal number that starts it and a1 = the text after it and its
# spaces; a0 = -1 when it does not start with a number followed by a space or the end.
rdk_num:
    enter 1
    mv    s0, a0
    call  dec_prefix
    beqz  a1, 8f
    add   t1, s0, a1              # after the digits
    mv    s0, a0
    lbu   t0, 0(t1)
    beqz  t0, 1f
    li    t2, ' '
    bne   t0, t2, 8f
1:  mv    a0, t1
    call  skip_spaces
    mv    a1, a0
    mv    a0, s0
    leave 1
8:  li    a0, -1
    mv    a1, s0
    leave 1

# rdk_put_dec(a0 = where, a1 = value) -> a0 = the end of the digits written (NUL-terminated).
rdk_put_dec:
    li    t1, 10
    mv    t2, a0                  # digits backwards, then reversed
1:  remu  t0, a1, t1
    addi  t0, t0, '0'
    sb    t0, 0(a0)
    addi  a0, a0, 1
    divu  a1, a1, t1
    bnez  a1, 1b
    sb    zero, 0(a0)
    addi  t3, a0, -1
2:  bgeu  t2, t3, 3f
    lbu   t0, 0(t2)
    lbu   t1, 0(t3)
    sb    t1, 0(t2)
    sb    t0, 0(t3)
    addi  t2, t2, 1
    addi  t3, t3, -1
    j     2b
3:  ret

# rdk_call: rdk_req's text to partition 0 with msg_call -> a0 = the reply's length, rdk_reply
# starting with `=`; or -1 after saying why (the call failed, or ctl refused: its reason).
rdk_call:
    enter 1
    lwg   t0, bi_addr
    lw    t0, BI_PARTITION(t0)
    bnez  t0, 1f
    print "remote: no hypervisor to reach ctl through (cos runs bare, or is partition 0)\n"
    j     8f
1:  la    a0, rdk_req
    call  strlen
    mv    a2, a0
    li    a0, 0
    la    a1, rdk_req
    la    a3, rdk_reply
    li    a4, RDK_CHUNK + 1
    hypercall HC_MSG_CALL
    bgez  a0, 2f
    mv    a1, a0
    fmt   "remote: the call to ctl failed (%d)\n"
    call  kprintf
    j     8f
2:  mv    s0, a0
    la    t0, rdk_reply
    add   t1, t0, s0
    sb    zero, 0(t1)
    lbu   t1, 0(t0)
    li    t2, '='
    bne   t1, t2, 3f
    mv    a0, s0
    leave 1
3:  la    a1, rdk_reply + 1
    fmt   "remote: ctl refused: %s\n"
    call  kprintf
8:  li    a0, -1
    leave 1

# rdk_block(a0 = block of the exported partition, a1 = 512-byte buffer) -> a0 = 0, or -1 (said why).
rdk_block:
    enter 3
    mv    s0, a0
    mv    s1, a1
    li    s2, 0                   # the chunk
1:  la    a0, rdk_req             # "dk r BLOCK CHUNK"
    la    a1, s_r_dk_r
    li    a2, 8
    call  strncpy
    la    a0, rdk_req + 5
    mv    a1, s0
    call  rdk_put_dec
    li    t0, ' '
    sb    t0, 0(a0)
    addi  t0, s2, '0'
    sb    t0, 1(a0)
    sb    zero, 2(a0)
    call  rdk_call
    bltz  a0, 9f
    li    t0, RDK_CHUNK + 1
    beq   a0, t0, 2f
    print "remote: ctl's answer was short\n"
    li    a0, -1
    j     9f
2:  slli  a0, s2, 7               # * RDK_CHUNK
    add   a0, s1, a0
    la    a1, rdk_reply + 1
    li    a2, RDK_CHUNK
    call  memcpy
    addi  s2, s2, 1
    li    t0, BLOCK_SIZE / RDK_CHUNK
    bltu  s2, t0, 1b
    li    a0, 0
9:  leave 3

# rdk_hexdump: rdk_buf as 32 lines `OFFSET  16 bytes in hex  |ASCII|`.
rdk_hexdump:
    enter 3
    li    s0, 0
1:  li    t0, BLOCK_SIZE
    bgeu  s0, t0, 9f
    mv    a1, s0
    fmt   "%03x "
    call  kprintf
    li    s1, 0
2:  la    t0, rdk_buf
    add   t0, t0, s0
    add   t0, t0, s1
    lbu   a1, 0(t0)
    fmt   " %02x"
    call  kprintf
    addi  s1, s1, 1
    li    t0, 16
    bltu  s1, t0, 2b
    print "  |"
    li    s1, 0
3:  la    t0, rdk_buf
    add   t0, t0, s0
    add   t0, t0, s1
    lbu   a0, 0(t0)
    call  rdk_printable
    call  putc
    addi  s1, s1, 1
    li    t0, 16
    bltu  s1, t0, 3b
    print "|\n"
    addi  s0, s0, 16
    j     1b
9:  leave 3

# rdk_printable(a0 = byte) -> a0 = itself when printable ASCII, else '.'
rdk_printable:
    addi  t0, a0, -' '
    sltiu t0, t0, 127 - ' '
    bnez  t0, 1f
    li    a0, '.'
1:  ret

# rdk_mount -> a0 = 0 with rfs_* set from the exported partition's cfs superblock; or -1 (said why).
# The partition may start with an OS image whose header says where the file system starts (as
# cos's own: disk_init).
rdk_mount:
    enter 1
    li    a0, 0
    la    a1, rdk_buf
    call  rdk_block
    bltz  a0, 9f
    li    s0, 0                   # the file system's offset
    la    t0, rdk_buf
    lw    t1, 0(t0)
    li    t2, HDOS_MAGIC
    bne   t1, t2, 1f
    lw    s0, OSH_FS_OFFSET(t0)
1:  mv    a0, s0
    la    a1, rdk_buf
    call  rdk_block
    bltz  a0, 9f
    la    t0, rdk_buf
    lw    t1, 0(t0)
    li    t2, CFS_MAGIC
    beq   t1, t2, 2f
    print "remote: ctl's exported partition holds no cfs file system (remote disk read BLOCK shows its blocks)\n"
    li    a0, -1
    j     9f
2:  la    t3, rfs_sb
    sw    s0, 0(t3)
    lw    t1, SB_BLOCKS(t0)
    la    t3, rfs_blocks
    sw    t1, 0(t3)
    lw    t1, SB_DIR_FIRST(t0)
    add   t1, t1, s0
    la    t3, rfs_dir
    sw    t1, 0(t3)
    lw    t1, SB_DIR_BLOCKS(t0)
    la    t3, rfs_dir_blocks
    sw    t1, 0(t3)
    li    a0, 0
9:  leave 1

# rdk_find(a0 = a name, or 0 to list every file) -> a0 = the entry (in rdk_buf) when found, 0 when
# not (listing: after the last), -1 after an error (said). Listing prints `NAME SIZE` lines and a
# total.
rdk_find:
    enter 6
    mv    s0, a0
    li    s1, 0                   # the directory block
    li    s4, 0                   # files
    li    s5, 0                   # bytes
1:  la    t0, rfs_dir_blocks
    lw    t0, 0(t0)
    bgeu  s1, t0, 7f
    la    t0, rfs_dir
    lw    a0, 0(t0)
    add   a0, a0, s1
    la    a1, rdk_buf
    call  rdk_block
    bltz  a0, 9f
    li    s2, 0                   # the entry
2:  li    t0, DIRENTS_PER_BLOCK
    bgeu  s2, t0, 6f
    slli  t0, s2, 5               # * DIRENT_SIZE
    la    s3, rdk_buf
    add   s3, s3, t0
    lw    t0, DE_FLAGS(s3)
    andi  t0, t0, DEF_USED
    beqz  t0, 5f
    beqz  s0, 3f
    mv    a0, s0
    mv    a1, s3
    call  name_eq
    beqz  a0, 5f
    mv    a0, s3
    j     9f
3:  la    a0, rdk_name            # trust no disk: at most 19 characters
    mv    a1, s3
    li    a2, DE_NAME_MAX - 1
    call  strncpy
    lw    a2, DE_SIZE(s3)
    add   s5, s5, a2
    addi  s4, s4, 1
    la    a1, rdk_name
    fmt   "%-20s %8u\n"
    call  kprintf
5:  addi  s2, s2, 1
    j     2b
6:  addi  s1, s1, 1
    j     1b
7:  bnez  s0, 8f
    mv    a1, s4
    mv    a2, s5
    fmt   "%u files, %u bytes (ctl's exported partition, read over messages)\n"
    call  kprintf
8:  li    a0, 0
9:  leave 6

rdk_ls:
    enter
    call  rdk_mount
    bltz  a0, 9f
    li    a0, 0
    call  rdk_find
9:  leave

# rdk_cat(a0 = the file's name): its bytes, non-printable ones as '.'.
rdk_cat:
    enter 4
    mv    s0, a0
    lbu   t0, 0(s0)
    bnez  t0, 1f
    call  rdk_usage
    j     9f
1:  call  cut_word
    call  rdk_mount
    bltz  a0, 9f
    mv    a0, s0
    call  rdk_find
    bltz  a0, 9f
    bnez  a0, 2f
    mv    a1, s0
    fmt   "remote cat: no file '%s' on ctl's exported partition\n"
    call  kprintf
    j     9f
2:  lw    s1, DE_FIRST(a0)        # its first block, in the file system
    lw    s2, DE_SIZE(a0)         # bytes left
    addi  t0, s2, BLOCK_SIZE - 1  # inside the file system, or refused
    srli  t0, t0, BLOCK_SHIFT
    add   t0, t0, s1
    la    t1, rfs_blocks
    lw    t1, 0(t1)
    bgtu  t0, t1, 8f
    beqz  s1, 8f
    la    t0, rfs_sb
    lw    t0, 0(t0)
    add   s1, s1, t0              # in the partition
3:  beqz  s2, 9f
    mv    a0, s1
    la    a1, rdk_buf
    call  rdk_block
    bltz  a0, 9f
    li    s3, 0
4:  bgeu  s3, s2, 5f
    li    t0, BLOCK_SIZE
    bgeu  s3, t0, 5f
    la    t0, rdk_buf
    add   t0, t0, s3
    lbu   a0, 0(t0)
    li    t1, '\n'
    beq   a0, t1, 41f
    call  rdk_printable
41: call  putc
    addi  s3, s3, 1
    j     4b
5:  sub   s2, s2, s3
    addi  s1, s1, 1
    j     3b
8:  print "remote cat: the file's blocks lie outside the file system\n"
9:  leave 4

.section rodata
s_r_disk_w:  .asciz "disk"
s_r_ls:      .asciz "ls"
s_r_cat:     .asciz "cat"
s_r_read:    .asciz "read"
s_r_write:   .asciz "write"
s_r_dk_i:    .asciz "dk i"
s_r_dk_r:    .asciz "dk r "
s_r_dk_w:    .asciz "dk w "
s_r_ro:      .asciz "read-only"
s_r_rw:      .asciz "read-write"
.text
.endif
