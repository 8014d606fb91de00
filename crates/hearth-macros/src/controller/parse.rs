//! Parsing and checking of `#[controller(..)]` and of the attributes below it on the struct:
//! `#[use_middleware(..)]`, the lifecycle attributes and battery route attributes.

use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Ident, ItemStruct, LitStr, Token};

use crate::common::{Errors, is_attr, middleware_list, reserved_attr, route_params, skip_to_comma};
use crate::enhancers::Enhancers;

/// Keys reserved for features that come next.
const RESERVED_KEYS: &[&str] = &["pipes", "validation"];

/// Keys that are attributes of their own: `guards = [A]` is written `#[use_guards(A)]`.
const ATTRIBUTE_KEYS: &[(&str, &str)] = &[
    ("guards", "use_guards"),
    ("interceptors", "use_interceptors"),
    ("filters", "use_filters"),
    ("middleware", "use_middleware"),
    ("metadata", "set_metadata"),
];

/// Parses `"/prefix"` (optional); every other argument is an error (all reported).
pub(crate) fn parse_args(args: TokenStream, errors: &mut Errors) -> Option<LitStr> {
    let mut prefix = None;
    let parser = |input: ParseStream| -> syn::Result<()> {
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            check_prefix(&lit, errors);
            prefix = Some(lit);
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        while !input.is_empty() {
            if input.peek(LitStr) {
                let lit: LitStr = input.parse()?;
                errors.spanned(
                    &lit,
                    "the prefix must come first and only once, as in `#[controller(\"/api\")]`",
                );
            } else {
                let key: Ident = input.parse()?;
                let name = key.to_string();
                if let Some((_, attr)) = ATTRIBUTE_KEYS.iter().find(|(k, _)| *k == name) {
                    let list = list_value(input)?;
                    errors.spanned(&key, format!(
                        "`{name}` is not an argument of `#[controller]`; write `#[{attr}({list})]` on the struct, below `#[controller(..)]`"
                    ));
                } else if RESERVED_KEYS.contains(&name.as_str()) {
                    errors.spanned(&key, format!("`{name}` is reserved: {name} are not supported yet; use `#[use_middleware(..)]` or `#[use_interceptors(..)]` for now"));
                } else {
                    errors.spanned(&key, format!("unknown `#[controller]` argument `{name}`; expected only a path prefix, as in `#[controller(\"/api\")]`"));
                }
                skip_to_comma(input)?;
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(())
    };
    let parsed = parser.parse2(args);
    errors.check(parsed);
    prefix
}

/// The entries of `key = [a, b]` as text (`a, b`), for the suggestion; `..` when the value
/// is not a bracketed list. Leaves the input after the value untouched otherwise.
fn list_value(input: ParseStream) -> syn::Result<String> {
    if !input.peek(Token![=]) {
        return Ok("..".into());
    }
    let fork = input.fork();
    fork.parse::<Token![=]>()?;
    let inside = (|| -> syn::Result<TokenStream> {
        let content;
        syn::bracketed!(content in fork);
        content.parse()
    })();
    Ok(match inside {
        Ok(tokens) if !tokens.is_empty() => tokens.to_string().replace(" ,", ","),
        _ => "..".into(),
    })
}

fn check_prefix(lit: &LitStr, errors: &mut Errors) {
    let value = lit.value();
    match route_params(&value) {
        Err(msg) => errors.spanned(lit, msg.replace("route path", "controller prefix")),
        // Named parameters are fine (`/users/:user_id/posts`); a catch-all would swallow the
        // route paths that come after it.
        Ok(_) if value.split('/').any(|s| s.starts_with('*') || s.contains("{*")) => errors
            .spanned(
                lit,
                "a catch-all parameter cannot be in a controller prefix (every route path comes after it); move it into a route path",
            ),
        Ok(_) => {}
    }
}

/// The names of the prefix's parameters (the prefix was checked).
pub(crate) fn prefix_params(lit: &LitStr) -> Vec<String> {
    route_params(&lit.value()).unwrap_or_default()
}

/// The hearth attributes that have no place below `#[controller]`, with what to do instead.
const MISPLACED: &[(&str, &str)] = &[
    (
        "controller",
        "duplicate `#[controller]`; keep one (the prefix goes in it: `#[controller(\"/api\")]`)",
    ),
    (
        "injectable",
        "`#[controller]` already makes the struct injectable; remove `#[injectable]`",
    ),
    (
        "module",
        "a controller is not a module; declare the module on a unit struct of its own and list the controller in its `controllers = [..]`",
    ),
    (
        "routes",
        "`#[routes]` goes on the controller's `impl` block: `#[routes] impl UserController { .. }`",
    ),
];

/// Takes off the struct what `#[controller]` reads: `#[use_middleware(..)]` (any number), the
/// lifecycle attributes and battery route attributes (every attribute that is not Rust's).
pub(crate) fn take_struct_attrs(
    item: &mut ItemStruct,
    errors: &mut Errors,
) -> (Vec<Expr>, Enhancers) {
    let mut middleware = Vec::new();
    let mut enhancers = Enhancers::default();
    let owner = item.ident.to_string();
    item.attrs.retain(|attr| {
        if is_attr(attr, "use_middleware") {
            if let Some(list) = errors.check(middleware_list(attr)) {
                middleware.extend(list);
            }
            false
        } else if enhancers.take(attr, &owner, errors) {
            false
        } else if let Some(e) = reserved_attr(attr) {
            errors.push(e);
            false
        } else if let Some((_, msg)) = MISPLACED.iter().find(|(n, _)| is_attr(attr, n)) {
            errors.spanned(attr, msg);
            false
        } else if crate::battery::is_rust_attr(attr) {
            true
        } else {
            // A battery route attribute for every route of the controller.
            enhancers.battery(attr, errors);
            false
        }
    });
    (middleware, enhancers)
}
