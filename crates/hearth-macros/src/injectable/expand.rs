//! Code generation for `#[injectable]` (and the DI half of `#[controller]`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::{FieldSource, InjectableModel, ScopeKind};

/// `impl Injectable for T` (dependencies, constructor, scope, lifecycle hooks).
pub(crate) fn injectable_impl(model: &InjectableModel) -> TokenStream {
    let ident = &model.ident;
    let resolver = format_ident!("__hearth_resolver");
    let fields = model.fields.as_deref().unwrap_or_default();
    let deps = fields.iter().filter_map(|f| {
        let name = f.ident.to_string();
        match &f.source {
            FieldSource::ByType(ty) => Some(quote_spanned! {ty.span()=>
                ::hearth::__private::Dependency::of::<#ty>(#name)
            }),
            FieldSource::Token(token) => Some(quote_spanned! {token.span()=>
                ::hearth::__private::Dependency::token(&#token, #name)
            }),
            FieldSource::Default => None,
        }
    });
    let inits = fields.iter().map(|f| {
        let name = &f.ident;
        let value = match &f.source {
            FieldSource::ByType(ty) => quote_spanned! {ty.span()=>
                #resolver.get::<#ty>()?
            },
            FieldSource::Token(token) => quote_spanned! {token.span()=>
                #resolver.get_token(&#token)?
            },
            FieldSource::Default => quote! { ::hearth::__private::Default::default() },
        };
        quote! { #name: #value }
    });
    let construct = match &model.fields {
        None => quote! { #ident },
        Some(_) => quote! { #ident { #(#inits,)* } },
    };
    let scope = model.scope.map(|s| {
        let variant = match s {
            ScopeKind::Singleton => quote!(Singleton),
            ScopeKind::Transient => quote!(Transient),
            ScopeKind::Request => quote!(Request),
        };
        quote! {
            fn scope() -> ::hearth::__private::Scope {
                ::hearth::__private::Scope::#variant
            }
        }
    });
    quote! {
        #[automatically_derived]
        impl ::hearth::__private::Injectable for #ident {
            fn dependencies() -> ::hearth::__private::Vec<::hearth::__private::Dependency> {
                ::hearth::__private::Vec::from([#(#deps),*])
            }

            fn construct(
                #resolver: &::hearth::__private::Resolver,
            ) -> ::hearth::__private::Result<Self, ::hearth::__private::DiError> {
                ::hearth::__private::Result::Ok(#construct)
            }

            #scope

            fn lifecycle() -> ::hearth::__private::Lifecycle<Self> {
                #[allow(unused_imports)]
                use ::hearth::__private::{
                    WithBeforeShutdown as _, WithInit as _, WithShutdown as _,
                    WithoutBeforeShutdown as _, WithoutInit as _, WithoutShutdown as _,
                };
                let lifecycle = ::hearth::__private::Lifecycle::none();
                let lifecycle = (&&::hearth::__private::HookProbe::<Self>::new())
                    .lifecycle_init(lifecycle);
                let lifecycle = (&&::hearth::__private::HookProbe::<Self>::new())
                    .lifecycle_before_shutdown(lifecycle);
                (&&::hearth::__private::HookProbe::<Self>::new()).lifecycle_shutdown(lifecycle)
            }
        }
    }
}

/// An `impl Injectable` that is never run: written next to the errors of a struct whose
/// macro failed, so that its uses do not fail a second time.
pub(crate) fn dummy_injectable(ident: &syn::Ident) -> TokenStream {
    quote! {
        #[automatically_derived]
        impl ::hearth::__private::Injectable for #ident {
            fn dependencies() -> ::hearth::__private::Vec<::hearth::__private::Dependency> {
                ::hearth::__private::Vec::new()
            }

            fn construct(
                _: &::hearth::__private::Resolver,
            ) -> ::hearth::__private::Result<Self, ::hearth::__private::DiError> {
                ::core::unreachable!("the crate did not compile")
            }
        }
    }
}

/// What only `#[injectable]` (not `#[controller]`) writes: the `ProviderClass` marker that
/// lets the type stand in `#[module(providers = [..])]`, and its inventory descriptor.
pub(crate) fn provider_class(model: &InjectableModel) -> TokenStream {
    let ident = &model.ident;
    let name = ident.to_string();
    quote! {
        #[automatically_derived]
        impl ::hearth::__private::ProviderClass for #ident {}

        ::hearth::__private::inventory::submit! {
            ::hearth::__private::InjectableDescriptor {
                name: #name,
                type_id: || ::hearth::__private::TypeId::of::<#ident>(),
            }
        }
    }
}
