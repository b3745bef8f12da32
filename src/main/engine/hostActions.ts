/**
 * Host actions of other parts that a recording logs and a replay applies by name
 * (docs/recording.md#what-comes-from-outside). A module of its own, importing only a type, so the
 * parts that register actions (debugging.ts) and the replay that applies them do not import each
 * other in a cycle.
 */
import type { Session } from './Session.js';

/** Applies one logged action to the replay's session; a string says why it could not. */
export type HostActionHandler = (session: Session, args: unknown[]) => string | undefined;
export const HOST_ACTIONS = new Map<string, HostActionHandler>();
