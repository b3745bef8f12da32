/**
 * A console kept across a page reload (docs/app.md#consoles): when the page goes away each terminal
 * saves its screen and scrollback with xterm's serialize addon (escape sequences that draw it again,
 * colours and cursor included) into the tab's sessionStorage, with the byte count `end` it shows up
 * to and the last bytes it wrote. The reloaded page draws that, then only the host's bytes past `end`
 * (history.ts splices the live events after). What the terminal showed is what it shows again, a
 * Clear included, instead of the host's last 256 KiB written again from its start.
 *
 * The saved screen is used only when the host's history still holds the bytes just before `end` and
 * they are the saved ones: a machine booted again, or a console that moved on further than the
 * host's history reaches, gets the host's history as before. Pure (no DOM), so it is unit-tested.
 */

export interface SavedConsole {
  v: 1;
  /** The guest's name when saved (a different guest with the same id is not resumed). */
  name: string;
  /** The byte count of the guest's console the terminal showed up to. */
  end: number;
  /** The last bytes written to the terminal (at most SAVED_TAIL), to check against the host. */
  tail: string;
  /** SerializeAddon.serialize(): writing it to a fresh terminal draws the saved one. */
  screen: string;
  cols: number;
  rows: number;
}

/** Bytes of the tail kept to recognise the place in the host's history. */
export const SAVED_TAIL = 256;
/** Characters of one saved screen (sessionStorage holds about 5 million per page origin). */
export const MAX_SAVED_CHARS = 512 * 1024;
/** Rows of scrollback tried in turn until the saved screen fits MAX_SAVED_CHARS. */
export const SAVED_SCROLLBACK = [5000, 1000, 200] as const;

export function savedKey(guest: number): string {
  return `hyperdesk.console.${guest}`;
}

/** A saved console read back from storage, or undefined when it is not one (never throws). */
export function parseSaved(text: string | null): SavedConsole | undefined {
  if (!text) return undefined;
  try {
    const s = JSON.parse(text) as Partial<SavedConsole>;
    if (
      s?.v !== 1 ||
      typeof s.name !== 'string' ||
      typeof s.end !== 'number' ||
      typeof s.tail !== 'string' ||
      typeof s.screen !== 'string' ||
      typeof s.cols !== 'number' ||
      typeof s.rows !== 'number'
    )
      return undefined;
    return s as SavedConsole;
  } catch {
    return undefined;
  }
}

/**
 * How a reloaded terminal resumes: the saved screen and the history's bytes past the saved `end`,
 * or undefined when the saved screen is not this console's past (then the history is used whole).
 */
export function resume(
  saved: SavedConsole | undefined,
  name: string,
  history: { data: string; end: number },
): { screen: string; rest: string } | undefined {
  if (!saved || saved.name !== name) return undefined;
  if (saved.end > history.end) return undefined; // another machine (its console is shorter)
  const start = history.end - history.data.length;
  const at = saved.end - start; // where the saved end falls in the history's text
  if (at < 0) return undefined; // the history no longer reaches back there: the bytes between are lost
  // The history's bytes just before the saved end must be the ones the terminal wrote last.
  const n = Math.min(saved.tail.length, at);
  if (n === 0 && saved.end > 0) return undefined; // nothing to check it by
  if (history.data.slice(at - n, at) !== saved.tail.slice(saved.tail.length - n)) return undefined;
  return { screen: saved.screen, rest: history.data.slice(at) };
}
