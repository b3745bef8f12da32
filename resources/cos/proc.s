# proc.s: processes: creating one from an executable file (exec), ending one, finding one.
#
# A process's address space is a copy of the kernel's level-1 table (so the trap vector and the
# kernel stay mapped, supervisor-only) whose entry for 0x00400000..0x007fffff points to a level-2
# table of its own: the program image and its bss from the load address up, and USTACK_SIZE bytes
# of stack at the top of its 256 KiB region. The slot number + 1 is its ASID, so switching between
# processes needs no TLB flush; a slot's ASID is flushed when the slot is reused.

.text

# proc_spawn(a0 = program name, a1 = argument string, a2 = 1 to run in the background)
#   -> a0 = pid, or -ENOENT (no such file), -ENOEXEC (no HDX1 magic), -EINVAL (bad header),
#      -EAGAIN (no free slot), -ENOMEM, -EIO.
proc_spawn:
    enter 7
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    call  fs_lookup               # a1 = first block, a2 = size
    bltz  a0, .ret
    mv    s3, a1
    mv    s4, a2
    li    a0, -ENOEXEC
    li    t0, HDX_HEADER
    bltu  s4, t0, .ret
    mv    a0, s3                  # the header is in the file's first block
    li    a1, 1
    la    a2, bounce
    call  disk_read
    bltz  a0, .ret
    la    t0, bounce
    lw    t1, 0(t0)
    li    t2, HDX_MAGIC
    li    a0, -ENOEXEC
    bne   t1, t2, .ret
    # Check the header: load page-aligned in the user region, image + bss below the stack, entry
    # inside the image.
    lw    t1, HDX_LOAD(t0)
    lw    t2, HDX_ENTRY(t0)
    lw    t3, HDX_MEMSIZE(t0)
    addi  t4, s4, -HDX_HEADER     # image bytes
    bgeu  t3, t4, 1f
    mv    t3, t4                  # memory size at least the image
1:  li    a0, -EINVAL
    andi  t5, t1, PAGE_SIZE - 1
    bnez  t5, .ret
    li    t5, USER_BASE
    bltu  t1, t5, .ret
    li    t5, USTACK_BASE
    bgtu  t1, t5, .ret
    sub   t5, t5, t1              # room between the load address and the stack
    bgtu  t3, t5, .ret
    bltu  t2, t1, .ret
    sub   t5, t2, t1
    bgeu  t5, t4, .ret
    andi  t5, t2, 3
    bnez  t5, .ret
    swg   t1, spawn_load
    swg   t2, spawn_entry
    swg   t3, spawn_memsize
    call  proc_alloc
    li    t0, -EAGAIN
    beqz  a0, .reta0
    mv    s5, a0
    call  as_create
    bltz  a0, .fail
    mv    a0, s5                  # program image and bss
    lwg   a1, spawn_load
    lwg   a2, spawn_memsize
    li    a3, PTE_R | PTE_W | PTE_X | PTE_U
    call  as_map_range
    bltz  a0, .fail
    mv    a0, s5                  # stack
    li    a1, USTACK_BASE
    li    a2, USTACK_SIZE
    li    a3, PTE_R | PTE_W | PTE_U
    call  as_map_range
    bltz  a0, .fail
    mv    a0, s5                  # the image bytes, straight from the disk
    mv    a1, s3
    li    a2, HDX_HEADER
    lwg   a3, spawn_load
    addi  a4, s4, -HDX_HEADER
    call  fs_read_to_user
    bltz  a0, .fail
    # The argument string goes at the top of the stack; a0 points to it at entry, a1 is its length.
    mv    a0, s1
    call  strlen
    li    t0, ARG_MAX
    bleu  a0, t0, 2f
    mv    a0, t0
2:  mv    s6, a0
    li    t0, USER_TOP - 1
    sub   t0, t0, s6
    li    t1, ~15                 # 16-byte aligned
    and   t0, t0, t1
    sw    t0, R_A0(s5)
    sw    s6, R_A1(s5)
    addi  t1, t0, -16
    sw    t1, R_SP(s5)
    mv    a0, s5
    mv    a1, t0
    mv    a2, s1
    mv    a3, s6
    call  copy_to_user
    bltz  a0, .fail
    mv    a0, s5                  # and its terminating NUL
    lw    a1, R_A0(s5)
    add   a1, a1, s6
    la    a2, zero_word
    li    a3, 1
    call  copy_to_user
    bltz  a0, .fail
    lwg   t0, spawn_entry
    sw    t0, P_PC(s5)
    lwg   t0, next_pid
    sw    t0, P_PID(s5)
    addi  t1, t0, 1
    swg   t1, next_pid
    addi  a0, s5, P_NAME          # its name: the program's, cut to 15 characters
    mv    a1, s0
    li    a2, P_NAME_MAX - 1
    call  strncpy
    li    t0, PS_READY
    sw    t0, P_STATE(s5)
    lw    a0, P_PID(s5)
    bnez  s2, .ret
    swg   a0, fg_pid              # a foreground program owns the console until it ends
.ret:
    leave 7
.reta0:
    mv    a0, t0
    leave 7
.fail:
    mv    s6, a0
    mv    a0, s5
    call  proc_release
    mv    a0, s6
    leave 7

# proc_alloc -> a0 = a zeroed free PCB (still PS_FREE) with its ASID set, or 0.
proc_alloc:
    enter 2
    la    s0, procs
    li    s1, 0
1:  lw    t0, P_STATE(s0)
    beqz  t0, 2f
    addi  s0, s0, P_SIZE
    addi  s1, s1, 1
    li    t0, NPROC
    blt   s1, t0, 1b
    li    a0, 0
    leave 2
2:  mv    a0, s0
    li    a1, 0
    li    a2, P_SIZE
    call  memset
    addi  t0, s1, 1
    sw    t0, P_ASID(s0)
    tlbflush zero, t0             # entries a previous process of this slot left behind
    mv    a0, s0
    leave 2

# as_create(a0 = PCB) -> a0 = 0 or -ENOMEM: its level-1 table, a copy of the kernel's without the
# user region.
as_create:
    enter 1
    mv    s0, a0
    call  frame_alloc
    beqz  a0, 1f
    sw    a0, P_L1(s0)
    lwg   a1, kernel_l1
    li    a2, PAGE_SIZE
    call  memcpy
    lw    t0, P_L1(s0)
    sw    zero, (USER_BASE >> 22) * 4(t0)
    li    a0, 0
    leave 1
1:  li    a0, -ENOMEM
    leave 1

# as_map_range(a0 = PCB, a1 = va, a2 = bytes, a3 = PTE flags) -> a0 = 0 or -ENOMEM: fresh zeroed
# frames for every page of [va, va + bytes).
as_map_range:
    enter 5
    mv    s0, a0
    li    t0, ~(PAGE_SIZE - 1)
    and   s1, a1, t0
    add   s2, a1, a2              # end
    ori   s3, a3, PTE_V
1:  bgeu  s1, s2, 3f
    call  frame_alloc
    beqz  a0, 2f
    mv    s4, a0
    lw    a0, P_L1(s0)
    mv    a1, s1
    or    a2, s4, s3
    call  map_page
    bnez  a0, 4f
    li    t0, PAGE_SIZE
    add   s1, s1, t0
    j     1b
2:  li    a0, -ENOMEM
    leave 5
3:  li    a0, 0
    leave 5
4:  mv    a0, s4                  # the level-2 table could not be had: give the frame back
    call  frame_free
    li    a0, -ENOMEM
    leave 5

# proc_release(a0 = PCB): free its frames and tables and its slot (not the pages it shared).
proc_release:
    enter 5
    mv    s0, a0
    lw    s1, P_L1(s0)
    beqz  s1, 4f
    lw    t0, (USER_BASE >> 22) * 4(s1)
    andi  t1, t0, PTE_V
    beqz  t1, 3f
    srli  s2, t0, PAGE_SHIFT
    slli  s2, s2, PAGE_SHIFT      # its level-2 table
    li    s3, 0
1:  slli  t0, s3, 2
    add   t0, s2, t0
    lw    t0, 0(t0)
    andi  t1, t0, PTE_V
    beqz  t1, 2f
    srli  a0, t0, PAGE_SHIFT
    slli  a0, a0, PAGE_SHIFT
    mv    s4, a0
    call  share_kept              # a shared page is not cos's to reuse (mail.s)
    bnez  a0, 2f
    mv    a0, s4
    call  frame_free
2:  addi  s3, s3, 1
    li    t0, 1024
    blt   s3, t0, 1b
    mv    a0, s2
    call  frame_free
3:  mv    a0, s1
    call  frame_free
4:  sw    zero, P_L1(s0)
    sw    zero, P_STATE(s0)       # PS_FREE
    leave 5

# proc_exit(a0 = PCB): end a process (exit, fault, kill). If it owned the console, the shell gets
# it back.
proc_exit:
    enter 1
    mv    s0, a0
    lwg   t0, current
    bne   t0, s0, 1f
    swg   zero, current
1:  mv    a0, s0                  # calls it took and did not answer (mail.s)
    call  mail_proc_exit
    lw    t0, P_PID(s0)
    lwg   t1, fg_pid
    bne   t0, t1, 2f
    swg   zero, fg_pid
    call  tty_fg_done
2:  mv    a0, s0
    call  proc_release
    leave 1

# proc_find(a0 = pid) -> a0 = its PCB, or 0.
proc_find:
    la    t0, procs
    li    t1, NPROC * P_SIZE
    add   t1, t0, t1
    beqz  a0, 3f
1:  lw    t2, P_STATE(t0)
    beqz  t2, 2f
    lw    t2, P_PID(t0)
    beq   t2, a0, 4f
2:  addi  t0, t0, P_SIZE
    bltu  t0, t1, 1b
3:  li    a0, 0
    ret
4:  mv    a0, t0
    ret

# proc_count -> a0 = processes in use.
proc_count:
    la    t0, procs
    li    t1, NPROC * P_SIZE
    add   t1, t0, t1
    li    a0, 0
1:  lw    t2, P_STATE(t0)
    snez  t2, t2
    add   a0, a0, t2
    addi  t0, t0, P_SIZE
    bltu  t0, t1, 1b
    ret
