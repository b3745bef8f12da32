# export.s: remote use of a disk (M18; docs/guests.md#remote-disk, the lab in
# docs/guide.md#lab-m18-a-device-used-from-another-partition). ctl owns the boot disk; `export disk N`
# serves partition N of it to the clients over messages, and cos's `remote disk|ls|cat` use it. The
# data path is the message mechanism only (msg_call to partition 0, msg_reply): no memory is shared,
# and a client sees exactly the blocks of the exported partition, nothing else of the disk.
#
# A request is a text message to partition 0 that waits for the reply (msg_call), and the reply's
# first byte says how it went: `=` then the answer, or `!` then why not.
#   dk i               -> `=N BLOCKS RW`: the partition exported, its size in blocks, 1 if writable
#   dk r BLOCK CHUNK   -> `=` and the 128 bytes at CHUNK * 128 (CHUNK 0..3) of the partition's block
#                         BLOCK (a message holds 256 bytes, a block 512: four calls a block)
#   dk w BLOCK TEXT    -> `=ok`: block BLOCK becomes TEXT, then zeros (only with `export disk N rw`)
# Refused with the reason: nothing exported, a block outside the partition, a write to a read-only
# export, a disk error, a request ctl does not understand.

.equ DK_CHUNK,          128

.data
.align 4
dk_part:         .word 0                  # the exported partition of the boot disk (0: none)
dk_first:        .word 0                  # its first block on the disk
dk_blocks:       .word 0
dk_rw:           .word 0                  # 1: clients may write it

.bss
.align 512
dk_buf:          .space BLOCK_SIZE        # one block, by DMA
dk_reply:        .space DK_CHUNK + 8
.text

# export, export none, export disk N [rw]
cmd_export:
    enter 4
    call  split
    mv    s0, a0
    beqz  s0, 50f
    arg   a0, 0
    la    a1, s_x_none
    call  strcmp
    bnez  a0, 1f
    li    t0, 1
    bne   s0, t0, 8f
    swg   zero, dk_part
    print "ctl: exports no disk partition now: clients' remote disk requests are refused\n"
    li    a0, 0
    j     9f
1:  arg   a0, 0
    la    a1, s_x_disk
    call  strcmp
    bnez  a0, 8f
    li    t0, 2
    blt   s0, t0, 8f
    li    t0, 3
    bgt   s0, t0, 8f
    li    s2, 0                   # s2 = 1: writable
    bne   s0, t0, 2f
    arg   a0, 2
    la    a1, s_x_rw
    call  strcmp
    bnez  a0, 8f
    li    s2, 1
2:  arg   a1, 1
    fmt   "export disk %s"
    call  ctx_set
    arg   a0, 1
    call  parse_uint
    mv    s1, a0                  # s1 = the partition number
    beqz  a1, 6f
    call  read_table
    bnez  a0, 9f
    beqz  s1, 6f
    la    t0, pt_buf
    lw    t1, PT_COUNT(t0)
    bgtu  s1, t1, 6f
    mv    a0, s1
    call  pt_entry
    mv    s3, a0                  # s3 = its entry
    lw    t0, PE_BLOCKS(s3)
    beqz  t0, 6f
    mv    a0, s1
    call  dk_holder
    bnez  a0, 5f
    swg   s1, dk_part
    lw    t0, PE_FIRST(s3)
    swg   t0, dk_first
    lw    t0, PE_BLOCKS(s3)
    swg   t0, dk_blocks
    swg   s2, dk_rw
    call  dk_say
    li    a0, 0
    j     9f
5:  mv    s0, a0                  # a client boots from it: it is that client's, not ctl's to lend
    call  fail_begin
    mv    a0, s0
    call  part_label
    mv    a3, a0
    mv    a1, s1
    mv    a2, s0
    fmt   "disk0 partition %u is held by %u (%s), which boots from it: ctl exports only a partition no client holds"
    call  kprintf
    li    a0, HV_EBUSY
    call  fail_end
    j     9f
6:  call  fail_begin
    arg   a1, 1
    fmt   "disk0 has no partition '%s' (oses lists the bootable ones)"
    call  kprintf
    li    a0, HV_ENOENT
    call  fail_end
    j     9f
50: call  dk_say
    li    a0, 0
    j     9f
8:  la    a0, u_export
    call  usage
9:  leave 4

# dk_say: what ctl exports now, one line.
dk_say:
    enter
    lwg   a1, dk_part
    bnez  a1, 1f
    print "ctl: exports no disk partition (export disk N [rw] serves one to the clients)\n"
    leave
1:  lwg   a2, dk_blocks
    la    a3, s_x_read_only
    lwg   t0, dk_rw
    beqz  t0, 2f
    la    a3, s_x_read_write
2:  fmt   "ctl: exports disk0 partition %u (%u blocks, %s) to every client: cos's remote disk, remote ls, remote cat\n"
    call  kprintf
    leave

# dk_holder(a0 = partition number) -> a0 = a client ctl started from it (its boot disk partition),
# or 0.
dk_holder:
    enter 2
    mv    s0, a0
    li    s1, 1
1:  li    t0, MAX_PARTS
    bgeu  s1, t0, 8f
    mv    a0, s1
    call  rec_of
    lw    t0, CR_USED(a0)
    beqz  t0, 2f
    lw    t0, CR_OSPART(a0)
    bne   t0, s0, 2f
    mv    a0, s1
    leave 2
2:  addi  s1, s1, 1
    j     1b
8:  li    a0, 0
    leave 2

# dk_serve(a0 = the sender of msg_buf's text, which waits for a reply) -> a0 = 1 when it was a remote
# disk request (`dk ...`, above), answered; else 0.
dk_serve:
    enter 5
    mv    s0, a0
    la    a0, msg_buf
    la    a1, s_dk
    call  word_is
    bnez  a0, 1f
    leave 5
1:  lbu   s2, 0(a0)               # s2 = the operation
    addi  a0, a0, 1
    call  skip_spaces
    mv    s1, a0                  # s1 = its arguments
    la    a0, dk_reply
    li    a1, DK_CHUNK + 8
    call  cap_start               # an error's text, or a short answer
    lwg   t0, dk_part
    bnez  t0, 2f
    print "!ctl exports no disk partition (ctl: export disk N)"
    j     70f
2:  li    t0, 'i'
    bne   s2, t0, 3f
    lwg   a1, dk_part
    lwg   a2, dk_blocks
    lwg   a3, dk_rw
    fmt   "=%u %u %u"
    call  kprintf
    j     70f
3:  mv    a0, s1                  # BLOCK
    call  cut_word
    mv    s4, a0                  # s4 = what follows it
    mv    a0, s1
    call  parse_uint
    beqz  a1, 69f
    mv    s3, a0                  # s3 = the block
    lwg   t0, dk_blocks
    bltu  s3, t0, 4f
    lwg   a3, dk_part
    addi  a2, t0, -1
    mv    a1, s3
    fmt   "!block %u is outside the exported partition (blocks 0..%u of disk0 partition %u)"
    call  kprintf
    j     70f
4:  li    t0, 'r'
    bne   s2, t0, 5f
    mv    a0, s4
    call  parse_uint
    beqz  a1, 69f
    li    t0, 4
    bgeu  a0, t0, 69f
    mv    s4, a0                  # s4 = the chunk
    lwg   a0, dk_first
    add   a0, a0, s3
    li    a1, 1
    la    a2, dk_buf
    call  disk_read
    bltz  a0, 68f
    call  cap_stop
    la    a0, dk_reply
    li    t0, '='
    sb    t0, 0(a0)
    addi  a0, a0, 1
    la    a1, dk_buf
    slli  t0, s4, 7               # * DK_CHUNK
    add   a1, a1, t0
    li    a2, DK_CHUNK
    call  memcpy
    li    a2, DK_CHUNK + 1
    j     75f
5:  li    t0, 'w'
    bne   s2, t0, 69f
    lwg   t0, dk_rw
    bnez  t0, 6f
    lwg   a1, dk_part
    mv    a2, a1
    fmt   "!disk0 partition %u is exported read-only (ctl: export disk %u rw)"
    call  kprintf
    j     70f
6:  la    a0, dk_buf
    li    a1, 0
    li    a2, BLOCK_SIZE
    call  memset
    mv    a0, s4
    call  strlen
    mv    a2, a0
    la    a0, dk_buf
    mv    a1, s4
    call  memcpy
    lwg   a0, dk_first
    add   a0, a0, s3
    li    a1, 1
    la    a2, dk_buf
    call  disk_write
    bltz  a0, 68f
    print "=ok"
    call  cap_stop
    mv    a0, s0                  # said on ctl's console: a write changes ctl's disk
    call  part_label
    mv    a2, a0
    mv    a1, s0
    mv    a3, s3
    lwg   a4, dk_part
    fmt   "\nctl: %u (%s) wrote block %u of disk0 partition %u (remote disk)\n"
    call  kprintf
    li    t0, 1
    swg   t0, prompt_pending
    la    a0, dk_reply
    call  strlen
    mv    a2, a0
    j     75f
68: print "!disk error"
    j     70f
69: print "!bad request (dk i, dk r BLOCK 0..3, dk w BLOCK TEXT)"
70: call  cap_stop
    la    a0, dk_reply
    call  strlen
    mv    a2, a0
75: mv    a0, s0
    la    a1, dk_reply
    call  hc_msg_reply
    li    a0, 1
    leave 5

.section rodata
s_dk:             .asciz "dk "
s_x_none:         .asciz "none"
s_x_disk:         .asciz "disk"
s_x_rw:           .asciz "rw"
s_x_read_only:    .asciz "read-only"
s_x_read_write:   .asciz "read-write"
u_export:         .asciz "export | export disk N [rw] | export none"
.text
