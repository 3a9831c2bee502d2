//! Every message text the sandbox writes, in one place.

/// Single accept/reject/manual success, and the default success.
pub(crate) const PROCESSED: &str = "Transaction has been successfully processed.";
/// The transaction id, type or user doesn't match a pending transaction.
pub(crate) const NOT_FOUND_OR_MODIFIED: &str =
    "The transaction couldnt be found or has been modified before";
/// Batch: every item succeeded.
pub(crate) const ALL_PROCESSED: &str = "All transactions has been successfully processed.";
/// Batch: some items failed (listed in `data`).
pub(crate) const PARTIAL: &str = "partial transactions has been successfully processed.";
/// Batch: malformed request, or no item succeeded; also a malformed PGA body.
pub(crate) const OOPS: &str = "Oops something wrong! Please contact operator!";
/// Batch: more than [`MAX_BATCH`] items.
pub(crate) const TOO_MANY: &str = "Maximum 25 transactions per request";
/// Manual transaction for an unknown user.
pub(crate) const NOT_REGISTERED: &str = "User tidak terdaftar!!";
/// Withdrawal larger than the balance.
pub(crate) const INSUFFICIENT: &str = "Insufficient balance";
/// Amount is not a positive decimal exact to the cent (or is absurdly large).
pub(crate) const INVALID_AMOUNT: &str = "Invalid amount";
/// Action is neither ACCEPT nor REJECT.
pub(crate) const INVALID_ACTION: &str = "Invalid action";
/// player_info / history / latest for an unknown user.
pub(crate) const USER_NOT_FOUND: &str = "User not found";
/// Generic success.
pub(crate) const SUCCESS: &str = "Success";
/// number_history for an unknown game code.
pub(crate) const INVALID_GAME: &str = "Invalid Game Code!";
/// referral / full_transaction / pga for an unknown user.
pub(crate) const INVALID_USER: &str = "Invalid User!";
/// A date that is not `YYYY-MM-DD`, or a PGA range that ends before it starts.
pub(crate) const INVALID_DATE: &str = "Invalid date";
/// PGA without both dates.
pub(crate) const DATES_REQUIRED: &str = "start_date and end_date are required (YYYY-MM-DD)";
/// A page that is not a whole number >= 1.
pub(crate) const INVALID_PAGE: &str = "Invalid page";
/// A PGA status filter outside all/paid/expired/unpaid.
pub(crate) const INVALID_STATUS: &str = "Invalid status";
/// Wrong or missing token (HTTP 403).
pub(crate) const INVALID_TOKEN: &str = "Invalid token";
/// No endpoint with this method and path (HTTP 404).
pub(crate) const UNKNOWN_ENDPOINT: &str = "Unknown endpoint";
/// A path segment or query value that is not percent-encoded UTF-8 (HTTP 400).
pub(crate) const BAD_ENCODING: &str = "Invalid path encoding";

/// The most items one batch request may carry.
pub(crate) const MAX_BATCH: usize = 25;
