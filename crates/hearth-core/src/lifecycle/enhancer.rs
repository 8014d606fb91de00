//! Guards, interceptors and filters as listed on routes, controllers and modules: by type,
//! built by dependency injection when the application is built (their dependencies checked
//! at start-up), or as ready values.

use std::any::TypeId;
use std::sync::Arc;

use super::filter::ExceptionFilter;
use super::guard::{DynGuard, Guard};
use super::interceptor::{DynInterceptor, Interceptor};
use crate::di::{Dependency, DiError, Injectable, Resolver};

type Build<T> = Arc<dyn Fn(&Resolver) -> Result<Arc<T>, DiError> + Send + Sync>;

/// A guard, interceptor or filter as listed: how to build it and what it depends on.
pub struct Enhancer<T: ?Sized> {
    pub(crate) name: &'static str,
    /// `Some` for a type built by DI (one instance per module that lists it).
    pub(crate) type_id: Option<TypeId>,
    pub(crate) dependencies: fn() -> Vec<Dependency>,
    pub(crate) build: Build<T>,
}

impl<T: ?Sized> Clone for Enhancer<T> {
    fn clone(&self) -> Self {
        Enhancer {
            name: self.name,
            type_id: self.type_id,
            dependencies: self.dependencies,
            build: self.build.clone(),
        }
    }
}

impl<T: ?Sized> std::fmt::Debug for Enhancer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl<T: ?Sized> Enhancer<T> {
    /// The name shown in start-up errors.
    pub fn name(&self) -> &'static str {
        self.name
    }
}

/// A guard as listed ([`Enhancer::guard`] or [`Enhancer::guard_value`]).
pub type GuardDef = Enhancer<dyn DynGuard>;
/// An interceptor as listed.
pub type InterceptorDef = Enhancer<dyn DynInterceptor>;
/// An exception filter as listed.
pub type FilterDef = Enhancer<dyn ExceptionFilter>;

fn none() -> Vec<Dependency> {
    Vec::new()
}

impl Enhancer<dyn DynGuard> {
    /// The guard `G`, built by dependency injection.
    pub fn guard<G: Guard + Injectable>() -> Self {
        Enhancer {
            name: crate::di::short_name(std::any::type_name::<G>()),
            type_id: Some(TypeId::of::<G>()),
            dependencies: G::dependencies,
            build: Arc::new(|r| G::construct(r).map(|g| Arc::new(g) as Arc<dyn DynGuard>)),
        }
    }

    /// A ready guard value.
    pub fn guard_value<G: Guard>(guard: G) -> Self {
        let g: Arc<dyn DynGuard> = Arc::new(guard);
        Enhancer {
            name: crate::di::short_name(std::any::type_name::<G>()),
            type_id: None,
            dependencies: none,
            build: Arc::new(move |_| Ok(g.clone())),
        }
    }
}

impl Enhancer<dyn DynInterceptor> {
    /// The interceptor `I`, built by dependency injection.
    pub fn interceptor<I: Interceptor + Injectable>() -> Self {
        Enhancer {
            name: crate::di::short_name(std::any::type_name::<I>()),
            type_id: Some(TypeId::of::<I>()),
            dependencies: I::dependencies,
            build: Arc::new(|r| I::construct(r).map(|i| Arc::new(i) as Arc<dyn DynInterceptor>)),
        }
    }

    /// A ready interceptor value.
    pub fn interceptor_value<I: Interceptor>(interceptor: I) -> Self {
        let i: Arc<dyn DynInterceptor> = Arc::new(interceptor);
        Enhancer {
            name: crate::di::short_name(std::any::type_name::<I>()),
            type_id: None,
            dependencies: none,
            build: Arc::new(move |_| Ok(i.clone())),
        }
    }
}

impl Enhancer<dyn ExceptionFilter> {
    /// The filter `F`, built by dependency injection.
    pub fn filter<F: ExceptionFilter + Injectable>() -> Self {
        Enhancer {
            name: crate::di::short_name(std::any::type_name::<F>()),
            type_id: Some(TypeId::of::<F>()),
            dependencies: F::dependencies,
            build: Arc::new(|r| F::construct(r).map(|f| Arc::new(f) as Arc<dyn ExceptionFilter>)),
        }
    }

    /// A ready filter value.
    pub fn filter_value<F: ExceptionFilter>(filter: F) -> Self {
        let f: Arc<dyn ExceptionFilter> = Arc::new(filter);
        Enhancer {
            name: crate::di::short_name(std::any::type_name::<F>()),
            type_id: None,
            dependencies: none,
            build: Arc::new(move |_| Ok(f.clone())),
        }
    }
}

/// Builds enhancers once per (module, type): a guard listed on ten routes of one module is one
/// instance.
#[derive(Default)]
pub(crate) struct EnhancerCache {
    built: std::collections::HashMap<(usize, TypeId), Arc<dyn std::any::Any + Send + Sync>>,
}

impl EnhancerCache {
    pub(crate) fn build<T: ?Sized + 'static>(
        &mut self,
        def: &Enhancer<T>,
        module: usize,
        resolver: &Resolver,
    ) -> Result<Arc<T>, DiError>
    where
        Arc<T>: Send + Sync,
    {
        let Some(tid) = def.type_id else {
            return (def.build)(resolver);
        };
        if let Some(v) = self.built.get(&(module, tid)) {
            if let Some(t) = v.downcast_ref::<Arc<T>>() {
                return Ok(t.clone());
            }
        }
        let v = (def.build)(resolver)?;
        self.built.insert((module, tid), Arc::new(v.clone()));
        Ok(v)
    }
}
