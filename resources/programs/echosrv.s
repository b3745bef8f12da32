# echosrv: answers every call with its own text, and prints each message it gets (M19;
# docs/guide.md#lab-m19-messages-and-shared-pages). Run it in one cos (`echosrv &`), then
# `echocli ID` in another. Ctrl-C or kill ends it; a call it took and did not answer then gets an
# empty reply from cos, so the caller never waits for ever.
.org 0x00400000
.include "lib.inc"

_start:
    la    a0, s_hello
    call  print
    li    s1, 0                   # messages handled
1:  la    a0, buf
    li    a1, MSG_HDR + MSG_MAX
    sys   SYS_MSG_RECV
    bltz  a0, 9f
    mv    s2, a0                  # the text's length
    la    t0, buf
    lw    s3, 0(t0)               # sender
    lw    s4, 4(t0)               # flags: bit 0, a call
    addi  s1, s1, 1
    la    a0, s_pre
    call  print
    la    a0, s_msg
    andi  t0, s4, 1
    beqz  t0, 2f
    la    a0, s_call
2:  call  print
    la    a0, s_from
    call  print
    mv    a0, s3
    call  print_dec
    la    a0, s_colon
    call  print
    la    a0, buf + MSG_HDR
    mv    a1, s2
    sys   SYS_WRITE
    la    a0, s_quote_nl
    call  print
    andi  t0, s4, 1
    beqz  t0, 1b
    mv    a0, s3                  # a call: the same text back
    la    a1, buf + MSG_HDR
    mv    a2, s2
    sys   SYS_MSG_REPLY
    bgez  a0, 1b
    mv    s5, a0
    la    a0, s_rfail
    call  print
    mv    a0, s5
    call  print_err
    j     1b
9:  mv    s5, a0
    la    a0, s_fail
    call  print
    mv    a0, s5
    call  print_err
    li    a0, 1
    call  exit

.data
s_hello:    .asciz "echosrv: answering calls with their own text (Ctrl-C ends it)\n"
s_pre:      .asciz "echosrv: "
s_msg:      .asciz "message"
s_call:     .asciz "call"
s_from:     .asciz " from partition "
s_colon:    .asciz ": \""
s_quote_nl: .asciz "\"\n"
s_rfail:    .asciz "echosrv: msg_reply failed: "
s_fail:     .asciz "echosrv: msg_recv failed: "

.bss
.align 4
buf:        .space MSG_HDR + MSG_MAX
