use hearth::prelude::*;

// The prefix's `:id` and a route's `:id`, and a `#[param]` that is in neither.
#[controller("/users/:id/posts")]
struct PostController;

#[routes]
impl PostController {
    #[get("/:id")]
    async fn post(&self, #[param] id: u64) -> String {
        id.to_string()
    }

    #[get("/")]
    async fn list(&self, #[param("user")] user: u64) -> String {
        user.to_string()
    }
}

fn main() {}
