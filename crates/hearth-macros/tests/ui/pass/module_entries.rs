//! `#[module]` entries: types, token constants (SCREAMING_CASE) and provider expressions.
use hearth::prelude::*;

mod tokens {
    use hearth::prelude::*;
    pub struct Db;
    pub const DB: Token<Db> = Token::new("DB");
}

#[injectable]
pub struct A;

#[module(
    providers = [
        A,
        Provider::value_for(&tokens::DB, tokens::Db),
        Provider::value(String::from("x")),
    ],
    exports = [A, tokens::DB, String],
)]
pub struct M;

#[module]
pub struct Empty;

#[module(imports = [M, Empty], global)]
pub struct Root;

fn main() {
    let def = <Root as Module>::definition();
    assert_eq!(def.name(), "Root");
}
