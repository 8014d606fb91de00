use hearth::prelude::*;

pub const NAME: Token<String> = Token::new("NAME");

#[injectable]
struct Service {
    #[inject(NAME)]
    #[inject(default)]
    name: Arc<String>,
}

fn main() {}
