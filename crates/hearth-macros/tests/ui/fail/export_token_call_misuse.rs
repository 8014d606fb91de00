use hearth::prelude::*;

pub struct Db;
pub const DB: Token<Db> = Token::new("DB");
pub const CACHE: Token<Db> = Token::new("CACHE");

#[module(exports = [token(), token(DB, CACHE), tokens(DB)])]
pub struct M;

fn main() {}
