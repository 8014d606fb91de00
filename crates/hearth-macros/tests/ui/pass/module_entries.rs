//! `#[module]` entries: types written bare, token constants in `token(..)` and provider
//! expressions; each export resolves to the key of what it names.
use hearth::prelude::*;

mod tokens {
    use hearth::prelude::*;
    pub struct Db;
    pub const DB: Token<Db> = Token::new("DB");
}

/// A token whose name would not pass for SCREAMING_CASE: no naming rule applies.
#[allow(non_upper_case_globals)]
const settings: Token<u32> = Token::new("settings");

#[injectable]
pub struct A;

/// A service with fields (a type only, no value of the same name).
#[injectable]
pub struct WithFields {
    a: Arc<A>,
}

/// A type whose name looks like a constant's.
#[injectable]
pub struct CACHE;

/// A generic type.
pub struct Wrapper<T>(T);

#[module(
    providers = [
        A,
        WithFields,
        CACHE,
        Provider::value_for(&tokens::DB, tokens::Db),
        Provider::value_for(&settings, 7),
        Provider::value(String::from("x")),
        Provider::value(Wrapper(1u8)),
    ],
    exports = [
        A,
        WithFields,
        CACHE,
        crate::A,
        String,
        Wrapper<u8>,
        token(tokens::DB),
        token(settings),
        token(*&tokens::DB),
    ],
)]
pub struct M;

#[module]
pub struct Empty;

#[module(imports = [M, Empty], global)]
pub struct Root;

fn main() {
    let def = <Root as Module>::definition();
    assert_eq!(def.name(), "Root");
    let m = format!("{:?}", <M as Module>::definition());
    let keys = "exports: [A, WithFields, CACHE, A, String, Wrapper<u8>, Db (DB), u32 (settings), Db (DB)]";
    assert!(m.contains(keys), "{m}");
    // Every export names a key `M` provides (a wrong key is a start-up error).
    if let Err(e) = Application::create::<Root>() {
        panic!("{e}");
    }
    let _ = (WithFields { a: Arc::new(A) }.a, Wrapper(0u8).0);
}
