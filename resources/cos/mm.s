# mm.s: physical page frames, page tables (docs/isa.md#paging), and safe access to user memory.
#
# Frames: every 4 KiB page of RAM from _end (the end of the kernel image) to the end of RAM, except
# the boot info's pages, on a free list threaded through the free frames themselves. Memory below
# the kernel (firmware area, boot info, the other pCPUs' wait loop) is never handed out.

.text

# mm_init: build the free list (lowest addresses first out, so runs are repeatable).
mm_init:
    enter 4
    lwg   t0, ram_base
    lwg   t1, ram_size
    add   s1, t0, t1
    li    t0, ~(PAGE_SIZE - 1)
    and   s1, s1, t0              # end of RAM
.ifdef OS_RAM_KEEP
    li    t0, OS_RAM_KEEP         # hook: an including OS (ctl) keeps frames below this address only
    bleu  s1, t0, 7f
    mv    s1, t0
7:
.endif
    la    s0, _end                # page aligned (data.s)
    bltu  s0, s1, 1f
    fmt   "not enough memory for cos (RAM ends at 0x%08x)"
    lwg   a1, ram_size
    j     panic
1:  lwg   s2, bi_addr             # keep the boot info: devs reads it later
    lw    s3, BI_TOTAL(s2)
    add   s3, s2, s3
    li    t2, 0                   # free list head
    li    t3, 0                   # frames
    li    t4, PAGE_SIZE
    sub   t0, s1, t4              # walk down from the last frame
2:  bltu  t0, s0, 4f
    bgeu  t0, s3, 3f              # frame [t0, t0 + 4096) overlaps the boot info?
    add   t1, t0, t4
    bgtu  t1, s2, 5f
3:  sw    t2, 0(t0)
    mv    t2, t0
    addi  t3, t3, 1
5:  sub   t0, t0, t4
    j     2b
4:  swg   t2, free_head
    swg   t3, free_frames
    leave 4

# frame_alloc -> a0 = physical address of a zeroed frame, or 0 when memory is exhausted.
frame_alloc:
    lwg   a0, free_head
    beqz  a0, 2f
    lw    t0, 0(a0)
    swg   t0, free_head
    lwg   t0, free_frames
    addi  t0, t0, -1
    swg   t0, free_frames
    mv    t0, a0
    li    t1, PAGE_SIZE
    add   t1, a0, t1
1:  sw    zero, 0(t0)
    sw    zero, 4(t0)
    sw    zero, 8(t0)
    sw    zero, 12(t0)
    sw    zero, 16(t0)
    sw    zero, 20(t0)
    sw    zero, 24(t0)
    sw    zero, 28(t0)
    addi  t0, t0, 32
    bltu  t0, t1, 1b
2:  ret

# frame_free(a0 = frame)
frame_free:
    lwg   t0, free_head
    sw    t0, 0(a0)
    swg   a0, free_head
    lwg   t0, free_frames
    addi  t0, t0, 1
    swg   t0, free_frames
    ret

# ---------------------------------------------------------------- page tables

# paging_init: the kernel's address space: RAM identity-mapped with 4 MiB superpages and the
# register windows of every device in the boot info identity-mapped with 4 KiB pages, all
# supervisor-only. Then translation on, ASID 0.
paging_init:
    enter 4
    call  frame_alloc
    bnez  a0, 1f
    fmt   "no memory for the kernel page table"
    j     panic
1:  mv    s0, a0
    swg   s0, kernel_l1
    lwg   t0, ram_base
    li    t1, ~(SUPERPAGE - 1)
    and   s1, t0, t1
    lwg   t2, ram_size
    add   s2, t0, t2              # end of RAM
2:  bgeu  s1, s2, 3f
    srli  t0, s1, 22
    slli  t0, t0, 2
    add   t0, s0, t0
    ori   t1, s1, PTE_V | PTE_R | PTE_W | PTE_X
    sw    t1, 0(t0)
    li    t2, SUPERPAGE
    add   s1, s1, t2
    bnez  s1, 2b                  # (stop if we wrapped past 4 GiB)
3:  lwg   s1, nodes
    lwg   s2, node_count
    li    s3, 0
4:  bge   s3, s2, 7f
    lw    t0, N_KIND(s1)
    li    t1, KIND_INTC           # kinds below intc (memory, cpu, bus) have no registers
    blt   t0, t1, 6f
    li    t1, KIND_CONTROLLER
    beq   t0, t1, 6f
    lw    a1, N_BASE(s1)
    lw    a2, N_SIZE(s1)
    mv    a0, s0
    call  map_identity
6:  addi  s1, s1, NODE_SIZE
    addi  s3, s3, 1
    j     4b
7:  csrw  asid, zero
    ori   t0, s0, PTBR_ENABLE
    swg   t0, kernel_ptbr
    csrw  ptbr, t0
    tlbflush
    leave 4

# map_identity(a0 = level-1 table, a1 = base, a2 = size): supervisor read/write pages, va = pa.
map_identity:
    enter 3
    mv    s0, a0
    li    t0, ~(PAGE_SIZE - 1)
    and   s1, a1, t0
    add   s2, a1, a2
1:  bgeu  s1, s2, 2f
    mv    a0, s0
    mv    a1, s1
    ori   a2, s1, PTE_V | PTE_R | PTE_W
    call  map_page
    li    t0, -ENOMEM
    bne   a0, t0, 3f
    fmt   "no memory for page tables"
    j     panic
3:  li    t0, PAGE_SIZE           # (-EINVAL: inside a RAM superpage, mapped already)
    add   s1, s1, t0
    bnez  s1, 1b
2:  leave 3

# map_page(a0 = level-1 table, a1 = va, a2 = the PTE) -> a0 = 0, -ENOMEM (no frame for a level-2
# table) or -EINVAL (a superpage covers va).
map_page:
    enter 3
    mv    s1, a1
    mv    s2, a2
    srli  t0, a1, 22
    slli  t0, t0, 2
    add   s0, a0, t0              # s0 = its level-1 entry
    lw    t0, 0(s0)
    andi  t1, t0, PTE_V
    bnez  t1, 1f
    call  frame_alloc
    beqz  a0, 2f
    ori   t0, a0, PTE_V           # V alone: points to a level-2 table
    sw    t0, 0(s0)
1:  andi  t1, t0, PTE_RWX
    bnez  t1, 3f
    srli  t0, t0, PAGE_SHIFT
    slli  t0, t0, PAGE_SHIFT
    srli  t1, s1, PAGE_SHIFT
    andi  t1, t1, 1023
    slli  t1, t1, 2
    add   t0, t0, t1
    sw    s2, 0(t0)
    li    a0, 0
    leave 3
2:  li    a0, -ENOMEM
    leave 3
3:  li    a0, -EINVAL
    leave 3

# ---------------------------------------------------------------- user memory

# uva_to_pa(a0 = PCB, a1 = user va, a2 = PTE_R or PTE_W) -> a0 = the physical address, or 0 when
# the process may not access that byte that way. A software walk of its table, as the MMU would
# do it for user mode (V, U and the permission must all be set).
uva_to_pa:
    lw    t0, P_L1(a0)
    beqz  t0, 1f
    srli  t1, a1, 22
    slli  t1, t1, 2
    add   t1, t0, t1
    lw    t1, 0(t1)
    andi  t2, t1, PTE_V
    beqz  t2, 1f
    andi  t2, t1, PTE_RWX
    bnez  t2, 1f                  # a superpage: only the kernel's, never user
    srli  t1, t1, PAGE_SHIFT
    slli  t1, t1, PAGE_SHIFT
    srli  t2, a1, PAGE_SHIFT
    andi  t2, t2, 1023
    slli  t2, t2, 2
    add   t2, t1, t2
    lw    t2, 0(t2)
    ori   t3, a2, PTE_V | PTE_U
    and   t4, t2, t3
    bne   t4, t3, 1f
    srli  t2, t2, PAGE_SHIFT
    slli  t2, t2, PAGE_SHIFT
    andi  t3, a1, PAGE_SIZE - 1
    or    a0, t2, t3
    ret
1:  li    a0, 0
    ret

# user_range_ok(a0 = PCB, a1 = va, a2 = len, a3 = PTE_R or PTE_W) -> a0 = 1 when every byte of
# [va, va + len) is accessible that way to the process, else 0.
user_range_ok:
    enter 4
    mv    s0, a0
    mv    s3, a3
    beqz  a2, 2f
    add   s2, a1, a2              # end
    bltu  s2, a1, 3f              # wraps around the address space
    li    t0, ~(PAGE_SIZE - 1)
    and   s1, a1, t0
1:  mv    a0, s0
    mv    a1, s1
    mv    a2, s3
    call  uva_to_pa
    beqz  a0, 3f
    li    t0, PAGE_SIZE
    add   s1, s1, t0
    beqz  s1, 2f
    bltu  s1, s2, 1b
2:  li    a0, 1
    leave 4
3:  li    a0, 0
    leave 4

# copy_to_user(a0 = PCB, a1 = user va, a2 = kernel source, a3 = len) -> a0 = 0 or -EFAULT
# copy_from_user(a0 = PCB, a1 = user va, a2 = kernel destination, a3 = len) -> a0 = 0 or -EFAULT
# Page by page through uva_to_pa; on -EFAULT the part before the bad page was copied.
copy_to_user:
    li    a4, 0
    j     copy_user
copy_from_user:
    li    a4, 1
copy_user:
    enter 6
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    mv    s3, a3
    mv    s4, a4
1:  beqz  s3, 3f
    mv    a0, s0
    mv    a1, s1
    li    a2, PTE_W
    beqz  s4, 2f
    li    a2, PTE_R
2:  call  uva_to_pa
    beqz  a0, 4f
    andi  t0, s1, PAGE_SIZE - 1   # up to the end of this page
    li    t1, PAGE_SIZE
    sub   s5, t1, t0
    bleu  s5, s3, 5f
    mv    s5, s3
5:  mv    a1, s2                  # to user: memcpy(pa, kernel, n)
    beqz  s4, 6f
    mv    a1, a0                  # from user: memcpy(kernel, pa, n)
    mv    a0, s2
6:  mv    a2, s5
    call  memcpy
    add   s1, s1, s5
    add   s2, s2, s5
    sub   s3, s3, s5
    j     1b
3:  li    a0, 0
    leave 6
4:  li    a0, -EFAULT
    leave 6

# copy_str_from_user(a0 = PCB, a1 = user va, a2 = kernel buffer, a3 = size)
#   -> a0 = length (NUL copied too), -EFAULT, or -ENAMETOOLONG when no NUL within size bytes.
copy_str_from_user:
    enter 5
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    mv    s3, a3
    li    s4, 0
1:  bgeu  s4, s3, 3f
    mv    a0, s0
    add   a1, s1, s4
    li    a2, PTE_R
    call  uva_to_pa
    beqz  a0, 4f
    lbu   t0, 0(a0)
    add   t1, s2, s4
    sb    t0, 0(t1)
    beqz  t0, 2f
    addi  s4, s4, 1
    j     1b
2:  mv    a0, s4
    leave 5
3:  li    a0, -ENAMETOOLONG
    leave 5
4:  li    a0, -EFAULT
    leave 5
