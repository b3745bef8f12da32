import { describe, expect, it } from 'vitest';
import { CSRS, OPCODES } from '../../shared/isa/index.js';
import { createHost } from './host.js';

describe('host API', () => {
  it('describes the app and counts the ISA from the opcode table', async () => {
    const info = await createHost('web').info();
    expect(info).toEqual({
      name: 'hyperdesk',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      isa: { opcodes: OPCODES.length, csrs: CSRS.length },
      mode: 'web',
    });
    expect(info.isa.opcodes).toBeGreaterThan(0);
    expect(info.isa.csrs).toBeGreaterThan(0);
  });

  it('hands out copies, so a caller cannot change what the next one sees', async () => {
    const host = createHost('electron');
    const first = await host.info();
    first.isa.opcodes = -1;
    expect((await host.info()).isa.opcodes).toBe(OPCODES.length);
  });
});
