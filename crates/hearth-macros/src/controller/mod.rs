//! `#[controller("/prefix")]`: a struct's DI constructor (as `#[injectable]`), its path prefix,
//! and what applies to every one of its routes, written below the attribute: middleware
//! (`#[use_middleware(..)]`), guards, interceptors and filters (`#[use_guards(..)]`…), and
//! metadata (`#[set_metadata(..)]`, battery route attributes such as `#[roles("admin")]`).
//! Written above `#[controller]`, the hearth attributes are moved below it (see
//! `above_controller.rs`).
//!
//! parse.rs (arguments, struct attributes) → the model below → expand.rs.

mod expand;
mod parse;

use proc_macro2::TokenStream;
use syn::{Expr, LitStr};

use crate::common::{Errors, reemit};
use crate::enhancers::Enhancers;
use crate::injectable::{InjectableModel, parse_struct, strip_inject_attrs};

/// A controller struct, as the macros understand it.
pub(crate) struct ControllerModel {
    pub(crate) injectable: InjectableModel,
    pub(crate) prefix: Option<LitStr>,
    pub(crate) middleware: Vec<Expr>,
    pub(crate) enhancers: Enhancers,
}

/// Entry point of `#[controller]`.
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let mut item: syn::ItemStruct = match syn::parse2(item.clone()) {
        Ok(s) => s,
        Err(e) => {
            errors.finish().ok();
            let e = syn::Error::new(
                e.span(),
                "`#[controller]` goes on a struct: `#[controller(\"/api\")] struct UserController { users: Arc<UserService> }`",
            );
            return reemit(e, item);
        }
    };
    let prefix = parse::parse_args(args, &mut errors);
    let (middleware, enhancers) = parse::take_struct_attrs(&mut item, &mut errors);
    let injectable = parse_struct(&item, None, "controller", &mut errors);
    strip_inject_attrs(&mut item);
    match injectable {
        Some(injectable) if errors.is_empty() => {
            errors.finish().ok();
            let model = ControllerModel {
                injectable,
                prefix,
                middleware,
                enhancers,
            };
            let out = expand::expand(&model);
            quote::quote! { #item #out }
        }
        _ => {
            // Stand-in impls keep the struct usable (its `#[routes]` block, the module that
            // lists it), so each mistake is reported once.
            let dummy = item
                .generics
                .params
                .is_empty()
                .then(|| expand::dummy(&item.ident, prefix.as_ref()));
            let errs = errors.into_compile_errors();
            quote::quote! { #item #errs #dummy }
        }
    }
}
