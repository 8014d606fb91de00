use hearth::prelude::*;

struct C<T>(T);

#[routes]
impl<T> C<T> {}

fn main() {}
