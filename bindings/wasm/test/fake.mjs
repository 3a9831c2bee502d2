// A scripted transport for the client tests.

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
