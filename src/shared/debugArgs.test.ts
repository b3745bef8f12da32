/** The debugger's calls are checked like every other (API_ARGS): lists element by element, objects key by key. */
import { describe, expect, it } from 'vitest';
import { checkArgs } from './api.js';

describe('debugger argument checks', () => {
  it('accepts well-formed calls', () => {
    expect(checkArgs('debugStep', [1, 0, 'over'])).toBeUndefined();
    expect(
      checkArgs('debugSetBreakpoints', [
        1,
        [{ file: 'count.s', line: 8, condition: 's0 == 3' }, { address: 0x400000 }],
      ]),
    ).toBeUndefined();
    expect(
      checkArgs('debugSetWatchpoints', [1, [{ address: 0x100, length: 4, access: 'write', space: 'virtual' }]]),
    ).toBeUndefined();
    expect(checkArgs('debugSetTrapBreaks', [1, ['SYSCALL', 'PAGE_FAULT_LOAD']])).toBeUndefined();
    expect(checkArgs('debugDeploy', [1, 'count.s', 'nop', true])).toBeUndefined();
    expect(checkArgs('debugSetRegister', [1, 0, 'a0', -1])).toBeUndefined();
    expect(checkArgs('debugStack', [1, 0])).toBeUndefined();
  });

  it('says which element and which key is wrong', () => {
    expect(checkArgs('debugStep', [1, 0, 'sideways'])).toMatch(/^debugStep\(\): kind has characters/);
    expect(checkArgs('debugSetBreakpoints', [1, [{ line: 3 }, { line: 0 }]])).toBe(
      'debugSetBreakpoints(): list [1]: breakpoint .line must be 1..1000000, got 0',
    );
    expect(checkArgs('debugSetBreakpoints', [1, [{ adress: 4 }]])).toMatch(/has a key it may not have \(adress\)/);
    expect(checkArgs('debugSetBreakpoints', [1, { address: 4 }])).toMatch(/list must be a list/);
    expect(checkArgs('debugSetWatchpoints', [1, [{ address: 0x100, length: 4, access: 'write' }]])).toMatch(
      /needs space/,
    );
    expect(
      checkArgs('debugSetWatchpoints', [1, [{ address: 0x100, length: 5000, access: 'write', space: 'virtual' }]]),
    ).toMatch(/length must be 1\.\.4096/);
    expect(checkArgs('debugSetTrapBreaks', [1, new Array(33).fill('SYSCALL')])).toMatch(/too many items \(33 > 32\)/);
    expect(checkArgs('debugDeploy', [1, 'count.s', 'nop', 'yes'])).toMatch(/stopOnEntry must be true or false/);
    expect(checkArgs('debugReadMemory', [1, 'physical', 0x1_0000_0000, 4])).toMatch(/address must be 0\.\.4294967295/);
    expect(checkArgs('debugWriteMemory', [1, 'physical', 0, 'abc'])).toMatch(/hex has characters/);
    expect(checkArgs('debugStack', [1, 256])).toMatch(/^debugStack\(\): vcpu must be 0\.\.255, got 256/);
  });

  it("takes seekTo's pc as an optional last argument (docs/recording.md#points)", () => {
    expect(checkArgs('seekTo', [1, 0, 500])).toBeUndefined();
    expect(checkArgs('seekTo', [1, 0, 500, 0x400000])).toBeUndefined();
    expect(checkArgs('seekTo', [1, 0, 500, null])).toBeUndefined();
    expect(checkArgs('seekTo', [1, 0])).toBe('seekTo() takes 3..4 argument(s), got 2');
    expect(checkArgs('seekTo', [1, 0, 500, 4, 5])).toBe('seekTo() takes 3..4 argument(s), got 5');
    expect(checkArgs('seekTo', [1, 0, 500, -4])).toMatch(/^seekTo\(\): pc must be 0\.\.4294967295/);
  });

  it("takes a replay step's kind as an optional last argument (docs/recording.md#step-over-and-out)", () => {
    for (const op of ['reverseStep', 'forwardStep']) {
      expect(checkArgs(op, [1, 0])).toBeUndefined();
      for (const kind of ['instruction', 'over', 'out']) expect(checkArgs(op, [1, 0, kind])).toBeUndefined();
      expect(checkArgs(op, [1, 0, 'sideways'])).toMatch(new RegExp(`^${op}\\(\\): kind has characters`));
      expect(checkArgs(op, [1, 0, 2])).toBe(`${op}(): kind must be a string`);
      expect(checkArgs(op, [1])).toBe(`${op}() takes 2..3 argument(s), got 1`);
    }
  });
});
