//! `row!`: a response's row type declared once. Each field is written with
//! its documentation, its name and its wire kind; the struct (its serde
//! reading and writing, its TypeScript type) and the one-pass transcoder's
//! field table (`wire::Field`s, in the struct's serialisation order) both
//! come from that one line, so a field can't be added to one and not the
//! other.

/// Declares a row type and its transcoder table:
///
/// ```text
/// row! {
///     /// One pending transaction.
///     pub struct PendingTransaction in ROW_FIELDS {
///         /// Transaction ID.
///         id: Text,
///         /// `deposit` or `withdraw`.
///         r#type as "type": Enum(TransactionType),
///         /// Name of the website.
///         game: Text = default,
///         ...
///     }
/// }
/// ```
///
/// The kinds (`wire::Kind`), with the Rust type and serde rule each makes:
/// `Text` (`String`, `wire::text`), `DateTime` (`NaiveDateTime`,
/// `wire::timestamp`), `OptDateTime` (`Option<NaiveDateTime>`,
/// `wire::opt_datetime`), `Date` (`NaiveDate`, `wire::date`), `Amount`
/// (`Decimal`, `wire::amount`) and `Enum(T)` (an open enum `T`, read by its
/// own `Deserialize`, written by its canonical spelling). `= default`: a
/// missing field takes its default (`Text`, `OptDateTime`). `as "name"`:
/// the wire name, when the field's is not it (`r#type`).
macro_rules! row {
    (
        $(#[$meta:meta])*
        pub struct $T:ident in $TABLE:ident { $($body:tt)* }
    ) => {
        $crate::schema::declare::row!(@norm [$(#[$meta])*] $T $TABLE [] $($body)*);
    };

    // Each field as `{[docs] name [wire name] [kind]}`.
    (@norm $meta:tt $T:ident $TABLE:ident [$($n:tt)*]
        $(#[$fm:meta])* $name:ident as $wire:literal : $kind:ident $(($arg:ty))? $(= $def:ident)?,
        $($rest:tt)*) => {
        $crate::schema::declare::row!(@norm $meta $T $TABLE
            [$($n)* {[$(#[$fm])*] $name [$wire] [$kind $(($arg))? $(= $def)?]}] $($rest)*);
    };
    (@norm $meta:tt $T:ident $TABLE:ident [$($n:tt)*]
        $(#[$fm:meta])* $name:ident : $kind:ident $(($arg:ty))? $(= $def:ident)?,
        $($rest:tt)*) => {
        $crate::schema::declare::row!(@norm $meta $T $TABLE
            [$($n)* {[$(#[$fm])*] $name [stringify!($name)] [$kind $(($arg))? $(= $def)?]}] $($rest)*);
    };
    (@norm $meta:tt $T:ident $TABLE:ident [$($n:tt)*]) => {
        $crate::schema::declare::row!(@emit $meta $T $TABLE [] [] $($n)*);
    };

    // One arm per kind: the struct's field, and the table's entry.
    (@emit $meta:tt $T:ident $TABLE:ident [$($f:tt)*] [$($t:tt)*]
        {[$($fm:tt)*] $name:ident [$($w:tt)*] [Text]} $($rest:tt)*) => {
        $crate::schema::declare::row!(@emit $meta $T $TABLE
            [$($f)* $($fm)*
                #[serde(deserialize_with = "crate::schema::wire::text")]
                pub $name: String,]
            [$($t)* $crate::schema::declare::row!(@entry [$($w)*] Text, false),]
            $($rest)*);
    };
    (@emit $meta:tt $T:ident $TABLE:ident [$($f:tt)*] [$($t:tt)*]
        {[$($fm:tt)*] $name:ident [$($w:tt)*] [Text = default]} $($rest:tt)*) => {
        $crate::schema::declare::row!(@emit $meta $T $TABLE
            [$($f)* $($fm)*
                #[serde(default, deserialize_with = "crate::schema::wire::text")]
                pub $name: String,]
            [$($t)* $crate::schema::declare::row!(@entry [$($w)*] Text, true),]
            $($rest)*);
    };
    (@emit $meta:tt $T:ident $TABLE:ident [$($f:tt)*] [$($t:tt)*]
        {[$($fm:tt)*] $name:ident [$($w:tt)*] [DateTime]} $($rest:tt)*) => {
        $crate::schema::declare::row!(@emit $meta $T $TABLE
            [$($f)* $($fm)*
                #[serde(with = "crate::schema::wire::timestamp")]
                #[cfg_attr(feature = "tsify", tsify(type = "DateTimeString"))]
                pub $name: ::chrono::NaiveDateTime,]
            [$($t)* $crate::schema::declare::row!(@entry [$($w)*] DateTime, false),]
            $($rest)*);
    };
    (@emit $meta:tt $T:ident $TABLE:ident [$($f:tt)*] [$($t:tt)*]
        {[$($fm:tt)*] $name:ident [$($w:tt)*] [OptDateTime = default]} $($rest:tt)*) => {
        $crate::schema::declare::row!(@emit $meta $T $TABLE
            [$($f)* $($fm)*
                #[serde(
                    default,
                    deserialize_with = "crate::schema::wire::opt_datetime",
                    serialize_with = "crate::schema::wire::ser_opt_datetime"
                )]
                #[cfg_attr(feature = "tsify", tsify(type = "DateTimeString | null"))]
                pub $name: Option<::chrono::NaiveDateTime>,]
            [$($t)* $crate::schema::declare::row!(@entry [$($w)*] OptDateTime, true),]
            $($rest)*);
    };
    (@emit $meta:tt $T:ident $TABLE:ident [$($f:tt)*] [$($t:tt)*]
        {[$($fm:tt)*] $name:ident [$($w:tt)*] [Date]} $($rest:tt)*) => {
        $crate::schema::declare::row!(@emit $meta $T $TABLE
            [$($f)* $($fm)*
                #[serde(
                    deserialize_with = "crate::schema::wire::date",
                    serialize_with = "crate::schema::wire::ser_date"
                )]
                #[cfg_attr(feature = "tsify", tsify(type = "DateString"))]
                pub $name: ::chrono::NaiveDate,]
            [$($t)* $crate::schema::declare::row!(@entry [$($w)*] Date, false),]
            $($rest)*);
    };
    (@emit $meta:tt $T:ident $TABLE:ident [$($f:tt)*] [$($t:tt)*]
        {[$($fm:tt)*] $name:ident [$($w:tt)*] [Amount]} $($rest:tt)*) => {
        $crate::schema::declare::row!(@emit $meta $T $TABLE
            [$($f)* $($fm)*
                #[serde(deserialize_with = "crate::schema::wire::amount")]
                #[cfg_attr(feature = "tsify", tsify(type = "DecimalString"))]
                pub $name: ::rust_decimal::Decimal,]
            [$($t)* $crate::schema::declare::row!(@entry [$($w)*] Amount, false),]
            $($rest)*);
    };
    (@emit $meta:tt $T:ident $TABLE:ident [$($f:tt)*] [$($t:tt)*]
        {[$($fm:tt)*] $name:ident [$($w:tt)*] [Enum($E:ty)]} $($rest:tt)*) => {
        $crate::schema::declare::row!(@emit $meta $T $TABLE
            [$($f)* $($fm)* pub $name: $E,]
            [$($t)* $crate::schema::declare::row!(@entry [$($w)*] Enum(<$E>::canonical), false),]
            $($rest)*);
    };
    (@emit [$($meta:tt)*] $T:ident $TABLE:ident [$($f:tt)*] [$($t:tt)*]) => {
        $($meta)*
        #[derive(Debug, Clone, PartialEq, Eq, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
        pub struct $T {
            $($f)*
        }

        #[doc = concat!(
            "[`", stringify!($T), "`]'s fields in its serialisation order, for the one-pass ",
            "transcoder (made with the struct by `row!`; the property tests check that the ",
            "transcoder's text is the typed path's)."
        )]
        const $TABLE: &[$crate::schema::wire::Field] = &[$($t)*];
    };

    (@entry [$($w:tt)*] $kind:ident $(($arg:expr))?, $default:expr) => {
        $crate::schema::wire::Field {
            name: $($w)*,
            key: concat!("\"", $($w)*, "\":"),
            kind: $crate::schema::wire::Kind::$kind $(($arg))?,
            default: $default,
        }
    };
}
pub(crate) use row;
