//! The seed's session guide written with the attribute macros, over real HTTP: `#[session]`
//! parameters (`Session` and `TypedSession<SessionData>`), `SessionService` injected by
//! token, `SessionModule::for_root` in `#[module(imports = ..)]`.

use hearth::app::RunningServer;
use hearth::prelude::*;

/// The seed's `SessionData`.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SessionData {
    user_id: Option<String>,
    roles: Vec<String>,
    cart: Vec<String>,
}

#[derive(Deserialize)]
struct LoginDto {
    email: String,
    password: String,
}

#[injectable]
struct AuthService {
    #[inject(SESSION_SERVICE_TOKEN)]
    sessions: Arc<SessionService>,
}

impl AuthService {
    fn validate(&self, email: &str, password: &str) -> Option<String> {
        (password == "secret").then(|| email.split('@').next().unwrap_or("").to_owned())
    }
}

#[controller("/api")]
struct UserController {
    auth: Arc<AuthService>,
    sessions: Arc<SessionService>,
}

#[routes]
impl UserController {
    #[get("/profile")]
    async fn profile(&self, #[session] session: Session) -> HttpResult<Json<Value>> {
        let id: String = session
            .get("userId")?
            .ok_or(UnauthorizedException::new("Not logged in"))?;
        Ok(Json(json!({ "id": id })))
    }

    #[post("/login")]
    async fn login(
        &self,
        #[body] data: LoginDto,
        #[session] session: Session,
    ) -> HttpResult<Json<Value>> {
        let user = self
            .auth
            .validate(&data.email, &data.password)
            .ok_or(UnauthorizedException::new("Invalid credentials"))?;
        session.regenerate();
        session.insert("userId", &user)?;
        session.insert("roles", &["user"])?;
        Ok(Json(json!({ "message": "Logged in" })))
    }

    #[post("/cart/add")]
    async fn add_to_cart(
        &self,
        #[session] session: TypedSession<SessionData>,
        #[body] item: String,
    ) -> HttpResult<Json<Vec<String>>> {
        Ok(Json(session.update(|s| {
            s.cart.push(item);
            s.cart.clone()
        })?))
    }

    #[post("/logout-everywhere")]
    async fn logout_everywhere(&self, #[session] session: Session) -> HttpResult<Json<usize>> {
        let user: String = session
            .get("userId")?
            .ok_or(UnauthorizedException::new("Not logged in"))?;
        let n = self.auth.sessions.destroy_all_of(&user).await?;
        Ok(Json(n + self.sessions.sessions_of(&user).await?.len()))
    }
}

/// Handlers that read only the path, query and headers: served without a request context
/// unless some middleware runs for them.
#[controller("/plain")]
struct PlainController;

/// A route guard that needs the session: 401 without a logged-in user.
#[injectable]
struct RequireLogin;

impl Guard for RequireLogin {
    async fn can_activate(&self, req: &mut Request, _: &RouteInfo) -> HttpResult<bool> {
        let user = Session::from_request(req).await?.get::<String>("userId")?;
        match user {
            Some(_) => Ok(true),
            None => Err(UnauthorizedException::new("Not logged in")),
        }
    }
}

#[routes]
impl PlainController {
    #[get("/ping")]
    async fn ping(&self) -> &'static str {
        "pong"
    }

    #[get("/echo/:word")]
    async fn echo(
        &self,
        #[param] word: String,
        #[query("n")] n: Option<usize>,
        #[header("x-tag")] tag: Option<String>,
    ) -> String {
        format!("{}{}", word.repeat(n.unwrap_or(1)), tag.unwrap_or_default())
    }

    #[get("/guarded")]
    #[use_guards(RequireLogin)]
    async fn guarded(&self) -> &'static str {
        "in"
    }
}

fn session_options() -> SessionOptions {
    SessionOptions {
        secret: "a-test-secret-that-is-long-enough-0123456789".into(),
        ..Default::default()
    }
}

#[module(
    imports = [SessionModule::for_root(session_options())],
    controllers = [UserController, PlainController],
    providers = [AuthService],
)]
struct AppModule;

fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("sessionId="))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

#[tokio::test]
async fn the_seed_session_guide_with_macros() {
    let (server, url, http) = serve(Application::create::<AppModule>().unwrap()).await;

    // Anonymous profile: 401, and no session minted.
    let res = http.get(format!("{url}/api/profile")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    assert!(session_cookie(&res).is_none());

    // Anonymous cart: a session starts because it was written.
    let res = http
        .post(format!("{url}/api/cart/add"))
        .json(&"apple")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let anon = session_cookie(&res).expect("cart session");

    // Login regenerates the id and keeps the cart.
    let cookie = log_in(&http, &url, Some(&anon)).await;
    assert_ne!(cookie, anon);
    let res = http
        .post(format!("{url}/api/cart/add"))
        .header("cookie", &cookie)
        .json(&"pear")
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Vec<String>>().await.unwrap(), ["apple", "pear"]);
    let res = http
        .get(format!("{url}/api/profile"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["id"], "ada");

    // Log out everywhere through the injected service.
    let res = http
        .post(format!("{url}/api/logout-everywhere"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<usize>().await.unwrap(), 1);
    let res = http
        .get(format!("{url}/api/profile"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    server.shutdown().await.unwrap();
}

/// Builds `app` and serves it on a free port: the server, its URL and a client.
async fn serve(app: Application) -> (RunningServer, String, reqwest::Client) {
    let app = app.build().await.unwrap();
    let server = app.spawn(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap());
    let url = server.url();
    (server, url, reqwest::Client::new())
}

/// Logs ada in (sending `cookie`, if any); the new session cookie.
async fn log_in(http: &reqwest::Client, url: &str, cookie: Option<&str>) -> String {
    let mut req = http
        .post(format!("{url}/api/login"))
        .json(&json!({ "email": "ada@example.com", "password": "secret" }));
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200);
    session_cookie(&res).expect("login cookie")
}

/// Routes whose handlers cannot reach the session skip the request context when nothing
/// else runs for them, yet keep every session behaviour: a session cookie they are sent is
/// still extended (rolling), and a route guard sees the session.
#[tokio::test]
async fn context_free_routes_keep_session_behaviour() {
    let (server, url, http) = serve(Application::create::<AppModule>().unwrap()).await;

    let res = http.get(format!("{url}/plain/ping")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(session_cookie(&res).is_none());
    assert_eq!(res.text().await.unwrap(), "pong");
    let res = http
        .get(format!("{url}/plain/echo/ab?n=3"))
        .header("x-tag", "!")
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "ababab!");

    let cookie = log_in(&http, &url, None).await;
    // Rolling: the cookie comes back renewed from a route that never opens the session.
    let res = http
        .get(format!("{url}/plain/ping"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(session_cookie(&res).as_deref(), Some(cookie.as_str()));

    // The route's guard reads the session.
    let res = http
        .get(format!("{url}/plain/guarded"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = http
        .get(format!("{url}/plain/guarded"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "in");
    server.shutdown().await.unwrap();
}

/// A global interceptor runs for context-free routes too, with the session.
#[tokio::test]
async fn global_interceptor_sees_the_session_on_context_free_routes() {
    let app = Application::create::<AppModule>()
        .unwrap()
        .use_global_interceptor(interceptor_fn(
            |mut req: Request, next: CallHandler| async move {
                let user = match Session::from_request(&mut req).await {
                    Ok(s) => s.get::<String>("userId").ok().flatten(),
                    Err(e) => return e.into_response(),
                };
                let mut res = next.handle(req).await;
                let user = user.unwrap_or_else(|| "-".into());
                res.headers_mut().insert("x-user", user.parse().unwrap());
                res
            },
        ));
    let (server, url, http) = serve(app).await;
    let cookie = log_in(&http, &url, None).await;
    let res = http
        .get(format!("{url}/plain/ping"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-user"], "ada");
    let res = http.get(format!("{url}/plain/ping")).send().await.unwrap();
    assert_eq!(res.headers()["x-user"], "-");
    server.shutdown().await.unwrap();
}
