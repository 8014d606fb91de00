//! `#[injectable]`: the DI constructor of a struct (also used by `#[controller]`).
//!
//! parse.rs (attribute arguments, fields, `#[inject]`) → the model below → expand.rs.

mod expand;
mod parse;

use proc_macro2::TokenStream;
use syn::{Expr, Ident, Type};

use crate::common::Errors;

pub(crate) use expand::{dummy_injectable, injectable_impl};
pub(crate) use parse::{parse_struct, strip_inject_attrs};

/// The scope of an injectable.
#[derive(Clone, Copy)]
pub(crate) enum ScopeKind {
    Singleton,
    Transient,
    Request,
}

/// An injectable struct, as the macros understand it.
pub(crate) struct InjectableModel {
    pub(crate) ident: Ident,
    /// `None` for a unit struct.
    pub(crate) fields: Option<Vec<FieldModel>>,
    pub(crate) scope: Option<ScopeKind>,
}

/// One field and where its value comes from.
pub(crate) struct FieldModel {
    pub(crate) ident: Ident,
    pub(crate) source: FieldSource,
}

/// Where a field's value comes from.
pub(crate) enum FieldSource {
    /// `Arc<T>`: resolved by type.
    ByType(Type),
    /// `#[inject(TOKEN)]`.
    Token(Expr),
    /// `#[inject(default)]`.
    Default,
}

/// Entry point of `#[injectable]`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let mut item: syn::ItemStruct = match syn::parse2(item.clone()) {
        Ok(s) => s,
        Err(e) => {
            let e = syn::Error::new(
                e.span(),
                "`#[injectable]` goes on a struct: `#[injectable] struct MyService { dep: Arc<Other> }`",
            );
            errors.push(e);
            return wrong_item(errors, item);
        }
    };
    let scope = parse::parse_args(args, &mut errors);
    let model = parse_struct(&item, scope, "injectable", &mut errors);
    strip_inject_attrs(&mut item);
    match model {
        Some(model) if errors.is_empty() => {
            errors.finish().ok();
            let imp = injectable_impl(&model);
            let extra = expand::provider_class(&model);
            quote::quote! { #item #imp #extra }
        }
        _ => {
            // The struct as written, its errors, and stand-in impls: a module that lists it
            // or a service that depends on it compiles on, so the one mistake is one error.
            let dummy = dummy_impls(&item.ident, &item.generics);
            let errs = errors.into_compile_errors();
            quote::quote! { #item #errs #dummy }
        }
    }
}

/// The item as written and the error, plus stand-in impls when the item is a type (an enum
/// marked `#[injectable]` stays usable as a type without a second error).
fn wrong_item(errors: Errors, item: TokenStream) -> TokenStream {
    let errs = errors.into_compile_errors();
    let dummy = syn::parse2::<syn::DeriveInput>(item.clone())
        .map(|d| dummy_impls(&d.ident, &d.generics))
        .unwrap_or_default();
    quote::quote! { #errs #item #dummy }
}

/// `Injectable` and `ProviderClass` impls that never run (the crate does not compile), for a
/// type whose `#[injectable]` failed. None for a generic type (they would not fit it).
fn dummy_impls(ident: &syn::Ident, generics: &syn::Generics) -> TokenStream {
    if !generics.params.is_empty() {
        return TokenStream::new();
    }
    let injectable = expand::dummy_injectable(ident);
    quote::quote! {
        #injectable
        #[automatically_derived]
        impl ::hearth::__private::ProviderClass for #ident {}
    }
}
