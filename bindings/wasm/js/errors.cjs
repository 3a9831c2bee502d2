'use strict';
// The one place core errors become JavaScript errors. The core hands over
// its canonical error object (kind, message, ...), already scrubbed of the
// token; this maps it to IdnTotoError, field by field, and nothing else.

const kinds = new Set(['invalid_request', 'api', 'http', 'decode', 'transport', 'outcome_unknown']);

class IdnTotoError extends Error {
  /**
   * @param {object} detail the core's canonical error object
   */
  constructor(detail) {
    super(detail.message);
    Object.defineProperty(this, 'name', { value: 'IdnTotoError', enumerable: false, configurable: true, writable: true });
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
    /** The core's canonical error object (token-free). */
    Object.defineProperty(this, 'detail', { value: detail, enumerable: false });
  }
}

/**
 * The IdnTotoError for a core error object (the `detail` of the wasm
 * `CoreError`, or a driver's `done` error): the one mapping.
 */
function fromDetail(detail) {
  if (detail === null || typeof detail !== 'object' || !kinds.has(detail.kind)) {
    throw new TypeError('idn-toto: unknown error kind from the core');
  }
  return new IdnTotoError(detail);
}

module.exports = { IdnTotoError, fromDetail };
