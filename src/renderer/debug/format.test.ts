import { describe, expect, it } from 'vitest';
import type { DebugRegisters } from '../../shared/debugApi.js';
import {
  changedRegisters,
  describeLocation,
  hex32,
  keyAction,
  memoryRows,
  parseBytes,
  parseLocation,
  parseValue,
  recordButton,
  reverseBlocked,
  runButtons,
  toggle,
} from './format.js';

describe('parseValue', () => {
  const labels = new Map([
    ['main', 0x1000],
    ['loop', 0x1040],
  ]);
  it('reads hex, decimal, binary and negative numbers as unsigned 32-bit', () => {
    expect(parseValue('0x1F')).toBe(31);
    expect(parseValue('1fh')).toBe(31);
    expect(parseValue('0b101')).toBe(5);
    expect(parseValue(' 4096 ')).toBe(4096);
    expect(parseValue('-1')).toBe(0xffffffff);
    expect(parseValue('-0x10')).toBe(0xfffffff0);
    expect(parseValue('0xffff_ffff')).toBe(0xffffffff);
  });
  it('reads labels with an offset when the program has them', () => {
    expect(parseValue('main', labels)).toBe(0x1000);
    expect(parseValue('loop+8', labels)).toBe(0x1048);
    expect(parseValue('loop - 0x40', labels)).toBe(0x1000);
    expect(parseValue('nope', labels)).toMatch(/no label 'nope'/);
  });
  it('says what is wrong', () => {
    expect(parseValue('')).toMatch(/type a value/);
    expect(parseValue('12z')).toMatch(/'12z' is not a number/);
    expect(parseValue('main')).toMatch(/not a number/);
    expect(parseValue('0x100000000')).toMatch(/does not fit in 32 bits/);
  });
});

describe('parseBytes', () => {
  it('takes spaced, packed and 0x-prefixed bytes', () => {
    expect(parseBytes('de ad BE ef')).toBe('deadbeef');
    expect(parseBytes('0xde,0xad')).toBe('dead');
    expect(parseBytes('41')).toBe('41');
  });
  it('refuses what is not whole hex bytes', () => {
    expect(parseBytes('')).toEqual({ error: expect.stringMatching(/type bytes/) });
    expect(parseBytes('abc')).toEqual({ error: expect.stringMatching(/odd number/) });
    expect(parseBytes('zz')).toEqual({ error: expect.stringMatching(/not hex bytes/) });
  });
});

describe('memoryRows', () => {
  it('lays bytes out as hex and ASCII rows, unreadable bytes blank', () => {
    const rows = memoryRows({ guest: 1, space: 'virtual', address: 0x2000, hex: '48690a00ff41' }, 20, 8);
    expect(rows.map((r) => hex32(r.address))).toEqual(['0x00002000', '0x00002008', '0x00002010']);
    expect(rows[0]!.bytes).toEqual([0x48, 0x69, 0x0a, 0x00, 0xff, 0x41, null, null]);
    expect(rows[0]!.ascii).toBe('Hi...A  ');
    expect(rows[2]!.bytes).toEqual([null, null, null, null, null, null, null, null]);
  });
  it('stops at the first unreadable byte', () => {
    const rows = memoryRows(
      { guest: 1, space: 'physical', address: 0, hex: '01020304', unreadableFrom: 2, reason: 'outside' },
      4,
      4,
    );
    expect(rows[0]!.bytes).toEqual([1, 2, null, null]);
  });
});

describe('changedRegisters', () => {
  const regs = (pc: number, a0: number, status = 0): DebugRegisters => ({
    guest: 1,
    vcpu: 0,
    pc,
    regs: [
      { name: 'r0', abi: 'zero', value: 0 },
      { name: 'r10', abi: 'a0', value: a0 },
    ],
    mode: 'user',
    control: [{ name: 'status', value: status }],
    virt: { technique: 'hardware', stage2Root: 0x10000, vmid: 1 },
  });
  it('names what a step changed', () => {
    expect([...changedRegisters(regs(0x1000, 1), regs(0x1004, 2))].sort()).toEqual(['pc', 'r10']);
    expect([...changedRegisters(regs(0x1000, 1, 0), regs(0x1000, 1, 8))]).toEqual(['status']);
    expect(changedRegisters(regs(0x1000, 1), regs(0x1000, 1)).size).toBe(0);
  });
  it('compares nothing across guests or vCPUs, or without a before', () => {
    expect(changedRegisters(undefined, regs(0, 0)).size).toBe(0);
    expect(changedRegisters({ ...regs(0, 0), vcpu: 1 }, regs(4, 1)).size).toBe(0);
  });
});

describe('breakpoint locations', () => {
  it('reads addresses and file:line, with a condition', () => {
    expect(parseLocation('0x1040')).toEqual({ address: 0x1040 });
    expect(parseLocation('hello.s:12', 'a0 == 3')).toEqual({ file: 'hello.s', line: 12, condition: 'a0 == 3' });
    expect(parseLocation('main', '', new Map([['main', 0x1000]]))).toEqual({ address: 0x1000 });
  });
  it('says what is wrong', () => {
    expect(parseLocation('0x1042')).toMatch(/not 4-aligned/);
    expect(parseLocation('hello.s:0')).toMatch(/lines count from 1/);
    expect(parseLocation('hello:x')).toMatch(/is not file:line/);
  });
  it('describes and toggles', () => {
    expect(describeLocation({ file: 'hello.s', line: 3, resolved: 0x1008 })).toBe('hello.s:3 (0x00001008)');
    expect(describeLocation({ address: 0x10 })).toBe('0x00000010');
    const one = toggle([], { file: 'hello.s', line: 3 });
    expect(one).toEqual([{ file: 'hello.s', line: 3 }]);
    const two = toggle(one, { address: 0x10 });
    expect(two).toHaveLength(2);
    expect(toggle(two, { file: 'hello.s', line: 3, condition: 'x' })).toEqual([{ address: 0x10 }]);
  });
});

describe('keyAction', () => {
  const k = (key: string, shiftKey = false) => ({ key, shiftKey, ctrlKey: false, altKey: false, metaKey: false });
  it('maps VS Code keys', () => {
    expect(keyAction(k('F5'), true)).toBe('continue');
    expect(keyAction(k('F5'), false)).toBe('pause');
    expect(keyAction(k('F6'), false)).toBe('pause');
    expect(keyAction(k('F10'), true)).toBe('over');
    expect(keyAction(k('F11'), true)).toBe('step');
    expect(keyAction(k('F11', true), true)).toBe('out');
    expect(keyAction({ ...k('F5'), ctrlKey: true }, true)).toBeUndefined();
    expect(keyAction(k('a'), true)).toBeUndefined();
  });
});

describe('the reverse buttons', () => {
  it('are off without a recording or a stop, with the reason, and on while recording or replaying', () => {
    expect(reverseBlocked('off', true)).toMatch(/needs a recording: press Record/);
    expect(reverseBlocked('recording', false)).toMatch(/Pause the guest first/);
    expect(reverseBlocked('recording', true)).toBeUndefined();
    expect(reverseBlocked('replay', true)).toBeUndefined();
    // A verified replay opened elsewhere (the Snapshots view) moves back from where it stands.
    expect(reverseBlocked('off', false, true)).toBeUndefined();
  });
  it('in a replay, the steps move it and continue and pause are off (docs/recording.md#step-over-and-out)', () => {
    expect(runButtons(false, true)).toEqual({ continue: false, pause: false, step: true, over: true, out: true });
    expect(runButtons(true, true)).toEqual({ continue: false, pause: false, step: true, over: true, out: true });
    expect(runButtons(true, false)).toEqual({ continue: true, pause: false, step: true, over: true, out: true });
    expect(runButtons(false, false)).toEqual({ continue: false, pause: true, step: false, over: false, out: false });
  });
  it('Record starts, stops, and is off in a replay', () => {
    expect(recordButton('off')).toMatchObject({ label: 'Record', disabled: false });
    expect(recordButton('recording')).toMatchObject({ label: 'Stop recording', disabled: false });
    expect(recordButton('replay')).toMatchObject({ disabled: true, title: expect.stringMatching(/boot or power off/) });
  });
});
