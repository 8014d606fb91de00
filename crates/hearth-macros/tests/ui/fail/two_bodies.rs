use hearth::prelude::*;

#[derive(Deserialize)]
struct A {
    a: String,
}

#[derive(Deserialize)]
struct B {
    b: String,
}

#[controller]
struct C;

#[routes]
impl C {
    #[post]
    async fn create(&self, #[body] a: A, #[body] b: B) -> String {
        format!("{}{}", a.a, b.b)
    }
}

fn main() {}
