//! `#[module(imports = [..], controllers = [..], providers = [..], exports = [..], global)]`
//! on a unit struct: its `Module` impl.
//!
//! parse.rs (arguments, entries) → the model below → expand.rs.

mod expand;
mod parse;

use proc_macro2::TokenStream;
use syn::{Expr, Ident, Type};

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
    /// A bare entry: a type. A plain path is also looked up as a value, so that a token
    /// written bare is an error that says to write `token(..)`.
    Type(Type),
    /// `token(CONSTANT)`: a `Token<T>` constant (a plain path, also looked up as a type, so
    /// that a type written in `token(..)` is an error that says to write it bare).
    Token(Expr),
}

/// Entry point of `#[module]`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let item: syn::ItemStruct = match syn::parse2(item.clone()) {
        Ok(s) => s,
        Err(e) => {
            errors.finish().ok();
            let e = syn::Error::new(
                e.span(),
                "`#[module]` goes on a unit struct: `#[module(providers = [..])] struct AppModule;`",
            );
            // An enum is still a type: give it a stand-in `Module` impl, so that the modules
            // importing it do not fail a second time.
            let dummy = syn::parse2::<syn::DeriveInput>(item.clone())
                .ok()
                .filter(|d| d.generics.params.is_empty())
                .map(|d| expand::dummy(&d.ident))
                .unwrap_or_default();
            let out = crate::common::reemit(e, item);
            return quote::quote! { #out #dummy };
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
    let generic = !item.generics.params.is_empty();
    if generic {
        errors.spanned(
            &item.generics,
            "`#[module]` does not support generic structs; remove the type parameters",
        );
    }
    let model = parse::parse_args(args, item.ident.clone(), &mut errors);
    if !errors.is_empty() {
        let dummy = (!generic).then(|| expand::dummy(&item.ident));
        let errs = errors.into_compile_errors();
        return quote::quote! { #item #errs #dummy };
    }
    errors.finish().ok();
    let out = expand::expand(&model);
    quote::quote! { #item #out }
}
