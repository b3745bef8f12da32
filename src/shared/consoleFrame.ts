/**
 * Console output over the web mode's event stream as binary WebSocket frames instead of JSON text
 * (docs/performance.md#console-throughput): a 12-byte header and the console's bytes as they are.
 * A console event's `data` holds one byte per character (0-255), so JSON made the server escape it
 * and the browser decode it as UTF-8 and parse it again, for every 64 KiB batch; the profile of the
 * console-throughput bench put most of the page's time per message there.
 *
 *   offset 0  u8   FRAME_CONSOLE (1)
 *          1  u8   flags: 1 = reset (the console whole: a replay moved)
 *          2  u16  guest, little-endian
 *          4  f64  end, little-endian
 *         12  ...  data, one byte per character
 *
 * Events with a character past 255 (none today) still go as JSON. Pure, used by the web server and
 * the page (client.ts), so it is unit-tested.
 */

export const FRAME_CONSOLE = 1;
const HEADER = 12;

export interface ConsoleFrameEvent {
  type: 'console';
  guest: number;
  data: string;
  end: number;
  reset?: true;
}

/** The frame for a console event, or undefined when it cannot be one (then it goes as JSON). */
export function encodeConsoleFrame(e: ConsoleFrameEvent): Uint8Array | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[^\u0000-\u00ff]/.test(e.data) || e.guest < 0 || e.guest > 0xffff) return undefined;
  const out = new Uint8Array(HEADER + e.data.length);
  const view = new DataView(out.buffer);
  out[0] = FRAME_CONSOLE;
  out[1] = e.reset ? 1 : 0;
  view.setUint16(2, e.guest, true);
  view.setFloat64(4, e.end, true);
  const d = e.data;
  for (let i = 0; i < d.length; i++) out[HEADER + i] = d.charCodeAt(i);
  return out;
}

/**
 * windows-1252 is Latin-1 but for 0x80-0x9F (TextDecoder has no true Latin-1): exact for every
 * frame without those bytes, which are C1 controls and rare; frames with them are decoded by hand.
 */
let cp1252: TextDecoder | undefined;

/** The console event a frame holds; throws a RangeError naming what is wrong with a bad frame. */
export function decodeConsoleFrame(buf: ArrayBuffer | Uint8Array): ConsoleFrameEvent {
  const bytes = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  if (bytes.length < HEADER) throw new RangeError(`console frame: ${bytes.length} bytes, shorter than its header`);
  if (bytes[0] !== FRAME_CONSOLE) throw new RangeError(`console frame: unknown kind ${bytes[0]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const guest = view.getUint16(2, true);
  const end = view.getFloat64(4, true);
  const body = bytes.subarray(HEADER);
  let c1 = false;
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (b >= 0x80 && b <= 0x9f) {
      c1 = true;
      break;
    }
  }
  let data: string;
  if (!c1) data = (cp1252 ??= new TextDecoder('windows-1252')).decode(body);
  else {
    const parts: string[] = [];
    for (let i = 0; i < body.length; i += 8192)
      parts.push(String.fromCharCode(...body.subarray(i, Math.min(body.length, i + 8192))));
    data = parts.join('');
  }
  return { type: 'console', guest, data, end, ...(bytes[1]! & 1 ? { reset: true as const } : {}) };
}
