// A scripted transport for the client tests, and a dispatcher that counts.

import { Agent } from 'undici';

/**
 * A fake transport replaying `answers` (functions of (request, init), or
 * values; the last one repeats) and recording the requests it was given.
 */
export function fake(...answers) {
  const seen = [];
  const transport = async (request, init) => {
    seen.push(request);
    const a = answers[Math.min(seen.length - 1, answers.length - 1)];
    return typeof a === 'function' ? a(request, init) : a;
  };
  return { seen, transport };
}

/** An undici `Agent` counting the requests dispatched through it (`dispatched`). */
export class RecordingDispatcher extends Agent {
  dispatched = 0;

  dispatch(options, handler) {
    this.dispatched += 1;
    return super.dispatch(options, handler);
  }
}
