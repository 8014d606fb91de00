//! Attribute macros of Hearth (placeholder).
use proc_macro::TokenStream;

/// `#[controller]`.
#[proc_macro_attribute]
pub fn controller(_a: TokenStream, item: TokenStream) -> TokenStream {
    item
}
/// `#[routes]`.
#[proc_macro_attribute]
pub fn routes(_a: TokenStream, item: TokenStream) -> TokenStream {
    item
}
/// `#[module]`.
#[proc_macro_attribute]
pub fn module(_a: TokenStream, item: TokenStream) -> TokenStream {
    item
}
/// `#[injectable]`.
#[proc_macro_attribute]
pub fn injectable(_a: TokenStream, item: TokenStream) -> TokenStream {
    item
}
