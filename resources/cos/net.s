# net.s: the network (docs/guests.md#network): a driver for the first nic of the boot info, ARP,
# and ICMP echo in the kernel; the system calls net_ping and net_info.
#
# - The nic (docs/devices.md#nic-network-card-with-dma-descriptor-rings): a receive ring of
#   NET_RX_N and a transmit ring of NET_TX_N 16-byte descriptors in one page frame, each
#   descriptor with a 2 KiB buffer of its own in further page frames. The kernel's identity map of
#   RAM makes a kernel address the bus address the nic's DMA uses (in a partition: its
#   guest-physical address, exactly what its DMA domain maps). Frames are received by interrupt
#   (ISR bit 0 through the intc context cos already uses for its console): ext_irq (sched.s) hands
#   every claimed source to net_intr, which takes every filled descriptor and gives it back.
# - Addresses: the MAC is the nic's (MAC_LO/MAC_HI); the IPv4 address is 10.0.0.N/24 with
#   N = the boot info's partition id (word 52) + 1: 10.0.0.1 on a bare machine, 10.0.0.2 in
#   partition 1, 10.0.0.3 in partition 2...
# - ARP: requests for our address are answered; a request's sender is learned (and so is every
#   sender already in the cache); net_ping resolves its target with a broadcast request. The cache
#   has ARP_N entries replaced round robin, never aged.
# - IPv4: frames for our MAC or broadcast, header checksum checked, no fragments; only ICMP: an
#   echo request is answered with an echo reply (same identifier, sequence and data), an echo reply
#   finishes the net_ping that waits for it.
# - net_ping blocks the calling process like sleep (state `sleep`, woken by the tick at the
#   timeout) until the reply comes: one ping at a time in the whole system.
# - The paravirtual path (docs/hypercalls.md#network-m20): in a client partition the boot info
#   marks the virtual nic (bit 16 of its second kind-specific word) as also served by the
#   hypercalls net_send and net_recv. cos then never touches the nic's registers: a frame goes out
#   with one net_send from a transmit buffer, and on the nic's interrupt (the same source) net_recv
#   copies each waiting frame into a receive buffer, one hypercall per frame instead of a trap per
#   register access. Booted bare, or without the mark, cos drives the nic's rings as above.
# Without a nic in the boot info, or without an intc context (a console that is polled), there is
# no network: net_ping and net_info return -ENODEV.

.equ SYS_NET_PING,    10
.equ SYS_NET_INFO,    11

.ifndef ENODEV
.equ ENODEV,          19
.endif
.ifndef EBUSY
.equ EBUSY,           16
.endif
.ifndef ETIMEDOUT
.equ ETIMEDOUT,       110
.endif
.ifndef EHOSTUNREACH
.equ EHOSTUNREACH,    113
.endif

# nic registers (docs/devices.md)
.equ NIC_MAC_LO,      0x00
.equ NIC_MAC_HI,      0x04
.equ NIC_TX_RING,     0x08
.equ NIC_TX_SIZE,     0x0c
.equ NIC_TX_TAIL,     0x10
.equ NIC_TX_HEAD,     0x14
.equ NIC_RX_RING,     0x18
.equ NIC_RX_SIZE,     0x1c
.equ NIC_RX_TAIL,     0x20
.equ NIC_RX_HEAD,     0x24
.equ NIC_CTRL,        0x28
.equ NIC_ISR,         0x2c
.equ NIC_TX_FRAMES,   0x30
.equ NIC_RX_FRAMES,   0x34
.equ NIC_ID,          0xff0
.equ NIC_IDENT,       0x2043494e        # 'NIC '
.equ NIC_CTRL_ON,     3                 # enable, interrupt on receive
.equ NIC_X1_PV,       0x10000           # boot info: the hypervisor serves this nic by hypercall
.equ HC_NET_SEND,     0x08              # net_send(a0 frame, a1 length) -> 0 or an error
.equ HC_NET_RECV,     0x09              # net_recv(a0 buffer, a1 size) -> length, 0 when none
.equ DESC_OWN,        1
.equ DESC_ERR,        2

.equ NET_RX_N,        8                 # receive descriptors (power of two)
.equ NET_TX_N,        4                 # transmit descriptors (power of two)
.equ NET_BUF,         2048              # bytes per buffer: two per page frame
.equ NET_BUF_CAP,     1536              # what a receive descriptor offers (frames are <= 1514)
.equ NET_RX_RING_OFF, 256               # the receive ring's offset in the ring page
.equ NET_TIMEOUT_MS,  1000              # net_ping gives up after this long
.equ NET_INFO_SIZE,   48
.equ ARP_N,           8                 # ARP cache entries: ip, MAC (6 bytes), 2 unused
.equ ARP_ENTRY,       16
.if ARP_N * ARP_ENTRY != 128
.error "arp_cache (data.s) holds 128 bytes"
.endif

.equ ETH_HLEN,        14
.equ ETH_MIN,         60                # shortest frame (without the FCS): shorter ones are padded
.equ ETH_IP,          0x0800
.equ ETH_ARP,         0x0806
.equ IP_ICMP,         1
.equ ICMP_ECHO_REPLY, 0
.equ ICMP_ECHO,       8
.equ PING_DATA,       56                # data bytes in an echo request: 64 bytes of ICMP

.text

# ---------------------------------------------------------------- set-up

# net_init: find the first nic of the boot info, give it its rings and turn it on with receive
# interrupts. Called once at boot after irq_init (boot.s). Leaves nic_base 0 when there is no
# network.
net_init:
    enter 4
    la    a0, nic_base            # no state from before: a restarted partition keeps its memory
    li    a1, 0
    li    a2, ping_phase + 4 - nic_base
    call  memset
    la    a0, arp_cache
    li    a1, 0
    li    a2, ARP_N * ARP_ENTRY
    call  memset
    lwg   t0, intc_ctx
    beqz  t0, 9f                  # no interrupts: no network
    lwg   s1, nodes
    lwg   s2, node_count
    li    s3, 0
1:  bge   s3, s2, 9f
    lw    t0, N_KIND(s1)
    li    t1, KIND_NIC
    beq   t0, t1, 2f
    addi  s1, s1, NODE_SIZE
    addi  s3, s3, 1
    j     1b
2:  lw    s0, N_BASE(s1)
    lw    t0, N_IRQ(s1)
    beqz  t0, 9f
    li    t1, 32
    bgeu  t0, t1, 9f
    lw    t0, N_X1(s1)
    li    t1, NIC_X1_PV
    and   t0, t0, t1
    bnez  t0, 20f                 # the paravirtual path: no register access at all
    lw    t0, NIC_ID(s0)          # (its window is mapped: paging_init maps every device node)
    li    t1, NIC_IDENT
    bne   t0, t1, 9f
    swg   s3, nic_node
    call  frame_alloc             # the rings: transmit at +0, receive at +NET_RX_RING_OFF
    beqz  a0, 9f
    swg   a0, net_tx_ring
    addi  a0, a0, NET_RX_RING_OFF
    swg   a0, net_rx_ring
    li    s2, 0                   # receive descriptors, two buffers per frame, given to the nic
3:  li    t0, NET_RX_N
    bge   s2, t0, 4f
    call  frame_alloc
    beqz  a0, 9f
    lwg   t0, net_rx_ring
    slli  t1, s2, 4
    add   t1, t0, t1
    li    t2, NET_BUF_CAP
    li    t3, DESC_OWN
    sw    a0, 0(t1)
    sw    t2, 4(t1)
    sw    t3, 8(t1)
    li    t4, NET_BUF
    add   a0, a0, t4
    sw    a0, 16(t1)
    sw    t2, 20(t1)
    sw    t3, 24(t1)
    addi  s2, s2, 2
    j     3b
4:  li    s2, 0                   # transmit descriptors: buffers, not the nic's yet
5:  li    t0, NET_TX_N
    bge   s2, t0, 6f
    call  frame_alloc
    beqz  a0, 9f
    lwg   t0, net_tx_ring
    slli  t1, s2, 4
    add   t1, t0, t1
    sw    a0, 0(t1)
    li    t4, NET_BUF
    add   a0, a0, t4
    sw    a0, 16(t1)
    addi  s2, s2, 2
    j     5b
6:  la    t1, net_mac             # our addresses
    lw    t0, NIC_MAC_LO(s0)
    sw    t0, 0(t1)
    lw    t0, NIC_MAC_HI(s0)
    sw    t0, 4(t1)               # bytes 4 and 5 (then two zero bytes)
    j     60f
20: swg   s3, nic_node            # paravirtual: two buffers in one frame, the MAC from the boot info
    call  frame_alloc
    beqz  a0, 9f
    swg   a0, net_pv_rxbuf
    li    t0, NET_BUF
    add   a0, a0, t0
    swg   a0, net_pv_txbuf
    li    t0, 1
    swg   t0, net_pv
    la    t1, net_mac
    lw    t0, N_X0(s1)
    sw    t0, 0(t1)
    lw    t0, N_X1(s1)
    li    t2, 0xffff
    and   t0, t0, t2
    sw    t0, 4(t1)
60: lwg   t0, bi_addr
    lw    t0, BI_PARTITION(t0)
    addi  t0, t0, 1
    andi  t0, t0, 0xff
    li    t1, 0x0a000000          # 10.0.0.(partition id + 1)
    or    t0, t0, t1
    swg   t0, net_ip
    lwg   t0, timebase
    li    t1, 1000000
    divu  t0, t0, t1
    bnez  t0, 7f
    li    t0, 1
7:  swg   t0, net_us_div
    lwg   t0, net_pv
    bnez  t0, 8f
    lwg   t0, net_tx_ring         # the nic: rings, then on
    sw    t0, NIC_TX_RING(s0)
    li    t0, NET_TX_N
    sw    t0, NIC_TX_SIZE(s0)
    lwg   t0, net_rx_ring
    sw    t0, NIC_RX_RING(s0)
    li    t0, NET_RX_N
    sw    t0, NIC_RX_SIZE(s0)
    li    t0, NET_RX_N - 1        # every descriptor but one is the nic's
    sw    t0, NIC_RX_TAIL(s0)
    li    t0, NIC_CTRL_ON
    sw    t0, NIC_CTRL(s0)
8:  lw    t1, N_IRQ(s1)           # its interrupt: priority 1, enabled in our intc context
    lwg   t0, intc_base
    slli  t2, t1, 2
    add   t2, t0, t2
    li    t3, 1
    sw    t3, INTC_PRIORITY(t2)
    lwg   t0, intc_ctx
    lw    t2, INTC_ENABLE(t0)
    li    t3, 1
    sll   t3, t3, t1
    or    t2, t2, t3
    sw    t2, INTC_ENABLE(t0)
    swg   t1, nic_irq
    swg   s0, nic_base            # the network is up (paravirtual: only a flag, never dereferenced)
    lwg   t0, net_pv
    beqz  t0, 9f
    call  net_poll                # paravirtual: the first net_recv tells the hypervisor to queue for us
9:  leave 4

# ---------------------------------------------------------------- receive

# net_intr(a0 = a claimed interrupt source): if it is the nic's, acknowledge and take every
# received frame. Other sources are not ours: nothing happens. Keeps s registers (ext_irq's).
net_intr:
    lwg   t0, nic_irq
    bne   a0, t0, 1f
    lwg   t0, nic_base
    beqz  t0, 1f
    lwg   t1, net_pv
    bnez  t1, net_poll            # paravirtual: the line is high while frames wait
    li    t1, 3
    sw    t1, NIC_ISR(t0)         # first: a frame that comes after this raises it again
    j     net_poll
1:  ret

# net_poll: handle every descriptor the nic filled (from net_rx_next up to RX_HEAD), then give
# each back to it.
net_poll:
    enter 3
    lwg   s0, nic_base
    beqz  s0, 9f
    lwg   t0, net_pv
    bnez  t0, 20f
1:  lwg   s1, net_rx_next
    lw    t0, NIC_RX_HEAD(s0)
    beq   s1, t0, 9f
    lwg   t0, net_rx_ring
    slli  t1, s1, 4
    add   s2, t0, t1              # its descriptor
    lw    t0, 8(s2)
    andi  t0, t0, DESC_ERR
    beqz  t0, 2f
    lwg   t0, net_rx_ignored      # too long, or a DMA fault: nothing in the buffer
    addi  t0, t0, 1
    swg   t0, net_rx_ignored
    j     3f
2:  lw    a0, 0(s2)
    lw    a1, 4(s2)
    call  net_input
3:  li    t0, NET_BUF_CAP         # back to the nic; it becomes the one unused descriptor
    sw    t0, 4(s2)
    li    t0, DESC_OWN
    sw    t0, 8(s2)
    sw    s1, NIC_RX_TAIL(s0)
    addi  s1, s1, 1
    andi  s1, s1, NET_RX_N - 1
    swg   s1, net_rx_next
    j     1b
20: lwg   a0, net_pv_rxbuf        # paravirtual: one net_recv per waiting frame
    li    a1, NET_BUF_CAP
    hypercall HC_NET_RECV
    blez  a0, 9f                  # none left (or an error: nothing to take)
    mv    a1, a0
    lwg   t0, net_rx_frames
    addi  t0, t0, 1
    swg   t0, net_rx_frames
    lwg   a0, net_pv_rxbuf
    call  net_input
    j     20b
9:  leave 3

# net_input(a0 = frame, a1 = length): one received frame.
net_input:
    enter 2
    mv    s0, a0
    mv    s1, a1
    lwg   t0, net_rx_bytes
    add   t0, t0, s1
    swg   t0, net_rx_bytes
    li    t0, ETH_HLEN
    bltu  s1, t0, 8f
    mv    a0, s0                  # for our MAC, or broadcast
    la    a1, net_mac
    call  mac_eq
    bnez  a0, 1f
    mv    a0, s0
    la    a1, mac_bcast
    call  mac_eq
    beqz  a0, 8f
1:  addi  a0, s0, 12
    call  net_get16
    mv    t0, a0
    mv    a0, s0
    mv    a1, s1
    li    t1, ETH_ARP
    beq   t0, t1, 2f
    li    t1, ETH_IP
    bne   t0, t1, 8f
    call  ip_input
    j     3f
2:  call  arp_input
3:  bnez  a0, 9f
8:  lwg   t0, net_rx_ignored      # not for us, malformed, or nothing we speak
    addi  t0, t0, 1
    swg   t0, net_rx_ignored
9:  leave 2

# ---------------------------------------------------------------- ARP (RFC 826, Ethernet and IPv4)

# arp_input(a0 = frame, a1 = length) -> a0 = 1 when it was for us, else 0.
arp_input:
    enter 4
    mv    s0, a0
    li    t0, 42
    bltu  a1, t0, 8f
    addi  a0, s0, 14              # hardware type 1, protocol IPv4, lengths 6 and 4
    call  net_get16
    li    t0, 1
    bne   a0, t0, 8f
    addi  a0, s0, 16
    call  net_get16
    li    t0, ETH_IP
    bne   a0, t0, 8f
    lbu   t0, 18(s0)
    li    t1, 6
    bne   t0, t1, 8f
    lbu   t0, 19(s0)
    li    t1, 4
    bne   t0, t1, 8f
    addi  a0, s0, 28              # s1 = sender's address, s2 = target's, s3 = the operation
    call  net_get32
    mv    s1, a0
    beqz  s1, 8f                  # (an address probe: nothing to learn or answer)
    addi  a0, s0, 38
    call  net_get32
    mv    s2, a0
    addi  a0, s0, 20
    call  net_get16
    mv    s3, a0
    lwg   t0, net_ip
    bne   s2, t0, 5f
    mv    a0, s1                  # for us: learn the sender, answer a request
    addi  a1, s0, 22
    li    a2, 1
    call  arp_update
    li    t0, 1
    bne   s3, t0, 2f
    li    a0, 2
    mv    a1, s1
    addi  a2, s0, 22
    call  arp_send
2:  li    t0, 2                   # a reply to the ping that waits for it: send the echo request
    bne   s3, t0, 4f
    call  ping_check
    beqz  a0, 4f
    lwg   t0, ping_phase
    li    t1, 1
    bne   t0, t1, 4f
    lwg   t0, ping_ip
    bne   t0, s1, 4f
    addi  a0, s0, 22
    call  ping_send
4:  li    a0, 1
    leave 4
5:  mv    a0, s1                  # not for us: refresh the sender if we know it
    addi  a1, s0, 22
    li    a2, 0
    call  arp_update
8:  li    a0, 0
    leave 4

# arp_send(a0 = operation: 1 request, 2 reply, a1 = target IPv4 address, a2 = target MAC, or 0
# for a request to everyone).
arp_send:
    enter 4
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    call  net_tx_buffer
    beqz  a0, 9f
    mv    s3, a0
    la    a1, mac_bcast           # Ethernet: to the target (or everyone), from us
    beqz  s2, 1f
    mv    a1, s2
1:  call  mac_copy
    addi  a0, s3, 6
    la    a1, net_mac
    call  mac_copy
    addi  a0, s3, 12
    li    a1, ETH_ARP
    call  net_put16
    addi  a0, s3, 14              # Ethernet, IPv4, 6, 4, the operation
    li    a1, 1
    call  net_put16
    addi  a0, s3, 16
    li    a1, ETH_IP
    call  net_put16
    li    t0, 6
    sb    t0, 18(s3)
    li    t0, 4
    sb    t0, 19(s3)
    addi  a0, s3, 20
    mv    a1, s0
    call  net_put16
    addi  a0, s3, 22              # sender: us
    la    a1, net_mac
    call  mac_copy
    addi  a0, s3, 28
    lwg   a1, net_ip
    call  net_put32
    addi  a0, s3, 32              # target (MAC unknown in a request: zeros)
    la    a1, mac_zero
    beqz  s2, 2f
    mv    a1, s2
2:  call  mac_copy
    addi  a0, s3, 38
    mv    a1, s1
    call  net_put32
    addi  a0, s3, 42              # padding to the shortest frame
    li    a1, 0
    li    a2, ETH_MIN - 42
    call  memset
    li    a0, ETH_MIN
    call  net_transmit
9:  leave 4

# arp_lookup(a0 = IPv4 address, not 0) -> a0 = the address of its MAC in the cache, or 0.
arp_lookup:
    la    t0, arp_cache
    li    t1, ARP_N
1:  lw    t2, 0(t0)
    beq   t2, a0, 2f
    addi  t0, t0, ARP_ENTRY
    addi  t1, t1, -1
    bnez  t1, 1b
    li    a0, 0
    ret
2:  addi  a0, t0, 4
    ret

# arp_update(a0 = IPv4 address, a1 = its MAC, a2 = 1 to add it when it is not in the cache).
arp_update:
    enter 3
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    call  arp_lookup
    bnez  a0, 1f
    beqz  s2, 9f
    lwg   t0, arp_next            # a new entry, round robin
    slli  t1, t0, 4
    la    t2, arp_cache
    add   t2, t2, t1
    sw    s0, 0(t2)
    addi  a0, t2, 4
    addi  t0, t0, 1
    andi  t0, t0, ARP_N - 1
    swg   t0, arp_next
1:  mv    a1, s1
    call  mac_copy
9:  leave 3

# ---------------------------------------------------------------- IPv4 and ICMP

# ip_input(a0 = frame, a1 = length) -> a0 = 1 when it was for us, else 0.
ip_input:
    enter 6
    mv    s0, a0
    mv    s1, a1
    li    t0, ETH_HLEN + 20
    bltu  s1, t0, 8f
    addi  s2, s0, ETH_HLEN        # s2 = the IPv4 header
    lbu   t0, 0(s2)
    srli  t1, t0, 4
    li    t2, 4
    bne   t1, t2, 8f              # version 4
    andi  s3, t0, 15
    slli  s3, s3, 2               # s3 = header length
    li    t2, 20
    bltu  s3, t2, 8f
    addi  a0, s2, 2
    call  net_get16
    mv    s4, a0                  # s4 = total length
    bltu  s4, s3, 8f
    addi  t0, s4, ETH_HLEN
    bgtu  t0, s1, 8f
    mv    a0, s2
    mv    a1, s3
    call  net_checksum
    bnez  a0, 8f
    addi  a0, s2, 6               # no fragments
    call  net_get16
    li    t0, 0x3fff
    and   a0, a0, t0
    bnez  a0, 8f
    addi  a0, s2, 16              # for us
    call  net_get32
    lwg   t0, net_ip
    bne   a0, t0, 8f
    lbu   t0, 9(s2)
    li    t1, IP_ICMP
    bne   t0, t1, 8f
    add   s5, s2, s3              # s5 = the ICMP message, s4 - s3 bytes long
    sub   t0, s4, s3
    li    t1, 8
    bltu  t0, t1, 8f
    mv    a0, s5
    sub   a1, s4, s3
    call  net_checksum
    bnez  a0, 8f
    lbu   t0, 0(s5)
    li    t1, ICMP_ECHO
    beq   t0, t1, 1f
    li    t1, ICMP_ECHO_REPLY
    bne   t0, t1, 8f
    call  ping_check              # an echo reply: for the ping that waits?
    beqz  a0, 7f
    lwg   t0, ping_phase
    li    t1, 2
    bne   t0, t1, 7f
    addi  a0, s2, 12
    call  net_get32
    lwg   t0, ping_ip
    bne   a0, t0, 7f
    addi  a0, s5, 4
    call  net_get32               # identifier << 16 | sequence
    lwg   t0, ping_ident
    bne   a0, t0, 7f
    csrr  t0, cycle               # the round trip, in microseconds
    lwg   t1, ping_sent
    sub   t0, t0, t1
    lwg   t1, net_us_div
    divu  t0, t0, t1
    lwg   t2, ping_pcb
    sw    t0, R_A0(t2)
    li    t1, PS_READY
    sw    t1, P_STATE(t2)
    swg   zero, ping_pcb
    swg   zero, ping_phase
7:  li    a0, 1
    leave 6
1:  call  net_tx_buffer           # an echo request: the same message back as an echo reply
    beqz  a0, 7b
    mv    s1, a0                  # (the received length is not needed any more)
    mv    a1, s0
    addi  a2, s4, ETH_HLEN
    call  memcpy
    mv    a0, s1                  # Ethernet: back to the sender, from us
    addi  a1, s0, 6
    call  mac_copy
    addi  a0, s1, 6
    la    a1, net_mac
    call  mac_copy
    addi  s2, s1, ETH_HLEN        # IPv4: from us to the sender, TTL 64, a new checksum
    addi  a0, s0, ETH_HLEN + 12
    call  net_get32
    mv    a1, a0
    addi  a0, s2, 16
    call  net_put32
    addi  a0, s2, 12
    lwg   a1, net_ip
    call  net_put32
    li    t0, 64
    sb    t0, 8(s2)
    sb    zero, 10(s2)
    sb    zero, 11(s2)
    mv    a0, s2
    mv    a1, s3
    call  net_checksum
    mv    a1, a0
    addi  a0, s2, 10
    call  net_put16
    add   s5, s2, s3              # ICMP: echo reply, a new checksum
    sb    zero, 0(s5)
    sb    zero, 2(s5)
    sb    zero, 3(s5)
    mv    a0, s5
    sub   a1, s4, s3
    call  net_checksum
    mv    a1, a0
    addi  a0, s5, 2
    call  net_put16
    addi  a0, s4, ETH_HLEN
    li    t0, ETH_MIN
    bgeu  a0, t0, 2f
    add   a0, s1, a0              # pad a short one
    li    a1, 0
    li    a2, ETH_MIN
    addi  t0, s4, ETH_HLEN
    sub   a2, a2, t0
    call  memset
    li    a0, ETH_MIN
2:  call  net_transmit
    j     7b
8:  li    a0, 0
    leave 6

# ping_send(a0 = the target's MAC): the echo request of the waiting ping (ping_ip, ping_ident),
# 56 data bytes 0x10, 0x11, ...; from now on the ping waits for its reply.
ping_send:
    enter 2
    mv    s0, a0
    call  net_tx_buffer
    beqz  a0, 9f
    mv    s1, a0
    mv    a1, s0                  # Ethernet
    call  mac_copy
    addi  a0, s1, 6
    la    a1, net_mac
    call  mac_copy
    addi  a0, s1, 12
    li    a1, ETH_IP
    call  net_put16
    li    t0, 0x45                # IPv4: version 4, 20 bytes, 84 in all, don't fragment, TTL 64
    sb    t0, 14(s1)
    sb    zero, 15(s1)
    addi  a0, s1, 16
    li    a1, 20 + 8 + PING_DATA
    call  net_put16
    lwg   a1, net_ip_id
    addi  t0, a1, 1
    swg   t0, net_ip_id
    addi  a0, s1, 18
    call  net_put16
    addi  a0, s1, 20
    li    a1, 0x4000
    call  net_put16
    li    t0, 64
    sb    t0, 22(s1)
    li    t0, IP_ICMP
    sb    t0, 23(s1)
    sb    zero, 24(s1)
    sb    zero, 25(s1)
    addi  a0, s1, 26
    lwg   a1, net_ip
    call  net_put32
    addi  a0, s1, 30
    lwg   a1, ping_ip
    call  net_put32
    addi  a0, s1, 14
    li    a1, 20
    call  net_checksum
    mv    a1, a0
    addi  a0, s1, 24
    call  net_put16
    li    t0, ICMP_ECHO           # ICMP: echo request, identifier, sequence, data
    sb    t0, 34(s1)
    sb    zero, 35(s1)
    sb    zero, 36(s1)
    sb    zero, 37(s1)
    addi  a0, s1, 38
    lwg   a1, ping_ident
    call  net_put32
    li    t0, 0
1:  addi  t1, t0, 0x10
    add   t2, s1, t0
    sb    t1, 42(t2)
    addi  t0, t0, 1
    li    t3, PING_DATA
    blt   t0, t3, 1b
    addi  a0, s1, 34
    li    a1, 8 + PING_DATA
    call  net_checksum
    mv    a1, a0
    addi  a0, s1, 36
    call  net_put16
    li    t0, 2
    swg   t0, ping_phase
    lwg   t0, ping_pcb            # from now on, no reply means a timeout
    li    t1, -ETIMEDOUT
    sw    t1, R_A0(t0)
    csrr  t0, cycle
    swg   t0, ping_sent
    li    a0, ETH_HLEN + 20 + 8 + PING_DATA
    call  net_transmit
9:  leave 2

# ping_check -> a0 = 1 when a process waits in net_ping; forgets a wait that ended (the process
# timed out, was killed, or sleeps for another reason now).
ping_check:
    lwg   t0, ping_pcb
    beqz  t0, 8f
    lw    t1, P_STATE(t0)
    li    t2, PS_SLEEPING
    bne   t1, t2, 7f
    lw    t1, P_PID(t0)
    lwg   t2, ping_pid
    bne   t1, t2, 7f
    lw    t1, P_WAKE(t0)
    lwg   t2, ping_wake
    bne   t1, t2, 7f
    li    a0, 1
    ret
7:  swg   zero, ping_pcb
    swg   zero, ping_phase
8:  li    a0, 0
    ret

# ---------------------------------------------------------------- transmit

# net_tx_buffer -> a0 = the buffer of the next transmit descriptor, or 0 when the ring is full.
net_tx_buffer:
    lwg   t0, nic_base
    beqz  t0, 1f
    lwg   t1, net_pv
    beqz  t1, 2f
    lwg   a0, net_pv_txbuf        # paravirtual: net_send copies it at once, so it is always free
    ret
2:    lwg   t1, net_tx_next
    addi  t2, t1, 1
    andi  t2, t2, NET_TX_N - 1
    lw    t3, NIC_TX_HEAD(t0)
    beq   t2, t3, 1f              # one descriptor stays unused
    lwg   t0, net_tx_ring
    slli  t1, t1, 4
    add   t0, t0, t1
    lw    a0, 0(t0)
    ret
1:  li    a0, 0
    ret

# net_transmit(a0 = length): hand the descriptor net_tx_buffer gave to the nic (it sends at once).
net_transmit:
    lwg   t3, net_tx_bytes
    add   t3, t3, a0
    swg   t3, net_tx_bytes
    lwg   t0, net_pv
    beqz  t0, 1f
    lwg   t3, net_tx_frames       # paravirtual: one net_send
    addi  t3, t3, 1
    swg   t3, net_tx_frames
    mv    a1, a0
    lwg   a0, net_pv_txbuf
    hypercall HC_NET_SEND
    ret
1:  lwg   t0, net_tx_ring
    lwg   t1, net_tx_next
    slli  t2, t1, 4
    add   t2, t0, t2
    sw    a0, 4(t2)
    li    t3, DESC_OWN
    sw    t3, 8(t2)
    addi  t1, t1, 1
    andi  t1, t1, NET_TX_N - 1
    swg   t1, net_tx_next
    lwg   t0, nic_base
    sw    t1, NIC_TX_TAIL(t0)
    ret

# ---------------------------------------------------------------- small helpers (leaf, t0..t3)

# net_checksum(a0 = bytes, a1 = length) -> a0 = the Internet checksum (RFC 1071) of them: 0 when
# they include a correct checksum field.
net_checksum:
    li    t0, 0
1:  li    t3, 2
    blt   a1, t3, 2f
    lbu   t1, 0(a0)
    lbu   t2, 1(a0)
    slli  t1, t1, 8
    or    t1, t1, t2
    add   t0, t0, t1
    addi  a0, a0, 2
    addi  a1, a1, -2
    j     1b
2:  blez  a1, 3f
    lbu   t1, 0(a0)
    slli  t1, t1, 8
    add   t0, t0, t1
3:  srli  t1, t0, 16
    beqz  t1, 4f
    andi  t0, t0, 0xffff
    add   t0, t0, t1
    j     3b
4:  not   t0, t0
    andi  a0, t0, 0xffff
    ret

# net_get16(a0 = address) -> a0 = the big-endian halfword there (any alignment)
net_get16:
    lbu   t0, 0(a0)
    lbu   t1, 1(a0)
    slli  t0, t0, 8
    or    a0, t0, t1
    ret

# net_get32(a0 = address) -> a0 = the big-endian word there
net_get32:
    lbu   t0, 0(a0)
    lbu   t1, 1(a0)
    lbu   t2, 2(a0)
    lbu   t3, 3(a0)
    slli  t0, t0, 24
    slli  t1, t1, 16
    slli  t2, t2, 8
    or    a0, t0, t1
    or    a0, a0, t2
    or    a0, a0, t3
    ret

# net_put16(a0 = address, a1 = value): big-endian
net_put16:
    srli  t0, a1, 8
    sb    t0, 0(a0)
    sb    a1, 1(a0)
    ret

# net_put32(a0 = address, a1 = value): big-endian
net_put32:
    srli  t0, a1, 24
    sb    t0, 0(a0)
    srli  t0, a1, 16
    sb    t0, 1(a0)
    srli  t0, a1, 8
    sb    t0, 2(a0)
    sb    a1, 3(a0)
    ret

# mac_copy(a0 = destination, a1 = source): 6 bytes
mac_copy:
    li    t1, 6
1:  lbu   t0, 0(a1)
    sb    t0, 0(a0)
    addi  a0, a0, 1
    addi  a1, a1, 1
    addi  t1, t1, -1
    bnez  t1, 1b
    ret

# mac_eq(a0, a1) -> a0 = 1 when the 6 bytes at both are the same
mac_eq:
    li    t2, 6
1:  lbu   t0, 0(a0)
    lbu   t1, 0(a1)
    bne   t0, t1, 2f
    addi  a0, a0, 1
    addi  a1, a1, 1
    addi  t2, t2, -1
    bnez  t2, 1b
    li    a0, 1
    ret
2:  li    a0, 0
    ret

# ---------------------------------------------------------------- system calls

# 10 net_ping(ip, seq) -> the round-trip time in microseconds of an ICMP echo to ip (10.0.0.3 is
# 0x0a000003) with sequence number seq (identifier: the pid). Blocks until the reply, at most
# NET_TIMEOUT_MS. -ENODEV no network, -EINVAL a bad address (0, ours, x.x.x.255), -EBUSY another
# process waits in net_ping, -EHOSTUNREACH no ARP reply, -ETIMEDOUT no echo reply.
sys_net_ping:
    enter 3
    mv    s0, a0
    mv    s1, a1
    mv    s2, a2
    li    a0, -ENODEV
    lwg   t0, nic_base
    beqz  t0, 9f
    li    a0, -EINVAL
    beqz  s1, 9f
    lwg   t0, net_ip
    beq   s1, t0, 9f
    andi  t0, s1, 0xff
    li    t1, 0xff
    beq   t0, t1, 9f
    call  ping_check
    beqz  a0, 1f
    li    a0, -EBUSY
    j     9f
1:  swg   s0, ping_pcb
    lw    t0, P_PID(s0)
    swg   t0, ping_pid
    swg   s1, ping_ip
    slli  t0, t0, 16
    andi  t1, s2, 0xffff
    or    t0, t0, t1
    swg   t0, ping_ident
    call  now_ms                  # wait like sleep: the tick ends it at the timeout
    addi  a0, a0, NET_TIMEOUT_MS
    sw    a0, P_WAKE(s0)
    swg   a0, ping_wake
    li    t0, PS_SLEEPING
    sw    t0, P_STATE(s0)
    mv    a0, s1
    call  arp_lookup
    beqz  a0, 2f
    call  ping_send               # the address is known: the echo request goes now
    j     3f
2:  li    t0, 1                   # else ask for it first
    swg   t0, ping_phase
    li    t0, -EHOSTUNREACH
    sw    t0, R_A0(s0)
    li    a0, 1
    mv    a1, s1
    li    a2, 0
    call  arp_send
3:  li    a0, SYS_BLOCKED
9:  leave 3

# 11 net_info(buf) -> 0: NET_INFO_SIZE bytes about the network interface (docs/guests.md):
# +0 MAC (6 bytes, 2 zero), +8 IPv4 address, +12 prefix length, +16 frames received, +20 bytes
# received, +24 frames sent, +28 bytes sent, +32 received frames cos ignored, +36 the nic's node
# id (NUL-terminated, 8 bytes), +44 flags (bit 0: the paravirtual path). -ENODEV without a network,
# -EFAULT for a bad buffer.
sys_net_info:
    enter 3
    addi  sp, sp, -48
    mv    s0, a0
    mv    s1, a1
    li    a0, -ENODEV
    lwg   s2, nic_base
    beqz  s2, 9f
    la    t1, net_mac
    lw    t0, 0(t1)
    sw    t0, 0(sp)
    lw    t0, 4(t1)
    sw    t0, 4(sp)
    lwg   t0, net_ip
    sw    t0, 8(sp)
    li    t0, 24
    sw    t0, 12(sp)
    lwg   t0, net_pv
    beqz  t0, 1f
    lwg   t0, net_rx_frames       # paravirtual: no nic registers to read
    sw    t0, 16(sp)
    lwg   t0, net_tx_frames
    sw    t0, 24(sp)
    j     2f
1:  lw    t0, NIC_RX_FRAMES(s2)
    sw    t0, 16(sp)
    lw    t0, NIC_TX_FRAMES(s2)
    sw    t0, 24(sp)
2:  lwg   t0, net_rx_bytes
    sw    t0, 20(sp)
    lwg   t0, net_tx_bytes
    sw    t0, 28(sp)
    lwg   t0, net_rx_ignored
    sw    t0, 32(sp)
    lwg   a0, nic_node
    call  node_name
    mv    a1, a0
    addi  a0, sp, 36
    li    a2, 7
    call  strncpy
    lwg   t0, net_pv
    sw    t0, 44(sp)
    mv    a0, s0
    mv    a1, s1
    mv    a2, sp
    li    a3, NET_INFO_SIZE
    call  copy_to_user
9:  addi  sp, sp, 48
    leave 3

.section rodata
mac_bcast: .byte 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
mac_zero:  .byte 0, 0, 0, 0, 0, 0
.text
