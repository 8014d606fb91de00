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
    let exports = model.exports.iter().map(|e| match e {
        ExportEntry::Type(ty) => quote_spanned! {ty.span()=>
            .export(::hearth::__private::ProviderKey::of::<#ty>())
        },
        ExportEntry::Token(path) => quote_spanned! {path.span()=> .export(&#path) },
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
