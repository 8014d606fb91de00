use hearth::prelude::*;

#[injectable]
struct JsonErrors;
impl ExceptionFilter for JsonErrors {
    fn catch(&self, _: &HttpException, _: &FilterContext<'_>) -> Option<Response> {
        None
    }
}

#[injectable]
struct Auth;
impl Guard for Auth {
    async fn can_activate(&self, _: &mut Request, _: &RouteInfo) -> HttpResult<bool> {
        Ok(true)
    }
}

// Twice across two attributes of one controller.
#[controller]
#[use_guards(Auth)]
#[use_guards(Auth)]
struct C;

#[routes]
impl C {
    // Twice in one list.
    #[get]
    #[use_filters(JsonErrors, JsonErrors)]
    async fn index(&self) -> &'static str {
        "x"
    }
}

fn main() {}
