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

/// A guard listed in `#[use_guards(..)]`.
pub fn guard<G: crate::lifecycle::Guard + Injectable>() -> GuardDef {
    Enhancer::guard::<G>()
}

/// An interceptor listed in `#[use_interceptors(..)]`.
pub fn interceptor<I: crate::lifecycle::Interceptor + Injectable>() -> InterceptorDef {
    Enhancer::interceptor::<I>()
}

/// An exception filter listed in `#[use_filters(..)]`.
pub fn filter<F: crate::lifecycle::ExceptionFilter + Injectable>() -> FilterDef {
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
