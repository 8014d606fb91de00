//! Code generation for `#[controller]`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::ControllerModel;
use crate::enhancers::{Kind, MetadataEntry};
use crate::injectable::{dummy_injectable, injectable_impl};

/// `impl Injectable` + `impl ControllerMeta`.
pub(crate) fn expand(model: &ControllerModel) -> TokenStream {
    let ident = &model.injectable.ident;
    let injectable = injectable_impl(&model.injectable);
    let prefix = model
        .prefix
        .as_ref()
        .map(|l| l.value())
        .unwrap_or_else(|| "/".to_owned());
    let middleware = (!model.middleware.is_empty()).then(|| {
        let items = model.middleware.iter().map(|m| {
            quote_spanned! {m.span()=> ::hearth::__private::middleware(#m) }
        });
        quote! {
            fn middleware() -> ::hearth::__private::Vec<::hearth::__private::SharedMiddleware> {
                ::hearth::__private::Vec::from([#(#items),*])
            }
        }
    });
    let enhancers = Kind::ALL.into_iter().filter_map(|kind| {
        let defs = model.enhancers.defs(kind)?;
        let f = syn::Ident::new(kind.controller_method(), proc_macro2::Span::call_site());
        let def = syn::Ident::new(kind.def_type(), proc_macro2::Span::call_site());
        Some(quote! {
            fn #f() -> ::hearth::__private::Vec<::hearth::__private::#def> {
                #defs
            }
        })
    });
    let metadata = metadata(&model.enhancers.metadata);
    let params = model
        .prefix
        .as_ref()
        .map(super::parse::prefix_params)
        .unwrap_or_default();
    let params = (!params.is_empty()).then(|| {
        quote! {
            const PREFIX_PARAMS: &'static [&'static str] = &[#(#params),*];
        }
    });
    quote! {
        #injectable

        #[automatically_derived]
        impl ::hearth::__private::ControllerMeta for #ident {
            fn prefix() -> &'static str {
                #prefix
            }
            #params
            #middleware
            #(#enhancers)*
            #metadata
        }
    }
}

/// `fn metadata()`: every value and battery attribute applied in the order written.
fn metadata(entries: &[MetadataEntry]) -> Option<TokenStream> {
    if entries.is_empty() {
        return None;
    }
    let m = quote!(__hearth_metadata);
    let apply = entries.iter().map(|e| match e {
        MetadataEntry::Value(value) => quote_spanned! {value.span()=>
            #m.insert(#value);
        },
        MetadataEntry::Attribute(call) => quote_spanned! {call.span()=>
            ::hearth::__private::RouteAttribute::apply(#call, &mut #m);
        },
    });
    Some(quote! {
        fn metadata() -> ::hearth::__private::Metadata {
            let mut #m = ::hearth::__private::Metadata::new();
            #(#apply)*
            #m
        }
    })
}

/// Impls that never run, for a controller whose attribute has errors: its `#[routes]` block
/// and the modules that list it compile on, so the mistake is reported once.
pub(crate) fn dummy(ident: &syn::Ident, prefix: Option<&syn::LitStr>) -> TokenStream {
    let injectable = dummy_injectable(ident);
    // The prefix's parameters, when it parsed: `#[routes]` checks its `#[param]`s against them.
    let params = prefix.map(super::parse::prefix_params).unwrap_or_default();
    quote! {
        #injectable

        #[automatically_derived]
        impl ::hearth::__private::ControllerMeta for #ident {
            fn prefix() -> &'static str {
                "/"
            }
            const PREFIX_PARAMS: &'static [&'static str] = &[#(#params),*];
        }
    }
}
