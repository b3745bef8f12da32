export * from './opcodes.js';
export * from './csrs.js';
export * from './registers.js';
export * from './encoding.js';
export * from './disasm.js';
export * from './memoryMap.js';
