//! Code generation for `#[controller]`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::ControllerModel;
use crate::injectable::injectable_impl;

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
        }
    }
}
