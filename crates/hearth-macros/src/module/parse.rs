//! Parsing of `#[module(..)]` arguments.
//!
//! Entries of `providers`, `controllers` and `exports` are read as types when they are plain
//! paths (`UserService`, `db::Pool<Pg>`) and as expressions otherwise
//! (`Provider::value(..)`); imports are always expressions.

use proc_macro2::TokenStream;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Token, Type};

use super::{ExportEntry, ModuleModel, ProviderEntry};
use crate::common::{Errors, skip_to_comma};

/// An entry of a list: a plain type path or an expression.
enum Entry {
    Type(Type),
    Expr(Expr),
}

fn parse_entry(input: ParseStream) -> syn::Result<Entry> {
    let fork = input.fork();
    if let Ok(ty) = fork.parse::<Type>() {
        let Type::Path(p) = &ty else {
            return input.parse().map(Entry::Expr);
        };
        let plain = p.qself.is_none()
            && p.path
                .segments
                .iter()
                .all(|s| !matches!(s.arguments, syn::PathArguments::Parenthesized(_)));
        if plain && (fork.is_empty() || fork.peek(Token![,])) {
            input.parse::<Type>()?;
            return Ok(Entry::Type(ty));
        }
    }
    input.parse().map(Entry::Expr)
}

fn parse_list(input: ParseStream) -> syn::Result<Vec<Entry>> {
    let content;
    syn::bracketed!(content in input);
    let list = Punctuated::<Entry, Token![,]>::parse_terminated_with(&content, parse_entry)?;
    Ok(list.into_iter().collect())
}

const KEYS: &str = "`imports`, `controllers`, `providers`, `exports` or `global`";

/// Parses the arguments into the model; every misuse goes to `errors`.
pub(crate) fn parse_args(args: TokenStream, ident: Ident, errors: &mut Errors) -> ModuleModel {
    let mut model = ModuleModel {
        ident,
        imports: Vec::new(),
        controllers: Vec::new(),
        providers: Vec::new(),
        exports: Vec::new(),
        global: false,
    };
    let parser = |input: ParseStream| -> syn::Result<()> {
        let mut seen: Vec<String> = Vec::new();
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            let name = key.to_string();
            if seen.contains(&name) {
                errors.spanned(
                    &key,
                    format!("duplicate `{name}`; merge the two lists into one"),
                );
            }
            seen.push(name.clone());
            match name.as_str() {
                "global" => model.global = true,
                "imports" | "controllers" | "providers" | "exports" => {
                    if !input.peek(Token![=]) {
                        errors.spanned(&key, format!("`{name}` takes a list: `{name} = [..]`"));
                        skip_to_comma(input)?;
                    } else {
                        input.parse::<Token![=]>()?;
                        let entries = parse_list(input)?;
                        add_entries(&mut model, &name, entries, errors);
                    }
                }
                _ => {
                    errors.spanned(
                        &key,
                        format!("unknown `#[module]` argument `{name}`; expected {KEYS}"),
                    );
                    skip_to_comma(input)?;
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(())
    };
    if let Err(e) = parser.parse2(args) {
        errors.push(e);
    }
    model
}

fn add_entries(model: &mut ModuleModel, key: &str, entries: Vec<Entry>, errors: &mut Errors) {
    for entry in entries {
        match (key, entry) {
            ("imports", Entry::Type(ty)) => match syn::parse2::<Expr>(quote::quote!(#ty)) {
                Ok(e) => model.imports.push(e),
                Err(_) => errors.spanned(
                    &ty,
                    "expected a module value, as in `UsersModule` or `SessionModule::for_root(..)`",
                ),
            },
            ("imports", Entry::Expr(e)) => model.imports.push(e),
            ("controllers", Entry::Type(ty)) => {
                if listed(model.controllers.iter(), &ty) {
                    errors.spanned(&ty, twice(&ty, key));
                } else {
                    model.controllers.push(ty);
                }
            }
            ("controllers", Entry::Expr(e)) => errors.spanned(
                e,
                "expected a controller type, as in `controllers = [UserController]`",
            ),
            ("providers", Entry::Type(ty)) => {
                let classes = model.providers.iter().filter_map(|p| match p {
                    ProviderEntry::Class(t) => Some(t),
                    ProviderEntry::Expr(_) => None,
                });
                if listed(classes, &ty) {
                    errors.spanned(&ty, twice(&ty, key));
                } else {
                    model.providers.push(ProviderEntry::Class(ty));
                }
            }
            ("providers", Entry::Expr(e)) => model.providers.push(ProviderEntry::Expr(e)),
            ("exports", Entry::Type(ty)) => model.exports.push(ExportEntry::Type(ty)),
            ("exports", Entry::Expr(e)) => match token_entry(e) {
                Ok(token) => model.exports.push(ExportEntry::Token(token)),
                Err(e) => errors.push(e),
            },
            // Keys are checked by the caller.
            _ => {}
        }
    }
}

/// Whether `ty` is already in `list`, written the same way. (Two spellings of one type, or a
/// type next to a `Provider` expression for it, are caught at start-up instead, where the
/// container sees the keys.)
fn listed<'a>(mut list: impl Iterator<Item = &'a Type>, ty: &Type) -> bool {
    let text = quote::quote!(#ty).to_string();
    list.any(|t| quote::quote!(#t).to_string() == text)
}

fn twice(ty: &Type, key: &str) -> String {
    let name = quote::quote!(#ty).to_string().replace(' ', "");
    format!("`{name}` is already in `{key}`; list it once")
}

/// `token(CONSTANT)` in `exports`: the constant.
fn token_entry(e: Expr) -> syn::Result<Expr> {
    const EXPECTED: &str =
        "expected a type or `token(CONSTANT)`, as in `exports = [UserService, token(DB)]`";
    let Expr::Call(call) = e else {
        return Err(syn::Error::new_spanned(e, EXPECTED));
    };
    let is_token =
        matches!(&*call.func, Expr::Path(p) if p.qself.is_none() && p.path.is_ident("token"));
    if !is_token {
        return Err(syn::Error::new_spanned(call, EXPECTED));
    }
    let mut args = call.args.iter();
    match (args.next(), args.next()) {
        (Some(arg), None) => Ok(arg.clone()),
        _ => Err(syn::Error::new_spanned(
            &call,
            "`token(..)` takes one token constant, as in `token(DB)`",
        )),
    }
}
