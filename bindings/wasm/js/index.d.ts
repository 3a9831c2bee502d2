// Declarations of the JavaScript layer (js/index.cjs). Every data shape it
// names (responses, parameters, outcomes, the per-endpoint method
// signatures) is generated from the Rust core into ./types.d.ts.

import type {
    ApiErrorKind,
    DateTimeString,
    DecimalString,
    PendingTransaction,
    TransactionList,
    EndpointId,
    EndpointMethods,
    EndpointParam,
    EndpointParams,
    EndpointRequests,
    EndpointResponses,
    ErrorKind,
    ItemOutcome,
    JournalFlag,
    MoneyMoveOptions,
    RequestDescriptor,
    KeyedBatchItem,
    Snapshot,
    TxType,
} from "./types";

export * from "./types";

import type { Agent } from "node:http";

/** What a transport resolves to: the HTTP status, the response headers (optional) and the raw body. */
export interface TransportResponse {
    status: number;
    /**
     * The response headers: a `Headers` (fetch's `response.headers`), a plain
     * object (node:http's `response.headers`: an array value, as
     * `set-cookie`'s, is one header per element) or `[name, value]` pairs.
     * Hand over every header as received (repeated ones as separate pairs, or
     * joined with `, `): the core reads `Retry-After` from them and decides
     * whether the answer is whole (`Content-Length`, `Transfer-Encoding`,
     * `Content-Encoding`: a body your transport content-decoded keeps its
     * `Content-Encoding` header here). Never a `1xx` status.
     */
    headers?:
        | Headers
        | Readonly<Record<string, string | readonly string[] | undefined>>
        | Iterable<readonly [string, string]>;
    body: string | Uint8Array;
}

/** What a transport is given besides the request. */
export interface TransportInit {
    /** Aborts at the client's timeout, or when the call's `signal` aborts. */
    signal: AbortSignal;
    /** The client's limit; a transport may stop reading one byte past it. */
    maxBodySize: number;
    /** The client's `dispatcher` (the fetch transport passes it to `fetch`). */
    dispatcher?: object;
    /** The client's `agent` (the default transport sends through it). */
    agent?: Agent;
}

/**
 * Sends one request. Throw (or reject) on a network failure: the client turns
 * it into a `transport` error, or `outcome_unknown` for money-moving requests.
 */
export type Transport = (request: RequestDescriptor, init: TransportInit) => Promise<TransportResponse>;

/**
 * One step of a call, batch, paging run or settlement, as the core reports
 * it: given to `onEvent` and published on the `diagnostics_channel` channel
 * `idn-toto:event`. Never holds the token; a body only with `logBodies`.
 */
export interface ClientEvent {
    /**
     * `attempt` (a request leaves), `response`, `transport_failure`, `retry` (a
     * wait before the next attempt), `done`, or `journal_failure` (a journal
     * line after the request could not be written: `errorKind` `journal`).
     */
    kind: "attempt" | "response" | "transport_failure" | "retry" | "done" | "journal_failure";
    endpoint: EndpointId;
    method: "GET" | "POST";
    /** The request's URL, token shown as `***`. */
    url: string;
    /** 0 for the first send of a request. */
    attempt: number;
    /** `response` (and `done` when it ended on an answer): the HTTP status. */
    status?: number;
    /** `response` / `transport_failure`: that attempt; `done`: the whole call, waits included. */
    elapsedMs?: number;
    /** `retry`: the wait before the next attempt (the server's `Retry-After` when it gave one, capped). */
    delayMs?: number;
    /** When the step failed: the error kind (`http`, `api`, `decode`, `transport`, `outcome_unknown`; `journal` on `journal_failure`). */
    errorKind?: ErrorKind | "journal";
    /** `response` with `logBodies: true`: the body, token scrubbed, at most 4096 characters. */
    body?: string;
}

/** What `client.withOptions` may change. */
export interface CallOptions {
    /** Per attempt (see `ClientConfig.timeoutMs`). */
    timeoutMs?: number;
    /** How many times a read may be sent again (see `ClientConfig.retries`). */
    retries?: number;
    /**
     * Aborting ends the call at once: a wait is cut short and nothing more is
     * sent. A read rejects with a `transport` error, a money move already sent
     * with `outcome_unknown` (settle it); a call whose signal was aborted
     * before it began rejects with the signal's reason, having sent nothing.
     */
    signal?: AbortSignal;
}

/** The path words the spec contradicts itself about (see the core's `PathWords`). */
export interface PathWords {
    /** Manual deposit type word (default `depo`; the spec's example URL uses `dps`). */
    manual_deposit?: string;
    /** Manual withdraw type word (default `wd`). */
    manual_withdraw?: string;
    /** Full transaction path word (default `full_transaction`; the template says `full_transction`). */
    full_transaction?: string;
    /** Path after the token for bulk manual deposits (default `MANUAL/depo`). */
    bulk_manual_deposit?: string;
    /** Path after the token for bulk manual withdrawals (default `MANUAL/wd`). */
    bulk_manual_withdraw?: string;
    /** Query key of the transaction list's account-name filter (default `name`). */
    name_query_key?: string;
}

export interface ClientConfig {
    /**
     * `https://<agent host>/home.php` (no query, no credentials, no backslash;
     * read with the WHATWG rules). Plain `http://` only to a loopback host
     * (`127.0.0.0/8`, `[::1]`, `localhost`) unless `allowInsecureHttp`.
     */
    baseUrl: string;
    /** The API token. It never appears in an error message, stack or printed request. */
    token: string;
    /**
     * Sends requests. Default: `node:http` / `node:https` (by the URL's
     * protocol): reads through a keep-alive agent of the client's own (shared
     * by its `withOptions` clients), each money move on a new connection; or
     * everything through `agent`; the global `fetch` when the
     * client has a `dispatcher` or the runtime has no `node:http`. No
     * redirect is followed (a 3xx is the answer).
     */
    transport?: Transport;
    /**
     * An `http.Agent` / `https.Agent` (or any Agent-like object, such as a
     * proxy agent) the default transport sends through instead of its own:
     * a private CA or client certificate (`new https.Agent({ ca })`), other
     * pool limits. Reads go through it; money moves through an agent of the
     * same class and options that keeps no connection (a new one each), or,
     * for an agent that is not a plain `http.Agent` / `https.Agent` (a proxy
     * agent), through it with `Connection: close`. Its protocol must be the
     * base URL's. Custom transports receive it in `init`. Not with
     * `dispatcher` (that one is for `fetch`).
     */
    agent?: Agent;
    /**
     * An undici `Dispatcher`: with it the client sends with the global
     * `fetch` through it: a `ProxyAgent` for an IP-whitelisted egress proxy,
     * or an `Agent` with TLS options (`connect: { ca, cert, key }`). Each
     * money move goes through it on a connection of its own (a pool of the
     * dispatcher's that only money moves use, each connection closed after
     * its answer); a `MockAgent` gets them as they are. Custom transports
     * receive it in `init`.
     */
    dispatcher?: object;
    /** Called with every event (a throwing hook is ignored). */
    onEvent?: (event: ClientEvent) => void;
    /** Put the (scrubbed, cut) response body on `response` events (default false). */
    logBodies?: boolean;
    /** Aborts every call of this client (usually given per call: `withOptions({ signal })`). */
    signal?: AbortSignal;
    /**
     * Per attempt, a total deadline (headers and body); default 30000. A
     * timeout on a money-moving request rejects with `outcome_unknown`. A
     * positive number of milliseconds, at most 2147483647 (what a timer
     * holds); anything else is a `TypeError` when the client is made.
     */
    timeoutMs?: number;
    /**
     * How many times a read may be sent again after a network error, timeout,
     * HTTP 5xx or 429 (the core decides; money-moving requests never are).
     * A 429 or 503 with `Retry-After` (seconds or an HTTP date) waits that
     * long, at most `retryMaxDelayMs`. Default 2; 0 disables.
     */
    retries?: number;
    /** First retry delay, doubled per retry (default 200; whole milliseconds, 0 to 2147483647). */
    retryBaseDelayMs?: number;
    /** Longest retry delay (default 5000; whole milliseconds, 0 to 2147483647). */
    retryMaxDelayMs?: number;
    /** Overrides of the ambiguous path words. */
    pathWords?: PathWords;
    /**
     * Allow a plain `http://` base URL to a host that is not loopback. Off by
     * default: the token travels in the URL path.
     */
    allowInsecureHttp?: boolean;
    /**
     * The largest body read, in bytes (default 64 MiB): the default transport
     * stops reading one byte past it, and a larger body is a `decode` error at
     * `$` (`outcome_unknown` for a money-moving request) before any parsing.
     */
    maxBodySize?: number;
    /**
     * The most pages one `iter*` iteration reads (default 10000); past it the
     * iterator throws a `decode` error at `page`.
     */
    maxPages?: number;
    /**
     * Where every money move is recorded (default none): an `intent` line,
     * synced to disk before the request leaves, and its `outcome` after;
     * `settle` adds `settled` lines. See `unsettled()` after a crash. An
     * intent that can't be written stops the move before it is sent
     * (`invalid_request` at `journal`; a batch's unsent items `not_sent`); a
     * later line that can't be written leaves the result standing, flagged
     * `journalUnwritten`, with a process warning (code `IDN_TOTO_JOURNAL`).
     * Operation keys (`{ key }`, a batch item's `key`) are kept here too: a
     * `FileJournal` for one process at a time, a `SqliteJournal` for the
     * processes of one machine, a `PostgresJournal` for several machines.
     */
    journal?: Journal;
    /**
     * How long a keyed move's claim keeps other processes out of its key
     * (default 300000: ten timeouts; the core's default). After it runs out
     * (a crashed holder), the next run settles the key's open move with
     * reads only before it sends anything. A positive whole number of
     * milliseconds.
     */
    keyLeaseMs?: number;
    /**
     * How long `settle` waits before its first read, so that a request still
     * in flight on the server lands first (default 5000; 0 in tests; whole
     * milliseconds, at most 2147483647).
     */
    settleDelayMs?: number;
    /**
     * Before a manual transaction (single or bulk), read the user's history
     * of that type, one read per distinct user, so a lost answer can be
     * settled (default true). With `false` a lost manual answer settles
     * `undetermined`. If a read fails the money move is not sent (a single
     * call rejects with the read's error; batch items are `not_sent`).
     */
    snapshots?: boolean;
}

/** What settling an unknown outcome needs: the money move's canonical params and, for a manual one, the snapshot. Never the token. */
export interface Unsettled {
    endpoint: "accept_reject" | "manual_transaction" | "multiple_transaction";
    /** The item's canonical parameters, `type` included. */
    params: Record<string, string>;
    /** The user's history read before a manual move was sent. */
    snapshot?: Snapshot;
    /** The server the move was sent to (a fingerprint of the base URL and token, never the token); settling with a client of another server is refused. Absent only in what older versions wrote. */
    server?: string;
    /** The move's journal id, when it was journaled. */
    journal_id?: string;
    /** The operation key it was sent under, when it had one: settling it with a journal names the key on its `settled` line, so the key's record takes the verdict. */
    key?: string;
}

/** `applied`: the server shows the effect; `not_applied`: it shows it did not happen (safe to send again); `undetermined`: the reads can't tell. */
export type SettleState = "applied" | "not_applied" | "undetermined";

/** What one read showed about the move: `rejected` on an accept means the deposit or withdrawal was most likely rejected by someone else, not credited or debited (the verdict is still `applied`: do not send again). */
export type EvidenceKind = "pending" | "processed" | "accepted" | "rejected" | "no_entry" | "unclear" | "failed";

/** One read settling made, and what it showed. */
export interface Evidence {
    endpoint: EndpointId;
    /** The read's URL, token redacted. */
    url: string;
    /** What it showed about the move, as a closed set. */
    kind: EvidenceKind;
    /** What it showed, in words. */
    showed: string;
    /** What it showed, as data. */
    data: unknown;
}

/** What settling found. */
export interface Settlement {
    state: SettleState;
    /** Why, in words. */
    reason: string;
    evidence: Evidence[];
    /** What could not be checked (a move that names no server). */
    warnings?: string[];
    /** The journal id of the move settled, when it was journaled. */
    journal_id?: string;
}

/** A money move the journal leaves without a definite state. */
export interface OpenMove extends Unsettled {
    /** The item's journal id. */
    id: string;
    /** The last word on it: `intent` (no outcome: the process stopped with the request in flight), `unknown` or `undetermined`. */
    last: "intent" | "unknown" | "undetermined";
}

/** A batch item's outcome, with its journal id when the client has a journal. */
export type JournaledOutcome = ItemOutcome & { journal_id?: string };

/**
 * What the client does with a journal: `append` each line the core makes,
 * `read` it back (`unsettled`, `settleUnsettled`), `open` it first when it
 * can, and `claim` operation keys. Each may answer at once or with a
 * promise (the client awaits it). `FileJournal`, `SqliteJournal` and
 * `PostgresJournal` are the package's.
 */
export interface Journal {
    /** Writes one line (one journal record and its newline) durably before it returns. */
    append(line: string): void | Promise<void>;
    /** Every line as JSON Lines text. */
    read(): string | Promise<string>;
    /** Opens the journal for writing now (what `settleUnsettled` does before any read). */
    open?(): void | Promise<void>;
    /**
     * Runs a keyed move's claim as one step of the store (a transaction, or
     * a file under this process's lock): read the key's record, ask
     * `claim.decide` (or `claim.decideInJournal`), write what the answer's
     * `write` says, and return the answer. Without it, keys are refused.
     */
    claim?(claim: KeyClaim, nowMs: number): ClaimAnswer | Promise<ClaimAnswer>;
    /** Every line as JSON Lines text (`idn-toto journal export`). */
    export?(): string | Promise<string>;
}

/**
 * A keyed money move to claim: what the client hands a journal's `claim`.
 * The decision is the core's; the journal only reads and writes.
 */
export interface KeyClaim {
    /** The operation key. */
    readonly key: string;
    /** The server it is scoped to: the client's fingerprint (never the token). */
    readonly server: string;
    /** The move's journal id. */
    readonly journalId: string;
    /** Who claims (the run's journal id). */
    readonly holder: string;
    /** How long the claim keeps others out, in milliseconds. */
    readonly leaseMs: number;
    /** The move's intent line (ends in a newline): written with the claim, never alone. */
    readonly intentLine: string;
    /** Decides against the key's record as a store holds it (JSON text; `undefined` when the key has none). */
    decide(record: string | undefined, nowMs: number): ClaimAnswer;
    /** Decides against a whole JSON Lines journal, with this process's own claim of the key (holder, lease end) when it has one. */
    decideInJournal(text: string, heldHolder: string | undefined, heldUntilMs: number | undefined, nowMs: number): ClaimAnswer;
}

/** What a claim writes, when the core's decision is `claim`. */
export interface ClaimWrite {
    /** The intent line, for a JSON Lines file. */
    line: string;
    /** The SQL `upsert` statement's parameters: server, key, state, record (JSON text). */
    upsert: [string, string, string, string];
    /** The SQL `append` statement's parameters: server, journal id, key, line. */
    append: [string, string, string, string];
    /** Until when (Unix milliseconds) the claim keeps others out. */
    leaseUntilMs: number;
}

/** The core's answer to a claim: what the journal returns from `claim`. */
export interface ClaimAnswer {
    readonly decision: "claim" | "already_done" | "key_in_use" | "key_conflict" | "settle" | "outcome_unknown";
    /** On `claim`: what to write before committing. */
    readonly write: ClaimWrite | undefined;
    /** The journal-id prefix of the batch whose lines refine the answer (a SQL store reads them and calls `refine`). */
    readonly batchToRefine: string | undefined;
    /** Refines the answer by those lines (JSON Lines text). */
    refine(text: string): void;
    /** Lets go of an answer that will not be returned (a write failed). */
    free(): void;
}

/**
 * An append-only JSON Lines file, opened once, never through a symbolic
 * link, a regular file created 0600. The core checks the whole file before
 * the first append and after a failed one: a file no tool could read back
 * refuses every append (`invalid_request` at `journal`, naming the line); a
 * line torn by a crash or a full disk is cut, never completed. Each line is
 * written with one write call and synced (fsync) before `append` returns.
 * It never holds the token. Operation keys are claimed in it with this
 * object's own claims kept in memory (a file keeps no lease): keys hold
 * for one process at a time, through one `FileJournal` object (share it
 * between clients); processes sharing keys use `SqliteJournal` or
 * `PostgresJournal`.
 */
export declare class FileJournal implements Journal {
    constructor(path: string);
    readonly path: string;
    /** Opens the file for appending and has it checked now (what `settleUnsettled` does before any read). */
    open(): void;
    /** Appends one line (made by the core) and syncs it to disk. */
    append(line: string): void;
    /** The whole file ('' when it does not exist yet); never read through a symbolic link. */
    read(): string;
    /** Claims an operation key: the file read whole, the core's decision, a claim's intent appended and synced. */
    claim(claim: KeyClaim, nowMs: number): ClaimAnswer;
    /** Every line as the core reads the file back (a torn last line left out). */
    export(): string;
    /** Closes the file (a later append opens it again). */
    close(): void;
}

/**
 * The journal and the operation keys in a SQLite file (`node:sqlite`,
 * Node >= 22), shared by the processes of one machine: WAL mode,
 * `synchronous=FULL`, a busy timeout (default 30 s), each claim one
 * `BEGIN IMMEDIATE` transaction. Created 0600. Synchronous.
 */
export declare class SqliteJournal implements Journal {
    constructor(path: string, options?: { busyTimeoutMs?: number });
    readonly path: string;
    /** Opens the file (creating it and its tables). */
    open(): void;
    /** Writes one line (a keyed outcome or settlement also updates its key's record), in one transaction. */
    append(line: string): void;
    /** The same as `export()`. */
    read(): string;
    /** Claims an operation key, in one `BEGIN IMMEDIATE` transaction. */
    claim(claim: KeyClaim, nowMs: number): ClaimAnswer;
    /** Every line in the order written, as JSON Lines. */
    export(): string;
    close(): void;
}

/**
 * The journal and the operation keys in Postgres, shared by back offices on
 * several machines. Needs the npm package `pg` (an optional peer
 * dependency; a clear error names it when it is missing). Asynchronous:
 * every method returns a promise. The connection settings are never shown.
 */
export declare class PostgresJournal implements Journal {
    /**
     * @param connection a connection string or URL, or a `pg` pool config
     * @param options `max`: pool size (default 4); `pg`: the `pg` module to use
     */
    constructor(connection: string | Record<string, unknown>, options?: { max?: number; pg?: unknown });
    /** Connects and makes the tables when missing. */
    open(): Promise<void>;
    append(line: string): Promise<void>;
    /** The same as `export()`. */
    read(): Promise<string>;
    claim(claim: KeyClaim, nowMs: number): Promise<ClaimAnswer>;
    export(): Promise<string>;
    /** Closes the pool (the journal can't be used after). */
    close(): Promise<void>;
}

/** The one error type. Callers branch on `kind` (and `apiKind`), never on `message`. */
export declare class IdnTotoError extends Error {
    protected constructor();
    readonly name: "IdnTotoError" | "KeyInUseError" | "KeyConflictError";
    /** `invalid_request`: the caller's input; `api`: the server said `success: false`; `http`: status outside 2xx; `decode`: undocumented body; `transport`: network error or timeout on a read; `outcome_unknown`: a money-moving request that may or may not have happened; `key_in_use`, `key_conflict`: an operation key stopped the move before it was sent (`KeyInUseError`, `KeyConflictError`). */
    readonly kind: ErrorKind;
    /** For `api`: the refusal, classified. */
    readonly apiKind?: ApiErrorKind;
    /** For `api`: the server's message (token scrubbed). */
    readonly serverMessage?: string;
    /** For `http` (and an `outcome_unknown` caused by one): the status. */
    readonly status?: number;
    /** For `http`: the start of the body (token scrubbed). */
    readonly excerpt?: string;
    /** For `invalid_request`: the parameter or setting at fault (`user`, `transaction[3].amount`, `base_url`). */
    readonly field?: string;
    /** For `decode` (and an `outcome_unknown` caused by one): where in the body (`$`, `data[3].amount`). */
    readonly path?: string;
    /** For `invalid_request`, `decode`, `transport`: why. */
    readonly reason?: string;
    /** For `outcome_unknown`: what happened. */
    readonly cause?: IdnTotoError;
    /** For `outcome_unknown` from a client call: what `client.settle` needs. */
    readonly unsettled?: Unsettled;
    /** For a money move made with a journal: its id in the journal. */
    readonly journalId?: string;
    /** `true` when a journal line after the request could not be written (the error is still the move's own; a warning said why). */
    readonly journalUnwritten?: true;
    /** For `key_in_use`, `key_conflict`: the operation key. */
    readonly key?: string;
}

/** `key_in_use`: another live process holds the operation key; nothing was sent. Try again after `leaseUntilMs`. */
export declare class KeyInUseError extends IdnTotoError {
    readonly name: "KeyInUseError";
    readonly kind: "key_in_use";
    readonly key: string;
    /** Until when (Unix milliseconds) the other holder's claim runs. */
    readonly leaseUntilMs: number;
}

/** `key_conflict`: the operation key was used for another money move (`reason` says what differs); nothing was sent. */
export declare class KeyConflictError extends IdnTotoError {
    readonly name: "KeyConflictError";
    readonly kind: "key_conflict";
    readonly key: string;
    readonly reason: string;
}

/** A typed client: one async method per endpoint (see `EndpointMethods`). */
export declare class Client {
    constructor(config: ClientConfig);
    /**
     * A client from `IDN_TOTO_BASE_URL` and `IDN_TOTO_TOKEN` (of `env`, default
     * `process.env`; a missing one is `invalid_request` naming it) and `config`.
     */
    static fromEnv(config?: Omit<ClientConfig, "baseUrl" | "token">, env?: Record<string, string | undefined>): Client;
    /** A client with other per-call settings, sharing this one's transport, journal and event hook. */
    withOptions(options: CallOptions): Client;
    /** The request descriptors, not sent (for hosts that send themselves). */
    readonly request: EndpointRequests;
    /**
     * Any number of items (one form per call), sent in requests of at most 25.
     * Resolves to one outcome per input item, in input order; after a request
     * whose outcome is unknown the rest are `not_sent`. Never retried.
     */
    multipleTransaction(type: TxType, transaction: KeyedBatchItem[]): Promise<JournaledOutcome[] & JournalFlag>;
    /**
     * Finds out, with reads only, what became of a money move whose outcome
     * is unknown: an `outcome_unknown` error of a client call, or a batch
     * outcome whose status is `unknown` (anything else: `invalid_request` at
     * `errorOrOutcome`). Waits `settleDelayMs` first; never sends money.
     * A journaled move gets its `settled` line.
     */
    settle(errorOrOutcome: IdnTotoError | JournaledOutcome): Promise<Settlement & JournalFlag>;
    /** The journal's moves without a definite state (`invalid_request` at `journal` without one). */
    unsettled(): Promise<OpenMove[]>;
    /** Settles each of `unsettled()` in order (`settleDelayMs` waited once), recording each settlement in the journal; in the journal's order. */
    settleUnsettled(): Promise<Settlement[] & JournalFlag>;
    /** Parses an answer (for hosts that send `client.request.<method>()` themselves); the token is scrubbed from any error. */
    parse<E extends EndpointId>(endpoint: E, status: number, body: string | Uint8Array): EndpointResponses[E];
    /** `text` with the token replaced by `***` in every form (raw, percent-encoded, JSON/HTML-escaped, any case). */
    redact(text: string): string;
    /**
     * Calls any endpoint with canonical parameters (what `build` takes).
     * `multiple_transaction` resolves to the item outcomes, as `multipleTransaction` does.
     * A single money move's `options.key` is its operation key.
     */
    call<E extends EndpointId>(
        endpoint: E,
        params: EndpointParams[E],
        options?: MoneyMoveOptions,
    ): Promise<(E extends "multiple_transaction" ? ItemOutcome[] : EndpointResponses[E]) & JournalFlag>;
    /**
     * Deposit matching: reads the pending deposits (`transactionList("deposit")`)
     * and plans them against `credits` (the core's matcher). With
     * `approve: true` (needs the client's journal, else `invalid_request` at
     * `journal` before anything is read or sent), what the journal says was
     * approved before on this server joins the rules, and the approvals are
     * sent as one keyed `multipleTransaction` batch (key `match:<credit ref>`).
     */
    matchDeposits(credits: Credit[], rules: MatchRules, options?: MatchOptions): Promise<MatchResult & JournalFlag>;
}
export interface Client extends EndpointMethods {}

/** The request for an endpoint and canonical parameters, without a client. */
export declare function build<E extends EndpointId>(
    endpoint: E,
    params: EndpointParams[E],
    config: Pick<ClientConfig, "baseUrl" | "token" | "pathWords" | "allowInsecureHttp">,
): RequestDescriptor;

/** Parses an answer into the endpoint's canonical object, or throws `IdnTotoError`. Errors are not scrubbed: no token is known here. */
export declare function parse<E extends EndpointId>(
    endpoint: E,
    status: number,
    body: string | Uint8Array,
): EndpointResponses[E];

/** The parameters of the page after `response`, or `null` after the last page. */
export declare function nextPage<E extends "full_transaction" | "pga_transaction">(
    endpoint: E,
    params: EndpointParams[E],
    response: EndpointResponses[E],
): EndpointParams[E] | null;

/** One row of the core's endpoint table. */
export interface EndpointInfo {
    id: EndpointId;
    /** The spec's function name. */
    function: string;
    method: "GET" | "POST";
    /** Path template after the base URL. */
    path: string;
    /** Safe to send again (reads); money-moving endpoints are not. */
    idempotent: boolean;
    /** Canonical parameter names, in declaration order. */
    params: string[];
    /** The declared parameters: name, type, required, location (the source of the generated methods). */
    parameters: EndpointParam[];
    paged: boolean;
}

/** The endpoint table. */
export declare function endpoints(): EndpointInfo[];

/** The package version, e.g. `"0.1.0"` (the same as the Rust crates' and the pip package's). */
export declare const version: string;

// Deposit matching (issue 23). The core's matcher types derive no Tsify:
// these are checked against what it serializes by tests/generated.rs
// (`matcher_types_in_index_d_ts_match_the_core`).

/** Why a request is held or a credit left unclaimed. */
export type MatchReason = "no_credit" | "ambiguous" | "name_mismatch" | "outside_window" | "cross_day"
    | "over_limit" | "double_transfer" | "unknown_account" | "already_claimed" | "no_request";
/** How a credit's sender name matched the request's `bank_acc_name`. */
export type NameMatch = "exact" | "truncated" | "absent";

/** One money-in line of a bank statement (what `creditsFromCsv` and `creditsFromMoota` give). */
export interface Credit {
    /** The feed's id of the credit (or a fingerprint when it has none). */
    ref: string;
    /** The receiving account, `BANK:NUMBER`. */
    account: string;
    /** When the bank posted it (WIB; `"YYYY-MM-DD HH:MM:SS"` is read too); `null` for a row not dated yet. */
    posted_at: DateTimeString | null;
    /** Greater than zero, exact. */
    amount: DecimalString;
    sender_name?: string | null;
    description?: string | null;
}

/** What the matcher checks a pair against. */
export interface MatchRules {
    /** The receiving accounts watched, `BANK:NUMBER`. */
    accounts: string[];
    /** Requests strictly above it are held `over_limit`. */
    max_auto_amount?: DecimalString | null;
    /** A credit may be posted this many seconds before the request (default 900). */
    window_before_secs?: number;
    /** ... and this many after it (default 10800). */
    window_after_secs?: number;
    /** Credit refs spent before: `already_claimed`. */
    claimed_refs?: string[];
    /** Requests approved before: never approved again. */
    approved_trans_ids?: string[];
}

/** What an approval rests on. */
export interface MatchEvidence {
    account: string;
    requested_at: DateTimeString;
    posted_at: DateTimeString;
    /** `posted_at - requested_at` in seconds (negative: before). */
    offset_secs: number;
    name: NameMatch;
    sender_name: string | null;
    /** Further credits for this request, unclaimed `double_transfer`. */
    double_transfer: string[];
}

/** A request to accept, with the credit that pays it. */
export interface Approval {
    trans_id: string;
    user: string;
    amount: DecimalString;
    /** The credit's ref. */
    credit: string;
    evidence: MatchEvidence;
}

/** A request not approved. */
export interface Hold {
    trans_id: string;
    user: string;
    amount: DecimalString;
    reason: MatchReason;
    /** The credits that explain it, earliest first. */
    candidates: string[];
}

/** A credit nothing may take. */
export interface Unclaimed {
    credit: string;
    reason: MatchReason;
}

/** The matcher's plan: every credit appears once, as an approval's `credit` or in `unclaimed`. */
export interface MatchPlan {
    approve: Approval[];
    hold: Hold[];
    unclaimed: Unclaimed[];
}

/** `client.matchDeposits`'s options. */
export interface MatchOptions {
    /** Send the approvals (needs the client's journal). Default `false`: plan only. */
    approve?: boolean;
    /** The operator name on the accepts (default `"idn-toto-match"`). */
    operator?: string;
}

/** The plan and what sending its approvals came to (empty when nothing was sent). */
export interface MatchResult extends MatchPlan {
    outcomes: JournaledOutcome[];
}

/**
 * The plan for pending deposits (a `transactionList("deposit")` answer or
 * its rows) and bank credits under `rules`: pure, nothing sent, the same
 * plan whatever the inputs' order.
 */
export declare function matchDeposits(
    pending: TransactionList | PendingTransaction[],
    credits: Credit[],
    rules: MatchRules,
): MatchPlan;

/** The credits of a statement CSV (`ref,account,posted_at,amount,sender_name,description`, any order). */
export declare function creditsFromCsv(csv: string | Uint8Array): Credit[];

/**
 * The credits of a Moota mutation webhook body; with `signature` (its
 * `Signature` header) and `secret`, the signature is checked before the
 * body is read (give both or neither).
 */
export declare function creditsFromMoota(body: string | Uint8Array, signature?: string, secret?: string | Uint8Array): Credit[];
