//! Battery attributes: every attribute on a handler (or a parameter) that `#[routes]` does
//! not own and that is not Rust's is a battery's, resolved by path where it is written — the
//! one convention every battery uses (`docs/architecture.md`).

use proc_macro2::TokenStream;
use syn::spanned::Spanned;
use syn::{Attribute, Meta, Token};

use crate::common::attr_name;

/// Rust's own attributes (and those of its tools) that may sit on a handler, a parameter or a
/// controller struct: `#[routes]` and `#[controller]` leave them where they are. Every other attribute it does not own is a
/// battery's attribute, resolved by path (see [`battery_call`]).
const RUST_ATTRS: &[&str] = &[
    "allow",
    "warn",
    "deny",
    "forbid",
    "expect",
    "cfg",
    "cfg_attr",
    "doc",
    "inline",
    "cold",
    "must_use",
    "deprecated",
    "track_caller",
    "instrument",
    "derive",
    "repr",
    "non_exhaustive",
    "automatically_derived",
];

/// Tool namespaces whose attributes are left in place (`#[rustfmt::skip]`,
/// `#[tracing::instrument]`…).
const RUST_TOOLS: &[&str] = &["rustfmt", "clippy", "diagnostic", "tracing"];

/// Whether `attr` is Rust's (kept in place) rather than a battery's.
pub(crate) fn is_rust_attr(attr: &Attribute) -> bool {
    let path = attr.path();
    if path.segments.len() > 1 {
        return path
            .segments
            .first()
            .is_some_and(|s| RUST_TOOLS.iter().any(|t| s.ident == t));
    }
    path.get_ident()
        .is_some_and(|i| RUST_ATTRS.iter().any(|a| i == a))
}

/// The call a battery attribute stands for, resolved where the attribute is written:
/// `#[name]` → `name()`, `#[name(a, b)]` → `name(a, b)`, and named arguments or bare
/// lowercase flags become builder calls: `#[throttle(limit = 10, per = "1m")]` →
/// `throttle().limit(10).per("1m")`, `#[csrf(skip)]` → `csrf().skip()`.
pub(crate) fn battery_call(attr: &Attribute) -> syn::Result<TokenStream> {
    use syn::punctuated::Punctuated;
    let path = attr.path();
    let args = match &attr.meta {
        Meta::Path(_) => Punctuated::<syn::Expr, Token![,]>::new(),
        Meta::List(list) => {
            list.parse_args_with(Punctuated::<syn::Expr, Token![,]>::parse_terminated)?
        }
        Meta::NameValue(nv) => {
            return Err(syn::Error::new_spanned(
                nv,
                format!(
                    "`#[{} = ..]` is not a battery attribute; write `#[{}(..)]`",
                    attr_name(attr),
                    attr_name(attr)
                ),
            ));
        }
    };
    let mut positional = Vec::new();
    let mut builder = Vec::new();
    for arg in args {
        match arg {
            syn::Expr::Assign(a) => match &*a.left {
                syn::Expr::Path(p) if p.path.get_ident().is_some() => {
                    let name = p.path.get_ident().cloned();
                    let value = &a.right;
                    builder.push(quote::quote! { .#name(#value) });
                }
                other => {
                    return Err(syn::Error::new_spanned(
                        other,
                        "a named argument takes a plain name: `name = value`",
                    ));
                }
            },
            syn::Expr::Path(p)
                if p.qself.is_none()
                    && p.path.get_ident().is_some_and(|i| {
                        let s = i.to_string();
                        s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    }) =>
            {
                let name = p.path.get_ident().cloned();
                builder.push(quote::quote! { .#name() });
            }
            other => {
                if !builder.is_empty() {
                    return Err(syn::Error::new_spanned(
                        other,
                        "positional arguments come before named ones",
                    ));
                }
                positional.push(other);
            }
        }
    }
    let span = attr.path().span();
    Ok(quote::quote_spanned! {span=> #path(#(#positional),*) #(#builder)* })
}
