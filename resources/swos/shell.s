# shell.s: the swos shell. Reads a line with echo and backspace, then runs one command:
#   help, dir, type NAME, mem, devs, ver, primes [N], reboot, halt
# Commands are matched without regard to case; anything else is "bad command: WORD".

.text

# shell: the prompt loop. Never returns.
shell:
    la    a0, msg_prompt
    call  puts
    la    a0, line_buf
    call  read_line
    la    a0, line_buf
    call  run_command
    j     shell

.equ ESC_FINAL_MIN, 0x40             # the last byte of an escape sequence is one of 0x40..0x7E
.equ ESC_FINAL_MAX, 0x7E

# read_line: a0 = buffer of LINE_MAX bytes -> the line typed, NUL-terminated (without its end).
# Enter is CR (a terminal) or LF (a pipe); the LF of a CR LF pair is swallowed, so it does not end
# a second, empty line. Backspace and DEL erase a character, Ctrl-U the whole line; other control
# characters and escape sequences (arrow keys) are ignored, and so is typing past the end of the
# buffer.
read_line:
    push  ra
    push  s0
    push  s1
    mv    s0, a0
    li    s1, 0                      # characters in the buffer
.key:
    call  getc
    la    t0, last_was_cr
    lw    t1, 0(t0)
    sw    zero, 0(t0)
    li    t0, NL
    bne   a0, t0, 1f
    bnez  t1, .key                   # the LF after a CR
    j     .enter
1:  li    t0, CR
    bne   a0, t0, 2f
    la    t0, last_was_cr
    li    t1, 1
    sw    t1, 0(t0)
    j     .enter
2:  li    t0, BS
    beq   a0, t0, .erase
    li    t0, DEL
    beq   a0, t0, .erase
    li    t0, CTRL_U
    beq   a0, t0, .kill
    li    t0, ESC
    beq   a0, t0, .escape
    li    t0, SPACE
    bltu  a0, t0, .key               # another control character
    li    t0, DEL
    bgeu  a0, t0, .key               # not 7-bit ASCII
    li    t0, LINE_MAX - 1
    bgeu  s1, t0, .key               # full: keep room for the NUL
    add   t0, s0, s1
    sb    a0, 0(t0)
    addi  s1, s1, 1
    call  putc                       # echo
    j     .key
.erase:
    beqz  s1, .key
    addi  s1, s1, -1
    la    a0, msg_rubout
    call  puts
    j     .key
.kill:
    beqz  s1, .key
    addi  s1, s1, -1
    la    a0, msg_rubout
    call  puts
    j     .kill
.escape:
    # A terminal sends ESC [ ... or ESC O ... for arrows and function keys: swallow the sequence up
    # to its final byte (0x40..0x7E) so that it does not end up in the line. ESC and another key
    # (Alt-key) swallows that key.
    call  getc
    li    t0, '['
    beq   a0, t0, 1f
    li    t0, 'O'
    bne   a0, t0, .key
1:  call  getc
    li    t0, ESC_FINAL_MIN
    bltu  a0, t0, 1b
    li    t0, ESC_FINAL_MAX
    bgtu  a0, t0, 1b
    j     .key
.enter:
    add   t0, s0, s1
    sb    zero, 0(t0)
    call  putnl
    pop   s1
    pop   s0
    pop   ra
    ret

# run_command: a0 = a line -> runs it. The first word is the command (changed in place into a
# NUL-terminated word), the rest, without its surrounding spaces, is the argument.
run_command:
    push  ra
    push  s0
    push  s1
    push  s2
    call  skip_spaces
    mv    s0, a0                     # s0: the command word
    lbu   t0, 0(s0)
    beqz  t0, .out                   # an empty line
    # Find the end of the word; the argument starts after the spaces that follow it.
    mv    t1, s0
1:  lbu   t0, 0(t1)
    beqz  t0, 3f
    li    t2, SPACE
    beq   t0, t2, 2f
    addi  t1, t1, 1
    j     1b
2:  sb    zero, 0(t1)                # end the word
    addi  t1, t1, 1
3:  mv    a0, t1
    call  skip_spaces
    mv    s1, a0                     # s1: the argument
    call  trim_end
    # The command word in lower case, in cmd_buf (a word longer than any command cannot match).
    la    t0, cmd_buf
    mv    t1, s0
    li    s2, CMD_MAX - 1
4:  lbu   a0, 0(t1)
    beqz  a0, 5f
    beqz  s2, .unknown
    push  t0
    push  t1
    call  to_lower
    pop   t1
    pop   t0
    sb    a0, 0(t0)
    addi  t0, t0, 1
    addi  t1, t1, 1
    addi  s2, s2, -1
    j     4b
5:  sb    zero, 0(t0)
    # Look it up.
    la    s2, command_table
6:  lw    a0, 0(s2)
    beqz  a0, .unknown
    la    a1, cmd_buf
    call  str_eq
    bnez  a0, 7f
    addi  s2, s2, 8
    j     6b
7:  lw    t0, 4(s2)
    mv    a0, s1
    jalr  t0                         # handler: a0 = the argument
    j     .out
.unknown:
    la    a0, msg_bad_command
    call  puts
    mv    a0, s0
    call  puts
    call  putnl
.out:
    pop   s2
    pop   s1
    pop   s0
    pop   ra
    ret

# skip_spaces: a0 = string -> a0 = its first character that is not a space.
skip_spaces:
    li    t1, SPACE
1:  lbu   t0, 0(a0)
    bne   t0, t1, 2f
    addi  a0, a0, 1
    j     1b
2:  ret

# trim_end: a0 = string: its trailing spaces are cut off (in place). Preserves a0.
trim_end:
    mv    t0, a0
1:  lbu   t1, 0(t0)                  # find the end
    beqz  t1, 2f
    addi  t0, t0, 1
    j     1b
2:  li    t2, SPACE
3:  beq   t0, a0, 4f
    lbu   t1, -1(t0)
    bne   t1, t2, 4f
    addi  t0, t0, -1
    sb    zero, 0(t0)
    j     3b
4:  ret

# ---- the commands: a0 = the argument (maybe empty) -----------------------------------------------

cmd_help:
    la    a0, msg_help
    j     puts

cmd_ver:
    la    a0, msg_banner
    j     puts

cmd_mem:
    push  ra
    call  print_memory
    la    a0, msg_mem_ram
    call  puts
    li    a0, 0
    call  puthex
    la    a0, msg_mem_dots
    call  puts
    la    t0, ram_size
    lw    a0, 0(t0)
    addi  a0, a0, -1
    call  puthex
    la    a0, msg_mem_swos
    call  puts
    la    a0, _start
    call  puthex
    la    a0, msg_mem_dots
    call  puts
    la    a0, image_end
    addi  a0, a0, -1
    call  puthex
    la    a0, msg_mem_swos_end
    call  puts
    pop   ra
    ret

# devs: the device table, one line per window that answered: address, kind, and what swos knows or
# does with it. "  0xF0020000  disk    65536 blocks, file system"
cmd_devs:
    push  ra
    push  s0
    push  s1
    push  s2
    push  s3
    la    s0, dev_table              # s0: entry
    la    t0, dev_count
    lw    s1, 0(t0)
    slli  s1, s1, 3
    add   s1, s1, s0                 # s1: end of the table
.line:
    bgeu  s0, s1, .total
    li    a0, 2
    call  putspaces
    lw    a0, 0(s0)
    call  puthex
    li    a0, 2
    call  putspaces
    li    s2, 0                      # details printed on this line
    lw    a0, 4(s0)
    call  kind_name
    mv    s3, a0                     # s3: the kind's name
    bnez  s3, 1f
    la    s3, msg_devs_unknown       # an identity swos does not know: show it
    mv    a0, s3
    call  puts
    call  .detail
    la    a0, msg_devs_identity
    call  puts
    lw    a0, 4(s0)
    call  puthex
    j     .next
1:  mv    a0, s3
    call  puts
    lw    t0, 4(s0)                  # a disk: its size
    li    t1, ID_DISK
    bne   t0, t1, 2f
    lw    a0, 0(s0)
    addi  a0, a0, DISK_BLOCKS
    call  probe_read
    bnez  a1, 2f
    push  a0
    call  .detail
    pop   a0
    call  putdec
    la    a0, msg_devs_blocks
    call  puts
2:  lw    a0, 0(s0)                  # what swos uses it for, if anything
    call  device_use
    beqz  a0, .next
    push  a0
    call  .detail
    pop   a0
    call  puts
.next:
    call  putnl
    addi  s0, s0, DEV_ENTRY
    j     .line
.total:
    li    a0, 2
    call  putspaces
    la    t0, dev_count
    lw    a0, 0(t0)
    call  putdec
    la    a0, msg_devices_total
    call  puts
    pop   s3
    pop   s2
    pop   s1
    pop   s0
    pop   ra
    ret
# .detail: before each detail: the first lines up in a column after the kind (s3), the others follow
# a comma. Counts them in s2.
.detail:
    push  ra
    bnez  s2, 1f
    mv    a0, s3
    call  strlen
    li    t0, DEVS_KIND_WIDTH
    sub   a0, t0, a0
    call  putspaces
    j     2f
1:  la    a0, msg_devs_comma
    call  puts
2:  addi  s2, s2, 1
    pop   ra
    ret

# device_use: a0 = base of a device window -> a0 = what swos uses that device for, or 0.
device_use:
    la    t0, console
    lw    t0, 0(t0)
    la    t1, msg_use_console
    beq   a0, t0, 1f
    la    t0, sysctl_base
    lw    t0, 0(t0)
    la    t1, msg_use_sysctl
    beq   a0, t0, 1f
    la    t0, disk_base
    lw    t0, 0(t0)
    la    t1, msg_use_disk
    beq   a0, t0, 1f
    la    t0, intc_base
    lw    t0, 0(t0)
    la    t1, msg_use_intc
    beq   a0, t0, 1f
    li    a0, 0
    ret
1:  mv    a0, t1
    ret

# dir: one line per file, "NAME.EXT" and its size, then the totals.
cmd_dir:
    push  ra
    push  s0
    push  s1
    push  s2
    push  s3
    call  fs_check
    beqz  a0, .out
    li    s0, 0                      # entry index
    li    s1, 0                      # files
    li    s2, 0                      # bytes
1:  mv    a0, s0
    call  sfs_dir_entry
    bnez  a1, .read_error
    beqz  a0, 2f
    mv    s3, a0
    addi  s0, s0, 1
    lbu   t0, DE_ATTR(s3)
    andi  t0, t0, ATTR_IN_USE
    beqz  t0, 1b
    li    a0, 2
    call  putspaces
    mv    a0, s3
    call  sfs_print_name
    li    t0, DIR_NAME_WIDTH
    sub   a0, t0, a0
    call  putspaces
    lw    a0, DE_SIZE(s3)
    addi  s1, s1, 1
    add   s2, s2, a0
    li    a1, DIR_SIZE_WIDTH
    call  putdec_w
    call  putnl
    j     1b
2:  li    a0, 2
    call  putspaces
    mv    a0, s1
    call  putdec
    la    a0, msg_dir_files
    li    t0, 1
    bne   s1, t0, 3f
    la    a0, msg_dir_file
3:  call  puts
    mv    a0, s2
    call  putdec
    la    a0, msg_dir_bytes
    call  puts
    j     .out
.read_error:
    la    a0, msg_dir_prefix
    call  puts
    la    a0, err_read
    call  puts
    call  putnl
.out:
    pop   s3
    pop   s2
    pop   s1
    pop   s0
    pop   ra
    ret

# type NAME: prints a file. NAME as typed: "readme.txt", "README.TXT", "notes.txt".
cmd_type:
    push  ra
    push  s0
    push  s1
    mv    s0, a0
    lbu   t0, 0(s0)
    bnez  t0, 1f
    la    a0, msg_type_usage
    call  puts
    j     .out
1:  call  fs_check
    beqz  a0, .out
    mv    a0, s0
    la    a1, name83
    call  make_name83
    bnez  a0, 2f
    la    a0, msg_type_bad_name
    j     .complain
2:  la    a0, name83
    call  sfs_find
    bnez  a1, .read_error
    bnez  a0, 3f
    la    a0, msg_type_not_found
    j     .complain
3:  lhu   t0, DE_FIRST(a0)
    lw    a1, DE_SIZE(a0)
    mv    a0, t0
    call  sfs_print_file
    mv    s1, a0
    # End the output with a line end (a file may not), so that what follows starts a line.
    la    t0, last_out
    lbu   t0, 0(t0)
    li    t1, NL
    beq   t0, t1, 4f
    call  putnl
4:  beqz  s1, .out
    la    a0, msg_type_prefix
    call  puts
    mv    a0, s1
    call  puts
    call  putnl
    j     .out
.read_error:
    la    a0, msg_type_prefix
    call  puts
    la    a0, err_read
    call  puts
    call  putnl
    j     .out
.complain:                           # a0 = message; then the name as typed
    call  puts
    mv    a0, s0
    call  puts
    call  putnl
.out:
    pop   s1
    pop   s0
    pop   ra
    ret

# fs_check: -> a0 = 1 when a file system is mounted; else says why not and a0 = 0.
fs_check:
    la    t0, fs_mounted
    lw    a0, 0(t0)
    bnez  a0, 1f
    push  ra
    la    a0, msg_no_fs
    call  puts
    la    t0, fs_error
    lw    a0, 0(t0)
    call  puts
    call  putnl
    pop   ra
    li    a0, 0
1:  ret

# reboot: sysctl RESET. In dual boot that brings back the boot loader.
cmd_reboot:
    push  ra
    la    t0, sysctl_base
    lw    a0, 0(t0)
    beqz  a0, .none
    addi  a0, a0, SYSCTL_RESET
    li    a1, 1
    call  probe_write                # the machine resets here
    la    a0, msg_reboot_failed
    call  puts
    pop   ra
    ret
.none:
    la    a0, msg_no_sysctl
    call  puts
    pop   ra
    ret

# halt: sysctl EXIT with code 0: the machine powers off.
cmd_halt:
    push  ra
    la    t0, sysctl_base
    lw    a0, 0(t0)
    beqz  a0, .none
    addi  a0, a0, SYSCTL_EXIT
    li    a1, 0
    call  probe_write                # the machine stops here
    la    a0, msg_halt_failed
    call  puts
    pop   ra
    ret
.none:
    la    a0, msg_no_sysctl
    call  puts
    pop   ra
    ret

.equ CMD_MAX, 16
.equ DEVS_KIND_WIDTH, 8              # "sysctl" and a space or two
.equ DIR_NAME_WIDTH, 12              # "NAME.EXT" padded to this many columns
.equ DIR_SIZE_WIDTH, 8

.data
.align 4
command_table:                       # name, handler; ends with a 0 name
    .word cmd_name_help,   cmd_help
    .word cmd_name_dir,    cmd_dir
    .word cmd_name_type,   cmd_type
    .word cmd_name_mem,    cmd_mem
    .word cmd_name_devs,   cmd_devs
    .word cmd_name_ver,    cmd_ver
    .word cmd_name_primes, cmd_primes
    .word cmd_name_reboot, cmd_reboot
    .word cmd_name_halt,   cmd_halt
    .word 0, 0

cmd_name_help:   .asciz "help"
cmd_name_dir:    .asciz "dir"
cmd_name_type:   .asciz "type"
cmd_name_mem:    .asciz "mem"
cmd_name_devs:   .asciz "devs"
cmd_name_ver:    .asciz "ver"
cmd_name_primes: .asciz "primes"
cmd_name_reboot: .asciz "reboot"
cmd_name_halt:   .asciz "halt"

msg_prompt:      .asciz "swos$ "
msg_rubout:      .asciz "\b \b"          # back, blank, back
msg_bad_command: .asciz "bad command: "
msg_help:
    .ascii "swos commands:\n"
    .ascii "  help         this list\n"
    .ascii "  dir          list the files: NAME.EXT and size in bytes\n"
    .ascii "  type NAME    print a file (type readme.txt)\n"
    .ascii "  mem          memory found by probing\n"
    .ascii "  devs         devices found by scanning\n"
    .ascii "  ver          version\n"
    .ascii "  primes [N]   count the primes below N (default 10000): a CPU-bound job\n"
    .ascii "  reboot       reset the machine\n"
    .asciz "  halt         power off\n"
msg_mem_ram:      .asciz "  ram   "
msg_mem_dots:     .asciz ".."
msg_mem_swos:     .asciz "\n  swos  "
msg_mem_swos_end: .asciz " (code, data, stack, buffers)\n"
msg_use_console:  .asciz "console"
msg_use_sysctl:   .asciz "reboot, halt"
msg_use_disk:     .asciz "file system"
msg_use_intc:     .asciz "wakes the console wait"
msg_devs_unknown: .asciz "?"
msg_devs_identity: .asciz "identity "
msg_devs_blocks:  .asciz " blocks"
msg_devs_comma:   .asciz ", "
msg_devices_total: .asciz " devices\n"
msg_dir_file:     .asciz " file, "
msg_dir_files:    .asciz " files, "
msg_dir_bytes:    .asciz " bytes\n"
msg_dir_prefix:   .asciz "dir: "
msg_type_usage:   .asciz "usage: type NAME (for example: type readme.txt)\n"
msg_type_prefix:  .asciz "type: "
msg_type_bad_name: .asciz "type: not an 8.3 file name: "
msg_type_not_found: .asciz "type: file not found: "
msg_no_fs:        .asciz "no file system: "
msg_no_sysctl:    .asciz "no sysctl found\n"
msg_reboot_failed: .asciz "reboot: the sysctl has no RESET register\n"
msg_halt_failed:  .asciz "halt: the sysctl did not power off\n"

.align 4
last_was_cr: .word 0                 # the previous key was CR (see read_line)

.bss
line_buf: .space LINE_MAX
cmd_buf:  .space CMD_MAX
name83:   .space NAME83_LEN + 1
.text
