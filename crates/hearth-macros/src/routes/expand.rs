//! Code generation for `#[routes]`: `impl Controller` with one `RouteDef` per handler, each
//! handler a closure that extracts the parameters, calls the method and renders the result.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use super::check::PrefixCheck;
use super::parse::option_inner;
use super::{MethodSpec, ParamKind, RouteModel, RoutesModel};
use crate::enhancers::{Kind, MetadataEntry};
use syn::spanned::Spanned;

/// `impl Controller` + the inventory descriptor.
pub(crate) fn expand(model: &RoutesModel, prefix_checks: &[PrefixCheck]) -> TokenStream {
    let self_ty = &model.self_ty;
    let name = quote!(#self_ty).to_string().replace(' ', "");
    let routes = model.routes.iter().map(route_def);
    let prefix_checks = prefix_checks.iter().map(|c| prefix_check(self_ty, c));
    quote! {
        #(#prefix_checks)*

        #[automatically_derived]
        impl ::hearth::__private::Controller for #self_ty {
            fn routes() -> ::hearth::__private::Vec<::hearth::__private::RouteDef<Self>> {
                ::hearth::__private::Vec::from([#(#routes),*])
            }
        }

        #[automatically_derived]
        impl ::hearth::__private::RoutesController for #self_ty {}

        ::hearth::__private::inventory::submit! {
            ::hearth::__private::ControllerDescriptor {
                name: #name,
                type_id: || ::hearth::__private::TypeId::of::<#self_ty>(),
            }
        }
    }
}

/// Impls that never run, for a `#[routes]` block with errors: the module that lists the
/// controller compiles on, so each mistake is reported once.
pub(crate) fn dummy(self_ty: &syn::Type) -> TokenStream {
    quote! {
        #[automatically_derived]
        impl ::hearth::__private::Controller for #self_ty {
            fn routes() -> ::hearth::__private::Vec<::hearth::__private::RouteDef<Self>> {
                ::hearth::__private::Vec::new()
            }
        }

        #[automatically_derived]
        impl ::hearth::__private::RoutesController for #self_ty {}
    }
}

/// A constant that fails to compile, with the check's message at its span, unless the
/// controller prefix's parameters include (or exclude) the name.
fn prefix_check(self_ty: &syn::Type, c: &PrefixCheck) -> TokenStream {
    let name = &c.name;
    // `panic!` takes the message as a format string.
    let message = c.message.replace('{', "{{").replace('}', "}}");
    let holds = if c.in_prefix {
        quote!(has)
    } else {
        quote!(!has)
    };
    quote_spanned! {c.span=>
        const _: () = {
            let has = ::hearth::__private::has_param(
                <#self_ty as ::hearth::__private::ControllerMeta>::PREFIX_PARAMS,
                #name,
            );
            if !(#holds) {
                ::core::panic!(#message);
            }
        };
    }
}

fn reject() -> TokenStream {
    quote! {
        ::hearth::__private::Result::Err(__hearth_rejection) => {
            return ::hearth::__private::IntoResponse::into_response(__hearth_rejection);
        }
    }
}

fn route_def(route: &RouteModel) -> TokenStream {
    let method = match &route.method {
        MethodSpec::Standard(m) => quote!(::hearth::__private::Method::#m),
        MethodSpec::Custom(lit) => {
            let bytes = syn::LitByteStr::new(lit.value().as_bytes(), lit.span());
            quote! {
                ::hearth::__private::Method::from_bytes(#bytes)
                    .expect("the method was checked by #[routes]")
            }
        }
    };
    let path = route.path_value();
    let fn_ident = &route.fn_ident;
    let fn_name = fn_ident.to_string();
    let parts = format_ident!("__hearth_parts");
    let reject = reject();

    // Which parameter reads the body: a `#[body]`, else the last one without an attribute.
    let has_body_attr = route
        .params
        .iter()
        .any(|p| matches!(p.kind, ParamKind::Body));
    let body_index = if has_body_attr {
        route
            .params
            .iter()
            .position(|p| matches!(p.kind, ParamKind::Body))
    } else {
        route
            .params
            .iter()
            .rposition(|p| matches!(p.kind, ParamKind::Plain))
    };

    let mut needs_mut = false;
    let mut part_lets = Vec::new();
    let mut body_let = None;
    let mut args = Vec::new();
    for (i, p) in route.params.iter().enumerate() {
        let var = format_ident!("__hearth_arg{}", i);
        args.push(var.clone());
        let ty = &p.ty;
        let span = syn::spanned::Spanned::span(ty);
        if Some(i) == body_index {
            body_let = Some(match &p.kind {
                ParamKind::Body => quote_spanned! {span=>
                    let #var: #ty = match ::hearth::__private::extract_body::<#ty>(__hearth_req).await {
                        ::hearth::__private::Result::Ok(__hearth_value) => __hearth_value,
                        ::hearth::__private::Result::Err(__hearth_response) => return __hearth_response,
                    };
                },
                _ => quote_spanned! {span=>
                    let #var: #ty = match <#ty as ::hearth::__private::FromRequest<_>>::from_request(__hearth_req).await {
                        ::hearth::__private::Result::Ok(__hearth_value) => __hearth_value,
                        #reject
                    };
                },
            });
            continue;
        }
        let value = match &p.kind {
            ParamKind::Attribute(call) => {
                needs_mut = true;
                quote_spanned! {span=>
                    match ::hearth::__private::extract_param::<#ty, _>(#call, &mut #parts).await {
                        ::hearth::__private::Result::Ok(__hearth_value) => __hearth_value,
                        ::hearth::__private::Result::Err(__hearth_response) => return __hearth_response,
                    }
                }
            }
            ParamKind::Plain | ParamKind::Ctx | ParamKind::Body | ParamKind::Invalid => {
                needs_mut = true;
                quote_spanned! {span=>
                    match <#ty as ::hearth::__private::FromRequestParts>::from_request_parts(&mut #parts).await {
                        ::hearth::__private::Result::Ok(__hearth_value) => __hearth_value,
                        #reject
                    }
                }
            }
            ParamKind::Query => {
                needs_mut = true;
                quote_spanned! {span=>
                    match <::hearth::__private::Query<#ty> as ::hearth::__private::FromRequestParts>::from_request_parts(&mut #parts).await {
                        ::hearth::__private::Result::Ok(__hearth_value) => __hearth_value.0,
                        #reject
                    }
                }
            }
            ParamKind::Path(name) => quote_spanned! {span=>
                match ::hearth::__private::path_param::<#ty>(&#parts, #name) {
                    ::hearth::__private::Result::Ok(__hearth_value) => __hearth_value,
                    #reject
                }
            },
            ParamKind::QueryKey(key) => lookup(
                ty,
                span,
                quote!(::hearth::__private::query_value),
                key,
                quote!(MissingQueryParam),
            ),
            ParamKind::Header(name) => lookup(
                ty,
                span,
                quote!(::hearth::__private::header_value),
                name,
                quote!(MissingHeader),
            ),
        };
        part_lets.push(quote! { let #var: #ty = #value; });
    }

    let mutability = needs_mut.then(|| quote!(mut));
    let split = match (route.params.is_empty(), body_index.is_some()) {
        (true, _) => quote! { let _ = __hearth_req; },
        (false, true) => quote! {
            let (#mutability #parts, __hearth_body) = __hearth_req.into_parts();
            #(#part_lets)*
            let __hearth_req = ::hearth::__private::Request::from_parts(#parts, __hearth_body);
        },
        (false, false) => quote! {
            let (#mutability #parts, _) = __hearth_req.into_parts();
            #(#part_lets)*
        },
    };
    let render = quote_spanned! {route.output_span=>
        ::hearth::__private::IntoResponse::into_response(__hearth_output)
    };
    let middleware = (!route.middleware.is_empty()).then(|| {
        let items = route.middleware.iter().map(|m| {
            let span = syn::spanned::Spanned::span(m);
            quote_spanned! {span=> ::hearth::__private::middleware(#m) }
        });
        quote! { .with_middleware(::hearth::__private::Vec::from([#(#items),*])) }
    });
    // A handler that reads only the path, query and headers needs no request context (no
    // providers, session or body limits): the application skips setting it up.
    let context_free = route
        .params
        .iter()
        .all(|p| {
            matches!(
                p.kind,
                ParamKind::Path(_)
                    | ParamKind::Query
                    | ParamKind::QueryKey(_)
                    | ParamKind::Header(_)
            )
        })
        .then(|| quote! { .context_free() });
    let injected = route
        .params
        .iter()
        // The parameter that reads the body is probed too: a lone `Inject<T>` is one.
        .filter(|p| matches!(p.kind, ParamKind::Plain | ParamKind::Ctx))
        .map(|p| {
            let ty = &p.ty;
            quote! {
                for __hearth_dep in (&&::hearth::__private::DepsProbe::<#ty>::new()).param_dependencies() {
                    __hearth_route = __hearth_route.depends_on(__hearth_dep);
                }
            }
        });
    let enhancers = Kind::ALL.into_iter().filter_map(|kind| {
        let defs = route.enhancers.defs(kind)?;
        let with = syn::Ident::new(kind.route_method(), proc_macro2::Span::call_site());
        Some(quote! { .#with(#defs) })
    });
    let metadata = route.enhancers.metadata.iter().map(|m| match m {
        MetadataEntry::Value(value) => quote_spanned! {value.span()=> .metadata(#value) },
        MetadataEntry::Attribute(call) => quote! { .attribute(#call) },
    });
    let route_def = quote! {
        ::hearth::__private::RouteDef::<Self>::new(
            #method,
            #path,
            #fn_name,
            |__hearth_this: ::hearth::__private::Arc<Self>, __hearth_req: ::hearth::__private::Request| {
                ::hearth::__private::Box::pin(async move {
                    #split
                    #body_let
                    let __hearth_output = __hearth_this.#fn_ident(#(#args),*).await;
                    #render
                })
            },
        )
        #context_free
        #middleware
        #(#enhancers)*
        #(#metadata)*
    };
    quote! {{
        #[allow(unused_imports)]
        use ::hearth::__private::{InjectDeps as _, NoDeps as _};
        #[allow(unused_mut)]
        let mut __hearth_route = #route_def;
        #(#injected)*
        __hearth_route
    }}
}

/// `#[query("key")]` / `#[header("name")]`: optional when the type is `Option<_>`, required
/// (with the `missing` rejection) otherwise.
fn lookup(
    ty: &syn::Type,
    span: Span,
    getter: TokenStream,
    name: &str,
    missing: TokenStream,
) -> TokenStream {
    let parts = format_ident!("__hearth_parts");
    let reject = reject();
    match option_inner(ty) {
        Some(inner) => quote_spanned! {span=>
            match #getter::<#inner>(&#parts, #name) {
                ::hearth::__private::Result::Ok(__hearth_value) => __hearth_value,
                #reject
            }
        },
        None => quote_spanned! {span=>
            match ::hearth::__private::required(
                #getter::<#ty>(&#parts, #name),
                ::hearth::__private::Rejection::#missing(#name),
            ) {
                ::hearth::__private::Result::Ok(__hearth_value) => __hearth_value,
                #reject
            }
        },
    }
}
