//! One module per endpoint: its parameters, response types, request
//! building, parsing and unit tests.

pub mod accept_reject;
pub mod bank_list;
pub mod full_transaction;
pub mod game_list;
pub mod history_entry;
pub mod manual_transaction;
pub mod multiple_transaction;
pub mod number_history;
pub mod pga_transaction;
pub mod referral_list;
pub mod transaction_list;
pub mod user_balance;
pub mod user_history;
pub mod user_last_transaction;

pub use accept_reject::{AcceptRejectParams, Processed};
pub use bank_list::{BankList, BankListParams};
pub use full_transaction::{FullTransaction, FullTransactionParams, TurnoverRow};
pub use game_list::{Game, GameList, GameListParams};
pub use history_entry::HistoryEntry;
pub use manual_transaction::ManualTransactionParams;
pub use multiple_transaction::{
    AcceptRejectItem, BatchItem, ItemFailure, ItemReport, ItemsCheck, ManualItem, MultipleItem,
    MultipleTransaction, MultipleTransactionParams, ACCEPT_REJECT_FIELDS, MANUAL_FIELDS, MAX_ITEMS,
};
pub use number_history::{Draw, NumberHistory, NumberHistoryParams};
pub use pga_transaction::{PgaInvoice, PgaTransaction, PgaTransactionParams};
pub use referral_list::{Referral, ReferralList, ReferralListParams};
pub use transaction_list::{PendingTransaction, TransactionList, TransactionListParams};
pub use user_balance::{UserBalance, UserBalanceParams};
pub use user_history::{UserHistory, UserHistoryParams};
pub use user_last_transaction::{UserLastTransaction, UserLastTransactionParams};

#[cfg(test)]
pub(crate) mod test_support {
    use crate::schema::client::Client;

    pub(crate) const TOKEN: &str = "PWM6P4HRFR2VXBD1320EJWZ8A0EJK";

    pub(crate) fn client() -> Client {
        Client::builder("http://example.com/home.php", TOKEN)
            .allow_insecure_http(true)
            .build()
            .expect("valid test config")
    }
}
