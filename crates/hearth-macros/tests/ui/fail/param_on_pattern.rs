use hearth::prelude::*;

#[controller]
struct C;

#[routes]
impl C {
    #[get("/:a")]
    async fn index(&self, #[param] (a, _b): (String, String)) -> String {
        a
    }
}

fn main() {}
