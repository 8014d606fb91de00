//! Provider keys: a type, or a typed [`Token`].

use std::any::TypeId;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

/// A typed, named key for a provider, for when a type alone is not the right key.
///
/// ```
/// use hearth::di::Token;
/// pub struct Config { pub url: String }
/// pub const DATABASE_CONFIG: Token<Config> = Token::new("DATABASE_CONFIG");
/// ```
pub struct Token<T: ?Sized> {
    name: &'static str,
    _type: PhantomData<fn() -> Arc<T>>,
}

impl<T: ?Sized> Token<T> {
    /// A token with this name. Two tokens are the same key when their names and types match.
    pub const fn new(name: &'static str) -> Self {
        Token {
            name,
            _type: PhantomData,
        }
    }

    /// The token's name.
    pub const fn name(&self) -> &'static str {
        self.name
    }
}

impl<T: ?Sized + 'static> Token<T> {
    /// The provider key of this token.
    pub fn key(&self) -> ProviderKey {
        ProviderKey {
            type_id: TypeId::of::<T>(),
            type_name: std::any::type_name::<T>(),
            token: Some(self.name),
        }
    }
}

impl<T: ?Sized> Clone for Token<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: ?Sized> Copy for Token<T> {}

impl<T: ?Sized> fmt::Debug for Token<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({})", self.name)
    }
}

/// What a provider is registered under: a type, optionally with a token name.
#[derive(Clone, Copy)]
pub struct ProviderKey {
    type_id: TypeId,
    type_name: &'static str,
    token: Option<&'static str>,
}

impl ProviderKey {
    /// The key of type `T` (no token).
    pub fn of<T: ?Sized + 'static>() -> Self {
        ProviderKey {
            type_id: TypeId::of::<T>(),
            type_name: std::any::type_name::<T>(),
            token: None,
        }
    }

    /// The type's `TypeId`.
    pub fn type_id(&self) -> TypeId {
        self.type_id
    }

    /// The token name, for token keys.
    pub fn token(&self) -> Option<&'static str> {
        self.token
    }

    /// The short type name (no module path).
    pub fn short_type_name(&self) -> &'static str {
        short_name(self.type_name)
    }
}

pub(crate) fn short_name(full: &'static str) -> &'static str {
    // `a::b::C<d::E>` → `C<d::E>`: cut at the last `::` before any generic bracket.
    let head = full.split('<').next().unwrap_or(full);
    match head.rfind("::") {
        Some(i) => &full[i + 2..],
        None => full,
    }
}

impl PartialEq for ProviderKey {
    fn eq(&self, other: &Self) -> bool {
        self.type_id == other.type_id && self.token == other.token
    }
}
impl Eq for ProviderKey {}
impl std::hash::Hash for ProviderKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.type_id.hash(state);
        self.token.hash(state);
    }
}

impl fmt::Display for ProviderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.token {
            Some(t) => write!(f, "{} ({t})", self.short_type_name()),
            None => f.write_str(self.short_type_name()),
        }
    }
}

impl fmt::Debug for ProviderKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl<T: ?Sized + 'static> From<&Token<T>> for ProviderKey {
    fn from(t: &Token<T>) -> Self {
        t.key()
    }
}

impl<T: ?Sized + 'static> From<Token<T>> for ProviderKey {
    fn from(t: Token<T>) -> Self {
        t.key()
    }
}
