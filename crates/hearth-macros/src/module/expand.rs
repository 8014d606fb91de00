//! Code generation for `#[module]`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::{ExportEntry, ModuleModel, ProviderEntry};

/// `impl Module`.
pub(crate) fn expand(model: &ModuleModel) -> TokenStream {
    let ident = &model.ident;
    let name = ident.to_string();
    let imports = model.imports.iter().map(|e| {
        quote_spanned! {e.span()=>
            .import(::hearth::__private::IntoImport::into_import(#e))
        }
    });
    let providers = model.providers.iter().map(|p| match p {
        ProviderEntry::Class(ty) => quote_spanned! {ty.span()=>
            .provider(::hearth::__private::provider_class::<#ty>())
        },
        ProviderEntry::Expr(e) => quote_spanned! {e.span()=> .provider(#e) },
    });
    let controllers = model.controllers.iter().map(|ty| {
        quote_spanned! {ty.span()=>
            .controller_def(::hearth::__private::controller_def::<#ty>())
        }
    });
    let exports = model.exports.iter().map(|e| {
        let key = match e {
            ExportEntry::Type(ty) => export_type(ty),
            ExportEntry::Token(expr) => export_token(expr),
        };
        quote! { .export(#key) }
    });
    let global = model.global.then(|| quote!(.global()));
    quote! {
        #[automatically_derived]
        impl ::hearth::__private::Module for #ident {
            fn definition() -> ::hearth::__private::ModuleDef {
                ::hearth::__private::ModuleDef::new(#name)
                    #(#imports)*
                    #(#providers)*
                    #(#controllers)*
                    #(#exports)*
                    #global
            }
        }
    }
}

/// The plain path of an export entry, when it has one that `use` can import: no generic
/// arguments, no `Self`, no primitive spelled as a module.
fn importable(path: &syn::Path) -> bool {
    path.segments.iter().all(|s| s.arguments.is_none()) && !path.is_ident("Self")
}

/// The key of a bare entry. A plain path `P` is imported under one name in both namespaces,
/// with a glob fallback for the namespace `P` lacks: a type resolves to itself; a constant
/// written bare (`DB`) resolves to the fallback type, and the probe then reports it with
/// the fix (`token(DB)`).
fn export_type(ty: &syn::Type) -> TokenStream {
    let span = ty.span();
    match ty {
        syn::Type::Path(p) if p.qself.is_none() && importable(&p.path) => {
            let path = &p.path;
            quote_spanned! {span=> {
                #[allow(unused_imports)]
                use ::hearth::__private::export_probe::*;
                #[allow(unused_imports)]
                use #path as __HearthExport;
                #[allow(unused_imports)]
                use ::hearth::__private::{BareEntry as _, BareToken as _};
                (&&::hearth::__private::ExportProbe::<__HearthExport, _>::of(&__HearthExport))
                    .export_key(&__HearthExport)
            }}
        }
        _ => quote_spanned! {span=> ::hearth::__private::ProviderKey::of::<#ty>() },
    }
}

/// The key of `token(expr)`. A plain path is imported in both namespaces as for a bare entry:
/// a type written in `token(..)` resolves to the fallback value, and the probe reports it with
/// the fix (write it bare).
fn export_token(expr: &syn::Expr) -> TokenStream {
    let span = expr.span();
    match expr {
        syn::Expr::Path(p) if p.qself.is_none() && importable(&p.path) => {
            let path = &p.path;
            quote_spanned! {span=> {
                #[allow(unused_imports)]
                use ::hearth::__private::export_probe::*;
                #[allow(unused_imports)]
                use #path as __HearthExport;
                #[allow(unused_imports)]
                use ::hearth::__private::{TokenEntry as _, TypeInToken as _, UnitTypeInToken as _};
                (&&::hearth::__private::ExportProbe::<__HearthExport, _>::of(&__HearthExport))
                    .token_key(&__HearthExport)
            }}
        }
        _ => quote_spanned! {span=> ::hearth::__private::token_key(&#expr) },
    }
}

/// A `Module` impl that never runs, for a module whose attribute has errors: the modules
/// that import it compile on, so each mistake is reported once.
pub(crate) fn dummy(ident: &syn::Ident) -> TokenStream {
    let name = ident.to_string();
    quote! {
        #[automatically_derived]
        impl ::hearth::__private::Module for #ident {
            fn definition() -> ::hearth::__private::ModuleDef {
                ::hearth::__private::ModuleDef::new(#name)
            }
        }
    }
}
