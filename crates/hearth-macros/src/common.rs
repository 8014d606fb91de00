//! Helpers shared by every macro: the error collector, attribute-argument parsing and
//! route-path validation.

use std::fmt::Display;

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::parse::{ParseStream, Parser};
use syn::{Attribute, Ident, LitStr, Meta, Token};

/// Collects every error of one item, so that the user sees them all at once.
///
/// Like serde's `Ctxt`, it refuses to be dropped unchecked: a code path that collects errors
/// and then forgets to report them is a bug in this crate, caught by a panic in `Drop` (in
/// tests) rather than by an item that silently compiles. Consume it with
/// [`finish`](Errors::finish) or [`into_compile_errors`](Errors::into_compile_errors).
#[derive(Default)]
pub(crate) struct Errors {
    error: Option<syn::Error>,
    consumed: bool,
}

impl Errors {
    /// Adds an error.
    pub(crate) fn push(&mut self, e: syn::Error) {
        match &mut self.error {
            Some(all) => all.combine(e),
            None => self.error = Some(e),
        }
    }

    /// Adds an error spanning `tokens`.
    pub(crate) fn spanned(&mut self, tokens: impl ToTokens, msg: impl Display) {
        self.push(syn::Error::new_spanned(tokens, msg));
    }

    /// Runs a parser and records its error, if any.
    pub(crate) fn check<T>(&mut self, r: syn::Result<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(e);
                None
            }
        }
    }

    /// Whether no error was recorded.
    pub(crate) fn is_empty(&self) -> bool {
        self.error.is_none()
    }

    /// The combined error, if any (consumes the collector).
    pub(crate) fn finish(mut self) -> syn::Result<()> {
        self.consumed = true;
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// The errors as `compile_error!` invocations, nothing when there is none (consumes the
    /// collector).
    pub(crate) fn into_compile_errors(self) -> TokenStream {
        self.finish()
            .err()
            .map(|e| e.to_compile_error())
            .unwrap_or_default()
    }
}

impl Drop for Errors {
    fn drop(&mut self) {
        if !self.consumed && !std::thread::panicking() {
            panic!(
                "hearth-macros bug: an `Errors` collector was dropped unchecked; \
                 consume it with `finish()` or `into_compile_errors()`"
            );
        }
    }
}

/// What a macro writes when its item is not the kind it goes on (an enum for `#[injectable]`,
/// a function for `#[controller]`): the error, then the item unchanged, so that the one
/// mistake is the one error (the rest of the crate still sees the item).
pub(crate) fn reemit(error: syn::Error, item: TokenStream) -> TokenStream {
    let error = error.to_compile_error();
    quote::quote! { #error #item }
}

/// The tokens inside `#[name(..)]`; `None` for a bare `#[name]`. `#[name = ..]` is an error.
pub(crate) fn attr_tokens(attr: &Attribute) -> syn::Result<Option<TokenStream>> {
    match &attr.meta {
        Meta::Path(_) => Ok(None),
        Meta::List(list) => Ok(Some(list.tokens.clone())),
        Meta::NameValue(nv) => Err(syn::Error::new_spanned(
            nv,
            format!(
                "write `#[{}(..)]`, not `#[{} = ..]`",
                attr_name(attr),
                attr_name(attr)
            ),
        )),
    }
}

/// The last segment of an attribute's path, as a string.
pub(crate) fn attr_name(attr: &Attribute) -> String {
    attr.path()
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default()
}

/// Whether `attr` is `#[name]` / `#[name(..)]` (a single-segment path).
pub(crate) fn is_attr(attr: &Attribute, name: &str) -> bool {
    attr.path().is_ident(name)
}

/// Parses the optional string literal of `#[name]` / `#[name("value")]`; anything else is an
/// error naming the expected form.
pub(crate) fn optional_lit(attr: &Attribute, example: &str) -> syn::Result<Option<LitStr>> {
    let Some(tokens) = attr_tokens(attr)? else {
        return Ok(None);
    };
    let name = attr_name(attr);
    let parser = |input: ParseStream| -> syn::Result<Option<LitStr>> {
        if input.is_empty() {
            return Ok(None);
        }
        if !input.peek(LitStr) {
            return Err(input.error(format!(
                "unknown argument in `#[{name}]`; expected a string literal, as in `{example}`"
            )));
        }
        let lit: LitStr = input.parse()?;
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
            if !input.is_empty() {
                return Err(input.error(format!(
                    "unknown argument in `#[{name}]`; it takes one string literal, as in `{example}`"
                )));
            }
        }
        Ok(Some(lit))
    };
    parser.parse2(tokens)
}

/// Errors unless `#[name]` has no arguments.
pub(crate) fn no_args(attr: &Attribute) -> syn::Result<()> {
    match attr_tokens(attr)? {
        Some(t) if !t.is_empty() => Err(syn::Error::new_spanned(
            t,
            format!(
                "unknown argument in `#[{}]`; it takes none: write `#[{}]`",
                attr_name(attr),
                attr_name(attr)
            ),
        )),
        _ => Ok(()),
    }
}

/// Parses `#[use_middleware(expr, expr, ..)]`.
pub(crate) fn middleware_list(attr: &Attribute) -> syn::Result<Vec<syn::Expr>> {
    let tokens = attr_tokens(attr)?.unwrap_or_default();
    if tokens.is_empty() {
        return Err(syn::Error::new_spanned(
            attr,
            "`#[use_middleware]` needs at least one middleware, as in `#[use_middleware(Logger)]`",
        ));
    }
    let list =
        syn::punctuated::Punctuated::<syn::Expr, Token![,]>::parse_terminated.parse2(tokens)?;
    Ok(list.into_iter().collect())
}

/// Attributes reserved for features that come next.
pub(crate) const RESERVED_ATTRS: &[(&str, &str)] = &[("use_pipes", "pipes")];

/// An error for a reserved attribute, if `attr` is one.
pub(crate) fn reserved_attr(attr: &Attribute) -> Option<syn::Error> {
    RESERVED_ATTRS
        .iter()
        .find(|(name, _)| is_attr(attr, name))
        .map(|(name, what)| {
            syn::Error::new_spanned(
                attr,
                format!("`#[{name}]` is reserved: {what} are not supported yet; use `#[use_middleware(..)]` for now"),
            )
        })
}

/// Skips the tokens of one `key = value` argument, up to the next top-level comma (to keep
/// parsing after an unknown key and report every error).
pub(crate) fn skip_to_comma(input: ParseStream) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<proc_macro2::TokenTree>()?;
    }
    Ok(())
}

/// The identifier of a type's last path segment (`a::B<C>` → `B`).
pub(crate) fn type_last_ident(ty: &syn::Type) -> Option<&Ident> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| &s.ident),
        _ => None,
    }
}

/// `Some(T)` when `ty` is syntactically `Wrapper<T>` (`Arc`, `Option`, with any path prefix).
pub(crate) fn generic_inner<'a>(ty: &'a syn::Type, wrapper: &str) -> Option<&'a syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let last = p.path.segments.last()?;
    if last.ident != wrapper {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    if args.args.len() != 1 {
        return None;
    }
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

/// Validates a route path and returns its parameter names: `:id` / `*rest` segments and
/// `{id}` / `{*rest}` placeholders.
pub(crate) fn route_params(path: &str) -> Result<Vec<String>, String> {
    if !path.starts_with('/') {
        return Err(format!(
            "route path must start with `/`; write \"/{}\"",
            path.trim_start_matches('/')
        ));
    }
    let mut params: Vec<String> = Vec::new();
    let add = |name: &str, params: &mut Vec<String>| -> Result<(), String> {
        let name = name.strip_prefix('*').unwrap_or(name);
        if name.is_empty() {
            return Err(
                "empty path parameter name; name it, as in \"/users/:id\" or \"/users/{id}\""
                    .into(),
            );
        }
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "invalid path parameter name `{name}`; use letters, digits and `_`"
            ));
        }
        if params.iter().any(|p| p == name) {
            return Err(format!(
                "duplicate path parameter `{name}`; give each parameter its own name"
            ));
        }
        params.push(name.to_owned());
        Ok(())
    };
    for seg in path.split('/').skip(1) {
        if let Some(name) = seg.strip_prefix(':').or_else(|| seg.strip_prefix('*')) {
            let name = if seg.starts_with('*') { seg } else { name };
            if name.contains(['{', '}']) {
                return Err(format!(
                    "a `:`/`*` segment cannot contain braces: `{seg}`; write \":id\" or \"{{id}}\""
                ));
            }
            add(name, &mut params)?;
            continue;
        }
        let mut open: Option<usize> = None;
        let mut chars = seg.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                // `{{` and `}}` outside a parameter are escaped braces (as in matchit).
                '{' | '}' if open.is_none() && chars.peek().is_some_and(|&(_, n)| n == c) => {
                    chars.next();
                }
                '{' if open.is_some() => {
                    return Err(
                        "nested `{` in route path; close the parameter with `}` first".into(),
                    );
                }
                '{' => open = Some(i),
                '}' => match open.take() {
                    Some(start) => add(&seg[start + 1..i], &mut params)?,
                    None => {
                        return Err("unbalanced `}` in route path; open the parameter with `{`, as in \"/users/{id}\"".into());
                    }
                },
                _ => {}
            }
        }
        if open.is_some() {
            return Err(
                "unbalanced `{` in route path; close the parameter with `}`, as in \"/users/{id}\""
                    .into(),
            );
        }
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::{Errors, route_params};
    use proc_macro2::Span;

    #[test]
    fn errors_report_every_error_once_consumed() {
        let mut errors = Errors::default();
        assert!(errors.is_empty());
        errors.push(syn::Error::new(Span::call_site(), "first"));
        errors.push(syn::Error::new(Span::call_site(), "second"));
        let all: Vec<String> = errors
            .finish()
            .unwrap_err()
            .into_iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(all, ["first", "second"]);
        assert!(Errors::default().finish().is_ok());
        assert!(Errors::default().into_compile_errors().is_empty());
    }

    #[test]
    #[should_panic(expected = "dropped unchecked")]
    fn errors_dropped_unchecked_panic() {
        let mut errors = Errors::default();
        errors.push(syn::Error::new(Span::call_site(), "forgotten"));
    }

    #[test]
    fn route_paths() {
        assert_eq!(route_params("/").unwrap(), Vec::<String>::new());
        assert_eq!(route_params("/users/:id").unwrap(), ["id"]);
        assert_eq!(route_params("/a/{x}/b/{*rest}").unwrap(), ["x", "rest"]);
        assert_eq!(route_params("/files/*path").unwrap(), ["path"]);
        assert!(
            route_params("users")
                .unwrap_err()
                .contains("start with `/`")
        );
        assert!(
            route_params("/users/{id")
                .unwrap_err()
                .contains("unbalanced `{`")
        );
        assert!(
            route_params("/users/id}")
                .unwrap_err()
                .contains("unbalanced `}`")
        );
        assert!(route_params("/users/{}").unwrap_err().contains("empty"));
        assert!(route_params("/users/:").unwrap_err().contains("empty"));
        assert!(route_params("/users/*").unwrap_err().contains("empty"));
        assert!(
            route_params("/a/:id/b/:id")
                .unwrap_err()
                .contains("duplicate")
        );
        assert!(route_params("/a/:x-y").unwrap_err().contains("invalid"));
        assert!(route_params("/a/{x{y}}").unwrap_err().contains("nested"));
        assert_eq!(route_params("/a/{{literal}}/{x}").unwrap(), ["x"]);
    }
}
