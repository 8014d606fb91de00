//! `#[use_middleware(..)]` on its own. `#[controller]` (on a struct) and `#[routes]` (on a
//! method) read the attribute and take it off before it would ever run, so this macro only
//! runs when the attribute sits where neither sees it:
//!
//! - above `#[controller]`: attributes expand top-down, so `#[controller]` has not run yet.
//!   The order of the two is no mistake worth an error, so the struct is written again with
//!   `#[controller]` first and this attribute below it, where it is read as usual.
//! - anywhere else (a struct that is no controller, a method outside `#[routes]`): an error
//!   saying where the attribute goes.

use proc_macro2::{Span, TokenStream};
use quote::quote;

const WHERE: &str = "`#[use_middleware(..)]` goes on a `#[controller]` struct or on a route \
                     method of a `#[routes]` impl";

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let Ok(mut item) = syn::parse2::<syn::ItemStruct>(item.clone()) else {
        let err = syn::Error::new(Span::call_site(), WHERE).to_compile_error();
        return quote! { #err #item };
    };
    let controller = item.attrs.iter().position(|a| {
        a.path()
            .segments
            .last()
            .is_some_and(|s| s.ident == "controller")
    });
    let Some(at) = controller else {
        let err = syn::Error::new(
            Span::call_site(),
            format!("{WHERE}; `{}` has no `#[controller]`", item.ident),
        )
        .to_compile_error();
        return quote! { #err #item };
    };
    let controller = item.attrs.remove(at);
    // The attributes that were above `#[controller]` (other `#[use_middleware]`s, docs) keep
    // their order below it, after this one.
    let (above, below) = item.attrs.split_at(at);
    let (above, below) = (above.to_vec(), below.to_vec());
    item.attrs = below;
    quote! {
        #controller
        #[use_middleware(#args)]
        #(#above)*
        #item
    }
}
