# net: the network interface, from the net_info system call (docs/guests.md#network):
#   nic0: MAC 02:00:00:00:00:01, IPv4 10.0.0.2/24 (paravirtual)
#     rx 3 frames, 246 bytes (0 ignored)
#     tx 3 frames, 246 bytes
# or `net: no network interface` (exit code 1) when cos has none. "(paravirtual)" when cos moves
# frames with the hypervisor's net_send/net_recv instead of the nic's rings.
.org 0x00400000
.include "lib.inc"

.equ SYS_NET_INFO, 11                # net_info(buf) -> 0
.equ NI_MAC, 0
.equ NI_IP, 8
.equ NI_PREFIX, 12
.equ NI_RX_FRAMES, 16
.equ NI_RX_BYTES, 20
.equ NI_TX_FRAMES, 24
.equ NI_TX_BYTES, 28
.equ NI_IGNORED, 32
.equ NI_NAME, 36
.equ NI_FLAGS, 44                    # bit 0: the paravirtual path

_start:
    addi  sp, sp, -64
    mv    s0, sp
    mv    a0, s0
    sys   SYS_NET_INFO
    bltz  a0, no_net
    addi  a0, s0, NI_NAME
    call  print
    la    a0, s_mac
    call  print
    li    s1, 0                   # the MAC: six bytes in hex, with colons
1:  add   t0, s0, s1
    lbu   a0, NI_MAC(t0)
    call  print_hex2
    addi  s1, s1, 1
    li    t0, 6
    beq   s1, t0, 2f
    li    a0, ':'
    call  print_char
    j     1b
2:  la    a0, s_ip
    call  print
    li    s1, 24                  # the address: a.b.c.d/prefix
3:  lw    a0, NI_IP(s0)
    srl   a0, a0, s1
    andi  a0, a0, 0xff
    call  print_dec
    beqz  s1, 4f
    li    a0, '.'
    call  print_char
    addi  s1, s1, -8
    j     3b
4:  li    a0, '/'
    call  print_char
    lw    a0, NI_PREFIX(s0)
    call  print_dec
    lw    t0, NI_FLAGS(s0)
    andi  t0, t0, 1
    beqz  t0, 5f
    la    a0, s_pv
    call  print
5:  la    a0, s_rx
    call  print
    lw    a0, NI_RX_FRAMES(s0)
    call  print_dec
    la    a0, s_frames
    call  print
    lw    a0, NI_RX_BYTES(s0)
    call  print_dec
    la    a0, s_bytes_open
    call  print
    lw    a0, NI_IGNORED(s0)
    call  print_dec
    la    a0, s_ignored
    call  print
    la    a0, s_tx
    call  print
    lw    a0, NI_TX_FRAMES(s0)
    call  print_dec
    la    a0, s_frames
    call  print
    lw    a0, NI_TX_BYTES(s0)
    call  print_dec
    la    a0, s_bytes
    call  print
    li    a0, 0
    call  exit

no_net:
    la    a0, s_no_net
    call  print
    li    a0, 1
    call  exit

# print_hex2(a0 = byte): two lower-case hex digits
print_hex2:
    addi  sp, sp, -16
    sw    ra, 12(sp)
    sw    a0, 8(sp)
    srli  a0, a0, 4
    call  hex_digit
    lw    a0, 8(sp)
    andi  a0, a0, 15
    call  hex_digit
    lw    ra, 12(sp)
    addi  sp, sp, 16
    ret

hex_digit:
    la    t0, s_hex
    add   t0, t0, a0
    lbu   a0, 0(t0)
    j     print_char

s_mac:        .asciz ": MAC "
s_ip:         .asciz ", IPv4 "
s_pv:         .asciz " (paravirtual)"
s_rx:         .asciz "\n  rx "
s_tx:         .asciz "  tx "
s_frames:     .asciz " frames, "
s_bytes_open: .asciz " bytes ("
s_ignored:    .asciz " ignored)\n"
s_bytes:      .asciz " bytes\n"
s_no_net:     .asciz "net: no network interface\n"
s_hex:        .asciz "0123456789abcdef"
