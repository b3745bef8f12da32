/**
 * The scrubber (docs/recording.md#the-scrubber; issue 14: "drag to any past moment of the
 * recording and see every console, the ownership map and the registers as they were"). Shown under
 * the top bar, in every view, while the machine is a replay: the recording's span in machine time,
 * its checkpoints and inputs marked, and a handle to drag (or move with the arrow keys, PageUp and
 * PageDown by checkpoint, Home and End). A drag seeks as fast as the engine answers (one seek in
 * flight, the newest position wins: SeekQueue) and releasing seeks to where it ends. After a seek
 * the engine sends every console whole as it was then, and the status; the views follow.
 *
 * Leaving: the replay took the place of the running machine (the host's replay powers off what ran).
 * Opened from the Recordings card, the running machine was first saved as a snapshot
 * (returnPoint.ts): "Leave replay" boots its configuration and restores that snapshot. Otherwise
 * (a replay opened by the Debug view, another tab, the CLI) it boots the machine again as the
 * recording's was configured, from its working disk.
 */
import './replay.css';
import type { MachineConfig, MachineStatus, ReplayStatus } from '../../shared/api.js';
import type { AppContext } from '../app/context.js';
import { h, message, num } from '../ui/dom.js';
import { busy, toast } from '../ui/feedback.js';
import { clearReturn, pageSession, readReturn } from './returnPoint.js';
import { fractionOf, keyTarget, secondsAt, SeekQueue, timeLabel } from './scrub.js';

export class ReplayBar {
  readonly el: HTMLElement;
  private readonly title = h('strong.replay-name', {});
  private readonly state = h('span.replay-state', { 'aria-live': 'polite' });
  private readonly at = h('span.replay-at', {});
  private readonly leave = h(
    'button.ghost',
    {
      type: 'button',
      'data-action': 'leave-replay',
      title:
        'End the replay: the machine that ran before comes back from the snapshot taken when the replay was opened here, or else boots again (mode, pCPUs and memory as recorded; its working disk)',
    },
    'Leave replay',
  );
  private readonly track = h('div.replay-track', {
    role: 'slider',
    tabindex: 0,
    'aria-label': 'Machine time in the recording',
  });
  private readonly done = h('div.replay-done', {});
  private readonly marks = h('div.replay-marks', {});
  private readonly handle = h('div.replay-handle', {});
  private readonly from = h('span', {});
  private readonly to = h('span', {});
  private replay: ReplayStatus | undefined;
  private marksKey = '';
  /** Where the user holds the handle (a drag, or keys) until the machine is there. */
  private held: number | undefined;
  private dragging = false;
  private landed: number | undefined;
  private readonly queue: SeekQueue;

  constructor(private readonly ctx: AppContext) {
    this.queue = new SeekQueue(
      async (s) => {
        // Where the machine landed (on the pCPUs' grid): the answer may come before the status event.
        this.landed = (await ctx.api.seek(s)).seconds;
      },
      (e) => toast(`Seek: ${message(e)}`, 'error'),
    );
    this.track.append(this.done, this.marks, this.handle);
    this.el = h(
      'div.replay-bar',
      { hidden: true, role: 'region', 'aria-label': 'Replay' },
      h('div.replay-head', {}, this.title, this.state, h('span.spacer'), this.at, this.leave),
      this.track,
      h(
        'div.replay-scale',
        {},
        this.from,
        h('span.replay-legend', {}, h('i.cp'), 'checkpoint', h('i.in'), 'input'),
        this.to,
      ),
    );
    this.leave.addEventListener('click', () => void this.leaveReplay());
    this.track.addEventListener('pointerdown', (e) => this.pointer(e, 'down'));
    this.track.addEventListener('pointermove', (e) => this.pointer(e, 'move'));
    this.track.addEventListener('pointerup', (e) => this.pointer(e, 'up'));
    this.track.addEventListener('pointercancel', (e) => this.pointer(e, 'up'));
    this.track.addEventListener('keydown', (e) => this.key(e));
    ctx.onStatus((s) => this.status(s));
  }

  private usable(): boolean {
    return this.replay?.verified === true;
  }

  private status(s: MachineStatus): void {
    const r = s.replay;
    this.replay = r;
    this.el.hidden = !r;
    document.body.dataset.replay = r ? (r.verified ? 'verified' : 'verifying') : '';
    if (!r) return;
    this.title.textContent = `Replay of ‘${r.name}’`;
    const len = r.endSeconds - r.startSeconds;
    this.state.dataset.state = r.error ? 'failed' : r.verified ? 'verified' : 'verifying';
    this.state.textContent = r.error
      ? `stopped: ${r.error}`
      : r.verified
        ? `${r.checkpoints.length} checkpoints verified · drag, or use ← → (PageUp/PageDown: checkpoints). The replay replaced the running machine.`
        : `verifying every checkpoint… ${num(Math.max(0, s.seconds - r.startSeconds), 2)} of ${num(len, 2)} s`;
    this.track.setAttribute('aria-disabled', String(!this.usable()));
    this.track.title = this.usable()
      ? 'Drag to a moment of the recording'
      : r.error
        ? 'The replay did not match its recording: it cannot be moved'
        : 'The replay is verifying its checkpoints: the scrubber works once it is done';
    this.track.setAttribute('aria-valuemin', r.startSeconds.toFixed(3));
    this.track.setAttribute('aria-valuemax', r.endSeconds.toFixed(3));
    this.from.textContent = timeLabel(r.startSeconds);
    this.to.textContent = `${timeLabel(r.endSeconds)} (${num(len, 3)} s recorded)`;
    this.done.style.width = r.verified ? '100%' : `${fractionOf(s.seconds, r) * 100}%`;
    const key = `${r.name}:${r.checkpoints.length}:${r.inputs.length}`;
    if (key !== this.marksKey) {
      this.marksKey = key;
      this.drawMarks(r);
    }
    // The machine reached where the handle is held: the handle follows the machine again.
    if (!this.dragging && this.held !== undefined && !this.queue.busy) this.held = undefined;
    this.place(this.held ?? s.seconds);
  }

  private drawMarks(r: ReplayStatus): void {
    const at = (sec: number) => `${(fractionOf(sec, r) * 100).toFixed(3)}%`;
    this.marks.replaceChildren(
      ...r.checkpoints.map((c) =>
        h('span.replay-cp', { style: `left:${at(c)}`, title: `checkpoint at ${timeLabel(c)}` }),
      ),
      ...r.inputs.map((i) =>
        h('span.replay-in', {
          style: `left:${at(i.seconds)}`,
          title: `${timeLabel(i.seconds)}: ${i.what}${i.count > 1 ? ` (${i.count})` : ''}`,
        }),
      ),
    );
  }

  /** The handle and the time label at `seconds`. */
  private place(seconds: number): void {
    const r = this.replay;
    if (!r) return;
    this.handle.style.left = `${fractionOf(seconds, r) * 100}%`;
    this.at.textContent = `t = ${timeLabel(seconds)}`;
    this.track.setAttribute('aria-valuenow', seconds.toFixed(3));
    this.track.setAttribute('aria-valuetext', `${timeLabel(seconds)} of machine time`);
  }

  private moveTo(seconds: number): void {
    this.held = seconds;
    this.place(seconds);
    void this.queue.seek(seconds).then(() => {
      if (this.dragging || this.queue.busy) return;
      this.held = undefined;
      this.place(this.landed ?? this.ctx.status.seconds);
    });
  }

  private pointer(e: PointerEvent, what: 'down' | 'move' | 'up'): void {
    const r = this.replay;
    if (!r || !this.usable()) return;
    if (what === 'down') {
      this.dragging = true;
      this.track.setPointerCapture(e.pointerId);
      this.track.focus();
    } else if (!this.dragging) return;
    const box = this.track.getBoundingClientRect();
    const s = secondsAt((e.clientX - box.left) / Math.max(1, box.width), r);
    if (what === 'up') {
      this.dragging = false;
      this.track.releasePointerCapture(e.pointerId);
    }
    this.moveTo(s);
  }

  private key(e: KeyboardEvent): void {
    const r = this.replay;
    if (!r || !this.usable()) return;
    const to = keyTarget(e.key, e.shiftKey, this.held ?? this.ctx.status.seconds, r);
    if (to === undefined) return;
    e.preventDefault();
    this.moveTo(to);
  }

  private async leaveReplay(): Promise<void> {
    const back = this.replay && readReturn(pageSession(), this.replay.name);
    if (back) {
      // The machine that ran before the replay: its configuration booted, then its snapshot restored.
      const s = await busy(
        this.leave,
        async () => {
          const booted = await this.ctx.api.boot(back.config);
          if (booted.state !== 'running') throw new Error(booted.error ?? `the machine is ${booted.state}`);
          return this.ctx.api.snapshotRestore(back.snapshot);
        },
        'Leave replay: ',
      );
      clearReturn(pageSession());
      if (s) {
        this.ctx.setStatus(s);
        toast(`Left the replay: the machine is back as it was (snapshot ${back.snapshot})`, 'ok');
      }
      return; // else the toast says what failed; the snapshot stays in the Snapshots view
    }
    const c = this.ctx.status.config;
    // The recording's configuration, on the app's working disk (the recording's own start disks are frozen).
    const config: Partial<MachineConfig> = c
      ? {
          mode: c.mode,
          cpus: c.cpus,
          memMiB: c.memMiB,
          ...(c.engine ? { engine: c.engine } : {}),
          ...(c.boot ? { boot: c.boot } : {}),
        }
      : {};
    const s = await busy(this.leave, () => this.ctx.api.boot(config), 'Leave replay: ');
    if (s) {
      this.ctx.setStatus(s);
      toast('Left the replay: the machine booted again', 'info');
    }
  }
}
