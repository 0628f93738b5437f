import type { HttpResponse, WebSocket } from 'uWebSockets.js';

/**
 * Upgrades `res` to a WebSocket after an await (the OCPP handshake checks credentials first),
 * without uWS's "writes must be made from within a corked callback" line on stderr and without
 * the bug that the usual `res.cork(() => res.upgrade(…))` runs into.
 *
 * The bug: at the end of `res.cork()`, uWS (every build on npm, up to v20.57; fixed upstream by
 * uWebSockets PR #1929, July 2026) checks whether the corked socket is still this response by
 * address only. When the upgrade's realloc kept the address it reads the new WebSocket's bytes
 * as the response's state and may shut the fresh connection down (seen as 1006 before the
 * station's first message under load, and as shutdown()+close() under strace).
 *
 * The warning: uWS.js prints it to stderr (C++ std::cerr, beyond the logger's reach) for each
 * write made while its own "inside a cork callback" count is zero — once per accepted station
 * when upgrading outside cork(), as the gateway did on uWS 20.30.
 *
 * The way between: cork another open WebSocket of this loop, and upgrade inside `res.cork()`
 * within it. With a socket already corked, `res.cork()` only runs its callback — counted as
 * corked, so no warning — and skips the faulty end-of-cork check. The 101 answer is written
 * straight to the socket, as outside cork(). With no other socket open (the first station of a
 * fresh gateway) it upgrades outside cork() and uWS prints its line that one time.
 */
export function upgradeAfterAwait<T>(
  res: HttpResponse,
  upgrade: () => void,
  anchor: WebSocket<T> | undefined,
): void {
  if (anchor) anchor.cork(() => res.cork(upgrade));
  else upgrade();
}
