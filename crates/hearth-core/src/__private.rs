//! Support for the code the macros generate. Not a public API: it may change in any release.

pub use std::any::TypeId;
use std::marker::PhantomData;

pub use crate::Request;
pub use crate::di::{
    Dependency, DiError, Injectable, Lifecycle, Provider, ProviderKey, Resolver, Scope, Token,
};
pub use crate::extract::{
    FromRequest, FromRequestParts, Payload, Query, Rejection, RequestContext,
};
pub use crate::extract::{header_value, path_param, query_value};
pub use crate::lifecycle::{
    Enhancer, FilterDef, GuardDef, InterceptorDef, Metadata, ParamAttribute, RouteAttribute,
};
pub use crate::middleware::{BoxFuture, SharedMiddleware, shared as middleware};
pub use crate::module::{IntoImport, Module, ModuleDef};
pub use crate::response::{IntoResponse, Response};
pub use crate::routing::{Controller, ControllerDef, ControllerMeta, RouteDef};
pub use http::Method;
pub use http::request::Parts;
pub use inventory;
pub use std::boxed::Box;
pub use std::sync::Arc;
pub use std::vec::Vec;
pub use std::{default::Default, option::Option, result::Result};

/// Registered by `#[routes]` for every controller, to warn about controllers no module mounts
/// and to list routes.
pub struct ControllerDescriptor {
    /// The controller's name.
    pub name: &'static str,
    /// Its `TypeId`.
    pub type_id: fn() -> TypeId,
}
inventory::collect!(ControllerDescriptor);

/// Registered by `#[injectable]` for every injectable type.
pub struct InjectableDescriptor {
    /// The type's name.
    pub name: &'static str,
    /// Its `TypeId`.
    pub type_id: fn() -> TypeId,
}
inventory::collect!(InjectableDescriptor);

/// A required value: `Some(v)` or the rejection for a missing one.
pub fn required<T>(
    value: Result<Option<T>, Rejection>,
    missing: Rejection,
) -> Result<T, Rejection> {
    value?.ok_or(missing)
}

/// Asserts at compile time that a field type is `Arc<_>`-injectable.
pub fn assert_injectable_field<T: Send + Sync + 'static>(_: PhantomData<T>) {}

/// Autoref-specialization probe for lifecycle hooks: `(&&HookProbe::<T>::new()).lifecycle_init(l)`
/// adds the `on_module_init` hook when `T: OnModuleInit`, and does nothing otherwise.
pub struct HookProbe<T>(PhantomData<T>);

impl<T> HookProbe<T> {
    /// The probe.
    pub fn new() -> Self {
        HookProbe(PhantomData)
    }
}

impl<T> Default for HookProbe<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Chosen when `T: OnModuleInit`.
pub trait WithInit<T> {
    /// Adds the hook.
    fn lifecycle_init(&self, l: Lifecycle<T>) -> Lifecycle<T>;
}
impl<T: crate::di::OnModuleInit> WithInit<T> for &HookProbe<T> {
    fn lifecycle_init(&self, l: Lifecycle<T>) -> Lifecycle<T> {
        l.with_init()
    }
}
/// Chosen otherwise.
pub trait WithoutInit<T> {
    /// Leaves the lifecycle as it is.
    fn lifecycle_init(&self, l: Lifecycle<T>) -> Lifecycle<T> {
        l
    }
}
impl<T> WithoutInit<T> for HookProbe<T> {}

/// Chosen when `T: OnApplicationShutdown`.
pub trait WithShutdown<T> {
    /// Adds the hook.
    fn lifecycle_shutdown(&self, l: Lifecycle<T>) -> Lifecycle<T>;
}
impl<T: crate::di::OnApplicationShutdown> WithShutdown<T> for &HookProbe<T> {
    fn lifecycle_shutdown(&self, l: Lifecycle<T>) -> Lifecycle<T> {
        l.with_shutdown()
    }
}
/// Chosen otherwise.
pub trait WithoutShutdown<T> {
    /// Leaves the lifecycle as it is.
    fn lifecycle_shutdown(&self, l: Lifecycle<T>) -> Lifecycle<T> {
        l
    }
}
impl<T> WithoutShutdown<T> for HookProbe<T> {}

/// Chosen when `T: BeforeApplicationShutdown`.
pub trait WithBeforeShutdown<T> {
    /// Adds the hook.
    fn lifecycle_before_shutdown(&self, l: Lifecycle<T>) -> Lifecycle<T>;
}
impl<T: crate::di::BeforeApplicationShutdown> WithBeforeShutdown<T> for &HookProbe<T> {
    fn lifecycle_before_shutdown(&self, l: Lifecycle<T>) -> Lifecycle<T> {
        l.with_before_shutdown()
    }
}
/// Chosen otherwise.
pub trait WithoutBeforeShutdown<T> {
    /// Leaves the lifecycle as it is.
    fn lifecycle_before_shutdown(&self, l: Lifecycle<T>) -> Lifecycle<T> {
        l
    }
}
impl<T> WithoutBeforeShutdown<T> for HookProbe<T> {}

/// Implemented by `#[injectable]` (and not by `#[controller]`): what a bare type in
/// `#[module(providers = [..])]` must be.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be listed in `providers`: it is a controller or not `#[injectable]`",
    label = "not an `#[injectable]` provider",
    note = "list controllers in `controllers = [..]` and `#[injectable]` services in `providers = [..]`; for a hand-written `Injectable` write `Provider::class::<{Self}>()`"
)]
pub trait ProviderClass: Injectable {}

/// The class provider of an `#[injectable]` type (what `providers = [T]` expands to).
pub fn provider_class<T: ProviderClass>() -> Provider {
    Provider::class::<T>()
}

/// Implemented by `#[routes]`: what an entry of `#[module(controllers = [..])]` must be.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a controller",
    label = "not a controller",
    note = "mark the struct with `#[controller(\"/prefix\")]` and its `impl` block with `#[routes]`; list services in `providers = [..]`"
)]
pub trait RoutesController: Controller {}

/// The definition of a controller (what `controllers = [C]` expands to).
pub fn controller_def<C: RoutesController>() -> ControllerDef {
    ControllerDef::of::<C>()
}

/// Extracts a parameter with a battery's parameter attribute (what `#[name(args)] p: T`
/// expands to, with `attribute = name(args)`).
pub async fn extract_param<T, A: ParamAttribute<T>>(
    attribute: A,
    parts: &mut Parts,
) -> Result<T, Response> {
    attribute
        .extract(parts)
        .await
        .map_err(IntoResponse::into_response)
}

/// What a type listed in `#[use_guards]`, `#[use_interceptors]` or `#[use_filters]` must also
/// be: built by dependency injection.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not `#[injectable]`",
    label = "listed by type, so built by dependency injection",
    note = "mark `{Self}` `#[injectable]`; a guard, interceptor or filter built by hand is installed as a value with `ModuleDef::guard_value(..)` (or `interceptor_value`, `filter_value`)"
)]
pub trait BuiltByDi: Injectable {}
impl<T: Injectable> BuiltByDi for T {}

/// A guard listed in `#[use_guards(..)]`.
pub fn guard<G: crate::lifecycle::Guard + BuiltByDi>() -> GuardDef {
    Enhancer::guard::<G>()
}

/// An interceptor listed in `#[use_interceptors(..)]`.
pub fn interceptor<I: crate::lifecycle::Interceptor + BuiltByDi>() -> InterceptorDef {
    Enhancer::interceptor::<I>()
}

/// An exception filter listed in `#[use_filters(..)]`.
pub fn filter<F: crate::lifecycle::ExceptionFilter + BuiltByDi>() -> FilterDef {
    Enhancer::filter::<F>()
}

/// The dependencies an extractor parameter declares (`Inject<T>` declares `T`), through
/// autoref specialization: `(&&DepsProbe::<P>::new()).param_dependencies()`.
pub struct DepsProbe<T>(PhantomData<T>);

impl<T> DepsProbe<T> {
    /// The probe.
    pub fn new() -> Self {
        DepsProbe(PhantomData)
    }
}

impl<T> Default for DepsProbe<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Chosen for `Inject<T>`.
pub trait InjectDeps {
    /// `T`'s key.
    fn param_dependencies(&self) -> Vec<Dependency>;
}
impl<T: Send + Sync + 'static> InjectDeps for &DepsProbe<crate::extract::Inject<T>> {
    fn param_dependencies(&self) -> Vec<Dependency> {
        vec![Dependency::of::<T>("Inject")]
    }
}
/// Chosen otherwise.
pub trait NoDeps {
    /// None.
    fn param_dependencies(&self) -> Vec<Dependency> {
        Vec::new()
    }
}
impl<T> NoDeps for DepsProbe<T> {}

/// Extracts a `#[body]` parameter: JSON or a urlencoded form, by `Content-Type`.
pub async fn extract_body<T: serde::de::DeserializeOwned + Send>(
    req: Request,
) -> Result<T, Response> {
    match <Payload<T> as FromRequest>::from_request(req).await {
        Ok(Payload(v)) => Ok(v),
        Err(e) => Err(e.into_response()),
    }
}

/// Which lifecycle hooks `T::lifecycle()` registers: `(on_module_init, on_application_shutdown)`.
/// Used by tests of the autoref probe.
pub fn lifecycle_hooks<T: Injectable>() -> (bool, bool) {
    let l = T::lifecycle();
    (l.init.is_some(), l.shutdown.is_some())
}

/// Whether `params` holds `name`: `#[routes]`' compile-time check of a `#[param]` against
/// the controller prefix's parameters (`ControllerMeta::PREFIX_PARAMS`).
pub const fn has_param(params: &[&str], name: &str) -> bool {
    let mut i = 0;
    while i < params.len() {
        if str_eq(params[i], name) {
            return true;
        }
        i += 1;
    }
    false
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The fallback `#[module(exports = [..])]` resolves an entry's name to in the namespace the
/// entry lacks: a constant written bare finds this type, a type written in `token(..)` this
/// value. [`ExportProbe`] then reports the mistake with its fix.
pub mod export_probe {
    /// The fallback (a unit struct: a type and a value).
    #[allow(non_camel_case_types)]
    pub struct __HearthExport;
}

use export_probe::__HearthExport as NoEntry;

/// What an `exports` entry resolved to in both namespaces: `T` (the type) and `V` (the
/// value's type); either may be the fallback. Methods are picked by autoref specialization.
pub struct ExportProbe<T: ?Sized, V>(PhantomData<Entries<T, V>>);

type Entries<T, V> = (fn() -> *const T, fn() -> V);

impl<T: ?Sized, V> ExportProbe<T, V> {
    /// The probe of an entry whose value is `value`.
    pub fn of(value: &V) -> Self {
        let _ = value;
        ExportProbe(PhantomData)
    }
}

/// A bare entry that is a type: its key.
pub trait BareEntry<V> {
    /// The type's key.
    fn export_key(&self, value: &V) -> ProviderKey;
}
impl<T: ?Sized + 'static, V> BareEntry<V> for ExportProbe<T, V> {
    fn export_key(&self, _: &V) -> ProviderKey {
        ProviderKey::of::<T>()
    }
}

/// A bare entry that is no type, only a value: an error naming the fix.
pub trait BareToken<V> {
    /// Never returns (the crate does not compile).
    fn export_key(&self, value: &V) -> ProviderKey
    where
        V: TokenWrittenBare;
}
impl<V> BareToken<V> for &ExportProbe<NoEntry, V> {
    fn export_key(&self, _: &V) -> ProviderKey
    where
        V: TokenWrittenBare,
    {
        unreachable!("TokenWrittenBare has no impl")
    }
}

/// Implemented by nothing: the error for a constant written bare in `exports`.
#[diagnostic::on_unimplemented(
    message = "a token is exported as `token(..)`, not bare",
    label = "this is a `{Self}` value, not a type",
    note = "write `token(..)` around it, as in `exports = [UserService, token(DB)]`; a bare entry is a type"
)]
pub trait TokenWrittenBare {}

/// `token(..)` holding a value: its key, if it is a token.
pub trait TokenEntry<V> {
    /// The token's key.
    fn token_key(&self, value: &V) -> ProviderKey
    where
        V: ExportToken;
}
impl<T: ?Sized, V> TokenEntry<V> for ExportProbe<T, V> {
    fn token_key(&self, value: &V) -> ProviderKey
    where
        V: ExportToken,
    {
        value.token_key()
    }
}

/// `token(..)` holding no value, only a type: an error naming the fix.
pub trait TypeInToken<T: ?Sized> {
    /// Never returns (the crate does not compile).
    fn token_key(&self, value: &NoEntry) -> ProviderKey
    where
        T: TypeWrittenInToken;
}
impl<T: ?Sized> TypeInToken<T> for &ExportProbe<T, NoEntry> {
    fn token_key(&self, _: &NoEntry) -> ProviderKey
    where
        T: TypeWrittenInToken,
    {
        unreachable!("TypeWrittenInToken has no impl")
    }
}

/// `token(..)` holding a unit struct (a type and a value of that type): the same error.
pub trait UnitTypeInToken<T> {
    /// Never returns (the crate does not compile).
    fn token_key(&self, value: &T) -> ProviderKey
    where
        T: TypeWrittenInToken;
}
impl<T> UnitTypeInToken<T> for &ExportProbe<T, T> {
    fn token_key(&self, _: &T) -> ProviderKey
    where
        T: TypeWrittenInToken,
    {
        unreachable!("TypeWrittenInToken has no impl")
    }
}

/// Implemented by nothing: the error for a type written in `token(..)`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is a type: export it bare, not in `token(..)`",
    label = "a type, not a token constant",
    note = "`token(..)` takes a `Token<T>` constant; a type is exported by writing it bare, as in `exports = [UserService, token(DB)]`"
)]
pub trait TypeWrittenInToken {}

/// What `token(..)` in `exports` takes: a [`Token`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a token",
    label = "`token(..)` takes a `Token<T>` constant",
    note = "write a token constant in `token(..)`, as in `token(DB)`; a type is exported by writing it bare, as in `exports = [UserService]`"
)]
pub trait ExportToken {
    /// The token's key.
    fn token_key(&self) -> ProviderKey;
}
impl<T: ?Sized + 'static> ExportToken for Token<T> {
    fn token_key(&self) -> ProviderKey {
        self.key()
    }
}

/// The key of `token(expr)` when `expr` is not a plain path.
pub fn token_key<V: ExportToken>(token: &V) -> ProviderKey {
    token.token_key()
}
