use hearth::prelude::*;

struct Public;
struct Internal;

#[controller]
#[set_metadata]
struct C;

#[routes]
impl C {
    #[get]
    #[set_metadata(Public, Internal)]
    async fn index(&self) -> &'static str {
        "x"
    }
}

fn main() {}
