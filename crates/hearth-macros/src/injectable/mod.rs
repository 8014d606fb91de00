//! `#[injectable]`: the DI constructor of a struct (also used by `#[controller]`).
//!
//! parse.rs (attribute arguments, fields, `#[inject]`) → the model below → expand.rs.

mod expand;
mod parse;

use proc_macro2::TokenStream;
use syn::{Expr, Ident, Type};

use crate::common::Errors;

pub(crate) use expand::injectable_impl;
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
    let mut item: syn::ItemStruct = match syn::parse2(item) {
        Ok(s) => s,
        Err(e) => {
            return syn::Error::new(
                e.span(),
                "`#[injectable]` goes on a struct: `#[injectable] struct MyService { dep: Arc<Other> }`",
            )
            .to_compile_error();
        }
    };
    let scope = errors.check(parse::parse_args(args)).flatten();
    let model = parse_struct(&item, scope, "injectable", &mut errors);
    strip_inject_attrs(&mut item);
    if !errors.is_empty() {
        let errs = errors.to_compile_errors();
        return quote::quote! { #item #errs };
    }
    let Some(model) = model else {
        return quote::quote! { #item };
    };
    let imp = injectable_impl(&model);
    let extra = expand::provider_class(&model);
    quote::quote! { #item #imp #extra }
}
