//! Parsing of `#[routes]`: route attributes on methods, parameter attributes on arguments.
//! Every attribute the macro understands is removed from the output.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::parse::{ParseStream, Parser};
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, Ident, ImplItem, ImplItemFn, ItemImpl, LitStr, Pat, Token};

use super::{MethodSpec, ParamKind, ParamModel, RouteModel, RoutesModel};
use crate::common::{
    Errors, attr_name, attr_tokens, generic_inner, is_attr, middleware_list, no_args, optional_lit,
    reserved_attr,
};
use crate::enhancers::Enhancers;

/// The shorthand route attributes and their methods.
const SHORTHANDS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("post", "POST"),
    ("put", "PUT"),
    ("patch", "PATCH"),
    ("delete", "DELETE"),
    ("head", "HEAD"),
    ("options", "OPTIONS"),
];

/// The methods `#[route(METHOD, ..)]` accepts as identifiers.
pub(crate) const STANDARD_METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT",
];

/// The parameter attributes `#[routes]` owns; any other (but Rust's own) is a battery's.
const PARAM_ATTRS: &[&str] = &["body", "param", "query", "header", "ctx"];

fn is_route_attr(attr: &Attribute) -> bool {
    is_attr(attr, "route") || SHORTHANDS.iter().any(|(n, _)| is_attr(attr, n))
}

/// Builds the model and strips the attributes from `item`.
pub(crate) fn parse_impl(item: &mut ItemImpl, errors: &mut Errors) -> Option<RoutesModel> {
    if let Some((_, path, _)) = &item.trait_ {
        errors.spanned(
            path,
            "`#[routes]` goes on the controller's inherent `impl` block, not on a trait impl",
        );
        return None;
    }
    if !item.generics.params.is_empty() {
        errors.spanned(
            &item.generics,
            "`#[routes]` does not support generic impl blocks; remove the type parameters",
        );
    }
    let mut routes = Vec::new();
    for impl_item in &mut item.items {
        if let ImplItem::Fn(f) = impl_item {
            if let Some(route) = parse_fn(f, errors) {
                routes.push(route);
            }
        }
    }
    Some(RoutesModel {
        self_ty: (*item.self_ty).clone(),
        routes,
    })
}

/// The route of one method, if it has a route attribute.
fn parse_fn(f: &mut ImplItemFn, errors: &mut Errors) -> Option<RouteModel> {
    let name = f.sig.ident.clone();
    let mut route: Option<(MethodSpec, Option<LitStr>, TokenStream)> = None;
    let mut middleware = Vec::new();
    let mut middleware_attr: Option<TokenStream> = None;
    let mut enhancers = Enhancers::default();
    let is_route = f.attrs.iter().any(is_route_attr);
    let owner = name.to_string();
    f.attrs.retain(|attr| {
        if is_route_attr(attr) {
            if route.is_some() {
                errors.spanned(
                    attr,
                    format!("duplicate route attribute on `{name}`; a handler has one route: move the second one to its own method"),
                );
            } else if let Some((method, path)) = errors.check(parse_route_attr(attr)) {
                route = Some((method, path, attr.to_token_stream()));
            } else {
                // Keep a placeholder so that the method is still checked as a handler.
                route = Some((
                    MethodSpec::Standard(Ident::new("GET", attr.span())),
                    None,
                    attr.to_token_stream(),
                ));
            }
            false
        } else if is_attr(attr, "use_middleware") {
            middleware_attr.get_or_insert_with(|| attr.to_token_stream());
            if let Some(list) = errors.check(middleware_list(attr)) {
                middleware.extend(list);
            }
            false
        } else if enhancers.take(attr, &owner, errors) {
            false
        } else if let Some(e) = reserved_attr(attr) {
            errors.push(e);
            false
        } else if !is_route || crate::battery::is_rust_attr(attr) {
            // Not a route (a helper method keeps its attributes), or Rust's own.
            true
        } else {
            // A battery's route attribute (`#[roles("admin")]`): applied to the route's
            // metadata through the function of that name in scope.
            enhancers.battery(attr, errors);
            false
        }
    });
    let params = parse_params(f, route.is_some(), errors);
    let Some((method, path, attr)) = route else {
        if let Some(tokens) = middleware_attr.or(enhancers.first) {
            let what = short_attr(&tokens);
            errors.spanned(
                tokens,
                format!("`{what}` on `{name}`, which is not a route; add a route attribute such as `#[get(\"/\")]`"),
            );
        }
        return None;
    };
    super::check::check_signature(&f.sig, errors);
    if let Some(path) = &path {
        if let Err(msg) = crate::common::route_params(&path.value()) {
            errors.spanned(path, msg);
        }
    }
    let output_span = match &f.sig.output {
        syn::ReturnType::Default => f.sig.ident.span(),
        syn::ReturnType::Type(_, ty) => ty.span(),
    };
    Some(RouteModel {
        fn_ident: name,
        method,
        path,
        attr,
        middleware,
        enhancers,
        params,
        output_span,
    })
}

fn parse_route_attr(attr: &Attribute) -> syn::Result<(MethodSpec, Option<LitStr>)> {
    let name = attr_name(attr);
    if let Some((_, method)) = SHORTHANDS.iter().find(|(n, _)| *n == name) {
        let path = optional_lit(attr, &format!("#[{name}(\"/users/:id\")]"))?;
        return Ok((MethodSpec::Standard(Ident::new(method, attr.span())), path));
    }
    let Some(tokens) = attr_tokens(attr)?.filter(|t| !t.is_empty()) else {
        return Err(syn::Error::new_spanned(
            attr,
            "`#[route]` needs a method: `#[route(GET, \"/path\")]`",
        ));
    };
    let parser = |input: ParseStream| -> syn::Result<(MethodSpec, Option<LitStr>)> {
        let method = if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            let v = lit.value();
            let token = !v.is_empty()
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            if !token {
                return Err(syn::Error::new_spanned(
                    &lit,
                    "invalid HTTP method; use letters, as in `#[route(\"PURGE\", \"/cache\")]`",
                ));
            }
            MethodSpec::Custom(lit)
        } else {
            let ident: Ident = input.parse()?;
            let upper = ident.to_string().to_ascii_uppercase();
            if !STANDARD_METHODS.contains(&upper.as_str()) {
                return Err(syn::Error::new_spanned(
                    &ident,
                    format!(
                        "unknown HTTP method `{ident}`; expected one of {}, or a string such as `\"PURGE\"`",
                        STANDARD_METHODS.join(", ")
                    ),
                ));
            }
            MethodSpec::Standard(Ident::new(&upper, ident.span()))
        };
        if input.is_empty() {
            return Ok((method, None));
        }
        input.parse::<Token![,]>()?;
        if input.is_empty() {
            return Ok((method, None));
        }
        if !input.peek(LitStr) {
            return Err(input.error(
                "unknown argument in `#[route]`; expected a path string, as in `#[route(GET, \"/users/:id\")]`",
            ));
        }
        let path: LitStr = input.parse()?;
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
            if !input.is_empty() {
                return Err(input.error(
                    "unknown argument in `#[route]`; it takes a method and a path, as in `#[route(GET, \"/users/:id\")]`",
                ));
            }
        }
        Ok((method, Some(path)))
    };
    parser.parse2(tokens)
}

/// Parses (and strips) the parameter attributes of a method.
fn parse_params(f: &mut ImplItemFn, is_route: bool, errors: &mut Errors) -> Vec<ParamModel> {
    let mut out = Vec::new();
    for arg in f.sig.inputs.iter_mut() {
        let FnArg::Typed(pat_ty) = arg else { continue };
        let mut kind: Option<(ParamKind, TokenStream)> = None;
        let pat = pat_ty.pat.clone();
        let ty = (*pat_ty.ty).clone();
        pat_ty.attrs.retain(|attr| {
            let name = attr_name(attr);
            let own = attr.path().segments.len() == 1 && PARAM_ATTRS.contains(&name.as_str());
            if !own && crate::battery::is_rust_attr(attr) {
                return true;
            }
            if !is_route {
                errors.spanned(
                    attr,
                    format!("`#[{name}]` works only on route handlers; add a route attribute such as `#[get(\"/\")]` to `{}`", f.sig.ident),
                );
                return false;
            }
            if kind.is_some() {
                errors.spanned(
                    attr,
                    "a parameter takes one extractor attribute; remove this one",
                );
                return false;
            }
            let parsed = if own {
                parse_param_attr(attr, &name, &pat, &ty)
            } else {
                crate::battery::battery_call(attr).map(ParamKind::Attribute)
            };
            if let Some(k) = errors.check(parsed) {
                kind = Some((k, attr.to_token_stream()));
            } else {
                kind = Some((ParamKind::Invalid, attr.to_token_stream()));
            }
            false
        });
        let (kind, attr) = kind.unwrap_or_else(|| (ParamKind::Plain, pat_ty.to_token_stream()));
        out.push(ParamModel { ty, kind, attr });
    }
    out
}

fn parse_param_attr(
    attr: &Attribute,
    name: &str,
    pat: &Pat,
    ty: &syn::Type,
) -> syn::Result<ParamKind> {
    let ident_name = || -> syn::Result<String> {
        match pat {
            Pat::Ident(p) => Ok(p.ident.to_string().trim_start_matches("r#").to_owned()),
            _ => Err(syn::Error::new_spanned(
                attr,
                format!(
                    "`#[{name}]` cannot take its name from a pattern; name it: `#[{name}(\"id\")]`"
                ),
            )),
        }
    };
    Ok(match name {
        "body" => {
            no_args(attr)?;
            ParamKind::Body
        }
        "ctx" => {
            no_args(attr)?;
            ParamKind::Ctx
        }
        "param" => match optional_lit(attr, "#[param(\"id\")]")? {
            Some(lit) => ParamKind::Path(lit.value()),
            None => ParamKind::Path(ident_name()?),
        },
        "query" => match optional_lit(attr, "#[query(\"page\")]")? {
            Some(lit) => ParamKind::QueryKey(lit.value()),
            None => ParamKind::Query,
        },
        "header" => {
            let header = match optional_lit(attr, "#[header(\"x-request-id\")]")? {
                Some(lit) => {
                    let v = lit.value();
                    if v.is_empty()
                        || !v
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
                    {
                        return Err(syn::Error::new_spanned(
                            lit,
                            "invalid header name; use letters, digits and `-`, as in `#[header(\"x-request-id\")]`",
                        ));
                    }
                    v.to_ascii_lowercase()
                }
                None => ident_name()?.replace('_', "-"),
            };
            let _ = ty;
            ParamKind::Header(header)
        }
        _ => unreachable!("checked by the caller"),
    })
}

/// `Some(U)` when the type is `Option<U>`.
pub(crate) fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    generic_inner(ty, "Option")
}

/// `#[name]` of an attribute's tokens, for messages.
fn short_attr(tokens: &TokenStream) -> String {
    let text = tokens.to_string();
    let name: String = text
        .trim_start_matches('#')
        .trim_start()
        .trim_start_matches('[')
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
        .collect();
    format!("#[{name}]")
}
