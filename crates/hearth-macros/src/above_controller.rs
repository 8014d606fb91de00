//! The hearth attributes that go next to `#[controller]` on a struct, run on their own:
//! `#[use_middleware]`, `#[use_guards]`, `#[use_interceptors]`, `#[use_filters]` and
//! `#[set_metadata]`. `#[controller]` (on a struct) and `#[routes]` (on a method) read these
//! attributes and take them off before they would ever run, so this macro only runs when the
//! attribute sits where neither sees it:
//!
//! - above `#[controller]`: attributes expand top-down, so `#[controller]` has not run yet.
//!   The order of the two is no mistake worth an error, so the struct is written again with
//!   `#[controller]` first and this attribute below it, where it is read as usual.
//! - anywhere else (a struct that is no controller, a method outside `#[routes]`, a
//!   function): an error saying where the attribute goes, and the item unchanged.

use proc_macro2::{Span, TokenStream};
use quote::quote;

pub(crate) fn expand(name: &str, args: TokenStream, item: TokenStream) -> TokenStream {
    let here = format!(
        "`#[{name}(..)]` goes on a `#[controller]` struct or on a route method of a `#[routes]` impl"
    );
    let Ok(mut item) = syn::parse2::<syn::ItemStruct>(item.clone()) else {
        return crate::common::reemit(syn::Error::new(Span::call_site(), here), item);
    };
    let controller = item.attrs.iter().position(|a| {
        a.path()
            .segments
            .last()
            .is_some_and(|s| s.ident == "controller")
    });
    let Some(at) = controller else {
        let e = syn::Error::new(
            Span::call_site(),
            format!("{here}; `{}` has no `#[controller]`", item.ident),
        );
        return crate::common::reemit(e, quote!(#item));
    };
    let controller = item.attrs.remove(at);
    // The attributes that were above `#[controller]` (other hearth attributes, docs) keep
    // their order below it, after this one.
    let (above, below) = item.attrs.split_at(at);
    let (above, below) = (above.to_vec(), below.to_vec());
    item.attrs = below;
    let name = syn::Ident::new(name, Span::call_site());
    quote! {
        #controller
        #[#name(#args)]
        #(#above)*
        #item
    }
}
