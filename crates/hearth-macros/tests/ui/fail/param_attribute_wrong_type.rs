use hearth::lifecycle::ParamAttribute;
use hearth::prelude::*;
use hearth::http::request::Parts;

/// `#[api_key] key: String`.
fn api_key() -> ApiKey {
    ApiKey
}
struct ApiKey;

impl ParamAttribute<String> for ApiKey {
    type Rejection = HttpException;
    async fn extract(self, parts: &mut Parts) -> Result<String, HttpException> {
        Ok(parts.uri.to_string())
    }
}

#[controller]
struct C;

#[routes]
impl C {
    #[get]
    async fn index(&self, #[api_key] key: u64) -> String {
        key.to_string()
    }
}

fn main() {}
