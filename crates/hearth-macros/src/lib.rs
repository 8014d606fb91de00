//! Attribute macros of the [Hearth](https://docs.rs/hearth) web framework.
//!
//! Use them through `hearth` (`use hearth::prelude::*;`); this crate is an implementation
//! detail. Each macro expands from its own input only, writes code that names the runtime
//! through `::hearth::__private`, and reports every misuse of one item at once, on the
//! smallest span, with the fix in the message.
//!
//! | attribute | goes on | writes |
//! |---|---|---|
//! | [`#[injectable]`](macro@injectable) | a service struct | its DI constructor |
//! | [`#[controller]`](macro@controller) | a controller struct | DI constructor, prefix, middleware |
//! | [`#[routes]`](macro@routes) | the controller's `impl` | its route table |
//! | [`#[module]`](macro@module) | a unit struct | the module definition |
//! | [`#[use_middleware]`](macro@use_middleware) | a controller struct or a route method | read by `#[controller]` / `#[routes]` |

mod battery;
mod common;
mod controller;
mod injectable;
mod module;
mod routes;
mod use_middleware;

use proc_macro::TokenStream;

/// Makes a struct a provider that the DI container can build.
///
/// Every field is resolved when the application is built:
///
/// - `Arc<T>`: the provider of type `T`;
/// - `#[inject(TOKEN)] field: Arc<T>`: the provider registered under the
///   [`Token<T>`](https://docs.rs/hearth/latest/hearth/di/struct.Token.html) `TOKEN`;
/// - `#[inject(default)] field: T`: `T::default()` (plain configuration values).
///
/// Any other field is a compile error. The optional `scope` argument chooses when the value
/// is built: `singleton` (the default: once, at start-up), `request` (once per request) or
/// `transient` (on every injection). If the type implements `OnModuleInit` or
/// `OnApplicationShutdown`, the hooks are registered automatically.
///
/// List the type in `#[module(providers = [..])]`; a controller there is a compile error.
///
/// ```
/// use hearth::prelude::*;
///
/// pub struct Config { pub greeting: String }
/// pub const CONFIG: Token<Config> = Token::new("CONFIG");
///
/// #[injectable]
/// struct Repository;
///
/// #[injectable(scope = transient)]
/// struct Greeter {
///     repo: Arc<Repository>,                 // by type
///     #[inject(CONFIG)]
///     config: Arc<Config>,                   // by token
///     #[inject(default)]
///     greeted: std::sync::atomic::AtomicU64, // a plain value
/// }
///
/// impl OnModuleInit for Repository {
///     async fn on_module_init(&self) -> Result<(), hearth::BoxError> {
///         Ok(()) // runs once every singleton is built, before the server starts
///     }
/// }
/// ```
#[proc_macro_attribute]
pub fn injectable(args: TokenStream, item: TokenStream) -> TokenStream {
    injectable::expand(args.into(), item.into()).into()
}

/// Makes a struct a controller: its fields are injected as with
/// [`#[injectable]`](macro@injectable), and every route of its
/// [`#[routes]`](macro@routes) block is mounted under the prefix (default `/`). The prefix may
/// hold path parameters (`"/users/:user_id/posts"`), which every route reads with `#[param]`.
///
/// `#[use_middleware(a, b)]` next to `#[controller]` (above or below it) runs the middleware
/// values `a` then `b` around every route of the controller. The arguments `guards`,
/// `interceptors`, `pipes` and `validation` (and the attributes `#[use_guards]`,
/// `#[use_interceptors]`, `#[use_pipes]`) are reserved for features to come and rejected for
/// now.
///
/// ```
/// use hearth::prelude::*;
///
/// #[injectable]
/// struct UserService;
///
/// struct Logger;
/// impl Middleware for Logger {
///     async fn handle(&self, req: Request, next: Next) -> Response {
///         next.run(req).await
///     }
/// }
///
/// #[controller("/users")]
/// #[use_middleware(Logger)]
/// struct UserController {
///     users: Arc<UserService>,
/// }
///
/// #[routes]
/// impl UserController {
///     #[get("/")]
///     async fn list(&self) -> &'static str {
///         "[]"
///     }
/// }
/// ```
#[proc_macro_attribute]
pub fn controller(args: TokenStream, item: TokenStream) -> TokenStream {
    controller::expand(args.into(), item.into()).into()
}

/// Turns the methods of a controller's `impl` block into routes.
///
/// A route is an `async fn(&self, ..)` marked with one of `#[get]`, `#[post]`, `#[put]`,
/// `#[patch]`, `#[delete]`, `#[head]`, `#[options]` (each with an optional path, default `/`)
/// or `#[route(METHOD, "/path")]` (`METHOD` is `GET`, `POST`, … or a string such as
/// `"PURGE"`). Paths take parameters as `:id` or `{id}`, and a catch-all as `*rest` or
/// `{*rest}`. The return type is anything that implements `IntoResponse`, such as
/// `HttpResult<Json<T>>`. `#[use_middleware(..)]` on a method adds middleware to that route.
/// Methods without a route attribute stay ordinary methods.
///
/// Parameters are extracted from the request:
///
/// | parameter | value |
/// |---|---|
/// | `#[param("id")] id: T` or `#[param] id: T` | path parameter, parsed with `FromStr` (400 if it does not parse) |
/// | `#[query] q: T` | the query string deserialized into `T` (serde) |
/// | `#[query("page")] page: T` | one query parameter (`FromStr`); required unless `T` is `Option<_>` |
/// | `#[header("x-api-key")] key: T` | one header (`FromStr`); required unless `T` is `Option<_>` |
/// | `#[body] dto: T` | the body, JSON or urlencoded form by `Content-Type` (serde); one per handler |
/// | `#[session] s: Session` | the request's session |
/// | `#[ctx] ctx: RequestContext` | method, URI, headers and the values middleware stored |
/// | `x: T` (no attribute) | `T`'s own extractor: `FromRequestParts`, or `FromRequest` for the last such parameter when there is no `#[body]` |
///
/// A rejected extraction answers with its 4xx before the method runs. The macro checks
/// that every path parameter has a `#[param]` and every `#[param]` a path parameter (unless
/// the handler takes `PathParams`), and that there is at most one `#[body]`.
///
/// ```
/// use hearth::prelude::*;
///
/// #[derive(Deserialize)]
/// struct NewUser { name: String }
///
/// #[derive(Deserialize)]
/// struct Page { page: Option<u32> }
///
/// #[controller("/users")]
/// struct UserController;
///
/// #[routes]
/// impl UserController {
///     #[get("/:id")]
///     async fn find(&self, #[param("id")] id: u64, #[query("fields")] fields: Option<String>) -> String {
///         format!("user {id} ({})", fields.unwrap_or_default())
///     }
///
///     #[get]
///     async fn list(&self, #[query] page: Page) -> HttpResult<Json<Value>> {
///         Ok(Json(json!({ "page": page.page.unwrap_or(1) })))
///     }
///
///     #[post]
///     async fn create(&self, #[body] user: NewUser, #[header("x-request-id")] id: Option<String>) -> (StatusCode, String) {
///         (StatusCode::CREATED, format!("{} {}", user.name, id.unwrap_or_default()))
///     }
///
///     #[route("PURGE", "/cache")]
///     async fn purge(&self, #[ctx] ctx: RequestContext) -> String {
///         ctx.path().to_owned()
///     }
/// }
/// ```
#[proc_macro_attribute]
pub fn routes(args: TokenStream, item: TokenStream) -> TokenStream {
    routes::expand(args.into(), item.into()).into()
}

/// Declares a module on a unit struct: what it imports, provides, mounts and exports.
///
/// - `imports = [..]`: expressions: a static module (`UsersModule`) or a dynamic one
///   (`SessionModule::for_root(options())`).
/// - `controllers = [..]`: controller types (`#[controller]` + `#[routes]`).
/// - `providers = [..]`: a plain type path is an [`#[injectable]`](macro@injectable) class
///   (`UserService`); any other expression is a `Provider` value
///   (`Provider::value_for(&CONFIG, Config::default())`). Write
///   `Provider::class::<T>()` for a hand-written `Injectable`.
/// - `exports = [..]`: a path whose last segment is SCREAMING_CASE of two characters or more
///   (`SESSION_SERVICE_TOKEN`, `tokens::DB`) is a token constant; any other path is a type
///   (`UserService`, `A`).
/// - `global`: the module's exports are visible to every module.
///
/// ```no_run
/// use hearth::prelude::*;
///
/// pub struct Config { pub url: String }
/// pub const CONFIG: Token<Config> = Token::new("CONFIG");
///
/// #[injectable]
/// pub struct UserService;
///
/// #[module(
///     providers = [UserService, Provider::value_for(&CONFIG, Config { url: "db://".into() })],
///     exports = [UserService, CONFIG],
///     global,
/// )]
/// pub struct UsersModule;
///
/// #[module(imports = [UsersModule])]
/// pub struct AppModule;
///
/// #[tokio::main]
/// async fn main() -> hearth::Result<()> {
///     Application::create::<AppModule>()?.listen(3000).await
/// }
/// ```
#[proc_macro_attribute]
pub fn module(args: TokenStream, item: TokenStream) -> TokenStream {
    module::expand(args.into(), item.into()).into()
}

/// Runs middleware around every route of a controller (on the struct, next to
/// [`#[controller]`](macro@controller)) or around one route (on a method of a
/// [`#[routes]`](macro@routes) impl): `#[use_middleware(a, b)]` runs `a`, then `b`.
///
/// `#[controller]` and `#[routes]` read the attribute themselves. Written above
/// `#[controller]`, it is moved below it, so the two may come in either order; anywhere else
/// it is an error that says where it goes.
#[proc_macro_attribute]
pub fn use_middleware(args: TokenStream, item: TokenStream) -> TokenStream {
    use_middleware::expand(args.into(), item.into()).into()
}
