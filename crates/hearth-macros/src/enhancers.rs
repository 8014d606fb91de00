//! The lifecycle attributes a controller struct and a route method share:
//! `#[use_guards(..)]`, `#[use_interceptors(..)]`, `#[use_filters(..)]` (types, built by DI),
//! `#[set_metadata(value)]` and battery route attributes (`#[roles("admin")]`), which set the
//! item's typed metadata.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Token, Type};

use crate::common::{Errors, attr_tokens, is_attr};

/// One kind of enhancer list.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Guard,
    Interceptor,
    Filter,
}

impl Kind {
    pub(crate) const ALL: [Kind; 3] = [Kind::Guard, Kind::Interceptor, Kind::Filter];

    /// The attribute that lists this kind.
    pub(crate) fn attr(self) -> &'static str {
        match self {
            Kind::Guard => "use_guards",
            Kind::Interceptor => "use_interceptors",
            Kind::Filter => "use_filters",
        }
    }

    /// The `RouteDef` method that adds a list of this kind.
    pub(crate) fn route_method(self) -> &'static str {
        match self {
            Kind::Guard => "with_guards",
            Kind::Interceptor => "with_interceptors",
            Kind::Filter => "with_filters",
        }
    }

    /// The `ControllerMeta` method that returns a list of this kind.
    pub(crate) fn controller_method(self) -> &'static str {
        match self {
            Kind::Guard => "guards",
            Kind::Interceptor => "interceptors",
            Kind::Filter => "filters",
        }
    }

    /// The `__private` type of one definition (`GuardDef`).
    pub(crate) fn def_type(self) -> &'static str {
        match self {
            Kind::Guard => "GuardDef",
            Kind::Interceptor => "InterceptorDef",
            Kind::Filter => "FilterDef",
        }
    }

    /// The `__private` function that builds one (`guard::<T>()`).
    fn builder(self) -> &'static str {
        match self {
            Kind::Guard => "guard",
            Kind::Interceptor => "interceptor",
            Kind::Filter => "filter",
        }
    }

    /// What the list holds, for messages.
    fn noun(self) -> &'static str {
        match self {
            Kind::Guard => "guard",
            Kind::Interceptor => "interceptor",
            Kind::Filter => "exception filter",
        }
    }

    fn example(self) -> &'static str {
        match self {
            Kind::Guard => "AuthGuard",
            Kind::Interceptor => "Timing",
            Kind::Filter => "JsonErrors",
        }
    }

    /// The `ModuleDef` method that takes a ready value of this kind.
    fn value_method(self) -> &'static str {
        match self {
            Kind::Guard => "guard_value",
            Kind::Interceptor => "interceptor_value",
            Kind::Filter => "filter_value",
        }
    }
}

/// A metadata entry, in the order written (a later value of one type replaces an earlier one).
pub(crate) enum MetadataEntry {
    /// `#[set_metadata(value)]`.
    Value(syn::Expr),
    /// A battery attribute: the call it stands for (`roles("admin")`).
    Attribute(TokenStream),
}

/// What the lifecycle attributes of one controller or route declare.
#[derive(Default)]
pub(crate) struct Enhancers {
    pub(crate) guards: Vec<Type>,
    pub(crate) interceptors: Vec<Type>,
    pub(crate) filters: Vec<Type>,
    pub(crate) metadata: Vec<MetadataEntry>,
    /// The first such attribute, for "not a route" errors.
    pub(crate) first: Option<TokenStream>,
}

impl Enhancers {
    fn list_mut(&mut self, kind: Kind) -> &mut Vec<Type> {
        match kind {
            Kind::Guard => &mut self.guards,
            Kind::Interceptor => &mut self.interceptors,
            Kind::Filter => &mut self.filters,
        }
    }

    fn list(&self, kind: Kind) -> &[Type] {
        match kind {
            Kind::Guard => &self.guards,
            Kind::Interceptor => &self.interceptors,
            Kind::Filter => &self.filters,
        }
    }

    /// Reads `attr` if it is `#[use_guards]`, `#[use_interceptors]`, `#[use_filters]` or
    /// `#[set_metadata]`; returns whether it was one (the caller removes it).
    pub(crate) fn take(&mut self, attr: &Attribute, owner: &str, errors: &mut Errors) -> bool {
        if let Some(kind) = Kind::ALL.into_iter().find(|k| is_attr(attr, k.attr())) {
            self.first.get_or_insert_with(|| attr.to_token_stream());
            if let Some(types) = errors.check(type_list(attr, kind)) {
                for ty in types {
                    let text = type_text(&ty);
                    if self.list(kind).iter().any(|t| type_text(t) == text) {
                        errors.spanned(
                            &ty,
                            format!(
                                "`{text}` is already in `#[{}]` of `{owner}`; list it once",
                                kind.attr()
                            ),
                        );
                    } else {
                        self.list_mut(kind).push(ty);
                    }
                }
            }
            return true;
        }
        if is_attr(attr, "set_metadata") {
            self.first.get_or_insert_with(|| attr.to_token_stream());
            match attr_tokens(attr) {
                Ok(Some(tokens)) if !tokens.is_empty() => match syn::parse2::<syn::Expr>(tokens) {
                    Ok(value) => self.metadata.push(MetadataEntry::Value(value)),
                    Err(_) => errors.spanned(
                        attr,
                        "`#[set_metadata]` takes one value, as in `#[set_metadata(Public)]`; write one attribute per value",
                    ),
                },
                Ok(_) => errors.spanned(
                    attr,
                    "`#[set_metadata]` needs a value, as in `#[set_metadata(Public)]`",
                ),
                Err(e) => errors.push(e),
            }
            return true;
        }
        false
    }

    /// Records a battery route attribute (`#[roles("admin")]` → `roles("admin")`).
    pub(crate) fn battery(&mut self, attr: &Attribute, errors: &mut Errors) {
        self.first.get_or_insert_with(|| attr.to_token_stream());
        if let Some(call) = errors.check(crate::battery::battery_call(attr)) {
            self.metadata.push(MetadataEntry::Attribute(call));
        }
    }

    /// `Vec::from([guard::<A>(), ..])` for one kind, or `None` when the list is empty.
    pub(crate) fn defs(&self, kind: Kind) -> Option<TokenStream> {
        let list = self.list(kind);
        if list.is_empty() {
            return None;
        }
        let f = syn::Ident::new(kind.builder(), proc_macro2::Span::call_site());
        let items = list.iter().map(|ty| {
            quote_spanned! {ty.span()=> ::hearth::__private::#f::<#ty>() }
        });
        Some(quote! { ::hearth::__private::Vec::from([#(#items),*]) })
    }
}

/// The text of a type, for comparing two entries of a list.
fn type_text(ty: &Type) -> String {
    ty.to_token_stream().to_string().replace(' ', "")
}

/// Parses `#[use_guards(A, b::B)]` (and the interceptor and filter lists): types, each built
/// by DI. A value (`AuthGuard::new()`) is an error pointing to `ModuleDef::guard_value`.
fn type_list(attr: &Attribute, kind: Kind) -> syn::Result<Vec<Type>> {
    let name = kind.attr();
    let example = format!("`#[{name}({})]`", kind.example());
    let tokens = attr_tokens(attr)?.unwrap_or_default();
    if tokens.is_empty() {
        return Err(syn::Error::new_spanned(
            attr,
            format!(
                "`#[{name}]` needs at least one {} type, as in {example}",
                kind.noun()
            ),
        ));
    }
    let value_error = |tokens: &dyn ToTokens| {
        syn::Error::new_spanned(
            tokens,
            format!(
                "`#[{name}]` takes {} types, built by dependency injection: write the type, as in {example}; install a ready value with `ModuleDef::{}(..)`",
                kind.noun(),
                kind.value_method()
            ),
        )
    };
    let list = match Punctuated::<Type, Token![,]>::parse_terminated.parse2(tokens.clone()) {
        Ok(list) => list,
        Err(e) => {
            // Values (`AuthGuard::new()`, `AuthGuard { .. }`) parse as expressions: say so.
            let exprs = Punctuated::<syn::Expr, Token![,]>::parse_terminated.parse2(tokens);
            let mut errors = Errors::default();
            for expr in exprs.iter().flatten() {
                if !matches!(expr, syn::Expr::Path(_)) {
                    errors.push(value_error(expr));
                }
            }
            if errors.is_empty() {
                errors.push(syn::Error::new(
                    e.span(),
                    format!(
                        "`#[{name}]` takes {} types (built by dependency injection), as in {example}",
                        kind.noun()
                    ),
                ));
            }
            return Err(errors.finish().unwrap_err());
        }
    };
    let mut errors = Errors::default();
    let mut out = Vec::new();
    for ty in list {
        // `AuthGuard::new()` may parse as a type (`Fn(..)` sugar) but is a value.
        let value = matches!(&ty, Type::Path(p) if p.path.segments.iter().any(|s| {
            matches!(s.arguments, syn::PathArguments::Parenthesized(_))
        }));
        if value {
            errors.push(value_error(&ty));
        } else {
            out.push(ty);
        }
    }
    errors.finish()?;
    Ok(out)
}
