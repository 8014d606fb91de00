//! Parsing and checking of `#[injectable(..)]` arguments and of the struct's fields.

use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::{Expr, Fields, Ident, ItemStruct, Token};

use super::{FieldModel, FieldSource, InjectableModel, ScopeKind};
use crate::common::{Errors, attr_tokens, generic_inner, is_attr, skip_to_comma};

/// Parses `scope = singleton | request | transient`; every misuse goes to `errors`.
pub(crate) fn parse_args(args: TokenStream, errors: &mut Errors) -> Option<ScopeKind> {
    let mut scope = None;
    let parser = |input: ParseStream| -> syn::Result<()> {
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            if key == "scope" {
                input.parse::<Token![=]>()?;
                let value: Ident = input.parse()?;
                let kind = match value.to_string().as_str() {
                    "singleton" => Some(ScopeKind::Singleton),
                    "request" => Some(ScopeKind::Request),
                    "transient" => Some(ScopeKind::Transient),
                    _ => {
                        errors.spanned(&value, format!(
                            "unknown scope `{value}`; expected `singleton`, `request` or `transient`"
                        ));
                        None
                    }
                };
                if scope.is_some() {
                    errors.spanned(&key, "duplicate `scope`; give it once");
                }
                scope = kind.or(scope);
            } else {
                errors.spanned(&key, format!(
                    "unknown `#[injectable]` argument `{key}`; expected `scope = request` or `scope = transient`"
                ));
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
    scope
}

/// Builds the model of an injectable struct; records every misuse in `errors`. `what` names
/// the attribute in messages (`injectable` or `controller`).
pub(crate) fn parse_struct(
    item: &ItemStruct,
    scope: Option<ScopeKind>,
    what: &str,
    errors: &mut Errors,
) -> Option<InjectableModel> {
    if !item.generics.params.is_empty() || item.generics.where_clause.is_some() {
        errors.spanned(
            &item.generics,
            format!("`#[{what}]` does not support generic structs; remove the type parameters"),
        );
    }
    let fields = match &item.fields {
        Fields::Unit => None,
        Fields::Unnamed(f) => {
            errors.spanned(
                f,
                format!(
                    "`#[{what}]` needs named fields (or a unit struct): `struct {} {{ dep: Arc<Dep> }}`",
                    item.ident
                ),
            );
            return None;
        }
        Fields::Named(named) => {
            let mut out = Vec::new();
            for field in &named.named {
                let ident = field.ident.clone().expect("named field");
                let mut source = None;
                for attr in field.attrs.iter().filter(|a| is_attr(a, "inject")) {
                    if source.is_some() {
                        errors.spanned(attr, "duplicate `#[inject]`; keep one");
                        continue;
                    }
                    source = Some(
                        errors
                            .check(parse_inject(attr))
                            .unwrap_or(FieldSource::Default),
                    );
                }
                let source = match source {
                    Some(s) => s,
                    None => match generic_inner(&field.ty, "Arc") {
                        Some(inner) => FieldSource::ByType(inner.clone()),
                        None => {
                            errors.spanned(
                                &field.ty,
                                format!(
                                    "injectable field `{ident}` must be `Arc<_>` (resolved by type) or marked `#[inject(TOKEN)]` (or `#[inject(default)]` for a plain value)"
                                ),
                            );
                            continue;
                        }
                    },
                };
                out.push(FieldModel { ident, source });
            }
            Some(out)
        }
    };
    Some(InjectableModel {
        ident: item.ident.clone(),
        fields,
        scope,
    })
}

fn parse_inject(attr: &syn::Attribute) -> syn::Result<FieldSource> {
    let Some(tokens) = attr_tokens(attr)?.filter(|t| !t.is_empty()) else {
        return Err(syn::Error::new_spanned(
            attr,
            "`#[inject]` needs a token: `#[inject(MY_TOKEN)]` (or `#[inject(default)]`); `Arc<_>` fields resolve by type without it",
        ));
    };
    let parser = |input: ParseStream| -> syn::Result<FieldSource> {
        if input.peek(Token![default]) && input.peek2(syn::parse::End) {
            input.parse::<Token![default]>()?;
            return Ok(FieldSource::Default);
        }
        let expr: Expr = input.parse()?;
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
            let rest: TokenStream = input.parse()?;
            if !rest.is_empty() {
                return Err(syn::Error::new_spanned(
                    rest,
                    "unknown argument in `#[inject]`; it takes one token, as in `#[inject(MY_TOKEN)]`",
                ));
            }
        }
        Ok(FieldSource::Token(expr))
    };
    parser.parse2(tokens)
}

/// Removes `#[inject]` attributes from the fields (they are not real attributes).
pub(crate) fn strip_inject_attrs(item: &mut ItemStruct) {
    for field in item.fields.iter_mut() {
        field.attrs.retain(|a| !is_attr(a, "inject"));
    }
}
