/**
 * Which renderer draws a console (docs/performance.md#console-throughput, docs/app.md#settings):
 * xterm.js's DOM renderer or its WebGL addon. The choice is pure (chooseRenderer) so that it is
 * tested; the probe of what the browser offers (probeWebgl) is the only part that needs a page.
 *
 * `auto` takes WebGL only on a hardware GPU: a software WebGL (SwiftShader, llvmpipe: what headless
 * Chromium with --disable-gpu and machines without a GPU driver get) draws on the CPU, and on this
 * project's bench it was not faster than the DOM renderer (docs/performance.md#console-throughput).
 */

export type ConsoleRenderer = 'auto' | 'webgl' | 'dom';

export const CONSOLE_RENDERERS: readonly ConsoleRenderer[] = ['auto', 'webgl', 'dom'];

/** What the browser offers: WebGL2 at all, and the name of the GPU (or software) behind it. */
export interface WebglProbe {
  webgl2: boolean;
  /** UNMASKED_RENDERER_WEBGL when the browser tells it, else RENDERER. */
  gpu?: string;
}

export interface RendererChoice {
  renderer: 'webgl' | 'dom';
  /** Why, in words for a tooltip. */
  why: string;
}

/** Names of WebGL implementations that draw on the CPU. */
const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render driver|mesa offscreen/i;

export function isSoftwareGpu(gpu: string | undefined): boolean {
  return gpu !== undefined && SOFTWARE.test(gpu);
}

/**
 * The renderer for a console given the setting, what the browser offers, and whether this console's
 * WebGL context was lost already (then DOM until the page reloads: a lost context tends to be lost
 * again, e.g. a GPU reset or too many contexts).
 */
export function chooseRenderer(setting: ConsoleRenderer, probe: WebglProbe, contextLost: boolean): RendererChoice {
  if (setting === 'dom') return { renderer: 'dom', why: 'DOM renderer (set in Settings)' };
  if (contextLost) return { renderer: 'dom', why: 'DOM renderer: the WebGL context was lost' };
  if (!probe.webgl2) return { renderer: 'dom', why: 'DOM renderer: this browser has no WebGL2' };
  const on = probe.gpu ? ` on ${probe.gpu}` : '';
  if (setting === 'webgl') return { renderer: 'webgl', why: `WebGL renderer${on} (set in Settings)` };
  if (isSoftwareGpu(probe.gpu)) {
    return { renderer: 'dom', why: `DOM renderer: WebGL here is software${on}, not faster (auto)` };
  }
  return { renderer: 'webgl', why: `WebGL renderer${on} (auto: a hardware GPU)` };
}

let probed: WebglProbe | undefined;

/** Asks the browser once per page (a throwaway canvas; its context is released at once). */
export function probeWebgl(): WebglProbe {
  if (probed) return probed;
  probed = { webgl2: false };
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (gl) {
      const info = gl.getExtension('WEBGL_debug_renderer_info');
      const gpu: unknown = gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
      probed = { webgl2: true, gpu: typeof gpu === 'string' ? gpu : undefined };
      gl.getExtension('WEBGL_lose_context')?.loseContext();
    }
  } catch {
    // A browser that throws here has no usable WebGL2: DOM.
  }
  return probed;
}
