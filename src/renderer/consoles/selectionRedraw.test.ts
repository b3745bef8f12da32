import { describe, expect, it } from 'vitest';
import { skipIdleSelectionRedraw } from './selectionRedraw.js';

type Call = [[number, number] | undefined, [number, number] | undefined, boolean];

function fakeTerm() {
  const calls: Call[] = [];
  const service = {
    handleSelectionChanged(start: Call[0], end: Call[1], col: boolean) {
      calls.push([start, end, col]);
    },
  };
  return { term: { _core: { _renderService: service } }, service, calls };
}

describe('skipIdleSelectionRedraw', () => {
  it('skips repeated calls with nothing selected, and lets every selection and its removal through', () => {
    const { term, service, calls } = fakeTerm();
    expect(skipIdleSelectionRedraw(term)).toBe(true);
    const none = () => service.handleSelectionChanged(undefined, undefined, false);
    none(); // the first: unknown what is drawn, so it goes through
    none();
    none();
    expect(calls).toHaveLength(1);
    service.handleSelectionChanged([0, 1], [5, 1], false);
    service.handleSelectionChanged([0, 0], [5, 0], true); // the selection moved with a scroll
    none(); // the highlight goes away
    none();
    expect(calls).toEqual([
      [undefined, undefined, false],
      [[0, 1], [5, 1], false],
      [[0, 0], [5, 0], true],
      [undefined, undefined, false],
    ]);
  });

  it('changes nothing on a terminal without the internals it expects', () => {
    expect(skipIdleSelectionRedraw({})).toBe(false);
    expect(skipIdleSelectionRedraw({ _core: { _renderService: {} } })).toBe(false);
  });
});
