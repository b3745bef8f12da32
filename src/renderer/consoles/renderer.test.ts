import { describe, expect, it } from 'vitest';
import { chooseRenderer, isSoftwareGpu } from './renderer.js';

const GPU = { webgl2: true, gpu: 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)' };
const SWIFTSHADER = {
  webgl2: true,
  gpu: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
};
const NONE = { webgl2: false };

describe('console renderer choice', () => {
  it('auto takes WebGL on a hardware GPU and DOM on software WebGL or none', () => {
    expect(chooseRenderer('auto', GPU, false).renderer).toBe('webgl');
    const soft = chooseRenderer('auto', SWIFTSHADER, false);
    expect(soft.renderer).toBe('dom');
    expect(soft.why).toMatch(/software/);
    expect(chooseRenderer('auto', NONE, false)).toEqual({
      renderer: 'dom',
      why: 'DOM renderer: this browser has no WebGL2',
    });
    // A browser that hides the GPU's name is taken as hardware.
    expect(chooseRenderer('auto', { webgl2: true }, false).renderer).toBe('webgl');
  });

  it('webgl is honoured wherever WebGL2 exists, even in software, and falls back without it', () => {
    expect(chooseRenderer('webgl', SWIFTSHADER, false).renderer).toBe('webgl');
    expect(chooseRenderer('webgl', GPU, false).why).toContain('GeForce');
    expect(chooseRenderer('webgl', NONE, false).renderer).toBe('dom');
  });

  it('a lost context means DOM for that console; dom is always DOM', () => {
    const lost = chooseRenderer('webgl', GPU, true);
    expect(lost).toEqual({ renderer: 'dom', why: 'DOM renderer: the WebGL context was lost' });
    expect(chooseRenderer('auto', GPU, true).renderer).toBe('dom');
    expect(chooseRenderer('dom', GPU, false).renderer).toBe('dom');
  });

  it('knows the software implementations by name', () => {
    expect(isSoftwareGpu(SWIFTSHADER.gpu)).toBe(true);
    expect(isSoftwareGpu('llvmpipe (LLVM 15.0.7, 256 bits)')).toBe(true);
    expect(isSoftwareGpu('Microsoft Basic Render Driver')).toBe(true);
    expect(isSoftwareGpu(GPU.gpu)).toBe(false);
    expect(isSoftwareGpu('Apple M2')).toBe(false);
    expect(isSoftwareGpu(undefined)).toBe(false);
  });
});
