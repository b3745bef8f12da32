# data.s: ctl's globals (in .data, reached from gp with lwg/swg like cos's kvars) and its buffers.
# Included before cos's data.s, which ends the image with _end.

.data
.align 4
hv_mode:         .word 0          # 0 bare, 1 partition 0 under the hypervisor, 2 a client (hv.s)
part_self:       .word 0          # the boot info's partition id
os_putc_filter:  .word 0          # cos hook: ctl_putc while a tag or a capture is on (chan.s)
tagged:          .word 0          # the line being run came with @TAG
tag_bol:         .word 0          # the next byte starts a line: put the tag first
cap_on:          .word 0          # console output goes into cap_buf
cap_buf:         .word 0
cap_len:         .word 0
cap_max:         .word 0
cmd_status:      .word 0          # the status of the line being run
os_no_prompt:    .word 0          # cos hook: the hypervisor crashes soon (fault crash): no prompt, so the reboot banner starts its own line
chan_on:         .word 0          # answering a management request: output goes into chan_buf (chan.s)
chan_len:        .word 0
chan_over:       .word 0          # the answer was longer than CHAN_MAX
os_part:         .word 0          # the disk partition os_find found (image.s)
ndevs:           .word 0          # devices in devs (part.s)
log_first:       .word 0          # messages kept for inbox (monitor.s): the oldest, and how many
log_count:       .word 0
log_tmp_sender:  .word 0
log_tmp_reply:   .word 0

.bss
.align 4096
tab_buf:         .space TAB_MAX + 1   # parttab (8 blocks by DMA)
.align 512
pt_buf:          .space BLOCK_SIZE    # the boot disk's partition table
hdr_buf:         .space BLOCK_SIZE    # an OS image header
.align 4
qbuf:            .space Q_SIZE        # part_query's answer
lp_reply:        .space 32            # ctl's printer's answer to a client (devs.s)
recs:            .space MAX_PARTS * CR_SIZE
devs:            .space MAX_DEVS * DV_SIZE
argv:            .space ARGV_MAX * 4
tab_fields:      .space 5 * 4
tab_line:        .space TABLINE_MAX
tag_buf:         .space TAG_MAX
ctx_buf:         .space CTX_MAX
errmsg:          .space ERRMSG_MAX
lbl_buf:         .space NAME_MAX + 1
cell_buf:        .space CELL_MAX
name_tmp:        .space 24
word_tmp:        .space 16
size_buf:        .space SIZEBUF_MAX
msg_buf:         .space MSG_MAX + 1
.align 4
msg_log:         .space LOG_N * LOG_ENTRY
bstat_buf:       .space BS_SIZE
mreq_buf:        .space MREQ_MAX + 1
chan_buf:        .space CHAN_BUF
