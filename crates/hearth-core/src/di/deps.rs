//! [`Deps`]: what a factory declares and receives in one type, so that its dependencies are
//! checked at start-up without a separate `depends_on` list.

use std::sync::Arc;

use super::{Dependency, DiError, Resolver};

/// The dependencies of a factory made with
/// [`Provider::factory_with`](super::Provider::factory_with) or
/// [`Provider::async_factory_with`](super::Provider::async_factory_with): an `Arc<T>`
/// (resolved by type), `()`, or a tuple of these. They are declared (so a missing one is a
/// start-up error naming the chain), built before the factory runs, and handed to it.
///
/// ```
/// use std::sync::Arc;
/// use hearth::di::Provider;
/// struct Config { url: String }
/// struct Pool { url: String }
/// struct Repo { pool: Arc<Pool>, config: Arc<Config> }
/// let pool = Provider::async_factory_with(|config: Arc<Config>| async move {
///     Ok::<_, std::io::Error>(Pool { url: config.url.clone() })
/// });
/// let repo = Provider::factory_with(|(pool, config): (Arc<Pool>, Arc<Config>)| {
///     Ok::<_, std::io::Error>(Repo { pool, config })
/// });
/// # let _ = (pool, repo);
/// ```
pub trait Deps: Sized + Send + 'static {
    /// What is declared (checked at start-up).
    fn dependencies() -> Vec<Dependency>;

    /// Resolves every dependency.
    fn resolve(resolver: &Resolver) -> Result<Self, DiError>;
}

impl<T: Send + Sync + 'static> Deps for Arc<T> {
    fn dependencies() -> Vec<Dependency> {
        vec![Dependency::of::<T>("factory argument")]
    }

    fn resolve(resolver: &Resolver) -> Result<Self, DiError> {
        resolver.get::<T>()
    }
}

macro_rules! tuple_deps {
    ($($t:ident),*) => {
        impl<$($t: Deps),*> Deps for ($($t,)*) {
            fn dependencies() -> Vec<Dependency> {
                #[allow(unused_mut)]
                let mut out = Vec::new();
                $(out.extend($t::dependencies());)*
                out
            }

            #[allow(unused_variables)]
            fn resolve(resolver: &Resolver) -> Result<Self, DiError> {
                Ok(($($t::resolve(resolver)?,)*))
            }
        }
    };
}

tuple_deps!();
tuple_deps!(A);
tuple_deps!(A, B);
tuple_deps!(A, B, C);
tuple_deps!(A, B, C, D);
tuple_deps!(A, B, C, D, E);
tuple_deps!(A, B, C, D, E, F);
tuple_deps!(A, B, C, D, E, F, G);
tuple_deps!(A, B, C, D, E, F, G, H);
