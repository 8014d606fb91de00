use hearth::prelude::*;

#[injectable]
struct Service(Arc<String>);

fn main() {}
