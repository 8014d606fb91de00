//! `#[controller("/prefix")]`: a struct's DI constructor (as `#[injectable]`), its path prefix
//! and its middleware (`#[use_middleware(..)]` below the attribute; written above it, the
//! `use_middleware` macro moves it below).
//!
//! parse.rs (arguments, struct attributes) → the model below → expand.rs.

mod expand;
mod parse;

use proc_macro2::TokenStream;
use syn::{Expr, LitStr};

use crate::common::Errors;
use crate::injectable::{InjectableModel, parse_struct, strip_inject_attrs};

/// A controller struct, as the macros understand it.
pub(crate) struct ControllerModel {
    pub(crate) injectable: InjectableModel,
    pub(crate) prefix: Option<LitStr>,
    pub(crate) middleware: Vec<Expr>,
}

/// Entry point of `#[controller]`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let mut item: syn::ItemStruct = match syn::parse2(item) {
        Ok(s) => s,
        Err(e) => {
            return syn::Error::new(
                e.span(),
                "`#[controller]` goes on a struct: `#[controller(\"/api\")] struct UserController { users: Arc<UserService> }`",
            )
            .to_compile_error();
        }
    };
    let prefix = errors.check(parse::parse_args(args)).flatten();
    let middleware = parse::take_struct_attrs(&mut item, &mut errors);
    let injectable = parse_struct(&item, None, "controller", &mut errors);
    strip_inject_attrs(&mut item);
    let errs = errors.to_compile_errors();
    match injectable {
        Some(injectable) if errors.is_empty() => {
            let model = ControllerModel {
                injectable,
                prefix,
                middleware,
            };
            let out = expand::expand(&model);
            quote::quote! { #item #out }
        }
        _ => quote::quote! { #item #errs },
    }
}
