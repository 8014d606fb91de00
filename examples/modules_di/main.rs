//! `cargo run --example modules_di`, then `curl localhost:3000/users/1`.

mod app;

#[tokio::main]
async fn main() -> hearth::Result<()> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    let port = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    hearth::Application::create::<app::AppModule>()?
        .listen(port)
        .await
}
