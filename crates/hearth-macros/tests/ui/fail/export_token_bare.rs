use hearth::prelude::*;

pub struct Db;
pub const DB: Token<Db> = Token::new("DB");

#[module(providers = [Provider::value_for(&DB, Db)], exports = [DB])]
pub struct M;

fn main() {}
