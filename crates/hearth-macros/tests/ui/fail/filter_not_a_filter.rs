// Written above `#[controller]`: moved below it, then checked as usual.
use hearth::prelude::*;

#[injectable]
struct NotAFilter;

#[use_filters(NotAFilter)]
#[controller("/api")]
struct C;

fn main() {}
