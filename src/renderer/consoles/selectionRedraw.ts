/**
 * xterm.js 6.0.0 redraws every row twice per frame while output scrolls, and this takes one of the
 * two away (docs/performance.md#console-throughput). Each line that scrolls the buffer makes the
 * terminal ask its selection service to refresh (CoreBrowserTerminal: `onScroll` ->
 * `selectionService.refresh()`), which once per frame calls the renderer's
 * `handleSelectionChanged`, and the DOM renderer answers that by rendering all rows again, on top of
 * the frame's own render. With nothing selected, and nothing selected at the last call either, the
 * rows are already right: that call is skipped here. Any call with a selection, and the first one
 * without after it (which takes the highlight away), go through as before.
 *
 * This reaches into xterm's internals (`_core._renderService`), which its public API does not
 * offer: xterm is pinned at 6.0.0 (package.json), and when the shape is not there (another
 * version) nothing is changed. The profile of the console-throughput bench put this second render
 * at about twice the frame's own (567 ms against 298 ms of 20 MB's).
 */

type SelectionChanged = (
  start: [number, number] | undefined,
  end: [number, number] | undefined,
  columnSelectMode: boolean,
) => void;

interface RenderServiceLike {
  handleSelectionChanged: SelectionChanged;
}

/** Installs the skip on `term` (an xterm Terminal); returns whether it could. */
export function skipIdleSelectionRedraw(term: object): boolean {
  const core = (term as { _core?: { _renderService?: RenderServiceLike } })._core;
  const service = core?._renderService;
  if (!service || typeof service.handleSelectionChanged !== 'function') return false;
  const original = service.handleSelectionChanged.bind(service);
  // Unknown at first: the first call goes through.
  let shown = true;
  service.handleSelectionChanged = (start, end, columnSelectMode) => {
    const selected = start !== undefined && end !== undefined;
    if (!selected && !shown) return;
    shown = selected;
    original(start, end, columnSelectMode);
  };
  return true;
}
