//! `#[module(imports = [..], controllers = [..], providers = [..], exports = [..], global)]`
//! on a unit struct: its `Module` impl.
//!
//! parse.rs (arguments, entries) → the model below → expand.rs.

mod expand;
mod parse;

use proc_macro2::TokenStream;
use syn::{Expr, Ident, Path, Type};

use crate::common::Errors;

/// A module, as the macros understand it.
pub(crate) struct ModuleModel {
    pub(crate) ident: Ident,
    pub(crate) imports: Vec<Expr>,
    pub(crate) controllers: Vec<Type>,
    pub(crate) providers: Vec<ProviderEntry>,
    pub(crate) exports: Vec<ExportEntry>,
    pub(crate) global: bool,
}

/// An entry of `providers`.
pub(crate) enum ProviderEntry {
    /// A bare type: an `#[injectable]` class.
    Class(Type),
    /// Any other expression: a `Provider` value.
    Expr(Expr),
}

/// An entry of `exports`.
pub(crate) enum ExportEntry {
    /// A type key.
    Type(Type),
    /// A `Token` constant (SCREAMING_CASE last segment).
    Token(Path),
}

/// Entry point of `#[module]`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let item: syn::ItemStruct = match syn::parse2(item) {
        Ok(s) => s,
        Err(e) => {
            return syn::Error::new(
                e.span(),
                "`#[module]` goes on a unit struct: `#[module(providers = [..])] struct AppModule;`",
            )
            .to_compile_error();
        }
    };
    if !matches!(item.fields, syn::Fields::Unit) {
        errors.spanned(
            &item.fields,
            format!(
                "`#[module]` goes on a unit struct; remove the fields: `struct {};`",
                item.ident
            ),
        );
    }
    if !item.generics.params.is_empty() {
        errors.spanned(
            &item.generics,
            "`#[module]` does not support generic structs; remove the type parameters",
        );
    }
    let model = parse::parse_args(args, item.ident.clone(), &mut errors);
    if !errors.is_empty() {
        let errs = errors.to_compile_errors();
        return quote::quote! { #item #errs };
    }
    let out = expand::expand(&model);
    quote::quote! { #item #out }
}
