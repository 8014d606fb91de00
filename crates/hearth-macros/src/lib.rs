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
//! | [`#[use_guards]`](macro@use_guards), [`#[use_interceptors]`](macro@use_interceptors), [`#[use_filters]`](macro@use_filters) | a controller struct or a route method | read by `#[controller]` / `#[routes]` |
//! | [`#[set_metadata]`](macro@set_metadata) | a controller struct or a route method | read by `#[controller]` / `#[routes]` |

mod above_controller;
mod battery;
mod common;
mod controller;
mod enhancers;
mod injectable;
mod module;
mod routes;

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
/// Next to `#[controller]` (above or below it), for every route of the controller:
///
/// - `#[use_middleware(a, b)]`: the middleware values `a` then `b`;
/// - `#[use_guards(A, B)]`, `#[use_interceptors(..)]`, `#[use_filters(..)]`: guard,
///   interceptor and exception-filter *types*, built by dependency injection from the
///   providers the controller's module sees (checked at start-up); they run after the
///   global ones and before the route's own (filters: after the route's, before the global);
/// - `#[set_metadata(value)]`: a typed metadata value that guards, interceptors, filters and
///   layers read with `RouteInfo::get` (a route's own value of the same type wins);
/// - below `#[controller]` only: a battery's route attribute such as `#[roles("admin")]`, which
///   calls the function `roles("admin")` in scope and applies the `RouteAttribute` it returns
///   to the controller's metadata (every attribute there that is not Rust's is one).
///
/// The arguments `pipes` and `validation` are reserved for features to come;
/// `guards = [..]` and the like are errors that point to the attribute to write instead.
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
/// `HttpResult<Json<T>>`. `#[use_middleware(..)]`, `#[use_guards(..)]`,
/// `#[use_interceptors(..)]`, `#[use_filters(..)]` and `#[set_metadata(..)]` on a method apply to
/// that route (after the controller's); any other attribute on a route that is not Rust's is a
/// battery's route attribute (`#[roles("admin")]` calls `roles("admin")` in scope, which returns
/// a `RouteAttribute`). Methods without a route attribute stay ordinary methods.
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
/// | `#[session] s: Session` | the request's session (the session battery's parameter attribute) |
/// | `#[name] p: T`, `#[name(args)]` | a battery's parameter attribute: `name(args)` in scope returns a `ParamAttribute<T>` |
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
/// - `exports = [..]`: types written bare (`UserService`), token constants in `token(..)`
///   (`token(SESSION_SERVICE_TOKEN)`, `token(tokens::DB)`). A token written bare, or a type in
///   `token(..)`, is a compile error that says which to write.
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
///     exports = [UserService, token(CONFIG)],
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
    above_controller::expand("use_middleware", args.into(), item.into()).into()
}

/// Guards for every route of a controller (on the struct, next to
/// [`#[controller]`](macro@controller)) or for one route (on a method of a
/// [`#[routes]`](macro@routes) impl): `#[use_guards(AuthGuard, RolesGuard)]`.
///
/// Each entry is a type implementing `Guard`, built by dependency injection (mark it
/// `#[injectable]`) from the providers of the controller's module, checked at start-up. Guards
/// run global → controller → route, in the order listed; the first that denies answers (403
/// for `Ok(false)`, or its `HttpException`). A type listed twice is an error. Written anywhere
/// else than on a controller or a route, the attribute is an error that says where it goes.
///
/// ```
/// use hearth::prelude::*;
///
/// #[injectable]
/// struct ApiKeyGuard;
///
/// impl Guard for ApiKeyGuard {
///     async fn can_activate(&self, req: &mut Request, _: &RouteInfo) -> HttpResult<bool> {
///         Ok(req.headers().get("x-api-key").is_some_and(|k| k == "secret"))
///     }
/// }
///
/// #[controller("/admin")]
/// #[use_guards(ApiKeyGuard)]
/// struct AdminController;
///
/// #[routes]
/// impl AdminController {
///     #[get("/stats")]
///     async fn stats(&self) -> &'static str {
///         "{}"
///     }
/// }
/// ```
#[proc_macro_attribute]
pub fn use_guards(args: TokenStream, item: TokenStream) -> TokenStream {
    above_controller::expand("use_guards", args.into(), item.into()).into()
}

/// Interceptors for every route of a controller or for one route, as with
/// [`#[use_guards]`](macro@use_guards): types implementing `Interceptor`, built by dependency
/// injection. They wrap the extractors and the handler, global → controller → route (the
/// first listed is the outermost).
#[proc_macro_attribute]
pub fn use_interceptors(args: TokenStream, item: TokenStream) -> TokenStream {
    above_controller::expand("use_interceptors", args.into(), item.into()).into()
}

/// Exception filters for every route of a controller or for one route, as with
/// [`#[use_guards]`](macro@use_guards): types implementing `ExceptionFilter`, built by
/// dependency injection. They are tried route → controller → global, in the order listed; the
/// first that returns a response wins.
#[proc_macro_attribute]
pub fn use_filters(args: TokenStream, item: TokenStream) -> TokenStream {
    above_controller::expand("use_filters", args.into(), item.into()).into()
}

/// A typed metadata value on a controller or a route: `#[set_metadata(Public)]`. Guards,
/// interceptors, filters and request layers read it with `RouteInfo::get::<Public>()`, which
/// prefers the route's value to its controller's (`route_metadata()` and
/// `controller_metadata()` read each on its own). One value per attribute; write the
/// attribute once per value.
///
/// ```
/// use hearth::prelude::*;
///
/// /// Routes that skip authentication.
/// pub struct Public;
///
/// #[controller("/docs")]
/// #[set_metadata(Public)]
/// struct DocsController;
///
/// #[routes]
/// impl DocsController {
///     #[get]
///     async fn index(&self) -> &'static str {
///         "docs"
///     }
/// }
/// ```
#[proc_macro_attribute]
pub fn set_metadata(args: TokenStream, item: TokenStream) -> TokenStream {
    above_controller::expand("set_metadata", args.into(), item.into()).into()
}
