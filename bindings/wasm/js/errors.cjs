'use strict';
// The one place core errors become JavaScript errors. The core hands over
// its canonical error object (kind, message, ...), already scrubbed of the
// token; this maps it to IdnTotoError, field by field, and nothing else.

class IdnTotoError extends Error {
  /**
   * @param {object} detail the core's canonical error object
   */
  constructor(detail) {
    super(detail.message);
    Object.defineProperty(this, 'name', { value: new.target.name, enumerable: false, configurable: true, writable: true });
    this.kind = detail.kind;
    const cause = detail.cause === undefined ? undefined : new IdnTotoError(detail.cause);
    if (detail.api_kind !== undefined) this.apiKind = detail.api_kind;
    if (detail.server_message !== undefined) this.serverMessage = detail.server_message;
    // status and path also read through an outcome_unknown to its cause,
    // as the core's Error::status() and Error::path() do.
    const status = detail.status !== undefined ? detail.status : cause && cause.status;
    if (status !== undefined) this.status = status;
    if (detail.excerpt !== undefined) this.excerpt = detail.excerpt;
    if (detail.field !== undefined) this.field = detail.field;
    const path = detail.path !== undefined ? detail.path : cause && cause.path;
    if (path !== undefined) this.path = path;
    if (detail.reason !== undefined) this.reason = detail.reason;
    if (cause !== undefined) this.cause = cause;
    // An outcome_unknown of a client call: what settling it needs (the
    // core's Unsettled: endpoint, canonical params, snapshot; never the token).
    if (detail.unsettled !== undefined) this.unsettled = detail.unsettled;
    // key_in_use, key_conflict: the operation key (scrubbed of the token by the core).
    if (detail.key !== undefined) this.key = detail.key;
    /** The core's canonical error object (token-free). */
    Object.defineProperty(this, 'detail', { value: detail, enumerable: false });
  }
}

/**
 * `key_in_use`: another live process holds the money move's operation key
 * (its claim runs until `leaseUntilMs`, Unix milliseconds); nothing was sent.
 */
class KeyInUseError extends IdnTotoError {
  constructor(detail) {
    super(detail);
    this.leaseUntilMs = detail.lease_until_ms;
  }
}

/**
 * `key_conflict`: the operation key was used for another money move (another
 * user, amount, type, transaction or action: `reason` says which); nothing
 * was sent.
 */
class KeyConflictError extends IdnTotoError {}

/** The class of each error kind the core has: the whole, closed list. */
const CLASSES = new Map([
  ['invalid_request', IdnTotoError],
  ['api', IdnTotoError],
  ['http', IdnTotoError],
  ['decode', IdnTotoError],
  ['transport', IdnTotoError],
  ['outcome_unknown', IdnTotoError],
  ['key_in_use', KeyInUseError],
  ['key_conflict', KeyConflictError],
]);

/**
 * The IdnTotoError for a core error object (the `detail` of the wasm
 * `CoreError`, or a driver's `done` error): the one mapping.
 */
function fromDetail(detail) {
  const Class = detail !== null && typeof detail === 'object' ? CLASSES.get(detail.kind) : undefined;
  if (Class === undefined) throw new TypeError('idn-toto: unknown error kind from the core');
  return new Class(detail);
}

module.exports = { IdnTotoError, KeyInUseError, KeyConflictError, fromDetail };
