//! `#[routes]` on a controller's inherent `impl`: every method marked with a route attribute
//! (`#[get]`, `#[post]`, …, `#[route(METHOD, path)]`) becomes a route of `impl Controller`.
//!
//! parse.rs (attributes → the model below, stripping them) → check.rs (handler shape, path
//! parameters, body count; what needs the controller's prefix becomes a compile-time
//! constant) → expand.rs.

mod check;
mod expand;
mod parse;

use proc_macro2::{Span, TokenStream};
use syn::{Expr, Ident, LitStr, Type};

use crate::common::Errors;

/// The controller's impl block.
pub(crate) struct RoutesModel {
    pub(crate) self_ty: Type,
    pub(crate) routes: Vec<RouteModel>,
}

/// One route handler.
pub(crate) struct RouteModel {
    pub(crate) fn_ident: Ident,
    pub(crate) method: MethodSpec,
    /// The path literal; `None` means `"/"`.
    pub(crate) path: Option<LitStr>,
    /// The route attribute, for errors about a path that was not written.
    pub(crate) attr: TokenStream,
    pub(crate) middleware: Vec<Expr>,
    /// `#[use_guards]`, `#[use_interceptors]`, `#[use_filters]`, `#[set_metadata]` and
    /// battery route attributes.
    pub(crate) enhancers: crate::enhancers::Enhancers,
    pub(crate) params: Vec<ParamModel>,
    /// The return type's span (for "does not implement IntoResponse").
    pub(crate) output_span: Span,
}

impl RouteModel {
    /// The path (default `/`).
    pub(crate) fn path_value(&self) -> String {
        self.path
            .as_ref()
            .map(LitStr::value)
            .unwrap_or_else(|| "/".to_owned())
    }
}

/// The HTTP method of a route.
pub(crate) enum MethodSpec {
    /// A standard method: `GET`, `POST`, …
    Standard(Ident),
    /// Any other method token, as in `#[route("PURGE", "/cache")]`.
    Custom(LitStr),
}

/// One handler parameter.
pub(crate) struct ParamModel {
    pub(crate) ty: Type,
    pub(crate) kind: ParamKind,
    /// The parameter attribute (or the parameter, without one), for error spans.
    pub(crate) attr: TokenStream,
}

/// How a parameter is extracted.
pub(crate) enum ParamKind {
    /// A battery's parameter attribute (`#[session]`, `#[user]`): the call it stands for.
    Attribute(TokenStream),
    /// `#[body]`.
    Body,
    /// `#[param]` / `#[param("id")]`.
    Path(String),
    /// `#[query]`: the whole query string.
    Query,
    /// `#[query("key")]`.
    QueryKey(String),
    /// `#[header("name")]`.
    Header(String),
    /// `#[ctx]`.
    Ctx,
    /// No attribute: the type's own extractor.
    Plain,
    /// An attribute that did not parse (already reported; suppresses follow-up checks).
    Invalid,
}

/// Entry point of `#[routes]`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    if !args.is_empty() {
        errors.spanned(
            &args,
            "unknown argument in `#[routes]`; it takes none: the prefix goes on `#[controller(\"/prefix\")]`",
        );
    }
    let mut item: syn::ItemImpl = match syn::parse2(item.clone()) {
        Ok(i) => i,
        Err(e) => {
            errors.push(syn::Error::new(
                e.span(),
                "`#[routes]` goes on the controller's `impl` block: `#[routes] impl UserController { .. }`",
            ));
            let errs = errors.into_compile_errors();
            return quote::quote! { #errs #item };
        }
    };
    let model = parse::parse_impl(&mut item, &mut errors);
    let prefix_checks = match &model {
        Some(model) => check::check(model, &mut errors),
        None => Vec::new(),
    };
    match model {
        Some(model) if errors.is_empty() => {
            errors.finish().ok();
            let out = expand::expand(&model, &prefix_checks);
            quote::quote! { #item #out }
        }
        Some(model) if item.generics.params.is_empty() => {
            // Stand-in impls: the module that lists the controller compiles on.
            let dummy = expand::dummy(&model.self_ty);
            let errs = errors.into_compile_errors();
            quote::quote! { #item #errs #dummy }
        }
        _ => {
            let errs = errors.into_compile_errors();
            quote::quote! { #item #errs }
        }
    }
}
